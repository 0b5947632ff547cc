"""Parsing what users type on the magic line.  Every mistake becomes a one-line ``UsageError``."""

from __future__ import annotations

import argparse
import difflib
import keyword
import re
import shlex

from IPython.core.magic_arguments import MagicArgumentParser

from ..ask.settings import check_concurrency, parse_thinking
from ..core.errors import UsageError, one_line
from ._subcommands import BY_NAME, NAMES, TABLE, Subcommand

SUBCOMMANDS = NAMES
EFFORTS = ("low", "medium", "high", "xhigh", "max")  # as the installed SDK (2.14) accepts
FORMATS = ("markdown", "text", "code", "json")


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError
    return value


_positive_int.__name__ = "positive integer"  # argparse names the type in its message


def _positive_usd(text: str) -> float:
    value = float(text.strip().lstrip("$"))
    if not (value > 0 and value < 1e9):  # also refuses nan and inf
        raise ValueError
    return value


_positive_usd.__name__ = "amount in USD"


def add_request_options(parser: argparse.ArgumentParser) -> None:
    """The options every prompt takes (``%%claude``, ``%claude PROMPT``, ``%claude fix``)."""
    add = parser.add_argument
    add("-m", "--model", help="model id or alias (opus, sonnet, haiku)")
    add("-s", "--system", help="system prompt for this request")
    add("--max-tokens", type=_positive_int, help="output token cap")
    add("--thinking", help="extended thinking: adaptive, off, or a budget in tokens (>= 1024)")
    add("--effort", choices=EFFORTS, help="output effort (the SDK's output_config.effort)")
    add("-f", "--format", choices=FORMATS, help="markdown (default), text, code or json")
    add("-o", "--out", help="also store the answer in this variable")
    add("-c", "--conversation", help="conversation thread (default: 'default')")
    add("--new", action="store_true", help="start the thread fresh before this prompt")
    add("--no-history", action="store_true", help="one-shot: no conversation memory")
    add("--no-stream", action="store_true", help="wait for the whole answer")
    add("--no-interpolate", action="store_true", help="send the text verbatim, no {name} lookups")
    add("--dry-run", action="store_true", help="show what would be sent, send nothing")
    add("--vars", help="comma-separated variables to attach as context")
    add("--schema-only", action="store_true", help="DataFrames: column names and dtypes, no values")
    add(
        "--image",
        action="append",
        help="attach an image (variable, Out[n] or file path); repeatable",
    )
    add("--plot", action="store_true", help="attach the current matplotlib figure")
    add("--cache", action="store_true", help="mark the prompt's context for prompt caching")
    add("--map", dest="map_over", metavar="NAME", help="run the cell once per item of NAME")
    add("--concurrency", type=_positive_int, help="parallel requests for --map")
    add("--batch", action="store_true", help="with --map: submit as a Message Batch (half price)")
    add(
        "--schema",
        metavar="NAME",
        help="structured output: a pydantic model, dataclass, "
        "TypedDict or JSON-schema dict in the namespace",
    )
    add("--cached", action="store_true", help="serve this prompt from the answer cache if stored")
    add("--fresh", action="store_true", help="bypass the answer cache (--map reads it by default)")
    add(
        "--max-cost",
        type=_positive_usd,
        metavar="USD",
        help="with --map: refuse to start above this estimate, stop sending once spent",
    )


def _parser(prog: str) -> MagicArgumentParser:
    # IPython's help formatter writes "%" before prog, so "%claude" reads "%%claude".
    return MagicArgumentParser(prog=prog, add_help=False)


def _name(parser: MagicArgumentParser) -> str:
    """What the user typed: ``%%claude``, ``%claude history``."""
    return f"%{parser.prog}"


REQUEST_PARSER = _parser("%claude")
add_request_options(REQUEST_PARSER)
TOOL_MODES = ("off", "inspect", "code")
REQUEST_PARSER.add_argument(
    "--tools",
    nargs="?",
    const="inspect",
    choices=TOOL_MODES,
    help="let Claude call the inspection tools; 'code' adds run_python (you approve each call)",
)


