"""Errors clients may see. Each has a stable `code` that goes into the GraphQL error's `extensions`.

* GatewayError(message)                 code
  + BadUserInput                        BAD_USER_INPUT    malformed id, GTIN, cursor, argument
  + Unauthenticated                     UNAUTHENTICATED   missing, expired or forged token
  + Forbidden                           FORBIDDEN         the viewer may not see this
  + LedgerDown                          LEDGER_UNAVAILABLE the gateway's own database is away
  + SourceError(source)                 SOURCE_UNAVAILABLE
    - SourceTimeoutError(source)        SOURCE_TIMEOUT

* Refused(code, message, field)          a business rule says no to a mutation's input
                                        (INSUFFICIENT_STOCK, VERSION_CONFLICT...): not a
                                        GraphQL error but a `userErrors` entry of the payload

graphql-core copies an original error's `extensions` attribute onto the GraphQL error,
so raising one of these from a resolver is all it takes. Anything else is a bug: it is
logged with the request id and, in production, masked.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from connectors.errors import ConnectorError, SourceTimeout
from ledger import LedgerUnavailable


class GatewayError(Exception):
    """An error the client may see, with a stable code."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **extensions}


class BadUserInput(GatewayError):
    """The request's arguments cannot be used as given."""

    code = "BAD_USER_INPUT"


class Unauthenticated(GatewayError):
    """The bearer token is missing where required, expired or not ours."""

    code = "UNAUTHENTICATED"


class Forbidden(GatewayError):
    """The viewer's role does not allow this field or record."""

    code = "FORBIDDEN"


class LedgerDown(GatewayError):
    """The gateway's own database (idempotency keys, audit, checkout log) cannot be reached.

    Reads go on; a write that must be recorded there is refused before it starts.
    """

    code = "LEDGER_UNAVAILABLE"


class SourceError(GatewayError):
    """A source system failed to answer; the fields it serves are null."""

    code = "SOURCE_UNAVAILABLE"

    def __init__(self, source: str, message: str) -> None:
        super().__init__(message, source=source)
        self.source = source


class SourceTimeoutError(SourceError):
    """A source system did not answer in time."""

    code = "SOURCE_TIMEOUT"


def from_connector_error(exc: ConnectorError) -> SourceError:
    """The client-facing error for a connector failure, naming the source but not its internals."""
    if isinstance(exc, SourceTimeout):
        return SourceTimeoutError(exc.source, f"The {exc.source} source did not answer in time.")
    return SourceError(exc.source, f"The {exc.source} source is unavailable.")


@contextmanager
def source_errors() -> Iterator[None]:
    """Turn connector failures inside the block into client-facing source errors."""
    try:
        yield
    except ConnectorError as exc:
        raise from_connector_error(exc) from exc


class Refused(Exception):
    """A mutation's input that a business rule refuses; the payload reports it in `userErrors`.

    Raised before anything is written, or after what was written is undone, so a refused
    mutation changes nothing. `field` is the path to the input at fault, if one is.
    """

    def __init__(self, code: str, message: str, field: tuple[str, ...] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@contextmanager
def refusals(field: tuple[str, ...] | None = None) -> Iterator[None]:
    """Turn a source's business refusal (an error with a `code`) into `Refused`.

    A refusal means the source wrote nothing; other failures become client-facing source
    errors as `source_errors` makes them.
    """
    try:
        yield
    except ConnectorError as exc:
        code = getattr(exc, "code", None)
        if isinstance(code, str):
            raise Refused(code, exc.message, field) from exc
        raise from_connector_error(exc) from exc


@contextmanager
def ledger_errors() -> Iterator[None]:
    """Turn the gateway's database being away into a coded, client-facing error."""
    try:
        yield
    except LedgerUnavailable as exc:
        raise LedgerDown("The gateway's own database is unavailable; try again shortly.") from exc
