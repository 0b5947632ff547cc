"""One prompt, end to end.

Owns everything between parsed options and what the user sees for one
``%%claude`` cell: prompt building and interpolation (``prompt``,
``interpolate``), request settings (``settings``), the client (``client``),
the streaming loop (``run``, ``streaming``), the view (``display``), answer
shaping (``formats``, ``codeblocks``, ``_copybutton``, ``_blocks``), conversation memory
(``memory``), the result object (``result``) and usage and cost (``usage``).

May import ``context``, ``keys``, ``models`` and ``core``; never the magic
surface or ``map``.
"""
