"""JupyterLab loads nothing remote that an answer or a tool step names (remote_images = "off").

A local HTTP server stands in for the attacker's host and records every
request.  With the default, an answer full of remote images and fetching HTML,
and a tool step whose result holds a blank line and an image, are shown and
the server sees no request; with ``remote_images = "on"`` the same answer does
reach it, which shows the check can see a fetch.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kuroryuu_magic.testing import Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"


@pytest.fixture
def attacker() -> Iterator[tuple[str, list[str], threading.Event]]:
    seen: list[str] = []
    hit = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            hit.set()
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen, hit
    finally:
        server.shutdown()
        server.server_close()


def _answer(base: str, tag: str) -> str:
    return (
        f"**{tag}** ![a]({base}/inline.png?d=secret) and ![b][r]\n\n"
        f'<img src="{base}/img.png"> <div style="background:url({base}/css.png)">x</div>\n\n'
        f'<picture><source srcset="{base}/srcset.png 2x"><img src="data:image/gif;base64,'
        'R0lGODlhAQABAAAAACw="></picture>\n\n'
        f"[r]: {base}/ref.png\n"
    )


def test_lab_fetches_no_remote_image_from_answers_or_tool_steps(open_notebook, lab_fake, attacker):
    base, seen, hit = attacker
    nb = open_notebook("remote.ipynb", cells=[""])
    nb.wait_done(nb.append_and_run("%load_ext kuroryuu_magic"))
    nb.wait_done(
        nb.append_and_run(
            "import pandas as pd\n"
            f"df = pd.DataFrame({{'x': ['a\\n\\n![t]({base}/tool.png)', '<img src=\"{base}/t2.png\">']}})"
        )
    )
    lab_fake.enqueue(Reply.call("sample_rows", {"name": "df"}, text="Looking first."))
    lab_fake.enqueue(Reply(text=_answer(base, "Off done")))
    i = nb.append_and_run(f"%%claude --tools -m {MODEL}\nLook")
    nb.wait_done(i)
    out = nb.cell(i).locator(".jp-Cell-outputArea")
    out.locator("strong", has_text="Off done").first.wait_for()
    assert "not loaded from 127.0.0.1" in out.inner_text()
    out.locator("summary").first.click()  # open the tool step: its result is literal text
    nb.page.wait_for_timeout(1500)  # any image the page would load has been requested by now
    assert seen == []

    nb.wait_done(nb.append_and_run("%config ClaudeMagics.remote_images = 'on'"))
    lab_fake.enqueue(Reply(text=_answer(base, "On done")))
    j = nb.append_and_run(f"%%claude -m {MODEL}\nAgain")
    nb.wait_done(j)
    assert hit.wait(30), "with remote_images on the browser should have fetched"  # the control
