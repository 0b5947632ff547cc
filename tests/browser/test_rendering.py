"""What a person sees, in JupyterLab 4 and in Notebook 7: no stray math, widgets that fit.

Every test runs in both front ends.  The checks read the rendered page:
MathJax elements (``mjx-container``; KaTeX's ``.katex`` for front ends that
use it) inside the outputs, and the bounding boxes and scroll widths of the
widgets' labels and buttons.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from kuroryuu_magic.testing import Fault, Reply

pytestmark = pytest.mark.browser

MODEL = "claude-sonnet-5-5"
MATH = "mjx-container, .MathJax, .katex"
ANSWER = "Prices went from $5 to $10 this year.\n\n| item | price |\n|---|---|\n| tea | $3 |\n\nThe area grows as $x^2$ does."


@pytest.fixture(params=["lab", "notebook"])
def jupyter_server(request: pytest.FixtureRequest) -> Any:
    """Each test of this module once in JupyterLab and once in Notebook 7."""
    return request.getfixturevalue(f"{request.param}_server")


def _math_in(locator: Any) -> int:
    return locator.locator(MATH).count()


def _settle(nb: Any, index: int) -> None:
    """Let MathJax (which typesets asynchronously) finish with this cell's outputs."""
    nb.wait_done(index)
    time.sleep(1.5)


def test_dollars_in_answers_and_product_text(open_notebook: Any, lab_fake: Any) -> None:
    nb = open_notebook("dollars.ipynb", cells=[""])
    nb.wait_done(nb.append_and_run("%load_ext kuroryuu_magic"))

    # A cache read puts a second `$` in the footer: `(saved ~$0.0020) … ~$0.0035`.
    lab_fake.enqueue(Reply(text=ANSWER, deltas=12, usage={"cache_read_input_tokens": 1100}))
    i = nb.append_and_run(f"%%claude -m {MODEL} --no-history\nPrices?")
    answer, footer = nb.outputs(i).filter(has_text="Prices went"), nb.outputs(i).last
    # Real math renders (auto): MathJax is there and working on this page...
    answer.locator("mjx-container").first.wait_for(timeout=30_000)
    _settle(nb, i)
    shown = answer.inner_text()
    assert "from $5 to $10" in shown and "$3" in shown  # ...and currency is left as written
    assert _math_in(answer) == 1
    assert f"{MODEL} · " in footer.inner_text() and "saved ~$" in footer.inner_text()
    assert footer.inner_text().count("$") == 2
    assert _math_in(footer) == 0

    j = nb.append_and_run("%claude usage")
    _settle(nb, j)
    usage = nb.cell(j).locator(".jp-Cell-outputArea")
    text = usage.inner_text()
    assert "total" in text and text.count("~$") >= 2, text  # the total row is there
    assert _math_in(usage) == 0

    k = nb.append_and_run("%claude status")
    _settle(nb, k)
    assert _math_in(nb.cell(k).locator(".jp-Cell-outputArea")) == 0

    lab_fake.enqueue(Fault("status", status=400, message="budget $5 and $6 exceeded"))
    m = nb.append_and_run(f"%%claude -m {MODEL} --no-history\nAgain?")
    _settle(nb, m)
    error = nb.cell(m).locator(".jp-Cell-outputArea")
    assert "budget $5 and $6 exceeded" in error.inner_text()
    assert _math_in(error) == 0

    lab_fake.enqueue(Reply(text="Then $x^2$ and $y$.", deltas=3))
    n = nb.append_and_run(f"%config ClaudeMagics.math = 'off'\n%claude -m {MODEL} --no-history sum")
    _settle(nb, n)
    off = nb.cell(n).locator(".jp-Cell-outputArea")
    assert "Then $x^2$ and $y$." in off.inner_text() and _math_in(off) == 0


# Pairs of visible labels/buttons whose rendered text boxes intersect, and elements whose
# text does not fit them.  Text boxes, not element boxes: ipywidgets' radio labels have a
# fixed height, so a wrapped label overflows its box and is drawn over the next one while
# the two boxes themselves stay apart.
_LAYOUT_PROBLEMS = """
(root) => {
  const els = [...root.querySelectorAll(
    'button, label, .widget-label, .widget-radio-box label, .widget-html-content a')]
    .filter(e => e.getClientRects().length && e.offsetWidth > 0 && e.offsetHeight > 0);
  const textBoxes = (e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
  };
  const boxes = els.map(textBoxes);
  const overlaps = [];
  for (let a = 0; a < els.length; a++) {
    for (let b = a + 1; b < els.length; b++) {
      if (els[a].contains(els[b]) || els[b].contains(els[a])) continue;
      const hit = boxes[a].some(r => boxes[b].some(s =>
        Math.min(r.right, s.right) - Math.max(r.left, s.left) > 1 &&
        Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top) > 1));
      if (hit) overlaps.push([els[a].innerText, els[b].innerText]);
    }
  }
  const cut = els.filter(e => e.innerText.trim() &&
      (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1))
    .map(e => [e.innerText, e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]);
  return {count: els.length, overlaps, cut};
}
"""


