"""The seed tests' day, and every back-office row read back from a seeded database."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, create_engine
from backoffice.seed import SeedReport, seed

# A Sunday: the paint promotion's week started six days earlier.
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
Dump = dict[str, list[tuple[Any, ...]]]


async def dump(engine: AsyncEngine) -> Dump:
    """Every back-office row, table by table, in primary-key order."""
    result: Dump = {}
    async with engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            statement = select(table).order_by(*table.primary_key.columns)
            result[name] = [tuple(row) for row in (await conn.execute(statement)).all()]
    return result


def digest(data: Dump) -> dict[str, str]:
    """A SHA-256 of each table's rows (sorted), to compare two seeds without keeping either."""
    return {
        name: hashlib.sha256(repr(sorted(map(repr, table_rows))).encode()).hexdigest()
        for name, table_rows in sorted(data.items())
    }


def rows(data: Dump, table: str) -> list[dict[str, Any]]:
    columns = [c.name for c in Base.metadata.tables[table].columns]
    return [dict(zip(columns, row, strict=True)) for row in data[table]]


async def seeded(path: Path, **arguments: Any) -> tuple[SeedReport, Dump]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        report = await seed(engine, size="small", **{"today": TODAY, **arguments})
        return report, await dump(engine)
    finally:
        await engine.dispose()
