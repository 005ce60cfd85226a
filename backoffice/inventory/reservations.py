"""Stock reservations: units taken for a checkout, all or nothing, never more than there are.

A checkout reserves its lines before the OMS creates the order, releases them if a later
step fails, and commits them once the order exists. Each write is keyed by the
reservation id that the checkout chose, so that any of them may be sent again (after a
timeout, or by a gateway recovering from a crash) without applying twice:

* `reserve(id, lines)` takes every line's units in one transaction, or none. Each line is
  one conditional update, `quantity = quantity - :q ... WHERE quantity >= :q`, so the
  check and the take are one atomic step in the database: concurrent checkouts can never
  take the same unit, whichever database and however many gateway processes. The same id
  with the same lines answers the reservation it made; with other lines it is refused.
* `release(id)` puts the units back once; `commit(id, order_id=...)` hands them to the
  order for good. A released reservation cannot be committed, a committed one not released.

The tombstone. Releasing an id that was never reserved records it as RELEASED, without
lines. This is what makes recovery safe: a gateway that crashed mid-checkout cannot know
whether its `reserve` reached the inventory, is still on the wire, or was lost, so it
releases the id. Were the unknown id ignored, a `reserve` arriving after that release (a
retry, a slow request) would take stock that no checkout will ever commit or release. With
the tombstone, that late `reserve` is refused with RESERVATION_CONFLICT and takes nothing.

A reservation document (`order_id` is set once committed; a tombstone has no lines and no
reference)::

    {"id": "chk-7f3a", "status": "RESERVED", "reference": "checkout-7f3a", "order_id": null,
     "created_at": "2026-06-03T12:00:00+00:00", "updated_at": "2026-06-03T12:00:00+00:00",
     "lines": [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2}]}

Concurrency. On PostgreSQL (READ COMMITTED) a conditional update waits for the row lock
and re-evaluates its condition on the row as the other transaction left it, so the
condition holds on what it takes. Lines are taken in variant and location order, so two
multi-line reservations lock rows in the same order and cannot deadlock; release and
commit lock the reservation row (`FOR UPDATE`) before they look at its status. SQLite has
one writer at a time: each write transaction starts with `BEGIN IMMEDIATE`, which takes
the write lock up front and waits for it in SQLite's busy handler (the `timeout` of
Python's sqlite3 module, 5 s by default). The deferred `BEGIN` that pysqlite issues on its
own takes the write lock only at the first write, and a transaction that has read by then
fails at once with "database is locked": SQLite refuses to wait there, since two readers
waiting to write would wait for each other forever. So concurrent writers queue instead.
Two requests for the same new id both insert it; the loser of that race meets the unique
key, and its transaction runs again and finds the winner's row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.documents import timestamp
from backoffice.errors import InsufficientStock, NotFound, ReservationConflict
from backoffice.inventory.models import Reservation, ReservationLine, Stock
from backoffice.inventory.writes import Pair, check_id, move, retrying, wanted_lines
from kernel.clock import Clock

#: A JSON-compatible document as the inventory's API serves it.
Document = dict[str, Any]


class Reservations:
    """The reservation half of the inventory's service layer (`InventoryService` delegates)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[Mapping[str, Any]],
        *,
        reference: str | None = None,
    ) -> Document:
        """Take every line's units, or none and raise `InsufficientStock` listing each short line.

        Lines of the same variant and location count together. Reserving an id again with
        the same lines answers the existing reservation and leaves stock alone (its
        `reference` is not compared: it is a label); other lines, or an id already
        released, raise `ReservationConflict`.
        """
        check_id("id", reservation_id)
        if reference is not None:
            check_id("reference", reference)
        wanted = wanted_lines(lines, "a reservation")
        return await retrying(
            self._sessions,
            lambda session: self._reserve(session, reservation_id, wanted, reference),
        )

    async def release(self, reservation_id: str) -> Document:
        """Put the units back (once) and mark the reservation RELEASED.

        An unknown id is recorded as a RELEASED tombstone, so that a `reserve` of it that
        arrives later is refused: see the module's docstring. A COMMITTED reservation
        raises `ReservationConflict`: its units belong to an order.
        """
        check_id("id", reservation_id)
        return await retrying(
            self._sessions, lambda session: self._release(session, reservation_id)
        )

    async def commit(self, reservation_id: str, *, order_id: str) -> Document:
        """Mark the reservation COMMITTED to `order_id`: its units stay taken, for good.

        Committing again to the same order answers the same; to another order, or a
        RELEASED reservation, raises `ReservationConflict`; an unknown id `NotFound`.
        """
        check_id("id", reservation_id)
        check_id("order_id", order_id)
        return await retrying(
            self._sessions, lambda session: self._commit(session, reservation_id, order_id)
        )

    async def get(self, ids: Sequence[str]) -> list[Document]:
        """The reservations with these ids (tombstones too); unknown ids are missing."""
        if not ids:
            return []
        async with self._sessions() as session:
            rows = await session.scalars(
                select(Reservation).where(Reservation.id.in_(set(ids))).order_by(Reservation.id)
            )
            return [_document(row) for row in rows]

    async def _reserve(
        self,
        session: AsyncSession,
        reservation_id: str,
        wanted: Mapping[Pair, int],
        reference: str | None,
    ) -> Document:
        existing = await session.get(Reservation, reservation_id)
        if existing is not None:
            return _replayed(existing, wanted)
        now = self._clock.now()
        # The id is claimed first: a concurrent reserve of it waits on the key, then retries.
        reservation = Reservation(
            id=reservation_id,
            status="RESERVED",
            reference=reference,
            order_id=None,
            created_at=now,
            updated_at=now,
            lines=[],
        )
        session.add(reservation)
        await session.flush()
        short: list[Pair] = []
        for (variant_id, location_id), quantity in wanted.items():
            if not await move(session, variant_id, location_id, -quantity, now):
                short.append((variant_id, location_id))
        if short:
            shortages = [
                {
                    "variant_id": variant_id,
                    "location_id": location_id,
                    "requested": wanted[(variant_id, location_id)],
                    "available": await _available(session, variant_id, location_id),
                }
                for variant_id, location_id in short
            ]
            raise InsufficientStock(shortages)  # the transaction rolls back every line taken
        reservation.lines = [
            ReservationLine(variant_id=variant_id, location_id=location_id, quantity=quantity)
            for (variant_id, location_id), quantity in wanted.items()
        ]
        await session.flush()
        return _document(reservation)

    async def _release(self, session: AsyncSession, reservation_id: str) -> Document:
        now = self._clock.now()
        reservation = await _locked(session, reservation_id)
        if reservation is None:
            tombstone = Reservation(
                id=reservation_id,
                status="RELEASED",
                reference=None,
                order_id=None,
                created_at=now,
                updated_at=now,
                lines=[],
            )
            session.add(tombstone)
            await session.flush()
            return _document(tombstone)
        if reservation.status == "COMMITTED":
            raise ReservationConflict(
                f"reservation {reservation_id!r} is committed to order "
                f"{reservation.order_id!r}; its units cannot be released"
            )
        if reservation.status == "RESERVED":
            for line in reservation.lines:
                await move(session, line.variant_id, line.location_id, line.quantity, now)
            reservation.status = "RELEASED"
            reservation.updated_at = now
            await session.flush()
        return _document(reservation)

    async def _commit(self, session: AsyncSession, reservation_id: str, order_id: str) -> Document:
        reservation = await _locked(session, reservation_id)
        if reservation is None:
            raise NotFound(f"no reservation {reservation_id!r} to commit")
        if reservation.status == "RELEASED":
            raise ReservationConflict(
                f"reservation {reservation_id!r} was released; reserve again under a new id"
            )
        if reservation.status == "COMMITTED":
            if reservation.order_id != order_id:
                raise ReservationConflict(
                    f"reservation {reservation_id!r} is committed to order "
                    f"{reservation.order_id!r}, not {order_id!r}"
                )
            return _document(reservation)
        reservation.status = "COMMITTED"
        reservation.order_id = order_id
        reservation.updated_at = self._clock.now()
        await session.flush()
        return _document(reservation)


