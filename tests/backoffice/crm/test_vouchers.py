"""Vouchers issued once per id, spent once on one order before they expire, released on failure."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from backoffice.crm.service import CrmService
from backoffice.crm.vouchers import new_voucher_code
from backoffice.errors import (
    Conflict,
    InvalidRequest,
    NotFound,
    UnknownVoucher,
    VoucherNotRedeemable,
)
from tests.backoffice.crm.rows import CLOCK, T0, customer, insert, voucher

pytestmark = pytest.mark.anyio

NOW = CLOCK.now()


@pytest.fixture
async def service(sessions) -> CrmService:
    await insert(sessions, customer("c-1"), customer("c-2"))
    codes = iter(["TB-AAAA-BBBB-CCCC", "TB-AAAA-BBBB-CCCC", "TB-DDDD-EEEE-FFFF"])
    return CrmService(sessions, clock=CLOCK, new_code=lambda: next(codes))


async def issue(
    service: CrmService, voucher_id: str = "v-1", **overrides: object
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "customer_id": "c-1",
        "amount": "10.00",
        "currency": "EUR",
        "reason": "Late delivery of W-000042",
        "expires_at": (NOW + timedelta(days=90)).isoformat(),
        "issued_by": "svc:sanne",
    }
    return await service.issue_voucher(voucher_id, **(fields | overrides))


def test_a_new_code_is_readable_and_carries_sixty_random_bits():
    codes = {new_voucher_code() for _ in range(200)}

    assert len(codes) == 200
    for code in codes:
        prefix, *groups = code.split("-")
        assert prefix == "TB"
        assert [len(group) for group in groups] == [4, 4, 4]
        assert not set("".join(groups)) & set("01OI")


async def test_issuing_stores_the_voucher_with_a_code_the_crm_picks(service):
    issued = await issue(service)

    assert issued == {
        "id": "v-1",
        "customer_id": "c-1",
        "code": "TB-AAAA-BBBB-CCCC",
        "amount": "10.00",
        "currency": "EUR",
        "reason": "Late delivery of W-000042",
        "issued_at": NOW.isoformat(),
        "redeemed_at": None,
        "expires_at": (NOW + timedelta(days=90)).isoformat(),
        "redeemed_order_id": None,
        "issued_by": "svc:sanne",
    }
    assert await service.get_vouchers(["c-1"]) == [issued]


async def test_issuing_an_id_again_answers_the_first_voucher_and_another_voucher_under_it_conflicts(
    service,
):
    first = await issue(service)

    assert await issue(service) == first
    # A retry computes its expiry from its own now: the first one stands.
    assert await issue(service, expires_at=(NOW + timedelta(days=91)).isoformat()) == first
    with pytest.raises(Conflict):
        await issue(service, amount="15.00")
    with pytest.raises(Conflict):
        await issue(service, customer_id="c-2")
    assert len(await service.get_vouchers(["c-1"])) == 1


async def test_a_code_already_taken_is_drawn_again(service):
    await issue(service, "v-1")
    # The pinned codes repeat the first one once: the second voucher gets the next.
    second = await issue(service, "v-2")

    assert second["code"] == "TB-DDDD-EEEE-FFFF"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "0.00"),
        ("amount", "-5.00"),
        ("amount", "5.001"),
        ("amount", 5),
        ("reason", "   "),
        ("currency", "eur"),
        ("expires_at", "2024-05-01T10:00:00"),
    ],
)
async def test_a_malformed_voucher_is_refused(service, field, value):
    with pytest.raises(InvalidRequest):
        await issue(service, **{field: value})
    assert await service.get_vouchers(["c-1"]) == []


async def test_a_voucher_for_an_unknown_customer_is_not_found(service):
    with pytest.raises(NotFound):
        await issue(service, customer_id="nobody")


async def test_codes_are_found_in_any_case(service, sessions):
    await insert(sessions, voucher("v-9", "c-2", T0, code="TB-SEED-CODE"))

    found = await service.get_vouchers_by_code(["tb-seed-code", " TB-SEED-CODE", "nope"])

    assert [doc["id"] for doc in found] == ["v-9"]


async def test_a_voucher_is_redeemed_once_and_again_for_its_order_unchanged(service):
    await issue(service)

    spent = await service.redeem_voucher("tb-aaaa-bbbb-cccc", order_id="o-1", customer_id="c-1")
    again = await service.redeem_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1", customer_id="c-1")

    assert spent["redeemed_at"] == NOW.isoformat()
    assert spent["redeemed_order_id"] == "o-1"
    assert again == spent
    with pytest.raises(VoucherNotRedeemable) as caught:
        await service.redeem_voucher("TB-AAAA-BBBB-CCCC", order_id="o-2", customer_id="c-1")
    assert caught.value.code == "VOUCHER_REDEEMED"


async def test_a_voucher_cannot_be_spent_by_another_customer_nor_after_it_expired(
    service, sessions
):
    await issue(service)
    await insert(
        sessions, voucher("v-old", "c-1", T0, code="TB-OLD", expires_at=NOW - timedelta(seconds=1))
    )

    with pytest.raises(VoucherNotRedeemable) as other:
        await service.redeem_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1", customer_id="c-2")
    with pytest.raises(VoucherNotRedeemable) as anonymous:
        await service.redeem_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1", customer_id=None)
    with pytest.raises(VoucherNotRedeemable) as expired:
        await service.redeem_voucher("TB-OLD", order_id="o-1", customer_id="c-1")
    with pytest.raises(UnknownVoucher) as unknown:
        await service.redeem_voucher("TB-NOPE", order_id="o-1", customer_id="c-1")

    assert other.value.code == "VOUCHER_NOT_YOURS"
    assert anonymous.value.code == "VOUCHER_NOT_YOURS"
    assert expired.value.code == "VOUCHER_EXPIRED"
    assert unknown.value.code == "VOUCHER_NOT_FOUND"
    assert {doc["redeemed_at"] for doc in await service.get_vouchers(["c-1"])} == {None}


async def test_a_voucher_redeemed_before_the_crm_kept_its_order_stays_redeemed(service, sessions):
    await insert(sessions, voucher("v-seed", "c-1", T0, code="TB-SEED", redeemed_at=T0))

    with pytest.raises(VoucherNotRedeemable) as caught:
        await service.redeem_voucher("TB-SEED", order_id="o-1", customer_id="c-1")

    assert caught.value.code == "VOUCHER_REDEEMED"


async def test_release_gives_the_voucher_back_only_to_the_order_that_spent_it(service):
    await issue(service)
    await service.redeem_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1", customer_id="c-1")

    untouched = await service.release_voucher("TB-AAAA-BBBB-CCCC", order_id="o-2")
    released = await service.release_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1")
    again = await service.release_voucher("TB-AAAA-BBBB-CCCC", order_id="o-1")
    spent_by_other = await service.redeem_voucher(
        "TB-AAAA-BBBB-CCCC", order_id="o-2", customer_id="c-1"
    )

    assert untouched["redeemed_order_id"] == "o-1"
    assert released["redeemed_at"] is None
    assert released["redeemed_order_id"] is None
    assert again == released
    assert spent_by_other["redeemed_order_id"] == "o-2"
    assert Decimal(spent_by_other["amount"]) == Decimal("10.00")
