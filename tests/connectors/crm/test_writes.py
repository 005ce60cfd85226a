"""The CRM's writes through both adapters, embedded and over HTTP, on a database of their own.

The session's served back office reads the seeded demo retailer, which other tests expect
unchanged; these tests write, so each serves a fresh SQLite file instead. Both adapters
must answer the same records and raise the same refusals.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice import openapi
from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.http import HttpCrmConnector
from connectors.crm.protocol import CrmConnector
from connectors.crm.records import NewInteraction, NewVoucher, Voucher
from connectors.errors import (
    IdentifierTaken,
    NotFound,
    SourceRefused,
    SourceRejected,
    VoucherNotRedeemable,
)
from tests.backoffice import live
from tests.backoffice.crm.rows import T0, create_crm_tables, customer, insert, voucher
from tests.backoffice.test_api import assert_valid

pytestmark = pytest.mark.anyio

NOW = live.CLOCK.now()


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crm.sqlite3'}"
    engine = create_engine(url)
    await create_crm_tables(engine)
    sessions = sessionmaker(engine)
    await insert(sessions, customer("c-1"), customer("c-2"))
    await insert(
        sessions,
        voucher("v-old", "c-1", T0, code="TB-OLD", expires_at=NOW - timedelta(days=1)),
    )
    await engine.dispose()
    return url


@pytest.fixture(params=["embedded", "http"])
async def crm(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[CrmConnector]:
    if request.param == "embedded":
        engine = create_engine(database_url)
        try:
            yield EmbeddedCrmConnector(CrmService(sessionmaker(engine), clock=live.CLOCK))
        finally:
            await engine.dispose()
        return
    server = live.LiveBackoffice(database_url)
    server.start()
    try:
        async with server.client("crm") as client:
            yield HttpCrmConnector(client)
    finally:
        server.stop()


def new_voucher(voucher_id: str = "v-1", **overrides: object) -> NewVoucher:
    fields: dict[str, Any] = {
        "id": voucher_id,
        "customer_id": "c-1",
        "amount": Decimal("12.50"),
        "currency": "EUR",
        "reason": "Late delivery",
        "expires_at": NOW + timedelta(days=90),
        "issued_by": "svc:sanne",
    }
    return NewVoucher(**(fields | overrides))


async def test_an_issued_voucher_is_found_by_code_redeemed_once_and_released(crm):
    issued = await crm.issue_voucher(new_voucher())
    again = await crm.issue_voucher(new_voucher())
    found = await crm.get_vouchers_by_code([issued.code.lower(), "TB-NOPE"])
    spent = await crm.redeem_voucher(issued.code, order_id="o-1", customer_id="c-1")
    twice = await crm.redeem_voucher(issued.code, order_id="o-1", customer_id="c-1")
    released = await crm.release_voucher(issued.code, order_id="o-1")

    assert issued == again
    assert issued == Voucher(
        id="v-1",
        customer_id="c-1",
        code=issued.code,
        amount=Decimal("12.50"),
        currency="EUR",
        reason="Late delivery",
        issued_at=NOW,
        redeemed_at=None,
        expires_at=NOW + timedelta(days=90),
        redeemed_order_id=None,
        issued_by="svc:sanne",
    )
    assert found == {issued.code.lower(): issued}
    assert (spent.redeemed_at, spent.redeemed_order_id) == (NOW, "o-1")
    assert twice == spent
    assert released == issued


async def test_refusals_keep_their_codes_in_both_modes(crm):
    issued = await crm.issue_voucher(new_voucher())
    await crm.redeem_voucher(issued.code, order_id="o-1", customer_id="c-1")

    attempts = {
        "VOUCHER_REDEEMED": crm.redeem_voucher(issued.code, order_id="o-2", customer_id="c-1"),
        "VOUCHER_NOT_YOURS": crm.redeem_voucher("TB-OLD", order_id="o-2", customer_id="c-2"),
        "VOUCHER_EXPIRED": crm.redeem_voucher("TB-OLD", order_id="o-2", customer_id="c-1"),
        "VOUCHER_NOT_FOUND": crm.redeem_voucher("TB-NOPE", order_id="o-2", customer_id="c-1"),
    }
    for code, attempt in attempts.items():
        with pytest.raises(VoucherNotRedeemable) as caught:
            await attempt
        assert caught.value.code == code
    with pytest.raises(NotFound):
        await crm.issue_voucher(new_voucher("v-2", customer_id="nobody"))
    with pytest.raises(SourceRefused) as conflict:
        await crm.issue_voucher(new_voucher(amount=Decimal("99.00")))
    assert conflict.value.code == "CONFLICT"
    with pytest.raises(SourceRejected):
        await crm.issue_voucher(new_voucher("v-3", amount=Decimal("-1.00")))


async def test_of_ten_orders_racing_for_one_voucher_exactly_one_wins(crm):
    issued = await crm.issue_voucher(new_voucher())

    outcomes = await asyncio.gather(
        *(crm.redeem_voucher(issued.code, order_id=f"o-{n}", customer_id="c-1") for n in range(10)),
        return_exceptions=True,
    )

    assert sum(isinstance(o, Voucher) for o in outcomes) == 1
    assert {o.code for o in outcomes if isinstance(o, VoucherNotRedeemable)} == {"VOUCHER_REDEEMED"}


async def test_interactions_identifiers_and_notifications(crm):
    recorded = await crm.record_interaction(
        NewInteraction(
            id="i-1", customer_id="c-1", channel="STORE", kind="reaction", note="Blij", by="kees"
        )
    )
    linked = await crm.link_identifier("c-1", "EMAIL", "Sanne@Work.NL", source="callcenter")
    sent = await crm.send_notification(
        "c-1", key="voucher:v-1", template="voucher_issued", data={"code": "TB-1"}
    )
    resent = await crm.send_notification(
        "c-1", key="voucher:v-1", template="voucher_issued", data={"code": "TB-1"}
    )

    assert (recorded.at, recorded.channel, recorded.by) == (NOW, "STORE", "kees")
    assert (await crm.get_interactions(["c-1"]))["c-1"] == (recorded,)
    assert [(i.type, i.value, i.source) for i in linked.identifiers] == [
        ("EMAIL", "sanne@work.nl", "callcenter")
    ]
    assert await crm.find_customers([("EMAIL", "SANNE@work.nl")]) == {
        ("EMAIL", "SANNE@work.nl"): "c-1"
    }
    with pytest.raises(IdentifierTaken):
        await crm.link_identifier("c-2", "EMAIL", "sanne@work.nl", source=None)
    assert resent == sent
    assert (sent.template, dict(sent.data), sent.sent_at) == (
        "voucher_issued",
        {"code": "TB-1"},
        NOW,
    )
    assert await crm.get_notifications(["c-1", "c-2"]) == {"c-1": (sent,), "c-2": ()}


async def test_every_write_answers_the_documents_its_openapi_describes(database_url):
    server = live.LiveBackoffice(database_url)
    server.start()
    document = openapi.document("crm")
    paths = document["paths"]
    try:
        async with server.raw_client(
            headers={"authorization": f"Bearer {live.CRM_TOKEN}"}
        ) as client:
            answers: list[tuple[httpx.Response, str, str]] = []
            issue = await client.put(
                "/crm/v1/vouchers/v-1",
                json={"customer_id": "c-1", "amount": "5.00", "currency": "EUR", "reason": "r"},
            )
            answers.append((issue, "/crm/v1/vouchers/{id}", "put"))
            code = issue.json()["code"]
            for path, template, body in (
                (f"/crm/v1/vouchers/{code}/redeem", "/crm/v1/vouchers/{code}/redeem",
                 {"order_id": "o-1", "customer_id": "c-1"}),
                (f"/crm/v1/vouchers/{code}/release", "/crm/v1/vouchers/{code}/release",
                 {"order_id": "o-1"}),
                ("/crm/v1/customers/c-1/identifiers", "/crm/v1/customers/{id}/identifiers",
                 {"type": "LOYALTY_CARD", "value": "2600000000901"}),
            ):  # fmt: skip
                answers.append((await client.post(path, json=body), template, "post"))
            answers.append(
                (
                    await client.put(
                        "/crm/v1/interactions/i-1",
                        json={"customer_id": "c-1", "channel": "WEB", "kind": "k", "note": "n"},
                    ),
                    "/crm/v1/interactions/{id}",
                    "put",
                )
            )
            answers.append(
                (
                    await client.put(
                        "/crm/v1/notifications/voucher:v-1",
                        json={"customer_id": "c-1", "template": "t", "data": {"a": "b"}},
                    ),
                    "/crm/v1/notifications/{key}",
                    "put",
                )
            )
            taken = await client.post(
                "/crm/v1/customers/c-2/identifiers",
                json={"type": "LOYALTY_CARD", "value": "2600000000901"},
            )
            unknown = await client.post(
                "/crm/v1/vouchers/TB-NOPE/redeem", json={"order_id": "o-1", "customer_id": "c-1"}
            )
            listed = await client.get("/crm/v1/vouchers", params={"code": [code, "x"]})
            messages = await client.get("/crm/v1/notifications", params={"customer_id": "c-1"})
    finally:
        server.stop()

    for response, template, method in answers:
        assert response.status_code == 200, response.text
        schema = paths[template][method]["responses"]["200"]["content"]["application/json"]
        assert_valid(response.json(), schema["schema"], document)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "IDENTIFIER_TAKEN")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "VOUCHER_NOT_FOUND")
    for response, path in ((listed, "/crm/v1/vouchers"), (messages, "/crm/v1/notifications")):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert_valid(response.json(), schema, document)
        assert len(response.json()["items"]) == 1
