"""Answer-cache failures, each shown as one line that names the file and the fix."""

from __future__ import annotations

from pathlib import Path

__all__ = ["AnswerCacheError", "CacheMissError", "CorruptCacheError"]


class AnswerCacheError(Exception):
    """The answer cache at ``path`` could not be used (locked, unwritable, closed…).

    The message is one line naming the file and the fix; it never holds an answer.
    """

    def __init__(self, message: str, *, path: Path | str | None = None) -> None:
        super().__init__(" ".join(str(message).split()))
        self.path = None if path is None else Path(path)

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing a traceback: users are not debugging us.
        return [f"\x1b[31m{type(self).__name__}: {self}\x1b[0m"]


class CorruptCacheError(AnswerCacheError):
    """The file is not an answer cache (not SQLite, damaged, or another program's database)."""


class CacheMissError(AnswerCacheError):
    """``answer_cache = "replay"`` and some request has no stored answer; nothing was sent."""

    def __init__(self, message: str, *, path: Path | str | None = None, missing: int = 1) -> None:
        super().__init__(message, path=path)
        self.missing = missing
