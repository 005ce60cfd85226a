"""Errors raised by connectors; nothing else escapes a connector.

* ConnectorError(source)
  + SourceUnavailable        could not connect, or the source answered 5xx
    - SourceTimeout          the source did not answer within its timeout
      . NoFreeSlot           we never called it: our own concurrency cap queued us too long
    - CircuitOpen            we never called it: its circuit breaker is open
  + SourceRejected           the source answered 4xx to a request we built (our bug)
  + SourceContractViolation  the response did not have the shape we parse
  + UnknownKeys              the request named keys the source does not know (`keys`)
  + SourceRefused(code)      the source refused a write for a business reason
    - NotFound, VersionConflict, CartNotOpen, CartOwned, WrongLocation,
      NotReturnable, ReturnNotOpen                                       (the OMS)
    - IdentifierTaken, VoucherNotRedeemable                              (the CRM)
    - InsufficientStock      a reservation wants more units than are in stock (`shortages`)
    - ReservationConflict    a reservation id is reused for other lines, or moved the wrong way
    - NoLoyaltyAccount       the customer has no loyalty account (NO_ACCOUNT)

A refusal is a source's answer to a write, not a failure: the source is up (the guard's
breaker counts it as a success), nothing was written, and resolvers turn its `code`
into a userErrors entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ConnectorError(Exception):
    """A source system could not give an answer."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


class SourceUnavailable(ConnectorError):
    """The source could not be reached or answered with a server error."""


class SourceTimeout(SourceUnavailable):
    """The source did not answer within its timeout."""


class NoFreeSlot(SourceTimeout):
    """The call waited too long for a slot under the source's concurrency cap.

    It never reached the source, so the breaker does not blame the source for it.
    """


class CircuitOpen(SourceUnavailable):
    """The source's circuit breaker is open: the call fails fast without being made."""


class SourceRejected(ConnectorError):
    """The source refused a request we built: a bug on our side, not the caller's."""


class SourceContractViolation(ConnectorError):
    """The source answered with a document we cannot parse."""


class UnknownKeys(ConnectorError):
    """A request named keys the source does not know, e.g. unknown variants in a quote.

    Batch reads leave unknown keys out of their result instead; this is for requests that
    cannot be answered in part.
    """

    def __init__(self, source: str, keys: Iterable[str]) -> None:
        self.keys: tuple[str, ...] = tuple(keys)
        super().__init__(source, f"unknown keys: {', '.join(self.keys)}")


class SourceRefused(ConnectorError):
    """The source understood a write and refused it for a business reason (an HTTP 404 or 409).

    Unlike `SourceRejected` (our bug), the caller can act on it: each subclass has a stable
    `code` the resolvers put in a mutation's userErrors. The source is up: the circuit
    breaker counts it as an answer.
    """

    code = "REFUSED"


class NotFound(SourceRefused):
    """The object the write is about does not exist (or no longer)."""

    code = "NOT_FOUND"


class VersionConflict(SourceRefused):
    """The object changed since the caller read it; read it again and retry."""

    code = "VERSION_CONFLICT"


class CartNotOpen(SourceRefused):
    """The cart was merged into another cart or became an order."""

    code = "CART_NOT_OPEN"


class CartOwned(SourceRefused):
    """The cart belongs to another customer."""

    code = "CART_OWNED"


class WrongLocation(SourceRefused):
    """The fulfilment was routed to another location than the one acting on it."""

    code = "WRONG_LOCATION"


class NotReturnable(SourceRefused):
    """A return asks for more units of a line than were bought less what was returned before."""

    code = "NOT_RETURNABLE"


class ReturnNotOpen(SourceRefused):
    """The return was received (with another receipt) or rejected already."""

    code = "RETURN_NOT_OPEN"


class IdentifierTaken(SourceRefused):
    """The identifier is linked to another customer."""

    code = "IDENTIFIER_TAKEN"


class VoucherNotRedeemable(SourceRefused):
    """A voucher that cannot be redeemed; `code` says why.

    VOUCHER_NOT_FOUND (no such code), VOUCHER_REDEEMED (by another order),
    VOUCHER_EXPIRED, VOUCHER_NOT_YOURS (issued to another customer).
    """

    code = "VOUCHER_NOT_REDEEMABLE"


_REFUSALS: dict[str, type[SourceRefused]] = {
    kind.code: kind
    for kind in (
        NotFound,
        VersionConflict,
        CartNotOpen,
        CartOwned,
        WrongLocation,
        NotReturnable,
        ReturnNotOpen,
        IdentifierTaken,
    )
}
_REFUSALS.update(
    {
        code: VoucherNotRedeemable
        for code in (
            "VOUCHER_NOT_FOUND",
            "VOUCHER_REDEEMED",
            "VOUCHER_EXPIRED",
            "VOUCHER_NOT_YOURS",
        )
    }
)


def refusal(source: str, code: str, message: str) -> SourceRefused:
    """The refusal of `code` (a plain `SourceRefused` for a code this version does not know)."""
    error = _REFUSALS.get(code, SourceRefused)(source, message)
    error.code = code
    return error


# Loyalty (issue 8): an answer, not a failure, for a checkout earning points.


class NoLoyaltyAccount(SourceRefused):
    """The customer has no loyalty account: there are no points to earn or take back.

    The loyalty system answered, so a guard counts it as a success and never retries it;
    a checkout reads it as "nothing to earn" rather than as the loyalty system failing.
    """

    code = "NO_ACCOUNT"

    def __init__(self, source: str, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(source, f"the customer {customer_id!r} has no loyalty account")


# Inventory (issue 8): the answers to a reservation.


@dataclass(frozen=True, slots=True)
class Shortage:
    """A line a reservation could not take: `available` of the `requested` units.

    It lives here, with the error that carries it; `connectors.inventory.records`
    re-exports it among the inventory's canonical records.
    """

    variant_id: str
    location_id: str
    requested: int
    available: int


class InsufficientStock(SourceRefused):
    """A reservation wanted more units than some locations hold; nothing was reserved.

    `shortages` lists every short line, so a checkout can tell the customer all at once.
    """

    code = "INSUFFICIENT_STOCK"

    def __init__(self, source: str, shortages: Iterable[Shortage]) -> None:
        self.shortages: tuple[Shortage, ...] = tuple(shortages)
        short = ", ".join(
            f"{s.variant_id} at {s.location_id} ({s.available} of {s.requested})"
            for s in self.shortages
        )
        super().__init__(source, f"insufficient stock: {short}")


class ReservationConflict(SourceRefused):
    """The reservation id exists with other lines, or cannot move that way.

    E.g. a reserve of an id already released (the release left a tombstone, so a late
    reserve takes nothing), a release of a committed reservation, a commit of a released one.
    """

    code = "RESERVATION_CONFLICT"
