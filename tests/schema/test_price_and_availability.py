"""Prices in the request's channel, basket quotes to the cent, availability and locations."""

from decimal import Decimal

import pytest

from backoffice.seed import PAINT_PROMOTION_ID
from resolvers.ids import to_global_id

pytestmark = pytest.mark.anyio

# The story's promoted paint, "Muurverf Extra Mat 2,5 L": the only "extra" of the muurverven,
# wherever relevance puts the others.
PAINT = """
{ products(first: 1, search: "muurverf extra") { edges { node {
    price { amount { amount currency } listAmount { amount } }
    variants { id sku price(quantity: 3) { amount { amount } listAmount { amount } promotions { name discount { amount } } validUntil } }
} } } }
"""

QUOTE = """
query($lines: [BasketLineInput!]!) { basketQuote(lines: $lines) {
  subtotal { amount currency } discountTotal { amount } total { amount }
  promotions { promotionId name discount { amount } }
  lines { quantity unitListAmount { amount } discounts { name amount { amount } } total { amount } variant { sku } }
} }
"""


async def paint_variant(api):
    reply = await api.query(PAINT)
    assert reply.errors is None, reply.errors
    return reply.data["products"]["edges"][0]["node"]


async def test_three_cans_of_paint_cost_the_price_of_two(api):
    product = await paint_variant(api)
    variant = product["variants"][0]
    price = variant["price"]
    listed = Decimal(price["listAmount"]["amount"])
    # 3 for 2: one can in three is free, so each can costs two thirds, rounded half up.
    assert Decimal(price["amount"]["amount"]) == (listed * 2 / 3).quantize(Decimal("0.01"))
    assert [p["name"] for p in price["promotions"]]
    assert price["validUntil"] is not None, "a promotion price says when it ends"


async def test_a_basket_quote_adds_up_to_the_cent(api):
    product = await paint_variant(api)
    variant = product["variants"][0]
    reply = await api.query(QUOTE, {"lines": [{"variantId": variant["id"], "quantity": 3}]})
    assert reply.errors is None, reply.errors
    quote = reply.data["basketQuote"]
    listed = Decimal(quote["lines"][0]["unitListAmount"]["amount"])
    assert Decimal(quote["subtotal"]["amount"]) == listed * 3
    assert Decimal(quote["discountTotal"]["amount"]) == listed
    assert Decimal(quote["total"]["amount"]) == listed * 2
    assert quote["subtotal"]["currency"] == "EUR"
    line_totals = sum(Decimal(line["total"]["amount"]) for line in quote["lines"])
    assert line_totals == Decimal(quote["total"]["amount"])
    assert quote["lines"][0]["variant"]["sku"] == variant["sku"]
    assert [p["promotionId"] for p in quote["promotions"]] == [PAINT_PROMOTION_ID]


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        (
            [{"variantId": to_global_id("ProductVariant", "v999999"), "quantity": 1}],
            "BAD_USER_INPUT",
        ),
        ([{"variantId": "garbage", "quantity": 1}], "BAD_USER_INPUT"),
        ([], "BAD_USER_INPUT"),
    ],
)
async def test_bad_basket_lines_are_bad_user_input(api, lines, code):
    reply = await api.query(QUOTE, {"lines": lines})
    assert reply.codes == [code]
    assert reply.data is None


async def test_zero_quantity_is_bad_user_input(api):
    product = await paint_variant(api)
    reply = await api.query(
        QUOTE, {"lines": [{"variantId": product["variants"][0]["id"], "quantity": 0}]}
    )
    assert reply.codes == ["BAD_USER_INPUT"]


LOCATIONS = """
query($near: GeoPointInput, $types: [LocationType!]) {
  locations(near: $near, types: $types, first: 50) { id code name type address { city } geo { latitude longitude } }
}
"""


async def test_locations_nearest_first(api):
    amsterdam = {"latitude": 52.3676, "longitude": 4.9041}
    reply = await api.query(LOCATIONS, {"near": amsterdam, "types": ["STORE"]})
    stores = reply.data["locations"]
    assert len(stores) >= 12
    assert {s["type"] for s in stores} == {"STORE"}
    distances = [
        (s["geo"]["latitude"] - amsterdam["latitude"]) ** 2
        + (s["geo"]["longitude"] - amsterdam["longitude"]) ** 2
        for s in stores
    ]
    assert distances[0] == min(distances)
    everything = await api.query(LOCATIONS, {})
    types = {loc["type"] for loc in everything.data["locations"]}
    assert types == {"STORE", "DISTRIBUTION_CENTER", "PARTNER"}


