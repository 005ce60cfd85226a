"""The back office's database: declarative base, column types and the async engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.schema import CreateColumn

# The column types live in the kernel, shared with the gateway's own database (`ledger`);
# they are re-exported here so that every back-office model keeps importing them from here.
from kernel.sql import Money, UtcDateTime, normalise_url

__all__ = [
    "Base",
    "Money",
    "UtcDateTime",
    "create_engine",
    "create_tables",
    "drop_tables",
    "normalise_url",
    "sessionmaker",
]


class Base(DeclarativeBase):
    """Declarative base of every back-office table."""


def create_engine(url: str) -> AsyncEngine:
    """An async engine for the back office; SQLite files get their folder created.

    SQLite runs in WAL mode with `synchronous=NORMAL`: a commit appends to the log without
    waiting for the disk, so writers (checkouts reserving stock) take a millisecond each
    instead of ~27 ms, and readers never wait for them. A power cut may lose the last
    commits, never corrupt the file; the reference back office on one host accepts that.
    """
    url = normalise_url(url)
    if url.startswith("sqlite+aiosqlite:///"):
        path = url.removeprefix("sqlite+aiosqlite:///")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Writers queue for the write lock (the inventory begins IMMEDIATE) instead of failing.
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_tables(engine: AsyncEngine) -> None:
    """Create every system's tables (idempotent), and add the columns added since they were.

    A database created by an earlier release keeps its data: the tables it lacks are
    created, and so are the nullable columns its tables lack (empty, as for the returns
    it holds: `oms_return.received_at`), with `ALTER TABLE ... ADD COLUMN`. A column that
    cannot be null cannot be added to existing rows: ValueError, saying to re-create.
    """
    from backoffice import models  # noqa: F401  (registers every system's tables on Base)

    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
        await conn.run_sync(_add_missing_columns)


def _add_missing_columns(conn: Connection) -> None:
    inspector = inspect(conn)
    for table in Base.metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:
                raise ValueError(
                    f"the back-office table {table.name} lacks the column {column.name}, which "
                    "cannot be added to existing rows: re-create the back office "
                    "(commerce-gateway seed --reset)"
                )
            preparer = conn.dialect.identifier_preparer
            definition = CreateColumn(column).compile(dialect=conn.dialect)
            conn.exec_driver_sql(
                f"ALTER TABLE {preparer.format_table(table)} ADD COLUMN {definition}"
            )


async def drop_tables(engine: AsyncEngine) -> None:
    """Drop every system's tables."""
    from backoffice import models  # noqa: F401

    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
