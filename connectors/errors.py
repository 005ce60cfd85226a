"""Errors raised by connectors; nothing else escapes a connector.

* ConnectorError(source)
  + SourceUnavailable        could not connect, or the source answered 5xx
    - SourceTimeout          the source did not answer within its timeout
  + SourceRejected           the source answered 4xx to a request we built (our bug)
  + SourceContractViolation  the response did not have the shape we parse
  + UnknownKeys              the request named keys the source does not know (`keys`)
  + NoLoyaltyAccount         the customer has no loyalty account (`code` NO_ACCOUNT)
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


# Loyalty (issue 8): an answer, not a failure, for a checkout earning points.


class NoLoyaltyAccount(ConnectorError):
    """The customer has no loyalty account: there are no points to earn or take back.

    The loyalty system answered, so a guard counts it as a success and never retries it;
    a checkout reads it as "nothing to earn" rather than as the loyalty system failing.
    """

    code = "NO_ACCOUNT"

    def __init__(self, source: str, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(source, f"the customer {customer_id!r} has no loyalty account")
