import asyncio
from datetime import timedelta

import pytest

from ledger import LedgerUnavailable, NewMessage, NoSuchRecord, NotDeadLettered, Outbox
from ledger.db import create_engine, sessionmaker
from ledger.migrate import upgrade
from tests.clocks import ManualClock

pytestmark = pytest.mark.anyio

LEASE = timedelta(seconds=30)


def message(n, kind="loyalty.earn"):
    return NewMessage(kind, f"key-{n}", {"customer_id": f"cu{n:05d}", "points": n})


async def test_a_claim_takes_the_due_messages_oldest_first_and_an_ack_sends_them(ledger, clock):
    outbox = ledger.outbox
    ids = await outbox.enqueue([message(1), message(2), message(3)])

    first = await outbox.claim("w1", limit=2, lease=LEASE)
    second = await outbox.claim("w2", limit=2, lease=LEASE)

    assert [m.id for m in first] == ids[:2]
    assert [m.id for m in second] == ids[2:]
    taken = first[0]
    assert (taken.kind, taken.key, taken.payload) == (
        "loyalty.earn",
        "key-1",
        {"customer_id": "cu00001", "points": 1},
    )
    assert (taken.state, taken.attempts, taken.locked_by) == ("pending", 1, "w1")
    assert taken.locked_until == taken.next_attempt_at == clock.now() + LEASE
    assert await outbox.claim("w3", limit=10, lease=LEASE) == []  # all are held

    clock.seconds += 5
    assert await outbox.ack(taken.id, "w1") is True

    sent = (await outbox.get([taken.id]))[taken.id]
    assert (sent.state, sent.sent_at, sent.locked_by, sent.locked_until) == (
        "sent",
        clock.now(),
        None,
        None,
    )
    assert await outbox.counts() == {"pending": 2, "failed": 0, "dead": 0, "sent": 1}


async def test_a_message_is_not_claimed_before_it_is_due_again(ledger, clock):
    outbox = ledger.outbox
    [message_id] = await outbox.enqueue([message(1)])
    await outbox.claim("w1", limit=1, lease=LEASE)

    assert await outbox.retry_later(message_id, "w1", "loyalty: down", clock.now() + LEASE)

    failed = (await outbox.get([message_id]))[message_id]
    assert (failed.state, failed.last_error, failed.locked_by) == ("failed", "loyalty: down", None)
    clock.seconds += 29
    assert await outbox.claim("w1", limit=1, lease=LEASE) == []
    clock.seconds += 1
    [again] = await outbox.claim("w2", limit=1, lease=LEASE)
    assert (again.id, again.attempts, again.state) == (message_id, 2, "failed")


async def test_an_expired_lease_lets_another_worker_redeliver_and_the_first_cannot_settle(
    ledger, clock
):
    outbox = ledger.outbox
    [message_id] = await outbox.enqueue([message(1)])
    await outbox.claim("dead-worker", limit=1, lease=LEASE)

    clock.seconds += 29
    assert await outbox.claim("w2", limit=1, lease=LEASE) == []
    clock.seconds += 1
    [redelivered] = await outbox.claim("w2", limit=1, lease=LEASE)

    assert (redelivered.id, redelivered.attempts, redelivered.locked_by) == (message_id, 2, "w2")
    assert await outbox.ack(message_id, "dead-worker") is False
    assert await outbox.dead_letter(message_id, "dead-worker", "late") is False
    assert await outbox.ack(message_id, "w2") is True
    assert await outbox.ack(message_id, "w2") is False  # sent already


async def test_ids_restrict_a_claim_to_the_messages_a_request_just_wrote(ledger):
    outbox = ledger.outbox
    await outbox.enqueue([message(1), message(2)])
    mine = await outbox.enqueue([message(3), message(4)])

    claimed = await outbox.claim("request-1", limit=10, lease=LEASE, ids=mine)

    assert [m.id for m in claimed] == mine
    assert await outbox.claim("request-1", limit=10, lease=LEASE, ids=[]) == []


async def test_a_key_names_one_message_for_ever(ledger):
    outbox = ledger.outbox
    [first] = await outbox.enqueue([message(1)])

    again = await outbox.enqueue(
        [NewMessage("loyalty.reverse", "key-1", {"other": True}), message(2), message(2)]
    )

    assert again[0] == first
    assert again[1] == again[2] != first
    kept = (await outbox.get([first]))[first]
    assert (kept.kind, kept.payload) == ("loyalty.earn", {"customer_id": "cu00001", "points": 1})
    assert await outbox.ids_of(["key-1", "key-2", "key-9"]) == {"key-1": first, "key-2": again[1]}


