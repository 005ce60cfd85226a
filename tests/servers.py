"""Reaching the real PostgreSQL and Redis servers (or a redis-server of our own to stop), with
skip-or-fail when they are absent; serving an app with uvicorn on a free port.

On a laptop without the servers their tests skip with the reason; with CI=true they must
run, so an unreachable server fails the test instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
import uvicorn
from starlette.types import ASGIApp

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


class RedisProcess:
    """A redis-server of our own on a free port, to stop and start in the middle of a test."""

    def __init__(self, executable: str) -> None:
        self._executable = executable
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                self._executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=5)
            self._process = None


@contextmanager
def own_redis_server() -> Iterator[RedisProcess]:
    """Our own redis-server, started; skips without the binary (fails when CI=true)."""
    executable = shutil.which("redis-server")
    if executable is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message}, and CI=true requires it")
        pytest.skip(message)
    server = RedisProcess(executable)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextmanager
def uvicorn_thread(app: ASGIApp, *, lifespan: str = "on", timeout: float = 15) -> Iterator[int]:
    """`app` under uvicorn on a free port of 127.0.0.1, in a background thread; yields the port.

    The server is stopped (and its lifespan ended) on the way out.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    config = uvicorn.Config(app, http="h11", ws="none", lifespan=lifespan, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() < deadline, f"uvicorn did not start within {timeout:g} s"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
