"""Reaching the real PostgreSQL and Redis servers: URLs, and skip-or-fail when they are absent.

On a laptop without the servers their tests skip with the reason; with CI=true they must
run, so an unreachable server fails the test instead.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def require(url: str, default_port: int, what: str) -> str:
    """Return `url` if its server answers; else skip (laptop) or fail (CI=true)."""
    if _reachable(url, default_port):
        return url
    message = f"{what} is not reachable at {url}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, and CI=true requires it")
    pytest.skip(f"{message} (set {'DATABASE_URL' if default_port == 5432 else 'REDIS_URL'})")


def require_postgres() -> str:
    return require(POSTGRES_URL, 5432, "PostgreSQL")


def require_redis() -> str:
    return require(REDIS_URL, 6379, "Redis")
