"""The indexes behind product search, created beside the PIM's tables and kept in step by the database.

PostgreSQL keeps stored generated `tsvector` columns on `pim_product`, each under a GIN
index, built with the `dutch` and `english` configurations (and `simple`, for words no
stemmer should touch): `search_vector` (name, SKU, brand and description: what a search
matches), and three that split it without overlap, one per relevance tier of
`backoffice.pim.search`: `name_vector` (the name), `keys_vector` (the words of SKU and
brand the name lacks) and `text_vector` (the words of the description the others lack).
A tier is found through its own vector, so reading the products whose word is in the
brand but not the name never reads the thousands that hold it in the name too; a GIN
index ignores weights, so one weighted vector could not do that. A trigram GIN index
(`pg_trgm`) on `search_text` serves the substring match that finds a word inside a
Dutch compound ("verf" in "muurverf").

SQLite keeps two FTS5 tables filled by triggers on `pim_product`: `pim_product_search`
(name, keys, description; the `porter` stemmer over `unicode61`, accents folded; a tier
is a column filter) and `pim_product_substring` (`search_text` under the `trigram`
tokenizer). SQLite has no Dutch stemmer; prefix and substring matching stand in for it there.

Both are maintained on every insert, update and delete, bulk loads included: nobody has to
refresh them. `install` is idempotent; it runs after every `create_all` (a database created
before search existed, or before a vector was added, gets it, filled from the rows it
holds; ANALYZE the table afterwards), and the SQLite tables go when `pim_product` is dropped.

After a bulk load, call `install` (`await conn.run_sync(search_index.install)`): on
PostgreSQL it merges the GIN indexes' pending lists, which searches otherwise read through
until the next VACUUM. A bulk load may also `pause` the indexes before it; `install` then
builds them over the loaded rows (on SQLite several times cheaper than by triggers).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection, MetaData, Table, inspect
from sqlalchemy.exc import DBAPIError

__all__ = [
    "FIELD_VECTORS",
    "SEARCH_TABLE",
    "SQLITE_FIELDS",
    "SUBSTRING_TABLE",
    "drop",
    "install",
    "on_create",
    "on_drop",
    "pause",
]

log = logging.getLogger(__name__)

#: PostgreSQL: the generated tsvector columns: every field ("all"), and the three parts
#: that split it without overlap (the name, the keys' other words, the description's).
FIELD_VECTORS = {
    "all": "search_vector",
    "name": "name_vector",
    "keys": "keys_vector",
    "text": "text_vector",
}
#: SQLite: the FTS5 tables (product_id, then the indexed columns).
SEARCH_TABLE = "pim_product_search"
SUBSTRING_TABLE = "pim_product_substring"
#: SQLite: the columns of SEARCH_TABLE each group of fields covers.
SQLITE_FIELDS = {
    "name": ("name",),
    "head": ("name", "keys"),
    "all": ("name", "keys", "description"),
}

_PRODUCT = "pim_product"
_VECTOR_INDEXES = [f"ix_{_PRODUCT}_{column}" for column in FIELD_VECTORS.values()]
_TRIGRAM_INDEX = f"ix_{_PRODUCT}_search_text_trgm"
_SQLITE_EVENTS = ("INSERT", "DELETE", "UPDATE")


def _text(column: str, locale: str) -> str:
    return f"coalesce({column}->>'{locale}', '')"


def _vector(config: str, text: str) -> str:
    return f"to_tsvector('{config}'::regconfig, {text})"


# Every function here is immutable, as a generated column needs. The keys lose their
# punctuation first: the default parser reads "PAINT-001" as "paint" and the integer "-001".
_NAME_SQL = (
    _vector("dutch", _text("name", "nl")),
    _vector("english", _text("name", "en")),
    _vector("simple", f"{_text('name', 'nl')} || ' ' || {_text('name', 'en')}"),
)
_KEYS_SQL = (
    _vector(
        "simple", "regexp_replace(sku || ' ' || coalesce(brand, ''), '[^[:alnum:]]+', ' ', 'g')"
    ),
)
_DESCRIPTION_SQL = (
    _vector("dutch", _text("description", "nl")),
    _vector("english", _text("description", "en")),
)
_NAME = " || ".join(_NAME_SQL)
_HEAD = " || ".join(_NAME_SQL + _KEYS_SQL)
_ALL = " || ".join(_NAME_SQL + _KEYS_SQL + _DESCRIPTION_SQL)
_VECTOR_SQL = {
    "all": _ALL,
    "name": _NAME,
    # A generated column cannot read another: the parts are computed again.
    "keys": f"ts_delete({_HEAD}, tsvector_to_array({_NAME}))",
    "text": f"ts_delete({_ALL}, tsvector_to_array({_HEAD}))",
}

# SQLite: what each FTS5 column holds, from a row of pim_product called `row`.
_SQLITE_COLUMNS = {
    "name": "coalesce(json_extract(row.name, '$.nl'), '') || ' ' "
    "|| coalesce(json_extract(row.name, '$.en'), '')",
    "keys": "row.sku || ' ' || coalesce(row.brand, '')",
    "description": "coalesce(json_extract(row.description, '$.nl'), '') || ' ' "
    "|| coalesce(json_extract(row.description, '$.en'), '')",
}


def install(connection: Connection) -> None:
    """Create the search indexes of the dialect, when `pim_product` exists; idempotent."""
    if not inspect(connection).has_table(_PRODUCT):
        return
    if connection.dialect.name == "postgresql":
        _install_postgresql(connection)
    elif connection.dialect.name == "sqlite":
        _install_sqlite(connection)


def pause(connection: Connection) -> None:
    """Stop maintaining the search indexes row by row, before a bulk load; `install` after it.

    Building a GIN index over loaded rows costs a fraction of updating it on every insert,
    and so does filling SQLite's FTS5 tables in one statement instead of by triggers.
    PostgreSQL's generated column is still computed as each row goes in.
    """
    if connection.dialect.name == "postgresql":
        for index in (*_VECTOR_INDEXES, _TRIGRAM_INDEX):
            connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index}")
    elif connection.dialect.name == "sqlite":
        for event in _SQLITE_EVENTS:
            connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_{event.lower()}")
        drop(connection)


def drop(connection: Connection) -> None:
    """Drop what `install` made outside `pim_product` (SQLite's FTS5 tables)."""
    if connection.dialect.name == "sqlite":
        for name in (SEARCH_TABLE, SUBSTRING_TABLE):
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")


def _install_postgresql(connection: Connection) -> None:
    for fields, column in FIELD_VECTORS.items():
        connection.exec_driver_sql(
            f"ALTER TABLE {_PRODUCT} ADD COLUMN IF NOT EXISTS {column} tsvector "
            f"GENERATED ALWAYS AS ({_VECTOR_SQL[fields]}) STORED"
        )
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_{_PRODUCT}_{column} ON {_PRODUCT} USING gin ({column})"
        )
    trigram_schema = _trigram_schema(connection)
    if trigram_schema is not None:
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS {_TRIGRAM_INDEX} ON {_PRODUCT} "
            f'USING gin (search_text "{trigram_schema}".gin_trgm_ops)'
        )
    # Rows inserted since the last VACUUM wait in a GIN index's pending list, which every
    # search reads through in full (a rare word took 46 ms instead of 0.1 ms after a bulk
    # load of 205,000 products): merge them into the indexes now.
    for index in (*_VECTOR_INDEXES, _TRIGRAM_INDEX):
        connection.exec_driver_sql(f"SELECT gin_clean_pending_list(to_regclass('{index}'))")


