"""Error translation for embedded adapters, which call a back-office service in-process.

An embedded adapter must fail the way its HTTP twin does, so that the cache, the
resilience wrapper and the resolvers above see one error tree whatever the deployment:
a database failure is the source being unavailable (the HTTP twin would get a 5xx), a
refused request is a `SourceRejected` (a 4xx), and unknown items are `UnknownKeys`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError

from backoffice.errors import BackofficeError, UnknownItems
from connectors.errors import SourceRejected, SourceUnavailable, UnknownKeys


@contextmanager
def translate_service_errors(source: str) -> Iterator[None]:
    """Raise the connector error that matches what the back-office service raised."""
    try:
        yield
    except UnknownItems as exc:
        raise UnknownKeys(source, exc.ids) from exc
    except BackofficeError as exc:
        raise SourceRejected(source, f"the embedded {source} refused the request: {exc}") from exc
    except (SQLAlchemyError, OSError) as exc:
        raise SourceUnavailable(
            source, f"the embedded {source} failed: {type(exc).__name__}: {exc}"
        ) from exc
