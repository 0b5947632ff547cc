"""Where kuroryuu keeps its files.  Every location can be moved by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """``KURORYUU_CONFIG_DIR``, else platformdirs' user config dir for ``kuroryuu``."""
    override = os.environ.get("KURORYUU_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("kuroryuu", appauthor=False))


def key_file() -> Path:
    return config_dir() / "anthropic_api_key.json"


def oauth_token_file() -> Path:
    """``KURORYUU_OAUTH_TOKEN_FILE``, else ``~/.kuroryuu_anthropic_oauth.json``."""
    override = os.environ.get("KURORYUU_OAUTH_TOKEN_FILE")
    if override:
        return Path(override).expanduser()
    return Path.home() / ".kuroryuu_anthropic_oauth.json"