def subcommand_parser(sub: Subcommand) -> MagicArgumentParser:
    parser = _parser(f"claude {sub.name}")
    for a in sub.args:
        parser.add_argument(*a.flags, **a.options)
    if sub.request_options:
        add_request_options(parser)
    return parser


_SUB_PARSERS: dict[str, MagicArgumentParser] = {s.name: subcommand_parser(s) for s in TABLE}


def _parse(
    parser: MagicArgumentParser, argv: list[str], typed: str | None = None
) -> argparse.Namespace:
    """``argv`` parsed; a mistake names what the user typed (``typed``: ``%claude`` for a
    line, whose options share the cell magic's parser)."""
    name = typed or _name(parser)
    try:
        return parser.parse_args(argv)
    except UsageError as exc:
        raise UsageError(f"{name}: {one_line(str(exc))}. See `%claude help`.") from None
    except SystemExit:  # argparse exits on --help and on some internal errors
        raise UsageError(f"{name}: could not parse the options. See `%claude help`.") from None


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"Could not read the options: {exc} (check the quotes).") from None


def parse_cell_line(line: str) -> argparse.Namespace:
    """Options of a ``%%claude`` cell."""
    return validate(_parse(REQUEST_PARSER, _split(line)))


_OPTION = re.compile(r"(--?[A-Za-z][\w-]*)(=)?")
# A quoted value must close and be followed by a space or the end of the line;
# anything else is an unbalanced quote, not a value that happens to start with one.
_VALUE = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"(?=\s|$)|'([^']*)'(?=\s|$)|([^\s"'][^\s]*))""")


def split_leading_options(line: str) -> tuple[list[str], str]:
    """``-m opus what's up?`` → (["-m", "opus"], "what's up?").

    Only the leading options are tokenised, so the prompt after them keeps its
    apostrophes and quotes exactly as typed.  A bare ``--`` ends the options.
    """
    argv: list[str] = []
    pos = 0
    actions = REQUEST_PARSER._option_string_actions
    while True:
        pos += len(line[pos:]) - len(line[pos:].lstrip())
        if line.startswith("-- ", pos) or line[pos:] == "--":
            return argv, line[pos + 2 :].strip()
        match = _OPTION.match(line, pos)
        if match is None:
            return argv, line[pos:].strip()
        option = match.group(1)
        action = actions.get(option)
        if action is None:
            raise UsageError(f"Unknown option {option}. See `%claude help`.")
        pos = match.end()
        argv.append(option)
        if action.nargs == 0:
            if match.group(2):
                raise UsageError(f"{option} takes no value.")
            continue
        if action.nargs == "?":
            # `--tools What is odd?`: the value is optional, so only a known choice is one.
            value = _VALUE.match(line, pos)
            word = next(g for g in value.groups() if g is not None) if value else None
            if value and word is not None and (match.group(2) or word in (action.choices or ())):
                argv.append(word)
                pos = value.end()
            continue
        value = _VALUE.match(line, pos)
        if value is None:
            if line[pos:].strip():
                raise UsageError(
                    f"{option}: unbalanced quotes in its value (close the quote, or use the other kind)."
                )
            raise UsageError(f"{option} needs a value.")
        double, single, bare = value.groups()
        if double is not None:  # as the shell reads it: \" and \\ are escapes
            argv.append(re.sub(r'\\(["\\])', r"\1", double))
        else:
            argv.append(single if single is not None else bare)
        pos = value.end()


