"""``%%claude --map``: one prompt per item, live or through Message Batches.

The public face: :class:`ItemError` (a failed item's value) and :class:`MapSummary`
(``_claude`` after a run); the magic layer calls ``magic.run_map`` and
``magic.fetch_batch``.  Private modules: item input (``_items``), every item's
request and cache lookup (``_plan``), the concurrent runner (``_runner``), per-item
values and the run summary (``_results``), Message Batches (``_batches``), runs
split past the API's limits (``_groups``), submitting and the one collector
(``_batch_run``), the cost estimate (``_estimate``) and progress (``_progress``).

May import ``ask``, ``context``, ``models``, ``cache``, ``structured`` and ``core``.
"""

from ._results import ItemError, MapSummary

__all__ = ["ItemError", "MapSummary"]
