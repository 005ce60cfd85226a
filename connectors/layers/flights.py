"""Single-flight: work in progress that identical requests join instead of repeating.

One implementation for both caches: the entity cache's fetches (`SharedFetch`, one flight
per batch of keys) and the whole-response cache's query runs (`gateway.response_cache`,
one flight per response key).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable
from typing import Any, Generic, TypeVar

R = TypeVar("R")


class Flight(Generic[R]):
    """One piece of work in progress; its `answer` is what joiners await.

    `tags` say what it reads (a live collection the owner may still be filling) so that an
    invalidation can `discard` it: a discarded flight still answers its callers, but its
    owner must cache nothing from it. `live` flights started without reading any cache.
    """

    __slots__ = ("answer", "discarded", "keys", "live", "tags")

    def __init__(self, keys: tuple[str, ...], tags: Collection[str], live: bool) -> None:
        self.keys = keys
        self.tags = tags
        self.live = live
        self.discarded = False
        self.answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        # Every joiner may have gone away; reading the exception keeps asyncio from logging
        # "exception was never retrieved" for a failure someone else handles.
        self.answer.add_done_callback(retrieve_failure)

    def settle(self, result: R) -> None:
        """Give joiners `result`, unless they already have an answer."""
        if not self.answer.done():
            self.answer.set_result(result)


class SingleFlight(Generic[R]):
    """The flights in progress in this process, by key."""

    def __init__(self) -> None:
        self._by_key: dict[str, Flight[R]] = {}
        self._running: set[Flight[R]] = set()

    def join(self, key: str, *, live: bool = False) -> Flight[R] | None:
        """The flight under way for `key`, if any; a `live` caller joins only live flights."""
        flight = self._by_key.get(key)
        if flight is None or (live and not flight.live):
            return None
        return flight

    def open(self, keys: Iterable[str], tags: Collection[str], *, live: bool = False) -> Flight[R]:
        """A new flight, joinable under `keys` (none: only discardable) until `close`."""
        flight: Flight[R] = Flight(tuple(keys), tags, live)
        for key in flight.keys:
            self._by_key[key] = flight
        self._running.add(flight)
        return flight

    def close(self, flight: Flight[R]) -> None:
        """Stop `flight` being joinable (keys taken over by a later flight stay that one's)."""
        self._running.discard(flight)
        for key in flight.keys:
            if self._by_key.get(key) is flight:
                del self._by_key[key]

    def discard(self, changed: Collection[str] | None) -> list[Flight[R]]:
        """Mark the flights that read any of the `changed` tags (None: all) and close them.

        Returns them, for an owner whose joiners should stop waiting.
        """
        changed = None if changed is None else set(changed)
        hit = [
            flight
            for flight in self._running
            if changed is None or not changed.isdisjoint(flight.tags)
        ]
        for flight in hit:
            flight.discarded = True
            self.close(flight)
        return hit


def retrieve_failure(done: asyncio.Future[Any]) -> None:
    """A done-callback for a future nobody may await.

    Its failure is then not logged as an unretrieved exception; whoever does await it
    still gets it.
    """
    if not done.cancelled():
        done.exception()
