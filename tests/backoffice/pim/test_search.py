"""Product search on SQLite (FTS5) and on the real PostgreSQL (full text, trigrams): what matches, in which order."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.db import Base
from backoffice.errors import InvalidRequest
from backoffice.pim import search_index
from backoffice.pim.models import Product
from backoffice.pim.search import MAX_WORDS
from backoffice.pim.service import PimService
from tests.backoffice.pim.rows import product
from tests.backoffice.support import text

pytestmark = pytest.mark.anyio

PIM_TABLES = [t for name, t in Base.metadata.tables.items() if name.startswith("pim_")]


def described(nl: str, en: str, brand: str, pitch_nl: str, pitch_en: str) -> dict[str, Any]:
    """Name and description as the seed writes them: the name, the brand, a sales pitch."""
    return {
        "name": text(nl, en),
        "brand": brand,
        "description": text(f"{nl} van {brand}. {pitch_nl}", f"{en} by {brand}. {pitch_en}"),
    }


PRODUCTS = [
    ("P-1", "P100001", "Muurverf Atelier mat 2,5 L", "Wall paint Atelier matt 2.5 L", "Polderverf",
     "Dekt in één tot twee lagen.", "Covers in one to two coats."),
    ("P-2", "P100002", "Lakverf Puur hoogglans 750 ml", "Gloss paint Puur high gloss 750 ml",
     "Vakwerk", "Reukarm en sneldrogend.", "Low odour and quick drying."),
    ("P-3", "P100003", "Verfroller Studio synthetisch", "Paint roller Studio synthetic",
     "Klusmeester", "Op waterbasis.", "Water-based."),
    ("P-4", "P100004", "Laptoptas Delft leer 13 inch", "Laptop bag Delft leather 13 inch",
     "Urban Carry", "Tijdloos ontwerp.", "Timeless design."),
    ("P-5", "P100005", "Rugzak Texel canvas", "Backpack Texel canvas", "Stadsrugzak",
     "Met gevoerd vak voor laptop of tablet.", "With a padded laptop or tablet compartment."),
    ("P-6", "P100006", "Sierkussen Lotte fluweel 45x45 cm", "Cushion Lotte velvet 45x45 cm",
     "Stoer & Zacht", "Zorgt direct voor een warme sfeer in huis.",
     "Instantly adds warmth to any room."),
    ("P-7", "P100007", "Geurkaars Vijgenblad", "Scented candle Fig leaf", "Noordlicht",
     "Duurzaam geproduceerd.", "Sustainably produced."),
]  # fmt: skip


@pytest.fixture
async def catalogue(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        session.add_all(product(id, sku, **described(*words)) for id, sku, *words in PRODUCTS)


async def search(sessions, text: str | None, **options: Any) -> list[str]:
    page = await PimService(sessions).search_products(search=text, with_total=True, **options)
    assert page["total"] == len(page["products"])
    return [found["id"] for found in page["products"]]


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("delft", ["P-4"]),
        ("Laptop DELFT", ["P-4"]),
        ("laptop zwembroek", []),
        ("vijgenblad", ["P-7"]),  # a rare word
        ("klusmeester", ["P-3"]),  # a brand
        ("p100005", ["P-5"]),  # a SKU
        ("p10000", [f"P-{n}" for n in range(1, 8)]),  # the last word is also a prefix
        ("compartment", ["P-5"]),  # in the description only
        ("zacht", ["P-6"]),  # a word of a brand with an "&"
        ("zwembroek", []),
    ],
)
async def test_a_product_matches_when_it_holds_every_word(sessions, words, expected):
    assert sorted(await search(sessions, words)) == expected


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("verf", ["P-1", "P-2", "P-3"]),  # Muurverf, Lakverf, Verfroller (and Polderverf)
        ("tas", ["P-4"]),  # Laptoptas
        ("kussen fluweel", ["P-6"]),  # Sierkussen
        ("paint-00", []),  # "paint" in the name, but no "00" anywhere
        ("p100001-", ["P-1"]),
    ],
)
async def test_a_word_matches_inside_a_longer_word(sessions, words, expected):
    assert sorted(await search(sessions, words)) == expected


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("paints", ["P-1", "P-2", "P-3"]),
        ("rollers", ["P-3"]),
        ("coat", ["P-1"]),  # "coats" in the description
        ("designs", ["P-4"]),
    ],
)
async def test_english_words_match_their_other_forms(sessions, words, expected):
    assert sorted(await search(sessions, words)) == expected


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("laag", ["P-1"]),  # "lagen" in the description
        ("vakken", ["P-2", "P-5"]),  # "vak", and (a prefix) "Vakwerk"
        ("fluwelen", ["P-6"]),  # "fluweel"
    ],
)
async def test_dutch_words_match_their_other_forms_on_postgresql(sessions, engine, words, expected):
    found = sorted(await search(sessions, words))

    # SQLite has no Dutch stemmer: there the word is found only where it stands as typed.
    assert found == (expected if engine.dialect.name == "postgresql" else [])


@pytest.mark.usefixtures("catalogue")
async def test_the_last_word_may_be_the_start_of_a_word(sessions, engine):
    found = sorted(await search(sessions, "lapt"))

    # Laptoptas and Laptop in P-4's name, laptop in P-5's description. SQLite finds a
    # partial word (of three characters or more) in the name, SKU or brand only.
    assert found == (["P-4", "P-5"] if engine.dialect.name == "postgresql" else ["P-4"])
    assert sorted(await search(sessions, "de")) == ["P-1", "P-4"]  # "Dekt", "Delft"


@pytest.mark.usefixtures("catalogue")
async def test_a_word_in_the_name_ranks_above_one_in_the_description(sessions):
    # "laptop": the name of P-4, the description only of P-5; P-5's SKU comes later anyway,
    # so "tablet" (in P-5's description only) shows the order is not the SKU's.
    assert await search(sessions, "laptop") == ["P-4", "P-5"]
    async with sessions.begin() as session:
        await session.execute(
            update(Product).where(Product.id == "P-4").values(name=text("Tablettas", "Tablet bag"))
        )
    assert await search(sessions, "tablet") == ["P-4", "P-5"]


@pytest.mark.usefixtures("catalogue")
async def test_a_word_found_as_such_ranks_above_one_inside_a_compound(sessions, engine):
    # "verf" starts the word "Verfroller", and only hides inside "Muurverf" and "Lakverf".
    # SQLite leaves the start of a word to the trigrams: three matches of rank 0, by SKU.
    expected = (
        ["P-3", "P-1", "P-2"] if engine.dialect.name == "postgresql" else ["P-1", "P-2", "P-3"]
    )
    assert await search(sessions, "verf") == expected
    # "roller" is a word of P-3's name: a match of the stemmed index on both databases.
    assert await search(sessions, "roller verf") == ["P-3"]


@pytest.mark.usefixtures("catalogue")
async def test_a_page_of_a_search_is_a_slice_of_the_ranked_matches(sessions):
    ranked = await search(sessions, "laptop")

    service = PimService(sessions)
    first = await service.search_products(search="laptop", limit=1, with_total=True)
    after = first["products"][0]["cursor"]
    second = await service.search_products(search="laptop", after=after, with_total=True)
    offset = await service.search_products(search="laptop", offset=1, limit=1)

    assert [p["id"] for p in first["products"] + second["products"]] == ranked == ["P-4", "P-5"]
    assert [page["total"] for page in (first, second)] == [2, 2]
    assert (first["has_more"], second["has_more"]) == (True, False)
    assert offset["products"] == second["products"]  # the rank travels in the cursor


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "words",
    ['"', "'", "&", ":", "*", "!", "(", ")", "|", "\\", "%", "_", "& | !", "''", "-", "–", "🎨"],
)
async def test_punctuation_alone_matches_nothing(sessions, words):
    assert await search(sessions, words) == []


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("delft:*", ["P-4"]),
        ("'delft'", ["P-4"]),
        ('"delft', ["P-4"]),
        ("delft & texel", []),
        ("delft | texel", []),
        ("!delft", ["P-4"]),
        ("delft OR texel", []),
        ("NOT", []),
        ("NEAR(delft texel)", []),
        ("a" * 5000, []),
        ("100%", []),
        ("st_dio", []),
    ],
)
async def test_operators_of_the_query_languages_are_plain_text(sessions, words, expected):
    assert sorted(await search(sessions, words)) == expected


@pytest.mark.usefixtures("catalogue")
async def test_more_words_than_allowed_is_an_invalid_request(sessions):
    assert sorted(await search(sessions, " ".join(["verf"] * MAX_WORDS))) == ["P-1", "P-2", "P-3"]

    with pytest.raises(InvalidRequest, match=f"at most {MAX_WORDS} words"):
        await search(sessions, " ".join(["verf"] * (MAX_WORDS + 1)))


@pytest.mark.usefixtures("catalogue")
async def test_the_index_follows_updates_and_deletes(sessions):
    async with sessions.begin() as session:
        await session.execute(
            update(Product)
            .where(Product.id == "P-7")
            .values(
                name=text("Geurkaars Ceder", "Scented candle Cedar"),
                description=text("Geurkaars Ceder.", "Scented candle Cedar."),
                search_text="p100007 noordlicht geurkaars ceder scented candle cedar",
            )
        )
        await session.execute(delete(Product).where(Product.id == "P-6"))

    assert await search(sessions, "ceder") == ["P-7"]
    assert await search(sessions, "fig leaf") == []
    assert await search(sessions, "fluweel") == []


@pytest.mark.usefixtures("catalogue")
async def test_a_database_from_before_search_gets_its_indexes_filled(sessions, engine):
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # From before search (no vector), or before the tiers (search_vector alone).
            for vector in ("name_vector", "keys_vector", "text_vector", "search_vector"):
                await conn.exec_driver_sql(f"ALTER TABLE pim_product DROP COLUMN {vector}")
        else:
            await conn.run_sync(search_index.drop)

    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=PIM_TABLES)

    assert await search(sessions, "vijgenblad") == ["P-7"]
    assert await search(sessions, "laptop") == ["P-4", "P-5"]  # the name's tier first


async def test_a_bulk_load_may_pause_the_indexes_and_install_them_after(sessions, engine):
    async with engine.begin() as conn:
        await conn.run_sync(search_index.pause)
    async with sessions.begin() as session:
        session.add_all(product(id, sku, **described(*words)) for id, sku, *words in PRODUCTS)

    async with engine.begin() as conn:
        await conn.run_sync(search_index.install)

    assert await search(sessions, "laptop") == ["P-4", "P-5"]
    assert await search(sessions, "verf roller") == ["P-3"]
    async with sessions.begin() as session:
        await session.execute(delete(Product).where(Product.id == "P-4"))
    assert await search(sessions, "laptop") == ["P-5"]  # maintained again


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize("text", ["paint", "verf", "laptop", "p1000"])
async def test_a_search_walked_one_product_at_a_time_by_cursor_is_its_ranked_list(sessions, text):
    ranked = await search(sessions, text)
    service = PimService(sessions)
    walked: list[str] = []
    after = None
    for _ in range(len(PRODUCTS) + 1):
        page = await service.search_products(search=text, after=after, limit=1)
        walked += [found["id"] for found in page["products"]]
        if not page["has_more"]:
            break
        after = page["products"][-1]["cursor"]

    assert len(ranked) > 1
    assert walked == ranked
