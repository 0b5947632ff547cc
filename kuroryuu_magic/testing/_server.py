"""`FakeAnthropic`: a local, loopback-only fake of the Anthropic API for tests.

with FakeAnthropic() as fake:
    client = anthropic.Anthropic(base_url=fake.base_url, api_key=fake.api_key)
    fake.enqueue(Reply(text="Hi!", deltas=3))
    fake.enqueue(Fault("status", status=429, retry_after=0.1))
    ...
    assert fake.messages_requests()[0].headers["anthropic-version"]
"""

from __future__ import annotations

import contextlib
import re
import secrets
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ._batches import BatchStore
from ._control import TOKEN_ENV, TOKEN_HEADER
from ._exchange import Fake
from ._faults import Fault, RawResponse, Reply
from ._handler import Handler
from ._oauth import OAuthServer
from ._pool import DEFAULT_WORKERS, PooledHTTPServer
from ._records import RecordedRequest
from ._threads import ThreadStore

LOOPBACK = "127.0.0.1"
_Item = TypeVar("_Item", Reply, Fault)


class _Server(PooledHTTPServer):
    fake: Fake  # assigned a FakeAnthropic in start(), which mypy checks against the protocol

    def handle_error(self, request: object, client_address: object) -> None:
        # Quiet: never print tracebacks; record what is not a plain hang-up.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            self.fake.errors.append(f"{client_address}: {exc!r}")


