from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from math import floor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import Base, Money, create_engine
from backoffice.seed import (
    BIKINI_LOW_STOCK_VARIANT_ID,
    BIKINI_PRODUCT_ID,
    BIKINI_STORE_ID,
    DEMO_CUSTOMER_ID,
    HOME_STORE_ID,
    LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID,
    LAPTOP_BAG_PRODUCT_ID,
    PAINT_PRODUCT_ID,
    PAINT_PROMOTION_ID,
    PAINT_VARIANT_ID,
    RETURNING_CUSTOMER_ID,
    SIZES,
    SeedReport,
    is_seeded,
    seed,
)
from backoffice.seed.dataset import build
from kernel.gtin import is_valid_gtin
from kernel.money import round_money

pytestmark = pytest.mark.anyio

# A Sunday: the paint promotion's week started six days earlier.
TODAY = date(2026, 11, 22)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
Dump = dict[str, list[tuple[Any, ...]]]


async def dump(engine: AsyncEngine) -> Dump:
    """Every back-office row, table by table, in primary-key order."""
    result: Dump = {}
    async with engine.connect() as conn:
        for name, table in sorted(Base.metadata.tables.items()):
            statement = select(table).order_by(*table.primary_key.columns)
            result[name] = [tuple(row) for row in (await conn.execute(statement)).all()]
    return result


def rows(data: Dump, table: str) -> list[dict[str, Any]]:
    columns = [c.name for c in Base.metadata.tables[table].columns]
    return [dict(zip(columns, row, strict=True)) for row in data[table]]


