"""The gateways a run measures, started over one source system, and how to make them cold.

* ours      our gateway (uvicorn, one process), sources over HTTP, no cache at all
            (every TTL 0, no response cache): each request fetches everything
* ours+ec   the same with its entity cache in Redis (warm under load)
* ours+rc   the entity cache and the whole-response cache
* peer      Hive Gateway + GraphQL Mesh over the back office's OpenAPI documents, batched
* peer+rc   the same with Hive's response cache

Redis: a database of its own (`--redis-url`, db 13 by default) in which only our gateway's
keys (`cg:*`) are deleted, between cold samples and at the end; never FLUSHALL.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
from redis.asyncio import Redis

from backoffice.rest import SYSTEMS
from bench import peer
from bench.client import Request
from bench.processes import Service, free_port
from bench.queries import CHANNEL, BenchQuery, Subjects
from gateway.auth import mint_token
from gateway.config import DEV_WEBHOOK_SECRET
from gateway.config import Settings as GatewaySettings
from gateway.hooks import sign

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TARGETS = ("ours", "ours+ec", "ours+rc", "peer", "peer+rc")
#: The entity-cache TTLs that `ours` sets to 0 (the private domains are 0 already).
_PUBLIC_TTLS = ("PRODUCT", "PRICE", "AVAILABILITY", "LOCATION")


def clean_env() -> dict[str, str]:
    """This environment without settings of ours, and with the project importable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("GATEWAY_") and name not in ("DATABASE_URL", "REDIS_URL")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def ours_env(target: str, source_url: str, redis_url: str) -> dict[str, str]:
    """Our gateway's settings for `target` over the source system at `source_url`."""
    env = clean_env()
    for system in SYSTEMS:
        env[f"GATEWAY_SOURCES__{system.upper()}__KIND"] = "http"
        env[f"GATEWAY_SOURCES__{system.upper()}__BASE_URL"] = source_url
    env.update(
        {
            "GATEWAY_CACHE__BACKEND": "redis",
            "REDIS_URL": redis_url,
            "GATEWAY_CACHE__RESPONSES": "true" if target == "ours+rc" else "false",
            # On, the response cache is off: every answer would describe its own calls.
            "GATEWAY_SERVER__DEBUG_SOURCE_CALLS": "false",
            # The access log line per request is not what is measured here.
            "GATEWAY_SERVER__LOG_LEVEL": "warning",
        }
    )
    if target == "ours":
        env["GATEWAY_CACHE__BACKEND"] = "memory"
        env["GATEWAY_CACHE__LOCAL_SECONDS"] = "0"
        for name in _PUBLIC_TTLS:
            env[f"GATEWAY_CACHE__TTL__{name}"] = "0"
    return env


def peer_env(work: Path, source_url: str, subjects: Subjects) -> dict[str, str]:
    """What `mesh.config.ts` reads: the documents, the source system, the channel, stores."""
    return {
        **clean_env(),
        "BENCH_BACKOFFICE_URL": source_url,
        "BENCH_OPENAPI_DIR": str(work / "openapi"),
        "BENCH_CHANNEL": CHANNEL,
        "BENCH_PRODUCT_STORES": orjson.dumps(list(subjects.product_stores)).decode(),
        "BENCH_LISTING_STORES": orjson.dumps(list(subjects.listing_stores)).decode(),
    }


def prepare_peer(peer_dir: Path, work: Path, source: str, env: Mapping[str, str]) -> Path:
    """Install the peer (once), and compose its supergraph over one source system."""
    peer.install(peer_dir, clean_env())
    peer.prepare_documents(work / "openapi")
    supergraph = work / f"supergraph-{source}.graphql"
    peer.compose(peer_dir, supergraph, env)
    return supergraph


def request(target: str, query: BenchQuery, port: int, subjects: Subjects) -> Request:
    """The prepared HTTP request of `query` to the gateway of `target` on `port`."""
    if target.startswith("peer"):
        return Request.graphql(HOST, port, query.peer, query.peer_variables(subjects))
    headers = {"x-channel": CHANNEL}
    if query.as_customer:
        token = mint_token(
            GatewaySettings().auth, role="customer", customer_id=subjects.customer_id
        )
        headers["authorization"] = f"Bearer {token}"
    return Request.graphql(HOST, port, query.ours, query.ours_variables(subjects), headers)


async def clear_cache(redis: Redis) -> None:
    """Delete our gateway's keys (`cg:*`) in the bench's Redis database, nothing else."""
    batch: list[bytes] = []
    async for key in redis.scan_iter(match="cg:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            await redis.unlink(*batch)
            batch = []
    if batch:
        await redis.unlink(*batch)


async def empty_local_front(port: int) -> None:
    """Empty the gateway's per-process front over Redis (cache.local_seconds), as a source
    system would: any signed invalidation event empties it. Not part of any measurement."""
    body = orjson.dumps({"source": "pim", "entity": "product", "keys": ["bench-cold-start"]})
    stamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-gateway-timestamp": stamp,
        "x-gateway-signature": sign(DEV_WEBHOOK_SECRET, stamp, body),
    }
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://{HOST}:{port}/hooks/invalidate", content=body, headers=headers
        )
    response.raise_for_status()


@dataclass(slots=True)
class Gateway:
    """One started gateway: its process, its port, and how to make it cold (None: it cannot
    be from outside, the peer's response cache)."""

    target: str
    service: Service
    port: int
    clear: Callable[[], Awaitable[None]] | None

    @property
    def health_url(self) -> str:
        path = "/healthcheck" if self.target.startswith("peer") else "/healthz"
        return f"http://{HOST}:{self.port}{path}"


def start(
    target: str,
    *,
    work: Path,
    source_url: str,
    redis: Redis,
    redis_url: str,
    supergraph: Path | None,
    peer_dir: Path,
    env: Mapping[str, str] | None = None,
) -> Gateway:
    """Start the gateway of `target` over the source system at `source_url` (not yet ready)."""
    port = free_port()
    log = work / f"{target}.log"
    if target.startswith("peer"):
        assert supergraph is not None
        assert env is not None
        service = peer.start(
            peer_dir,
            supergraph,
            port=port,
            response_cache=target.endswith("+rc"),
            env=env,
            log=log,
        )
        clear = None if target.endswith("+rc") else _nothing
        return Gateway(target, service, port, clear)
    argv = [sys.executable, "-m", "gateway.cli", "serve", "--host", HOST, "--port", str(port)]
    service = Service(target, argv, env=ours_env(target, source_url, redis_url), cwd=work, log=log)

    async def clear_ours() -> None:
        # The caches may be written after the answer is sent: a write of the previous
        # request landing after the clear would make the next "cold" request warm (the
        # cold samples' check caught one after 50 ms on a machine with load average 8).
        await asyncio.sleep(0.2)
        await clear_cache(redis)
        await empty_local_front(port)

    return Gateway(target, service, port, clear_ours)


async def _nothing() -> None:
    """The peer without a response cache keeps nothing between requests."""
