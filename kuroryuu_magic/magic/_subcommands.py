"""The ``%claude`` subcommands: ONE table that makes the parsers, ``%claude help`` and the dispatch.

A new subcommand is one row: its name, its arguments, one line of help and a
handler ``(magics, opts) -> None`` (the handlers live in ``_commands``,
``_explore``, ``_cache_command`` and ``_mcp_command``).  ``_options`` builds
each row's parser; :func:`help_text` and :func:`run` read the same rows, so the
three can't drift apart.

The table is built at ``%load_ext`` (the parsers and ``%%claude?`` need it), so
a handler is named by module and function and imported when its subcommand
first runs: the handlers' own imports (the display code, the MCP set-up) would
otherwise cost every ``%load_ext`` about half of its time.
"""

from __future__ import annotations

import argparse
import importlib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._host import MagicsHost

if TYPE_CHECKING:  # imported when a subcommand runs (see `Later`); named here for the import graph
    from . import _cache_command, _commands, _explore, _mcp_command  # noqa: F401

Handler = Callable[[MagicsHost, argparse.Namespace], None]
HANDLER_MODULES = ("_commands", "_explore", "_cache_command", "_mcp_command")


@dataclass(frozen=True)
class Later:
    """The handler ``name`` of ``module`` (one of :data:`HANDLER_MODULES`), imported on first run."""

    module: str
    name: str

    def resolve(self) -> Handler:
        handler: Handler = getattr(
            importlib.import_module(f".{self.module}", __package__), self.name
        )
        return handler

    def __call__(self, magics: MagicsHost, opts: argparse.Namespace) -> None:
        self.resolve()(magics, opts)


def days(text: str) -> float:
    """``--older-than DAYS``: a finite, non-negative number of days."""
    value = float(text)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError
    return value


days.__name__ = "number of days"  # how argparse names it in an error

_SERVER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,48}$")


def server_name(text: str) -> str:
    """``--name``: what Claude Code calls the server (its tools become ``mcp__NAME__tool``)."""
    if not _SERVER_NAME.match(text):
        raise ValueError
    return text


server_name.__name__ = "server name (letters, digits, _ and -)"


@dataclass(frozen=True)
class Arg:
    """One ``add_argument`` call: its flags (or positional name) and keyword options."""

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)

    def synopsis(self) -> str:
        """How the argument reads in ``%claude help``: ``ID``, ``[--all]``, ``[-c NAME]``."""
        if not self.flags[0].startswith("-"):
            return str(self.options.get("metavar", self.flags[0].upper()))
        flag = self.flags[0]
        if self.options.get("action") == "store_true":
            return f"[{flag}]"
        choices = self.options.get("choices")
        value = "|".join(choices) if choices else self.options.get("metavar", "X")
        return f"[{flag} {value}]"


def arg(*flags: str, **options: object) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    request_options: bool = False  # takes every option a prompt takes (``fix``)
    # Prompt options, then free text with this metavar (``explore``: ``NAME [QUESTION]``);
    # the text is kept as typed (apostrophes and all) in ``opts.text``.
    text: str | None = None
    example: str = ""

    @property
    def synopsis(self) -> str:
        parts = [f"%claude {self.name}"]
        parts += [a.synopsis() for a in self.args]
        if self.request_options or self.text is not None:
            parts.append("[options]")
        if self.text is not None:
            parts.append(self.text)
        return " ".join(parts)


def _help(magics: MagicsHost, opts: argparse.Namespace) -> None:
    print(help_text())


THREAD = arg("-c", "--conversation", metavar="NAME", help="thread name")

TABLE: tuple[Subcommand, ...] = (
    Subcommand(
        "setup", "add an Anthropic API key (kept out of the notebook)", Later("_commands", "setup")
    ),
    Subcommand(
        "login",
        "OAuth diagnostics: why a Claude subscription can't be used here",
        Later("_commands", "login"),
        (arg("--mode", choices=("max", "console"), default="max", help="which login"),),
    ),
    Subcommand("logout", "delete the stored OAuth tokens", Later("_commands", "logout")),
    Subcommand(
        "status",
        "credential source (masked), base URL, model, threads, usage",
        Later("_commands", "status"),
    ),
    Subcommand(
        "models",
        "models the API offers",
        Later("_commands", "models"),
        (arg("--refresh", action="store_true", help="ask the API again"),),
    ),
    Subcommand("history", "show a conversation thread", Later("_commands", "history"), (THREAD,)),
    Subcommand(
        "reset",
        "clear a conversation thread, or all of them",
        Later("_commands", "reset"),
        (THREAD, arg("--all", action="store_true", help="clear every thread")),
    ),
    Subcommand(
        "usage", "tokens and estimated cost this session, per model", Later("_commands", "usage")
    ),
    Subcommand(
        "fix",
        "explain the last error and propose a corrected cell",
        Later("_commands", "fix"),
        request_options=True,
    ),
    Subcommand(
        "explore",
        "investigate one variable with read-only tools: what is odd, missing, next",
        Later("_explore", "explore"),
        text="NAME [QUESTION]",
        example="%claude explore df",
    ),
    Subcommand(
        "batch",
        "fetch the results of a Message Batch",
        Later("_commands", "batch"),
        (
            arg("batch_id", metavar="ID", help="a batch id (msgbatch_…)"),
            arg("-o", "--out", metavar="OUT", help="store the results in this variable"),
        ),
    ),
    Subcommand(
        "cache",
        "the answer cache: size, entries, hits this session; clear [--older-than DAYS]",
        Later("_cache_command", "run_cache"),
        (
            arg("action", nargs="?", choices=("clear",), metavar="[clear]", help="clear answers"),
            arg(
                "--older-than",
                type=days,
                metavar="DAYS",
                help="with clear: only answers older than DAYS",
            ),
        ),
    ),
    Subcommand(
        "demo",
        "try everything offline: a local fake API answers (no key needed)",
        Later("_commands", "demo"),
        (
            arg("--force", action="store_true", help="use the demo even when a key is set"),
            arg("--stop", action="store_true", help="end the demo"),
        ),
    ),
    Subcommand(
        "mcp",
        "let Claude Code (your subscription) use this kernel's variables: the command to paste; log",
        Later("_mcp_command", "run_mcp"),
        (
            arg("action", nargs="?", choices=("log",), metavar="[log]", help="the MCP calls seen"),
            arg("--write", action="store_true", help="merge the server into .mcp.json here"),
            arg("--allow-run", action="store_true", help="also offer run_python (destructive)"),
            arg(
                "--name",
                type=server_name,
                metavar="NAME",
                help="server name (notebook)",
            ),
        ),
        example="%claude mcp",
    ),
    Subcommand("help", "this list", _help),
)
BY_NAME: dict[str, Subcommand] = {s.name: s for s in TABLE}
NAMES: tuple[str, ...] = tuple(BY_NAME)

_PROMPTS = (
    ("%%claude [options]", "the cell is the prompt; {name} pulls in notebook values"),
    ("%claude [options] TEXT", "a one-line prompt"),
)


def help_text() -> str:
    """The text of ``%claude help``: the two prompt forms, then one line per row of the table."""
    rows = [*_PROMPTS, *((s.synopsis, s.help) for s in TABLE)]
    width = max(len(left) for left, _ in rows) + 2
    lines = [f"{left:<{width}}{right}" for left, right in rows]
    return "\n".join([*lines, "Options: see `%%claude?`."])


def run(magics: MagicsHost, name: str, opts: argparse.Namespace) -> None:
    """Call the handler of subcommand ``name`` (already parsed into ``opts``)."""
    BY_NAME[name].handler(magics, opts)
