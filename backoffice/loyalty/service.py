"""The loyalty system's service layer: accounts, and points booked on them, as JSON documents.

Reads take a batch of keys and run one statement; unknown keys are simply missing. The
documents are what the loyalty system's REST API serves, so the embedded and the HTTP
connector parse the very same shapes.

An account (`get_accounts`, `find_by_card`); `points` is the real-time balance::

    {"customer_id": "c-1001", "card_number": "2600000000011", "points": 1250}

Writes (`earn`, `reverse`) book one ledger entry and move the balance in one transaction.
Each is keyed by the caller's `reference`, unique in the ledger: booking a reference again
(a retried checkout, a replayed outbox message, twenty at once) answers the entry booked
the first time and moves nothing. How many points a purchase earns is the caller's rule,
not this system's: it receives points, never amounts of money.

A points entry (`earn`, `reverse`, `get_entries`); `points` is what the entry moved the
balance by and `balance` the balance right after it::

    {"reference": "checkout:W-000042", "customer_id": "c-1001",
     "card_number": "2600000000011", "points": 42, "reason": "EARN",
     "order_number": "W-000042", "at": "2024-03-01T10:00:00+00:00", "balance": 1292,
     "shortfall": 0}

The balance never goes below zero, and never without a record (DESIGN §8): a reversal of
more than the balance holds takes what is there, books that (`points` is minus what was
taken, so the ledger still adds up to the balance) and records the rest as `shortfall`.
A customer who earned 40 points, spent them, and returns the purchase ends at 0 with an
entry of 0 points and a shortfall of 40, rather than at -40 or with nothing written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.documents import timestamp
from backoffice.errors import Conflict, InvalidRequest, NoAccount
from backoffice.loyalty.models import Account, PointsEntry
from kernel.clock import Clock

#: A JSON-compatible document as served over REST.
Document = dict[str, Any]

#: The reasons `earn` and `reverse` book when the caller names none (the seed's words).
EARN_REASON = "EARN"
REVERSE_REASON = "RETURN"

#: The longest reference, reason and order number the ledger stores.
MAX_REFERENCE_LENGTH = 64
MAX_REASON_LENGTH = 32
MAX_ORDER_NUMBER_LENGTH = 32

#: The most points one entry may move: far above any purchase, far below integer overflow.
MAX_POINTS = 100_000_000


@dataclass(frozen=True, slots=True)
class _Booking:
    """One `earn` or `reverse` request, checked."""

    customer_id: str
    points: int
    reference: str
    reason: str
    order_number: str | None
    reverse: bool

    def check(self) -> None:
        _text("customer_id", self.customer_id, MAX_REFERENCE_LENGTH)
        _text("reference", self.reference, MAX_REFERENCE_LENGTH)
        _text("reason", self.reason, MAX_REASON_LENGTH)
        if self.order_number is not None:
            _text("order_number", self.order_number, MAX_ORDER_NUMBER_LENGTH)
        # bool is an int to Python, not to JSON.
        if not isinstance(self.points, int) or isinstance(self.points, bool):
            raise InvalidRequest(f"points must be a whole number, got {self.points!r}")
        if not 0 < self.points <= MAX_POINTS:
            raise InvalidRequest(f"points must be between 1 and {MAX_POINTS}, got {self.points}")

    def replayed(self, entry: PointsEntry, customer_id: str) -> Document:
        """The first booking's entry, if it booked what this request asks; else a conflict."""
        reverse = entry.points <= 0
        asked = entry.shortfall - entry.points if reverse else entry.points
        if (customer_id, reverse, asked) != (self.customer_id, self.reverse, self.points):
            kind = "a reversal" if reverse else "an earning"
            raise Conflict(
                f"the reference {self.reference!r} was used for {kind} of {asked} points "
                f"for the customer {customer_id!r}; a retry must repeat the first request"
            )
        return _entry_document(entry, customer_id)


