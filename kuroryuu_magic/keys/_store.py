"""Where a saved API key lives: the key file, the OS keyring, Colab's secret store.

Plain functions, no widgets: the setup panel, the terminal prompt and the
credential chain all use these.  Every error message names a place and a fix,
never a key (keyring backends' own messages are redacted before we show them).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..core.paths import key_file
from ..core.redact import hides_secret_args, redact
from ..core.secretfiles import (
    CorruptSecretFileError,
    delete_secret_file,
    read_secret_json,
    write_secret_json,
)

__all__ = [
    "KEYRING_SERVICE",
    "KEYRING_USERNAME",
    "ColabSecretError",
    "KeyringError",
    "colab_get",
    "delete_key_file",
    "in_colab",
    "keyring_delete",
    "keyring_get",
    "keyring_set",
    "keyring_status",
    "read_key_file",
    "write_key_file",
]

KEYRING_SERVICE = "kuroryuu-magic"
KEYRING_USERNAME = "anthropic_api_key"
COLAB_SECRET_NAME = "ANTHROPIC_API_KEY"  # noqa: S105 -- a name, not a secret
_FIELD = "anthropic_api_key"
_NOTE = (
    "Anthropic API key for kuroryuu-magic. Do not share, commit or upload this file. "
    "Remove it with `%claude setup` -> Forget, or delete the file."
)


class KeyringError(Exception):
    """The OS keyring is missing, has no usable backend, or failed.  Never holds a key."""


class ColabSecretError(Exception):
    """Colab's secret store could not be read.  Never holds a key."""


def _redacted(exc: BaseException, secret: str | None = None) -> str:
    """``Type: message`` of a third-party error, with ``secret`` cut out and length capped."""
    text = " ".join(str(exc).split())
    if secret and secret in text:
        text = text.replace(secret, "[secret]")
    text = redact(text)[:160]  # before the cut: half a key no longer looks like one
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --- key file -----------------------------------------------------------------------------


def read_key_file(path: Path | str | None = None) -> str | None:
    """The key stored in the key file, or ``None`` when there is no file.

    Raises a ``SecretFileError`` subclass (symlink, readable by others, corrupt,
    no key in it); the file is never modified and the message never holds a key.
    """
    path = Path(path) if path is not None else key_file()
    try:
        data = read_secret_json(path)
    except RecursionError:  # deeply nested JSON escapes json's ValueError
        raise CorruptSecretFileError(
            f"{path} is not valid JSON; delete it and save again"
        ) from None
    if data is None:
        return None
    key = data.get(_FIELD)
    if not isinstance(key, str) or not key.strip():
        raise CorruptSecretFileError(
            f"{path} holds no {_FIELD!r} entry; run `%claude setup` to save the key again"
        )
    return key.strip()


@hides_secret_args
def write_key_file(key: str, path: Path | str | None = None) -> Path:
    """Store ``key`` in the key file (0600 in a 0700 directory, atomic); return its path.

    A pre-existing file is replaced whole, so a loose mode or corrupt content is
    fixed by saving; a symlink is refused (``InsecureSecretFileError``).
    """
    path = Path(path) if path is not None else key_file()
    write_secret_json(path, {"_note": _NOTE, _FIELD: key})
    return path


def delete_key_file(path: Path | str | None = None) -> bool:
    """Remove the key file (never following a symlink).  True when one was removed."""
    path = Path(path) if path is not None else key_file()
    return delete_secret_file(path)


# --- OS keyring (the optional ``[keyring]`` extra) -----------------------------------------


def _backend() -> Any:
    try:
        import keyring
    except ImportError:
        raise KeyringError(
            "keyring is not installed (pip install 'kuroryuu-magic[keyring]')"
        ) from None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a broken keyringrc or backend import
        raise KeyringError(f"keyring failed to load ({_redacted(exc)})") from None
    # fail.Keyring (0), null.Keyring and an empty chainer (-1): nothing would be stored.
    if getattr(backend, "priority", 0) <= 0:
        raise KeyringError(f"no usable keyring backend ({type(backend).__module__})")
    return backend


def keyring_status() -> tuple[bool, str]:
    """``(True, backend name)`` when a keyring backend works, else ``(False, reason)``."""
    try:
        backend = _backend()
    except KeyringError as exc:
        return False, str(exc)
    return True, getattr(backend, "name", type(backend).__name__)


def keyring_get() -> str | None:
    """The key stored in the OS keyring, or ``None``.  Raises ``KeyringError``."""
    backend = _backend()
    try:
        value = backend.get_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except Exception as exc:  # locked collection, DBus gone, user declined…
        raise KeyringError(f"keyring read failed ({_redacted(exc)})") from None
    return value.strip() if isinstance(value, str) and value.strip() else None


@hides_secret_args
def keyring_set(key: str) -> str:
    """Store ``key`` in the OS keyring; return the backend's name.  Raises ``KeyringError``."""
    backend = _backend()
    try:
        backend.set_password(KEYRING_SERVICE, KEYRING_USERNAME, key)
    except Exception as exc:
        raise KeyringError(f"keyring write failed ({_redacted(exc, key)})") from None
    return getattr(backend, "name", type(backend).__name__)


def keyring_delete() -> bool:
    """Remove our keyring entry.  True when one was removed; False when there was none
    or no keyring works (there is then nothing of ours to remove)."""
    try:
        backend = _backend()
    except KeyringError:
        return False
    try:
        if backend.get_password(KEYRING_SERVICE, KEYRING_USERNAME) is None:
            return False
        backend.delete_password(KEYRING_SERVICE, KEYRING_USERNAME)
    except Exception as exc:
        raise KeyringError(f"keyring delete failed ({_redacted(exc)})") from None
    return True


# --- Colab's secret store -------------------------------------------------------------------


def in_colab() -> bool:
    """True inside a Google Colab runtime (its kernel imports ``google.colab`` at start)."""
    return "google.colab" in sys.modules


def colab_get() -> str | None:
    """``ANTHROPIC_API_KEY`` from Colab's secret store, or ``None`` when it is not there.

    Raises ``ColabSecretError`` when the store exists but cannot be read (access
    not granted to this notebook, timeout); the reason never holds a key.
    """
    if not in_colab():
        return None
    try:
        from google.colab import userdata
    except Exception as exc:
        raise ColabSecretError(f"Colab secrets unavailable ({_redacted(exc)})") from None
    try:
        value = userdata.get(COLAB_SECRET_NAME)
    except Exception as exc:
        if type(exc).__name__ == "SecretNotFoundError":
            return None
        if type(exc).__name__ == "NotebookAccessError":
            raise ColabSecretError(
                f"this notebook has no access to the Colab secret {COLAB_SECRET_NAME}; "
                "enable it in the Secrets sidebar (key icon)"
            ) from None
        raise ColabSecretError(f"Colab secret read failed ({_redacted(exc)})") from None
    return value.strip() if isinstance(value, str) and value.strip() else None
