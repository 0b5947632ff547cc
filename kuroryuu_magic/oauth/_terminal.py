"""``%claude login`` in terminal IPython: print the URL, read the pasted code with ``input()``.

Uses the same plain functions as the widget, then prints the account facts
(tokens masked) and the diagnosis.
"""

from __future__ import annotations

from collections.abc import Callable

from ..core.mask import mask
from ..core.redact import Secret
from . import POLICY_NOTE
from ._tokenset import TokenSet
from .errors import OAuthError

__all__ = ["terminal_login"]


def terminal_login(
    mode: str = "max",
    *,
    input_fn: Callable[[str], str] | None = None,
    print_fn: Callable[[str], None] | None = None,
    run_diagnosis: bool = True,
) -> TokenSet | None:
    """Run the login with ``input()``; ``None`` when the user cancels.

    OAuth failures raise IPython's ``UsageError`` with one line saying what to do.
    """
    from IPython.core.error import UsageError

    from ._flow import complete_login, start_login

    # Looked up at call time so IPython's (and a test's) replacement of input() is used.
    input_fn = input_fn or input
    print_fn = print_fn or print
    try:
        attempt = start_login(mode)
    except OAuthError as exc:
        raise UsageError(str(exc)) from None
    print_fn(f"Diagnostics only. {POLICY_NOTE}")
    print_fn("Open this URL in your browser, approve, and copy the code it shows:")
    print_fn(attempt.authorize_url)
    try:
        # Wrapped at once: a Verbose traceback prints every frame's locals and arguments.
        pasted = Secret(input_fn("Paste the code (CODE#STATE or the callback URL): "))
    except (EOFError, KeyboardInterrupt):
        print_fn("Login cancelled.")
        return None
    if not pasted.reveal().strip():
        print_fn("Login cancelled: nothing was pasted.")
        return None
    try:
        tokens = complete_login(attempt, pasted)
    except OAuthError as exc:
        raise UsageError(f"Login failed: {exc}") from None
    print_fn(
        f"Logged in as {tokens.account_email or '(unknown account)'}"
        f" ({tokens.organization_name or 'unknown organization'}); scopes: {tokens.scope};"
        f" access token {mask(tokens.access_token)} expires {tokens.expires_text()}."
    )
    if run_diagnosis:
        from .diagnose import diagnose

        print_fn("What the API says about this token:")
        print_fn(diagnose().to_text())
    return tokens
