from decimal import Decimal

import pytest
from sqlalchemy.exc import StatementError

from ledger import AlreadyRefunded, AuditEvent, NewMessage, RefundRecord

pytestmark = pytest.mark.anyio


def refund(clock, return_id="r-1", **overrides):
    values = {
        "return_id": return_id,
        "order_id": "o000042",
        "amount": Decimal("44.90"),
        "currency": "EUR",
        "method": "CARD",
        "breakdown": (("goods", Decimal("39.95")), ("shipping", Decimal("4.95"))),
        "points_reversed": 39,
        "location_id": "s01",
        "resellable": True,
        "actor": "associate-7",
        "at": clock.now(),
    }
    return RefundRecord(**(values | overrides))


def audit(clock, return_id="r-1", **overrides):
    values = {
        "at": clock.now(),
        "actor": "associate-7",
        "role": "associate",
        "channel": "STORE",
        "action": "return.refunded",
        "subject_type": "Return",
        "subject_id": return_id,
        "detail": "44.90 EUR to the card",
        "sources": {"order": {"version": 3}},
    }
    return AuditEvent(**(values | overrides))


def reversal(return_id="r-1"):
    return NewMessage(
        "loyalty.reverse", f"refund:{return_id}:points", {"customer_id": "cu00001", "points": 39}
    )


async def test_a_refund_its_messages_and_its_audit_event_are_recorded_together(ledger, clock):
    recorded = await ledger.refunds.record(refund(clock), [reversal()], audit(clock))

    assert recorded == refund(clock)
    assert await ledger.refunds.get(["r-1", "r-404"]) == {"r-1": refund(clock)}
    ids = await ledger.outbox.ids_of(["refund:r-1:points"])
    [queued] = (await ledger.outbox.get(list(ids.values()))).values()
    assert (queued.kind, queued.state, queued.payload) == (
        "loyalty.reverse",
        "pending",
        {"customer_id": "cu00001", "points": 39},
    )
    [event] = (await ledger.audit.for_subjects("Return", ["r-1"]))["r-1"]
    assert event == audit(clock)


async def test_amounts_come_back_exact(ledger, clock):
    exact = refund(
        clock,
        amount=Decimal("1234567.89"),
        breakdown=(("goods", Decimal("1234567.89")),),
        location_id=None,
        resellable=False,
    )
    await ledger.refunds.record(exact, [], audit(clock))

    assert (await ledger.refunds.get(["r-1"]))["r-1"] == exact


async def test_a_return_refunded_before_is_refused_and_nothing_is_written(ledger, clock):
    first = await ledger.refunds.record(refund(clock), [reversal()], audit(clock))
    clock.seconds += 60

    with pytest.raises(AlreadyRefunded) as caught:
        await ledger.refunds.record(
            refund(clock, amount=Decimal("1.00")),
            [NewMessage("loyalty.reverse", "refund:r-1:again", {"points": 1})],
            audit(clock, detail="twice"),
        )

    assert caught.value.existing == first
    assert caught.value.code == "ALREADY_REFUNDED"
    assert await ledger.outbox.ids_of(["refund:r-1:again"]) == {}
    assert len((await ledger.audit.for_subjects("Return", ["r-1"]))["r-1"]) == 1
    assert (await ledger.outbox.counts())["pending"] == 1


@pytest.mark.parametrize("failing", ["message", "audit event"])
async def test_a_failure_inside_the_transaction_leaves_none_of_the_three(ledger, clock, failing):
    # given a message or an audit event the database cannot store (not JSON)
    message, event = reversal(), audit(clock)
    if failing == "message":
        message = NewMessage("loyalty.reverse", "refund:r-1:points", {"points": object()})
    else:
        event = audit(clock, sources={"quote": object()})

    # when
    with pytest.raises(StatementError):
        await ledger.refunds.record(refund(clock), [reversal("r-0"), message], event)

    # then neither the refund nor any message nor the event is there
    assert await ledger.refunds.get(["r-1"]) == {}
    assert await ledger.outbox.ids_of(["refund:r-0:points", "refund:r-1:points"]) == {}
    assert await ledger.outbox.counts() == {"pending": 0, "failed": 0, "dead": 0, "sent": 0}
    assert (await ledger.audit.for_subjects("Return", ["r-1"]))["r-1"] == []
