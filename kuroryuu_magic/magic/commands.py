"""The ``%claude`` subcommands other than prompts."""

from __future__ import annotations

import argparse
from typing import Any

from ..ask.display import show_rows
from ..ask.usage import format_cost
from ..core.errors import UsageError, api_error_from, interruptible
from ..core.frontend import is_rich_frontend


def run(magics: Any, command: str, opts: argparse.Namespace) -> None:
    handler = _HANDLERS[command]
    handler(magics, opts)


def _help(magics: Any, opts: argparse.Namespace) -> None:
    from .help import HELP

    print(HELP)


def _setup(magics: Any, opts: argparse.Namespace) -> None:
    from ..keys.panel import run_setup

    run_setup(magics.shell)


def _login(magics: Any, opts: argparse.Namespace) -> None:
    from ..oauth.panel import run_login

    run_login(magics.shell, mode=opts.mode)


def _logout(magics: Any, opts: argparse.Namespace) -> None:
    from ..core.secretfiles import SecretFileError
    from ..oauth.errors import OAuthError
    from ..oauth.tokens import logout

    try:
        print(logout())
    except (OAuthError, SecretFileError) as exc:  # an unwritable dir, a held lock: one line
        raise UsageError(f"Logout failed: {exc}") from None


def _client(magics: Any) -> Any:
    from ..ask.client import get_client

    return get_client(timeout=magics.timeout, max_retries=magics.max_retries)


def _status(magics: Any, opts: argparse.Namespace) -> None:
    from ..ask.client import base_url

    rows: list[tuple[str, str]] = []
    try:
        from ..keys.chain import credential_status

        rows += credential_status()
    except ImportError:
        from ..keys.chain import resolve_credential

        cred = resolve_credential()
        rows.append(
            ("credential", f"{cred.masked} ({cred.source})" if cred else "none: run %claude setup")
        )
    try:
        from ..oauth.tokens import token_status

        rows += [(f"oauth {k}", v) for k, v in token_status()]
    except ImportError:
        pass
    rows.append(("base URL", base_url()))
    rows.append(("model", magics.model))
    rows.append(("thinking", magics.thinking))
    threads = magics.conversations.names()
    rows.append(
        (
            "threads",
            ", ".join(f"{n} ({len(magics.conversations.thread(n).turns)} turns)" for n in threads)
            or "none",
        )
    )
    total = magics.session_usage.total_cost()
    requests = sum(t.requests for t in magics.session_usage.by_model.values())
    rows.append(
        (
            "session usage",
            f"{requests} request(s), {format_cost(total) if requests else 'nothing yet'}",
        )
    )
    show_rows(magics.shell, "Claude status", ("setting", "value"), rows)


def _models(magics: Any, opts: argparse.Namespace) -> None:
    from ..ask.client import base_url
    from ..models.aliases import list_models

    try:
        with interruptible("listing the models"):
            rows = list_models(_client(magics), refresh=opts.refresh)
    except UsageError:
        raise
    except Exception as exc:
        raise api_error_from(exc, base_url=base_url()) from None
    show_rows(
        magics.shell,
        "Models",
        ("id", "name", "released"),
        [(r["id"], r["display_name"], str(r["created_at"] or "")[:10]) for r in rows],
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "\n".join(
        b.get("text", "") if b.get("type") == "text" else f"[{b.get('type')}]" for b in content
    )


def _history(magics: Any, opts: argparse.Namespace) -> None:
    name = opts.conversation or "default"
    turns = magics.conversations.thread(name).turns
    if not turns:
        print(f"Thread '{name}' is empty.")
        return
    if is_rich_frontend(magics.shell):
        from IPython.display import Markdown, display

        from ..ask.mathguard import guard_math

        parts = [f"### Thread '{name}' ({len(turns)} turns)"]
        for i, turn in enumerate(turns, 1):
            user, answer = (
                guard_math(t, magics.math) for t in (_content_text(turn.user), turn.assistant)
            )
            parts.append(f"**{i}. You:**\n\n{user}\n\n**Claude** ({turn.model}):\n\n{answer}")
        display(Markdown("\n\n---\n\n".join(parts)))
    else:
        for i, turn in enumerate(turns, 1):
            print(
                f"[{i}] You: {_content_text(turn.user)}\n[{i}] Claude ({turn.model}): {turn.assistant}\n"
            )


def _reset(magics: Any, opts: argparse.Namespace) -> None:
    if opts.all:
        dropped = magics.conversations.reset(None)
        print(f"Cleared every thread ({dropped} turns).")
        return
    name = opts.conversation or "default"
    dropped = magics.conversations.reset(name)
    print(f"Cleared thread '{name}' ({dropped} turns).")


def _usage(magics: Any, opts: argparse.Namespace) -> None:
    by_model = magics.session_usage.by_model
    if not by_model:
        print("No requests yet in this session.")
        return
    rows = [
        (
            model,
            t.requests,
            f"{t.input_tokens:,}",
            f"{t.output_tokens:,}",
            f"{t.cache_read_tokens:,} / {t.cache_write_tokens:,}",
            format_cost(t.cost),
            format_cost(t.saved) if t.cache_read_tokens else "",
        )
        for model, t in by_model.items()
    ]
    rows.append(
        (
            "total",
            sum(t.requests for t in by_model.values()),
            "",
            "",
            "",
            format_cost(magics.session_usage.total_cost()),
            "",
        )
    )
    show_rows(
        magics.shell,
        "Usage this session (estimates)",
        ("model", "requests", "input", "output", "cache read / written", "cost", "cache saved"),
        rows,
    )


def _fix(magics: Any, opts: argparse.Namespace) -> None:
    from ..context.errors import last_error_prompt

    prompt = last_error_prompt(magics.shell)
    if opts.format is None:
        opts.format = "code"
    if opts.system is None:
        opts.system = (
            "You help a data scientist fix a failing notebook cell. In two or three sentences "
            "explain the cause, then give the corrected cell."
        )
    opts.no_interpolate = True  # the traceback is full of braces; send it verbatim
    magics._prompt(opts, prompt)


def _batch(magics: Any, opts: argparse.Namespace) -> None:
    from ..map.magic import fetch_batch

    fetch_batch(magics, opts.batch_id, opts.out)


def _cache(magics: Any, opts: argparse.Namespace) -> None:
    from .cache_command import run_cache

    run_cache(magics, opts)


_HANDLERS = {
    "help": _help,
    "setup": _setup,
    "login": _login,
    "logout": _logout,
    "status": _status,
    "models": _models,
    "history": _history,
    "reset": _reset,
    "usage": _usage,
    "fix": _fix,
    "batch": _batch,
    "cache": _cache,
}
