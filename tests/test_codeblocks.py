"""Code out of Markdown answers, and the copy-button HTML for front ends without set_next_input."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.ask._copybutton import copy_button_html
from kuroryuu_magic.ask.codeblocks import CodeBlock, code_blocks, extract_code, strip_fences

ANSWER = """The column is called `Price`, not `price`.

```bash
pip install pandas
```

Here is the fix:

```python
df.groupby("region")["Price"].mean()
```

And a plot:

```
df.plot()
```
"""


def test_blocks_with_language_tags() -> None:
    assert code_blocks(ANSWER) == [
        CodeBlock("bash", "pip install pandas"),
        CodeBlock("python", 'df.groupby("region")["Price"].mean()'),
        CodeBlock("", "df.plot()"),
    ]


def test_extract_prefers_python_then_first_block() -> None:
    assert extract_code(ANSWER) == 'df.groupby("region")["Price"].mean()'
    assert extract_code("```sql\nSELECT 1\n```") == "SELECT 1"
    assert extract_code("no code here, just `inline`") is None
    assert extract_code("") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("~~~py\nx = 1\n~~~", "x = 1"),
        ("````python\n```\nnested fence\n```\n````", "```\nnested fence\n```"),
        ("```python\nunclosed = True\nmore()", "unclosed = True\nmore()"),
        ("  ```python\n  indented()\n    deeper()\n  ```", "indented()\n  deeper()"),
        ("```{python}\nquarto()\n```", "quarto()"),
        ("```Python title='x'\ncase()\n```", "case()"),
        ("```python\n\n\n```", "\n"),
        ("```python\r\nwindows()\r\n```", "windows()"),
    ],
)
def test_fence_variants(text: str, code: str) -> None:
    assert extract_code(text) == code


def test_strip_fences() -> None:
    assert strip_fences("```python\nimport pandas as pd\n```\n") == "import pandas as pd"
    assert strip_fences("plain code\n") == "plain code"
    two = "First:\n```python\nimport numpy as np\n```\nThen:\n```python\nnp.ones(3)\n```"
    assert strip_fences(two) == "import numpy as np\n\nnp.ones(3)"
    assert strip_fences(ANSWER) == 'df.groupby("region")["Price"].mean()\n\ndf.plot()'
    assert strip_fences("```bash\nls\n```") == "ls"


@given(st.text())
def test_any_text_is_handled(text: str) -> None:
    blocks = code_blocks(text)
    assert all(isinstance(b.code, str) for b in blocks)
    assert isinstance(strip_fences(text), str)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_code = False
        self.code = ""
        self.tags: list[str] = []
        self.onclick = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        self.in_code = self.in_code or tag == "code"
        if tag == "button":
            self.onclick = dict(attrs)["onclick"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self.in_code = False

    def handle_data(self, data: str) -> None:
        if self.in_code:
            self.code += data


@pytest.mark.parametrize(
    "code",
    [
        "print('hi')",
        '</code></pre><script>alert("x")</script><img src=x onerror=alert(1)>',
        "a = \"quote\" + 'single' & <tag>\n\tindented\n",
        "",
    ],
)
def test_copy_button_html_escapes_and_round_trips(code: str) -> None:
    html = copy_button_html(code)
    parser = _Collect()
    parser.feed(html)
    assert parser.code == code  # the browser's textContent is exactly the code
    assert parser.tags == ["div", "button", "pre", "code"]  # no injected elements
    assert "navigator.clipboard" in parser.onclick
    assert "execCommand('copy')" in parser.onclick  # fallback for sandboxed iframes
    assert ">Copy</button>" in html
