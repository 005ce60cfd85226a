from datetime import timedelta

import pytest

from ledger import CheckoutAlreadyStarted, CheckoutRecord, CheckoutStep, NoSuchRecord

pytestmark = pytest.mark.anyio

PAYLOAD = {"cartId": "c1", "lines": [{"sku": "SKU-1", "quantity": 2}], "total": "25.00"}


async def test_a_checkout_is_logged_step_by_step_and_finished(ledger, clock):
    log = ledger.checkouts
    started = clock.now()
    await log.start("ck-1", PAYLOAD)
    await log.record("ck-1", "reserve_stock", "started")
    clock.seconds += 1
    await log.record("ck-1", "reserve_stock", "done", {"reservation": "r-9"})
    await log.record("ck-1", "place_order", "started")
    clock.seconds += 1
    await log.record("ck-1", "place_order", "done", {"orderId": "o-1"})
    await log.finish("ck-1", "completed", order_id="o-1")

    record = await log.get("ck-1")

    assert record == CheckoutRecord(
        checkout_id="ck-1",
        status="completed",
        payload=PAYLOAD,
        steps=(
            CheckoutStep("reserve_stock", "started", None, started),
            CheckoutStep(
                "reserve_stock", "done", {"reservation": "r-9"}, started + timedelta(seconds=1)
            ),
            CheckoutStep("place_order", "started", None, started + timedelta(seconds=1)),
            CheckoutStep("place_order", "done", {"orderId": "o-1"}, started + timedelta(seconds=2)),
        ),
        order_id="o-1",
        started_at=started,
        updated_at=started + timedelta(seconds=2),
        finished_at=started + timedelta(seconds=2),
    )


async def test_an_unknown_checkout_is_none(ledger):
    assert await ledger.checkouts.get("nope") is None


async def test_a_checkout_id_is_started_once(ledger):
    await ledger.checkouts.start("ck-1", PAYLOAD)
    with pytest.raises(CheckoutAlreadyStarted):
        await ledger.checkouts.start("ck-1", {})


async def test_a_finished_or_unknown_checkout_takes_no_more_steps(ledger):
    log = ledger.checkouts
    with pytest.raises(NoSuchRecord):
        await log.record("nope", "reserve_stock", "started")
    await log.start("ck-1", PAYLOAD)
    await log.finish("ck-1", "failed")
    with pytest.raises(NoSuchRecord):
        await log.record("ck-1", "reserve_stock", "compensated")
    with pytest.raises(NoSuchRecord):
        await log.finish("ck-1", "completed")
    assert (await log.get("ck-1")).status == "failed"


async def test_unfinished_lists_the_idle_started_checkouts_oldest_first(ledger, clock):
    log = ledger.checkouts
    await log.start("ck-idle", PAYLOAD)
    await log.record("ck-idle", "reserve_stock", "done", {"reservation": "r-1"})
    await log.start("ck-long-but-moving", PAYLOAD)
    clock.seconds += 60
    await log.start("ck-idle-too", PAYLOAD)
    await log.start("ck-done", PAYLOAD)
    await log.finish("ck-done", "compensated")
    clock.seconds += 60
    await log.start("ck-busy", PAYLOAD)
    await log.record("ck-long-but-moving", "place_order", "started")

    stale = await log.unfinished(older_than=clock.now() - timedelta(seconds=30))

    assert [record.checkout_id for record in stale] == ["ck-idle", "ck-idle-too"]
    assert [step.step for step in stale[0].steps] == ["reserve_stock"]
    assert all(record.status == "started" for record in stale)
