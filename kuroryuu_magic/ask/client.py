"""The Anthropic SDK client the magic talks through, built on first use.

The client is cached and rebuilt only when something that shapes it changes:
the credential, ``ANTHROPIC_BASE_URL``, the timeout or the retry count.
"""

from __future__ import annotations

import hashlib
import sys
from typing import TYPE_CHECKING, Any, Literal, overload

from ..core.errors import UsageError
from ..core.redact import hides_secret_args
from ..core.session import session_for
from ..core.wire import env_base_url
from ..keys.chain import Credential, demo_credential, resolve_credential

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic, AsyncAnthropic, DefaultAsyncHttpxClient, DefaultHttpxClient

# Connections one client holds open at once; --map runs at most this many requests at a
# time (a higher --concurrency is accepted and queues), so no item waits out a pool timeout.
MAX_CONNECTIONS = 128

NO_CREDENTIAL = (
    "No Anthropic API key found. Run `%claude setup` to add one (or set ANTHROPIC_API_KEY), "
    "or try the offline demo with `%claude demo`."
)


class _Clients(dict):  # type: ignore[type-arg]
    """This kernel's SDK clients, keyed by what shapes them (never by the secret itself)."""


def _cache() -> dict[tuple[Any, ...], Any]:
    return session_for().state(_Clients)


def base_url() -> str:
    """Where requests go: the offline demo's fake, ``ANTHROPIC_BASE_URL``, or the API."""
    demo = demo_credential()
    if demo is not None and demo.base_url:
        return demo.base_url
    return env_base_url()


def _fingerprint(credential: Credential) -> str:
    # A digest, so the cache key never holds the secret itself.
    secret = credential.secret or ""
    return hashlib.sha256(f"{credential.kind}:{secret}".encode()).hexdigest()


def require_credential() -> Credential:
    credential = resolve_credential()
    if credential is None:
        raise UsageError(NO_CREDENTIAL)
    return credential


@overload
def get_client(
    *, timeout: float, max_retries: int, asynchronous: Literal[False] = False
) -> Anthropic: ...
@overload
def get_client(
    *, timeout: float, max_retries: int, asynchronous: Literal[True]
) -> AsyncAnthropic: ...
@hides_secret_args  # under %xmode Verbose, a failing constructor must not print the key
def get_client(
    *, timeout: float, max_retries: int, asynchronous: bool = False
) -> Anthropic | AsyncAnthropic:
    """A cached ``Anthropic`` (or ``AsyncAnthropic``) client for the active credential."""
    credential = require_credential()
    key = (asynchronous, _fingerprint(credential), base_url(), float(timeout), int(max_retries))
    cache = _cache()
    client = cache.get(key)
    if client is None:
        import anthropic

        cls = anthropic.AsyncAnthropic if asynchronous else anthropic.Anthropic
        kwargs: dict[str, Any] = {
            "timeout": timeout,
            "max_retries": max_retries,
            "http_client": http_client(asynchronous=asynchronous),
        }
        if credential.kind == "api_key":
            kwargs["api_key"] = credential.secret
        if credential.base_url:
            kwargs["base_url"] = credential.base_url
        client = cls(**kwargs)
        # Drop stale clients of this kind so old credentials don't linger in memory.
        for old in [k for k in cache if k[0] == asynchronous]:
            cache.pop(old)
        cache[key] = client
    return client


@overload
def http_client(*, asynchronous: Literal[False] = False) -> DefaultHttpxClient: ...
@overload
def http_client(*, asynchronous: Literal[True]) -> DefaultAsyncHttpxClient: ...
@overload
def http_client(*, asynchronous: bool) -> DefaultHttpxClient | DefaultAsyncHttpxClient: ...
def http_client(*, asynchronous: bool = False) -> DefaultHttpxClient | DefaultAsyncHttpxClient:
    """The SDK's own default http client, with every response body read up to a cap and
    at most :data:`MAX_CONNECTIONS` connections open at once."""
    import anthropic

    from ..core.bounds import capped_response_hooks

    cls = anthropic.DefaultAsyncHttpxClient if asynchronous else anthropic.DefaultHttpxClient
    # The SDK's default pool opens up to 1,000 connections at once: enough to swamp a
    # server in this very process (`%claude demo`) and a proxy on the way.  The pool's
    # own type comes from the SDK's HTTP library (httpx, or httpx2 in SDK 2.x).
    http = sys.modules[cls.__mro__[1].__module__.split(".")[0]]
    limits = http.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS)
    return cls(event_hooks=capped_response_hooks(asynchronous=asynchronous), limits=limits)


def in_demo() -> bool:
    """Whether this kernel's requests go to the offline demo (``%claude demo``)."""
    return demo_credential() is not None


def optional_client(*, timeout: float, max_retries: int) -> Anthropic | None:
    """The client, or ``None`` when no credential resolves (``--dry-run`` works without one)."""
    if resolve_credential() is None:
        return None
    return get_client(timeout=timeout, max_retries=max_retries)


def forget_clients() -> None:
    session_for().drop(_Clients)
