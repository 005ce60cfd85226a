"""Row locks taken by writing first, so that concurrent writers queue instead of overwriting.

Every OMS write starts its transaction with `UPDATE <table> SET version = version WHERE
id = :id [AND version = :expected]`, before it reads anything. That one statement works on
both databases the back office runs on:

* PostgreSQL locks the row; a second writer's UPDATE waits for the first to commit, then
  re-checks its WHERE against the new row (READ COMMITTED), so a stale `expected` matches
  nothing: exactly one of two concurrent agents wins.
* SQLite takes the database's write lock; a transaction that has read nothing yet waits
  for it (the busy timeout) instead of failing, which a read-then-write transaction
  would not (SQLite refuses to upgrade a reader while another writer waits: a deadlock).

The caller then reads the row, decides, and bumps `version` itself when something changed.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from backoffice.errors import NotFound, VersionConflict
from backoffice.orders.models import Cart, Order


async def lock(
    session: AsyncSession,
    model: type[Cart] | type[Order],
    id_: str,
    *,
    expected_version: int | None = None,
    what: str,
) -> None:
    """Lock the row `id_`, or raise NotFound, or VersionConflict when its version is not `expected_version`."""
    statement = update(model).where(model.id == id_).values(version=model.version)
    if expected_version is not None:
        statement = statement.where(model.version == expected_version)
    result = cast(
        CursorResult[Any],
        await session.execute(statement.execution_options(synchronize_session=False)),
    )
    if result.rowcount > 0:
        return
    current = await session.scalar(select(model.version).where(model.id == id_))
    if current is None:
        raise NotFound(f"no {what} {id_!r}")
    raise VersionConflict(
        f"{what} {id_!r} is at version {current}, not {expected_version}: "
        "it changed since it was read; read it again"
    )
