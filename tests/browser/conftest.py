"""Browser end-to-end infrastructure: JupyterLab + the fake API + headless Chromium.

One JupyterLab server and one Chromium per browser-test package run; each test gets a
fresh browser context (page). On failure the page's screenshot, its console log and the
server log land in ``test-artifacts/`` and their paths are printed (with
``KURORYUU_KEEP_SCREENSHOTS=1``, for passing tests too).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parents[2]
# Generous: two shared cores, and the first JupyterLab page load compiles a lot of JS.
UI_TIMEOUT_MS = 60_000
# KURORYUU_KEEP_SCREENSHOTS=1 keeps the artifacts of passing tests too, to look at by eye.
# Read when this file loads: each test's environment is scrubbed of KURORYUU_* later.
KEEP_SCREENSHOTS = os.environ.get("KURORYUU_KEEP_SCREENSHOTS") == "1"
FAKE_KEY = "sk-ant-api03-browser-test-key-0000000000000000-AAAA"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Remember each phase's report on the item so fixtures can tell a failed test."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture(scope="package")
def _cannot_run(msg: str) -> None:
    """Skip with a clear message on a developer machine; in CI (CI=true) it is a failure."""
    if _in_ci():
        pytest.fail(f"CI=true but {msg}", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="package")
def chromium_path() -> str:
    """The Debian Chromium binary, plus the Python packages the browser tests drive."""
    if not os.access(CHROMIUM, os.X_OK):
        _cannot_run(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    for module, extra in (("playwright", "test"), ("jupyterlab", "lab")):
        if importlib.util.find_spec(module) is None:
            _cannot_run(f"{module} is not installed: pip install -e '.[{extra}]'")
    return CHROMIUM


@pytest.fixture(scope="package")
def fake_api() -> Iterator[Any]:
    """The project's fake Anthropic API, running in this (pytest) process."""
    try:
        from kuroryuu_magic.testing import FakeAnthropic
    except ImportError:  # the fake lands during the session; infra tests don't need it
        yield None
        return
    with FakeAnthropic() as fake:
        yield fake


@dataclass
class LabServer:
    """A running JupyterLab: its URL, token, notebook root and log file."""

    url: str
    token: str
    root: Path
    home: Path
    log: Path
    proc: subprocess.Popen[bytes]
    fake: Any = None
    env: dict[str, str] = field(default_factory=dict)
    app: str = "lab"  # "lab" (JupyterLab) or "notebook" (Notebook 7)

    def api(self, path: str, method: str = "GET", body: Any = None) -> Any:
        """Call the server's REST API with the token; returns parsed JSON (or None)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def lab_url(self, path: str = "") -> str:
        # ``reset``: start from an empty workspace, not the notebooks earlier tests opened.
        where = f"/tree/{path}" if path else ""
        return f"{self.url}/lab{where}?token={self.token}&reset"

    def notebook_url(self, path: str) -> str:
        """Where this server's front end shows the notebook ``path``."""
        if self.app == "notebook":
            return f"{self.url}/notebooks/{path}?token={self.token}"
        return self.lab_url(path)

    def write_notebook(self, name: str, cells: list[str] | None = None) -> Path:
        """Write a python3 notebook (kernelspec set, so Lab asks no kernel question)."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(src) for src in (cells or [""])]
        path = self.root / name
        nbformat.write(nb, path)
        return path


def _isolated_env(base: Path, fake: Any, keyless: bool = False) -> dict[str, str]:
    home = base / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        # No proxies (loopback only), no real credentials, no stray Jupyter config.
        if not k.upper().endswith("_PROXY")
        and not k.startswith(("ANTHROPIC_", "JUPYTER", "KURORYUU_", "CLAUDE"))
    }
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(base / "jupyter-config"),
        JUPYTER_DATA_DIR=str(base / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(base / "jupyter-runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(base / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        IPYTHONDIR=str(base / "ipython"),
        KURORYUU_CONFIG_DIR=str(base / "kuroryuu-config"),
        KURORYUU_OAUTH_TOKEN_FILE=str(base / "kuroryuu-config" / "oauth.json"),
        NO_PROXY="127.0.0.1,localhost",
        PYTHONUNBUFFERED="1",
        MPLBACKEND="Agg",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    # The kernel inherits the server's environment: point the SDK at the fake (or at a
    # closed port when the fake isn't there, so nothing can leave the machine).
    if fake is not None:
        fake_env = dict(fake.env()) if hasattr(fake, "env") else {}
        env.update({k: str(v) for k, v in fake_env.items()})
        env["ANTHROPIC_BASE_URL"] = str(fake.base_url)
    else:
        env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{_free_port()}"
    if keyless:  # a newcomer's machine: no key at all, so `%claude demo` is what answers
        env.pop("ANTHROPIC_API_KEY", None)
        env.pop("ANTHROPIC_AUTH_TOKEN", None)
        env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{_free_port()}"  # nothing listens
        return env
    env.setdefault("ANTHROPIC_API_KEY", FAKE_KEY)
    return env


def _write_lab_settings(base: Path) -> None:
    settings = base / "user-settings"
    # Widget state saving on, so the "no key in the saved .ipynb" check covers widget state.
    wm = settings / "@jupyter-widgets" / "jupyterlab-manager"
    wm.mkdir(parents=True, exist_ok=True)
    (wm / "plugin.jupyterlab-settings").write_text(json.dumps({"saveState": True}))
    # Every cell in the DOM (no virtual scrolling), so long notebooks can be driven.
    nbx = settings / "@jupyterlab" / "notebook-extension"
    nbx.mkdir(parents=True, exist_ok=True)
    (nbx / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No news poll (network) and no toast covering the notebook.
    ann = settings / "@jupyterlab" / "apputils-extension"
    ann.mkdir(parents=True, exist_ok=True)
    (ann / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True})
    )
    labconfig = base / "jupyter-config" / "labconfig"
    labconfig.mkdir(parents=True, exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )


@pytest.fixture(scope="package")
def lab_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str, fake_api: Any
) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1, random port and token, everything isolated in tmp."""
    yield from _serve("lab", tmp_path_factory, fake_api)


