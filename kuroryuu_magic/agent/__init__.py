"""Claude investigates: the tool-use loop over the inspection tools.

- :func:`~._loop.investigate` — one prompt with tools: stream a round, run the
  tools Claude called (``run_python`` only after the user approves that exact
  code), send the results back, until Claude answers or ``max_tool_rounds``;
- :mod:`._steps` — each tool call as a collapsed step above the growing answer;
- :mod:`.python` — approval and running of ``run_python`` in the user's namespace;
- :mod:`._caching` — the prompt-caching breakpoints of a growing transcript.

May import ``ask``, ``tools``, ``context``, ``models`` and ``core``; never the
magic layer (which imports this package to wire ``--tools`` and ``explore``).
"""

from __future__ import annotations

from ._loop import EXPLORE_QUESTION, explore_prompt, investigate

__all__ = ["EXPLORE_QUESTION", "explore_prompt", "investigate"]
