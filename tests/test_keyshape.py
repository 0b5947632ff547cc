"""Key shape checks: paste accidents are fixed or explained, never echoed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kuroryuu_magic.keys._shape import KeyShapeError, normalize_key
from tests._credentials_helpers import KEY_A


@pytest.mark.parametrize(
    "pasted",
    [
        KEY_A,
        f"  {KEY_A}\n",
        f"ANTHROPIC_API_KEY={KEY_A}",
        f"export ANTHROPIC_API_KEY='{KEY_A}'",
        f'ANTHROPIC_API_KEY: "{KEY_A}"',
        f"x-api-key: {KEY_A}",
        f"Bearer {KEY_A}",
        f"`{KEY_A}`",
        f"ANTHROPIC_API_KEY={KEY_A};",
    ],
)
def test_paste_accidents_are_removed(pasted: str) -> None:
    assert normalize_key(pasted) == KEY_A


@pytest.mark.parametrize(
    ("pasted", "fragment"),
    [
        ("", "No key entered"),
        ("   ", "No key entered"),
        ("ANTHROPIC_API_KEY=", "No key entered"),
        (KEY_A[:50] + " " + KEY_A[50:], "character 51"),
        (KEY_A[:50] + "\n" + KEY_A[50:], "line break"),
        ("sk-ant-oat01-" + "x" * 80, "OAuth access token"),
        ("sk-ant-admin01-" + "x" * 80, "Admin API key"),
        ("sk-proj-" + "x" * 80, "start with sk-ant-"),
        ("my key is " + KEY_A, "space"),
        (KEY_A[:30], "too short"),
        (KEY_A + "é", "character API keys never have"),
        (KEY_A + KEY_A, "more than one key"),
        (KEY_A * 3, "too long"),
    ],
)
def test_bad_shapes_get_a_friendly_message(pasted: str, fragment: str) -> None:
    with pytest.raises(KeyShapeError, match=fragment) as info:
        normalize_key(pasted)
    message = str(info.value)
    assert "\n" not in message
    assert KEY_A[13:30] not in message  # no part of the key body is echoed


@given(st.text(max_size=300))
def test_any_input_is_accepted_or_refused_with_key_shape_error(text: str) -> None:
    try:
        key = normalize_key(text)
    except KeyShapeError as exc:
        body = text.strip()[7:]
        assert len(body) < 8 or body[:8] not in str(exc)
    else:
        assert key.startswith("sk-ant-") and key in text