def _trigram_schema(connection: Connection) -> str | None:
    """The schema of pg_trgm, installed if need be; None (and a warning) when it cannot be."""
    refusal: DBAPIError | None = None
    # One per database: in `public` it outlives any other schema the tables may be in (a
    # test's, dropped afterwards); where that is not allowed, in the first of search_path.
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    ):
        try:
            # A savepoint: a refused CREATE EXTENSION must not abort the tables' transaction.
            with connection.begin_nested():
                connection.exec_driver_sql(statement)
            break
        except DBAPIError as exc:
            refusal = exc
    schema = connection.exec_driver_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).scalar()
    if schema is None:
        log.warning(
            "pg_trgm is unavailable (%s): product search still finds words inside longer "
            "words, without an index",
            refusal,
        )
        return None
    return str(schema).strip('"')


def _install_sqlite(connection: Connection) -> None:
    fresh = not inspect(connection).has_table(SEARCH_TABLE)
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
        f"product_id UNINDEXED, {', '.join(_SQLITE_COLUMNS)}, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    connection.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SUBSTRING_TABLE} USING fts5("
        "product_id UNINDEXED, text, tokenize = 'trigram')"
    )
    bodies = (
        _sqlite_insert("new"),
        _sqlite_delete("old"),
        _sqlite_delete("old") + _sqlite_insert("new"),
    )
    for event, body in zip(_SQLITE_EVENTS, bodies, strict=True):
        connection.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_{event.lower()} "
            f"AFTER {event} ON {_PRODUCT} BEGIN {body} END"
        )
    if fresh:
        # A database seeded before search existed: index the rows it already holds.
        connection.exec_driver_sql(_sqlite_fill())
        connection.exec_driver_sql(
            f"INSERT INTO {SUBSTRING_TABLE} (product_id, text) SELECT id, search_text FROM {_PRODUCT}"
        )


def _sqlite_insert(row: str) -> str:
    columns = {name: sql.replace("row.", f"{row}.") for name, sql in _SQLITE_COLUMNS.items()}
    return (
        f"INSERT INTO {SEARCH_TABLE} (product_id, {', '.join(columns)}) "
        f"VALUES ({row}.id, {', '.join(columns.values())}); "
        f"INSERT INTO {SUBSTRING_TABLE} (product_id, text) VALUES ({row}.id, {row}.search_text); "
    )


def _sqlite_fill() -> str:
    return (
        f"INSERT INTO {SEARCH_TABLE} (product_id, {', '.join(_SQLITE_COLUMNS)}) "
        f"SELECT row.id, {', '.join(_SQLITE_COLUMNS.values())} FROM {_PRODUCT} AS row"
    )


def _sqlite_delete(row: str) -> str:
    # product_id is not indexed (an FTS5 column cannot be), so a delete reads the table;
    # products are loaded in bulk and rarely deleted, so the index stays lean instead.
    return (
        f"DELETE FROM {SEARCH_TABLE} WHERE product_id = {row}.id; "
        f"DELETE FROM {SUBSTRING_TABLE} WHERE product_id = {row}.id; "
    )


def on_create(_metadata: MetaData, connection: Connection, **_: Any) -> None:
    """A `MetaData` "after_create" listener: `install` (it runs whether or not tables were new)."""
    install(connection)


def on_drop(_table: Table, connection: Connection, **_: Any) -> None:
    """An "after_drop" listener of `pim_product`: `drop`."""
    drop(connection)
