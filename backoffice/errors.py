"""Errors the back-office services raise; their REST apps turn each kind into one status code.

* BackofficeError
  + NotFound        the one object a request is about does not exist (404)
  + UnknownItems    a request names items that do not exist, listed in `ids` (400)
  + Conflict        the request conflicts with the current state, e.g. a stale version (409)
    - VersionConflict  the caller's expected version is not the current one (VERSION_CONFLICT)
    - CartNotOpen      the cart was merged or ordered and takes no more changes (CART_NOT_OPEN)
    - CartOwned        the cart belongs to another customer (CART_OWNED)
    - WrongLocation    a location acts on a fulfilment routed elsewhere (WRONG_LOCATION)
  + InvalidRequest  the request is malformed or breaks a rule of the system (400)
"""

from __future__ import annotations

from collections.abc import Iterable


class BackofficeError(Exception):
    """A back-office service refused a request."""


class NotFound(BackofficeError):
    """The object the request is about does not exist."""


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


class InvalidRequest(BackofficeError):
    """The request is malformed or breaks a rule of the system."""
