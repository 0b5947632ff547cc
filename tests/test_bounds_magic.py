"""Bounded work on foreign input, seen from the magics (security.md 24; issue 11 items 5-11)."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.testing import FakeAnthropic, Reply
from tests.conftest import run_cell


@pytest.mark.parametrize(
    "answer",
    [
        "[" * 10_000,  # the old code raised a raw RecursionError (within --max-tokens)
        "[" * 150 + "]" * 150,  # parses, but deeper than we agree to read
        "[" + "1" * 5_000 + "]",  # an int too long to convert
        "Here: {not json} and [neither",
    ],
)
def test_json_that_cannot_be_parsed_keeps_the_text_and_records_the_turn(
    ip, fake: FakeAnthropic, capsys, answer: str
) -> None:
    fake.enqueue(Reply(text=answer))
    run_cell(ip, "%%claude -f json -o data\nnest")
    result = ip.user_ns["_claude"]
    assert result.text == answer and result.data is None
    assert ip.user_ns["data"] == answer
    assert "the JSON could not be parsed" in capsys.readouterr().out
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert len(magics.conversations.thread("default").turns) == 1


# -- concurrency and trait bounds (item 8) -------------------------------------------------


def test_concurrency_cap_is_the_sdk_connection_pool() -> None:
    from anthropic._constants import DEFAULT_CONNECTION_LIMITS

    from kuroryuu_magic.ask.settings import MAX_CONCURRENCY

    assert DEFAULT_CONNECTION_LIMITS.max_connections == MAX_CONCURRENCY


@pytest.mark.parametrize(
    ("value", "message"),
    [("10000", "at most 1,000"), ("1001", "at most 1,000"), ("0", "positive"), ("-3", "positive")],
)
def test_concurrency_option_is_bounded(ip, fake: FakeAnthropic, value: str, message: str) -> None:
    ip.user_ns["items"] = ["a", "b"]
    with pytest.raises(UsageError, match=message) as info:
        run_cell(ip, f"%%claude --map items -o out --concurrency {value}\n{{item}}")
    assert type(info.value) is UsageError and "\n" not in str(info.value)
    assert fake.messages_requests() == []


def test_concurrency_at_the_cap_is_accepted() -> None:
    from kuroryuu_magic.magic._options import parse_cell_line

    assert parse_cell_line("--map items --concurrency 1000").concurrency == 1000


@pytest.mark.parametrize(
    ("trait", "value"),
    [
        ("timeout", float("inf")),
        ("timeout", float("nan")),
        ("timeout", 1e308),
        ("timeout", 0.0),
        ("timeout", -1.0),
        ("max_retries", -1),
        ("max_retries", 10_000),
        ("concurrency", 10_000),
        ("concurrency", 0),
        ("update_interval", float("nan")),
        ("update_interval", -0.5),
    ],
)
def test_traits_refuse_values_that_would_fail_later(ip, trait: str, value: object) -> None:
    from traitlets import TraitError

    magics = ip.magics_manager.registry["ClaudeMagics"]
    before = getattr(magics, trait)
    with pytest.raises(TraitError, match=trait) as info:
        setattr(magics, trait, value)
    assert "\n" not in str(info.value)
    assert getattr(magics, trait) == before


def test_traits_take_ordinary_values(ip) -> None:
    ip.run_line_magic("config", "ClaudeMagics.timeout = 30")
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    ip.run_line_magic("config", "ClaudeMagics.concurrency = 1000")
    magics = ip.magics_manager.registry["ClaudeMagics"]
    assert (magics.timeout, magics.max_retries, magics.concurrency) == (30.0, 0, 1000)


# -- -o names (item 11) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "__builtins__",
        "__builtin__",
        "__name__",
        "get_ipython",
        "In",
        "Out",
        "exit",
        "quit",
        "open",
        "_",
        "__",
        "___",
        "_ih",
        "_oh",
        "_dh",
        "_i",
        "_ii",
        "_iii",
        "_i3",
        "_o12",
        "_7",
    ],
)
def test_out_names_that_shadow_ipython_are_refused(ip, fake: FakeAnthropic, name: str) -> None:
    before = ip.user_ns.get(name, "absent")
    for line in (f"%claude -o {name} hi", f"%claude batch msgbatch_x -o {name}"):
        with pytest.raises(UsageError, match="IPython's own") as info:
            run_cell(ip, line)
        assert type(info.value) is UsageError and "\n" not in str(info.value)
    with pytest.raises(UsageError, match="IPython's own"):
        run_cell(ip, f"%%claude -o {name}\nhi")
    assert ip.user_ns.get(name, "absent") is before
    assert fake.messages_requests() == []
    run_cell(ip, "x_check = 1 + 1")  # the session still works
    assert ip.user_ns["x_check"] == 2


@pytest.mark.parametrize("name", ["class", "None", "lambda", "1abc", "a-b"])
def test_out_names_must_be_variable_names(ip, fake: FakeAnthropic, name: str) -> None:
    with pytest.raises(UsageError, match="variable name"):
        run_cell(ip, f"%claude -o {name} hi")


@pytest.mark.parametrize("name", ["answer", "match", "type", "_private", "i3", "data_2", "_x1"])
def test_ordinary_out_names_still_work(ip, fake: FakeAnthropic, name: str) -> None:
    run_cell(ip, f"%claude -o {name} hi")
    assert "You said: hi" in ip.user_ns[name]


# -- API bodies the SDK reads for us (item 6) -------------------------------------------------


def test_an_oversized_api_error_body_is_refused_not_buffered(ip, fake: FakeAnthropic) -> None:
    from kuroryuu_magic.core.errors import ClaudeAPIError
    from kuroryuu_magic.testing import Fault

    fake.enqueue(Fault(kind="status", status=400, message="x" * 2_000_000))
    with pytest.raises(ClaudeAPIError, match="larger than 1,000,000 bytes") as info:
        run_cell(ip, "%%claude\nhi")
    assert "unreachable" not in str(info.value) and "xxxx" not in str(info.value)


def test_an_oversized_body_in_map_is_that_items_error(ip, fake: FakeAnthropic) -> None:
    from kuroryuu_magic.map._results import ItemError
    from kuroryuu_magic.testing import Fault

    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    fake.enqueue(Fault(kind="status", status=400, message="x" * 2_000_000))
    ip.user_ns["items"] = ["a", "b"]
    run_cell(ip, "%%claude --map items -o out --concurrency 1\n{item}")
    first, second = ip.user_ns["out"]
    assert isinstance(first, ItemError) and "larger than 1,000,000 bytes" in first.message
    assert "You said: b" in second


@pytest.mark.parametrize("asynchronous", [False, True])
def test_capped_hooks_stop_reading_a_chunked_body(asynchronous: bool) -> None:
    import asyncio

    import anthropic
    import httpx2

    from kuroryuu_magic.core.bounds import MAX_API_BODY_BYTES, capped_response_hooks

    pulled: list[int] = []
    chunk = b" " * 2**20

    def body():
        for _ in range(200):  # 200 MB if read to the end
            pulled.append(1)
            yield chunk

    async def abody():
        for piece in body():
            yield piece

    def handler(request):
        stream = abody() if asynchronous else body()
        return httpx2.Response(200, headers={"content-type": "application/json"}, content=stream)

    hooks = capped_response_hooks(asynchronous=asynchronous)
    if asynchronous:

        async def go():
            transport = httpx2.MockTransport(handler)
            async with anthropic.DefaultAsyncHttpxClient(
                transport=transport, event_hooks=hooks
            ) as client:
                await client.get("http://127.0.0.1/v1/models")

        call = lambda: asyncio.run(go())  # noqa: E731
    else:

        def call():
            transport = httpx2.MockTransport(handler)
            with anthropic.DefaultHttpxClient(transport=transport, event_hooks=hooks) as client:
                client.get("http://127.0.0.1/v1/models")

    from kuroryuu_magic.core.bounds import BodyTooLargeError

    with pytest.raises(BodyTooLargeError):
        call()
    assert len(pulled) <= MAX_API_BODY_BYTES // len(chunk) + 1


def test_a_deeply_nested_api_answer_is_refused_in_one_line(ip, monkeypatch) -> None:
    import anthropic
    import httpx2

    from kuroryuu_magic.ask import client as client_module
    from kuroryuu_magic.core.bounds import capped_response_hooks
    from kuroryuu_magic.core.errors import ClaudeAPIError

    deep = b"[" * 100_000 + b"]" * 100_000

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=deep, headers={"content-type": "application/json"})

    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "a" * 93)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setattr(
        client_module,
        "http_client",
        lambda asynchronous=False: anthropic.DefaultHttpxClient(
            transport=httpx2.MockTransport(handler), event_hooks=capped_response_hooks()
        ),
    )
    ip.run_line_magic("config", "ClaudeMagics.max_retries = 0")
    with pytest.raises(ClaudeAPIError, match="nested too deeply") as info:
        run_cell(ip, "%%claude --no-stream -m claude-sonnet-5-5\nhi")
    assert "unreachable" not in str(info.value) and "\n" not in str(info.value)
