"""``%%claude --map``: order, per-item errors, the concurrency cap, Ctrl-C, input shapes."""

from __future__ import annotations

import asyncio
import random

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.core.errors import ClaudeInterrupted
from kuroryuu_magic.map._items import MapInput, Row
from kuroryuu_magic.map._progress import TextProgress, WidgetProgress, format_eta, status_line
from kuroryuu_magic.map._results import ItemError
from kuroryuu_magic.map._runner import FanOut, run_concurrently
from kuroryuu_magic.testing import Fault, Reply
from tests.conftest import run_cell

pd = pytest.importorskip("pandas")


def said(answer: str) -> str:
    """What the fake echoed back: the prompt it received."""
    return answer.split("You said: ", 1)[1]


@pytest.fixture
def mapper(ip, fake):
    ip.run_line_magic("config", "ClaudeMagics.show_usage = False")
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    return ip


# -- the runner on its own -------------------------------------------------------------


def test_runner_keeps_input_order_and_turns_exceptions_into_item_errors():
    async def worker(position, item, _res):
        await asyncio.sleep(random.uniform(0, 0.02))  # finish in a scrambled order
        if item == 7:
            raise ValueError("seven is bad")
        return item * 10

    fan = run_concurrently(range(20), worker, total=20, concurrency=5)
    assert fan.results[:7] == [i * 10 for i in range(7)]
    assert fan.results[8:] == [i * 10 for i in range(8, 20)]
    error = fan.results[7]
    assert isinstance(error, ItemError) and not error
    assert repr(error) == "<ItemError error: ValueError: seven is bad>"
    assert (fan.done, fan.failed, fan.interrupted) == (20, 1, False)


def test_runner_never_exceeds_its_concurrency():
    live = peak = 0

    async def worker(position, item, _res):
        nonlocal live, peak
        live += 1
        peak = max(peak, live)
        await asyncio.sleep(0.005)
        live -= 1
        return item

    fan = run_concurrently(range(40), worker, total=40, concurrency=4)
    assert fan.results == list(range(40))
    assert peak == 4


def test_runner_interrupt_keeps_finished_results_and_marks_the_rest_cancelled():
    async def worker(position, item, _res):
        await asyncio.sleep(0 if item < 5 else 30)
        return item

    calls = []

    def on_progress(fan: FanOut) -> None:
        calls.append(fan.done)
        if fan.done >= 5 and not fan.interrupted:
            raise KeyboardInterrupt  # what Ctrl-C does to the waiting main thread

    fan = FanOut(10, concurrency=10)
    fan.run(range(10), worker, on_progress=on_progress, interval=0.01)
    assert fan.interrupted
    assert fan.results[:5] == [0, 1, 2, 3, 4]
    assert all(isinstance(r, ItemError) and r.kind == "cancelled" for r in fan.results[5:])
    assert fan.elapsed < 10  # the 30 s sleeps were cancelled, not awaited


def test_runner_can_send_the_first_item_alone():
    log = []

    async def worker(position, item, _res):
        log.append(("start", item))
        await asyncio.sleep(0.01)
        log.append(("end", item))
        return item

    fan = run_concurrently(range(5), worker, total=5, concurrency=3, first_alone=True)
    assert fan.results == list(range(5))
    assert log[:3] == [("start", 0), ("end", 0), ("start", 1)]


def test_runner_opens_the_resource_on_its_own_loop_and_closes_it():
    events = []

    class Resource:
        async def __aenter__(self):
            events.append(("open", asyncio.get_running_loop()))
            return "client"

        async def __aexit__(self, *exc):
            events.append(("close", asyncio.get_running_loop()))

    async def worker(position, item, res):
        return f"{res}:{item}"

    fan = run_concurrently("ab", worker, total=2, concurrency=2, resource=Resource)
    assert fan.results == ["client:a", "client:b"]
    assert [e[0] for e in events] == ["open", "close"]
    assert events[0][1] is events[1][1]


# -- inputs and progress ---------------------------------------------------------------------


def test_rows_give_attribute_and_item_access_without_shadowing_columns():
    df = pd.DataFrame({"name": ["Ada"], "values": [3], "text col": ["hi"]}, index=["r1"])
    [(item, row, label)] = list(MapInput("df", df).pairs())
    assert item is row and label == "r1"
    assert (row.name, row.values, row["text col"]) == ("Ada", 3, "hi")
    assert type(row.values) is int  # numpy scalars come out as Python ones
    assert repr(row) == "name: Ada; values: 3; text col: hi"
    with pytest.raises(AttributeError):
        _ = row.missing
    assert row == Row({"name": "Ada", "values": 3, "text col": "hi"})


