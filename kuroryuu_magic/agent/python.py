"""``run_python``: the user approves the exact code, then it runs in their namespace.

Approval is an ``input()`` prompt under the code.  In a notebook that is the
kernel's stdin request, which JupyterLab, Notebook 7 and VS Code answer with a
text box *while the cell is still running*; a widget could not be used here:
its button clicks arrive as comm messages on the shell channel, which the
kernel does not read while it executes this cell, and the work-arounds
(pumping ``kernel.do_one_iteration`` from inside the cell, nest-asyncio) hook
into ipykernel internals that change between versions.  In terminal IPython
the same call is a plain y/N prompt.  A front end without stdin (nbclient,
papermill) raises ``StdinNotImplementedError``: that counts as declined.

Only "y"/"yes" approves; anything else, an empty line, end of input or no
answer within ``timeout`` seconds (the ``approval_timeout`` trait) declines,
and a declined call runs nothing.  ipykernel's ``input()`` has no timeout of its
own, so a timer interrupts the waiting main thread the way Ctrl-C would; a flag
tells that apart from the user's own Ctrl-C (which stops the investigation).  Each call is asked for on its
own — there is no "approve all".  Code carrying a key-shaped string is
declined without being shown, since showing it redacted would ask the user to
approve code other than what would run.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import html
import io
import itertools
import linecache
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from ..core.frontend import is_rich_frontend
from ..core.nomath import IGNORE_CLASS
from ..core.redact import redact
from ..core.shell import ShellLike
from ..tools.outcome import ToolOutcome
from ..tools.text import bounded

PROMPT = "Run this code in your kernel? [y/N] "
_counter = itertools.count(1)


def _show_code(shell: ShellLike, code: str) -> None:
    header = "Claude wants to run this code in your kernel:"
    if is_rich_frontend(shell):
        from IPython.display import display

        display(
            {
                "text/html": f'<div class="{IGNORE_CLASS}"><b>{html.escape(header)}</b>'
                f"<pre>{html.escape(code)}</pre></div>",
                "text/plain": f"{header}\n{code}",
            },
            raw=True,
        )
    else:
        bar = "─" * 60
        print(f"\n{header}\n{bar}\n{code}\n{bar}", flush=True)


# Asks the user (input() by default; tests pass a stand-in); its answer is read as text.
Ask = Callable[[str], object]


class _Deadline:
    """Interrupt the main thread if no answer came within ``seconds`` (0: wait for ever)."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self.answered = self.expired = False
        on_main = threading.current_thread() is threading.main_thread()
        self._timer = threading.Timer(seconds, self._expire) if seconds > 0 and on_main else None
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            if self.answered:
                return
            self.expired = True
        # What the stop button does: SIGINT to the main thread, which also wakes a blocking
        # read (a terminal's input()); interrupt_main alone would wait for the read to end.
        import signal

        if hasattr(signal, "pthread_kill"):
            signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
        else:  # Windows: no pthread_kill; ipykernel's input() polls, so this is enough there
            import _thread

            _thread.interrupt_main()

    def settle(self) -> None:
        """Stop the timer; absorb an interrupt it sent just as the answer arrived."""
        with self._lock:
            self.answered = True
        if self._timer is not None:
            self._timer.cancel()
        if self.expired:
            try:
                for _ in range(200):  # the pending interrupt lands at the next bytecode
                    time.sleep(0.001)
            except KeyboardInterrupt:
                pass


def ask_approval(
    shell: ShellLike, code: str, ask: Ask | None = None, *, timeout: float = 0.0
) -> tuple[bool, str]:
    """(approved, why not) for one call; Ctrl-C at the prompt propagates (the loop stops).

    ``input`` is looked up on each call: ipykernel installs its stdin-request
    version in ``builtins`` only while a cell executes.
    """
    if redact(code) != code:
        return False, "declined: the code contains a credential-shaped string, so it was not shown"
    _show_code(shell, code)
    deadline = _Deadline(timeout)
    try:
        try:
            answer = (ask or builtins.input)(PROMPT)
        finally:
            deadline.settle()
    except KeyboardInterrupt:
        if deadline.expired:
            print(f"\nNo answer within {timeout:g} s: declined, nothing ran.", flush=True)
            return False, f"declined: no answer within {timeout:g} seconds"
        raise
    except EOFError:
        return False, "declined: no answer (end of input)"
    except Exception as exc:
        if type(exc).__name__ == "StdinNotImplementedError":
            return False, "declined: this front end cannot ask the user for approval (no stdin)"
        raise
    if str(answer).strip().lower() in ("y", "yes"):
        return True, ""
    return False, "declined by the user"


def run_code(shell: ShellLike, code: str, *, max_chars: int) -> ToolOutcome:
    """Run approved ``code`` in ``shell.user_ns`` like a cell: stdout, the last value's repr, or the error."""
    filename = f"<run_python {next(_counter)}>"
    try:
        tree = ast.parse(code, filename=filename, mode="exec")
    except SyntaxError as exc:
        return ToolOutcome(bounded(redact(f"SyntaxError: {exc}"), max_chars), True)
    # Tracebacks quote the lines, as they do for a cell.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tail = tree.body[-1] if tree.body else None
    last = tail if isinstance(tail, ast.Expr) else None
    if last is not None:
        tree.body.pop()
    namespace = shell.user_ns
    out = io.StringIO()
    value: Any = None
    error = ""
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 — approved by the user
            if last is not None:
                expr = ast.Expression(last.value)
                value = eval(compile(expr, filename, "eval"), namespace)  # noqa: S307 — same approved code
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # SystemExit too: the user's namespace, not our process
        tb = exc.__traceback__.tb_next if exc.__traceback__ else None  # drop this frame
        error = "".join(traceback.format_exception(type(exc), exc, tb))
    parts = []
    printed = out.getvalue()
    if printed:
        parts.append(f"output:\n{printed.rstrip()}")
    if error:
        parts.append(f"exception:\n{error.rstrip()}")
    elif value is not None:
        parts.append(f"result ({type(value).__name__}):\n{_repr(value)}")
    text = "\n".join(parts) or "ran; no output and no value"
    return ToolOutcome(bounded(redact(text), max_chars), bool(error))


def _repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a broken __repr__ is the user's, not ours
        return f"<repr failed: {type(exc).__name__}>"
