"""Which credential the magic uses, and where it came from.

One function, :func:`resolve_credential`, documents the lookup order (first match wins):

1. ``ANTHROPIC_API_KEY`` in the environment;
2. a key saved in the setup panel (or the terminal prompt) during this kernel session;
3. Colab's secret store (``ANTHROPIC_API_KEY``), when running in Colab;
4. the OS keyring (service ``kuroryuu-magic``), when the ``[keyring]`` extra has a backend;
5. the key file (``KURORYUU_CONFIG_DIR``/``anthropic_api_key.json``, platformdirs by default);
6. the Anthropic SDK's own chain (``ANTHROPIC_AUTH_TOKEN``, profiles).

``None`` means nothing resolved; the caller turns that into a ``UsageError``
naming ``%claude setup`` and ``ANTHROPIC_API_KEY``.  Colab and keyring failures
fall through (see :func:`credential_status`); a refused key file raises
``UsageError``, because silently skipping it would hide a file others can read.

:func:`save_key`, :func:`forget_key` and :func:`check_key` are what the setup
panel and the terminal prompt call.  The session key and the demo credential
belong to the kernel's session (``core.session``), not to the module.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from IPython.core.error import UsageError

from ..core.mask import mask
from ..core.paths import key_file
from ..core.redact import hides_secret_args, redact, register_secret
from ..core.secretfiles import SecretFileError
from ..core.session import session_for
from . import _store as keystore
from ._shape import KeyShapeError, normalize_key

__all__ = [
    "Credential",
    "KeyCheck",
    "available_stores",
    "check_key",
    "credential_status",
    "demo_credential",
    "forget_key",
    "resolve_credential",
    "save_key",
    "set_session_key",
    "use_demo",
]

CredentialKind = Literal["api_key", "sdk"]
Store = Literal["session", "keyring", "file"]
ENV_VAR = "ANTHROPIC_API_KEY"
SOURCE_ENV = "ANTHROPIC_API_KEY environment variable"

_lock = threading.Lock()


@dataclass(frozen=True)
class Credential:
    """A resolved credential.  Its repr and str show only the masked form."""

    kind: CredentialKind
    source: str
    secret: str | None = field(default=None, repr=False, compare=False)
    base_url: str | None = None  # set only for the offline demo, whose fake runs on loopback
    demo: bool = False

    def __post_init__(self) -> None:
        register_secret(self.secret)  # the key in use: masked wherever a server echoes it

    @property
    def masked(self) -> str:
        return mask(self.secret) if self.secret else "(managed by the Anthropic SDK)"

    def __repr__(self) -> str:
        return f"Credential(kind={self.kind!r}, source={self.source!r}, secret={self.masked!r})"

    __str__ = __repr__


@dataclass
class _KeyState:
    """This kernel's keys (kept in its :class:`~kuroryuu_magic.core.session.Session`)."""

    session_key: str | None = field(default=None, repr=False)
    session_source: str = "key entered in this session"
    # The offline demo (``%claude demo``): when set, it comes before every other credential.
    demo: Credential | None = None
    # Keyring and Colab lookups can block (DBus, a Colab consent dialog), so each is
    # done once until a key changes: {"keyring"|"colab": (key or None, note or None)}.
    lookups: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, repr=False)
    # The last key that passed the shape check, as found: the check runs once per key, not per cell.
    shaped: str | None = field(default=None, repr=False)


def _state() -> _KeyState:
    return session_for().state(_KeyState)


def _changed() -> None:
    with _lock:
        _state().lookups.clear()


def use_demo(key: str | None, *, base_url: str = "", source: str = "offline demo") -> None:
    """Send this kernel's requests to the offline demo's fake at ``base_url`` (``None`` ends it).

    The demo comes first in the chain, so ``%claude demo --force`` wins over a real key;
    saving or forgetting a key ends it.
    """
    _state().demo = (
        Credential("api_key", source, key, base_url=base_url, demo=True) if key else None
    )
    _changed()


def demo_credential() -> Credential | None:
    return _state().demo


