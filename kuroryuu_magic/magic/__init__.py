"""The magic surface: what a user types.

The ``Magics`` class and its traits (``magics``), option parsing
(``options``), the subcommand table (``subcommands``; handlers in ``commands``) and the input
transformer that lets ``%claude Why …?`` be a question (``inputfix``).

The top of the house: may import every other package; nothing imports it
except the package's entry points.
"""
