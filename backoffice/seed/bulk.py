"""Loading the seed's rows in batches: COPY on PostgreSQL (asyncpg), executemany elsewhere.

Three things make a million-variant load fast without holding it in memory:

* rows are written `BATCH_ROWS` per table at a time, parents before children (`batches`);
* the next batch is made (and turned into COPY records) in a worker thread while the
  database takes the last one, so that Python and PostgreSQL work side by side (`_ahead`);
* on PostgreSQL, the tables' foreign keys are dropped for the load and added back after
  it, in the same transaction: one check of all rows instead of a trigger per row, which
  made inv_stock's 11.7M rows four times slower (PostgreSQL's "Populating a Database").
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import aclosing, asynccontextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnDefault, Dialect, Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

T = TypeVar("T")
Row = dict[str, Any]
#: A row and the table it goes in.
TableRow = tuple[str, Row]

#: Rows per table held before they are written: large enough to be fast (a COPY or an
#: executemany each), small enough that a batch of every table of a system stays a few MB.
BATCH_ROWS = 10_000


def batches(
    rows: Iterable[TableRow], tables: Sequence[str], size: int = BATCH_ROWS
) -> Iterator[tuple[str, list[Row]]]:
    """The rows grouped per table into lists of at most `size`, parents before children.

    `tables` lists the tables parents first. When one table has `size` rows waiting, every
    table's waiting rows go, in that order, so that a row never goes before a row it
    refers to that came earlier, and at most `size` rows per table are ever held.
    """
    waiting: dict[str, list[Row]] = {name: [] for name in tables}
    for name, row in rows:
        held = waiting[name]
        held.append(row)
        if len(held) >= size:
            yield from _release(waiting)
    yield from _release(waiting)


def _release(waiting: dict[str, list[Row]]) -> Iterator[tuple[str, list[Row]]]:
    for name, held in waiting.items():
        if held:
            waiting[name] = []
            yield name, held


async def load(
    conn: AsyncConnection,
    tables: Sequence[Table],
    rows: Iterable[TableRow],
    size: int = BATCH_ROWS,
) -> dict[str, int]:
    """Insert the rows (into `tables`, listed parents first) in the connection's transaction.

    Returns the rows inserted per table. Each value goes through its column type's bind
    processing, so that a COPY stores what an INSERT would; a COPY's errors are the
    driver's (`asyncpg.PostgresError`). On PostgreSQL the tables are locked until the
    transaction ends (their foreign keys are dropped meanwhile): the seed only ever loads
    an empty back office.
    """
    writer = _Writer(conn.dialect, {table.name: table for table in tables})
    counts = dict.fromkeys(writer.tables, 0)
    made = (writer.prepare(name, batch) for name, batch in batches(rows, list(writer.tables), size))
    async with _foreign_keys_checked_after(conn, tables), aclosing(_ahead(made)) as ready:
        async for batch in ready:
            await writer.write(conn, batch)
            counts[batch.table.name] += len(batch.rows)
    return counts


async def _ahead(items: Iterator[T]) -> AsyncGenerator[T, None]:
    """The items, each next one made in a worker thread while the caller handles the last."""
    end = object()
    pending = asyncio.ensure_future(asyncio.to_thread(next, items, end))
    try:
        while (item := await pending) is not end:
            pending = asyncio.ensure_future(asyncio.to_thread(next, items, end))
            yield cast(T, item)
    finally:
        # The thread cannot be stopped: let it finish before the rows' generator is closed.
        await asyncio.wait([pending])
        if not pending.cancelled():
            pending.exception()


@asynccontextmanager
async def _foreign_keys_checked_after(
    conn: AsyncConnection, tables: Sequence[Table]
) -> AsyncIterator[None]:
    if conn.dialect.name != "postgresql":
        # SQLite checks no foreign keys unless asked to (PRAGMA foreign_keys).
        yield
        return
    found = await conn.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(CAST(:names AS regclass[]))"
        ),
        {"names": [table.name for table in tables]},
    )
    keys = found.all()
    quote = conn.dialect.identifier_preparer.quote
    for table, name, _ in keys:
        await conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    yield
    for table, name, definition in keys:
        await conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")


@dataclass(frozen=True, slots=True)
class _Batch:
    table: Table
    rows: Sequence[Row]
    #: For a COPY: the columns, and each row's values in their order, bind-processed.
    columns: list[str]
    records: list[tuple[Any, ...]] | None


class _Writer:
    def __init__(self, dialect: Dialect, tables: dict[str, Table]) -> None:
        self.dialect = dialect
        self.tables = tables
        self.copy = dialect.driver == "asyncpg"

    def prepare(self, name: str, rows: Sequence[Row]) -> _Batch:
        table = self.tables[name]
        if not self.copy:
            return _Batch(table, rows, [], None)
        names = list(rows[0])
        defaults = _defaults(table, names)
        records = self._records(table, names, rows)
        if defaults:
            extra = tuple(self._processor(table, name)(value) for name, value in defaults)
            records = [record + extra for record in records]
        return _Batch(table, rows, names + [name for name, _ in defaults], records)

    async def write(self, conn: AsyncConnection, batch: _Batch) -> None:
        if batch.records is None:
            await conn.execute(insert(batch.table), batch.rows)
            return
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        if not driver.is_in_transaction():
            # The dialect sends BEGIN with the first statement it runs; a COPY on the
            # driver's connection before that would be committed on its own.
            await conn.exec_driver_sql("SELECT 1")
        await driver.copy_records_to_table(
            batch.table.name,
            records=batch.records,
            columns=batch.columns,
            schema_name=batch.table.schema,
        )

    def _records(
        self, table: Table, names: list[str], rows: Sequence[Row]
    ) -> list[tuple[Any, ...]]:
        processors = [
            (n, process)
            for n, name in enumerate(names)
            if (process := self._processor(table, name)) is not _same
        ]
        values = itemgetter(*names)
        if len(names) == 1:
            return [(values(row),) for row in rows]
        if not processors:
            return [values(row) for row in rows]
        records = []
        for row in rows:
            record = list(values(row))
            for n, convert in processors:
                record[n] = convert(record[n])
            records.append(tuple(record))
        return records

    def _processor(self, table: Table, name: str) -> Callable[[Any], Any]:
        type_ = table.c[name].type.dialect_impl(self.dialect)
        return type_.bind_processor(self.dialect) or _same


def _defaults(table: Table, names: list[str]) -> list[tuple[str, Any]]:
    """The columns the rows leave out that an INSERT would fill from the model's default."""
    defaults = []
    for column in table.columns:
        if column.name in names or column.default is None:
            continue
        default = column.default
        if not isinstance(default, ColumnDefault) or not default.is_scalar:
            raise ValueError(
                f"{table.name}.{column.name} has a default COPY cannot compute: "
                "give the seed's rows a value for it"
            )
        defaults.append((column.name, default.arg))
    return defaults


def _same(value: Any) -> Any:
    return value
