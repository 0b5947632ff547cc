"""``run_python``: the user approves the exact code, then it runs in their namespace.

Approval is a stdin prompt under the code (a password request in a front end, so
JupyterLab's box offers no input history).  In a notebook that is the
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
own, so a timer interrupts the waiting main thread the way Ctrl-C would; the
interrupt is taken before the prompt returns, and an answer that came in after
the time was up declines too.  Each call is asked for on its own — there is no
"approve all" — under a numbered header, and only a reply to that prompt's own
stdin request counts (a late "y" in an expired box is refused; in a terminal,
what was typed before the prompt appeared is dropped).  The code is shown as it
would run: control characters, escape sequences, bidi controls and zero-width
characters appear as visible tokens, flagged in one line above it
(``core.visible``).  Code carrying a key-shaped string is declined without being
shown, since showing it redacted would ask the user to approve code other than
what would run.
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
from collections.abc import Callable, Iterator
from types import FrameType

from ..core.frontend import is_rich_frontend
from ..core.nomath import IGNORE_CLASS
from ..core.redact import redact
from ..core.shell import ShellLike
from ..core.visible import visible
from ..tools.outcome import ToolOutcome
from ..tools.text import bounded

PROMPT = "Run this code in your kernel? [y/N] "
_counter = itertools.count(1)


def _show_code(shell: ShellLike, code: str, number: int) -> None:
    """The code exactly as it would run: hidden characters made visible and flagged above it."""
    header = f"Claude wants to run this code in your kernel (approval {number}):"
    shown = visible(code)
    flag = shown.flag
    if is_rich_frontend(shell):
        from IPython.display import display

        warn = f'<div style="color:#b00020"><b>{html.escape(flag)}</b></div>' if flag else ""
        display(
            {
                "text/html": f'<div class="{IGNORE_CLASS}"><b>{html.escape(header)}</b>{warn}'
                f"<pre>{html.escape(shown.text)}</pre></div>",
                "text/plain": "\n".join(filter(None, (header, flag, shown.text))),
            },
            raw=True,
        )
    else:
        bar = "─" * 60
        lines = "\n".join(filter(None, (header, flag, bar, shown.text, bar)))
        print(f"\n{lines}", flush=True)


# Asks the user (input() by default; tests pass a stand-in); its answer is read as text.
Ask = Callable[[str], object]
_approvals = itertools.count(1)  # each prompt's own number, shown in its header


class _Deadline:
    """Interrupt the main thread if no answer came within ``seconds`` (0: wait for ever).

    The timer's SIGINT is counted by a handler of our own while the prompt is
    open, and on the way out the interrupt is waited for and taken here when the
    timer fired: so it can never land later, in the code that runs after the
    prompt, and an answer that arrived after the time was up is known as late.
    """

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sent = threading.Event()
        self.answered = self.expired = False
        self._delivered = 0
        on_main = threading.current_thread() is threading.main_thread()
        self._seconds = seconds if seconds > 0 and on_main else 0.0
        self._timer: threading.Timer | None = None
        # The SIGINT handler to put back: a function, SIG_DFL/SIG_IGN, or None (not set from Python).
        self._previous: Callable[[int, FrameType | None], object] | int | None = None

    def __enter__(self) -> _Deadline:
        if self._seconds:
            import signal

            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
            self._timer = threading.Timer(self._seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _on_sigint(self, signum: int, frame: object) -> None:
        self._delivered += 1
        raise KeyboardInterrupt

    def _expire(self) -> None:
        with self._lock:
            if self.answered:
                return
            self.expired = True
        try:
            # What the stop button does: SIGINT to the main thread, which also wakes a
            # blocking read (a terminal's input()); interrupt_main alone would wait for it.
            import signal

            if hasattr(signal, "pthread_kill"):
                signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)
            else:  # Windows: ipykernel's input() polls, so this is enough there
                import _thread

                _thread.interrupt_main()
        finally:
            self._sent.set()

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.answered = True
        if self._timer is None:
            return
        self._timer.cancel()
        try:
            if self.expired:
                self._absorb()
        finally:
            import signal

            previous = self._previous
            signal.signal(
                signal.SIGINT, signal.default_int_handler if previous is None else previous
            )

    def _absorb(self) -> None:
        """Take the timer's interrupt here (it is sent, or about to be)."""
        try:
            self._sent.wait(5.0)
            until = time.monotonic() + 5.0
            while not self._delivered and time.monotonic() < until:
                time.sleep(0.001)  # the handler runs at the next check after delivery
        except KeyboardInterrupt:
            pass


