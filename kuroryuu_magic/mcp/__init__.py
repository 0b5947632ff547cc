"""``%claude mcp``: the live kernel's inspection tools served to Claude Code over MCP.

Two halves that meet through the kernel's own messaging:

- the **server process** (``python -m kuroryuu_magic.mcp``): the official ``mcp``
  SDK on stdio (``_server``), a ``jupyter_client`` connection to the running kernel
  from its connection file (``_connection``, ``_bridge``), which sends each tool call
  as a silent execute request;
- the **kernel side** (``_inkernel``): the function that silent request evaluates —
  the very ``tools.run_tool`` (and ``agent.python.run_code``) that ``--tools`` uses —
  and the bounded call log ``%claude mcp log`` shows (``calllog``);
- what ``%claude mcp`` prints and writes: the ``claude mcp add`` command and the
  ``.mcp.json`` entry (``setup``).

Imports ``tools``, ``agent`` (``run_python``'s runner, lazily) and ``core``; the
``mcp`` SDK and ``jupyter_client`` only in the server process, never at
``%load_ext``.  The magic layer imports this package, never the reverse.
"""
