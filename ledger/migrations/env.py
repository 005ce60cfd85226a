"""Alembic's entry point for the gateway's own database.

`ledger.migrate` runs it with a connection it opened on the async engine (passed as
`config.attributes["connection"]`). Run from the `alembic` command instead (to write a new
revision: `alembic -c ledger/alembic.ini revision --autogenerate -m "..."`), it opens
`DATABASE_URL`, else the demo's SQLite file.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

from ledger import models  # noqa: F401  (registers every table on Base.metadata)
from ledger.db import Base, create_engine

DEFAULT_URL = "sqlite+aiosqlite:///.data/gateway.sqlite3"


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_from_command_line() -> None:
    engine = create_engine(os.environ.get("DATABASE_URL", DEFAULT_URL))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
given = context.config.attributes.get("connection")
if given is not None:
    run(given)
else:
    asyncio.run(run_from_command_line())
