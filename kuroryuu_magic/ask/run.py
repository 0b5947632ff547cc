"""One prompt, end to end: options → prompt → request → stream → display, memory, usage.

The data path runs one way; the magic class only gathers settings and calls
:func:`ask`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError, interruptible
from ..core.session import session_for
from ..core.shell import NamespaceLike, ShellLike
from ..models.aliases import resolve_model
from ..models.facts import accepts_thinking_budget, context_window
from . import prompt as prompt_building
from .client import get_client, in_demo, optional_client
from .display import View, make_view
from .formats import FORMAT_INSTRUCTIONS
from .memory import MARGIN, Content, ConversationStore
from .result import Answer, Sent, Source, finish
from .settings import Request, Settings, parse_thinking
from .streaming import Outcome, create_answer, stream_answer
from .usage import estimate_tokens

if TYPE_CHECKING:
    from ..cache import AnswerCache, CachedAnswer, CacheMode
    from ..structured import SchemaSpec


def effective_settings(shell: NamespaceLike, req: Request) -> Settings:
    """Options over traits.  Resolving an alias needs the client, so this raises the
    no-credential ``UsageError`` (except for ``--dry-run``, which works without one)."""
    traits = req.traits
    thinking = req.thinking if req.thinking is not None else parse_thinking(traits.thinking)
    max_tokens = req.max_tokens or traits.max_tokens
    budget = thinking.get("budget_tokens") if thinking else None
    if budget and budget >= max_tokens:
        if req.max_tokens:
            raise UsageError(
                f"--max-tokens ({max_tokens}) must be larger than the thinking budget ({budget})."
            )
        max_tokens = budget + traits.max_tokens  # room for the answer after the thinking
    if traits.answer_cache == "replay":
        # Replay never touches the network: no client, an alias is the table's newest.
        model, note = offline_model(req.model or traits.model), None
    else:
        make = optional_client if req.dry_run else get_client
        client = make(timeout=traits.timeout, max_retries=traits.max_retries)
        with interruptible("looking up the model; nothing was sent"):
            model, note = resolve_model(req.model or traits.model, client)
    max_tokens = _within_output_limit(model, max_tokens, explicit=bool(req.max_tokens))
    if budget and budget >= max_tokens:  # trimmed to the model's limit: no room left to answer
        raise UsageError(
            f"--thinking {budget:,} leaves no room for an answer within {model}'s "
            f"{max_tokens:,} output tokens; use a smaller budget."
        )
    return Settings(
        model=model,
        model_note=note,
        max_tokens=max_tokens,
        system=req.system if req.system is not None else traits.system,
        thinking=thinking,
        effort=req.effort,
        fmt=req.format or "markdown",
        stream=traits.stream and not req.no_stream,
        history=not req.no_history,
        thread=(req.conversation or "default").strip(),
        interval=traits.update_interval,
        show_usage=traits.show_usage,
        short_errors=traits.short_errors,
        timeout=traits.timeout,
        max_retries=traits.max_retries,
        max_history=traits.max_history,
        math=traits.math,
        remote_images=traits.remote_images,
        schema=_schema_of(shell, req),
        cached=req.cached,
        fresh=req.fresh,
        # The offline demo's answers must never be served for a real request (or back).
        cache_scope="demo" if in_demo() else None,
    )


def _schema_of(shell: NamespaceLike, req: Request) -> SchemaSpec | None:
    """The schema for ``--schema NAME``; every mistake is one ``UsageError`` line."""
    if not req.schema:
        return None
    from ..structured import SchemaError, schema_for  # pydantic and the SDK: only for --schema

    name = req.schema.strip()
    if not name.isidentifier():
        raise UsageError(f"--schema needs the name of a variable, not {name[:80]!r}.")
    if name not in shell.user_ns:
        raise UsageError(
            f"--schema: no variable named {name!r} in this notebook "
            "(define a pydantic model, dataclass, TypedDict or JSON-schema dict first)."
        )
    try:
        return schema_for(shell.user_ns[name])
    except SchemaError as exc:
        raise UsageError(f"--schema {name}: {' '.join(str(exc).split())}") from None


def build_request(
    settings: Settings,
    content: Content,
    conversations: ConversationStore,
) -> tuple[dict[str, Any], int]:
    """The keyword arguments for ``messages.stream/create`` and how many turns were left out."""
    model = settings.model
    if settings.thinking.get("type") == "enabled" and not accepts_thinking_budget(model):
        raise UsageError(f"{model} only thinks adaptively: use --thinking adaptive.")
    system = settings.system
    hint = FORMAT_INSTRUCTIONS.get(settings.fmt)
    if hint:
        system = f"{system}\n\n{hint}" if system else hint
    budget = context_window(model) - settings.max_tokens - estimate_tokens(system, margin=MARGIN)
    messages, dropped = conversations.build_messages(
        settings.thread if settings.history else None,
        content,
        max_history=settings.max_history,
        token_budget=budget,
    )
    request: dict[str, Any] = {
        "model": model,
        "max_tokens": settings.max_tokens,
        "messages": messages,
    }
    if system:
        request["system"] = system
    if settings.thinking:
        request["thinking"] = settings.thinking
    if settings.effort:
        request["output_config"] = {"effort": settings.effort}
    if settings.schema is not None:
        # Before the cache key is taken: the schema is part of what determines the answer.
        request["output_config"] = settings.schema.merge_output_config(request.get("output_config"))
    return request, dropped


def _within_output_limit(model: str, max_tokens: int, *, explicit: bool) -> int:
    """``max_tokens`` the model accepts: above its maximum output the API answers 400."""
    from ..models.facts import facts_for

    row = facts_for(model)
    if row is None or max_tokens <= row.max_output:
        return max_tokens
    if explicit:
        raise UsageError(
            f"--max-tokens {max_tokens:,} is more than {model} can write ({row.max_output:,})."
        )
    return row.max_output  # a default (or default + thinking budget) is trimmed, not refused


def offline_model(name: str) -> str:
    """The model id without asking the API (replay): an alias becomes the table's newest."""
    from ..models.aliases import FALLBACK

    return FALLBACK.get(name.strip().lower(), name.strip())