async def test_a_dead_letter_is_requeued_by_an_admin_with_its_attempts_reset(ledger, clock):
    outbox = ledger.outbox
    [dead_id, pending_id] = await outbox.enqueue([message(1), message(2)])
    await outbox.claim("w1", limit=1, lease=LEASE)
    assert await outbox.dead_letter(dead_id, "w1", "SourceRefused: NOT_FOUND")

    clock.seconds += 60
    requeued = await outbox.requeue(dead_id)

    assert (requeued.state, requeued.attempts, requeued.next_attempt_at) == (
        "pending",
        0,
        clock.now(),
    )
    assert requeued.last_error == "SourceRefused: NOT_FOUND"  # why it had died, for the record
    with pytest.raises(NotDeadLettered) as caught:
        await outbox.requeue(pending_id)
    assert (caught.value.state, caught.value.code) == ("pending", "OUTBOX_MESSAGE_NOT_DEAD")
    with pytest.raises(NoSuchRecord):
        await outbox.requeue(999_999)


async def test_messages_are_listed_by_id_page_after_page_and_by_state(ledger):
    outbox = ledger.outbox
    ids = await outbox.enqueue([message(n) for n in range(1, 6)])
    for message_id in ids[1:3]:
        await outbox.claim("w1", limit=1, lease=LEASE, ids=[message_id])
        await outbox.dead_letter(message_id, "w1", "refused")

    page1 = await outbox.list(first=2)
    page2 = await outbox.list(first=2, after=page1.messages[-1].id)
    page3 = await outbox.list(first=2, after=page2.messages[-1].id)
    dead = await outbox.list(["dead"], first=10)
    pending_after = await outbox.list(["pending", "failed"], first=10, after=ids[0])

    assert [[m.id for m in page.messages] for page in (page1, page2, page3)] == [
        ids[0:2],
        ids[2:4],
        ids[4:],
    ]
    assert [page.has_next for page in (page1, page2, page3)] == [True, True, False]
    assert ([m.id for m in dead.messages], dead.has_next) == (ids[1:3], False)
    assert [m.id for m in pending_after.messages] == ids[3:]
    assert await outbox.counts() == {"pending": 3, "failed": 0, "dead": 2, "sent": 0}


async def test_only_messages_sent_before_the_retention_are_purged(ledger, clock):
    outbox = ledger.outbox
    ids = await outbox.enqueue([message(1), message(2), message(3)])
    await outbox.claim("w1", limit=2, lease=LEASE)
    await outbox.ack(ids[0], "w1")
    clock.seconds += 3600
    await outbox.ack(ids[1], "w1")

    assert await outbox.purge_sent(clock.now() - timedelta(minutes=30)) == 1

    assert sorted(await outbox.get(ids)) == ids[1:]


async def test_an_unreachable_database_is_reported_as_unavailable(tmp_path):
    engine = create_engine("postgresql://postgres@127.0.0.1:9/nothing")  # nothing listens there
    outbox = Outbox(sessionmaker(engine), ManualClock())
    try:
        with pytest.raises(LedgerUnavailable):
            await outbox.claim("w1", limit=1, lease=LEASE)
        with pytest.raises(LedgerUnavailable):
            await outbox.enqueue([message(1)])
    finally:
        await engine.dispose()


async def test_concurrent_claimers_on_postgresql_never_take_the_same_message(postgres_engine):
    # given 3,000 due messages and twelve workers claiming at once, in small batches
    await upgrade(postgres_engine)
    outbox = Outbox(sessionmaker(postgres_engine), ManualClock(1_800_000_000.0))
    ids = await outbox.enqueue([message(n) for n in range(3000)])
    taken: dict[str, list[int]] = {}

    async def worker(name: str) -> None:
        mine = taken.setdefault(name, [])
        while batch := await outbox.claim(name, limit=25, lease=LEASE):
            mine.extend(m.id for m in batch)
            await asyncio.sleep(0)  # let the others in between our claims

    # when
    await asyncio.gather(*(worker(f"w{n}") for n in range(12)))

    # then every message was taken, each by one worker only, and the work was shared
    claimed = [message_id for mine in taken.values() for message_id in mine]
    assert len(claimed) == len(set(claimed)) == 3000
    assert sorted(claimed) == sorted(ids)
    assert sum(1 for mine in taken.values() if mine) > 1
    assert await outbox.counts() == {"pending": 3000, "failed": 0, "dead": 0, "sent": 0}