@pytest.mark.parametrize("value", ["a string", 42, (x for x in range(3))])
def test_map_input_refuses_what_it_cannot_iterate(value):
    with pytest.raises(UsageError):
        MapInput("x", value)


def test_status_line_counts_failures_and_estimates_time_left():
    assert status_line(50, 2, 200, elapsed=10.0) == "50/200 done · 2 failed · ETA 30 s"
    assert status_line(0, 0, 10, elapsed=1.0) == "0/10 done · ETA …"
    assert status_line(10, 0, 10, elapsed=2.5) == "10/10 done · 2.5 s"
    assert format_eta(3 * 3600 + 120) == "ETA 3 h 02 min"


def test_text_progress_is_throttled(capsys):
    bar = TextProgress(1000, "Claude", text_interval=60)
    for done in range(0, 1000, 10):
        bar.update(done)
    bar.close(1000)
    out = capsys.readouterr().out
    assert out.count("\r") == 2  # the first update, then the final line
    assert out.endswith("1,000/1,000 done · 0.0 s\n")


def test_widget_progress_reflects_counts():
    bar = WidgetProgress(4, "Claude")
    bar.update(2, 1)
    assert bar.bar.value == 2 and bar.bar.bar_style == "warning"
    assert "1 failed" in bar.label.value
    bar.close(3, 1)
    assert bar.bar.bar_style == "danger"  # one never finished


# -- the magic against the fake ------------------------------------------------------------------


def test_map_over_a_list_returns_answers_in_input_order(mapper, fake):
    mapper.user_ns["reviews"] = [f"review {i}" for i in range(12)]
    # The first requests to arrive answer last, so completion order is scrambled.
    for delay in (0.3, 0.2, 0.1):
        fake.enqueue(Reply(first_byte_delay=delay))
    run_cell(mapper, "%%claude --map reviews -o labels --concurrency 4\nLabel: {item} (#{index})")
    labels = mapper.user_ns["labels"]
    assert isinstance(labels, list)
    assert [said(x) for x in labels] == [f"Label: review {i} (#{i})" for i in range(12)]
    summary = mapper.user_ns["_claude"]
    assert (summary.total, summary.succeeded, summary.failed) == (12, 12, 0)
    assert summary.usage["output_tokens"] > 0
    usage = mapper.magics_manager.registry["ClaudeMagics"].session_usage
    assert sum(t.requests for t in usage.by_model.values()) == 12
    # Each item is a one-shot request: nothing leaks into the conversation.
    assert all(len(r.body["messages"]) == 1 for r in fake.messages_requests())
    assert "stream" not in fake.messages_requests()[0].body


def test_map_over_a_dataframe_fills_rows_and_aligns_to_the_index(mapper, fake):
    run_cell(
        mapper,
        "import pandas as pd\n"
        "df = pd.DataFrame({'text': ['great', 'awful', 'fine'], 'stars': [5, 1, 3]},"
        " index=[10, 20, 30])",
    )
    run_cell(mapper, "%%claude --map df -o verdict\n{row.text} ({row.stars} stars) id={index}")
    verdict = mapper.user_ns["verdict"]
    assert isinstance(verdict, pd.Series) and list(verdict.index) == [10, 20, 30]
    assert verdict.name == "verdict"
    assert said(verdict[20]) == "awful (1 stars) id=20"


def test_map_over_a_series_and_a_dict(mapper, fake):
    mapper.user_ns["s"] = pd.Series(["x", "y"], index=["a", "b"])
    mapper.user_ns["d"] = {"k1": "one", "k2": "two"}
    run_cell(mapper, "%%claude --map s -o rs\nS {item} {index}")
    run_cell(mapper, "%%claude --map d -o rd\nD {item} {index}")
    assert said(mapper.user_ns["rs"]["b"]) == "S y b"
    assert {k: said(v) for k, v in mapper.user_ns["rd"].items()} == {
        "k1": "D one k1",
        "k2": "D two k2",
    }


