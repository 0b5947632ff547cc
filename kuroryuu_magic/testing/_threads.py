"""Message Threads (beta ``message-threads-2026-08-12``): server-held conversation state.

The SDK's tool runner (``client.beta.messages.tool_runner``) sends ``thread`` by
default, so an agent loop built on it needs the fake to honour it.  From the
SDK 2.14 types (``BetaMessageThreadParam``, ``lib/threads/_thread_state.py``):

- ``{"type": "create"}``: the request carries the whole conversation; the server
  keeps it, with the reply, under the response ``id``;
- ``{"type": "continue", "previous_message_id": id}``: the request carries only
  the new messages (and no ``system``/``tools``, the create-only fields); the
  server puts the stored conversation in front;
- each response can be continued once (``thread_already_continued``, 400); an
  unknown id is ``thread_not_found`` (404);
- some request features or organization settings cannot be threaded
  (``ThreadUnsupportedFeatureName``): the answer is 400
  ``thread_unsupported_request`` naming them, and the SDK then continues without
  a thread.  Which combinations the API refuses is not documented, so the fake
  refuses none unless a test sets ``fake.threads.unsupported = ["thinking"]``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

BETA = "message-threads-2026-08-12"
CREATE_ONLY = ("system", "tools")
Problem = tuple[int, str, str, dict[str, Any]]


@dataclass
class Stored:
    body: dict[str, Any]  # the effective request, messages incl. the reply
    continued: bool = False


class ThreadStore:
    """Conversations held for ``thread`` requests; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, Stored] = {}
        self.unsupported: list[str] = []  # scripted: refuse every thread request naming these

    def clear(self) -> None:
        with self.lock:
            self.held.clear()
            self.unsupported = []

    def resolve(
        self, body: dict[str, Any], headers: dict[str, str]
    ) -> tuple[dict[str, Any], Problem | None]:
        """The effective request for ``body`` (its ``thread`` applied and removed)."""
        thread = body.get("thread")
        if "thread" not in body:
            return body, None
        betas = {b.strip() for b in headers.get("anthropic-beta", "").split(",")}
        if BETA not in betas:
            return body, None  # without the beta, `thread` is an unknown field (400 later)
        rest = {k: v for k, v in body.items() if k != "thread"}
        if not isinstance(thread, dict) or thread.get("type") not in ("create", "continue"):
            return rest, _bad("thread.type: Input should be 'create' or 'continue'")
        if self.unsupported:
            names = list(self.unsupported)
            details = {"error_code": "thread_unsupported_request", "unsupported": names}
            message = f"thread: not supported together with {', '.join(names)}"
            return rest, (400, "invalid_request_error", message, details)
        if thread["type"] == "create":
            return rest, None
        previous = thread.get("previous_message_id")
        with self.lock:
            stored = self.held.get(str(previous))
            if stored is None:
                details = {"error_code": "thread_not_found"}
                message = f"thread: no thread state for previous_message_id {previous}"
                return rest, (404, "not_found_error", message, details)
            if stored.continued:
                details = {"error_code": "thread_already_continued"}
                message = f"thread: {previous} has already been continued"
                return rest, (400, "invalid_request_error", message, details)
        effective = dict(rest)
        for name in CREATE_ONLY:
            if name in stored.body:
                effective[name] = stored.body[name]
        effective["messages"] = [*stored.body["messages"], *(rest.get("messages") or [])]
        return effective, None

    def remember(
        self,
        body: dict[str, Any],
        thread: object,
        msg_id: str,
        content: list[dict[str, Any]],
    ) -> None:
        """Keep the conversation of a threaded request (``thread`` as it was sent) with
        its reply under ``msg_id``; the response it continued can't be continued again.
        Called once the request is answered, so a refused continue uses nothing up."""
        reply = {"role": "assistant", "content": content}
        with self.lock:
            if isinstance(thread, dict) and thread.get("type") == "continue":
                previous = self.held.get(str(thread.get("previous_message_id")))
                if previous is not None:
                    previous.continued = True
            self.held[msg_id] = Stored({**body, "messages": [*body["messages"], reply]})


def _bad(message: str) -> Problem:
    return 400, "invalid_request_error", message, {}
