"""The one reader each for a message's text, an API error body and the base URL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kuroryuu_magic.core.wire import DEFAULT_BASE_URL, env_base_url, error_envelope, joined_text


def test_joined_text_reads_strings_dict_blocks_sdk_blocks_and_messages() -> None:
    blocks = [
        {"type": "text", "text": "a"},
        {"type": "image", "source": {}},
        {"type": "text", "text": "b"},
    ]
    assert joined_text("plain") == "plain"
    assert joined_text(blocks) == "ab"
    assert joined_text(blocks, sep="\n", placeholders=True) == "a\n[image]\nb"
    message = SimpleNamespace(
        content=[
            SimpleNamespace(type="thinking", thinking="hmm"),
            SimpleNamespace(type="text", text="Hi"),
        ]
    )
    assert joined_text(message) == "Hi" and joined_text(None) == ""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"type": "error", "error": {"type": "rate_limit_error", "message": "slow"}},
            ("rate_limit_error", "slow"),
        ),
        ({"type": "overloaded_error", "message": "busy"}, ("overloaded_error", "busy")),
        ({"error": "invalid_grant"}, (None, None)),
        ("not json", (None, None)),
        ({"error": {"type": 3, "message": None}}, (None, None)),
    ],
)
def test_error_envelope(body: object, expected: tuple[str | None, str | None]) -> None:
    assert error_envelope(body) == expected


def test_env_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_base_url() == DEFAULT_BASE_URL
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    assert env_base_url() == "http://127.0.0.1:9"
