"""The fake's bounded pool: threads held by idle keep-alive connections, and throughput at
high concurrency, measured side by side (ratios, not absolute timings).

    python bench/bench_fake_pool.py [--clients 1000] [--workers 64]

1. ``--clients`` raw keep-alive connections each send one request and then stay open,
   idle: the threads the server holds for them, per connection (``ThreadingHTTPServer``
   held one per connection; the pool holds none).
2. The SDK at ``--clients`` concurrent threads against the SDK at 10: requests per
   second, as a ratio (how well the pool keeps up when far more clients than workers).
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time

import anthropic

from kuroryuu_magic.testing import FakeAnthropic

MODEL = "claude-sonnet-4-6"


def idle_threads(fake: FakeAnthropic, n: int) -> float:
    before = threading.active_count()
    conns = []
    for _ in range(n):
        conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=30)
        conn.request(
            "GET",
            "/v1/models",
            headers={"x-api-key": fake.api_key, "anthropic-version": "2026-10-21"},
        )
        conn.getresponse().read()
        conns.append(conn)  # kept open: an idle keep-alive connection
    held = threading.active_count() - before
    for conn in conns:
        conn.close()
    return held / n


def throughput(fake: FakeAnthropic, n: int, per_client: int) -> float:
    client = anthropic.Anthropic(api_key=fake.api_key, base_url=fake.base_url, max_retries=0)
    go = threading.Barrier(n + 1)

    def run() -> None:
        go.wait()
        for _ in range(per_client):
            client.messages.create(
                model=MODEL, max_tokens=20, messages=[{"role": "user", "content": "hi"}]
            )

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    go.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return n * per_client / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=64)
    args = ap.parse_args()
    with FakeAnthropic(workers=args.workers) as fake:
        per_conn = idle_threads(fake, args.clients)
        small = throughput(fake, 10, 50)
        big = throughput(fake, args.clients, 1)
    print(
        f"idle keep-alive connections: {args.clients}; server threads held per connection: "
        f"{per_conn:.3f} (ThreadingHTTPServer: 1.000)"
    )
    print(
        f"SDK requests/s: {args.clients} clients {big:.0f} vs 10 clients {small:.0f} "
        f"(ratio {big / small:.2f}) with {args.workers} workers"
    )


if __name__ == "__main__":
    main()
