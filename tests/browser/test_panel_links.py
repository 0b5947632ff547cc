"""Links in the key panel look like links in JupyterLab (its widget CSS makes them plain text)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_key_panel_link_is_underlined_and_coloured(open_notebook, lab_fake):
    nb = open_notebook("panel-links.ipynb", cells=[""])
    nb.wait_done(nb.append_and_run("%load_ext kuroryuu_magic"))
    i = nb.append_and_run("%claude setup")
    panel = nb.cell(i).locator(".jp-Cell-outputArea")
    anchor = panel.locator("a[href*='console.anthropic.com']").first
    anchor.wait_for()
    style = anchor.evaluate(
        """a => {
            const own = getComputedStyle(a), text = getComputedStyle(a.parentElement);
            return {line: own.textDecorationLine, color: own.color, around: text.color};
        }"""
    )
    assert "underline" in style["line"], style
    assert style["color"] != style["around"], style  # not the body text's colour
