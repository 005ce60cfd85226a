"""A worker that dies between sending a message and acknowledging it: the message is sent
again by another worker, and the loyalty system (the real one, embedded) books it once."""

import asyncio
import shutil
from datetime import timedelta

import pytest

from backoffice.db import create_engine
from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.worker import build_outbox_worker
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from resolvers.outbox import DeliveryCounts, DeliveryPolicy, Dispatcher
from resolvers.outbox_handlers import (
    HANDLERS,
    LOYALTY_EARN,
    loyalty_earn_message,
    loyalty_reverse_message,
)
from tests.api import NOW
from tests.clocks import ManualClock

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=30)


@pytest.fixture
async def runtime(seeded_url, tmp_path):
    """The gateway's sources over a copy of the small retailer, and a fresh gateway database."""
    copy = tmp_path / "backoffice.sqlite3"
    shutil.copyfile(seeded_url.removeprefix("sqlite+aiosqlite:///"), copy)
    ledger_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    ledger_engine = create_ledger_engine(ledger_url)
    await upgrade(ledger_engine)
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": f"sqlite+aiosqlite:///{copy}",
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_OUTBOX__LEASE_SECONDS": str(LEASE.total_seconds()),
        },
    )
    clock = ManualClock(NOW.timestamp())
    engine = create_engine(settings.backoffice.url)
    runtime = await open_runtime(settings, engine=engine, ledger_engine=ledger_engine, clock=clock)
    yield runtime
    await runtime.aclose()


async def balance(runtime, customer_id=DEMO_CUSTOMER_ID):
    return (await runtime.sources.loyalty.get_accounts([customer_id]))[customer_id].points


async def test_a_message_sent_by_a_worker_that_died_before_its_ack_is_booked_once(runtime):
    # given a message, and a worker that dies right after the loyalty system booked it
    outbox, clock = runtime.ledger.outbox, runtime.clock
    before = await balance(runtime)
    key = "order:W-900001:points"
    [message_id] = await outbox.enqueue(
        [loyalty_earn_message(DEMO_CUSTOMER_ID, 25, key=key, order_number="W-900001")]
    )
    booked = asyncio.Event()

    async def send_then_die(sources, message):
        await HANDLERS[LOYALTY_EARN](sources, message)
        booked.set()
        await asyncio.Event().wait()  # the process is killed here, before the ack

    policy = DeliveryPolicy(lease=LEASE)
    dying = Dispatcher.for_sources(
        runtime.sources, outbox, clock, policy=policy, handlers={LOYALTY_EARN: send_then_die}
    )
    delivery = asyncio.create_task(dying.deliver("worker-a"))
    await booked.wait()
    delivery.cancel()
    with pytest.raises(asyncio.CancelledError):
        await delivery
    assert await balance(runtime) == before + 25
    survivor = Dispatcher.for_sources(runtime.sources, outbox, clock, policy=policy)

    # when another worker looks before the lease has passed, and after
    assert await survivor.deliver("worker-b") == DeliveryCounts()
    clock.seconds += LEASE.total_seconds()
    assert await survivor.deliver("worker-b") == DeliveryCounts(claimed=1, sent=1)

    # then the message was sent twice with one key, and the points were booked once
    message = (await outbox.get([message_id]))[message_id]
    assert (message.state, message.attempts) == ("sent", 2)
    assert await balance(runtime) == before + 25
    entries = await runtime.sources.loyalty.get_entries([key])
    assert [(e.points, e.order_number) for e in entries.values()] == [(25, "W-900001")]


async def test_points_are_taken_back_and_a_customer_without_a_card_is_nothing_to_do(runtime):
    outbox, clock = runtime.ledger.outbox, runtime.clock
    before = await balance(runtime)
    await outbox.enqueue(
        [
            loyalty_reverse_message(DEMO_CUSTOMER_ID, 10, key="refund:r-1:points", reason="RETURN"),
            loyalty_earn_message("cu-without-card", 10, key="order:W-2:points"),
        ]
    )
    worker = build_outbox_worker(
        runtime.settings.outbox, runtime.sources, runtime.ledger, clock, worker_id="w"
    )

    assert await worker.drain() == DeliveryCounts(claimed=2, sent=2)
    assert await balance(runtime) == before - 10
    assert await outbox.counts() == {"pending": 0, "failed": 0, "dead": 0, "sent": 2}