async def seeded(path: Path, **arguments: Any) -> tuple[SeedReport, Dump]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        report = await seed(engine, size="small", **{"today": TODAY, **arguments})
        return report, await dump(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[SeedReport, Dump]:
    return await seeded(tmp_path_factory.mktemp("seed") / "small.sqlite3")


# determinism


async def test_same_arguments_give_identical_data(small, tmp_path):
    _, again = await seeded(tmp_path / "again.sqlite3")

    assert again == small[1]


async def test_another_random_seed_gives_other_data(small, tmp_path):
    _, other = await seeded(tmp_path / "other.sqlite3", random_seed=7)

    assert other["pim_product"] != small[1]["pim_product"]
    assert other["oms_order"] != small[1]["oms_order"]
    # The story's fixed items do not depend on the random seed.
    assert other["pim_category"] == small[1]["pim_category"]


DIGEST = """
import hashlib
from datetime import date
from backoffice.seed.dataset import build
from backoffice.seed.sizes import SIZES
tables = build(SIZES["small"], random_seed=20261122, today=date(2026, 11, 22))
print(hashlib.sha256(repr(sorted(tables.items())).encode()).hexdigest())
"""


def test_data_does_not_depend_on_string_hashing():
    # Iterating a set of strings follows PYTHONHASHSEED; no such order may leak into the rows.
    tables = build(SIZES["small"], random_seed=20261122, today=TODAY)
    here = hashlib.sha256(repr(sorted(tables.items())).encode()).hexdigest()
    seed_value = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    root = str(Path(__file__).resolve().parents[2])
    environment = {**os.environ, "PYTHONHASHSEED": seed_value, "PYTHONPATH": root}

    there = subprocess.run(
        [sys.executable, "-c", DIGEST], env=environment, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert there == here


async def test_today_anchors_every_date(tmp_path):
    _, data = await seeded(tmp_path / "earlier.sqlite3", today=date(2025, 3, 3))

    newest_order = max(o["placed_at"] for o in rows(data, "oms_order"))
    assert datetime(2025, 3, 2, tzinfo=UTC) < newest_order <= datetime(2025, 3, 3, 12, tzinfo=UTC)
    paint = next(p for p in rows(data, "price_promotion") if p["id"] == PAINT_PROMOTION_ID)
    assert paint["starts_at"] == datetime(2025, 3, 3, tzinfo=UTC)  # a Monday


# counts


async def test_small_size_meets_its_counts(small):
    report, data = small

    assert report.counts == {name: len(data[name]) for name in report.counts}
    assert report.counts["pim_product"] == SIZES["small"].products
    assert report.counts["pim_variant"] >= 3 * SIZES["small"].products
    assert report.counts["crm_customer"] >= SIZES["small"].customers
    assert report.counts["oms_order"] >= SIZES["small"].orders
    assert report.counts["price_promotion"] >= 8
    assert all(count > 0 for count in report.counts.values())
    assert report.seconds < 3
    stores = [loc for loc in rows(data, "inv_location") if loc["type"] == "STORE"]
    assert len(stores) >= 12
    assert {loc["type"] for loc in rows(data, "inv_location")} == {
        "STORE",
        "DISTRIBUTION_CENTER",
        "PARTNER",
    }


def test_sizes_grow_tenfold_from_demo_to_large():
    demo, large = SIZES["demo"], SIZES["large"]

    assert demo.products >= 1_000
    assert demo.customers >= 500
    assert demo.orders >= 5_000
    assert (large.products, large.customers, large.orders) == (
        10 * demo.products,
        10 * demo.customers,
        10 * demo.orders,
    )


async def test_demo_size_meets_its_minimums_quickly(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}")
    try:
        report = await seed(engine, size="demo", today=TODAY)
    finally:
        await engine.dispose()

    assert report.counts["pim_product"] >= 1_000
    assert report.counts["pim_variant"] >= 3_000
    assert report.counts["crm_customer"] >= 500
    assert report.counts["oms_order"] >= 5_000
    assert report.counts["oms_return"] >= 0.03 * report.counts["oms_order"]
    assert report.seconds < 20


# catalogue


async def test_every_gtin_is_valid_and_unique(small):
    variants = rows(small[1], "pim_variant")
    gtins = [v["gtin"] for v in variants]

    assert all(is_valid_gtin(g) and len(g) == 13 and g.startswith("871") for g in gtins)
    assert len(set(gtins)) == len(gtins)
    assert len({v["sku"] for v in variants}) == len(variants)


async def test_products_are_bilingual_and_searchable(small):
    for product in rows(small[1], "pim_product"):
        assert set(product["name"]) == set(product["description"]) == {"nl", "en"}
        assert product["search_text"] == product["search_text"].lower()
        for word in (
            product["sku"],
            product["brand"],
            product["name"]["nl"],
            product["name"]["en"],
        ):
            assert word.lower() in product["search_text"]
        for n, media in enumerate(product["media"], start=1):
            assert media["url"] == f"/media/{product['sku']}-{n}.jpg"
            assert set(media["alt"]) == {"nl", "en"}
        assert product["complete"] == bool(product["media"])


async def test_variants_carry_localised_attributes(small):
    paint = [v for v in rows(small[1], "pim_variant") if v["product_id"] == PAINT_PRODUCT_ID]

    assert paint[0]["id"] == PAINT_VARIANT_ID
    assert paint[0]["sku"] == "P100001-WHITE"
    assert paint[0]["attributes"] == [
        {
            "code": "colour",
            "name": {"nl": "Kleur", "en": "Colour"},
            "value": {"nl": "Wit", "en": "White"},
        }
    ]


async def test_categories_form_a_two_level_tree(small):
    categories = {c["id"]: c for c in rows(small[1], "pim_category")}
    links = rows(small[1], "pim_product_category")

    assert all(
        categories[c["parent_id"]]["parent_id"] is None
        for c in categories.values()
        if c["parent_id"]
    )
    assert all(categories[link["category_id"]]["parent_id"] for link in links)
    assert categories["c02"]["name"] == {"nl": "Klussen & verf", "en": "DIY & paint"}


# prices


async def test_every_variant_has_a_default_price_and_an_item(small):
    data = small[1]
    variants = {v["id"]: v for v in rows(data, "pim_variant")}
    prices = rows(data, "price_list_price")
    defaults = {p["variant_id"]: p["amount"] for p in prices if p["channel"] == "DEFAULT"}
    webs = {p["variant_id"]: p["amount"] for p in prices if p["channel"] == "WEB"}
    categories = {c["id"]: c["parent_id"] for c in rows(data, "pim_category")}

    assert defaults.keys() == variants.keys()
    assert all(Decimal("4.95") <= a <= Decimal("249.00") for a in defaults.values())
    assert {str(a)[-3:] for a in defaults.values()} <= {".99", ".95", ".00"}
    assert all(webs[v] < defaults[v] for v in webs)
    for item in rows(data, "price_item"):
        assert item["product_id"] == variants[item["variant_id"]]["product_id"]
        leaf, parent = item["category_ids"]
        assert categories[leaf] == parent


async def test_paint_is_three_for_two_across_channels_this_week(small):
    promotions = {p["id"]: p for p in rows(small[1], "price_promotion")}
    paint = promotions[PAINT_PROMOTION_ID]

    assert (paint["kind"], paint["buy_quantity"], paint["pay_quantity"]) == ("MULTI_BUY", 3, 2)
    assert paint["product_ids"] == [PAINT_PRODUCT_ID]
    assert paint["cross_channel"] is True
    assert paint["channels"] == ["WEB", "APP", "STORE"]
    assert paint["starts_at"] <= NOW < paint["ends_at"]
    assert any(p["tiers"] == ["GOLD"] and p["kind"] == "PERCENT" for p in promotions.values())
    assert any(p["ends_at"] <= datetime(2026, 11, 1, tzinfo=UTC) for p in promotions.values())
    assert any(p["starts_at"] > NOW for p in promotions.values())


# stock


async def test_stock_tells_the_laptop_bag_and_bikini_stories(small):
    stock = {
        (s["variant_id"], s["location_id"]): s["quantity"] for s in rows(small[1], "inv_stock")
    }
    variants = {v["id"]: v for v in rows(small[1], "pim_variant")}
    stores = [f"s{n:02d}" for n in range(1, 15)]

    assert variants[LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID]["product_id"] == LAPTOP_BAG_PRODUCT_ID
    assert stock[LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, HOME_STORE_ID] == 0
    assert sum(stock.get((LAPTOP_BAG_OUT_OF_STOCK_VARIANT_ID, s), 0) > 0 for s in stores) >= 3
    assert variants[BIKINI_LOW_STOCK_VARIANT_ID]["product_id"] == BIKINI_PRODUCT_ID
    assert variants[BIKINI_LOW_STOCK_VARIANT_ID]["sku"] == "P100003-CORAL-38"
    assert stock[BIKINI_LOW_STOCK_VARIANT_ID, BIKINI_STORE_ID] == 1
    assert all(stock[BIKINI_LOW_STOCK_VARIANT_ID, s] >= 3 for s in stores if s != BIKINI_STORE_ID)


async def test_stock_is_fresh_and_mostly_present(small):
    stock = rows(small[1], "inv_stock")
    variants = len(small[1]["pim_variant"])

    assert 0.6 * 16 * variants < len(stock) < 16 * variants
    assert all(NOW - timedelta(hours=6) <= s["updated_at"] < NOW for s in stock)
    assert any(s["quantity"] == 0 for s in stock)
    assert min(s["quantity"] for s in stock if s["location_id"] == "dc1" and s["quantity"]) >= 20


# orders


async def test_every_order_adds_up(small):
    data = small[1]
    lines_of: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in rows(data, "oms_order_line"):
        lines_of[line["order_id"]].append(line)
    discounts_of: defaultdict[str, Decimal] = defaultdict(Decimal)
    for discount in rows(data, "oms_line_discount"):
        discounts_of[discount["line_id"]] += discount["amount"]
    paid: defaultdict[str, Decimal] = defaultdict(Decimal)
    for payment in rows(data, "oms_payment"):
        paid[payment["order_id"]] += payment["amount"]

    for order in rows(data, "oms_order"):
        lines = lines_of[order["id"]]
        assert 1 <= len(lines) <= 5
        for line in lines:
            gross = line["unit_list_amount"] * line["quantity"]
            assert line["total"] == gross - discounts_of[line["id"]]
            assert line["tax"] == round_money(line["total"] * 21 / 121)
        assert order["subtotal"] == sum(ln["unit_list_amount"] * ln["quantity"] for ln in lines)
        assert order["discount_total"] == sum(discounts_of[ln["id"]] for ln in lines)
        assert order["total"] == sum(ln["total"] for ln in lines) + order["shipping"]
        assert order["total"] == order["subtotal"] - order["discount_total"] + order["shipping"]
        assert paid[order["id"]] == order["total"]
        goods = order["total"] - order["shipping"]
        assert order["shipping"] in (Decimal("0.00"), Decimal("4.95"))
        assert order["shipping"] == 0 or (order["channel"] != "STORE" and goods < 50)


async def test_lines_reference_real_variants_at_their_list_prices(small):
    data = small[1]
    variants = {v["id"]: v["sku"] for v in rows(data, "pim_variant")}
    prices = {(p["variant_id"], p["channel"]): p["amount"] for p in rows(data, "price_list_price")}
    orders = {o["id"]: o for o in rows(data, "oms_order")}

    for line in rows(data, "oms_order_line"):
        assert variants[line["variant_id"]] == line["sku"]
        channel = orders[line["order_id"]]["channel"]
        expected = prices.get((line["variant_id"], channel), prices[line["variant_id"], "DEFAULT"])
        assert line["unit_list_amount"] == expected


async def test_orders_have_a_believable_life(small):
    data = small[1]
    orders = rows(data, "oms_order")
    history: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in rows(data, "oms_history"):
        history[event["order_id"]].append(event)

    assert {o["channel"] for o in orders} == {"WEB", "APP", "STORE"}
    assert any(o["customer_id"] is None and o["channel"] == "STORE" for o in orders)
    assert all(o["customer_id"] for o in orders if o["channel"] != "STORE")
    for order in orders:
        events = history[order["id"]]
        assert events[0]["action"] == "PLACED"
        assert events[0]["at"] == order["placed_at"]
        assert order["version"] == len(events)
        assert [e["at"] for e in events] == sorted(e["at"] for e in events)
        assert all(e["at"] <= NOW for e in events)
        assert order["number"][0] == order["channel"][0]
        assert order["number"][2:] == order["id"][1:]
    old = [o for o in orders if o["placed_at"] < NOW - timedelta(days=30)]
    assert all(o["status"] in ("COMPLETED", "RETURNED", "PARTIALLY_RETURNED") for o in old)
    assert {o["status"] for o in orders} >= {"COMPLETED", "IN_FULFILLMENT", "PLACED"}
    assert min(o["placed_at"] for o in orders) > NOW - timedelta(days=560)


async def test_returns_are_refunded_and_recorded_on_lines(small):
    data = small[1]
    orders = {o["id"]: o for o in rows(data, "oms_order")}
    lines = {ln["id"]: ln for ln in rows(data, "oms_order_line")}
    returned: defaultdict[str, int] = defaultdict(int)
    for rline in rows(data, "oms_return_line"):
        returned[rline["order_line_id"]] += rline["quantity"]
    returns = rows(data, "oms_return")

    assert returns
    assert {
        line_id: ln["returned_quantity"] for line_id, ln in lines.items() if ln["returned_quantity"]
    } == returned
    for ret in returns:
        order = orders[ret["order_id"]]
        assert ret["status"] == "REFUNDED"
        assert ret["channel"] in ("STORE", "MAIL")
        assert ret["refund_amount"] == sum(Decimal(p["amount"]) for p in ret["refund_breakdown"])
        assert 0 <= ret["loyalty_points_reversed"] <= floor(ret["refund_amount"])
        order_lines = [ln for ln in lines.values() if ln["order_id"] == order["id"]]
        everything = all(ln["returned_quantity"] == ln["quantity"] for ln in order_lines)
        assert order["status"] == ("RETURNED" if everything else "PARTIALLY_RETURNED")
        assert ret["received_location_id"] == ret["destination_location_id"]
        assert ret["created_at"] <= ret["received_at"] <= NOW
        assert ret["routing"] is None
    received = {
        (event["order_id"], event["at"])
        for event in rows(data, "oms_history")
        if event["action"] == "RETURN_RECEIVED"
    }
    assert {(ret["order_id"], ret["received_at"]) for ret in returns} <= received
    damaged = {
        rline["return_id"]
        for rline in rows(data, "oms_return_line")
        if rline["reason"] == "Beschadigd ontvangen"
    }
    assert {ret["id"] for ret in returns if not ret["resellable"]} == damaged
    assert sum(ret["resellable"] for ret in returns) > len(returns) / 2
    assert not [
        o
        for o in orders.values()
        if "RETURNED" in o["status"] and o["id"] not in {r["order_id"] for r in returns}
    ]


async def test_enumerated_values_are_the_contracts(small):
    data = small[1]
    # The values of the enums in schema.graphql the seeded columns are read into.
    channels = {"WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"}
    order_statuses = {
        "PLACED", "CONFIRMED", "IN_FULFILLMENT", "SHIPPED", "READY_FOR_PICKUP",
        "COMPLETED", "CANCELLED", "PARTIALLY_RETURNED", "RETURNED",
    }  # fmt: skip

    assert {o["status"] for o in rows(data, "oms_order")} <= order_statuses
    assert {o["channel"] for o in rows(data, "oms_order")} <= channels
    assert {e["channel"] for e in rows(data, "oms_history")} <= channels | {None}
    assert {i["channel"] for i in rows(data, "crm_interaction")} <= channels
    assert {f["type"] for f in rows(data, "oms_fulfillment")} <= {
        "SHIP_TO_HOME", "CLICK_AND_COLLECT", "SHIP_FROM_STORE", "CARRY_OUT",
    }  # fmt: skip
    methods = {"CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE"}
    assert {p["method"] for p in rows(data, "oms_payment")} <= methods
    assert {r["refund_method"] for r in rows(data, "oms_return")} <= methods
    assert {r["channel"] for r in rows(data, "oms_return")} <= {"STORE", "MAIL"}
    assert {r["status"] for r in rows(data, "oms_return")} <= {
        "REGISTERED",
        "RECEIVED",
        "REFUNDED",
        "REJECTED",
    }
    assert {c["tier"] for c in rows(data, "crm_customer")} <= {"STANDARD", "SILVER", "GOLD"}
    assert all(set(loc["channels"]) <= channels for loc in rows(data, "inv_location"))
    assert all(set(p["channels"]) <= channels for p in rows(data, "price_promotion"))


async def test_every_amount_is_stored_in_cents(small):
    data = small[1]
    for name, table in Base.metadata.tables.items():
        for column in table.columns:
            if isinstance(column.type, Money):
                values = [
                    row[column.name] for row in rows(data, name) if row[column.name] is not None
                ]
                assert all(v.as_tuple().exponent == -2 for v in values), (name, column.name)


# customers and loyalty


async def test_loyalty_points_equal_the_ledger_and_never_go_negative(small):
    data = small[1]
    entries: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in rows(data, "loy_points_entry"):
        entries[entry["card_number"]].append(entry)
    cards = {
        i["value"]: i["customer_id"]
        for i in rows(data, "crm_identifier")
        if i["type"] == "LOYALTY_CARD"
    }

    accounts = rows(data, "loy_account")
    assert {a["card_number"]: a["customer_id"] for a in accounts} == cards
    for account in accounts:
        assert is_valid_gtin(account["card_number"])
        assert len(account["card_number"]) == 13
        assert account["points"] == sum(e["points"] for e in entries[account["card_number"]])
        balance = 0
        for entry in sorted(entries[account["card_number"]], key=lambda e: e["at"]):
            balance += entry["points"]
            assert balance >= 0


async def test_customers_look_dutch_and_have_linked_identifiers(small):
    data = small[1]
    customers = rows(data, "crm_customer")
    identifiers = rows(data, "crm_identifier")

    assert {c["tier"] for c in customers} <= {"STANDARD", "SILVER", "GOLD"}
    assert all(c["phone"] is None or c["phone"].startswith("+316") for c in customers)
    assert all(c["customer_number"] == f"C1{c['id'][2:]}" for c in customers)
    assert {i["type"] for i in identifiers} == {
        "EMAIL",
        "LOYALTY_CARD",
        "PHONE",
        "SOCIAL",
        "EXTERNAL",
    }
    emails = [i["value"] for i in identifiers if i["type"] == "EMAIL"]
    assert len(set(emails)) == len(emails)
    assert {v["redeemed_at"] is None for v in rows(data, "crm_voucher")} == {True, False}


async def test_redeemed_vouchers_appear_as_order_discounts(small):
    data = small[1]
    used = {d["promotion_id"] for d in rows(data, "oms_line_discount")}

    for voucher in rows(data, "crm_voucher"):
        assert (voucher["id"] in used) == (voucher["redeemed_at"] is not None)


async def test_the_demo_customer_has_everything_the_journeys_need(small):
    data = small[1]
    customer = next(c for c in rows(data, "crm_customer") if c["id"] == DEMO_CUSTOMER_ID)
    orders = [o for o in rows(data, "oms_order") if o["customer_id"] == DEMO_CUSTOMER_ID]
    account = next(a for a in rows(data, "loy_account") if a["customer_id"] == DEMO_CUSTOMER_ID)
    vouchers = [v for v in rows(data, "crm_voucher") if v["customer_id"] == DEMO_CUSTOMER_ID]
    kinds = {
        i["kind"] for i in rows(data, "crm_interaction") if i["customer_id"] == DEMO_CUSTOMER_ID
    }

    assert customer["tier"] == "GOLD"
    assert {o["channel"] for o in orders} == {"WEB", "APP", "STORE"}
    assert account["points"] > 0
    assert kinds == {"call", "complaint", "store_visit"}
    assert any(
        v["redeemed_at"] is None and v["reason"] == "Compensatie voor late levering"
        for v in vouchers
    )
    paint_lines = [
        ln for ln in rows(data, "oms_order_line")
        if ln["variant_id"] == PAINT_VARIANT_ID and ln["order_id"] in {o["id"] for o in orders}
    ]  # fmt: skip
    store_paint = [o for o in orders if o["id"] == paint_lines[0]["order_id"]]
    assert [(ln["quantity"], ln["total"]) for ln in paint_lines] == [(1, Decimal("39.95"))]
    assert store_paint[0]["channel"] == "STORE"
    assert store_paint[0]["placed_at"] >= datetime(2026, 11, 16, tzinfo=UTC)
    assert any(o["status"] == "IN_FULFILLMENT" for o in orders)
    assert any(
        o["shipping"] > 0 and o["discount_total"] > 0 and o["status"] == "COMPLETED" for o in orders
    )


async def test_the_returning_customer_can_send_back_one_bikini(small):
    data = small[1]
    orders = [o for o in rows(data, "oms_order") if o["customer_id"] == RETURNING_CUSTOMER_ID]
    lines = [ln for ln in rows(data, "oms_order_line") if ln["order_id"] == orders[0]["id"]]

    assert [(o["channel"], o["status"]) for o in orders] == [
        ("WEB", "COMPLETED"),
        ("APP", "PLACED"),
    ]
    assert {ln["sku"] for ln in lines} == {"P100003-CORAL-38", "P100003-CORAL-40"}


# refusing and detecting


async def test_seed_refuses_a_seeded_database(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'twice.sqlite3'}")
    try:
        assert await is_seeded(engine) is False
        await seed(engine, size="small", today=TODAY)
        assert await is_seeded(engine) is True

        with pytest.raises(ValueError, match="already holds data"):
            await seed(engine, size="small", today=TODAY)
    finally:
        await engine.dispose()


async def test_seed_rejects_an_unknown_size(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'size.sqlite3'}")
    try:
        with pytest.raises(ValueError, match="unknown seed size 'huge'"):
            await seed(engine, size="huge", today=TODAY)
    finally:
        await engine.dispose()


# PostgreSQL


@pytest.mark.postgres
async def test_small_seeds_into_postgresql_like_into_sqlite(postgres_engine, small):
    report = await seed(postgres_engine, size="small", today=TODAY)
    data = await dump(postgres_engine)

    assert report.counts == small[0].counts
    assert await is_seeded(postgres_engine) is True
    assert rows(data, "oms_order") == rows(small[1], "oms_order")
    assert rows(data, "loy_account") == rows(small[1], "loy_account")
    assert rows(data, "pim_variant") == rows(small[1], "pim_variant")
