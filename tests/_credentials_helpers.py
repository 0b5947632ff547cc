"""Shared by the credential, key store and setup panel tests: a keyring-isolated
credential world on top of conftest's ``isolated_env``, and in-memory keyring backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from kuroryuu_magic.keys import chain as credentials

# Shape-valid keys that exist nowhere.  "bad" keys are rejected by the fake server.
KEY_A = "sk-ant-api03-" + "A" * 80 + "aaaa"
KEY_B = "sk-ant-api03-" + "B" * 80 + "bbbb"
KEY_BAD = "sk-ant-api03-bad-" + "C" * 76 + "cccc"


class MemoryKeyring(KeyringBackend):
    """A working keyring backend that keeps passwords in a dict."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


class BrokenKeyring(MemoryKeyring):
    """A backend that loads but fails every call, echoing what it was given."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("DBus connection lost")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("DBus connection lost")


def reset_session() -> None:
    credentials.set_session_key(None)


@pytest.fixture
def isolated(isolated_env: Path) -> Iterator[Path]:
    """conftest's clean environment, a fresh session, and a keyring with no backend.

    Yields the key file's directory (``KURORYUU_CONFIG_DIR``).
    """
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    reset_session()
    yield Path(os.environ["KURORYUU_CONFIG_DIR"])
    reset_session()
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(isolated: Path) -> MemoryKeyring:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    credentials.set_session_key(None)  # drop cached keyring lookups
    return backend


class TerminalScript:
    """Answers the terminal setup's prompts (visible and hidden) in order; EOF when out."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.said: list[str] = []
        self.prompts: list[str] = []

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def run(self) -> None:
        from kuroryuu_magic.keys._terminal import run_terminal_setup

        run_terminal_setup(secret_prompt=self.ask, ask=self.ask, say=self.said.append)

    @property
    def text(self) -> str:
        return "\n".join(self.said + self.prompts)