def test_shared_context_is_rendered_into_every_item(mapper, fake):
    mapper.user_ns["topic"] = ["a", "b", "c"]
    mapper.user_ns["items"] = [1, 2]
    run_cell(mapper, "%%claude --map items -o out\nItem {item}, topics {topic}")
    assert [said(x) for x in mapper.user_ns["out"]] == [
        "Item 1, topics ['a', 'b', 'c']",
        "Item 2, topics ['a', 'b', 'c']",
    ]


def test_per_item_errors_are_kept_and_the_rest_go_on(mapper, fake):
    mapper.user_ns["items"] = list(range(6))
    fake.enqueue(Fault("status", status=400, message="bad item"))
    fake.enqueue(Fault("status", status=529))
    run_cell(mapper, "%%claude --map items -o out --concurrency 1\nItem {item}")
    out = mapper.user_ns["out"]
    errors = [x for x in out if isinstance(x, ItemError)]
    assert [e.status for e in errors] == [400, 529]
    assert "invalid_request_error" in errors[0].message and "bad item" in errors[0].message
    assert "overloaded_error" in errors[1].message
    assert [said(x) for x in out[2:]] == [f"Item {i}" for i in range(2, 6)]
    summary = mapper.user_ns["_claude"]
    assert (summary.failed, summary.succeeded) == (2, 4)
    assert summary.errors == errors


def test_rate_limits_are_retried_by_the_sdk(mapper, fake):
    mapper.run_line_magic("config", "ClaudeMagics.max_retries = 2")
    mapper.user_ns["items"] = ["a", "b"]
    fake.enqueue(Fault("status", status=429, retry_after=0.05))
    run_cell(mapper, "%%claude --map items -o out --concurrency 1\n{item}")
    assert [said(x) for x in mapper.user_ns["out"]] == ["a", "b"]
    assert len(fake.messages_requests()) == 3


def test_concurrency_cap_is_respected(mapper, fake):
    fake.configure(latency=0.05)
    mapper.user_ns["items"] = list(range(24))
    run_cell(mapper, "%%claude --map items -o out --concurrency 3\n{item}")
    assert fake.max_in_flight == 3
    fake.reset()
    mapper.run_line_magic("config", "ClaudeMagics.concurrency = 5")
    run_cell(mapper, "%%claude --map items -o out --fresh\n{item}")  # not the stored answers
    assert fake.max_in_flight == 5


def test_json_format_parses_each_answer_and_keeps_bad_ones_as_errors(mapper, fake):
    mapper.user_ns["items"] = ["a", "b"]
    fake.enqueue(Reply(text='```json\n{"label": "pos"}\n```'))
    fake.enqueue(Reply(text="no json here"))
    run_cell(mapper, "%%claude --map items -o out -f json --concurrency 1\n{item}")
    good, bad = mapper.user_ns["out"]
    assert good == {"label": "pos"}
    assert isinstance(bad, ItemError) and bad.kind == "format" and bad.text == "no json here"
    body = fake.messages_requests()[0].body
    assert "JSON" in body["system"]


def test_options_apply_to_every_item(mapper, fake):
    mapper.user_ns["items"] = ["a", "b"]
    run_cell(mapper, "%%claude --map items -o out -s 'Be brief.' --max-tokens 77\n{item}")
    for request in fake.messages_requests():
        assert request.body["system"] == "Be brief."
        assert request.body["max_tokens"] == 77


def test_interrupt_keeps_finished_results(mapper, fake, monkeypatch):
    fake.configure(latency=0.2)
    mapper.user_ns["items"] = list(range(40))
    original = TextProgress.update

    def update(self, done, failed=0, note=""):
        original(self, done, failed, note)
        if done >= 4:
            raise KeyboardInterrupt

    monkeypatch.setattr(TextProgress, "update", update)
    result = mapper.run_cell("%%claude --map items -o out --concurrency 4\nItem {item}")
    assert isinstance(result.error_in_exec, ClaudeInterrupted)
    out = mapper.user_ns["out"]
    finished = [x for x in out if not isinstance(x, ItemError)]
    assert len(out) == 40 and len(finished) >= 4
    assert said(finished[0]) == "Item 0"
    cancelled = [x for x in out if isinstance(x, ItemError)]
    assert cancelled and all(x.kind == "cancelled" for x in cancelled)
    assert mapper.user_ns["_claude"].status == "interrupted"
    assert len(fake.messages_requests()) < 40
    # The next cell works.
    mapper.user_ns["two"] = [1, 2]
    monkeypatch.setattr(TextProgress, "update", original)
    run_cell(mapper, "%%claude --map two -o again\n{item}")
    assert len(mapper.user_ns["again"]) == 2


