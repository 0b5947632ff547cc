"""Request settings that the magic surface and the prompt path share.

What goes down from the magic is one frozen :class:`Request` (the parsed options)
holding :class:`Traits` (the ``ClaudeMagics`` configuration as values), built in
``magic/_prompting.request_of``; ``ask``, ``agent`` and ``map`` take that and the
shell (whose ``Session`` holds the threads, usage, clients and answer cache) —
never the ``Magics`` object or an argparse namespace.  :class:`Settings` is one
request's effective settings (options over traits, the alias resolved).

May import ``core`` only (and ``structured``'s ``SchemaSpec`` type, for checking).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from ..core.errors import UsageError

if TYPE_CHECKING:  # the --schema record's type only: structured/ imports pydantic
    from ..structured import SchemaSpec


def parse_thinking(value: str) -> dict[str, Any]:
    """``adaptive`` | ``off`` | budget tokens → the request's ``thinking``; ``{}`` means off."""
    text = str(value).strip().lower()
    if text in ("off", "none", "0", ""):
        return {}
    if text == "adaptive":
        return {"type": "adaptive"}
    try:
        budget = int(text)
    except ValueError:
        raise UsageError(
            f"--thinking takes adaptive, off or a token budget, not {value!r}."
        ) from None
    if budget < 1024:
        raise UsageError("--thinking budget must be at least 1024 tokens (or use adaptive).")
    return {"type": "enabled", "budget_tokens": budget}


# The largest --concurrency accepted (the SDK's own DEFAULT_CONNECTION_LIMITS).  Our
# clients open at most ask.client.MAX_CONNECTIONS connections, and --map runs at most
# that many requests at once: a higher value is accepted and the items queue.
MAX_CONCURRENCY = 1000
# A day: far beyond any request; inf/nan/1e308 break the HTTP layer's time arithmetic.
MAX_TIMEOUT = 86_400.0
# The SDK backs off exponentially between retries; more than this is waiting, not retrying.
MAX_RETRIES = 10


def check_concurrency(value: int, where: str = "--concurrency") -> int:
    """Parallel requests for ``--map``: 1 to :data:`MAX_CONCURRENCY`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"{where} must be a whole number of at least 1, not {value!r}.")
    if value > MAX_CONCURRENCY:
        raise UsageError(
            f"{where} {value:,} is more than one connection pool serves; "
            f"use at most {MAX_CONCURRENCY:,}."
        )
    return value


def check_timeout(value: float, where: str = "timeout") -> float:
    """Seconds before a request times out: finite, above 0, at most :data:`MAX_TIMEOUT`."""
    import math

    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UsageError(f"{where} must be a finite number of seconds, not {value!r}.")
    if not 0 < value <= MAX_TIMEOUT:
        raise UsageError(
            f"{where} must be more than 0 and at most {MAX_TIMEOUT:,.0f} seconds, not {value!r}."
        )
    return float(value)


def check_retries(value: int, where: str = "max_retries") -> int:
    """Retries the SDK makes: 0 to :data:`MAX_RETRIES`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_RETRIES:
        raise UsageError(f"{where} must be a whole number from 0 to {MAX_RETRIES}, not {value!r}.")
    return value


@dataclass
class Settings:
    """The effective settings for one request: options over traits, the model alias resolved."""

    model: str  # the model id (``-m sonnet`` already resolved to the newest listed sonnet)
    max_tokens: int
    system: str
    thinking: dict[str, Any]
    effort: str | None
    fmt: str
    stream: bool
    history: bool
    thread: str
    interval: float
    show_usage: bool
    short_errors: bool
    timeout: float
    max_retries: int
    max_history: int
    math: str = "auto"
    remote_images: str = "off"  # "on": answers may make the front end fetch remote images
    model_note: str | None = None  # why an alias fell back to a built-in id, if it did
    schema: SchemaSpec | None = None  # from --schema
    cached: bool = False  # --cached: a single prompt may be served from the answer cache
    fresh: bool = False  # --fresh: never read the answer cache
    cache_scope: str | None = None  # "demo" keeps the offline demo's answers apart


@dataclass(frozen=True)
class Traits:
    """The ``ClaudeMagics`` configuration at the moment of the call (see its traits' help)."""

    model: str = "sonnet"
    max_tokens: int = 4096
    system: str = ""
    thinking: str = "off"
    stream: bool = True
    update_interval: float = 0.1
    max_history: int = 20
    show_usage: bool = True
    short_errors: bool = True
    timeout: float = 600.0
    max_retries: int = 2
    context_chars: int = 20_000
    object_chars: int = 4_000
    schema_only: bool = False
    concurrency: int = 8
    math: str = "auto"
    remote_images: str = "off"
    tools: str = "off"
    max_tool_rounds: int = 12
    approval_timeout: float = 300.0
    answer_cache: str = "on"
    answer_cache_path: str = ""

    @classmethod
    def of(cls, configurable: object) -> Traits:
        """The current values of the traits this class names, read from ``configurable``."""
        return cls(**{f.name: getattr(configurable, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class Request:
    """One prompt's options as parsed (``None``/``False``: not given), and the traits.

    The option names are the flags' (``--no-history`` is ``no_history``);
    ``thinking`` is already the request value, ``vars`` a tuple of names.
    """

    traits: Traits = Traits()
    model: str | None = None
    system: str | None = None
    max_tokens: int | None = None
    thinking: dict[str, Any] | None = None
    effort: str | None = None
    format: str | None = None
    out: str | None = None
    conversation: str | None = None
    new: bool = False
    no_history: bool = False
    no_stream: bool = False
    no_interpolate: bool = False
    dry_run: bool = False
    vars: tuple[str, ...] | None = None
    schema_only: bool = False
    image: tuple[str, ...] | None = None
    plot: bool = False
    cache: bool = False
    map_over: str | None = None
    concurrency: int | None = None
    batch: bool = False
    schema: str | None = None
    cached: bool = False
    fresh: bool = False
    max_cost: float | None = None
    tools: str | None = None

    @classmethod
    def parsed(cls, traits: Traits, options: object) -> Request:
        """From a parsed options object: each field this class names, when it has one."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name != "traits" and hasattr(options, f.name):
                value = getattr(options, f.name)
                values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(traits=traits, **values)

    @property
    def tool_mode(self) -> str:
        """``off``, ``inspect`` or ``code``: the option over the trait."""
        return self.tools or self.traits.tools
