"""What the fake records of each request it served."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RecordedRequest:
    """What one request carried; ``headers`` keys are lower-cased."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: object  # the JSON the client sent (hostile: narrow it), its raw text if not JSON, or None
    client_closed: bool = False
    status: int | None = None
    request_id: str = ""
    images: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