def test_dry_run_sends_nothing(mapper, fake, capsys):
    mapper.user_ns["items"] = ["a", "b", "c"]
    run_cell(mapper, "%%claude --map items -o out --dry-run\nLabel {item}")
    out = capsys.readouterr().out
    assert "would send 3 requests" in out and "Label a" in out
    assert fake.messages_requests() == []
    assert "out" not in mapper.user_ns


@pytest.mark.parametrize(
    ("source", "setup", "message"),
    [
        ("%%claude --map items\n{item}", "items = [1]", "-o NAME"),
        ("%%claude --map nothing -o out\n{item}", "", "no variable named 'nothing'"),
        ("%%claude --map text -o out\n{item}", "text = 'abc'", "single string"),
    ],
)
def test_user_mistakes_are_one_line_usage_errors(mapper, fake, source, setup, message):
    run_cell(mapper, setup)
    with pytest.raises(UsageError, match=message):
        run_cell(mapper, source)
    assert fake.messages_requests() == []


def test_empty_input_gives_empty_output(mapper, fake):
    mapper.user_ns["items"] = []
    run_cell(mapper, "%%claude --map items -o out\n{item}")
    assert mapper.user_ns["out"] == []
    assert fake.messages_requests() == []


# -- a real kernel: Ctrl-C, the user's own awaits and the widget bar --------------------------


@pytest.mark.kernel
def test_in_a_real_kernel_interrupt_keeps_results_and_await_still_works(fake, tmp_path):
    import threading
    import time

    from tests.kernels import kernel_env, start_kernel

    fake.configure(latency=0.3)
    with start_kernel(kernel_env(tmp_path / "home", fake.env())) as kernel:
        kernel.ok("%load_ext kuroryuu_magic\nitems = [f'review {i}' for i in range(60)]")

        # Interrupt once the first answers are in (the fake counts what it has served).
        def interrupt() -> None:
            deadline = time.monotonic() + 30
            while len(fake.messages_requests()) < 6 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.4)
            kernel.km.interrupt_kernel()

        threading.Thread(target=interrupt, daemon=True).start()
        run = kernel.run("%%claude --map items -o out --concurrency 2\nLabel {item}", timeout=60)
        assert run.status == "error" and run.error["ename"] == "ClaudeInterrupted"
        assert any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in run.outputs
        )
        check = kernel.ok(
            "from kuroryuu_magic.map._results import ItemError\n"
            "done = [x for x in out if not isinstance(x, ItemError)]\n"
            "print(len(out), len(done), _claude.status, done[0].split('You said: ')[1])"
        )
        total, done, status, first = check.text().strip().split(maxsplit=3)
        assert (total, status, first) == ("60", "interrupted", "Label review 0")
        assert 2 <= int(done) < 60
        # The kernel's own loop is untouched: top-level await works, before and after a map.
        assert (
            "awaited"
            in kernel.ok("import asyncio\nawait asyncio.sleep(0)\nprint('awaited')").text()
        )
        fake.configure(latency=0.0)
        kernel.ok("small = ['a', 'b']")
        kernel.ok("%%claude --map small -o res\n{item}")
        after = kernel.ok(
            "await asyncio.sleep(0.01)\nprint([r.split('You said: ')[1] for r in res])"
        )
        assert "['a', 'b']" in after.text()


