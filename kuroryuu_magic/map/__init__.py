"""``%%claude --map``: one prompt per item, live or through Message Batches.

Item input (``items``), the concurrent runner (``runner``), per-item
results and the run summary (``results``), Message Batches (``batches``),
progress (``progress``) and the magic glue (``magic``).

May import ``ask``, ``context``, ``models`` and ``core``.
"""
