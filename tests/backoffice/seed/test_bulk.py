"""Seeding in batches: bounded memory, the same rows whatever the batch, analysed afterwards."""

from __future__ import annotations

import tracemalloc
from itertools import islice

import asyncpg
import pytest
import sqlalchemy.exc
from sqlalchemy import text

from backoffice.db import Base, create_engine, create_tables
from backoffice.seed import SIZES, seed
from backoffice.seed.bulk import batches, load
from backoffice.seed.dataset import SYSTEM_TABLES, systems
from backoffice.seed.sizes import SeedSize
from tests.backoffice.seed.dumps import NOW, TODAY, dump
from tests.backoffice.seed.test_identity import RECORDED, filled

pytestmark = pytest.mark.anyio

#: A catalogue of a few thousand rows and hardly any customers or orders.
CATALOGUE_ONLY = SeedSize(products=150, customers=5, orders=5)


def catalogue_peak(*, keep: bool) -> int:
    """The peak traced memory while the PIM's, prices' and stock's rows go by in batches."""
    kept = []
    tracemalloc.start()
    try:
        # The first three systems: the sales after them are made whole by design.
        for system, rows in islice(systems(CATALOGUE_ONLY, random_seed=1, today=TODAY), 3):
            for _, batch in batches(rows, SYSTEM_TABLES[system], 50):
                if keep:
                    kept.append(batch)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_batches_hold_no_more_than_their_size_and_put_parents_first():
    for system, rows in systems(SIZES["small"], random_seed=20261122, today=TODAY):
        tables = SYSTEM_TABLES[system]
        made = list(rows)
        position = {id(row): n for n, (_, row) in enumerate(made)}

        taken = list(batches(iter(made), tables, 7))

        assert all(0 < len(batch) <= 7 for _, batch in taken)
        for name in tables:
            assert [r for n, b in taken if n == name for r in b] == [
                r for n, r in made if n == name
            ]
        delivered: set[int] = set()
        for name, batch in taken:
            # Every row of a parent table made before this batch's rows has gone before.
            last = max(position[id(row)] for row in batch)
            parents = tables[: tables.index(name)]
            assert all(n in delivered for n, (t, _) in enumerate(made[:last]) if t in parents)
            delivered.update(position[id(row)] for row in batch)


def test_streaming_the_catalogue_holds_a_fraction_of_its_rows():
    streamed = catalogue_peak(keep=False)
    held_whole = catalogue_peak(keep=True)

    assert streamed * 4 < held_whole


async def test_the_batch_size_changes_no_row(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'tiny-batches.sqlite3'}")
    try:
        report = await seed(engine, size="small", today=TODAY, batch_rows=7)
        data = await dump(engine)
    finally:
        await engine.dispose()

    assert filled(data) == RECORDED["small"]
    assert report.counts == {name: len(data[name]) for name in report.counts}


async def test_sqlite_tables_are_analysed(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'analysed.sqlite3'}")
    try:
        await seed(engine, size="small", today=TODAY)
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT idx, stat FROM sqlite_stat1"))
            stats: dict[str, str] = {idx: stat for idx, stat in found.all()}
            stock = await conn.scalar(text("SELECT count(*) FROM inv_stock"))
    finally:
        await engine.dispose()

    # The primary key's statistics start with the table's row count.
    assert int(stats["sqlite_autoindex_inv_stock_1"].split()[0]) == stock
    assert "sqlite_autoindex_pim_variant_1" in stats


@pytest.mark.postgres
async def test_postgresql_tables_are_analysed_with_their_foreign_keys_back(postgres_engine):
    report = await seed(postgres_engine, size="small", today=TODAY)

    async with postgres_engine.connect() as conn:
        analysed = dict(
            (
                await conn.execute(
                    text(
                        "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                        "WHERE schemaname = current_schema()"
                    )
                )
            ).all()
        )
        tuples = dict(
            (
                await conn.execute(
                    text(
                        "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' "
                        "AND relnamespace = current_schema()::regnamespace"
                    )
                )
            ).all()
        )
        keys = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND connamespace = current_schema()::regnamespace"
            )
        )
    assert analysed == dict.fromkeys(Base.metadata.tables, True)
    for name in ("pim_variant", "inv_stock", "price_list_price", "oms_order"):
        assert tuples[name] == report.counts[name]
    assert keys == sum(len(t.foreign_key_constraints) for t in Base.metadata.tables.values())
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="inv_stock_location_id_fkey"):
        async with postgres_engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO inv_stock (variant_id, location_id, quantity, updated_at) "
                    "VALUES ('v000001', 'nowhere', 1, now())"
                )
            )


@pytest.mark.postgres
async def test_a_failed_load_on_postgresql_leaves_nothing_and_keeps_the_foreign_keys(
    postgres_engine,
):
    await create_tables(postgres_engine)
    tables = [Base.metadata.tables[name] for name in SYSTEM_TABLES["inventory"]]
    location = {
        "id": "s01", "code": "NL001", "name": "Amsterdam", "type": "STORE", "line1": None,
        "line2": None, "postal_code": None, "city": None, "country": "NL", "latitude": None,
        "longitude": None, "click_and_collect": True, "ship_from_store": True,
        "channels": ["STORE"], "footfall": None,
    }  # fmt: skip
    stock = {"variant_id": "v000001", "location_id": "s01", "quantity": 1, "updated_at": NOW}
    rows = [("inv_location", location), ("inv_stock", stock), ("inv_stock", stock)]

    # A COPY's errors are the driver's own.
    with pytest.raises(asyncpg.UniqueViolationError, match="inv_stock_pkey"):
        async with postgres_engine.begin() as conn:
            await load(conn, tables, iter(rows), 1)

    async with postgres_engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM inv_location")) == 0
        keys = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' "
                "AND conrelid = 'inv_stock'::regclass"
            )
        )
    assert keys == 1
