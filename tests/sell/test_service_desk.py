"""Journey 2 of DESIGN §7 and the service desk's writes, through the public API, embedded and over HTTP."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from resolvers.ids import from_global_id
from tests.sell.conftest import Shop
from tests.sell.desk_documents import (
    AGENT,
    BY_ID,
    BY_IDENTIFIER,
    CUSTOMER,
    DEMO_CARD,
    ISSUE,
    LINK,
    OTHER_CUSTOMER,
    RECORD,
    TILL,
    customer_id,
    issue,
    pay,
    till_cart,
)
from tests.sell.documents import LOYALTY

pytestmark = pytest.mark.anyio

CODE = re.compile(r"^TB(-[A-HJ-NP-Z2-9]{4}){3}$")
NEW_CARD = "2600000090001"


async def test_journey_2_a_voucher_with_a_reason_redeemed_in_store_and_the_reaction_recorded(
    shop: Shop,
):
    points = (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"]

    # Customer service issues a voucher after a complaint.
    voucher = await issue(shop, "15.00", reason="  Excuses: blikken verf beschadigd bezorgd  ")
    assert CODE.match(voucher["code"])
    assert voucher["amount"] == {"amount": "15.00", "currency": "EUR"}
    assert voucher["reason"] == "Excuses: blikken verf beschadigd bezorgd"
    assert voucher["issuedBy"] == "svc:joris"
    assert voucher["redeemedAt"] is None
    # Valid for vouchers.validity_days from now, as the gateway tells the time.
    expires = datetime.fromisoformat(voucher["expiresAt"])
    assert abs(expires - (shop.clocks[0].now() + timedelta(days=90))) < timedelta(minutes=1)

    # At the till, the associate scans the card and sees the voucher and why it was issued.
    seen = (await shop.ok(BY_IDENTIFIER, {"type": "LOYALTY_CARD", "value": DEMO_CARD}, **TILL))[
        "customer"
    ]
    assert seen["email"] == "j***@example.com"
    [shown] = [v for v in seen["vouchers"] if v["code"] == voucher["code"]]
    assert shown["reason"] == "Excuses: blikken verf beschadigd bezorgd"
    assert shown["issuedBy"] == "svc:joris"

    # The customer pays with it: the voucher first, cash for the rest.
    cart = await till_cart(shop, PAINT_VARIANT_ID)
    placed = await pay(shop, cart, "till-voucher", [voucher["code"].lower()], **TILL)
    assert placed["userErrors"] == []
    order = placed["order"]
    assert order["total"] == {"amount": "39.95"}
    assert order["payments"] == [
        {"method": "VOUCHER", "amount": {"amount": "15.00"}},
        {"method": "CASH", "amount": {"amount": "24.95"}},
    ]
    # Points on what was paid other than by voucher: 24.95, rounded down.
    assert (await shop.ok(LOYALTY, **CUSTOMER))["me"]["loyalty"]["points"] == points + 24

    # The associate records how the customer took it; the service agent sees it.
    recorded = (
        await shop.ok(
            RECORD,
            {
                "customer": customer_id(),
                "kind": "Reaction",
                "note": "Klant was blij met de tegoedbon en komt terug.",
            },
            **TILL,
        )
    )["interactionRecord"]
    assert recorded["userErrors"] == []
    assert recorded["customer"]["interactions"][0] == {
        "kind": "reaction",
        "note": "Klant was blij met de tegoedbon en komt terug.",
        "channel": "STORE",
        "by": "staff-s01",
    }
    agent_view = (await shop.ok(BY_ID, {"id": customer_id()}, **AGENT))["customer"]
    assert agent_view["interactions"][0]["kind"] == "reaction"
    assert agent_view["email"] == "jeroen.bakker@example.com"
    [spent] = [v for v in agent_view["vouchers"] if v["code"] == voucher["code"]]
    assert spent["redeemedAt"] is not None
    [stored] = (await shop.runtime.sources.crm.get_vouchers_by_code([voucher["code"]])).values()
    assert stored.redeemed_order_id == from_global_id(order["id"])[1]


async def test_a_customer_sees_their_vouchers_without_who_issued_them_and_a_kiosk_sees_nothing(
    shop: Shop,
):
    voucher = await issue(shop, "5.00")

    mine = (await shop.ok("{ me { vouchers { code reason issuedBy expiresAt } } }", **CUSTOMER))[
        "me"
    ]["vouchers"]
    other = await shop.query(BY_ID, {"id": customer_id()}, **OTHER_CUSTOMER)
    kiosk = await shop.query(
        BY_ID, {"id": customer_id()}, role="kiosk", store_id="s01", channel="KIOSK"
    )

    [own] = [v for v in mine if v["code"] == voucher["code"]]
    assert own["issuedBy"] is None
    assert own["reason"] == "Beschadigde verfblikken bezorgd"
    assert own["expiresAt"] == voucher["expiresAt"]
    assert other.codes == ["FORBIDDEN"]
    assert kiosk.codes == ["FORBIDDEN"]


async def test_a_retried_issue_answers_the_first_voucher_and_a_reused_key_is_refused(shop: Shop):
    first = await issue(shop, "7.50", key="complaint-77")
    again = await issue(shop, "7.50", key="complaint-77")
    reused = (
        await shop.ok(
            ISSUE,
            {"customer": customer_id(), "amount": "8.00", "reason": "x", "key": "complaint-77"},
            **AGENT,
        )
    )["voucherIssue"]

    assert again == first
    assert reused["voucher"] is None
    assert reused["userErrors"] == [
        {
            "field": ["idempotencyKey"],
            "message": "This idempotency key was used for another voucher; use a new key.",
            "code": "IDEMPOTENCY_KEY_REUSED",
        }
    ]
    vouchers = (await shop.runtime.sources.crm.get_vouchers([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    assert [v.code for v in vouchers].count(first["code"]) == 1
    assert sum(v.reason == "Beschadigde verfblikken bezorgd" for v in vouchers) == 1
    # The customer was sent the code, once.
    sent = (await shop.runtime.sources.crm.get_notifications([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    assert [(n.template, n.data["code"]) for n in sent] == [("voucher_issued", first["code"])]


@pytest.mark.parametrize(
    ("variables", "code", "field"),
    [
        ({"amount": "-5.00"}, "INVALID_AMOUNT", ["amount"]),
        ({"amount": "0"}, "INVALID_AMOUNT", ["amount"]),
        ({"amount": "5.001"}, "INVALID_AMOUNT", ["amount"]),
        ({"amount": "250.01"}, "AMOUNT_TOO_LARGE", ["amount"]),
        ({"reason": "   "}, "REASON_REQUIRED", ["reason"]),
        ({"reason": "x" * 501}, "REASON_TOO_LONG", ["reason"]),
        ({"customer": customer_id("cu99999")}, "CUSTOMER_NOT_FOUND", ["customerId"]),
        ({"key": " "}, "INVALID_IDEMPOTENCY_KEY", ["idempotencyKey"]),
    ],
)
async def test_a_voucher_issue_with_bad_input_is_refused_and_issues_nothing(
    shop: Shop, variables, code, field
):
    before = (await shop.runtime.sources.crm.get_vouchers([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    sent = {"customer": customer_id(), "amount": "10.00", "reason": "Sorry", **variables}

    refused = (await shop.ok(ISSUE, sent, **AGENT))["voucherIssue"]

    assert refused["voucher"] is None
    assert [(e["code"], e["field"]) for e in refused["userErrors"]] == [(code, field)]
    after = (await shop.runtime.sources.crm.get_vouchers([DEMO_CUSTOMER_ID]))[DEMO_CUSTOMER_ID]
    assert after == before


@pytest.mark.parametrize(
    ("viewer", "code"),
    [
        ({}, "UNAUTHENTICATED"),
        (CUSTOMER, "FORBIDDEN"),
        (TILL, "FORBIDDEN"),
        ({"role": "kiosk", "store_id": "s01", "channel": "KIOSK"}, "FORBIDDEN"),
    ],
)
async def test_only_service_agents_and_admins_issue_vouchers(shop: Shop, viewer, code):
    sent = {"customer": customer_id(), "amount": "10.00", "reason": "Sorry"}

    reply = await shop.query(ISSUE, sent, **viewer)

    assert reply.codes == [code]
    admin = (await shop.ok(ISSUE, sent, role="admin"))["voucherIssue"]
    assert admin["userErrors"] == []
    assert admin["voucher"]["issuedBy"] == "dev-admin"


async def test_an_interaction_needs_staff_a_kind_a_note_and_a_known_customer(shop: Shop):
    good = {"customer": customer_id(), "kind": "call", "note": "Belde over levertijd."}

    anonymous = await shop.query(RECORD, good)
    customer = await shop.query(RECORD, good, **CUSTOMER)
    refusals = [
        (await shop.ok(RECORD, {**good, **bad}, **AGENT))["interactionRecord"]["userErrors"]
        for bad in (
            {"kind": "bel me!"},
            {"kind": "x" * 33},
            {"note": "  "},
            {"customer": customer_id("cu99999")},
        )
    ]
    agent = (await shop.ok(RECORD, good, **AGENT))["interactionRecord"]

    assert anonymous.codes == ["UNAUTHENTICATED"]
    assert customer.codes == ["FORBIDDEN"]
    assert [[e["code"] for e in errors] for errors in refusals] == [
        ["INVALID_KIND"],
        ["INVALID_KIND"],
        ["NOTE_REQUIRED"],
        ["CUSTOMER_NOT_FOUND"],
    ]
    assert agent["customer"]["interactions"][0] == {
        "kind": "call",
        "note": "Belde over levertijd.",
        "channel": "CALL_CENTER",
        "by": "svc:joris",
    }


async def test_a_linked_card_finds_the_customer_and_a_taken_one_is_refused(shop: Shop):
    other = customer_id("cu00003")

    linked = (
        await shop.ok(
            LINK,
            {"customer": other, "identifier": {"type": "LOYALTY_CARD", "value": NEW_CARD}},
            **TILL,
        )
    )["customerIdentifierLink"]
    found = (await shop.ok(BY_IDENTIFIER, {"type": "LOYALTY_CARD", "value": NEW_CARD}, **TILL))[
        "customer"
    ]
    taken = (
        await shop.ok(
            LINK,
            {"customer": other, "identifier": {"type": "LOYALTY_CARD", "value": DEMO_CARD}},
            **AGENT,
        )
    )["customerIdentifierLink"]
    malformed = (
        await shop.ok(
            LINK,
            {"customer": other, "identifier": {"type": "LOYALTY_CARD", "value": "12345"}},
            **AGENT,
        )
    )["customerIdentifierLink"]
    email_at_till = await shop.query(
        LINK,
        {"customer": other, "identifier": {"type": "EMAIL", "value": "a@example.com"}},
        **TILL,
    )

    assert linked["userErrors"] == []
    assert {"type": "LOYALTY_CARD", "value": NEW_CARD, "source": "pos"} in linked["customer"][
        "identifiers"
    ]
    assert found["id"] == other
    assert [(e["code"], e["field"]) for e in taken["userErrors"]] == [
        ("IDENTIFIER_TAKEN", ["identifier", "value"])
    ]
    assert [e["code"] for e in malformed["userErrors"]] == ["INVALID_IDENTIFIER"]
    assert email_at_till.codes == ["FORBIDDEN"]


async def test_a_linked_email_is_found_whatever_its_case(shop: Shop):
    other = customer_id("cu00003")

    linked = (
        await shop.ok(
            LINK,
            {
                "customer": other,
                "identifier": {"type": "EMAIL", "value": "Nieuw.Adres@Example.COM"},
            },
            **AGENT,
        )
    )["customerIdentifierLink"]
    found = (
        await shop.ok(BY_IDENTIFIER, {"type": "EMAIL", "value": "NIEUW.adres@example.com"}, **AGENT)
    )["customer"]
    again = (
        await shop.ok(
            LINK,
            {
                "customer": other,
                "identifier": {"type": "EMAIL", "value": "nieuw.adres@example.com"},
            },
            **AGENT,
        )
    )["customerIdentifierLink"]

    assert linked["userErrors"] == [] == again["userErrors"]
    assert {"type": "EMAIL", "value": "nieuw.adres@example.com", "source": "callcenter"} in (
        linked["customer"]["identifiers"]
    )
    assert again["customer"]["identifiers"] == linked["customer"]["identifiers"]
    assert found["id"] == other