def _layout(output: Any) -> dict[str, Any]:
    return output.evaluate(_LAYOUT_PROBLEMS)


def test_panels_fit_their_labels(open_notebook: Any, lab_fake: Any) -> None:
    nb = open_notebook("panels.ipynb", cells=[""])
    i = nb.append_and_run(
        "import os\nos.environ.pop('ANTHROPIC_API_KEY', None)\n"
        "%load_ext kuroryuu_magic\n%claude setup"
    )
    setup = nb.cell(i).locator(".jp-Cell-outputArea")
    setup.get_by_text("this session only").wait_for()
    setup.get_by_role("button", name="Forget").wait_for()
    problems = _layout(setup)
    assert problems["count"] >= 6, problems  # the radio labels and the buttons were seen
    assert not problems["overlaps"] and not problems["cut"], problems

    # Diagnose with no login: an earlier browser test may have logged in to the shared fake.
    j = nb.append_and_run(
        "from kuroryuu_magic.oauth.tokens import logout\n_ = logout()\n%claude login"
    )
    login = nb.cell(j).locator(".jp-Cell-outputArea")
    login.get_by_role("button", name="Diagnose").wait_for()
    problems = _layout(login)
    assert not problems["overlaps"] and not problems["cut"], problems
    link = login.get_by_role("link", name="Open the Claude authorization page")
    assert "/oauth/authorize?" in (link.get_attribute("href") or "")
    assert "/oauth/authorize" not in login.inner_text()  # a short link text, not the URL
    login.get_by_role("button", name="Diagnose").click()
    login.get_by_text("What to do:").first.wait_for()
    problems = _layout(login)
    assert problems["count"] >= 6, problems
    assert not problems["overlaps"] and not problems["cut"], problems
    assert login.inner_text().lower().count("not logged in") == 1, login.inner_text()


_SECTION = (
    "## Step {n}\n\n"
    + "This paragraph explains the step in enough words to wrap across a line or two. " * 3
    + "\n\n- a tight item\n- another **bold** item\n\n"
    "1. first\n\n   continued under the first item\n\n2. second\n\n"
    "```python\nfor row in rows:\n\n    print(row)\n```\n\n"
    "| column | value |\n|---|---|\n| a | 1 |\n| b | 2 |\n\n"
    "> a quote that ends the section\n"
)
LONG = "\n\n".join(_SECTION.format(n=n) for n in range(1, 9))

_STRUCTURE = """
(els) => els.map(e => ({
  tags: [...e.querySelectorAll('*')].map(c => c.tagName).join(' '),
  text: e.innerText,
}))
"""


def _structure(outputs: Any) -> tuple[str, str]:
    parts = outputs.locator(".jp-RenderedMarkdown").evaluate_all(_STRUCTURE)
    tags = " ".join(p["tags"] for p in parts if p["tags"])
    return tags, " ".join(" ".join(p["text"] for p in parts).split())


def test_streamed_pieces_render_as_one_document(open_notebook: Any, lab_fake: Any) -> None:
    nb = open_notebook("pieces.ipynb", cells=[""])
    nb.wait_done(nb.append_and_run("%load_ext kuroryuu_magic"))
    lab_fake.enqueue(Reply(text=LONG, deltas=400, delta_delay=0.005))
    i = nb.append_and_run(f"%%claude -m {MODEL} --no-history\nSteps?")
    nb.wait_done(i)
    nb.outputs(i).last.get_by_text(f"{MODEL} · ").wait_for()
    j = nb.append_and_run("from IPython.display import Markdown\nMarkdown(_claude.text)")
    nb.wait_done(j)
    nb.outputs(j).first.locator("table").last.wait_for()
    answer = nb.cell(i).locator(".jp-OutputArea-output").filter(has_not_text=f"{MODEL} · ")
    assert answer.count() > 2  # the answer really streamed into several displays
    assert _structure(answer) == _structure(nb.outputs(j))
