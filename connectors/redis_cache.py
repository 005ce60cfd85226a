"""A `CacheBackend` on Redis, shared by every gateway instance, that never fails a request.

Redis is an optimisation here, not a dependency: when it is unreachable, reads miss, writes
and deletes are skipped, one warning is logged per outage and `healthy` turns False (for
/readyz) until a later command succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import orjson
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from connectors.cache import CacheEntry
from kernel.clock import Clock, epoch_seconds

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: What an unreachable Redis raises: redis-py's own errors, and the OS's or asyncio's
#: when our `op_timeout` or a socket gives up first.
_OUTAGE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)

#: How many keys one SCAN step or one DEL of `clear()` handles.
_CLEAR_BATCH = 1000

#: Writes a batch of entries and adds them to their tag sets in one command. KEYS: the
#: entries' keys. ARGV[1]: JSON `[ttls_ms, [[tag_set_key, ttl_ms, [members...]], ...]]`;
#: ARGV[2..]: the entries' blobs. A tag set lives as long as its longest-lived member. One
#: script, and the tags in one argument: redis-py packs every command and argument in
#: Python, and a SADD and PEXPIREs per tag per entry cost a cold listing 50-90 ms. (The
#: tag sets are not declared in KEYS: this is for a single Redis, not Redis Cluster.)
_WRITE_SCRIPT = """
local meta = cjson.decode(ARGV[1])
local ttls = meta[1]
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ttls[i])
end
for _, tag in ipairs(meta[2]) do
  local key, ttl = tag[1], tag[2]
  redis.call('SADD', key, unpack(tag[3]))
  if redis.call('PTTL', key) < ttl then
    redis.call('PEXPIRE', key, ttl)
  end
