"""Errors the back-office services raise; their REST apps turn each kind into one status code.

* BackofficeError
  + NotFound        the one object a request is about does not exist (404)
    - NoAccount     the customer has no loyalty account (404, code NO_ACCOUNT)
  + UnknownItems    a request names items that do not exist, listed in `ids` (400)
  + Conflict        the request conflicts with the current state, e.g. a stale version (409)
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
    """The request conflicts with the current state of the system."""


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
