"""Facts about Claude models: ids, families, limits, prices, and the aliases.

May import ``core`` only; the fake API (``testing``) reads the same table.
"""
