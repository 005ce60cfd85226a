"""The dispatcher: what becomes of a message after its handler succeeded, failed, or was refused."""

import asyncio
from datetime import timedelta

import pytest

from connectors.errors import (
    NotFound,
    SourceContractViolation,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
)
from ledger import LedgerUnavailable, NewMessage
from resolvers.outbox import DeliveryCounts, DeliveryPolicy, Dispatcher, classify
from resolvers.outbox_handlers import MalformedMessage

pytestmark = pytest.mark.anyio

POLICY = DeliveryPolicy(
    batch_size=10,
    concurrency=4,
    lease=timedelta(seconds=30),
    max_attempts=3,
    backoff_base=timedelta(seconds=2),
    backoff_max=timedelta(seconds=60),
)


class Target:
    """A fake target system: answers each delivery as the test says, records what it got."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.received: list[str] = []

    async def __call__(self, message):
        self.received.append(message.key)
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, BaseException):
            raise answer


def dispatcher(ledger, clock, target, **policy):
    return Dispatcher(
        ledger.outbox,
        {"test.kind": target},
        clock,
        policy=DeliveryPolicy(**{**vars_of(POLICY), **policy}),
        random=lambda: 0.5,
    )


def vars_of(policy):
    return {name: getattr(policy, name) for name in policy.__dataclass_fields__}


async def state_of(ledger, message_id):
    return (await ledger.outbox.get([message_id]))[message_id]


async def enqueue(ledger, *keys, kind="test.kind"):
    return await ledger.outbox.enqueue([NewMessage(kind, key, {"n": 1}) for key in keys])


async def test_a_delivered_message_is_sent(ledger, clock):
    target = Target()
    ids = await enqueue(ledger, "a", "b")

    counts = await dispatcher(ledger, clock, target).deliver("w1")

    assert counts == DeliveryCounts(claimed=2, sent=2)
    assert sorted(target.received) == ["a", "b"]
    assert {(await state_of(ledger, i)).state for i in ids} == {"sent"}


async def test_a_source_that_is_down_is_tried_again_later_with_growing_jittered_waits(
    ledger, clock
):
    # given a target that is down for two deliveries
    target = Target(SourceUnavailable("loyalty", "503"), SourceTimeout("loyalty", "2 s"))
    [message_id] = await enqueue(ledger, "a")
    deliver = dispatcher(ledger, clock, target, max_attempts=5).deliver
    start = clock.now()

    # when it fails the first time: 2 s × 2^0, jittered by 0.5 to 3/4 of it
    assert await deliver("w1") == DeliveryCounts(claimed=1, retried=1)
    failed = await state_of(ledger, message_id)
    assert (failed.state, failed.attempts, failed.locked_by) == ("failed", 1, None)
    assert failed.next_attempt_at == start + timedelta(seconds=1.5)
    assert failed.last_error == "SourceUnavailable: loyalty: 503"

    # then it is not tried before then, and the second failure waits 2 s × 2^1 × 3/4
    clock.seconds += 1.4
    assert await deliver("w1") == DeliveryCounts()
    clock.seconds += 0.1
    assert await deliver("w1") == DeliveryCounts(claimed=1, retried=1)
    assert (await state_of(ledger, message_id)).next_attempt_at == clock.now() + timedelta(
        seconds=3
    )
    clock.seconds += 3
    assert await deliver("w1") == DeliveryCounts(claimed=1, sent=1)
    assert target.received == ["a", "a", "a"]
    assert (await state_of(ledger, message_id)).attempts == 3


def test_the_backoff_doubles_up_to_its_cap_and_jitters_between_half_and_all_of_it():
    waits = [POLICY.backoff(attempt, 0.0).total_seconds() for attempt in range(1, 9)]
    assert waits == [1, 2, 4, 8, 16, 30, 30, 30]
    assert POLICY.backoff(3, 0.999_999).total_seconds() == pytest.approx(8)
    assert POLICY.backoff(1000, 0.5) == timedelta(seconds=45)


async def test_a_message_still_failing_after_the_most_attempts_is_dead_lettered(ledger, clock):
    target = Target(*[SourceUnavailable("loyalty", "503")] * 5)
    [message_id] = await enqueue(ledger, "a")
    deliver = dispatcher(ledger, clock, target).deliver

    for _ in range(3):
        counts = await deliver("w1")
        clock.seconds += 60

    assert counts == DeliveryCounts(claimed=1, dead=1)
    dead = await state_of(ledger, message_id)
    assert (dead.state, dead.attempts) == ("dead", 3)
    assert dead.last_error == "gave up after 3 attempts; the last: SourceUnavailable: loyalty: 503"
    assert await deliver("w1") == DeliveryCounts()


@pytest.mark.parametrize(
    "refusal",
    [
        NotFound("orders", "no return r-9"),
        SourceRejected("loyalty", "422 reference too long"),
        SourceContractViolation("loyalty", "no balance in the answer"),
        MalformedMessage("points must be a whole number above 0, got -3"),
    ],
    ids=lambda error: type(error).__name__,
)
async def test_a_permanent_refusal_is_dead_lettered_at_once(ledger, clock, refusal):
    target = Target(refusal)
    [message_id] = await enqueue(ledger, "a")

    counts = await dispatcher(ledger, clock, target).deliver("w1")

    assert counts == DeliveryCounts(claimed=1, dead=1)
    dead = await state_of(ledger, message_id)
    assert (dead.state, dead.attempts) == ("dead", 1)
    assert dead.last_error.startswith(type(refusal).__name__)


async def test_a_kind_without_a_handler_is_dead_lettered_naming_the_kinds_it_knows(ledger, clock):
    [message_id] = await enqueue(ledger, "a", kind="crm.notify")

    assert await dispatcher(ledger, clock, Target()).deliver("w1") == DeliveryCounts(
        claimed=1, dead=1
    )
    assert (await state_of(ledger, message_id)).last_error == (
        "no handler for the kind 'crm.notify' (this release delivers: test.kind)"
    )


@pytest.mark.parametrize(
    "error",
    [LedgerUnavailable("down"), RuntimeError("a bug"), SourceTimeout("crm", "slow")],
    ids=lambda error: type(error).__name__,
)
def test_outages_and_bugs_are_retried_refusals_are_not(error):
    assert classify(error) == "retry"
    assert classify(NotFound("orders", "gone")) == "dead"


async def test_a_handler_that_overruns_its_lease_is_cut_off_and_retried(ledger, clock):
    async def slow(message):
        await asyncio.sleep(10)

    [message_id] = await enqueue(ledger, "a")
    deliver = Dispatcher(
        ledger.outbox,
        {"test.kind": slow},
        clock,
        policy=DeliveryPolicy(lease=timedelta(seconds=0.05)),
    ).deliver

    assert await deliver("w1") == DeliveryCounts(claimed=1, retried=1)
    assert (await state_of(ledger, message_id)).last_error == (
        "the handler did not finish within the lease"
    )


async def test_handlers_of_a_batch_run_side_by_side_up_to_the_concurrency(ledger, clock):
    running, most = 0, 0

    async def handler(message):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.01)
        running -= 1

    await enqueue(ledger, *[f"k{n}" for n in range(10)])
    deliver = Dispatcher(ledger.outbox, {"test.kind": handler}, clock, policy=POLICY).deliver

    assert await deliver("w1") == DeliveryCounts(claimed=10, sent=10)
    assert most == 4


async def test_a_request_delivers_just_the_messages_it_wrote(ledger, clock):
    target = Target()
    await enqueue(ledger, "older")
    mine = await enqueue(ledger, "mine")

    assert await dispatcher(ledger, clock, target).deliver("request", ids=mine) == DeliveryCounts(
        claimed=1, sent=1
    )
    assert target.received == ["mine"]


async def test_a_message_whose_lease_passed_to_another_worker_is_left_to_it(ledger, clock):
    # given a handler so slow (by the pinned clock) that another worker claims its message
    async def late(message):
        clock.seconds += 31
        [taken] = await ledger.outbox.claim("w2", limit=1, lease=POLICY.lease)
        assert taken.id == message.id

    [message_id] = await enqueue(ledger, "a")
    deliver = Dispatcher(ledger.outbox, {"test.kind": late}, clock, policy=POLICY).deliver

    # when the first worker finishes, its ack changes nothing
    assert await deliver("w1") == DeliveryCounts(claimed=1, unsettled=1)

    # then the message is the second worker's to settle
    held = await state_of(ledger, message_id)
    assert (held.state, held.locked_by, held.attempts) == ("pending", "w2", 2)


async def test_the_acks_of_handlers_that_finish_together_are_written_together(ledger, clock):
    # given a worker whose ten handlers finish at once, and an outbox that counts its writes
    written: list[int] = []
    ack_many = ledger.outbox.ack_many

    async def counted(ids, worker_id):
        written.append(len(ids))
        return await ack_many(ids, worker_id)

    async def handler(message):
        await asyncio.sleep(0)

    ids = await enqueue(ledger, *[f"k{n}" for n in range(10)])
    ledger.outbox.ack_many = counted
    policy = DeliveryPolicy(batch_size=10, concurrency=10)
    deliver = Dispatcher(ledger.outbox, {"test.kind": handler}, clock, policy=policy).deliver

    # when
    assert await deliver("w1") == DeliveryCounts(claimed=10, sent=10)

    # then the first ack went alone, the nine that came meanwhile in one statement
    assert written == [1, 9]
    assert {m.state for m in (await ledger.outbox.get(ids)).values()} == {"sent"}


async def test_sent_messages_whose_acks_find_the_database_away_come_back_after_their_lease(
    ledger, clock
):
    async def away(ids, worker_id):
        raise LedgerUnavailable("the gateway's database did not answer")

    ids = await enqueue(ledger, "a", "b")
    ledger.outbox.ack_many = away
    target = Target()

    counts = await dispatcher(ledger, clock, target).deliver("w1")

    assert counts == DeliveryCounts(claimed=2, unsettled=2)
    del ledger.outbox.ack_many
    clock.seconds += POLICY.lease.total_seconds()
    assert await dispatcher(ledger, clock, target).deliver("w2") == DeliveryCounts(
        claimed=2, sent=2
    )
    assert sorted(target.received) == ["a", "a", "b", "b"]
    assert {m.attempts for m in (await ledger.outbox.get(ids)).values()} == {2}


async def test_a_message_whose_turn_comes_after_most_of_its_lease_is_left_alone(ledger, clock):
    # given a batch of two handled one at a time, the first taking 25 of the 30 s lease
    target = Target()

    async def slow_first(message):
        await target(message)
        clock.seconds += 25

    ids = await enqueue(ledger, "a", "b")
    policy = DeliveryPolicy(batch_size=2, concurrency=1, lease=timedelta(seconds=30))
    deliver = Dispatcher(ledger.outbox, {"test.kind": slow_first}, clock, policy=policy).deliver

    # when
    assert await deliver("w1") == DeliveryCounts(claimed=2, sent=1, unsettled=1)

    # then the second was not sent, and is another worker's once the lease is over
    assert target.received == ["a"]
    assert (await state_of(ledger, ids[1])).attempts == 1
    assert await deliver("w2") == DeliveryCounts()
    clock.seconds += 5
    assert await deliver("w2") == DeliveryCounts(claimed=1, sent=1)
