"""`python -m bench.search_index`: what product search costs, to load and to ask, with and without its indexes.

Loads the seed's random products (no variants: search reads products) into a fresh
database twice, once without the search indexes (what the PIM had before) and once with
them, and prints the seconds per 10,000 products of each load, then the time of a search's
count and first page of 48: the old search's SQL (LIKE on `search_text`, by SKU) on the
database without indexes, the new one's (`backoffice.pim.search`, read by relevance tier as
`backoffice.pim.tiered` reads it) with them:

    .venv/bin/python -m bench.search_index --products 205000               # PostgreSQL
    .venv/bin/python -m bench.search_index --products 20000 --database sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from backoffice.db import Base, create_engine
from backoffice.pim import search_index, tiered
from backoffice.pim.models import Product
from backoffice.pim.search import product_search
from backoffice.seed import story

# The seed's own row builder: the bench loads what the seed writes, without the variants.
from backoffice.seed.catalogue import _product_row, random_drafts
from kernel.sql import normalise_url

SEARCHES = ("paint", "verf", "laptoptas leer", "lapt", "vijgenblad", "p1000", "zwembroek xyz")
_CHUNK = 10_000
_PRODUCTS = Base.metadata.tables["pim_product"]
_PIM = [table for name, table in Base.metadata.tables.items() if name.startswith("pim_")]


def product_rows(count: int) -> list[dict[str, Any]]:
    drafts = [*story.PRODUCTS, *random_drafts(random.Random(20261122), count)][:count]
    return [
        _product_row(f"p{n:06d}", f"P{1_000_000 + n}", draft)
        for n, draft in enumerate(drafts, start=1)
    ]


async def load(engine: AsyncEngine, rows: Sequence[dict[str, Any]], *, mode: str) -> float:
    """Seconds to insert the rows as the seeder does, into fresh tables.

    `mode` is "without" (no search: the PIM before it), "maintained" (the indexes kept row
    by row) or "paused" (`search_index.pause` first, `install` after, counted in).
    """
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=_PIM)
        if mode == "without":
            await conn.run_sync(search_index.pause)
            if conn.dialect.name == "postgresql":
                for vector in search_index.FIELD_VECTORS.values():
                    await conn.exec_driver_sql(f"ALTER TABLE pim_product DROP COLUMN {vector}")
        elif mode == "paused":
            await conn.run_sync(search_index.pause)
    started = time.perf_counter()
    async with engine.begin() as conn:
        for start in range(0, len(rows), _CHUNK):
            await conn.execute(insert(_PRODUCTS), rows[start : start + _CHUNK])
    if mode == "paused":
        async with engine.begin() as conn:
            await conn.run_sync(search_index.install)
    seconds = time.perf_counter() - started
    async with engine.connect() as conn:
        # VACUUM empties GIN's pending list, which every search would otherwise read through.
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.exec_driver_sql(
            "VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"
        )
    return seconds


async def timed(call: Any, repeat: int) -> tuple[float, float, Any]:
    """The first run's milliseconds, the median of the rest, and the last answer."""
    times = []
    answer = None
    for _ in range(repeat):
        started = time.perf_counter()
        answer = await call()
        times.append((time.perf_counter() - started) * 1000)
    return times[0], statistics.median(times[1:] or times), answer


async def old_search(engine: AsyncEngine, text: str) -> int:
    """What search_products ran before: a LIKE per word, a count, a page by SKU."""
    conditions = [Product.search_text.contains(w, autoescape=True) for w in text.lower().split()]
    async with engine.connect() as conn:
        total = await conn.scalar(select(func.count(Product.id)).where(*conditions))
        page = select(Product.id).where(*conditions).order_by(Product.sku, Product.id).limit(48)
        await conn.execute(page)
    return total or 0


async def new_search(engine: AsyncEngine, text: str) -> int:
    """What search_products runs now: the search's condition, a count, a page by tier."""
    async with AsyncSession(engine) as session:
        found = await product_search(text, session)
        assert found is not None
        total = await session.scalar(select(func.count(Product.id)).where(found.condition))
        await tiered.read_page(session, found, [], after=None, offset=0, limit=48)
    return total or 0


async def plan(engine: AsyncEngine, text: str) -> str:
    """PostgreSQL's EXPLAIN ANALYZE of the statements of the first page of a search."""
    async with AsyncSession(engine) as session:
        found = await product_search(text, session)
        assert found is not None
        statements: list[tuple[str, Any]] = []

        def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            statements.append((statement, parameters))

        event.listen(engine.sync_engine, "before_cursor_execute", record)
        try:
            await tiered.read_page(session, found, [], after=None, offset=0, limit=48)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", record)
        conn = await session.connection()
        lines = []
        for statement, parameters in statements:
            if "set_config" in statement:
                await conn.exec_driver_sql(statement, parameters)  # the plans tiered allows
                continue
            rows = await conn.exec_driver_sql(
                f"EXPLAIN (ANALYZE, COSTS OFF) {statement}", parameters
            )
            lines += [f"    {row[0]}" for row in rows] + ["    --"]
        return "\n".join(lines)


async def run(url: str, count: int, repeat: int, explain: bool) -> None:
    rows = product_rows(count)
    print(f"{count:,} products on {url.split(':')[0]}")
    for mode in ("without", "paused", "maintained"):
        engine = await fresh(url)
        try:
            seconds = await load(engine, rows, mode=mode)
            print(f"load, search {mode}: {seconds:.1f} s, {seconds / count * 10_000:.2f} s per 10k")
            if mode == "paused":
                continue
            indexed = mode == "maintained"
            for text in SEARCHES:
                search = new_search if indexed else old_search
                first, median, total = await timed(
                    lambda e=engine, s=search, t=text: s(e, t), repeat
                )
                name = "new" if indexed else "old"
                print(
                    f"  {name} {text!r:18} {total:7,} matches  first {first:7.1f} ms"
                    f"  median {median:7.1f} ms"
                )
            if indexed and explain and engine.dialect.name == "postgresql":
                for text in SEARCHES:
                    print(f"  EXPLAIN ANALYZE {text!r}:\n{await plan(engine, text)}")
        finally:
            await dispose(engine)


_schemas: dict[int, str] = {}


async def fresh(url: str) -> AsyncEngine:
    """An engine on an empty database: a new schema of PostgreSQL, a new SQLite file."""
    if url.startswith("sqlite"):
        path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
        return create_engine(f"sqlite+aiosqlite:///{path}")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(normalise_url(url))
    async with admin.begin() as conn:
        await conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    await admin.dispose()
    engine = create_async_engine(
        normalise_url(url), connect_args={"server_settings": {"search_path": schema}}
    )
    _schemas[id(engine)] = schema
    return engine


async def dispose(engine: AsyncEngine) -> None:
    schema = _schemas.pop(id(engine), None)
    url = engine.url
    await engine.dispose()
    if schema is not None:
        admin = create_async_engine(url)
        async with admin.begin() as conn:
            await conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search_index", description=__doc__)
    parser.add_argument("--products", type=int, default=205_000)
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans")
    args = parser.parse_args(argv)
    url = args.url if args.database == "postgresql" else "sqlite"
    asyncio.run(run(url, args.products, args.repeat, args.explain))


if __name__ == "__main__":
    main()
