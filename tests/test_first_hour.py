"""Small things a newcomer trips over in the first hour (issue 24, item 4).

Step lines in characters every font has, a line-magic mistake that names ``%claude``,
a ``--map --dry-run`` whose estimate comes before the long request, cache hit counts
that a dry run does not move, and an output estimate that is not 14 times the truth.
"""

from __future__ import annotations

import re

import pytest
from IPython.core.error import UsageError

from kuroryuu_magic.agent._steps import Step, step_markdown
from tests.conftest import run_cell

# Windows Glyph List 4 punctuation the step line uses; emoji (a wrench, a warning sign with
# its variation selector) render as a missing-glyph box in some notebook fonts.
WGL4_EXTRA = set("•×→…·")


@pytest.mark.parametrize(
    ("is_error", "note"), [(False, ""), (True, ""), (True, "declined"), (False, "approved")]
)
def test_step_lines_use_characters_every_font_has(is_error: bool, note: str) -> None:
    step = Step("describe", {"name": "df"})
    step.result, step.is_error, step.seconds, step.note = "ok", is_error, 0.01, note
    shown = step_markdown(step)
    odd = {c for c in shown if ord(c) > 0x7E and c not in WGL4_EXTRA}
    assert not odd, odd
    assert ("×" in shown) == (is_error and note != "declined")


def test_a_line_magic_mistake_names_the_line_magic(ip) -> None:
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%claude --max-tokens x hi")
    assert str(info.value).startswith("%claude: ") and "%%claude" not in str(info.value)
    with pytest.raises(UsageError) as info:
        run_cell(ip, "%%claude --max-tokens x\nhi")
    assert str(info.value).startswith("%%claude: ")


def _cache_line(ip, capsys) -> tuple[int, int]:
    run_cell(ip, "%claude cache")
    line = capsys.readouterr().out
    m = re.search(r"([\d,]+) hit\(s\), ([\d,]+) miss\(es\)", line)
    assert m, line
    return int(m.group(1)), int(m.group(2))


def test_map_dry_run_shows_the_estimate_first_and_counts_no_cache_hits(
    ip, quick_demo, capsys, tmp_path
) -> None:
    run_cell(ip, f"%config ClaudeMagics.answer_cache_path = {str(tmp_path / 'a.db')!r}")
    ip.user_ns["items"] = ["3, 4, 5", "10, 20, 30"]
    run_cell(ip, "%%claude --map items -o out\nSummarise {item}")  # stores both answers
    capsys.readouterr()
    before = _cache_line(ip, capsys)
    run_cell(ip, "%%claude --map items -o out --dry-run\nSummarise {item}")
    out = capsys.readouterr().out
    assert (
        out.index("estimated cost")
        < out.index("Dry run: nothing was sent")
        < out.index('"messages"')
    )
    assert "from the answer cache 2" in out
    assert _cache_line(ip, capsys) == before  # looking is not answering


def test_the_output_estimate_of_a_json_labelling_run_is_near_the_truth(ip, quick_demo, capsys):
    ip.user_ns["notes"] = ["box was crushed", "courier was late", "works fine"] * 4
    template = (
        'Comment: "{item}". Reply with JSON like {{"issue": "delivery|damage|other", '
        '"urgent": false}}'
    )
    run_cell(ip, f"%%claude --map notes -o labels -f json --dry-run --no-history\n{template}")
    out = capsys.readouterr().out
    m = re.search(r"output tokens: ~([\d,]+) \(~([\d,]+) per item, assumed from the JSON", out)
    assert m, out
    estimated = int(m.group(1).replace(",", ""))
    run_cell(ip, f"%%claude --map notes -o labels -f json --no-history\n{template}")
    actual = ip.user_ns["_claude"].usage["output_tokens"]
    assert actual > 0 and 0.5 <= estimated / actual <= 3, (estimated, actual)


def test_plain_text_outputs_carry_no_literal_backticks(ip, quick_demo, capsys) -> None:
    from kuroryuu_magic.ask.result import DEMO_NOTE
    from kuroryuu_magic.core.nomath import literal_inline

    assert "`" in DEMO_NOTE  # the note marks a command as code ...
    run_cell(ip, "%%claude --no-history\nhi")
    out = capsys.readouterr().out
    footer = out.strip().splitlines()[-1]
    assert "offline demo" in footer and "`" not in footer  # ... the terminal shows it bare
    run_cell(ip, "%claude demo --stop")
    run_cell(ip, "%claude demo")
    assert "`" not in capsys.readouterr().out
    # ... and a rich front end as code, since Markdown inside the <sub> is not rendered.
    assert "<code>%claude setup</code>" in literal_inline(DEMO_NOTE, "sub")