end
return #KEYS
"""


class RedisCache:
    """Entries in Redis under `prefix`, each expiring at its `stale_until`.

    Reads are one `MGET`; writes one Lua script that sets the entries with their TTLs and
    adds them to their tag sets; `invalidate_tags` reads the tag sets and deletes them
    with their members.

    The client is passed in; configure it to give up fast, since a slow cache is worse
    than none::

        Redis.from_url(
            url,
            socket_timeout=0.25,
            socket_connect_timeout=0.25,
            health_check_interval=30,  # PING a connection idle for 30 s before reusing it
            retry=Retry(NoBackoff(), 1),  # redis-py's default retries for seconds
        )

    `op_timeout` bounds every operation whatever the client's settings. After a failure
    the backend stops asking Redis for `recheck_seconds`, so an outage costs one timeout
    per interval rather than one per request; the first command that succeeds after that
    marks it healthy again. Put a deploy version in `prefix` ("cg:v7:") when record
    classes change, so that instances of two versions never read each other's pickles.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "cg:",
        shared: bool = True,
        op_timeout: float = 0.5,
        recheck_seconds: float = 1.0,
        clock: Clock,
    ) -> None:
        if client.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("RedisCache stores bytes: pass a client with decode_responses=False")
        self.shared = shared
        self._client = client
        self._prefix = prefix
        self._tag_prefix = f"{prefix}tag:"
        self._op_timeout = op_timeout
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._healthy = True
        self._retry_at = 0.0
        self._write = client.register_script(_WRITE_SCRIPT)

    @property
    def healthy(self) -> bool:
        """False from a failed command until the next one that succeeds."""
        return self._healthy

    async def ping(self) -> bool:
        """Ask Redis now (for /readyz), whatever the recheck interval; returns `healthy`."""
        await self._run(self._client.ping, None, probe=True)
        return self._healthy

    async def get_many(self, keys: Sequence[str]) -> list[CacheEntry | None]:
        if not keys:
            return []
        names = [self._prefix + key for key in keys]
        raw: list[bytes | str | None] | None = await self._run(
            lambda: self._client.mget(names), None
        )
        if raw is None:
            return [None] * len(keys)
        now = epoch_seconds(self._clock)
        return [self._load(key, blob, now) for key, blob in zip(keys, raw, strict=True)]

    async def set_many(
        self,
        entries: Mapping[str, CacheEntry],
        tags: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        if self._resting():
            return
        now = epoch_seconds(self._clock)
        keys: list[str] = []
        blobs: list[bytes] = []
        ttls: list[int] = []
        tag_members: dict[str, list[str]] = {}
        tag_ttls: dict[str, int] = {}
        for key, entry in entries.items():
            ttl_ms = int((entry.stale_until - now) * 1000)
            if ttl_ms <= 0:
                continue
            keys.append(self._prefix + key)
            blobs.append(_dump(entry))
            ttls.append(ttl_ms)
            for tag in tags.get(key, ()) if tags else ():
                tag_members.setdefault(tag, []).append(key)
                tag_ttls[tag] = max(tag_ttls.get(tag, 0), ttl_ms)
        if not keys:
            return
        tag_sets = [
            (self._tag_prefix + tag, tag_ttls[tag], members) for tag, members in tag_members.items()
        ]
        args = [orjson.dumps([ttls, tag_sets]), *blobs]
        await self._run(lambda: self._write(keys=keys, args=args), None)

    async def delete_many(self, keys: Sequence[str]) -> None:
        if keys:
            names = [self._prefix + key for key in keys]
            await self._run(lambda: self._client.delete(*names), None)

    async def invalidate_tags(self, tags: Sequence[str]) -> int:
        if not tags or self._resting():
            return 0
        tag_keys = [self._tag_prefix + tag for tag in tags]
        # One transaction reads and drops the tag sets, so no member added meanwhile is
        # lost; an entry written after it is fresh data and needs no deleting.
        pipe = self._client.pipeline(transaction=True)
        for tag_key in tag_keys:
            pipe.smembers(tag_key)
        pipe.delete(*tag_keys)
        replies: list[Any] | None = await self._run(pipe.execute, None)
        if replies is None:
            logger.warning("cache invalidation of %d tags skipped: Redis is down", len(tags))
            return 0
        members = {member for reply in replies[:-1] for member in reply}
        if not members:
            return 0
        keys = [self._prefix + member.decode() for member in members]
        deleted: int | None = await self._run(lambda: self._client.delete(*keys), None)
        return deleted or 0

    async def clear(self) -> None:
        """Delete every key under the prefix (entries and tag sets), SCAN by SCAN."""
        pattern = _escape_glob(self._prefix) + "*"

        async def scan_and_delete() -> None:
            batch: list[bytes] = []
            async for key in self._client.scan_iter(match=pattern, count=_CLEAR_BATCH):
                batch.append(key)
                if len(batch) >= _CLEAR_BATCH:
                    await self._client.delete(*batch)
                    batch.clear()
            if batch:
                await self._client.delete(*batch)

        await self._run(scan_and_delete, None, bounded=False)

    async def _run(
        self,
        command: Callable[[], Awaitable[T]],
        fallback: T,
        *,
        probe: bool = False,
        bounded: bool = True,
    ) -> T:
        """Run `command`, or return `fallback` when Redis is (recently found) unreachable."""
        if self._resting() and not probe:
            return fallback
        try:
            async with asyncio.timeout(self._op_timeout if bounded else None):
                result = await command()
        except _OUTAGE as exc:
            self._retry_at = time.monotonic() + self._recheck_seconds
            if self._healthy:
                self._healthy = False
                logger.warning("Redis cache unreachable, serving from the sources: %r", exc)
            return fallback
        if not self._healthy:
            self._healthy = True
            logger.warning("Redis cache reachable again")
        return result

    def _resting(self) -> bool:
        """True while we leave a failed Redis alone until its recheck time."""
        return not self._healthy and time.monotonic() < self._retry_at

    def _load(self, key: str, blob: bytes | str | None, now: float) -> CacheEntry | None:
        if blob is None:
            return None
        try:
            if isinstance(blob, str):  # decode_responses is refused in __init__
                raise TypeError("a text reply where bytes were expected")
            value, stored_at, fresh_until, stale_until = pickle.loads(blob)
        except Exception:
            # A blob we cannot read (another version's record class) is a miss, not an error.
            logger.warning("unreadable cache entry %s dropped", key, exc_info=True)
            return None
        if now >= stale_until:
            return None
        return CacheEntry(value, stored_at, fresh_until, stale_until)


def _dump(entry: CacheEntry) -> bytes:
    # Pickle, not JSON: the values are our own frozen dataclass records holding Decimal,
    # datetime and tuples, which pickle round-trips exactly, compactly and fast without a
    # codec per record; and Redis is a trusted internal store that only our instances
    # write, so unpickling its blobs runs no foreign input. Protocol 5 is the compact one.
    return pickle.dumps(
        (entry.value, entry.stored_at, entry.fresh_until, entry.stale_until), protocol=5
    )


def _escape_glob(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
