from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from ledger import AuditEvent, AuditLog

pytestmark = pytest.mark.anyio


def event(clock, subject_id, action, *, minutes=0, **overrides):
    values = {
        "at": clock.now() + timedelta(minutes=minutes),
        "actor": "cu00001",
        "role": "customer",
        "channel": "WEB",
        "action": action,
        "subject_type": "order",
        "subject_id": subject_id,
        "detail": None,
        "sources": {"quote": {"total": "12.50"}, "stock": {"s01": 4}},
        "request_id": "req-1",
    }
    return AuditEvent(**(values | overrides))


async def test_events_come_back_per_subject_in_time_order(ledger, clock):
    audit = ledger.audit
    # given events written out of time order, two at the same moment
    await audit.append(event(clock, "o-1", "order.cancelled", minutes=5, detail="changed mind"))
    await audit.append(event(clock, "o-1", "checkout.completed", minutes=0))
    await audit.append(event(clock, "o-2", "checkout.completed", minutes=1))
    await audit.append(event(clock, "o-1", "order.refunded", minutes=5, role="service"))
    await audit.append(event(clock, "o-1", "cart.updated", subject_type="cart"))

    # when
    found = await audit.for_subjects("order", ["o-1", "o-2", "o-3"])

    # then
    assert {key: [e.action for e in events] for key, events in found.items()} == {
        "o-1": ["checkout.completed", "order.cancelled", "order.refunded"],
        "o-2": ["checkout.completed"],
        "o-3": [],
    }
    assert found["o-1"][1] == event(
        clock, "o-1", "order.cancelled", minutes=5, detail="changed mind"
    )


async def test_no_ids_reads_nothing(ledger):
    assert await ledger.audit.for_subjects("order", []) == {}


def test_the_log_offers_no_way_to_change_an_event():
    assert [name for name in vars(AuditLog) if not name.startswith("_")] == [
        "append",
        "add",
        "for_subjects",
    ]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"]
)
async def test_the_database_refuses_to_change_or_delete_an_event(
    ledger, ledger_engine, clock, statement
):
    await ledger.audit.append(event(clock, "o-1", "checkout.completed"))

    with pytest.raises(DBAPIError, match="append-only"):
        async with ledger_engine.begin() as connection:
            await connection.execute(text(statement))

    assert len((await ledger.audit.for_subjects("order", ["o-1"]))["o-1"]) == 1
