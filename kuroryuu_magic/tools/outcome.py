"""What a tool returns, and the wrapper that makes every tool total.

:class:`ToolOutcome` is the only thing a tool hands back: bounded, redacted
text plus ``is_error`` (the Anthropic ``tool_result`` flag).  :func:`tool`
wraps a tool body so that a missing variable, a bad argument or a failure
inside pandas becomes an error *result*, never an exception reaching the
agent loop.  Imports nothing beyond the standard library, numpy (only when
already loaded) and this package's text and redaction helpers.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import warnings
from collections.abc import Callable
from typing import NamedTuple

from ..core.redact import redact
from .text import bounded

DEFAULT_MAX_CHARS = 4000


class ToolOutcome(NamedTuple):
    """A tool's answer: ``text`` for the model, ``is_error`` for the ``tool_result`` block."""

    text: str
    is_error: bool = False


class ToolError(Exception):
    """A mistake in the call (unknown variable, column, bad argument): told to the model."""


def tool(body: Callable[..., str]) -> Callable[..., ToolOutcome]:
    """Make ``body`` total: its text or its error, bounded by ``max_chars`` and redacted."""

    @functools.wraps(body)
    # The tool's own arguments, passed through to ``body`` as given.
    def run(*args: object, max_chars: int = DEFAULT_MAX_CHARS, **kwargs: object) -> ToolOutcome:
        max_chars = max(80, int(max_chars))
        np = sys.modules.get("numpy")
        try:
            # Odd data (all-NaN, overflow) warns from numpy and pandas; a tool result is no place for it.
            with (
                warnings.catch_warnings(),
                np.errstate(all="ignore") if np is not None else contextlib.nullcontext(),
            ):
                warnings.simplefilter("ignore")
                text, is_error = body(*args, max_chars=max_chars, **kwargs), False
        except ToolError as exc:
            text, is_error = f"error: {exc}", True
        except ImportError as exc:
            text, is_error = f"error: this needs a library the kernel lacks ({exc})", True
        except Exception as exc:  # a tool never raises into the loop: the model reads why
            text, is_error = f"error: {body.__name__} failed: {type(exc).__name__}: {exc}", True
        return ToolOutcome(bounded(redact(text), max_chars), is_error)

    return run
