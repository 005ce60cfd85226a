"""Writing the seed's rows in batches: COPY on PostgreSQL (asyncpg), executemany elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnDefault, Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

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


async def insert_rows(conn: AsyncConnection, table: Table, rows: Sequence[Row]) -> None:
    """Insert rows (all with the same keys) into `table` in the connection's transaction.

    On PostgreSQL through asyncpg this is the driver's binary COPY, several times faster
    than an INSERT per row; each value first goes through its column type's bind
    processing, so that the rows stored are those an INSERT would store. Elsewhere it is
    SQLAlchemy's executemany.
    """
    if not rows:
        return
    if conn.dialect.driver != "asyncpg":
        await conn.execute(insert(table), rows)
        return
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    if not driver.is_in_transaction():
        # The dialect sends BEGIN with the first statement it runs; a COPY on the driver's
        # connection before that would be committed on its own, outside the transaction.
        await conn.exec_driver_sql("SELECT 1")
    names = list(rows[0])
    defaults = _defaults(table, names)
    records = _records(conn, table, names, rows)
    if defaults:
        processed = tuple(_processor(conn, table, name)(value) for name, value in defaults)
        records = [record + processed for record in records]
    await driver.copy_records_to_table(
        table.name,
        records=records,
        columns=names + [name for name, _ in defaults],
        schema_name=table.schema,
    )


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


def _processor(conn: AsyncConnection, table: Table, name: str) -> Callable[[Any], Any]:
    dialect = conn.dialect
    process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def _records(
    conn: AsyncConnection, table: Table, names: list[str], rows: Sequence[Row]
) -> list[tuple[Any, ...]]:
    processors = [
        (n, process)
        for n, name in enumerate(names)
        if (process := _processor(conn, table, name)) is not _same
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
