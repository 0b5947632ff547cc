"""Model aliases: ``opus``, ``sonnet`` and ``haiku`` → the newest listed id of that family.

The listing is fetched once per session (``core.session``) and cached; when it fails the
aliases fall back to the newest ids this release knows about.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.session import session_for
from .facts import LINES, MODELS, newest

if TYPE_CHECKING:  # the SDK is imported on first use: %load_ext stays cheap
    from anthropic import Anthropic

ALIASES = LINES
# When the listing fails: the newest active model of each line in the facts table.
FALLBACK = {line: newest(line).id for line in LINES}

# Ten pages of 100; Anthropic lists a few dozen models.
MAX_MODELS = 1_000
MAX_FIELD = 200


@dataclass
class ModelListing:
    """This kernel's ``models.list`` answer, newest first (``None`` until asked)."""

    rows: list[dict[str, Any]] | None = None


def list_models(client: Anthropic, *, refresh: bool = False) -> list[dict[str, Any]]:
    """Every model the API lists (id, display_name, created_at), newest first; cached per session."""
    listing = session_for().state(ModelListing)
    if listing.rows is None or refresh:
        rows = [
            {
                # A listed name is printed in a table: a server's 1 MB "name" is not.
                "id": str(m.id)[:MAX_FIELD],
                "display_name": str(getattr(m, "display_name", m.id))[:MAX_FIELD],
                "created_at": getattr(m, "created_at", None),
            }
            # The SDK follows `has_more` page after page: a server that never says
            # "no more" must not keep the cell fetching forever.
            for m in itertools.islice(client.models.list(limit=100), MAX_MODELS)
        ]
        rows.sort(key=lambda r: str(r["created_at"] or ""), reverse=True)
        listing.rows = rows
    return listing.rows


def offline_listing() -> tuple[list[dict[str, Any]], str]:
    """The models without a request (replay): this session's listing, else the built-in table.

    Returns the rows (as :func:`list_models` gives them) and where they came from.
    """
    rows = session_for().state(ModelListing).rows
    if rows is not None:
        return rows, "the models the API listed earlier in this session"
    table = [
        {"id": m.id, "display_name": m.display_name, "created_at": m.released}
        for m in MODELS
        if m.lifecycle != "retired"
    ]
    table.sort(key=lambda r: str(r["created_at"]), reverse=True)
    return table, "the models this release knows (its built-in table), not the API's listing"


def forget_listing() -> None:
    session_for().drop(ModelListing)


def resolve_model(name: str, client: Anthropic | None) -> tuple[str, str | None]:
    """(model id, note).  The note says when an alias fell back to a built-in default."""
    alias = name.strip().lower()
    if alias not in ALIASES:
        return name.strip(), None
    if client is None:  # no credential (a dry run): no listing to ask
        return FALLBACK[alias], f"no credential to list models; {alias} is {FALLBACK[alias]} here"
    try:
        rows = list_models(client)
    except Exception as exc:  # listing is a convenience; the request itself will report errors
        return FALLBACK[
            alias
        ], f"could not list models ({type(exc).__name__}); using {FALLBACK[alias]}"
    for row in rows:  # newest first
        if row["id"].startswith(f"claude-{alias}-"):
            return row["id"], None
    return FALLBACK[alias], f"no {alias} model listed; using {FALLBACK[alias]}"
