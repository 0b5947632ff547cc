"""The ground floor: what every other package may rely on.

User-facing error types and API-error classification (``errors``), private
secret files (``secretfiles``) and config paths (``paths``), masking of
secrets (``mask``), the one redaction step for text from outside the process
(``redact``), front-end detection (``frontend``) and the widget helpers both
panels share (``widgets``).

Imports nothing else from this package.
"""
