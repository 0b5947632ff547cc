"""The package without ``fcntl`` and ``os.fchmod`` (as on Windows) still saves and loads a key
and takes the token lock (issue 9 item 7).  Runs in a fresh interpreter where both are gone
before anything imports them, ``O_NOFOLLOW`` too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = r"""
import os, sys, threading, warnings
sys.modules["fcntl"] = None          # import fcntl -> ImportError, as on Windows
del os.fchmod                        # Windows has no os.fchmod
del os.O_NOFOLLOW                    # ... nor O_NOFOLLOW
warnings.simplefilter("ignore")      # filelock warns that only a soft lock is available
from pathlib import Path

import kuroryuu_magic  # the package imports
from kuroryuu_magic.keys import chain, _store as store
from kuroryuu_magic.oauth._lock import lock_state, token_file_lock
from kuroryuu_magic.oauth.tokens import load_tokens, logout, save_tokens
from kuroryuu_magic.oauth._tokenset import TokenSet

key = "sk-ant-api03-" + "W" * 80 + "wwww"
print(chain.save_key(key, "file"))
assert store.read_key_file() == key
chain.set_session_key(None)
assert chain.resolve_credential().secret == key

tokens = TokenSet("sk-ant-oat01-" + "a" * 60, "sk-ant-ort01-" + "b" * 60, 4e9)
save_tokens(tokens)                  # takes the token lock
assert load_tokens().access_token == tokens.access_token
path = Path(os.environ["KURORYUU_OAUTH_TOKEN_FILE"])
order = []
def worker(n):
    with token_file_lock(path):
        with token_file_lock(path):  # re-entrant within a thread
            order.append(n)
threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
[t.start() for t in threads]
[t.join(10) for t in threads]
assert sorted(order) == list(range(5)), order
assert lock_state(path) is None
print(logout())
print("OK")
"""


def test_key_and_token_lock_work_without_fcntl_and_fchmod(tmp_path: Path) -> None:
    home = tmp_path / "winhome"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "KURORYUU_"))}
    env.update(
        HOME=str(home),
        KURORYUU_CONFIG_DIR=str(home / "config"),
        KURORYUU_OAUTH_TOKEN_FILE=str(home / ".kuroryuu_anthropic_oauth.json"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=str(Path(__file__).resolve().parent.parent),
    )
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("OK")
    assert "Saved sk-ant-…wwww" in result.stdout and "Logged out" in result.stdout
    assert not (home / ".kuroryuu_anthropic_oauth.json").exists()
