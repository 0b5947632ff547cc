"""``%claude cache`` (size, entries, hits this session) and ``%claude cache clear [--older-than DAYS]``.

The handler of the ``cache`` row of the subcommand table (``subcommands``).
"""

from __future__ import annotations

import argparse

from ..core.errors import UsageError
from ._host import MagicsHost

__all__ = ["run_cache"]


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"  # pragma: no cover


def run_cache(magics: MagicsHost, opts: argparse.Namespace) -> None:
    """Show the answer cache, or clear it."""
    from ..cache import open_cache

    if opts.older_than is not None and opts.action != "clear":
        raise UsageError("--older-than goes with `%claude cache clear`.")
    cache, mode = open_cache(magics.shell, magics.answer_cache, magics.answer_cache_path)
    if cache is None:
        if mode == "off":
            print('Answer cache: off (`%config ClaudeMagics.answer_cache = "on"` to use it).')
        return  # otherwise open_cache has said why the file cannot be used
    if opts.action == "clear":
        removed = cache.clear(opts.older_than)
        which = f" older than {opts.older_than:g} day(s)" if opts.older_than is not None else ""
        print(f"Answer cache: removed {removed:,} answer(s){which} from {cache.path}.")
        return
    stats = cache.stats()
    print(
        f"Answer cache ({mode}): {stats.path} · {stats.entries:,} answer(s) · {_size(stats.bytes)}"
        f" · this session {stats.hits:,} hit(s), {stats.misses:,} miss(es)."
    )
