"""The back office's tables: created once, and brought up to date on a database an earlier release made."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, create_engine, create_tables, sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.orders.service import OrdersService
from tests.backoffice.inventory.rows import add_stock
from tests.backoffice.orders.rows import CLOCK, insert, order, return_

pytestmark = pytest.mark.anyio

#: What the returns of issue 9 added to a table that existed before.
NEW_RETURN_COLUMNS = ("routing", "received_location_id", "received_at", "resellable")


@pytest.fixture
async def sqlite_file(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'backoffice.sqlite3'}")
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite_file", "postgres_engine"])
def database(request: pytest.FixtureRequest) -> AsyncEngine:
    engine: AsyncEngine = request.getfixturevalue(request.param)
    return engine


@pytest.fixture
async def earlier(database: AsyncEngine) -> AsyncEngine:
    """A back office as the release before returns left it: a refunded return, no restocks."""
    await create_tables(database)
    await insert(sessionmaker(database), order("o-1"), return_("r-1", "o-1", refunded=True))
    async with database.begin() as conn:
        for column in NEW_RETURN_COLUMNS:
            await conn.exec_driver_sql(f"ALTER TABLE oms_return DROP COLUMN {column}")
        await conn.exec_driver_sql("DROP TABLE inv_restock_line")
        await conn.exec_driver_sql("DROP TABLE inv_restock")
    return database


async def test_an_earlier_database_gets_the_new_tables_and_columns_and_keeps_its_data(earlier):
    await create_tables(earlier)
    await create_tables(earlier)  # and again: nothing left to add

    [doc] = await OrdersService(sessionmaker(earlier), clock=CLOCK).get_returns(["r-1"])
    assert (doc["status"], doc["refund"]["amount"]) == ("REFUNDED", "17.99")
    assert [doc[column] for column in NEW_RETURN_COLUMNS] == [None, None, None, None]
    await add_stock(sessionmaker(earlier))
    inventory = InventoryService(sessionmaker(earlier), clock=CLOCK)
    restock = await inventory.restock(
        "return:r-1", [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1}]
    )
    assert restock["reference"] == "return:r-1"


async def test_a_column_that_cannot_be_null_is_not_added_to_existing_rows(sqlite_file):
    await create_tables(sqlite_file)
    async with sqlite_file.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE oms_order DROP COLUMN currency")

    with pytest.raises(ValueError, match=r"oms_order lacks the column currency.*seed --reset"):
        await create_tables(sqlite_file)


async def test_a_fresh_database_gets_every_table(sqlite_file):
    await create_tables(sqlite_file)

    async with sqlite_file.connect() as conn:
        names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    # Beside them, the product search's FTS5 tables and their shadow tables.
    searching = {
        name for name in names if name.startswith(("pim_product_search", "pim_product_substring"))
    }
    assert names - searching == set(Base.metadata.tables)
    assert {"pim_product_search", "pim_product_substring"} <= searching
