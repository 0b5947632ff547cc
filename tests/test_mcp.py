"""``%claude mcp``: the official MCP client against the server over a REAL kernel.

The server runs as a subprocess (``python -m kuroryuu_magic.mcp``) exactly as
Claude Code would start it; the client is ``mcp.client.stdio.stdio_client`` +
``ClientSession``.  Answers are compared with the same tool run in-process in the
same kernel (one implementation), and a few against numbers known for the data.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")
import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError

from kuroryuu_magic.mcp import calllog, setup
from kuroryuu_magic.tools import INSPECT_TOOLS, tool_definitions
from tests.conftest import run_cell
from tests.kernels import Kernel, kernel_env, start_kernel

pytestmark = pytest.mark.kernel

SETUP_CELL = """\
from statsmodels.datasets import longley
longley = longley.load_pandas().data
longley["decade"] = (longley["YEAR"] // 10 * 10).astype(int)
"""

# One call per read-only tool, on the longley data (16 years of US employment figures).
CALLS: dict[str, dict[str, Any]] = {
    "list_variables": {},
    "describe": {"name": "longley", "columns": ["YEAR", "TOTEMP"]},
    "value_counts": {"name": "longley", "column": "decade"},
    "null_counts": {"name": "longley"},
    "duplicates": {"name": "longley", "subset": ["decade"], "show": 2},
    "quantiles": {"name": "longley", "column": "TOTEMP", "q": [0.5]},
    "correlations": {"name": "longley", "columns": ["TOTEMP", "GNP", "UNEMP"]},
    "sample_rows": {"name": "longley", "n": 2, "where": [["YEAR", ">=", 1961]]},
    "groupby": {"name": "longley", "by": "decade", "column": "TOTEMP", "agg": "max"},
    "histogram": {"name": "longley", "column": "YEAR", "bins": 4},
    "cell": {"n": 1},
    "last_error": {},
}


def _server_params(connection_file: str, *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "kuroryuu_magic.mcp", "--connection-file", connection_file, *extra],
        env={**os.environ},
    )


@contextlib.asynccontextmanager
async def mcp_session(
    connection_file: str, errlog: Any, *extra: str
) -> AsyncIterator[ClientSession]:
    params = _server_params(connection_file, *extra)
    async with stdio_client(params, errlog=errlog) as (r, w), ClientSession(r, w) as session:
        await session.initialize()
        yield session


def _text(result: Any) -> str:
    return "".join(block.text for block in result.content)


def _key(connection_file: str) -> str:
    return str(json.loads(Path(connection_file).read_text())["key"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Kernel, Path]]:
    """One kernel with the longley data and an error on record; the servers' stderr file."""
    home = tmp_path_factory.mktemp("mcp-home")
    with start_kernel(kernel_env(home), cwd=home) as kernel:
        kernel.ok(SETUP_CELL)
        assert kernel.run("1 / 0").status == "error"
        kernel.ok("%load_ext kuroryuu_magic")
        errlog = home / "server-stderr.txt"
        yield kernel, errlog
        # The connection file's key never reached any server output.
        if errlog.exists():
            assert _key(kernel.km.connection_file) not in errlog.read_text()


def _in_process(kernel: Kernel, calls: dict[str, dict[str, Any]]) -> dict[str, list[Any]]:
    """The same tools called directly in the kernel (no name added: one print expression)."""
    source = (
        "print(__import__('json').dumps({t: list(__import__('kuroryuu_magic.tools', fromlist=['_'])"
        ".run_tool(t, a, get_ipython().user_ns, max_chars=4000, schema_only=False, "
        f"shell=get_ipython())) for t, a in {calls!r}.items()}}))"
    )
    out: dict[str, list[Any]] = json.loads(kernel.ok(source).text())
    return out


def _user_state(kernel: Kernel) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(
        kernel.ok(
            "print(__import__('json').dumps({'names': sorted(k for k in globals() "
            "if not k.startswith('_')), 'history': len(In), "
            "'count': get_ipython().execution_count}))"
        ).text()
    )
    return out


def test_tools_are_the_tool_records_read_only_annotated(served) -> None:
    kernel, errlog = served

    async def go() -> Any:
        with open(errlog, "a") as err:
            async with mcp_session(kernel.km.connection_file, err) as s:
                return (await s.list_tools()).tools

    tools = anyio.run(go)
    definitions = {d["name"]: d for d in tool_definitions()}
    assert [t.name for t in tools] == list(INSPECT_TOOLS)  # no run_python without --allow-run
    for tool in tools:
        assert tool.input_schema == definitions[tool.name]["input_schema"]
        assert tool.description == definitions[tool.name]["description"]
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False


def test_each_read_only_tool_answers_exactly_as_in_process_and_silently(served) -> None:
    kernel, errlog = served
    before = _user_state(kernel)
    expected = _in_process(kernel, CALLS)
    wrong = _in_process(kernel, {"nope": {}, "describe": {"name": "longley", "x": 1}})
    after_expected = _user_state(kernel)
    seen_iopub: list[str] = []
    with contextlib.suppress(queue.Empty):
        while True:  # drain: only what the MCP calls cause is looked at below
            kernel.kc.get_iopub_msg(timeout=0.2)

    async def go() -> dict[str, Any]:
        answers = {}
        with open(errlog, "a") as err:
            async with mcp_session(kernel.km.connection_file, err) as s:
                for tool, args in CALLS.items():
                    answers[tool] = await s.call_tool(tool, args)
                answers["nope"] = await s.call_tool("nope", {})
                answers["bad"] = await s.call_tool("describe", {"name": "longley", "x": 1})
                answers["missing"] = await s.call_tool("describe", {"name": "nothing_here"})
        return answers

    answers = anyio.run(go)
    with contextlib.suppress(queue.Empty):
        while True:
            seen_iopub.append(kernel.kc.get_iopub_msg(timeout=0.5)["msg_type"])
    for tool in CALLS:
        text, is_error = expected[tool]
        assert (_text(answers[tool]), answers[tool].is_error) == (text, is_error), tool
        assert is_error is False, (tool, text)
    # Exact numbers of the data, not just agreement with the in-process run.
    assert "16 rows" in _text(answers["describe"])
    assert "min 1947  max 1962" in _text(answers["describe"])
    assert "65504" in _text(answers["quantiles"])  # the median of TOTEMP
    assert "1940" in _text(answers["value_counts"]) and "1950" in _text(answers["value_counts"])
    assert "ZeroDivisionError" in _text(answers["last_error"])
    assert "statsmodels.datasets" in _text(answers["cell"])
    assert "longley" in _text(answers["list_variables"])
    # Mistakes: the same one-line texts as --tools.
    assert _text(answers["nope"]) == wrong["nope"][0] and answers["nope"].is_error
    assert _text(answers["bad"]) == wrong["describe"][0] and answers["bad"].is_error
    assert _text(answers["missing"]).startswith("error: no variable named 'nothing_here'")
    # Silent: no output, no history, no execution count, no new names in the notebook.
    assert not {"execute_input", "stream", "display_data", "execute_result", "error"} & set(
        seen_iopub
    ), seen_iopub
    after = _user_state(kernel)
    assert after["names"] == before["names"] == after_expected["names"]
    assert after["history"] - after_expected["history"] == 1  # only the _user_state cell itself
    assert after["count"] - after_expected["count"] == 1
    log = kernel.ok("%claude mcp log").text()
    assert "describe" in log and "longley[YEAR, TOTEMP]" in log and "groupby" in log


def test_run_python_only_with_allow_run(served) -> None:
    kernel, errlog = served

    async def go() -> tuple[Any, Any, Any]:
        with open(errlog, "a") as err:
            async with mcp_session(kernel.km.connection_file, err) as s:
                refused = await s.call_tool("run_python", {"code": "made_by_mcp = 1"})
            async with mcp_session(kernel.km.connection_file, err, "--allow-run") as s:
                tools = (await s.list_tools()).tools
                ran = await s.call_tool("run_python", {"code": "made_by_mcp = 6 * 7\nmade_by_mcp"})
        return refused, tools, ran

    refused, tools, ran = anyio.run(go)
    assert refused.is_error and "--allow-run" in _text(refused)
    code = next(t for t in tools if t.name == "run_python")
    assert code.annotations.destructive_hint is True and code.annotations.read_only_hint is False
    assert "permission prompt is the approval" in code.description
    assert not ran.is_error and "42" in _text(ran)
    assert kernel.ok("print(made_by_mcp)").text().strip() == "42"
    kernel.ok("del made_by_mcp")


def test_answers_keep_the_magics_bounds(served) -> None:
    kernel, errlog = served
    kernel.ok("%config ClaudeMagics.object_chars = 300")
    try:
        expected = _in_process_bounded(kernel, 300)

        async def go() -> Any:
            with open(errlog, "a") as err:
                async with mcp_session(kernel.km.connection_file, err) as s:
                    return await s.call_tool("describe", {"name": "longley"})

        result = anyio.run(go)
    finally:
        kernel.ok("%config ClaudeMagics.object_chars = 4000")
    assert _text(result) == expected and len(expected) <= 300


def _in_process_bounded(kernel: Kernel, chars: int) -> str:
    source = (
        "print(__import__('json').dumps(__import__('kuroryuu_magic.tools', fromlist=['_'])"
        f".run_tool('describe', {{'name': 'longley'}}, get_ipython().user_ns, max_chars={chars}, "
        "schema_only=False).text))"
    )
    text: str = json.loads(kernel.ok(source).text())
    return text


class Busy:
    """A cell that keeps the kernel busy until the test releases it (no guessed durations)."""

    def __init__(self, kernel: Kernel, tmp_path: Path) -> None:
        self.kernel, self.release_file = kernel, tmp_path / "release"
        self.msg_id: str = kernel.kc.execute(
            "import os as _o, time as _t\n_end = _t.monotonic() + 120\n"
            f"while not _o.path.exists({str(self.release_file)!r}) and _t.monotonic() < _end:\n"
            "    _t.sleep(0.02)"
        )
        # Sent is not running: under load a later request (the MCP server's) could reach
        # the kernel first.  Wait until the kernel says this cell has started.
        end = time.monotonic() + 60
        while True:
            assert time.monotonic() < end, "the busy cell never started"
            with contextlib.suppress(queue.Empty):
                msg = kernel.kc.get_iopub_msg(timeout=1)
                if (
                    msg["parent_header"].get("msg_id") == self.msg_id
                    and msg["msg_type"] == "execute_input"
                ):
                    break

    def release(self, timeout: float = 120) -> None:
        self.release_file.touch()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with contextlib.suppress(queue.Empty):
                reply = self.kernel.kc.get_shell_msg(timeout=1)
                if reply["parent_header"].get("msg_id") == self.msg_id:
                    return
        raise AssertionError("the busy cell never finished")


def _new_token(before: set[str], timeout: float = 60) -> None:
    """Wait until the server made a call's token (it then sends the request), plus a moment."""
    from kuroryuu_magic.mcp._bridge import _token_dir

    end = time.monotonic() + timeout
    while set(os.listdir(_token_dir())) <= before:
        assert time.monotonic() < end, "the server never started the call"
        time.sleep(0.02)
    time.sleep(1.0)  # the connection is warm: the request is on its way to the kernel


def _tokens() -> set[str]:
    from kuroryuu_magic.mcp._bridge import _token_dir

    return set(os.listdir(_token_dir()))


def _last_log_line(kernel: Kernel) -> str:
    return kernel.ok("%claude mcp log").text().strip().splitlines()[-1]


def test_busy_kernel_is_a_tool_error_and_the_call_never_runs_later(served, tmp_path) -> None:
    kernel, errlog = served

    async def go() -> tuple[Any, float, Busy]:
        with open(errlog, "a") as err:
            async with mcp_session(kernel.km.connection_file, err, "--timeout", "1.5") as s:
                await s.call_tool("list_variables", {})  # connected before the kernel is busy
                busy = Busy(kernel, tmp_path)
                started = time.monotonic()
                result = await s.call_tool("null_counts", {"name": "longley"})
                return result, time.monotonic() - started, busy

    result, took, busy = anyio.run(go)
    busy.release()
    assert result.is_error and _text(result).startswith("error: kernel busy running a cell")
    assert took < 30  # answered at the timeout, while the cell still ran
    last = _last_log_line(kernel)
    assert "null_counts" in last and last.endswith("expired")  # reached later, ran nothing


def test_client_cancel_means_the_queued_call_never_runs(served, tmp_path) -> None:
    kernel, errlog = served

    async def go() -> tuple[bool, Busy]:
        with open(errlog, "a") as err:
            async with mcp_session(kernel.km.connection_file, err, "--allow-run") as s:
                await s.call_tool("list_variables", {})
                busy = Busy(kernel, tmp_path)
                before = _tokens()
                async with anyio.create_task_group() as tg:

                    async def call() -> None:
                        await s.call_tool("run_python", {"code": "cancelled_by_client = 1"})

                    tg.start_soon(call)
                    await anyio.to_thread.run_sync(_new_token, before)
                    tg.cancel_scope.cancel()  # the client gives up: notifications/cancelled
                await anyio.sleep(0.5)
                return tg.cancel_scope.cancel_called, busy

    cancelled, busy = anyio.run(go)
    busy.release()
    assert cancelled
    assert kernel.ok("print('cancelled_by_client' in globals())").text().strip() == "False"
    last = _last_log_line(kernel)
    assert "run_python" in last and last.endswith("cancelled")


def test_a_call_queued_when_the_server_is_killed_never_runs(served, tmp_path: Path) -> None:
    kernel, errlog = served
    with open(errlog, "a") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "kuroryuu_magic.mcp", "--connection-file",
             kernel.km.connection_file, "--allow-run"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
        assert server.stdin is not None and server.stdout is not None

        def send(message: dict[str, Any]) -> None:
            assert server.stdin is not None
            server.stdin.write(json.dumps({"jsonrpc": "2.0", **message}) + "\n")
            server.stdin.flush()

        def call(n: int, name: str, arguments: dict[str, Any]) -> None:
            send(
                {"id": n, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
            )

        send({"id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "test", "version": "0"}}})  # fmt: skip
        assert '"id":1' in server.stdout.readline().replace(" ", "")
        send({"method": "notifications/initialized"})
        call(2, "list_variables", {})  # connected before the kernel is busy
        assert '"id":2' in server.stdout.readline().replace(" ", "")
        busy = Busy(kernel, tmp_path)
        before = _tokens()
        call(3, "run_python", {"code": "ran_after_kill = 1"})
        _new_token(before)
        server.terminate()  # what a client does on exit
        assert server.wait(timeout=60) == 0
    busy.release()
    assert kernel.ok("print('ran_after_kill' in globals())").text().strip() == "False"
    last = _last_log_line(kernel)
    assert "run_python" in last and last.endswith("cancelled")


def test_restart_is_one_error_then_the_new_kernel_answers(tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.txt"
    with start_kernel(kernel_env(tmp_path / "home")) as kernel, open(errlog, "w") as err:
        kernel.ok("before_restart = [1, 2, 3]")
        cf = kernel.km.connection_file

        async def go() -> tuple[str, str, str]:
            async with mcp_session(cf, err) as s:
                first = _text(await s.call_tool("list_variables", {}))
                kernel.km.restart_kernel(now=True)
                kernel.kc.wait_for_ready(timeout=60)
                with pytest.raises(MCPError) as failed:
                    await s.call_tool("list_variables", {})
                again = _text(await s.call_tool("list_variables", {}))
                return first, failed.value.message, again

        first, message, again = anyio.run(go)
        key = _key(cf)
    assert "before_restart" in first
    assert "restarted" in message and "variables are gone" in message
    assert "before_restart" not in again
    assert key not in errlog.read_text() and key not in message


def test_restart_while_a_call_waits_is_one_error_not_a_busy_timeout(tmp_path: Path) -> None:
    errlog = tmp_path / "stderr.txt"
    with start_kernel(kernel_env(tmp_path / "home")) as kernel, open(errlog, "w") as err:
        cf = kernel.km.connection_file
        Busy(kernel, tmp_path)  # never released: the restart ends it

        async def go() -> tuple[str, float]:
            async with mcp_session(cf, err, "--timeout", "50") as s:

                async def restart_soon() -> None:
                    await anyio.sleep(2)
                    await anyio.to_thread.run_sync(lambda: kernel.km.restart_kernel(now=True))

                started = time.monotonic()
                async with anyio.create_task_group() as tg:
                    tg.start_soon(restart_soon)
                    with pytest.raises(MCPError) as failed:
                        await s.call_tool("list_variables", {})
                return failed.value.message, time.monotonic() - started

        message, took = anyio.run(go)
    assert "restarted" in message or "stopped answering" in message, message
    assert took < 40  # found by the control-channel probe, long before the 50 s timeout


def test_dead_kernel_is_one_error_and_a_new_kernel_on_the_file_is_found(tmp_path: Path) -> None:
    from jupyter_client.manager import KernelManager

    errlog = tmp_path / "stderr.txt"
    cf = str(tmp_path / "kernel-test.json")
    env = kernel_env(tmp_path / "home")

    def start() -> tuple[Any, Any]:
        km = KernelManager(kernel_name="python3", connection_file=cf)
        km.kernel_spec  # noqa: B018 - resolve the spec before overriding argv
        km.kernel_spec.argv = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
        ]
        km.start_kernel(env=env)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        return km, kc

    km, kc = start()
    try:
        kc.execute_interactive("first_kernel = 1", timeout=60)

        async def go() -> tuple[str, str, str]:
            nonlocal km, kc
            with open(errlog, "w") as err:
                async with mcp_session(cf, err) as s:
                    first = _text(await s.call_tool("list_variables", {}))
                    kc.stop_channels()
                    km.shutdown_kernel(now=True)
                    with pytest.raises(MCPError) as failed:
                        await s.call_tool("list_variables", {})
                    km, kc = start()  # a new kernel writes the same connection file
                    kc.execute_interactive("second_kernel = 2", timeout=60)
                    again = _text(await s.call_tool("list_variables", {}))
                    return first, failed.value.message, again

        first, message, again = anyio.run(go)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert "first_kernel" in first
    assert "not running" in message or "stopped answering" in message
    assert "second_kernel" in again and "first_kernel" not in again


@pytest.mark.parametrize(
    "content",
    [None, "not json", '{"shell_port": "x", "key": "KEY-CANARY-0123456789"}', "[1, 2]"],
)
def test_bad_connection_file_exits_with_one_line(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "kernel.json"
    if content is not None:
        path.write_text(content)
    run = subprocess.run(
        [sys.executable, "-m", "kuroryuu_magic.mcp", "--connection-file", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2
    assert run.stdout == "" and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert str(path) in run.stderr and "KEY-CANARY" not in run.stderr


def test_the_login_note_points_subscribers_to_claude_mcp() -> None:
    from kuroryuu_magic.oauth import POLICY_NOTE

    assert "%claude mcp" in POLICY_NOTE and "Claude Code" in POLICY_NOTE


# -- %claude mcp: the command, .mcp.json, the log -----------------------------------------------


def test_magic_prints_this_kernels_command_and_writes_mcp_json(served) -> None:
    kernel, _ = served
    cwd = Path(kernel.ok("import os as _os; print(_os.getcwd())").text().strip())
    (cwd / ".mcp.json").write_text(json.dumps({"mcpServers": {"other": {"command": "x"}}, "k": 1}))
    out = kernel.ok("%claude mcp --write").text()
    cf = kernel.km.connection_file
    args = setup.server_args(str(Path(cf).resolve()))
    assert setup.add_command("notebook", sys.executable, args) in out
    assert '"mcpServers"' in out
    written = json.loads((cwd / ".mcp.json").read_text())
    assert written["k"] == 1 and written["mcpServers"]["other"] == {"command": "x"}
    assert written["mcpServers"]["notebook"] == {"command": sys.executable, "args": args, "env": {}}
    assert _key(cf) not in out


def test_magic_without_the_sdk_still_prints_and_says_what_to_install(
    ip, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(setup, "this_connection_file", lambda: "/run/kernel-1.json")
    monkeypatch.setattr(setup, "sdk_installed", lambda: False)
    run_cell(ip, "%claude mcp --name nb1")
    out = capsys.readouterr().out
    assert "claude mcp add nb1 -- " in out and "--connection-file /run/kernel-1.json" in out
    assert "pip install 'kuroryuu-magic[mcp]'" in out


def test_magic_outside_a_kernel_is_one_usage_error(ip) -> None:
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="needs a Jupyter kernel"):
        run_cell(ip, "%claude mcp")


def test_merge_keeps_other_servers_and_refuses_what_it_must_not_touch(tmp_path: Path) -> None:
    args = setup.server_args("/k.json")
    path = setup.merge(tmp_path, "notebook", "/py", args)
    assert json.loads(path.read_text())["mcpServers"]["notebook"]["args"] == args
    # Our own entry is replaced (a new connection file), another tool's is never touched.
    path.write_text(json.dumps({"mcpServers": {"notebook": {"command": "other-tool"}}}))
    with pytest.raises(setup.SetupError, match="another server named 'notebook'"):
        setup.merge(tmp_path, "notebook", "/py", args)
    for bad, why in (
        ("{not json", "not valid JSON"),
        ("[1]", "not a JSON object"),
        ('{"mcpServers": []}', "not an object"),
    ):
        path.write_text(bad)
        with pytest.raises(setup.SetupError, match=why):
            setup.merge(tmp_path, "notebook", "/py", args)
        assert path.read_text() == bad  # left exactly as it was
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    path.unlink()
    path.symlink_to(target)
    with pytest.raises(setup.SetupError, match="symbolic link"):
        setup.merge(tmp_path, "notebook", "/py", args)
    assert target.read_text() == "{}"


def test_call_log_is_bounded_and_names_variables_not_values() -> None:
    log = calllog.CallLog()
    for i in range(calllog.MAX_ENTRIES + 5):
        log.record("describe", {"name": f"df{i}", "columns": ["a", "b"]}, "ok")
    log.record("run_python", {"code": "secret_value = 1\nprint(2)"}, "ok")
    entries = log.entries()
    assert len(entries) == calllog.MAX_ENTRIES and log.total == calllog.MAX_ENTRIES + 6
    assert entries[-2].target == f"df{calllog.MAX_ENTRIES + 4}[a, b]"
    assert entries[-1].target == "code (2 lines)"
    text = calllog.render(entries, log.total)
    assert f"({calllog.MAX_ENTRIES + 6} in all, the last {calllog.MAX_ENTRIES} shown)" in text
    assert "secret_value" not in text
