"""``python -m kuroryuu_magic.mcp --connection-file FILE [--allow-run] [--timeout S]``."""

import sys

from ._server import main

sys.exit(main())