AVAILABILITY = """
query($sku: String, $ids: [ID!], $live: Boolean) { variant(sku: $sku) {
  availability(locationIds: $ids, live: $live) { available asOf live locations { quantity status location { id code } } }
} }
"""


async def test_availability_in_chosen_stores_in_order_with_status(api):
    product = await paint_variant(api)
    sku = product["variants"][0]["sku"]
    ids = [to_global_id("Location", s) for s in ("s03", "s01", "s02")]
    reply = await api.query(AVAILABILITY, {"sku": sku, "ids": ids})
    availability = reply.data["variant"]["availability"]
    assert [row["location"]["id"] for row in availability["locations"]] == ids
    for row in availability["locations"]:
        expected = (
            "OUT_OF_STOCK"
            if row["quantity"] <= 0
            else "LOW_STOCK"
            if row["quantity"] <= 3
            else "IN_STOCK"
        )
        assert row["status"] == expected
    assert availability["available"] == any(r["quantity"] > 0 for r in availability["locations"])


async def test_cached_figures_say_so_and_live_reads_are_fresh(api):
    product = await paint_variant(api)
    sku = product["variants"][0]["sku"]
    ids = [to_global_id("Location", "s01")]
    first = (await api.query(AVAILABILITY, {"sku": sku, "ids": ids})).data["variant"][
        "availability"
    ]
    cached = (await api.query(AVAILABILITY, {"sku": sku, "ids": ids})).data["variant"][
        "availability"
    ]
    live = (await api.query(AVAILABILITY, {"sku": sku, "ids": ids, "live": True})).data["variant"][
        "availability"
    ]
    assert first["live"] is True, "a cache miss reads the source during this request"
    assert cached["live"] is False
    assert cached["asOf"] == first["asOf"]
    assert live["live"] is True
    assert live["asOf"] > first["asOf"]


async def test_the_store_header_picks_the_location(api):
    product = await paint_variant(api)
    reply = await api.query(
        "query($sku: String) { variant(sku: $sku) { availability { locations { location { code } } } } }",
        {"sku": product["variants"][0]["sku"]},
        headers={"x-store": "s02"},
    )
    rows = reply.data["variant"]["availability"]["locations"]
    assert len(rows) == 1


async def test_a_service_agent_sees_the_stock_the_web_shop_sells(api):
    # given: the call centre's channel, which no location lists among its own
    variables = {"sku": "P100001-WHITE"}

    # when
    service = await api.query(AVAILABILITY, variables, role="service")
    web = await api.query(AVAILABILITY, variables, headers={"x-channel": "WEB"})

    # then: the warehouses' and stores' stock, as the web shop sells it
    assert service.errors is None, service.errors
    availability = service.data["variant"]["availability"]
    codes = {row["location"]["code"] for row in availability["locations"]}
    assert {"DC01", "PW01", "NL001"} <= codes
    assert availability["available"] is True
    assert availability["locations"] == web.data["variant"]["availability"]["locations"]


STORE_AVAILABILITY = """{ variant(sku: "P100001-WHITE") {
  availability { available locations { location { code } } } } }"""


@pytest.mark.parametrize("store", ["s01", "NL001", "nl001", to_global_id("Location", "s01")])
async def test_x_store_takes_a_store_id_code_or_location_id(api, store):
    reply = await api.query(STORE_AVAILABILITY, headers={"x-store": store})
    assert reply.errors is None, reply.errors
    rows = reply.data["variant"]["availability"]["locations"]
    assert rows == [{"location": {"code": "NL001"}}]


@pytest.mark.parametrize("store", ["s99", "NL999", to_global_id("Location", "s99")])
async def test_an_unknown_x_store_is_bad_user_input(api, store):
    reply = await api.query(STORE_AVAILABILITY, headers={"x-store": store})
    assert reply.data == {"variant": {"availability": None}}
    assert reply.codes == ["BAD_USER_INPUT"]
    assert reply.errors[0]["extensions"]["header"] == "X-Store"
    assert "NL001" in reply.errors[0]["message"]
