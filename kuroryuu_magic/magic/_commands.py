"""What the ``%claude`` subcommands do; ``subcommands.TABLE`` names, parses and dispatches them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..ask.display import show_rows
from ..ask.usage import format_cost
from ..core.errors import UsageError, api_error_from, interruptible
from ..core.frontend import is_rich_frontend
from ..core.wire import joined_text
from ._host import MagicsHost, shell_of

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic


def _turns(n: int) -> str:
    return f"{n} turn" if n == 1 else f"{n} turns"


def setup(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..keys.panel import run_setup

    run_setup(magics.shell)


def login(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..oauth.panel import run_login

    run_login(magics.shell, mode=opts.mode)


def logout(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..core.secretfiles import SecretFileError
    from ..oauth.errors import OAuthError
    from ..oauth.tokens import logout as forget_tokens

    try:
        print(forget_tokens())
    except (OAuthError, SecretFileError) as exc:  # an unwritable dir, a held lock: one line
        raise UsageError(f"Logout failed: {exc}") from None


def _client(magics: MagicsHost) -> Anthropic:
    from ..ask.client import get_client

    return get_client(timeout=magics.timeout, max_retries=magics.max_retries)


def status(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..ask.client import base_url
    from ..keys.chain import credential_status
    from ..oauth.tokens import token_status

    rows = credential_status()
    rows += [(f"oauth {k}", v) for k, v in token_status()]
    rows.append(("base URL", base_url()))
    rows.append(("model", magics.model))
    rows.append(("thinking", magics.thinking))
    threads = magics.conversations.names()
    rows.append(
        (
            "threads",
            ", ".join(f"{n} ({_turns(len(magics.conversations.thread(n).turns))})" for n in threads)
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


def models(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..ask.client import base_url
    from ..models.aliases import list_models, offline_listing

    if getattr(magics, "answer_cache", "off") == "replay":
        rows, where = offline_listing()  # replay asks the API nothing, a listing included
        print(f"Replay mode: nothing was sent; these are {where}.")
        _show_models(magics, rows)
        return
    try:
        with interruptible("listing the models"):
            rows = list_models(_client(magics), refresh=opts.refresh)
    except UsageError:
        raise
    except Exception as exc:
        raise api_error_from(exc, base_url=base_url()) from None
    _show_models(magics, rows)


def _show_models(magics: MagicsHost, rows: list[dict[str, Any]]) -> None:
    show_rows(
        magics.shell,
        "Models",
        ("id", "name", "released"),
        [(r["id"], r["display_name"], str(r["created_at"] or "")[:10]) for r in rows],
    )


def history(magics: MagicsHost, opts: argparse.Namespace) -> None:
    name = opts.conversation or "default"
    turns = magics.conversations.thread(name).turns
    if not turns:
        print(f"Thread '{name}' is empty.")
        return
    if is_rich_frontend(magics.shell):
        from IPython.display import Markdown, display

        from ..ask.mathguard import guard_math
        from ..ask.remote import guard_remote

        parts = [f"### Thread '{name}' ({_turns(len(turns))})"]
        for i, turn in enumerate(turns, 1):
            asked = joined_text(turn.user, sep="\n", placeholders=True)
            user, answer = (
                guard_math(guard_remote(t, magics.remote_images), magics.math)
                for t in (asked, turn.assistant)
            )
            parts.append(f"**{i}. You:**\n\n{user}\n\n**Claude** ({turn.model}):\n\n{answer}")
        display(Markdown("\n\n---\n\n".join(parts)))
    else:
        for i, turn in enumerate(turns, 1):
            asked = joined_text(turn.user, sep="\n", placeholders=True)
            print(f"[{i}] You: {asked}\n[{i}] Claude ({turn.model}): {turn.assistant}\n")


def reset(magics: MagicsHost, opts: argparse.Namespace) -> None:
    if opts.all:
        dropped = magics.conversations.reset(None)
        print(f"Cleared every thread ({_turns(dropped)}).")
        return
    name = opts.conversation or "default"
    dropped = magics.conversations.reset(name)
    print(f"Cleared thread '{name}' ({_turns(dropped)}).")


def usage(magics: MagicsHost, opts: argparse.Namespace) -> None:
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


def fix(magics: MagicsHost, opts: argparse.Namespace) -> None:
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


def batch(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from ..cache import refuse_in_replay
    from ..map.magic import fetch_batch

    refuse_in_replay(
        getattr(magics, "answer_cache", "off"),
        f"%claude batch {opts.batch_id[:80]} fetches results from the API (the answer cache "
        "holds answers by request, not by batch)",
    )

    from ._prompting import traits_of

    fetch_batch(shell_of(magics), traits_of(magics), opts.batch_id, opts.out)


def demo(magics: MagicsHost, opts: argparse.Namespace) -> None:
    from .. import demo as offline
    from ..ask.client import base_url
    from ..core.nomath import plain
    from ..keys.chain import demo_credential, resolve_credential, use_demo

    if opts.stop:
        use_demo(None)
        stopped = offline.stop()
        print("Offline demo stopped." if stopped else "The offline demo was not running.")
        return
    if demo_credential() is not None:
        print(f"The offline demo is already on (answers come from {base_url()}).")
        return
    try:
        real = resolve_credential()
    except UsageError:  # a refused key file: nothing usable, so the demo may start
        real = None
    if real is not None and not opts.force:
        print(
            plain(
                f"A credential is already in use ({real.source}), so `%claude demo` changed "
                f"nothing: answers come from {base_url()}. `%claude demo --force` switches to "
                "the demo anyway."
            )
        )
        return
    fake = offline.start()
    use_demo(fake.api_key, base_url=fake.base_url, source=offline.DEMO_SOURCE)
    print(
        plain(
            f"Offline demo on: answers now come from a local fake of the API ({fake.base_url}), "
            "not from Claude, and every footer says so. `%claude setup` adds a real key and ends "
            "the demo; `%claude demo --stop` ends it now."
        )
    )