@contextlib.contextmanager
def _bound_replies(shell: ShellLike) -> Iterator[None]:
    """In a kernel, take only a reply to this prompt's own ``input_request``.

    ipykernel's ``input()`` takes the first ``input_reply`` on the stdin channel
    whatever request it answers, so a "y" typed late into an expired prompt's
    box (JupyterLab keeps it on screen) would approve the *next* prompt.  Front
    ends send the request's header as the reply's parent: a reply naming another
    request is dropped here (the kernel keeps waiting, as if it never came).  A
    reply without a parent (older clients) is taken as before.
    """
    session = getattr(getattr(shell, "kernel", None), "session", None)
    if session is None or not hasattr(session, "send") or not hasattr(session, "recv"):
        yield
        return
    send, recv = session.send, session.recv
    mine: list[str] = []

    # jupyter_client's Session.send/recv, wrapped: every argument is passed through as given.
    def bound_send(stream: object, msg_or_type: object, *args: object, **kwargs: object) -> object:
        msg = send(stream, msg_or_type, *args, **kwargs)
        if msg_or_type == "input_request" and isinstance(msg, dict):
            mine.append(str(msg.get("header", {}).get("msg_id", "")))
        return msg

    def bound_recv(socket: object, *args: object, **kwargs: object) -> tuple[object, object]:
        ident, msg = recv(socket, *args, **kwargs)
        if isinstance(msg, dict) and msg.get("msg_type") == "input_reply" and mine:
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if parent and parent != mine[-1]:
                return None, None  # an answer to another prompt: refused
        return ident, msg

    session.send, session.recv = bound_send, bound_recv
    try:
        yield
    finally:
        session.send, session.recv = send, recv


def _drop_typeahead() -> None:
    """In a terminal, forget what was typed before this prompt (a late answer to the last one)."""
    try:
        import sys
        import termios

        if sys.stdin is not None and sys.stdin.isatty():
            termios.tcflush(sys.stdin.fileno(), termios.TCIFLUSH)
    except (ImportError, OSError, ValueError):  # Windows, or no real stdin
        pass


def _default_ask(rich: bool) -> Ask:
    """Looked up on each call: ipykernel installs its stdin versions only while a cell runs.

    In a front end the question is a password request: JupyterLab's stdin box
    then has no input history (no "↑↓ for history" hint, and no earlier "y" to
    recall with ↑); what was answered is written as a line after it.
    """
    if rich:
        import getpass

        return lambda prompt: getpass.getpass(prompt)

    def terminal(prompt: str) -> object:
        _drop_typeahead()
        return builtins.input(prompt)

    return terminal


def _say(shell: ShellLike, line: str) -> None:
    """One plain line under the prompt (a display in a front end, so no stream merges it)."""
    if is_rich_frontend(shell):
        from IPython.display import display

        display({"text/plain": line}, raw=True)
    else:
        print(line, flush=True)


def ask_approval(
    shell: ShellLike,
    code: str,
    ask: Ask | None = None,
    *,
    timeout: float = 0.0,
    on_timeout: Callable[[], None] | None = None,
) -> tuple[bool, str]:
    """(approved, why not) for one call; Ctrl-C at the prompt propagates (the loop stops)."""
    if redact(code) != code:
        return False, "declined: the code contains a credential-shaped string, so it was not shown"
    number = next(_approvals)
    _show_code(shell, code, number)
    asker = ask or _default_ask(is_rich_frontend(shell))
    deadline = _Deadline(timeout)
    try:
        with _bound_replies(shell), deadline:
            answer = asker(PROMPT)
    except KeyboardInterrupt:
        if not deadline.expired:
            raise
        answer = None
    except EOFError:
        return False, "declined: no answer (end of input)"
    except Exception as exc:
        if type(exc).__name__ == "StdinNotImplementedError":
            return False, "declined: this front end cannot ask the user for approval (no stdin)"
        raise
    if deadline.expired:  # also an answer that came in after the time was up: it never runs
        if on_timeout is not None:
            on_timeout()  # the expired prompt's box leaves the page (see ``_outputs``)
        _say(shell, f"Approval {number} timed out after {timeout:g} s — nothing ran.")
        return False, f"declined: no answer within {timeout:g} seconds"
    if str(answer).strip().lower() in ("y", "yes"):
        _say(shell, f"Approval {number}: approved — running it.")
        return True, ""
    _say(shell, f"Approval {number}: declined — nothing ran.")
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
    value: object = None
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


def _repr(value: object) -> str:
    try:
        return repr(value)
    except Exception as exc:  # a broken __repr__ is the user's, not ours
        return f"<repr failed: {type(exc).__name__}>"