def outcome_from_cache(hit: CachedAnswer, view: View) -> Outcome:
    """A stored answer as if it had just arrived; ``view`` gets its text once."""
    thinking = "".join(b.get("thinking", "") for b in hit.content if b.get("type") == "thinking")
    view.text.append(hit.text)
    if thinking:
        view.thinking.append(thinking)
    return Outcome(
        text=hit.text,
        thinking=thinking,
        model=hit.model,
        status="complete",
        stop_reason=hit.stop_reason,
        usage=dict(hit.usage),
        request_id=hit.request_id,
    )


def open_view(shell: ShellLike, settings: Settings, note: str | None, dropped: int) -> View:
    """The answer's view, with the notes that come before it (alias fallback, trimmed thread)."""
    view = make_view(shell, settings.interval, settings.fmt, settings.math, settings.remote_images)
    if note:
        view.notice(note)
    if dropped:
        view.notice(
            f"(left out the {dropped} oldest turn(s) of thread '{settings.thread}' to fit the context window)"
        )
    return view


def _store(
    cache: AnswerCache | None, mode: CacheMode, key: str | None, outcome: Outcome, view: View
) -> None:
    """Keep a complete answer; a cache that fails to store never costs the user the answer."""
    from ..cache import STORABLE_STOP_REASONS, AnswerCacheError, CachedAnswer, stores

    if cache is None or key is None or not stores(mode) or outcome.status != "complete":
        return
    if outcome.stop_reason not in STORABLE_STOP_REASONS or outcome.message is None:
        return
    try:
        cache.put(key, CachedAnswer.from_message(outcome.message, request_id=outcome.request_id))
    except AnswerCacheError as exc:
        view.notice(f"(the answer was not cached: {exc})")


def ask(shell: ShellLike, req: Request, settings: Settings, content: Content) -> Answer | None:
    """Send ``content`` (text or content blocks) and show the answer as it streams.

    The thread, the usage tally and the answer cache are the shell's session's.
    """
    from ..cache import offline, open_cache, reads

    session = session_for(shell)
    conversations = session.state(ConversationStore)
    cache, mode = open_cache(shell, req.traits.answer_cache, req.traits.answer_cache_path)
    dry_run, out = req.dry_run, req.out
    request, dropped = build_request(settings, content, conversations)
    model, note = settings.model, settings.model_note
    key = hit = None
    if cache is not None or mode == "replay":
        from ..cache import answer_key, lookup

        key = answer_key(request, scope=settings.cache_scope)
        if reads(mode, asked=settings.cached, fresh=settings.fresh) and not dry_run:
            hit = lookup(cache, key, mode)
    if dry_run:
        quiet = offline(mode)  # replay sends nothing, not even a token count
        client = (
            None
            if quiet
            else optional_client(timeout=settings.timeout, max_retries=settings.max_retries)
        )
        if note:
            print(note)
        with interruptible("counting tokens for the dry run; nothing was sent"):
            prompt_building.show_dry_run(shell, client, request, offline=quiet)
        return None
    # A cache hit (and replay, which never misses silently) needs no client and no network.
    client = (
        None
        if hit is not None
        else get_client(timeout=settings.timeout, max_retries=settings.max_retries)
    )
    view = open_view(shell, settings, note, dropped)
    source: Source
    if hit is not None:
        view.start("From the answer cache…")
        outcome, source = outcome_from_cache(hit, view), "cache"
    else:
        assert client is not None  # made above whenever the cache had no answer
        view.start(f"Asking {model} (offline demo)…" if in_demo() else f"Asking {model}…")
        run = stream_answer if settings.stream else create_answer
        outcome, source = run(client, request, view), "api"
        _store(cache, mode, key, outcome, view)
    answer = Answer(
        text=outcome.text,
        model=outcome.model,
        stop_reason=outcome.stop_reason,
        usage=outcome.usage,
        thinking=outcome.thinking,
        status=outcome.status,
        elapsed=outcome.elapsed,
        request_id=outcome.request_id,
        conversation=settings.thread if settings.history else None,
        math=settings.math,
        usage_estimated=outcome.usage_estimated,
        source=source,
        sent=[Sent(outcome.model, outcome.usage, outcome.request_id, outcome.stop_reason)],
        error=outcome.error,
    )
    return finish(shell, answer, settings, view, content, out=out)
