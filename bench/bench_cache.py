"""Answer-cache lookup cost at scale (run: ``python bench/bench_cache.py [--entries 100000]``).

Fills a fresh cache with ``--entries`` realistic answers, then measures per
item: ``answer_key`` on a typical ``--map`` request, ``get`` (hits and misses),
``get_many`` over a whole run, and a single ``put``; beside each, the same
lookup as a bare ``sqlite3`` primary-key query on the same file, so the ratio
shows what the cache adds (decoding, redaction, locking).  Target: lookup
(key + get, or key + its share of get_many) <= 1 ms per item at 100,000 entries.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kuroryuu_magic.cache import AnswerCache, CachedAnswer, answer_key  # noqa: E402

TARGET_MS = 1.0


def request(i: int) -> dict[str, object]:
    review = f"Review #{i}: " + "the battery lasts all day and the screen is bright. " * 6
    return {
        "model": "claude-sonnet-5-5",
        "max_tokens": 512,
        "system": "Label each review with a sentiment and a star rating.",
        "messages": [{"role": "user", "content": review}],
        "output_config": {
            "format": {
                "type": "json_schema",
                "schema": {
                    "type": "object",
                    "properties": {
                        "sentiment": {"enum": ["positive", "negative", "neutral"]},
                        "stars": {"type": "integer"},
                    },
                    "required": ["sentiment", "stars"],
                    "additionalProperties": False,
                },
            }
        },
    }


def answer(i: int) -> CachedAnswer:
    text = f'{{"sentiment": "positive", "stars": {i % 5 + 1}}}'
    return CachedAnswer(
        text=text,
        content=[{"type": "text", "text": text}],
        usage={"input_tokens": 180, "output_tokens": 14, "cache_read_input_tokens": 0},
        model="claude-sonnet-5-5",
        stop_reason="end_turn",
        request_id=f"req_{i:024d}",
    )


def per_item_us(fn: Callable[[], object], items: int) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) / items * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=10_000)
    args = parser.parse_args(argv)
    n, sample = args.entries, min(args.sample, args.entries)
    rng = random.Random(7)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.sqlite"
        t = time.perf_counter()
        keys = [answer_key(request(i)) for i in range(n)]
        key_us = (time.perf_counter() - t) / n * 1e6
        cache = AnswerCache(path)
        t = time.perf_counter()
        cache.put_many((k, answer(i)) for i, k in enumerate(keys))
        fill_s = time.perf_counter() - t

        hits = rng.sample(keys, sample)
        misses = [answer_key(request(n + i)) for i in range(sample)]
        get_hit = per_item_us(lambda: [cache.get(k) for k in hits], sample)
        get_miss = per_item_us(lambda: [cache.get(k) for k in misses], sample)
        many_sample = per_item_us(lambda: cache.get_many(hits), sample)
        many_run = per_item_us(lambda: cache.get_many(keys), n)  # a whole --map run, resumed
        half = keys[: n // 2] + misses[: n // 2]
        many_half = per_item_us(lambda: cache.get_many(half), len(half))
        fresh = [(answer_key(request(2 * n + i)), answer(i)) for i in range(2000)]
        put_one = per_item_us(lambda: [cache.put(k, a) for k, a in fresh], len(fresh))
        t = time.perf_counter()
        stats = cache.stats()
        stats_ms = (time.perf_counter() - t) * 1e3
        cache.close()
        t = time.perf_counter()
        AnswerCache(path).close()
        open_ms = (time.perf_counter() - t) * 1e3

        bare = sqlite3.connect(path)
        select = "SELECT key, text, content, usage, model, stop_reason, request_id, created FROM answers WHERE key = ?"
        bare_get = per_item_us(
            lambda: [bare.execute(select, (k,)).fetchone() for k in hits], sample
        )
        bare.close()

    rows = [
        ("answer_key (typical --map request)", key_us, None),
        ("get, hit", get_hit, bare_get),
        ("get, miss", get_miss, None),
        (f"get_many, {sample:,} keys", many_sample, bare_get),
        (f"get_many, all {n:,} keys", many_run, bare_get),
        (f"get_many, {len(half):,} keys, {n // 2:,} cached", many_half, None),
        ("put (own transaction)", put_one, None),
    ]
    print(f"answer cache with {stats.entries:,} entries, {stats.bytes / 1e6:.1f} MB on disk")
    print(f"fill with put_many: {fill_s:.2f} s ({fill_s / n * 1e6:.1f} us/item)")
    print(f"stats(): {stats_ms:.2f} ms; open an existing cache: {open_ms:.2f} ms")
    print(f"{'per item':42} {'us':>9} {'x bare sqlite3':>15}")
    for name, us, floor in rows:
        ratio = f"{us / floor:.2f}" if floor else ""
        print(f"{name:42} {us:9.1f} {ratio:>15}")
    worst = key_us + max(get_hit, get_miss, many_run, many_sample)
    verdict = "ok" if worst / 1e3 <= TARGET_MS else "OVER TARGET"
    print(
        f"lookup per item (key + worst of get/get_many): {worst / 1e3:.3f} ms, target <= {TARGET_MS} ms: {verdict}"
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
