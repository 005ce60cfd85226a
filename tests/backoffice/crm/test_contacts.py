"""Interactions recorded, identifiers linked and messages sent: each once per key."""

from __future__ import annotations

import pytest

from backoffice.crm.service import CrmService
from backoffice.errors import Conflict, IdentifierTaken, InvalidRequest, NotFound
from tests.backoffice.crm.rows import CLOCK, customer, identifier, insert

pytestmark = pytest.mark.anyio

NOW = CLOCK.now().isoformat()


@pytest.fixture
async def service(sessions) -> CrmService:
    await insert(
        sessions,
        customer("c-1", email="Sanne@Example.nl"),
        customer("c-2", phone="+31 6 1234 5678"),
        identifier("c-2", "LOYALTY_CARD", "2600000000024", "pos"),
    )
    return CrmService(sessions, clock=CLOCK)


async def test_an_interaction_is_dated_by_the_crm_and_recorded_once_per_id(service):
    recorded = await service.record_interaction(
        "i-1", customer_id="c-1", channel="STORE", kind="reaction", note="Blij", by="s01:kees"
    )
    again = await service.record_interaction(
        "i-1", customer_id="c-1", channel="STORE", kind="reaction", note="Blij", by="s01:kees"
    )

    assert recorded == {
        "id": "i-1",
        "customer_id": "c-1",
        "at": NOW,
        "channel": "STORE",
        "kind": "reaction",
        "note": "Blij",
        "by": "s01:kees",
    }
    assert again == recorded
    assert await service.get_interactions(["c-1"]) == [recorded]
    with pytest.raises(Conflict):
        await service.record_interaction(
            "i-1", customer_id="c-1", channel="STORE", kind="reaction", note="Boos"
        )


@pytest.mark.parametrize(
    "overrides",
    [{"channel": "PHONE"}, {"kind": ""}, {"note": " "}, {"kind": "x" * 33}, {"by": ""}],
)
async def test_a_malformed_interaction_is_refused(service, overrides):
    fields = {"customer_id": "c-1", "channel": "WEB", "kind": "call", "note": "n", "by": None}
    with pytest.raises(InvalidRequest):
        await service.record_interaction("i-1", **(fields | overrides))
    assert await service.get_interactions(["c-1"]) == []


async def test_an_interaction_with_an_unknown_customer_is_not_found(service):
    with pytest.raises(NotFound):
        await service.record_interaction(
            "i-1", customer_id="nobody", channel="WEB", kind="call", note="n"
        )


async def test_a_linked_identifier_is_stored_as_identifiers_compare_and_finds_the_customer(
    service,
):
    linked = await service.link_identifier(
        "c-1", type_="EMAIL", value="Sanne.Work@Example.NL", source="callcenter"
    )
    again = await service.link_identifier("c-1", type_="EMAIL", value="sanne.work@example.nl")

    assert linked["identifiers"] == [
        {"type": "EMAIL", "value": "sanne.work@example.nl", "source": "callcenter"}
    ]
    assert again == linked
    assert await service.find_customers([{"type": "EMAIL", "value": "SANNE.WORK@example.nl"}]) == [
        {"type": "EMAIL", "value": "SANNE.WORK@example.nl", "customer_id": "c-1"}
    ]


async def test_an_identifier_another_customer_has_is_taken(service):
    # Linked to c-2, or c-2's own phone (spaces aside), or c-1's own e-mail (case aside).
    for type_, value, owner in (
        ("LOYALTY_CARD", "2600000000024", "c-1"),
        ("PHONE", "+31612345678", "c-1"),
        ("EMAIL", "sanne@example.nl", "c-2"),
    ):
        with pytest.raises(IdentifierTaken):
            await service.link_identifier(owner, type_=type_, value=value)
    [first, second] = await service.get_customers(["c-1", "c-2"])
    assert first["identifiers"] == []
    assert [i["type"] for i in second["identifiers"]] == ["LOYALTY_CARD"]


async def test_a_customers_own_email_counts_as_theirs_when_linked(service):
    linked = await service.link_identifier("c-1", type_="EMAIL", value="sanne@example.nl")

    assert linked["identifiers"] == []


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("LOYALTY_CARD", "2600000000012"),  # wrong check digit
        ("LOYALTY_CARD", "8712100000017"),  # a product's GTIN, not the in-store range
        ("EMAIL", "sanne.example.nl"),
        ("PHONE", "call me"),
        ("SOCIAL", " "),
        ("FAX", "0301234567"),
    ],
)
async def test_a_malformed_identifier_is_refused(service, type_, value):
    with pytest.raises(InvalidRequest):
        await service.link_identifier("c-1", type_=type_, value=value)


async def test_a_card_is_linked_and_an_unknown_customer_is_not_found(service):
    linked = await service.link_identifier("c-1", type_="LOYALTY_CARD", value="2600000000901")

    assert linked["identifiers"] == [
        {"type": "LOYALTY_CARD", "value": "2600000000901", "source": None}
    ]
    with pytest.raises(NotFound):
        await service.link_identifier("nobody", type_="LOYALTY_CARD", value="2600000000055")


async def test_a_notification_is_sent_once_per_key(service):
    sent = await service.send_notification(
        "c-1", key="voucher:v-1", template="voucher_issued", data={"code": "TB-1"}
    )
    again = await service.send_notification(
        "c-1", key="voucher:v-1", template="voucher_issued", data={"code": "TB-2"}
    )

    assert sent == {
        "key": "voucher:v-1",
        "customer_id": "c-1",
        "template": "voucher_issued",
        "data": {"code": "TB-1"},
        "sent_at": NOW,
    }
    assert again == sent
    assert await service.get_notifications(["c-1", "c-2"]) == [sent]
    with pytest.raises(Conflict):
        await service.send_notification("c-2", key="voucher:v-1", template="t", data={})
    with pytest.raises(InvalidRequest):
        await service.send_notification("c-1", key="a/b", template="t", data={})
    with pytest.raises(InvalidRequest):
        await service.send_notification("c-1", key="k", template="t", data={"n": 1})
    with pytest.raises(NotFound):
        await service.send_notification("nobody", key="k", template="t", data={})