@pytest.fixture(scope="module")
def notebook_server(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: str, fake_api: Any
) -> Iterator[LabServer]:
    """Notebook 7 (the ``notebook`` package), isolated like ``lab_server``; per module."""
    if importlib.util.find_spec("notebook") is None:
        _cannot_run("notebook is not installed: pip install -e '.[test]'")
    yield from _serve("notebook", tmp_path_factory, fake_api)


@pytest.fixture
def jupyter_server(lab_server: LabServer) -> LabServer:
    """The server the ``page`` and ``open_notebook`` fixtures use; modules may override it."""
    return lab_server


def _serve(
    app: str, tmp_path_factory: pytest.TempPathFactory, fake_api: Any, keyless: bool = False
) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp(app)
    root = base / "root"
    if (REPO / "notebooks").is_dir():
        shutil.copytree(REPO / "notebooks", root)
    else:
        root.mkdir()
    for d in ("home", "jupyter-config", "jupyter-data", "jupyter-runtime", "ipython"):
        (base / d).mkdir(exist_ok=True)
    _write_lab_settings(base)
    env = _isolated_env(base, fake_api, keyless)
    port, token = _free_port(), secrets.token_hex(24)
    log = base / f"{app}.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        app,
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        "--LabServerApp.workspaces_dir=" + str(base / "workspaces"),
    ]
    if app == "lab":
        cmd += [
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
    if os.geteuid() == 0:  # CI runs as root
        cmd.append("--allow-root")
    logf = log.open("wb")
    proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, cwd=root)
    server = LabServer(
        url=f"http://127.0.0.1:{port}",
        token=token,
        root=root,
        home=base / "home",
        log=log,
        proc=proc,
        fake=fake_api,
        env=env,
        app=app,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter {app} exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if server.api("/api/status") is not None:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter {app} did not answer /api/status:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        logf.close()


@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright for Python (no downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        except Exception as exc:  # e.g. missing shared libraries on this machine
            _cannot_run(f"{chromium_path} did not start: {str(exc).splitlines()[0]}")
        try:
            yield b
        finally:
            b.close()


def _artifact_dir(config: pytest.Config) -> Path:
    d = Path(config.rootpath) / "test-artifacts"
    d.mkdir(exist_ok=True)
    return d


@pytest.fixture(scope="package")
def browser_context(browser: Any) -> Iterator[Any]:
    """One context for the package: JupyterLab's scripts are fetched once, then cached."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(UI_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(
    browser_context: Any, jupyter_server: LabServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A fresh page; on failure saves screenshot + console log + server log."""
    pg = browser_context.new_page()
    console: list[str] = []
    pg.on("console", lambda m: console.append(f"[{m.type}] {m.text}"))
    pg.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    pg.console_log = console  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and (rep.failed or KEEP_SCREENSHOTS):
            out = _artifact_dir(request.config)
            stem = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
            shot, log = out / f"{stem}.png", out / f"{stem}.console.log"
            with contextlib.suppress(Exception):
                pg.screenshot(path=str(shot), full_page=True)
            log.write_text("\n".join(console) + "\n", encoding="utf-8")
            server_log = out / f"{stem}.{jupyter_server.app}.log"
            with contextlib.suppress(OSError):
                shutil.copyfile(jupyter_server.log, server_log)
            print(
                f"\nbrowser artifacts: {shot}\n                   {log}\n                   {server_log}"
            )
        pg.close()
        # Shut this test's kernels down: they would hold memory and CPU for the rest.
        with contextlib.suppress(OSError, urllib.error.URLError):
            for session in jupyter_server.api("/api/sessions"):
                jupyter_server.api(f"/api/sessions/{session['id']}", method="DELETE")


class Notebook:
    """Drives one open notebook through the JupyterLab UI (typing, Shift+Enter, toolbar)."""

    def __init__(self, page: Any, lab: LabServer, name: str) -> None:
        self.page, self.lab, self.name = page, lab, name

    @property
    def panel(self) -> Any:
        """This notebook's (visible) panel: hidden panels of other documents don't count."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first

    def open(self) -> Notebook:
        self.page.goto(self.lab.notebook_url(self.name))
        self.panel.locator(".jp-Notebook").first.wait_for()
        self.wait_idle()
        return self

    def wait_idle(self, timeout_ms: int = UI_TIMEOUT_MS) -> None:
        """Wait until this notebook's kernel has our websocket and is idle.

        The toolbar indicator says "idle" before the websocket is up, and Shift+Enter in
        that window is lost, so the server's view of the kernel is checked first.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            sessions = [s for s in self.lab.api("/api/sessions") if s["path"] == self.name]
            k = sessions[0]["kernel"] if sessions else {}
            if k.get("connections", 0) >= 1 and k.get("execution_state") == "idle":
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"kernel for {self.name} not ready: {sessions}")
            time.sleep(0.25)
        self.panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            timeout=timeout_ms
        )

    @property
    def cells(self) -> Any:
        return self.panel.locator(".jp-Notebook .jp-Cell")

    def cell(self, index: int) -> Any:
        return self.cells.nth(index)

    def outputs(self, index: int) -> Any:
        return self.cell(index).locator(".jp-OutputArea-output")

    def set_cell(self, index: int, text: str) -> None:
        """Click into a cell's editor, replace its text (insert_text: no auto-brackets)."""
        editor = self.cell(index).locator(".cm-content")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)

    def run_cell(self, index: int, text: str | None = None) -> None:
        """Type into cell ``index`` (if text given) and press Shift+Enter."""
        if text is not None:
            self.set_cell(index, text)
        else:
            self.cell(index).locator(".cm-content").click()
        self.page.keyboard.press("Shift+Enter")

    def find_cell(self, startswith: str) -> int:
        """Index of the first cell whose source starts with ``startswith``."""
        for i in range(self.cells.count()):
            editor = self.cell(i).locator(".cm-content")
            if editor.count() and editor.first.inner_text().startswith(startswith):
                return i
        raise AssertionError(f"no cell starts with {startswith!r} in {self.name}")

    def prompt(self, index: int) -> str:
        return self.cell(index).locator(".jp-InputPrompt").first.inner_text().strip()

    def wait_done(self, index: int, timeout_ms: int = UI_TIMEOUT_MS) -> None:
        """Wait until cell ``index`` has run (its prompt shows ``[n]:``)."""
        prompt = self.cell(index).locator(".jp-InputPrompt").first
        deadline = time.monotonic() + timeout_ms / 1000
        while not re.fullmatch(r"\[\d+\]:?", prompt.inner_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError(f"cell {index} still not done: {prompt.inner_text()!r}")
            time.sleep(0.1)

    def output_text(self, index: int) -> str:
        return "\n".join(self.outputs(index).all_inner_texts())

    def append_and_run(self, text: str) -> int:
        """Run ``text`` in the last cell (adding one if the last is not empty); its index."""
        n = self.cells.count()
        last = self.cell(n - 1).locator(".cm-content").inner_text().strip()
        if last:
            self.cell(n - 1).locator(".cm-content").click()
            self.page.keyboard.press("Escape")
            self.page.keyboard.press("b")  # command mode: insert a cell below
            n = self.cells.count()
        self.run_cell(n - 1, text)
        return n - 1

    def stop(self) -> None:
        """Press the toolbar's stop (interrupt the kernel) button."""
        self.panel.locator(
            ".jp-NotebookPanel-toolbar [data-command='notebook:interrupt-kernel']"
        ).first.click()

    def save(self) -> None:
        """Save through the UI (Ctrl+S) and wait until the server has the new file."""
        path = self.lab.root / self.name
        before = path.stat().st_mtime_ns if path.exists() else 0
        self.panel.locator(".jp-Notebook").first.click()
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if path.exists() and path.stat().st_mtime_ns != before:
                return
            time.sleep(0.2)
        raise AssertionError(f"{self.name} was not saved")


@pytest.fixture
def open_notebook(page: Any, jupyter_server: LabServer) -> Any:
    """Factory: ``open_notebook(name, cells=None)`` writes (if cells given) and opens it."""

    def _open(name: str, cells: list[str] | None = None) -> Notebook:
        if cells is not None or not (jupyter_server.root / name).exists():
            jupyter_server.write_notebook(name, cells)
        return Notebook(page, jupyter_server, name).open()

    return _open


@pytest.fixture
def lab_fake(jupyter_server: LabServer) -> Any:
    """The fake API the server's kernels talk to, reset for this test."""
    if jupyter_server.fake is None:
        pytest.skip("kuroryuu_magic.testing is not available yet")
    jupyter_server.fake.reset()
    return jupyter_server.fake
