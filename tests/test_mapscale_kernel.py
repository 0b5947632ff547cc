"""Labelling at scale in real kernels: resume after a kernel is killed mid-run, and
provenance metadata in a notebook executed with nbclient."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from kuroryuu_magic.cache import AnswerCache
from kuroryuu_magic.testing import FakeAnthropic
from tests.kernels import kernel_env, start_kernel

pytestmark = pytest.mark.kernel

ITEMS = 60
CELL = f"items = [f'item {{i}}' for i in range({ITEMS})]"
MAP = "%%claude --map items -o out --concurrency 2\n{item}"


def test_a_killed_kernel_resumes_sending_only_the_missing_items(tmp_path: Path) -> None:
    with FakeAnthropic() as fake:
        fake.configure(latency=0.05)
        env = kernel_env(tmp_path / "home", fake.env())
        cache_file = Path(env["KURORYUU_CONFIG_DIR"]) / "answers.sqlite"
        with start_kernel(env) as k:
            k.ok("%load_ext kuroryuu_magic")
            k.ok(CELL)
            k.kc.execute(MAP)  # not waited for: the kernel dies under it
            deadline = time.monotonic() + 60
            while len(fake.messages_requests()) < ITEMS // 3:
                assert time.monotonic() < deadline, "the run never got going"
                time.sleep(0.02)
            k.km.signal_kernel(signal.SIGKILL)
            time.sleep(0.5)
        first = len(fake.messages_requests())
        assert first < ITEMS  # killed mid-run
        with AnswerCache(cache_file) as cache:
            stored = cache.stats().entries
        assert 0 < stored <= first
        fake.reset()
        fake.configure(latency=0.0)
        with start_kernel(env) as k:
            k.ok("%load_ext kuroryuu_magic")
            k.ok(CELL)
            run = k.ok(MAP, timeout=120)
            assert f"{stored:,} from the answer cache" in run.text()
            k.ok(f"assert len(out) == {ITEMS} and all(isinstance(v, str) for v in out), out")
        assert len(fake.messages_requests()) == ITEMS - stored


def _metadata(nb: object) -> list[dict]:
    found = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("kuroryuu_magic")
            if meta:
                found.append(meta)
    return found


def test_a_saved_notebook_records_what_produced_each_answer(tmp_path: Path) -> None:
    cells = [
        "%load_ext kuroryuu_magic",
        "%config ClaudeMagics.update_interval = 0.0",
        "%claude --no-history What is a p-value?",
        "%claude --no-history --cached What is a p-value?",
        "items = ['a', 'b', 'c']",
        "%%claude --map items -o out\n{item}",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    with FakeAnthropic() as fake:
        client = NotebookClient(nb, timeout=120, kernel_name="python3")
        client.execute(env=kernel_env(tmp_path / "home", fake.env()))
        key = fake.api_key
    saved = nbformat.writes(nb)
    assert key not in saved and key[-8:] not in saved
    found = _metadata(nbformat.reads(saved, as_version=4))
    answers = [m for m in found if m["kind"] == "answer"]
    sources = {m["source"] for m in answers}
    assert sources == {"api", "cache"}
    api = next(m for m in answers if m["source"] == "api")
    assert api["model"].startswith("claude-") and api["request_id"]
    assert api["stop_reason"] == "end_turn" and api["usage"]["input_tokens"] > 0
    assert api["cost_usd_estimate"] > 0 and "time" in api and api["elapsed_s"] >= 0
    cached = next(m for m in answers if m["source"] == "cache")
    assert cached["request_id"] == api["request_id"]  # the stored answer's own request
    run = next(m for m in found if m["kind"] == "map")
    assert (run["items"], run["succeeded"], run["batch_ids"]) == (3, 3, [])
    assert run["usage"]["output_tokens"] > 0
