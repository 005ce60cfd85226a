"""What the settings tests share: a file writer, the problems of a load, and example values."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.config import ConfigError, Settings

EXAMPLE = Path(__file__).parents[2] / "gateway.example.toml"
STRONG_SECRET = "0123456789abcdef" * 4
JWKS = "https://login.example.com/jwks.json"


def write(tmp_path: Path, text: str, name: str = "gateway.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path | None = None, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.load(path, env=env)
    return list(caught.value.problems)


OAUTH_CRM = """
[sources.crm]
kind = "http"
base_url = "https://crm.example.com"

[sources.crm.oauth]
token_url = "/oauth/token"
client_id = "commerce-gateway"
client_secret = "${CRM_CLIENT_SECRET}"
scope = "crm customers.read"
"""


JWKS_HTTP = "http://login.example.com/jwks.json"
PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
