"""Migrating the gateway's own database: to head, and where a database stands.

Alembic runs in-process on the async engine (its "connection sharing" recipe): no
`alembic.ini` is read, the script location is this package's `migrations` folder.
`commerce-gateway db upgrade` and the demo call `upgrade`; `serve` and /readyz call
`state` to find a database behind this release.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from ledger.db import translate_errors

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class SchemaState:
    """The revision a database is at (None: never migrated) and the one this release needs."""

    current: str | None
    head: str

    @property
    def behind(self) -> bool:
        return self.current != self.head


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head() -> str:
    """The newest revision this release ships."""
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision is None:  # pragma: no cover (a release always ships its migrations)
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return revision


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _run(connection: Connection, direction: str, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    if direction == "up":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)


async def state(engine: AsyncEngine) -> SchemaState:
    """Where `engine`'s database stands; raises `LedgerUnavailable` when it cannot be reached."""
    with translate_errors():
        async with engine.connect() as connection:
            current = await connection.run_sync(_current)
    return SchemaState(current, head())


async def upgrade(engine: AsyncEngine, revision: str = "head") -> SchemaState:
    """Migrate to `revision` (all of them by default), in one transaction; idempotent."""
    with translate_errors():
        async with engine.begin() as connection:
            await connection.run_sync(_run, "up", revision)
    return await state(engine)


async def downgrade(engine: AsyncEngine, revision: str) -> SchemaState:
    """Undo migrations down to `revision` ("base": all of them); for tests and rollbacks."""
    with translate_errors():
        async with engine.begin() as connection:
            await connection.run_sync(_run, "down", revision)
    return await state(engine)
