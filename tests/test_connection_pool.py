"""The client's connection pool is bounded (issue 19): at ``--concurrency 1000`` the fake
running in this very process (as ``%claude demo`` runs it) is never sent more requests at
once than the pool has connections, and no item fails for it."""

from __future__ import annotations

from typing import Any

from kuroryuu_magic.ask.client import MAX_CONNECTIONS, http_client
from kuroryuu_magic.map._results import ItemError
from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell

ITEMS = 3 * MAX_CONNECTIONS


def test_concurrency_1000_stays_within_the_pool_and_no_item_fails(
    ip: Any, fake: FakeAnthropic
) -> None:
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_line_magic("config", 'ClaudeMagics.answer_cache = "off"')
    ip.user_ns["items"] = [f"item {i}" for i in range(ITEMS)]
    for _ in range(ITEMS):  # slow enough that requests overlap
        fake.enqueue(Reply(text="ok", first_byte_delay=0.3))
    run_cell(ip, "%%claude --map items -o out --concurrency 1000 -f text\n{item}")
    out = ip.user_ns["out"]
    assert len(out) == ITEMS and not [v for v in out if isinstance(v, ItemError)]
    assert 1 < fake.max_in_flight <= MAX_CONNECTIONS


def test_the_sdk_clients_pool_is_capped() -> None:
    for asynchronous in (False, True):
        client = http_client(asynchronous=asynchronous)
        pool = client._transport._pool  # the SDK's HTTP library's pool (no public reader)
        assert pool._max_connections == MAX_CONNECTIONS
