"""The magic surface: what a user types.

The ``Magics`` class and its traits (``magics``), option parsing
(``_options``), the subcommand table (``_subcommands``; handlers in ``_commands``,
``_explore``, ``_cache_command``, ``_mcp_command``), what plain and tool prompts share
(``_prompting``) and the input transformer that lets ``%claude Why …?`` be a question (``inputfix``).

The top of the house: may import every other package; nothing imports it
except the package's entry points.
"""
