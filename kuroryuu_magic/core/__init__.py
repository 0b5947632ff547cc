"""The ground floor: what every other package may rely on.

User-facing error types and API-error classification (``errors``), private
secret files (``secretfiles``) and config paths (``paths``), masking of
secrets (``mask``), the one redaction step for text from outside the process
(``redact``), front-end detection (``frontend``), the widget helpers both
panels share (``widgets``), the kernel's ``session`` and the readers of API
shapes — message text, error bodies, base URL (``wire``).

Imports nothing else from this package.
"""