class LoyaltyService:
    """The reference loyalty system: batch reads, and bookings that are safe to repeat.

    `clock` gives the moment an entry is booked.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def get_accounts(self, customer_ids: Sequence[str]) -> list[Document]:
        """The loyalty accounts of these customers."""
        if not customer_ids:
            return []
        return await self._accounts(
            select(Account)
            .where(Account.customer_id.in_(customer_ids))
            .order_by(Account.customer_id)
        )

    async def find_by_card(self, card_numbers: Sequence[str]) -> list[Document]:
        """The loyalty accounts with these card numbers."""
        if not card_numbers:
            return []
        return await self._accounts(
            select(Account)
            .where(Account.card_number.in_(card_numbers))
            .order_by(Account.card_number)
        )

    async def earn(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str = EARN_REASON,
        order_number: str | None = None,
    ) -> Document:
        """Add `points` (> 0) to the customer's balance, once per `reference`; the entry.

        Raises `NoAccount` when the customer has no card, `Conflict` when `reference` was
        booked for another request, `InvalidRequest` for a malformed one.
        """
        return await self._book(
            _Booking(customer_id, points, reference, reason, order_number, reverse=False)
        )

    async def reverse(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str = REVERSE_REASON,
        order_number: str | None = None,
    ) -> Document:
        """Take `points` (> 0) back, at most down to zero, once per `reference`; the entry.

        What the balance could not cover is the entry's `shortfall`. Raises as `earn` does.
        """
        return await self._book(
            _Booking(customer_id, points, reference, reason, order_number, reverse=True)
        )

    async def get_entries(self, references: Sequence[str]) -> list[Document]:
        """The entries booked under these references (a recovering caller asks what happened)."""
        if not references:
            return []
        async with self._sessions() as session:
            rows = (
                await session.execute(
                    _entries()
                    .where(PointsEntry.reference.in_(references))
                    .order_by(PointsEntry.reference)
                )
            ).all()
        return [_entry_document(entry, customer_id) for entry, customer_id in rows]

    async def _book(self, booking: _Booking) -> Document:
        booking.check()
        # The common retry finds its entry without taking any lock.
        if (found := await self._entry(booking.reference)) is not None:
            return booking.replayed(*found)
        try:
            async with self._sessions.begin() as session:
                entry = await self._write(session, booking)
        except IntegrityError:
            # A concurrent twin booked the reference first; the unique key refused ours.
            if (found := await self._entry(booking.reference)) is None:
                raise
            return booking.replayed(*found)
        return _entry_document(entry, booking.customer_id)

    async def _write(self, session: AsyncSession, booking: _Booking) -> PointsEntry:
        # An update that changes nothing, to read the balance under the write lock: a row
        # lock on PostgreSQL, the database's write lock on SQLite (where SELECT ... FOR
        # UPDATE does not exist). Concurrent bookings on one card queue here, so none
        # computes its new balance from a stale one.
        locked = (
            await session.execute(
                update(Account)
                .where(Account.customer_id == booking.customer_id)
                .values(points=Account.points)
                .returning(Account.card_number, Account.points)
                .execution_options(synchronize_session=False)
            )
        ).one_or_none()
        if locked is None:
            raise NoAccount(booking.customer_id)
        card_number, before = locked
        # A reversal takes what the balance holds, at most what it asks for.
        moved = -min(booking.points, before) if booking.reverse else booking.points
        entry = PointsEntry(
            card_number=card_number,
            at=self._clock.now(),
            points=moved,
            reason=booking.reason,
            order_number=booking.order_number,
            reference=booking.reference,
            balance=before + moved,
            shortfall=booking.points + moved if booking.reverse else 0,
        )
        session.add(entry)
        # The unique reference refuses a twin that booked while we waited for the lock.
        await session.flush()
        await session.execute(
            update(Account)
            .where(Account.card_number == card_number)
            .values(points=entry.balance)
            .execution_options(synchronize_session=False)
        )
        return entry

    async def _entry(self, reference: str) -> tuple[PointsEntry, str] | None:
        async with self._sessions() as session:
            row = (
                await session.execute(_entries().where(PointsEntry.reference == reference))
            ).one_or_none()
        return None if row is None else (row[0], row[1])

    async def _accounts(self, statement: Select[Account]) -> list[Document]:
        async with self._sessions() as session:
            accounts = (await session.scalars(statement)).all()
        return [
            {
                "customer_id": account.customer_id,
                "card_number": account.card_number,
                "points": account.points,
            }
            for account in accounts
        ]


def _entries() -> Select[PointsEntry, str]:
    return select(PointsEntry, Account.customer_id).join(
        Account, Account.card_number == PointsEntry.card_number
    )


def _entry_document(entry: PointsEntry, customer_id: str) -> Document:
    return {
        "reference": entry.reference,
        "customer_id": customer_id,
        "card_number": entry.card_number,
        "points": entry.points,
        "reason": entry.reason,
        "order_number": entry.order_number,
        "at": timestamp(entry.at),
        "balance": entry.balance,
        "shortfall": entry.shortfall,
    }


def _text(name: str, value: object, longest: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{name} must be a non-empty string, got {value!r}")
    if len(value) > longest:
        raise InvalidRequest(f"{name} must be at most {longest} characters, got {len(value)}")
