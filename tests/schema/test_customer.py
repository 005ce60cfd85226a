"""The customer view and its access rules: every role against every customer field."""

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from resolvers.ids import to_global_id

pytestmark = pytest.mark.anyio

DEMO_GID = to_global_id("Customer", DEMO_CUSTOMER_ID)

FULL = """
query($id: ID) {
  customer(id: $id) {
    id customerNumber name email phone tier
    identifiers { type value source }
    loyalty { cardNumber points }
    orders(first: 50) { edges { node { number channel } } pageInfo { hasNextPage } }
    interactions { kind note }
    vouchers { code reason amount { amount currency } }
  }
}
"""

ROLES = {
    "anonymous": {},
    "kiosk": {"store_id": "s01", "channel": "KIOSK"},
    "customer": {"customer_id": DEMO_CUSTOMER_ID},
    "other customer": {"customer_id": "cu00002"},
    "associate": {"store_id": "s01"},
    "service": {},
    "admin": {},
}


async def as_role(api, role, document, variables=None):
    if role == "anonymous":
        return await api.query(document, variables)
    name = "customer" if role == "other customer" else role
    return await api.query(document, variables, role=name, **ROLES[role])


async def test_the_service_agent_sees_the_360_view(api):
    reply = await api.query(FULL, {"id": DEMO_GID}, role="service")
    assert reply.errors is None
    customer = reply.data["customer"]
    assert customer["id"] == DEMO_GID
    assert "@" in customer["email"]
    assert "***" not in customer["email"]
    assert customer["tier"] == "GOLD"
    assert customer["loyalty"]["points"] > 0
    channels = {edge["node"]["channel"] for edge in customer["orders"]["edges"]}
    assert {"WEB", "APP", "STORE"} <= channels
    assert customer["interactions"]
    assert customer["vouchers"]
    assert all(v["reason"] for v in customer["vouchers"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "UNAUTHENTICATED"),
        ("kiosk", "FORBIDDEN"),
        ("customer", None),
        ("other customer", "FORBIDDEN"),
        ("associate", None),
        ("service", None),
        ("admin", None),
    ],
)
async def test_who_may_read_the_demo_customer(api, role, expected):
    reply = await as_role(api, role, FULL, {"id": DEMO_GID})
    if expected is None:
        assert reply.errors is None, reply.errors
        assert reply.data["customer"]["customerNumber"]
        assert reply.data["customer"]["loyalty"]["points"] > 0
        assert reply.data["customer"]["orders"]["edges"]
    else:
        assert reply.data == {"customer": None}
        assert set(reply.codes) == {expected}


async def test_associates_see_masked_contact_data(api):
    full = (await api.query(FULL, {"id": DEMO_GID}, role="service")).data["customer"]
    masked = (await as_role(api, "associate", FULL, {"id": DEMO_GID})).data["customer"]
    assert masked["name"] == full["name"]
    assert masked["email"] != full["email"]
    assert "***@" in masked["email"]
    assert masked["phone"].startswith("****")
    assert masked["phone"][-4:] == full["phone"][-4:]
    for identifier in masked["identifiers"]:
        if identifier["type"] in {"EMAIL", "PHONE"}:
            assert "***" in identifier["value"]
    cards = [i["value"] for i in masked["identifiers"] if i["type"] == "LOYALTY_CARD"]
    assert cards == [full["loyalty"]["cardNumber"]]


async def test_associates_find_customers_by_loyalty_card_but_not_by_email(api):
    full = (await api.query(FULL, {"id": DEMO_GID}, role="service")).data["customer"]
    by = "query($type: IdentifierType!, $value: String!) { customer(identifier: {type: $type, value: $value}) { id } }"
    card = await as_role(
        api, "associate", by, {"type": "LOYALTY_CARD", "value": full["loyalty"]["cardNumber"]}
    )
    email = await as_role(api, "associate", by, {"type": "EMAIL", "value": full["email"]})
    agent = await api.query(by, {"type": "EMAIL", "value": full["email"].upper()}, role="service")
    assert card.data == {"customer": {"id": DEMO_GID}}
    assert email.codes == ["FORBIDDEN"]
    assert agent.data == {"customer": {"id": DEMO_GID}}


@pytest.mark.parametrize(
    ("role", "expected_me"),
    [("anonymous", None), ("customer", DEMO_GID)],
)
async def test_me_is_the_signed_in_customer(api, role, expected_me):
    reply = await as_role(api, role, "{ me { id loyalty { points } } }")
    assert reply.errors is None
    assert (reply.data["me"] or {}).get("id") == expected_me


@pytest.mark.parametrize("role", ["kiosk", "associate", "service"])
async def test_staff_and_devices_have_no_me(api, role):
    reply = await as_role(api, role, "{ me { id } }")
    assert reply.data == {"me": None}
    assert reply.codes == ["FORBIDDEN"]


async def test_orders_page_and_filter_by_channel(api):
    query = """query($id: ID, $after: String, $channel: Channel) { customer(id: $id) {
      orders(first: 2, after: $after, channel: $channel) {
        edges { cursor node { number channel placedAt } } pageInfo { hasNextPage endCursor } } } }"""
    first = await api.query(query, {"id": DEMO_GID}, role="customer", customer_id=DEMO_CUSTOMER_ID)
    page = first.data["customer"]["orders"]
    second = await api.query(
        query,
        {"id": DEMO_GID, "after": page["pageInfo"]["endCursor"]},
        role="customer",
        customer_id=DEMO_CUSTOMER_ID,
    )
    placed = [
        e["node"]["placedAt"] for e in page["edges"] + second.data["customer"]["orders"]["edges"]
    ]
    assert placed == sorted(placed, reverse=True), "newest first"
    store_only = await api.query(query, {"id": DEMO_GID, "channel": "STORE"}, role="service")
    assert {e["node"]["channel"] for e in store_only.data["customer"]["orders"]["edges"]} == {
        "STORE"
    }


async def test_a_customer_cannot_read_another_customers_order(api):
    orders = await api.query(FULL, {"id": to_global_id("Customer", "cu00002")}, role="service")
    edges = orders.data["customer"]["orders"]["edges"]
    if not edges:
        pytest.skip("cu00002 has no orders in this seed")
    number = edges[0]["node"]["number"]
    query = "query($n: String) { order(number: $n) { number } }"
    own = await api.query(query, {"n": number}, role="customer", customer_id="cu00002")
    other = await api.query(query, {"n": number}, role="customer", customer_id=DEMO_CUSTOMER_ID)
    kiosk = await as_role(api, "kiosk", query, {"n": number})
    assert own.data == {"order": {"number": number}}
    assert other.codes == ["FORBIDDEN"]
    assert other.data == {"order": None}
    assert kiosk.codes == ["FORBIDDEN"]
