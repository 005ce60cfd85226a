"""Errors the back-office services raise; their REST apps turn each kind into one status code.

* BackofficeError
  + NotFound        the one object a request is about does not exist (404, its `code`)
    - NoAccount     the customer has no loyalty account (404, code NO_ACCOUNT)
    - UnknownVoucher  no voucher has the code (404, code VOUCHER_NOT_FOUND)
  + UnknownItems    a request names items that do not exist, listed in `ids` (400)
  + Conflict        the request conflicts with the current state, e.g. a stale version (409)
    - InsufficientStock    a reservation wants more units than a location holds (`shortages`)
    - ReservationConflict  a reservation id or restock reference reused for other lines, or misused
    - VersionConflict  the caller's expected version is not the current one (VERSION_CONFLICT)
    - CartNotOpen      the cart was merged or ordered and takes no more changes (CART_NOT_OPEN)
    - CartOwned        the cart belongs to another customer (CART_OWNED)
    - WrongLocation    a location acts on a fulfilment routed elsewhere (WRONG_LOCATION)
    - NotReturnable    a return wants more units of a line than are left to return (NOT_RETURNABLE)
    - ReturnNotOpen    a return was received with another receipt, or rejected (RETURN_NOT_OPEN)
    - IdentifierTaken  the identifier is linked to another customer (IDENTIFIER_TAKEN)
    - VoucherNotRedeemable  redeemed by another order, expired, or another customer's
                       (VOUCHER_REDEEMED, VOUCHER_EXPIRED, VOUCHER_NOT_YOURS)
  + InvalidRequest  the request is malformed or breaks a rule of the system (400)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


class BackofficeError(Exception):
    """A back-office service refused a request."""


class NotFound(BackofficeError):
    """The object the request is about does not exist; `code` says which kind (HTTP 404)."""

    code = "NOT_FOUND"


class UnknownItems(BackofficeError):
    """The request names items the system does not know; `ids` lists them, sorted."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = tuple(sorted(set(ids)))
        super().__init__(f"unknown items: {', '.join(self.ids)}")


class Conflict(BackofficeError):
    """The request conflicts with the current state of the system; `code` says how (HTTP 409)."""

    code = "CONFLICT"


class VersionConflict(Conflict):
    """The object changed since the caller read it: its version is not the one expected."""

    code = "VERSION_CONFLICT"


class CartNotOpen(Conflict):
    """The cart was merged into another or became an order: it takes no more changes."""

    code = "CART_NOT_OPEN"


class CartOwned(Conflict):
    """The cart belongs to another customer than the one it is being attached to."""

    code = "CART_OWNED"


class WrongLocation(Conflict):
    """A location acts on a fulfilment that was routed to another location."""

    code = "WRONG_LOCATION"


class NotReturnable(Conflict):
    """A return wants more units of an order line than were bought less those returned before."""

    code = "NOT_RETURNABLE"


class ReturnNotOpen(Conflict):
    """The return was received already (with another receipt) or rejected: it takes no receipt."""

    code = "RETURN_NOT_OPEN"


class IdentifierTaken(Conflict):
    """The identifier is linked to another customer already."""

    code = "IDENTIFIER_TAKEN"


class VoucherNotRedeemable(Conflict):
    """A voucher that cannot be spent on this order; `code` says why.

    VOUCHER_REDEEMED (by another order), VOUCHER_EXPIRED, VOUCHER_NOT_YOURS (issued to
    another customer). An unknown code is `UnknownVoucher` (404) instead.
    """

    code = "VOUCHER_REDEEMED"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class UnknownVoucher(NotFound):
    """No voucher has this code."""

    code = "VOUCHER_NOT_FOUND"


class InsufficientStock(Conflict):
    """A reservation wants more units than some locations hold; nothing was reserved.

    `shortages` lists every short line as `{"variant_id", "location_id", "requested",
    "available"}`, in variant and location order.
    """

    code = "INSUFFICIENT_STOCK"

    def __init__(self, shortages: Sequence[Mapping[str, Any]]) -> None:
        self.shortages: list[dict[str, Any]] = [dict(shortage) for shortage in shortages]
        short = ", ".join(
            f"{s['variant_id']} at {s['location_id']} ({s['requested']} wanted, "
            f"{s['available']} available)"
            for s in self.shortages
        )
        super().__init__(f"insufficient stock: {short}")


class ReservationConflict(Conflict):
    """A reservation id was reused for other lines, or its status cannot move that way."""

    code = "RESERVATION_CONFLICT"


class InvalidRequest(BackofficeError):
    """The request is malformed or breaks a rule of the system."""


class NoAccount(NotFound):
    """The customer has no loyalty account, so there is nothing to earn on or take back from.

    A checkout treats it as "no points for this customer", not as a failure, so it has a
    code of its own (`NO_ACCOUNT`) rather than the generic NOT_FOUND.
    """

    code = "NO_ACCOUNT"

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(f"the customer {customer_id!r} has no loyalty account")
