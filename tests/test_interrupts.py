"""Ctrl-C during the alias lookup, the dry run's token count or ``%claude models`` ends with
one quiet "interrupted" line, not a raw traceback (issue 11 item 13).

A real SIGINT is delivered while the fake holds the request open, as the kernel does
when the user presses Ctrl-C / interrupts the cell.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

import pytest

from kuroryuu_magic.core.errors import ClaudeInterrupted
from kuroryuu_magic.testing import Fault


def _interrupt_while(ip: Any, fake: Any, path: str, source: str, capsys: Any) -> str:
    from kuroryuu_magic.ask.client import get_client

    get_client(timeout=600, max_retries=2)  # warm: the SDK's first import takes a while
    fake.enqueue(Fault("slow_first_byte", delay=10, path=path))
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    try:
        result = ip.run_cell(source)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 6
    shown = capsys.readouterr()
    assert isinstance(result.error_in_exec, ClaudeInterrupted), repr(result.error_in_exec)
    text = (shown.out + shown.err).strip()
    assert "interrupted" in text and "Traceback" not in text, text
    assert len(text.splitlines()) == 1, text
    return text


@pytest.mark.timeout(30)
def test_ctrl_c_during_the_alias_lookup(ip: Any, fake: Any, capsys: Any) -> None:
    text = _interrupt_while(ip, fake, "/v1/models*", "%%claude -m sonnet\nhello", capsys)
    assert "looking up the model" in text
    assert not fake.messages_requests()
    ip.run_cell("%%claude -m claude-haiku-4-5\nstill works?").raise_error()  # the next cell works


@pytest.mark.timeout(30)
def test_ctrl_c_during_the_dry_run_token_count(ip: Any, fake: Any, capsys: Any) -> None:
    text = _interrupt_while(
        ip,
        fake,
        "/v1/messages/count_tokens",
        "%%claude --dry-run -m claude-haiku-4-5\nhello",
        capsys,
    )
    assert "counting tokens" in text


@pytest.mark.timeout(30)
def test_ctrl_c_during_claude_models(ip: Any, fake: Any, capsys: Any) -> None:
    text = _interrupt_while(ip, fake, "/v1/models*", "%claude models --refresh", capsys)
    assert "listing the models" in text
