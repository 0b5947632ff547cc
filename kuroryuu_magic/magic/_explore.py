"""``%claude explore NAME [QUESTION]`` and prompts with ``--tools``.

Kept in its own module so the subcommand table can register :func:`run_explore`
as one entry; the investigation itself lives in ``agent/``.
"""

from __future__ import annotations

import argparse
import keyword

from ..core.errors import UsageError
from ._host import MagicsHost, shell_of

USAGE = "Usage: %claude explore [options] NAME [QUESTION] — e.g. `%claude explore df`."


def explore(magics: MagicsHost, opts: argparse.Namespace) -> None:
    """The ``explore`` row of the subcommand table: ``opts.text`` is ``NAME [QUESTION]``."""
    run_explore(magics, opts, opts.text)


def run_explore(magics: MagicsHost, opts: argparse.Namespace, target: str) -> None:
    """Investigate one variable: the inspection tools (or ``code`` when asked) and a default question."""
    from ..agent import explore_prompt

    name, _, question = target.partition(" ")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(f"%claude explore needs a variable name, not {name[:40]!r}. {USAGE}")
    if name not in shell_of(magics).user_ns:
        raise UsageError(f"No variable named {name!r} in this kernel.")
    if opts.map_over:
        raise UsageError("%claude explore investigates one variable; --map does not apply.")
    if getattr(opts, "tools", None) in (None, "off"):
        opts.tools = "code" if magics.tools == "code" else "inspect"
    opts.no_interpolate = True  # the question is sent as typed; the tools look at the data
    return run_with_tools(magics, opts, explore_prompt(name, question))


def run_with_tools(magics: MagicsHost, opts: argparse.Namespace, text: str) -> None:
    """One prompt answered with the tool loop (``--tools`` or the ``tools`` trait)."""
    from ..agent import investigate
    from ._prompting import prepare, request_of

    req = request_of(magics, opts)
    if req.traits.answer_cache == "replay" and not req.dry_run:
        from ..cache import refuse_in_replay

        # Each round depends on what the tools found in this kernel now, so no round is
        # ever stored: there is nothing to replay, and replay sends nothing.
        refuse_in_replay(
            "replay",
            "--tools and %claude explore have no stored answers to replay (tool rounds are never cached)",
        )
    shell = shell_of(magics)
    settings, content = prepare(shell, req, text)
    investigate(shell, req, settings, content)
    return None  # the answer is on screen and in `_claude`; no Out[] echo
