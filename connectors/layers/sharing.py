"""The entity cache's single-flight layer: concurrent misses of a key make one source call."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Mapping
from typing import Any, TypeVar, cast

from connectors.invalidation import InvalidationEvent
from connectors.layers.flights import Flight, SingleFlight, retrieve_failure
from connectors.layers.requests import Call, CallLayer, Read

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class _Absent:
    """Marks a key the source had no answer for."""


_ABSENT = _Absent()


class SharedFetch:
    """Joins the fetches in flight for a read's keys and starts one for the rest.

    The fetch runs in a task of its own, so a caller that goes away does not cancel the
    others' answer. It answers first, then (after the leader's response is out: its
    `WriteBehind`) writes the cache through `read.store`, and stays joinable until then,
    so that no second fetch starts for its keys in between. Only the leader's call log
    records the call. A caller without a request (no recorder) waits for the write too:
    a background refresh is done once its answer is cached.
    """

    def __init__(self, source: str, inner: CallLayer) -> None:
        self._source = source
        self._inner = inner
        self.flights: SingleFlight[Mapping[Any, Any]] = SingleFlight()

    async def read(self, read: Read[K, V]) -> dict[K, V]:
        flight_of: dict[K, Flight[Mapping[Any, Any]]] = {}
        own: list[K] = []
        for key in read.keys:
            flight = self.flights.join(read.names[key], live=read.live)
            if flight is not None:
                flight_of[key] = flight
            else:
                own.append(key)
        lead: asyncio.Task[Any] | None = None
        if own:
            flight = self.flights.open(
                (read.names[key] for key in own),
                frozenset(read.tags[key] for key in own),
                live=read.live,
            )
            lead = asyncio.create_task(self._lead(flight, read, own))
            lead.add_done_callback(retrieve_failure)
            flight_of.update(dict.fromkeys(own, flight))
        flights = list({id(flight): flight for flight in flight_of.values()}.values())
        # shield(): a caller that is cancelled must not cancel a fetch others await.
        results = await asyncio.gather(
            *(asyncio.shield(flight.answer) for flight in flights), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        if lead is not None and read.recorder is None:
            await asyncio.wait({lead})  # its failure to cache is not the caller's
        answers = {id(flight): result for flight, result in zip(flights, results, strict=True)}
        fetched: dict[K, V] = {}
        for key, flight in flight_of.items():
            value = cast(Mapping[K, V], answers[id(flight)]).get(key, _ABSENT)
            if not isinstance(value, _Absent):
                fetched[key] = value
        return fetched

    async def on_invalidation(self, event: InvalidationEvent | None) -> None:
        """Listener for `Invalidator`: answers being fetched for changed keys are not cached.

        Deleting the cache entries is not enough: a fetch that started before the change
        would write the old answer back when it ends. None (events were missed) means all.
        """
        if event is None or event.source == self._source:
            self.flights.discard(None if event is None else event.tags())

    async def _lead(
        self, flight: Flight[Mapping[Any, Any]], read: Read[K, V], keys: list[K]
    ) -> Mapping[K, V]:
        try:
            try:
                fetched = await self._inner.call(
                    Call(read.operation, len(keys), lambda: read.fetch(keys), True, read.recorder)
                )
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError):
                    flight.answer.cancel()
                else:
                    flight.answer.set_exception(exc)
                raise
            flight.settle(fetched)
            if read.recorder is not None:
                await read.recorder.writes.hold()
            if not flight.discarded and read.store is not None:
                await read.store({key: fetched[key] for key in keys if key in fetched})
            return fetched
        finally:
            self.flights.close(flight)
