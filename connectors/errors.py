"""Errors raised by connectors; nothing else escapes a connector.

* ConnectorError(source)
  + SourceUnavailable        could not connect, or the source answered 5xx
    - SourceTimeout          the source did not answer within its timeout
  + SourceRejected           the source answered 4xx to a request we built (our bug)
  + SourceContractViolation  the response did not have the shape we parse
  + UnknownKeys              the request named keys the source does not know (`keys`)
"""

from __future__ import annotations

from collections.abc import Iterable


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


_REFUSALS: dict[str, type[SourceRefused]] = {
    kind.code: kind for kind in (NotFound, VersionConflict, CartNotOpen, CartOwned, WrongLocation)
}


def refusal(source: str, code: str, message: str) -> SourceRefused:
    """The refusal of `code` (a plain `SourceRefused` for a code this version does not know)."""
    error = _REFUSALS.get(code, SourceRefused)(source, message)
    error.code = code
    return error