class FakeAnthropic:
    """A fake Anthropic API on ``127.0.0.1`` (random port unless ``port`` is given).

    Use as a context manager, or call ``start()`` / ``stop()``.
    """

    def __init__(
        self,
        *,
        latency: float = 0.0,
        deltas: int | None = None,
        delta_delay: float = 0.0,
        oauth_expires_in: int = 28800,
        port: int = 0,
        host: str = LOOPBACK,
        idle_timeout: float = 30.0,
        workers: int = DEFAULT_WORKERS,
    ) -> None:
        if host != LOOPBACK:
            raise ValueError("FakeAnthropic binds 127.0.0.1 only")
        self.latency = latency
        self.deltas = deltas
        self.delta_delay = delta_delay
        self._port = port
        self.api_key = "sk-ant-api03-fake-" + secrets.token_hex(16)
        # Guards /_fake/*: sent as the x-fake-control-token header (_control.py).
        self.control_token = secrets.token_urlsafe(24)
        self.organization_id = str(uuid.uuid4())
        self.idle_timeout = idle_timeout
        self.workers = workers  # requests answered at once; more wait in the pool's queue
        # Knobs tests may set directly.
        self.rejected_keys: set[str] = set()
        self.expired_tokens: set[str] = set()
        self.oauth_org_not_allowed = False
        self.oauth_scope_missing = False
        self.oauth_missing_scope: str | None = None  # e.g. "user:profile"
        self.oauth_refusal: str | None = None  # a key of validate.OAUTH_REFUSALS
        self.oauth_deny = False
        self.rate_limits: dict[str, int] = {}  # per kind: requests, tokens, input-tokens, …
        self.rate_remaining: dict[str, int] = {}
        self.tool_results: list[dict[str, Any]] = []
        self.models_fault: Fault | bool | None = None
        self.token_delay = 0.0
        self.token_response_override: RawResponse | None = None
        # Asked for a Reply (given the request body) when nothing is queued; the offline demo
        # (``%claude demo``) answers through it.  ``None`` keeps the default echo answer.
        self.answer_hook: Callable[[dict[str, Any]], Reply | None] | None = None
        self.oauth = OAuthServer("", oauth_expires_in)
        self.batches = BatchStore()
        self.threads = ThreadStore()
        self.in_flight = 0
        self.max_in_flight = 0
        self.disconnects = 0
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._token_requests: list[RecordedRequest] = []
        self._queue: list[Reply | Fault] = []
        self.prompt_cache: set[str] = set()
        self.errors: list[str] = []  # exceptions inside the fake (its own bugs)
        self.connections: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> FakeAnthropic:
        """Bind and serve in a daemon thread; returns self."""
        if self._server is not None:
            return self
        server = _Server(
            (LOOPBACK, self._port), Handler, workers=self.workers, idle_timeout=self.idle_timeout
        )
        server.fake = self
        self._server = server
        self.oauth.redirect_uri = f"{self.base_url}/oauth/code/callback"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-anthropic",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        # Idle keep-alive connections would otherwise keep their handler threads alive.
        for conn in list(self.connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    close = stop

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeAnthropic is not running; call start()")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def env(self) -> dict[str, str]:
        """Environment variables that point the SDK and the OAuth flow at this fake."""
        base = self.base_url
        return {
            "ANTHROPIC_BASE_URL": base,
            "ANTHROPIC_API_KEY": self.api_key,
            "KURORYUU_OAUTH_AUTHORIZE_URL": f"{base}/oauth/authorize",
            "KURORYUU_OAUTH_TOKEN_URL": f"{base}/v1/oauth/token",
            "KURORYUU_OAUTH_REDIRECT_URI": f"{base}/oauth/code/callback",
            TOKEN_ENV: self.control_token,
        }

    @property
    def control_headers(self) -> dict[str, str]:
        """Headers a ``/_fake/*`` call needs."""
        return {TOKEN_HEADER: self.control_token}

    # -- recorded traffic ------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request so far (control calls under /_fake excluded)."""
        with self._lock:
            return list(self._requests)

    def messages_requests(self) -> list[RecordedRequest]:
        """Just the ``POST /v1/messages`` requests."""
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/messages"]

    def spoofed_requests(self) -> list[RecordedRequest]:
        """Requests that pose as Claude Code; the project must never send one.

        Markers (anthropic-facts.md): a ``claude-cli``/``claude-code`` user agent, a
        ``claude-code-*`` beta, ``x-app: cli``, ``x-anthropic-client-name: claude-code``,
        a ``?beta=true`` query, ``metadata.user_id`` in Claude Code's shape (copied from
        its config), or Claude Code's system prompt.
        """
        return [r for r in self.requests if spoof_marker(r)]

    def record_tool_results(self, results: list[dict[str, Any]]) -> None:
        with self._lock:
            self.tool_results.extend(results)

    @property
    def token_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._token_requests)

    def record(self, req: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(req)
            if req.path == "/v1/oauth/token":
                self._token_requests.append(req)

    # -- scripting ---------------------------------------------------------------------
    def enqueue(self, item: Reply | Fault) -> None:
        """Queue a Reply or Fault; the next matching request consumes it (FIFO)."""
        if not isinstance(item, (Reply, Fault)):
            raise TypeError("enqueue() takes a Reply or a Fault")
        with self._lock:
            self._queue.append(item)

    def take(self, path: str, want: type[_Item]) -> _Item | None:
        """Pop the first queued item matching ``path`` if it is of type ``want``."""
        with self._lock:
            for i, item in enumerate(self._queue):
                if not item.matches(path):
                    continue
                if not isinstance(item, want):
                    return None
                if isinstance(item, Fault) and item.times > 1:
                    item.times -= 1
                else:
                    del self._queue[i]
                return item
        return None

    @property
    def pending(self) -> list[Reply | Fault]:
        with self._lock:
            return list(self._queue)

    def reset(self) -> None:
        """Forget requests, queued items, cache, counters and knobs (not config or tokens)."""
        with self._lock:
            self._requests.clear()
            self._token_requests.clear()
            self._queue.clear()
            self.prompt_cache.clear()
            self.tool_results.clear()
            self.max_in_flight = self.in_flight
            self.disconnects = 0
        self.rejected_keys.clear()
        self.expired_tokens.clear()
        self.oauth_org_not_allowed = False
        self.oauth_scope_missing = False
        self.oauth_missing_scope = None
        self.oauth_refusal = None
        self.oauth_deny = False
        self.rate_limits.clear()
        self.rate_remaining.clear()
        self.models_fault = None
        self.token_delay = 0.0
        self.token_response_override = None
        self.batches.clear()
        self.threads.clear()

    def configure(self, **cfg: object) -> None:
        """Set ``latency``, ``deltas`` or ``delta_delay`` at run time."""
        for name, value in cfg.items():
            if name not in ("latency", "deltas", "delta_delay", "batch_polls_to_end"):
                raise ValueError(f"unknown config {name!r}")
            setattr(self, name, value)

    # -- counters --------------------------------------------------------------------------
    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def count_disconnect(self) -> None:
        with self._lock:
            self.disconnects += 1

    # -- OAuth and batches shortcuts -------------------------------------------------
    def approve(self, authorize_url: str) -> str:
        """Do what the user's browser does: returns the ``CODE#STATE`` to paste."""
        return self.oauth.approve(authorize_url)

    def deny(self, authorize_url: str) -> str:
        """The callback URL with ``error=access_denied`` for a user who refuses."""
        return self.oauth.deny(authorize_url)

    @property
    def refresh_count(self) -> int:
        return self.oauth.refresh_count

    @property
    def batch_polls_to_end(self) -> int:
        return self.batches.polls_to_end

    @batch_polls_to_end.setter
    def batch_polls_to_end(self, value: int) -> None:
        self.batches.polls_to_end = value


# Claude Code's metadata.user_id: "user_<64 hex>_account_<uuid>_session_<uuid>" (older
# builds omit the account part), or a JSON object with device and session ids.
_CLAUDE_CODE_USER_ID = re.compile(
    r"^user_[0-9a-f]{64}(_account_[0-9a-f-]*)?_session_[0-9a-f-]{36}$|\"device_id\"", re.I
)


def spoof_marker(req: RecordedRequest) -> str | None:
    """Which Claude Code marker ``req`` carries, or None."""
    headers = req.headers
    agent = headers.get("user-agent", "").lower()
    betas = [b.strip() for b in headers.get("anthropic-beta", "").lower().split(",")]
    body = req.body if isinstance(req.body, dict) else {}
    system = body.get("system")
    text = system if isinstance(system, str) else str(system or "")
    metadata = body.get("metadata")
    user_id = metadata.get("user_id") if isinstance(metadata, dict) else None
    if "claude-cli" in agent or "claude-code" in agent:
        return "user-agent"
    if any(b.startswith("claude-code") for b in betas):
        return "anthropic-beta"
    if headers.get("x-app", "").lower() == "cli":
        return "x-app"
    if headers.get("x-anthropic-client-name", "").strip().lower() == "claude-code":
        return "x-anthropic-client-name"
    if req.query.get("beta", "").lower() == "true":
        return "?beta=true"
    if isinstance(user_id, str) and _CLAUDE_CODE_USER_ID.search(user_id):
        return "metadata.user_id"
    if "You are Claude Code" in text:
        return "system prompt"
    return None


@contextmanager
# kw is Any: forwarded unchanged to FakeAnthropic(), whose signature checks them.
def fake_anthropic(**kw: Any) -> Iterator[FakeAnthropic]:
    """``with fake_anthropic(latency=0.1) as fake:`` — same as ``FakeAnthropic(**kw)``."""
    with FakeAnthropic(**kw) as fake:
        yield fake
