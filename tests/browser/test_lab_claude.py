"""``%%claude`` as users meet it: JupyterLab in Chromium, streaming from the fake API."""

from __future__ import annotations

import re
import time

import pytest

from kuroryuu_magic.testing import Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"
STORY = "**Quokkas** live on Rottnest Island. " + " ".join(f"fact{i}" for i in range(60))


def _open_with_extension(open_notebook, lab_server, name):
    """quickstart.ipynb when the repo ships it (else a fresh notebook), extension loaded."""
    quickstart = lab_server.root / "quickstart.ipynb"
    if quickstart.exists():  # a copy per test: each gets its own kernel
        (lab_server.root / name).write_bytes(quickstart.read_bytes())
        nb = open_notebook(name)
    else:
        nb = open_notebook(name, cells=[""])
    i = nb.append_and_run("%load_ext kuroryuu_magic")
    nb.wait_done(i)
    return nb


def test_streamed_markdown_appears_before_the_stream_ends(open_notebook, lab_server, lab_fake):
    # The shipped quickstart, its own cells: load the extension, then its first %%claude.
    assert (lab_server.root / "quickstart.ipynb").exists(), "notebooks/quickstart.ipynb missing"
    nb = open_notebook("quickstart.ipynb")
    load = nb.find_cell("%load_ext kuroryuu_magic")
    nb.run_cell(load)
    nb.wait_done(load)
    i = nb.find_cell("%%claude\nIn two sentences")
    lab_fake.enqueue(Reply(text=STORY, deltas=40, delta_delay=0.2))  # ~8 s of streaming
    nb.run_cell(i)
    out = nb.cell(i).locator(".jp-Cell-outputArea")
    # Rendered Markdown (a real <strong>), while the fake is still sending deltas.
    out.locator("strong", has_text="Quokkas").first.wait_for(timeout=30_000)
    still_streaming = lab_fake.in_flight >= 1
    footer_early = f"{MODEL} · " in out.inner_text()
    assert still_streaming and not footer_early
    # Then the whole answer, the footer, and no streaming cursor left behind.
    nb.wait_done(i)
    out.get_by_text(f"{MODEL} · ").first.wait_for()
    text = out.inner_text()
    assert "fact59" in text and "▍" not in text
    assert text.count("fact30 ") == 1  # streamed into one display, not appended twice
    sent = lab_fake.messages_requests()
    assert len(sent) == 1 and sent[0].body["stream"] is True
    assert "median and a mean" in str(sent[0].body["messages"][-1]["content"])


def test_stop_button_keeps_partial_answer_and_next_cell_works(open_notebook, lab_server, lab_fake):
    nb = _open_with_extension(open_notebook, lab_server, "stop.ipynb")
    lab_fake.enqueue(Reply(text=STORY, deltas=60, delta_delay=0.25))  # 15 s if not stopped
    i = nb.append_and_run(f"%%claude -m {MODEL}\nA long story, please.")
    out = nb.cell(i).locator(".jp-Cell-outputArea")
    out.get_by_text("fact3").first.wait_for(timeout=30_000)
    disconnects = lab_fake.disconnects
    stopped_at = time.monotonic()
    nb.stop()
    nb.wait_done(i, timeout_ms=10_000)
    assert time.monotonic() - stopped_at < 5  # prompt back within seconds, not 15 s
    text = out.inner_text()
    assert "Quokkas" in text and "Interrupted" in text  # partial kept and marked
    assert "KeyboardInterrupt" in text and "fact59" not in text
    assert "Traceback" not in text  # one line, not a traceback
    deadline = time.monotonic() + 5
    while lab_fake.disconnects == disconnects and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lab_fake.disconnects > disconnects  # the server saw the connection close

    lab_fake.enqueue(Reply(text="*Second* answer works.", deltas=3))
    j = nb.append_and_run(f"%%claude -m {MODEL}\nAnd then?")
    nb.wait_done(j)
    nb.cell(j).locator(".jp-Cell-outputArea em", has_text="Second").first.wait_for()
    messages = lab_fake.messages_requests()[-1].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert "[answer interrupted]" in str(messages[1]["content"])


def test_map_progress_bar_advances_and_completes(open_notebook, lab_server, lab_fake):
    nb = _open_with_extension(open_notebook, lab_server, "map.ipynb")
    i = nb.append_and_run("items = [f'thing {n}' for n in range(12)]")
    nb.wait_done(i)
    lab_fake.configure(latency=0.4)  # ~2.4 s at concurrency 2: the bar is seen moving
    try:
        j = nb.append_and_run(
            f"%%claude --map items -o labels --concurrency 2 -m {MODEL}\nOne word for {{item}}"
        )
        out = nb.cell(j).locator(".jp-Cell-outputArea")
        label = out.locator(".widget-label", has_text="done").first
        label.wait_for(timeout=30_000)
        seen: set[int] = set()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = re.match(r"(\d+)/12 done", label.inner_text())
            if m:
                seen.add(int(m.group(1)))
                if int(m.group(1)) == 12:
                    break
            time.sleep(0.05)
        nb.wait_done(j)
    finally:
        lab_fake.configure(latency=0.0)
    assert 12 in seen and any(0 < n < 12 for n in seen), seen  # it advanced, then completed
    assert out.locator(".progress-bar-success").count() == 1  # green: no failures
    k = nb.append_and_run("print(len(labels), sum('Fake Claude' in str(x) for x in labels))")
    nb.wait_done(k)
    assert nb.output_text(k).strip() == "12 12"
    assert len(lab_fake.messages_requests()) == 12
    assert lab_fake.max_in_flight <= 2
