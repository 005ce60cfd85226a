"""Redis for the cache and invalidation tests: the shared server, or one of our own to kill."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from tests.servers import require_redis


def fast_redis(url: str) -> Redis:
    """A client configured as RedisCache's docstring recommends: give up in a quarter second."""
    return Redis.from_url(
        url,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


@pytest.fixture
async def redis_client() -> AsyncIterator[Redis]:
    """A client of the shared Redis (REDIS_URL or 127.0.0.1:6379); skips or fails without it."""
    client = fast_redis(require_redis())
    yield client
    await client.aclose()


@pytest.fixture
async def key_prefix(redis_client: Redis) -> AsyncIterator[str]:
    """A prefix no other test run uses; every key under it is deleted afterwards."""
    prefix = f"cgtest:{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = [key async for key in redis_client.scan_iter(match=f"{prefix}*")]
    if keys:
        await redis_client.delete(*keys)


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


@pytest.fixture
def redis_process() -> Iterator[RedisProcess]:
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