def set_session_key(key: str | None, *, source: str | None = None) -> None:
    """Use ``key`` for the rest of this kernel session (``None`` forgets it); ends the demo."""
    state = _state()
    state.demo = None
    state.session_key = key or None
    state.session_source = source or "key entered in this session"
    _changed()


def _short(path: Path) -> str:
    """``~/…`` for paths under the home directory: shorter, and names no user."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _cached(name: str, lookup: object) -> tuple[str | None, str | None]:
    lookups = _state().lookups
    with _lock:
        if name in lookups:
            return lookups[name]
    try:
        result: tuple[str | None, str | None] = (lookup(), None)  # type: ignore[operator]
    except (keystore.KeyringError, keystore.ColabSecretError) as exc:
        result = (None, str(exc))
    with _lock:
        lookups[name] = result
    return result


class _Stored(NamedTuple):
    name: str  # the row name in ``%claude status``
    source: str  # where exactly, as ``Credential.source``
    key: str | None
    note: str | None  # why there is no key, when that is a problem


def _stored() -> list[_Stored]:
    """What Colab, the keyring and the key file hold, in chain order."""
    rows: list[_Stored] = []
    if keystore.in_colab():
        key, note = _cached("colab", keystore.colab_get)
        rows.append(_Stored("colab", f"Colab secret {keystore.COLAB_SECRET_NAME}", key, note))
    key, note = _cached("keyring", keystore.keyring_get)
    rows.append(_Stored("keyring", f"OS keyring (service {keystore.KEYRING_SERVICE})", key, note))
    path = key_file()
    try:
        key, note = keystore.read_key_file(path), None
    except SecretFileError as exc:
        key, note = None, f"refused: {exc}"
    rows.append(_Stored("key file", f"key file {_short(path)}", key, note))
    return rows


@hides_secret_args
def _checked(raw: str, source: str) -> str:
    """``raw`` (surrounding whitespace removed) if it is shaped like one API key, else a
    one-line ``UsageError`` naming ``source``.  A key with a line break would otherwise
    reach the HTTP layer, whose error quotes the whole header value."""
    key = raw.strip()
    state = _state()
    if raw == state.shaped:
        return key
    try:
        normalized = normalize_key(key)
    except KeyShapeError as exc:
        raise UsageError(f"The API key in the {source} is refused: {exc}") from None
    if normalized != key:  # a pasted `ANTHROPIC_API_KEY=`, quotes or `Bearer` around it
        raise UsageError(
            f"The API key in the {source} is refused: it holds more than the key (a pasted "
            "`NAME=` or `export` prefix, quotes or `Bearer`); store the key alone."
        )
    state.shaped = raw
    return key


def resolve_credential() -> Credential | None:
    """The first credential in the documented order, or ``None``.

    Every key is shape-checked whatever its source: a malformed one raises a
    one-line ``UsageError`` naming the source, never quoting the value.
    """
    state = _state()
    if state.demo is not None:
        return state.demo
    env_key = os.environ.get(ENV_VAR, "")
    if env_key.strip():
        return Credential("api_key", SOURCE_ENV, _checked(env_key, SOURCE_ENV))
    if state.session_key:
        return Credential("api_key", state.session_source, state.session_key)
    for stored in _stored():
        if stored.key:
            return Credential("api_key", stored.source, _checked(stored.key, stored.source))
        if stored.name == "key file" and stored.note:
            raise UsageError(f"Stored API key not used: {stored.note.removeprefix('refused: ')}")
    if _sdk_chain_resolves():
        return Credential(
            "sdk", "Anthropic SDK credential chain (ANTHROPIC_AUTH_TOKEN or a profile)"
        )
    return None


def _sdk_chain_resolves() -> bool:
    token = os.environ.get("ANTHROPIC_AUTH_TOKEN", "")
    if token.strip():
        register_secret(token.strip())
        if any(c.isspace() or not c.isprintable() for c in token.strip()):
            raise UsageError(
                "ANTHROPIC_AUTH_TOKEN in the environment is refused: it contains a space, "
                "line break or control character; set it to the token alone."
            )
        return True
    try:
        from anthropic import Anthropic

        client = Anthropic()
    except Exception:  # a broken profile is the SDK's to report, at request time
        return False
    try:
        register_secret(client.api_key)
        register_secret(client.auth_token)
        return bool(client.api_key or client.auth_token or client.credentials)
    finally:
        client.close()


def credential_status() -> list[tuple[str, str]]:
    """Rows for ``%claude status``: the credential in use (masked), its source, warnings,
    and the state of each store.  Never a secret; never raises for a broken store."""
    rows: list[tuple[str, str]] = []
    try:
        cred = resolve_credential()
    except UsageError as exc:
        cred = None
        rows.append(("warning", str(exc)))
    if cred is None:
        rows.insert(0, ("credential", "none: run `%claude setup` or set ANTHROPIC_API_KEY"))
    else:
        rows[:0] = [("credential", cred.masked), ("source", cred.source)]
    stored = _stored()
    shadowed = [s.source for s in stored if s.key]
    if _state().session_key:
        shadowed.insert(0, "this session")
    if cred is not None and cred.source == SOURCE_ENV and shadowed:
        rows.append(
            (
                "warning",
                f"ANTHROPIC_API_KEY in the environment shadows the key in {', '.join(shadowed)}; "
                "unset it to use the stored key",
            )
        )
    for s in stored:
        where = f"{_short(key_file())}: " if s.name == "key file" else ""
        state = (
            f"stored ({mask(s.key)})"
            if s.key
            else (f"unavailable: {s.note}" if s.note else "not set")
        )
        rows.append((s.name, where + state))
    return rows


def available_stores() -> list[tuple[str, Store]]:
    """``(label, store)`` choices for saving a key, best first."""
    choices: list[tuple[str, Store]] = []
    ok, backend = keystore.keyring_status()
    if ok:
        choices.append((f"OS keyring ({backend})", "keyring"))
    choices.append((f"key file ({_short(key_file())})", "file"))
    choices.append(("this session only", "session"))
    return choices


@hides_secret_args
def save_key(raw: str, store: Store = "file") -> str:
    """Check the key's shape, store it, use it in this kernel at once; return a masked report.

    Raises ``KeyShapeError``, ``keystore.KeyringError``, ``SecretFileError`` or
    ``OSError``; none of their messages holds the key.  Saving to one store
    removes the key from the other, so a stale key never shadows the new one in
    a later kernel (the keyring comes before the file in the chain).
    """
    key = normalize_key(raw)
    notes: list[str] = []
    if store == "keyring":
        where = f"the OS keyring ({keystore.keyring_set(key)})"
        if keystore.delete_key_file():
            notes.append("removed the old key file")
    elif store == "file":
        where = f"the key file {_short(keystore.write_key_file(key))}"
        try:
            if keystore.keyring_delete():
                notes.append("removed the old keyring entry")
        except keystore.KeyringError as exc:
            notes.append(f"could not remove the old keyring entry: {exc}")
    elif store == "session":
        where = "this session only (not written anywhere)"
    else:
        raise ValueError(f"unknown store {store!r}; use 'keyring', 'file' or 'session'")
    kept = "only" if store == "session" else f"and in {where.removeprefix('the ')}"
    set_session_key(key, source=f"key saved in this session {kept}")
    report = f"Saved {mask(key)} to {where}; the next %%claude cell uses it."
    if notes:
        report += f" ({'; '.join(notes)})"
    if os.environ.get(ENV_VAR, "").strip():
        report += (
            " Note: ANTHROPIC_API_KEY in the environment still wins; unset it to use this key."
        )
    return report


def forget_key() -> str:
    """Remove the key from this session, the key file and the keyring; return a report."""
    removed: list[str] = []
    problems: list[str] = []
    if _state().session_key:
        removed.append("this session")
    set_session_key(None)
    try:
        if keystore.delete_key_file():
            removed.append(f"the key file {_short(key_file())}")
    except OSError as exc:  # a SecretFileAccessError says which path and what to do
        problems.append(f"could not delete the key file: {exc}")
    try:
        if keystore.keyring_delete():
            removed.append("the OS keyring")
    except keystore.KeyringError as exc:
        problems.append(str(exc))
    report = f"Forgot the key in {', '.join(removed)}." if removed else "No stored key to forget."
    if problems:
        report += " " + "; ".join(problems) + "."
    if os.environ.get(ENV_VAR, "").strip():
        report += " ANTHROPIC_API_KEY is still set in the environment and stays in use."
    if keystore.in_colab():
        report += (
            " A Colab secret ANTHROPIC_API_KEY, if any, stays: remove it in the Secrets sidebar."
        )
    return report


Verdict = Literal["valid", "rejected", "forbidden", "unreachable", "error", "none"]


@dataclass(frozen=True)
class KeyCheck:
    """The verdict of :func:`check_key` and a one-line, masked explanation."""

    verdict: Verdict
    message: str

    def __post_init__(self) -> None:
        # The message may quote the server (a 401 that echoes the key it refused).
        object.__setattr__(self, "message", redact(self.message))

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"


def check_key(
    key: str | None = None, *, timeout: float = 10.0, http_client: object = None
) -> KeyCheck:
    """Try ``key`` (or the active credential) with one cheap call, ``models.list(limit=1)``.

    No retries and a short timeout, so a wrong key or a dead network answers fast.
    Never raises, not even on Ctrl-C: callers are widget callbacks, whose tracebacks
    (under ``%xmode Verbose``) would print this frame's locals.
    """
    try:
        if key is None:
            cred = resolve_credential()
            if cred is None:
                return KeyCheck(
                    "none", "No key to test: paste one above, or set ANTHROPIC_API_KEY."
                )
            # The source goes in its own sentence: it may hold parentheses of its own.
            label = f"The active key {cred.masked}"
            check = _call_models(cred.secret, label, timeout, http_client, cred.base_url)
            return KeyCheck(check.verdict, f"{check.message} Source: {cred.source}.")
        return _call_models(normalize_key(key), f"Key {mask(key)}", timeout, http_client)
    except UsageError as exc:
        return KeyCheck("error", str(exc))
    except ValueError as exc:  # KeyShapeError
        return KeyCheck("error", str(exc))
    except BaseException as exc:  # see the docstring
        return KeyCheck("error", f"The test stopped ({type(exc).__name__}).")


def _call_models(
    secret: str | None,
    label: str,
    timeout: float,
    http_client: object,
    base_url: str | None = None,  # the offline demo's fake; otherwise the SDK's own choice
) -> KeyCheck:
    import anthropic

    from ..core.errors import classify, describe_api_error

    if http_client is None:  # the SDK's default, reading at most a capped body
        from ..core.bounds import capped_response_hooks

        http_client = anthropic.DefaultHttpxClient(event_hooks=capped_response_hooks())
    client = anthropic.Anthropic(
        api_key=secret,
        base_url=base_url,
        max_retries=0,
        timeout=timeout,
        http_client=http_client,  # type: ignore[arg-type]
    )
    base = str(client.base_url).rstrip("/")
    try:
        client.models.list(limit=1)
    except anthropic.AuthenticationError:
        return KeyCheck(
            "rejected", f"{label} was rejected (401) by {base}: check it or make a new one."
        )
    except anthropic.PermissionDeniedError:
        return KeyCheck(
            "forbidden", f"{label} is recognised but has no permission here (403, {base})."
        )
    except anthropic.APIConnectionError as exc:
        # By type (core.errors.classify): a connection made and then lost is no "could not connect".
        why = {"timed_out": "timed out", "dropped": "the connection dropped"}.get(
            classify(exc), "could not connect"
        )
        return KeyCheck(
            "unreachable", f"API unreachable at {base} ({why}); {label} was not checked."
        )
    except anthropic.APIStatusError as exc:
        return KeyCheck("error", describe_api_error(exc, base_url=base))
    finally:
        client.close()
    return KeyCheck("valid", f"{label} is valid: {base} accepted it.")