async def _available(session: AsyncSession, variant_id: str, location_id: str) -> int:
    quantity = await session.scalar(
        select(Stock.quantity).where(
            Stock.variant_id == variant_id, Stock.location_id == location_id
        )
    )
    return max(quantity or 0, 0)


async def _locked(session: AsyncSession, reservation_id: str) -> Reservation | None:
    """The reservation, its row locked until the transaction ends (PostgreSQL; SQLite has one writer)."""
    return await session.scalar(
        select(Reservation).where(Reservation.id == reservation_id).with_for_update()
    )


def _replayed(existing: Reservation, wanted: Mapping[Pair, int]) -> Document:
    """The answer to a repeated reserve: the reservation it made, if it asked for the same."""
    if existing.status == "RELEASED":
        raise ReservationConflict(
            f"reservation {existing.id!r} was released; a released id is never reserved "
            "again, so reserve under a new id"
        )
    held = {(line.variant_id, line.location_id): line.quantity for line in existing.lines}
    if held != dict(wanted):
        raise ReservationConflict(
            f"reservation {existing.id!r} exists with other lines; use a new id for a new "
            "reservation"
        )
    return _document(existing)


def _document(reservation: Reservation) -> Document:
    return {
        "id": reservation.id,
        "status": reservation.status,
        "reference": reservation.reference,
        "order_id": reservation.order_id,
        "created_at": timestamp(reservation.created_at),
        "updated_at": timestamp(reservation.updated_at),
        "lines": [
            {
                "variant_id": line.variant_id,
                "location_id": line.location_id,
                "quantity": line.quantity,
            }
            for line in reservation.lines
        ],
    }
