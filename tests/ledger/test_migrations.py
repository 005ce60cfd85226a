import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from ledger import models  # noqa: F401
from ledger.db import Base
from ledger.migrate import downgrade, head, state, upgrade

pytestmark = pytest.mark.anyio


async def test_an_empty_database_is_behind_until_upgraded(bare_engine):
    before = await state(bare_engine)
    assert (before.current, before.behind) == (None, True)

    after = await upgrade(bare_engine)

    assert (after.current, after.head, after.behind) == (head(), head(), False)
    assert await upgrade(bare_engine) == after  # a second upgrade changes nothing


async def test_the_migrations_build_exactly_the_models(ledger_engine):
    def differences(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with ledger_engine.connect() as connection:
        diff = await connection.run_sync(differences)

    assert diff == []


async def test_the_migrations_go_down_to_nothing_and_up_again(ledger_engine):
    await downgrade(ledger_engine, "base")
    assert (await state(ledger_engine)).current is None

    assert (await upgrade(ledger_engine)).current == head()
