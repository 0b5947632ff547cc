"""``%claude setup`` in terminal IPython: a hidden ``getpass`` prompt, same stores as the panel.

The prompt functions are parameters so tests can drive the flow without a terminal.
"""

from __future__ import annotations

import getpass as _getpass
import re
from collections.abc import Callable

from IPython.core.error import UsageError

from ..core.secretfiles import SecretFileError
from . import chain
from ._shape import API_KEY_PREFIX, KeyShapeError, normalize_key
from ._store import KeyringError

__all__ = ["run_terminal_setup"]

_ATTEMPTS = 3


_KEYISH = re.compile(r"[A-Za-z0-9_-]{32,}")
PASTED_KEY_WARNING = (
    "That looked like an API key, typed where input is visible; it was discarded. "
    "If others can see this screen or its scrollback, make a new key. Keys go only at the "
    "hidden prompt."
)


def looks_like_key(text: str) -> bool:
    """A key (or most of one) typed where the answer is echoed: any ``sk-ant-``, or a long token."""
    return API_KEY_PREFIX in text.lower() or bool(_KEYISH.search(text))


def _ask_visible(ask: Callable[[str], str], say: Callable[[str], None], prompt: str) -> str:
    """An answer at a visible prompt; a pasted key is never used, kept or repeated."""
    for _attempt in range(_ATTEMPTS):
        answer = _ask(ask, prompt)
        if not looks_like_key(answer):
            return answer
        del answer  # keep it out of this frame's locals (``%xmode Verbose``)
        say(PASTED_KEY_WARNING)
    raise UsageError("Setup stopped: no plain answer was given; nothing was stored.")


def _ask(ask: Callable[[str], str], prompt: str) -> str:
    """One answer, or ``UsageError`` when there is no terminal to ask on."""
    try:
        return ask(prompt)
    except (EOFError, KeyboardInterrupt):
        raise UsageError("Setup cancelled; nothing was changed.") from None
    except OSError:  # stdin is not readable (a captured or closed stream)
        raise UsageError(
            "No terminal to prompt on: in Jupyter run `%claude setup` in a notebook cell, "
            "or set the ANTHROPIC_API_KEY environment variable."
        ) from None


def _choose_store(ask: Callable[[str], str], say: Callable[[str], None]) -> chain.Store:
    choices = chain.available_stores()
    if len(choices) == 1:
        return choices[0][1]
    for number, (label, _store) in enumerate(choices, start=1):
        say(f"  [{number}] {label}")
    prompt = f"Store the key where? [1-{len(choices)}, Enter = 1]: "
    answer = _ask_visible(ask, say, prompt).strip() or "1"
    if not answer.isdigit() or not 1 <= int(answer) <= len(choices):
        raise UsageError(f"Choose a number from 1 to {len(choices)}; run `%claude setup` again.")
    return choices[int(answer) - 1][1]


def _read_key(secret_prompt: Callable[[str], str], say: Callable[[str], None]) -> str | None:
    for _attempt in range(_ATTEMPTS):
        raw = _ask(secret_prompt, "Anthropic API key (input hidden, Enter to cancel): ")
        if not raw.strip():
            return None
        try:
            return normalize_key(raw)
        except KeyShapeError as exc:
            say(str(exc))
    raise UsageError("No valid key entered; run `%claude setup` again.")


def _something_to_manage() -> bool:
    try:
        return chain.resolve_credential() is not None
    except UsageError:  # a refused key file: Forget or a new Save fixes it
        return True


def run_terminal_setup(
    *,
    secret_prompt: Callable[[str], str] = _getpass.getpass,
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
) -> None:
    """Save, test or forget the API key by prompting on the terminal."""
    for name, value in chain.credential_status():
        if name == "credential" and value.startswith("none"):
            value = "none yet"  # the status row's advice is to run this very flow
        if name in {"credential", "source", "warning"}:
            say(f"{name}: {value}")
    action = "s"
    if _something_to_manage():
        menu = "[s]ave a new key, [t]est the key in use, [f]orget stored keys, [q]uit? [s]: "
        action = _ask_visible(ask, say, menu).strip().lower()[:1] or "s"
    if action == "q":
        return
    if action == "t":
        say(chain.check_key().message)
        return
    if action == "f":
        say(chain.forget_key())
        return
    if action != "s":
        raise UsageError("Answer s, t, f or q; run `%claude setup` again.")
    key = _read_key(secret_prompt, say)
    if key is None:
        say("Cancelled; nothing was changed.")
        return
    store = _choose_store(ask, say)
    try:
        say(chain.save_key(key, store))
    except (KeyShapeError, KeyringError, SecretFileError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"Could not store the key: {exc.strerror} ({exc.filename}).") from None
    try:
        answer = _ask_visible(ask, say, "Test it now with one small API call? [Y/n]: ")
    except UsageError:  # Ctrl-D or Ctrl-C here: the key is saved, only the test is skipped
        say("Not tested; the key is saved. `%claude setup` → [t]est checks it later.")
        return
    if answer.strip().lower() in {"", "y", "yes"}:
        say(chain.check_key(key).message)
