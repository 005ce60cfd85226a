"""Invalidation events from the sources, applied to the caches of every gateway instance.

A source tells the gateway that something changed (a PIM webhook: product p00001); the
instance that hears it publishes an `InvalidationEvent` on a bus. The `Invalidator` turns an
event into cache tags ("pim:p00001", the tag the cache layer puts on every entry for
its key) and deletes what they tag. With Redis as the shared cache, deleting there once
reaches every instance; process-local caches (the in-memory cache, a parsed-document or
response cache registered as a listener) are told through the bus on every instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from connectors.cache import CacheBackend

logger = logging.getLogger(__name__)

_OUTAGE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


@dataclass(frozen=True, slots=True)
class InvalidationEvent:
    """Some of a source's entities changed: ("pim", "product", ["p00001"]).

    `keys` are the source keys the guard caches under (ids, SKUs); `entity` says what they
    name, for listeners that care (a response cache); the cache tags depend on keys only.
    """

    source: str
    entity: str
    keys: Sequence[str]

    def __post_init__(self) -> None:
        # A tuple, so that the event stays immutable and hashable whatever was passed in.
        object.__setattr__(self, "keys", tuple(self.keys))

    def tags(self) -> list[str]:
        return [f"{self.source}:{key}" for key in self.keys]

    def to_json(self, *, origin: str = "") -> str:
        return json.dumps(
            {
                "source": self.source,
                "entity": self.entity,
                "keys": list(self.keys),
                "origin": origin,
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> tuple[InvalidationEvent, str]:
        """The event and the id of the instance that published it; ValueError when malformed."""
        try:
            data = json.loads(text)
            keys = data["keys"]
            event = cls(str(data["source"]), str(data["entity"]), [str(key) for key in keys])
            return event, str(data.get("origin", ""))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"not an invalidation event: {text!r}") from exc


#: Told about each event applied here; None means "events may have been missed: drop all".
Listener = Callable[[InvalidationEvent | None], Awaitable[None]]


class Invalidator:
    """Applies events to this instance's caches and listeners."""

    def __init__(
        self, caches: Sequence[CacheBackend] = (), listeners: Sequence[Listener] = ()
    ) -> None:
        self._caches = list(caches)
        self._listeners = list(listeners)

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    async def apply(self, event: InvalidationEvent, *, shared: bool = True) -> int:
        """Delete the entries `event` tags; `shared=False` leaves shared caches alone.

        Returns how many cache entries were deleted.
        """
        tags = event.tags()
        deleted = 0
        for cache in self._caches:
            if shared or not cache.shared:
                deleted += await cache.invalidate_tags(tags)
        await self._tell(event)
        return deleted

    async def reset_local(self) -> None:
        """Empty the process-local caches: called when events may have been missed."""
        for cache in self._caches:
            if not cache.shared:
                await cache.clear()
        await self._tell(None)

    async def _tell(self, event: InvalidationEvent | None) -> None:
        for listener in self._listeners:
            try:
                await listener(event)
            except Exception:
                # One broken listener must not keep the others (or the caches) stale.
                logger.exception("invalidation listener %r failed", listener)


class InvalidationBus(Protocol):
    """Carries events to every gateway instance; started and stopped by the app's lifespan."""

    async def publish(self, event: InvalidationEvent) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class _Lifespan:
    """`async with bus:` starts and stops it, for a Starlette lifespan's AsyncExitStack."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


class LocalInvalidationBus(_Lifespan):
    """The embedded default: one process, so publishing is applying."""

    def __init__(self, invalidator: Invalidator) -> None:
        self._invalidator = invalidator

    async def publish(self, event: InvalidationEvent) -> None:
        await self._invalidator.apply(event)


class RedisInvalidationBus(_Lifespan):
    """Events as JSON on a Redis pub/sub channel, applied by a subscriber task per instance.

    `publish` applies the event here (shared caches included, so Redis is cleaned once),
    then broadcasts it; every other instance applies it to its local caches only. Pub/sub
    delivers to whoever listens at that moment: after losing its connection, an instance
    empties its local caches (`Invalidator.reset_local`), since it may have missed events.
    A failing `publish` raises redis-py's error, so a webhook can answer 5xx and be retried.
    """

    def __init__(
        self,
        client: Redis,
        invalidator: Invalidator,
        *,
        channel: str = "cg:invalidate",
        reconnect_delay: float = 0.5,
    ) -> None:
        self.instance_id = uuid.uuid4().hex
        self._client = client
        self._invalidator = invalidator
        self._channel = channel
        self._reconnect_delay = reconnect_delay
        self._pubsub: PubSub | None = None
        self._task: asyncio.Task[None] | None = None

    async def publish(self, event: InvalidationEvent) -> None:
        await self._invalidator.apply(event)
        await self._client.publish(self._channel, event.to_json(origin=self.instance_id))

    async def start(self) -> None:
        """Subscribe, and return once Redis confirmed it: no event published later is missed."""
        if self._task is not None:
            return
        pubsub = self._client.pubsub()
        self._pubsub = pubsub
        await pubsub.subscribe(self._channel)
        async with asyncio.timeout(5):
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "subscribe":
                    break
        self._task = asyncio.create_task(self._listen(pubsub), name="invalidation-subscriber")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    async def _listen(self, pubsub: PubSub) -> None:
        connected = True
        while True:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except _OUTAGE as exc:
                if connected:
                    connected = False
                    logger.warning("invalidation channel lost, reconnecting: %r", exc)
                await asyncio.sleep(self._reconnect_delay)
                continue
            if not connected:
                connected = True
                logger.warning("invalidation channel back; emptying local caches")
                await self._invalidator.reset_local()
            if message is not None and message["type"] == "message":
                await self._receive(message)

    async def _receive(self, message: dict[str, Any]) -> None:
        try:
            event, origin = InvalidationEvent.from_json(message["data"])
        except ValueError:
            logger.warning("ignored a malformed invalidation message", exc_info=True)
            return
        if origin == self.instance_id:
            return  # applied in full when we published it
        try:
            await self._invalidator.apply(event, shared=False)
        except Exception:
            logger.exception("could not apply %r", event)