def test_map_over_polars_rows_and_whole_row_text(mapper, fake):
    pl = pytest.importorskip("polars")
    mapper.user_ns["frame"] = pl.DataFrame({"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]})
    run_cell(mapper, "%%claude --map frame -o out\n{row.city}: {row}")
    assert [said(x) for x in mapper.user_ns["out"]] == [
        "Oslo: city: Oslo; temp: 3.5",
        "Lima: city: Lima; temp: 19.0",
    ]


def test_an_image_is_encoded_once_and_sent_with_every_item(mapper, fake):
    pil = pytest.importorskip("PIL.Image")
    import io

    buffer = io.BytesIO()
    pil.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    mapper.user_ns["png"] = buffer.getvalue()
    mapper.user_ns["items"] = ["a", "b"]
    run_cell(mapper, "%%claude --map items -o out --image png\nIs {item} red?")
    requests = fake.messages_requests()
    assert [len(r.images) for r in requests] == [1, 1]
    assert all(r.body["messages"][0]["content"][0]["type"] == "image" for r in requests)


def test_runner_stops_the_work_when_progress_display_fails():
    started = []

    async def worker(position, item, _res):
        started.append(item)
        await asyncio.sleep(30)

    def broken(fan: FanOut) -> None:
        raise RuntimeError("display went away")

    fan = FanOut(50, concurrency=2)
    with pytest.raises(RuntimeError, match="display went away"):
        fan.run(range(50), worker, on_progress=broken, interval=0.01)
    assert fan.elapsed < 10 and len(started) == 2


def test_runner_reports_a_failing_resource():
    class Broken:
        async def __aenter__(self):
            raise OSError("no client")

        async def __aexit__(self, *exc):
            return None

    async def worker(position, item, res):
        return item

    with pytest.raises(OSError, match="no client"):
        run_concurrently([1], worker, total=1, concurrency=1, resource=Broken)


# -- item rendering off the loop, Ctrl-C, threads, item 0 (issue 11 item 9) ------------------


def _our_threads() -> set:
    """Threads a run might leave: everything but the fake server's request handlers."""
    import threading

    # The fake server's own pool workers (started on demand) are not the magic's threads.
    return {t for t in threading.enumerate() if not t.name.startswith("fake-worker")}


def test_a_bad_prompt_for_item_0_is_an_item_error_like_the_others(mapper, fake):
    mapper.user_ns["items"] = ["", "b", ""]
    run_cell(mapper, "%%claude --map items -o out\n{item}")
    out = mapper.user_ns["out"]
    assert [isinstance(x, ItemError) for x in out] == [True, False, True]
    assert out[0].kind == out[2].kind == "usage" and "Empty prompt" in out[0].message
    assert (out[0].index, out[2].index) == (0, 2)
    assert said(out[1]) == "b"
    assert len(fake.messages_requests()) == 1
    assert mapper.user_ns["_claude"].failed == 2


def test_ctrl_c_while_an_item_renders_slowly_returns_at_once_and_leaks_no_thread(mapper, fake):
    import os
    import signal
    import threading
    import time

    class Slow:
        def __repr__(self) -> str:
            # Ctrl-C half a second into a render that would take a minute.
            threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
            time.sleep(60)
            return "slow"

    mapper.user_ns["items"] = ["fast", Slow(), "never"]
    before = _our_threads()
    started = time.monotonic()
    result = mapper.run_cell("%%claude --map items -o out --concurrency 1\n{item}")
    elapsed = time.monotonic() - started
    assert isinstance(result.error_in_exec, ClaudeInterrupted)
    assert elapsed < 5  # the old code waited out the render (and 20 s of joins)
    time.sleep(0.6)  # let the Timer thread finish
    assert _our_threads() <= before
    out = mapper.user_ns["out"]
    assert said(out[0]) == "fast"
    assert [x.kind for x in out[1:]] == ["cancelled", "cancelled"]


def test_a_finished_run_leaves_no_thread_behind(mapper, fake):
    mapper.user_ns["items"] = list(range(12))
    before = _our_threads()
    for _ in range(3):
        run_cell(mapper, "%%claude --map items -o out --concurrency 4\n{item}")
    assert _our_threads() <= before
    assert len(mapper.user_ns["out"]) == 12


def test_runner_prepares_items_in_the_calling_thread_and_bounds_what_waits():
    import threading

    prepared_in = set()
    waiting_peak = 0
    prepared = taken = 0

    def prepare(position, item):
        nonlocal prepared, waiting_peak
        prepared_in.add(threading.current_thread())
        prepared += 1
        waiting_peak = max(waiting_peak, prepared - taken)
        if item == 3:
            raise ValueError("bad item")
        return item * 2

    async def worker(position, value, _res):
        nonlocal taken
        taken += 1
        await asyncio.sleep(0.002)
        return value

    fan = run_concurrently(range(30), worker, total=30, concurrency=2, prepare=prepare)
    assert prepared_in == {threading.current_thread()}
    assert fan.results[3].message == "ValueError: bad item"
    assert [r for i, r in enumerate(fan.results) if i != 3] == [i * 2 for i in range(30) if i != 3]
    assert waiting_peak <= 2 + 2 + 1  # queued + in flight + the one being handed over
