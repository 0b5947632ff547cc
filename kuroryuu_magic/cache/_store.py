"""The answer store: one SQLite file, shared by threads and by kernels.

Invariants: the file is 0600 from its first byte (see ``_file``); every string
passes the redaction hook before it is written, so no key or token shape is
ever stored; only complete answers are stored; every failure surfaces as one
:class:`AnswerCacheError` line naming the file, never a traceback.  WAL mode
lets one kernel read while another writes; writers wait at most ``timeout``
seconds for each other, so no cell blocks for long on a held lock.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from ..core.redact import redact as _redact_secrets
from ._answer import STORABLE_STOP_REASONS, CachedAnswer, CacheStats
from ._errors import AnswerCacheError, CorruptCacheError
from ._file import SIDE_FILES, prepare_private_file
from ._rows import BadRow, answer_from_row

__all__ = ["AnswerCache"]

_APPLICATION_ID = 0x4B524341  # "KRCA": tells our file from any other SQLite database
_SCHEMA_VERSION = 1
_COLUMNS = "key, text, content, usage, model, stop_reason, request_id, created"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY NOT NULL,
    text TEXT NOT NULL,
    content TEXT NOT NULL,
    usage TEXT NOT NULL,
    model TEXT NOT NULL,
    stop_reason TEXT NOT NULL,
    request_id TEXT,
    created REAL NOT NULL
)
"""
_SELECT = f"SELECT {_COLUMNS} FROM answers"  # noqa: S608  (constant column list)
_INSERT = f"INSERT OR REPLACE INTO answers ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
_SELECT_MANY = f"{_SELECT} WHERE key IN (SELECT value FROM json_each(?))"  # noqa: S608
_CHUNK = 500  # bound parameters per query when SQLite lacks json_each


def _scrub(value: object, redact: Callable[[str], str]) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)): _scrub(v, redact) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub(v, redact) for v in value]
    return value


