"""Fake Message Batches: create, poll until ended, results as JSONL, cancel, list.

Batches docs and the SDK's ``MessageBatch`` types: ``custom_id`` matches
``^[a-zA-Z0-9_-]{1,64}$`` and is unique per batch; a batch holds at most
100,000 requests or 256 MB (settable here as ``max_requests``/``max_bytes`` for
split tests); ``request_counts`` stay zero but ``processing`` until the batch
ends; a cancel leaves requests that already finished as they were and cancels
the rest; results are ``succeeded``, ``errored``, ``canceled`` or ``expired``.

Progress: each poll finishes ``1/polls_to_end`` of the requests; the batch ends
on poll ``polls_to_end``.  Custom ids in ``expired`` (or ``"*"``) end ``expired``.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from ._wire import new_id, paginate

# Given one request's params, the result object for the JSONL line.
Answerer = Callable[[object], dict[str, Any]]
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
MAX_REQUESTS = 100_000
MAX_BYTES = 256 * 1024 * 1024


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class BatchStore:
    """All batches of one fake server; thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls_to_end = 2
        self.max_requests = MAX_REQUESTS
        self.max_bytes = MAX_BYTES
        self.expired: set[str] = set()  # custom ids that end expired; "*" for all

    def create(
        self, body: object, answer: Answerer, size: int = 0
    ) -> tuple[int, str | dict[str, Any]]:
        """Returns (status, batch) or (status, error message); ``size`` is the body's bytes."""
        if size > self.max_bytes:
            return 413, "Request exceeds the maximum allowed number of bytes."
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list) or not requests:
            return 400, "requests: at least one request is required"
        if len(requests) > self.max_requests:
            return 400, (
                f"requests: List should have at most {self.max_requests} items after "
                f"validation, not {len(requests)}"
            )
        seen: set[str] = set()
        for i, req in enumerate(requests):
            if not isinstance(req, dict) or not isinstance(req.get("custom_id"), str):
                return 400, f"requests.{i}.custom_id: Field required"
            if not CUSTOM_ID.match(req["custom_id"]):
                return 400, (
                    f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
                )
            if req["custom_id"] in seen:
                return 400, f"requests.{i}.custom_id: duplicate custom_id {req['custom_id']!r}"
            seen.add(req["custom_id"])
            if not isinstance(req.get("params"), dict):
                return 400, f"requests.{i}.params: Field required"
        now = datetime.now(timezone.utc)
        batch_id = new_id("msgbatch_")
        # Answers are computed up front; they are revealed only once the batch ends.
        results = [{"custom_id": r["custom_id"], "result": answer(r["params"])} for r in requests]
        record: dict[str, Any] = {
            "public": {
                "id": batch_id,
                "type": "message_batch",
                "processing_status": "in_progress",
                "request_counts": _counts(processing=len(requests)),
                "created_at": _iso(now),
                "expires_at": _iso(now + timedelta(hours=24)),
                "ended_at": None,
                "cancel_initiated_at": None,
                "archived_at": None,
                "results_url": None,
            },
            "results": results,
            "polls": 0,
            "done": 0,  # how many requests have finished
            "canceled": False,
        }
        with self.lock:
            self.batches[batch_id] = record
        return 200, dict(record["public"])

    def retrieve(self, batch_id: str, base_url: str) -> dict[str, Any] | None:
        """One poll: the batch ends after ``polls_to_end`` polls (or on the poll after cancel)."""
        with self.lock:
            record = self.batches.get(batch_id)
            if record is None:
                return None
            record["polls"] += 1
            public = record["public"]
            if public["processing_status"] == "in_progress":
                share = record["polls"] / max(1, self.polls_to_end)
                total = len(record["results"])
                record["done"] = min(total, math.ceil(total * share))
            if public["processing_status"] != "ended" and (
                record["canceled"] or record["polls"] >= self.polls_to_end
            ):
                self._end(record, base_url)
            return dict(public)

    def _end(self, record: dict[str, Any], base_url: str) -> None:
        public = record["public"]
        for i, line in enumerate(record["results"]):
            if "*" in self.expired or line["custom_id"] in self.expired:
                line["result"] = {"type": "expired"}
            elif i < record["done"]:
                continue  # finished before the cancel: kept as it was
            elif record["canceled"]:
                line["result"] = {"type": "canceled"}
        kinds = [line["result"]["type"] for line in record["results"]]
        public["processing_status"] = "ended"
        public["request_counts"] = _counts(
            succeeded=kinds.count("succeeded"),
            errored=kinds.count("errored"),
            canceled=kinds.count("canceled"),
            expired=kinds.count("expired"),
        )
        public["ended_at"] = _iso(datetime.now(timezone.utc))
        public["results_url"] = f"{base_url}/v1/messages/batches/{public['id']}/results"

    def results(self, batch_id: str) -> tuple[int, str]:
        """(200, JSONL) once ended; (404|400, error message) otherwise."""
        with self.lock:
            record = self.batches.get(batch_id)
            if record is None:
                return 404, f"batch {batch_id} not found"
            if record["public"]["processing_status"] != "ended":
                return 400, f"batch {batch_id} is still {record['public']['processing_status']}"
            return 200, "".join(json.dumps(line) + "\n" for line in record["results"])

    def cancel(self, batch_id: str) -> dict[str, Any] | None:
        with self.lock:
            record = self.batches.get(batch_id)
            if record is None:
                return None
            public = record["public"]
            if public["processing_status"] == "in_progress":
                record["canceled"] = True
                public["processing_status"] = "canceling"
                public["cancel_initiated_at"] = _iso(datetime.now(timezone.utc))
            return dict(public)

    def delete(self, batch_id: str) -> tuple[int, str]:
        """(200, "") when deleted; (404|400, error message) otherwise."""
        with self.lock:
            record = self.batches.get(batch_id)
            if record is None:
                return 404, f"batch {batch_id} not found"
            status = record["public"]["processing_status"]
            if status != "ended":
                return 400, (
                    f"Batch {batch_id} cannot be deleted while it is {status}; "
                    "cancel it and wait for it to end first."
                )
            del self.batches[batch_id]
            return 200, ""

    def listing(self, query: dict[str, str]) -> dict[str, Any]:
        with self.lock:
            items = [dict(r["public"]) for r in reversed(list(self.batches.values()))]
        return paginate(items, query)

    def clear(self) -> None:
        with self.lock:
            self.batches.clear()
            self.expired.clear()
            self.max_requests = MAX_REQUESTS
            self.max_bytes = MAX_BYTES


def _counts(
    processing: int = 0, succeeded: int = 0, errored: int = 0, canceled: int = 0, expired: int = 0
) -> dict[str, int]:
    return {
        "processing": processing,
        "succeeded": succeeded,
        "errored": errored,
        "canceled": canceled,
        "expired": expired,
    }
