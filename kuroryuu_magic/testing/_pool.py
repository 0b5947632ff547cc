"""The fake's HTTP server: a bounded pool of workers, no thread per idle connection.

``ThreadingHTTPServer`` keeps one thread per connection for as long as the client
keeps it alive, so 1,000 SDK clients with pooled keep-alive connections cost 1,000
threads (and the in-kernel demo runs this server too).  Here one watcher thread
holds every idle connection in a selector; when one becomes readable (a request,
or the client hanging up) a worker from a fixed pool answers exactly one request
and hands the connection back.  Requests beyond the pool's size wait in its queue
instead of failing, so any number of concurrent clients is served.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is 3.11+; the package supports 3.10

DEFAULT_WORKERS = 64


class PooledHTTPServer(socketserver.TCPServer):
    """A TCP server whose handler answers one request per call (see ``Handler.handle``)."""

    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 1024  # a burst of 1,000 clients connecting at once

    def __init__(
        self,
        address: tuple[str, int],
        handler: Callable[..., Any],
        *,
        workers: int = DEFAULT_WORKERS,
        idle_timeout: float = 30.0,
    ) -> None:
        super().__init__(address, handler)
        self.idle_timeout = idle_timeout
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fake-worker")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._pending: list[socket.socket] = []  # connections to watch again
        self._idle_since: dict[socket.socket, float] = {}
        self._lock = threading.Lock()
        self._closing = False
        self._watcher = threading.Thread(target=self._watch, name="fake-idle", daemon=True)
        self._watcher.start()

    # -- accept: hand the new connection to the watcher ---------------------------------
    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        # A TCP server is handed the connected socket (the tuple is a UDP server's datagram).
        self._park(request if isinstance(request, socket.socket) else request[1])

    def _park(self, conn: socket.socket) -> None:
        with self._lock:
            if self._closing:
                self._drop(conn)
                return
            self._pending.append(conn)
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    # -- the watcher: idle connections in one selector ------------------------------------
    def _watch(self) -> None:
        while True:
            with self._lock:
                if self._closing:
                    return
                pending, self._pending = self._pending, []
            now = time.monotonic()
            for conn in pending:
                try:
                    self._selector.register(conn, selectors.EVENT_READ)
                    self._idle_since[conn] = now
                except (ValueError, OSError):  # closed meanwhile
                    self._drop(conn)
            for key, _ in self._selector.select(timeout=1.0):
                if key.fileobj is self._wake_r:
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                    continue
                conn = cast(socket.socket, key.fileobj)
                self._selector.unregister(conn)
                self._idle_since.pop(conn, None)
                try:
                    self._pool.submit(self._serve_one, conn)
                except RuntimeError:  # pool shut down
                    self._drop(conn)
            self._expire_idle()

    def _expire_idle(self) -> None:
        limit = time.monotonic() - self.idle_timeout
        for conn, since in list(self._idle_since.items()):
            if since < limit:
                with contextlib.suppress(KeyError, ValueError):
                    self._selector.unregister(conn)
                del self._idle_since[conn]
                self._drop(conn)

    # -- a worker: one request, then back to the watcher (or closed) -----------------
    # self: Self because typeshed types RequestHandlerClass's server argument as Self.
    def _serve_one(self: Self, conn: socket.socket) -> None:
        keep = False
        try:
            addr = conn.getpeername()
        except OSError:  # the client hung up while the connection waited: nothing to answer
            self._drop(conn)
            return
        try:
            handler = self.RequestHandlerClass(conn, addr, self)
            keep = not getattr(handler, "close_connection", True)
        except Exception:
            self.handle_error(conn, addr)
        if keep:
            self._park(conn)
        else:
            self._drop(conn)

    def _drop(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            conn.close()

    def server_close(self) -> None:
        super().server_close()
        with self._lock:
            self._closing = True
            pending, self._pending = self._pending, []
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")
        self._watcher.join(timeout=5)
        for conn in [*pending, *self._idle_since]:
            self._drop(conn)
        self._idle_since.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        with contextlib.suppress(Exception):
            self._selector.close()
        for s in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                s.close()
