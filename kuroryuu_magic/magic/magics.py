"""The ``%claude`` line magic and ``%%claude`` cell magic.

Configure in ``ipython_config.py``::

    c.ClaudeMagics.model = "opus"
    c.ClaudeMagics.max_tokens = 8192

or at run time with ``%config ClaudeMagics.show_usage = False``.  No setting
ever holds a secret: keys come from the environment, ``%claude setup`` or the
key stores (see ``credentials.py``).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Enum, Float, Integer, Unicode, observe, validate

from ..ask.settings import check_concurrency, check_retries, check_timeout, parse_thinking
from ..core.errors import UsageError
from ..core.session import session_for
from ..core.toollimits import ToolLimits, ToolLimitsSource
from ..core.visible import terminal_guard
from . import _subcommands
from ._options import REQUEST_PARSER, parse_cell_line, parse_line

if TYPE_CHECKING:
    from IPython.core.interactiveshell import ExecutionResult, InteractiveShell
    from traitlets.utils.bunch import Bunch

    from ..ask.memory import ConversationStore
    from ..ask.usage import SessionUsage


@magics_class
class ClaudeMagics(Magics):
    """Talk to Claude from notebook cells."""

    model = Unicode("sonnet", help="Model id or alias (opus, sonnet, haiku).").tag(config=True)
    max_tokens = Integer(4096, help="Output token cap per request.").tag(config=True)
    system = Unicode("", help="Default system prompt.").tag(config=True)
    thinking = Unicode("off", help="Extended thinking: adaptive, off, or a budget (>= 1024).").tag(
        config=True
    )
    stream = Bool(True, help="Stream answers as they arrive.").tag(config=True)
    update_interval = Float(0.1, help="Seconds between display updates while streaming.").tag(
        config=True
    )
    max_history = Integer(20, help="Conversation turns kept per thread.").tag(config=True)
    show_usage = Bool(True, help="Show the footer with tokens, cost and time.").tag(config=True)
    short_errors = Bool(True, help="Show API errors as one line instead of a traceback.").tag(
        config=True
    )
    timeout = Float(600.0, help="Seconds before a request times out.").tag(config=True)
    max_retries = Integer(2, help="Retries the SDK makes on 429, 5xx and network errors.").tag(
        config=True
    )
    context_chars = Integer(20_000, help="Characters of notebook context per prompt, at most.").tag(
        config=True
    )
    object_chars = Integer(4_000, help="Characters one interpolated object may take.").tag(
        config=True
    )
    schema_only = Bool(False, help="DataFrames: send columns and dtypes, never values.").tag(
        config=True
    )
    concurrency = Integer(8, help="Parallel requests for --map.").tag(config=True)
    warm_up = Bool(
        True,
        help="After %load_ext, import the SDK and resolve the model in the background.",
    ).tag(config=True)
    math = Enum(
        ("auto", "on", "off"),
        default_value="auto",
        help="How `$` in answers renders: auto (currency literal, TeX as math), on (all math), off (none).",
    ).tag(config=True)
    remote_images = Enum(
        ("off", "on"),
        default_value="off",
        help="Whether answers may make the front end load remote images: off (shown as a link "
        "naming the host; data: images still show) or on.",
    ).tag(config=True)

    tools = Enum(
        ("off", "inspect", "code"),
        default_value="off",
        help="Tools Claude may call: off, inspect (read-only inspection tools), "
        "code (also run_python, each call approved by you).",
    ).tag(config=True)
    max_tool_rounds = Integer(12, help="Rounds of tool calls per prompt, at most.").tag(config=True)
    approval_timeout = Float(
        300.0,
        help="Seconds to wait for your y/N on code Claude wants to run (--tools code); "
        "no answer declines. 0 waits as long as it takes.",
    ).tag(config=True)
    answer_cache = Enum(
        ("on", "off", "replay"),
        default_value="on",
        help="The answer cache: on (store; --map and --cached read), off, or replay "
        "(never call the API; a request with no stored answer is an error).",
    ).tag(config=True)
    answer_cache_path = Unicode(
        "", help="The answer cache's SQLite file; empty: answers.sqlite in the config dir."
    ).tag(config=True)

    @observe("answer_cache_path")
    def _answer_cache_moved(self, change: Bunch) -> None:
        # The next use opens the new file; the old one is released now.
        if self.shell is not None and "kuroryuu_magic.cache" in sys.modules:
            from ..cache import close_cache

            close_cache(self.shell)

    @validate("thinking")
    def _check_thinking(self, proposal: Bunch) -> str:
        try:
            parse_thinking(proposal["value"])
        except UsageError as exc:
            from traitlets import TraitError

            raise TraitError(str(exc)) from None
        value: str = proposal["value"]
        return value

    @validate(
        "max_tokens",
        "max_history",
        "context_chars",
        "object_chars",
        "max_tool_rounds",
    )
    def _check_positive(self, proposal: Bunch) -> int:
        if proposal["value"] < (0 if proposal["trait"].name == "max_history" else 1):
            from traitlets import TraitError

            raise TraitError(f"{proposal['trait'].name} must be positive")
        value: int = proposal["value"]
        return value

    @validate("concurrency", "timeout", "max_retries", "update_interval", "approval_timeout")
    def _check_bounded(self, proposal: Bunch) -> Any:
        # inf/nan/1e308 or a huge pool used to pass and fail later as "API unreachable".
        name, value = proposal["trait"].name, proposal["value"]
        try:
            if name == "concurrency":
                return check_concurrency(value, name)
            if name == "timeout":
                return check_timeout(value, name)
            if name == "max_retries":
                return check_retries(value, name)
            if name == "approval_timeout":
                if not (math.isfinite(value) and 0 <= value <= 86_400):
                    raise UsageError(f"{name} must be from 0 to 86,400 seconds, not {value!r}.")
                return value
            if not (math.isfinite(value) and 0 <= value <= 60):
                raise UsageError(f"{name} must be from 0 to 60 seconds, not {value!r}.")
            return value
        except UsageError as exc:
            from traitlets import TraitError

            raise TraitError(str(exc)) from None

    _warming = False  # a warm-up was started and may still be running

    def __init__(self, shell: InteractiveShell | None = None, **kwargs: object) -> None:
        super().__init__(shell=shell, **kwargs)
        if shell is not None:
            # After the cell that loaded us: `%load_ext` itself stays cheap and never waits.
            shell.events.register("post_run_cell", self._warm_up_once)
            # The MCP calls inside this kernel read the tool limits live from these traits.
            session_for(shell).state(ToolLimitsSource).provide(self._tool_limits)

    def _tool_limits(self) -> ToolLimits:
        return ToolLimits(self.object_chars, self.schema_only)

    def _warm_up_once(self, result: ExecutionResult) -> None:
        if self.shell is not None:  # registered only when there is one (see __init__)
            self.shell.events.unregister("post_run_cell", self._warm_up_once)
        if self.warm_up:
            from ..ask import warmup

            self._warming = True
            warmup.start(
                lambda: {
                    "model": self.model,
                    "timeout": self.timeout,
                    "max_retries": self.max_retries,
                    # Read when the warm-up runs: replay (set in a config or this cell) sends nothing.
                    "replay": self.answer_cache == "replay",
                }
            )

    # Per-kernel state lives in the shell's session, built on first use so that
    # `%load_ext` stays cheap (and `%reload_ext` keeps the threads).
    @property
    def conversations(self) -> ConversationStore:
        from ..ask.memory import ConversationStore

        return session_for(self.shell).state(ConversationStore)

    @property
    def session_usage(self) -> SessionUsage:
        from ..ask.usage import SessionUsage

        return session_for(self.shell).state(SessionUsage)

    # -- the magic ---------------------------------------------------------------

    @no_var_expand
    @line_cell_magic
    def claude(self, line: str, cell: str | None = None) -> None:
        # In a terminal, nothing the answer or a server says reaches it as a control sequence.
        with terminal_guard(self.shell):
            return self._claude(line, cell)

    def _claude(self, line: str, cell: str | None) -> None:
        if self._warming:  # a cell run during the warm-up shares it rather than importing again
            from ..ask import warmup

            warmup.wait()
            self._warming = warmup.busy()  # done: later cells skip this
        if cell is not None:
            opts = parse_cell_line(line)
            return self._prompt(opts, cell.strip("\n").rstrip())
        command, opts, prompt_text = parse_line(line)
        if command == "ask":
            return self._prompt(opts, prompt_text)
        return _subcommands.run(self, command, opts)

    def _prompt(self, opts: argparse.Namespace, text: str) -> None:
        shell = self.shell
        assert shell is not None  # a magic runs inside the shell that registered it
        if (getattr(opts, "tools", None) or self.tools) != "off" and not opts.map_over:
            from ._explore import run_with_tools

            return run_with_tools(self, opts, text)
        from ._prompting import request_of

        req = request_of(self, opts)
        if req.map_over:
            from ..map.magic import run_map

            return run_map(shell, req, text)
        from ..ask.run import ask
        from ._prompting import prepare

        settings, content = prepare(shell, req, text)
        ask(shell, req, settings, content)
        return None


# `%%claude?` shows the options, as IPython's own magics do.
ClaudeMagics.claude.__doc__ = f"{_subcommands.help_text()}\n\n{REQUEST_PARSER.format_help()}"


def unregister(shell: InteractiveShell) -> None:
    """Undo ``load_ipython_extension`` (for ``%unload_ext`` / ``%reload_ext``)."""
    from .. import demo
    from ..ask import warmup
    from ..keys.chain import demo_credential, use_demo

    if demo_credential() is not None:
        use_demo(None)
    demo.stop()
    manager = shell.magics_manager
    magics = manager.registry.get("ClaudeMagics")
    if magics is not None and magics._warm_up_once in shell.events.callbacks["post_run_cell"]:
        shell.events.unregister("post_run_cell", magics._warm_up_once)
    if "kuroryuu_magic.cache" in sys.modules:  # else no cache was ever opened
        from ..cache import close_cache

        close_cache(shell)
    warmup.reset()
    for kind in ("line", "cell"):
        manager.magics[kind].pop("claude", None)
    manager.registry.pop("ClaudeMagics", None)
    session_for(shell).state(ToolLimitsSource).provide(None)
    shell.configurables[:] = [c for c in shell.configurables if type(c).__name__ != "ClaudeMagics"]