class AnswerCache:
    """Completed answers by :func:`answer_key`, in the SQLite file at ``path``.

    Safe to share between threads (one connection behind a lock) and between
    kernels on the same file.  ``redact`` masks secrets in every stored string;
    the default masks Anthropic key and token shapes.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        redact: Callable[[str], str] | None = None,
        timeout: float = 3.0,
    ) -> None:
        self._path = Path(path).expanduser()
        self._redact = redact or _redact_secrets
        self._timeout = timeout
        self._lock = threading.RLock()
        self._hits = 0
        self._misses = 0
        self.bad_rows = 0  # rows met that were not valid answers (see ``_rows``)
        self._json_each = True
        self._conn: sqlite3.Connection | None = None
        prepare_private_file(self._path)
        with self._guard():
            # isolation_level=None: we issue BEGIN ourselves, so nothing stays open by accident.
            conn = sqlite3.connect(
                self._path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            try:
                self._setup(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn

    @property
    def path(self) -> Path:
        return self._path

    def _files(self) -> list[Path]:
        return [self._path, *(self._path.with_name(self._path.name + s) for s in SIDE_FILES)]

    def _setup(self, conn: sqlite3.Connection) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]  # reads the header
        if app_id not in (0, _APPLICATION_ID):
            raise self._corrupt("is another program's SQLite database")
        if app_id == 0:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if tables - {"answers", "sqlite_autoindex_answers_1"}:
                raise self._corrupt("is another program's SQLite database")
            # Only takes effect on a file without tables; lets `clear` give space back.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        elif conn.execute("PRAGMA user_version").fetchone()[0] > _SCHEMA_VERSION:
            raise AnswerCacheError(
                f"answer cache {self._path} was written by a newer kuroryuu-magic. "
                "Fix: upgrade kuroryuu-magic or set answer_cache_path to another file.",
                path=self._path,
            )
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL: a killed kernel loses nothing; only a power cut may drop the last answers.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA secure_delete = ON")  # cleared answers leave no bytes behind
        if app_id == 0:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA application_id = {_APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):  # keep the first error, not the rollback's
                    conn.execute("ROLLBACK")
                raise

    # --- errors -------------------------------------------------------------------------

    def _corrupt(self, what: str) -> CorruptCacheError:
        return CorruptCacheError(
            f"answer cache {self._path} {what}. "
            "Fix: move that file away or delete it; a new cache is created on the next run.",
            path=self._path,
        )

    def _translate(self, exc: BaseException) -> AnswerCacheError:
        name = str(getattr(exc, "sqlite_errorname", ""))
        text = str(exc).lower()
        path = self._path
        if "BUSY" in name or "LOCKED" in name or "locked" in text:
            return AnswerCacheError(
                f"answer cache {path} is locked by another process (waited {self._timeout:g} s). "
                "Fix: run the cell again once the other kernel is done, or set answer_cache_path "
                "to another file.",
                path=path,
            )
        if "NOTADB" in name or "CORRUPT" in name or "not a database" in text or "malformed" in text:
            return self._corrupt("is damaged or not an answer cache")
        if isinstance(exc, ValueError):  # a row whose JSON does not decode
            return self._corrupt("holds a damaged entry")
        if "FULL" in name or "full" in text:
            return AnswerCacheError(
                f"answer cache {path}: the disk is full. Fix: free space or run "
                "`%claude cache clear --older-than DAYS`.",
                path=path,
            )
        reason = str(getattr(exc, "strerror", None) or exc or type(exc).__name__)
        return AnswerCacheError(
            f"answer cache {path} cannot be used ({reason}). Fix: check the permissions of the "
            "file and its directory, or set answer_cache_path elsewhere.",
            path=path,
        )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except AnswerCacheError:
            raise
        except (sqlite3.Error, OSError, ValueError) as exc:
            # ``from None``: SQLite's chained context adds nothing a user can act on.
            raise self._translate(exc) from None

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._guard():
            if self._conn is None:
                raise AnswerCacheError(
                    f"answer cache {self._path} is closed. Fix: open it again.", path=self._path
                )
            yield self._conn

    # --- reading ------------------------------------------------------------------------

    def _answer(self, row: tuple[Any, ...], bad: list[str]) -> CachedAnswer | None:
        """The row's answer, or ``None`` (a miss) with the reason added to ``bad``."""
        try:
            return answer_from_row(row)
        except BadRow as exc:
            bad.append(str(exc))
            return None

    def _warn(self, bad: list[str]) -> None:
        """One line for every lookup that met rows it could not use (the file is foreign input)."""
        if bad:
            self.bad_rows += len(bad)
            print(
                f"(answer cache {self._path}: {len(bad)} stored answer(s) could not be read "
                f"({bad[0][:120]}); treated as not cached)",
                file=sys.stderr,
            )

    def get(self, key: str) -> CachedAnswer | None:
        """The stored answer for ``key``, or ``None``; counts a hit or a miss.

        A row that is not a valid answer is a miss and one line on stderr."""
        bad: list[str] = []
        with self._connection() as conn:
            row = conn.execute(f"{_SELECT} WHERE key = ?", (key,)).fetchone()
            answer = None if row is None else self._answer(row, bad)
            if answer is None:
                self._misses += 1
            else:
                self._hits += 1
        self._warn(bad)
        return answer

    def get_many(self, keys: Iterable[str], *, count: bool = True) -> dict[str, CachedAnswer]:
        """Stored answers for those of ``keys`` that have one, in a single query.

        ``count=False`` (a dry run's look) leaves the session's hit and miss counts alone:
        nothing was answered from the cache."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, CachedAnswer] = {}
        bad: list[str] = []
        with self._connection() as conn:
            for row in self._select_many(conn, wanted):
                answer = self._answer(row, bad)
                if answer is not None and isinstance(row[0], str):
                    found[row[0]] = answer
            if count:
                self._hits += len(found)
                self._misses += len(wanted) - len(found)
        self._warn(bad)
        return found

    def _select_many(self, conn: sqlite3.Connection, keys: list[str]) -> list[tuple[Any, ...]]:
        if not keys:
            return []
        if self._json_each:
            try:
                return conn.execute(_SELECT_MANY, (json.dumps(keys),)).fetchall()
            except sqlite3.OperationalError as exc:
                if "json_each" not in str(exc):
                    raise
                self._json_each = False  # an SQLite built without JSON: fall back to chunks
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ", ".join("?" * len(chunk))
            rows += conn.execute(f"{_SELECT} WHERE key IN ({marks})", chunk).fetchall()
        return rows

    # --- writing ------------------------------------------------------------------------

    def _row(self, key: str, answer: CachedAnswer) -> tuple[Any, ...] | None:
        if answer.stop_reason not in STORABLE_STOP_REASONS:
            return None
        if not isinstance(key, str) or not key:
            raise ValueError("answer cache keys are non-empty strings (see answer_key)")
        r = self._redact
        return (
            key,
            r(answer.text),
            json.dumps(_scrub(answer.content, r), ensure_ascii=False),
            json.dumps(_scrub(answer.usage, r), ensure_ascii=False),
            r(answer.model),
            answer.stop_reason,
            None if answer.request_id is None else r(answer.request_id),
            float(answer.created),
        )

    def put(self, key: str, answer: CachedAnswer) -> bool:
        """Store ``answer`` under ``key`` (replacing any); False when it is not a complete answer."""
        return self.put_many([(key, answer)]) == 1

    def put_many(self, items: Iterable[tuple[str, CachedAnswer]]) -> int:
        """Store many answers in one transaction (batch results); returns how many were stored."""
        rows = [row for key, answer in items if (row := self._row(key, answer)) is not None]
        if not rows:
            return 0
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(_INSERT, rows)
                conn.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):  # keep the first error, not the rollback's
                    conn.execute("ROLLBACK")
                raise
        return len(rows)

    # --- housekeeping -------------------------------------------------------------------

    def stats(self) -> CacheStats:
        with self._connection() as conn:
            entries = conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
            size = 0
            for file in self._files():
                with suppress(FileNotFoundError):
                    size += file.stat().st_size
            return CacheStats(self._path, entries, size, self._hits, self._misses)

    def clear(self, older_than_days: float | None = None) -> int:
        """Delete all answers, or those stored more than ``older_than_days`` ago; returns the count."""
        if older_than_days is not None and not older_than_days >= 0:
            raise ValueError("older_than_days must be a number of days >= 0")
        with self._connection() as conn:
            if older_than_days is None:
                removed = conn.execute("DELETE FROM answers").rowcount
            else:
                cutoff = time.time() - older_than_days * 86400
                removed = conn.execute("DELETE FROM answers WHERE created < ?", (cutoff,)).rowcount
            if removed:
                conn.execute("PRAGMA incremental_vacuum").fetchall()
                # Best effort: another kernel reading right now just keeps the WAL a while.
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            return removed

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                with self._guard():
                    conn.close()

    def __enter__(self) -> AnswerCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"<AnswerCache {self._path} ({state})>"
