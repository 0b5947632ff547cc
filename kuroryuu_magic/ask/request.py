"""What goes down from the magic: one frozen request, the options and the traits as values.

The magic layer parses a line into a :class:`Request` (``magic/prompting.request_of``)
and hands that — with the shell, whose ``Session`` holds the threads, usage,
clients and the answer cache — to ``ask``, ``agent``, ``map``.  Nothing below
the magic layer sees the ``Magics`` object or an argparse namespace, so the
types say exactly what each layer reads, and nothing reaches back up.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["Request", "Traits"]


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