def parse_line(line: str) -> tuple[str, argparse.Namespace, str]:
    """A ``%claude`` line → (subcommand or "ask", options, prompt text)."""
    stripped = line.strip()
    if not stripped:
        raise UsageError("Nothing to ask. Try `%claude What is a p-value?`, or `%claude help`.")
    first = stripped.split(None, 1)[0]
    if first not in SUBCOMMANDS:
        refuse_near_miss(stripped)
    if first in SUBCOMMANDS:
        rest = stripped[len(first) :]
        row = BY_NAME[first]
        if row.text is not None:  # prompt options, then free text (``explore df why…?``)
            argv, text = split_leading_options(rest)
            opts = validate(_parse(REQUEST_PARSER, argv, f"%claude {first}"))
            if not text:
                raise UsageError(f"Usage: {row.synopsis} — e.g. `{row.example}`.")
            opts.text = text
            return first, opts, text
        return first, validate(_parse(_SUB_PARSERS[first], _split(rest))), ""
    argv, prompt = split_leading_options(stripped)
    return "ask", validate(_parse(REQUEST_PARSER, argv, "%claude")), prompt


# Names IPython itself keeps in the user namespace (InteractiveShell.user_ns_hidden, the
# output cache and the input history): storing an answer there breaks the session.
IPYTHON_NAMES = frozenset(
    {"In", "Out", "get_ipython", "exit", "quit", "open", "_", "__", "___"}
    | {"_ih", "_oh", "_dh", "_sh", "_i", "_ii", "_iii", "_exit_code"}
)
# _5 / _i5 / _o5: Out[5] and In[5]; __name__ and the like: module-level machinery.
_IPYTHON_PATTERN = re.compile(r"^(?:_[io]?\d+|__\w+__)$")


def check_out_name(name: str) -> str:
    """``-o NAME``: a Python variable name that shadows neither a keyword nor IPython's own."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"-o/--out needs a Python variable name, not {name[:80]!r}.")
    if name in IPYTHON_NAMES or _IPYTHON_PATTERN.match(name):
        raise UsageError(
            f"-o/--out {name} would replace IPython's own {name!r}; choose another name."
        )
    return name


_ONE_WORD = re.compile(r"[A-Za-z][A-Za-z_-]*")
NEAR_MISS_CUTOFF = 0.75  # difflib ratio: catches swapped or dropped letters, not other words


def refuse_near_miss(line: str) -> None:
    """A one-word line that is nearly a subcommand (``stauts``) is a typo, not a paid question."""
    if not _ONE_WORD.fullmatch(line):
        return
    close = difflib.get_close_matches(line.lower(), SUBCOMMANDS, n=1, cutoff=NEAR_MISS_CUTOFF)
    if close:
        raise UsageError(
            f"Unknown subcommand '{line}' — did you mean {close[0]}? (To ask Claude, write a question.)"
        )


def validate(opts: argparse.Namespace) -> argparse.Namespace:
    """Checks argparse can't express.  Normalises ``thinking`` to a request value."""
    out = getattr(opts, "out", None)
    if out is not None:
        check_out_name(out)
    name = getattr(opts, "conversation", None)
    if name is not None and not name.strip():
        raise UsageError("-c/--conversation needs a non-empty thread name.")
    if getattr(opts, "thinking", None) is not None:
        opts.thinking = parse_thinking(opts.thinking)
    if getattr(opts, "concurrency", None) is not None:
        check_concurrency(opts.concurrency)
    if getattr(opts, "tools", None) not in (None, "off") and getattr(opts, "map_over", None):
        raise UsageError("--tools works on one prompt, not with --map.")
    if getattr(opts, "batch", False) and not getattr(opts, "map_over", None):
        raise UsageError("--batch works with --map NAME (one request per item).")
    if getattr(opts, "max_cost", None) is not None and not getattr(opts, "map_over", None):
        raise UsageError("--max-cost works with --map NAME (a budget for the whole run).")
    if getattr(opts, "cached", False) and getattr(opts, "fresh", False):
        raise UsageError("--cached and --fresh contradict each other; use one.")
    vars_ = getattr(opts, "vars", None)
    if vars_ is not None:
        names = [v.strip() for v in vars_.split(",") if v.strip()]
        if not names or not all(n.isidentifier() for n in names):
            raise UsageError(f"--vars takes comma-separated variable names, not {vars_!r}.")
        opts.vars = names
    return opts
