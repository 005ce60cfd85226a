"""The gateway's own database: declarative base, JSON column, engine and error translation.

One engine serves the idempotency records, the audit, checkout and refund logs and the
outbox. SQLite is the demo's file; production points `DATABASE_URL` at PostgreSQL.
SQLite allows one writer at a time: WAL lets readers go on beside it, and the busy timeout
makes a second writer wait its turn instead of failing at once with "database is locked".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

from sqlalchemy import JSON, BigInteger, Integer, MetaData, event, exc
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

from kernel.sql import normalise_url
from ledger.errors import LedgerUnavailable

#: A JSON document as stored: what `json.dumps` accepts (dicts, lists, str, int, float, bool,
#: None); money travels as a string ("12.50"). `Any`, not a recursive union: a union makes
#: every read (`claim.result["orderId"]`) need narrowing, and mypy infers literal dicts of
#: mixed values as `dict[str, object]`, which such a union refuses.
JsonValue: TypeAlias = Any

#: How long a SQLite writer waits for another to finish before "database is locked".
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: JSONB on PostgreSQL (indexable, compact), JSON text on SQLite.
Json = JSON().with_variant(JSONB(), "postgresql")
#: A 64-bit identity on PostgreSQL; SQLite's rowid alias must be spelled INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")

# Deterministic constraint names, so that migrations can name what they alter or drop.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table of the gateway's own database."""

    metadata = MetaData(naming_convention=NAMING)


def create_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 5.0,
    echo: bool = False,
) -> AsyncEngine:
    """An async engine on `url`; SQLite gets WAL and a busy timeout, PostgreSQL a sized pool."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,  # a connection the server closed is replaced, not handed out
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs at checkpoints, not at every commit: a power cut may lose
    # the last commits, never corrupt the file. Production runs on PostgreSQL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@contextmanager
def translate_errors() -> Iterator[None]:
    """Raise `LedgerUnavailable` for a database that cannot be reached or does not answer.

    Constraint violations and programming errors pass through: they are bugs, not outages.
    """
    try:
        yield
    except (
        TimeoutError,
        exc.OperationalError,
        exc.InterfaceError,
        exc.TimeoutError,
        OSError,
    ) as error:
        raise LedgerUnavailable(
            f"the gateway's database did not answer ({type(error).__name__}); try again"
        ) from error
