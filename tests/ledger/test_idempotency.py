import asyncio
from datetime import timedelta

import pytest

from ledger import IdempotencyKeyReused, NoSuchRecord, fingerprint
from ledger.db import sessionmaker
from ledger.idempotency import Claim, IdempotencyRecords

pytestmark = pytest.mark.anyio

SCOPE = "checkout:cu00001"
ORDER = {"orderId": "o-1", "total": {"amount": "12.50", "currency": "EUR"}, "note": "café"}


def test_a_fingerprint_ignores_key_order_and_spacing():
    assert fingerprint({"b": [1, 2], "a": "x"}) == fingerprint({"a": "x", "b": [1, 2]})
    assert fingerprint({"a": "x"}) != fingerprint({"a": "y"})
    assert len(fingerprint(None)) == 64


async def test_the_first_caller_gets_new_a_repeat_in_progress_then_the_result(ledger):
    records = ledger.idempotency
    print_ = fingerprint({"cart": "c1"})

    assert await records.begin(SCOPE, "k1", print_) == Claim("new")
    assert await records.begin(SCOPE, "k1", print_) == Claim("in_progress")

    await records.complete(SCOPE, "k1", ORDER)

    assert await records.begin(SCOPE, "k1", print_) == Claim("done", ORDER)


async def test_a_key_used_for_another_payload_is_refused(ledger):
    records = ledger.idempotency
    await records.begin(SCOPE, "k1", fingerprint({"cart": "c1"}))

    with pytest.raises(IdempotencyKeyReused) as caught:
        await records.begin(SCOPE, "k1", fingerprint({"cart": "c2"}))

    assert caught.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert "'k1'" in str(caught.value)


async def test_keys_of_different_scopes_do_not_meet(ledger):
    records = ledger.idempotency
    assert await records.begin("checkout:cu00001", "k1", "a") == Claim("new")
    assert await records.begin("checkout:cu00002", "k1", "b") == Claim("new")


async def test_a_failed_attempt_may_be_repeated_with_the_same_key_and_payload(ledger):
    records = ledger.idempotency
    await records.begin(SCOPE, "k1", "print")
    await records.fail(SCOPE, "k1")

    assert await records.begin(SCOPE, "k1", "print") == Claim("new")
    assert await records.begin(SCOPE, "k1", "print") == Claim("in_progress")
    with pytest.raises(IdempotencyKeyReused):
        await records.begin(SCOPE, "k1", "another print")


async def test_only_a_claim_in_progress_can_be_completed_or_failed(ledger):
    records = ledger.idempotency
    with pytest.raises(NoSuchRecord):
        await records.complete(SCOPE, "unknown", {})
    await records.begin(SCOPE, "k1", "print")
    await records.complete(SCOPE, "k1", {"orderId": "o-1"})
    with pytest.raises(NoSuchRecord):
        await records.fail(SCOPE, "k1")
    assert await records.begin(SCOPE, "k1", "print") == Claim("done", {"orderId": "o-1"})


async def test_a_record_past_its_retention_is_forgotten(ledger_engine, clock):
    records = IdempotencyRecords(sessionmaker(ledger_engine), clock, retention=timedelta(days=7))
    await records.begin(SCOPE, "k1", "print")
    await records.complete(SCOPE, "k1", {"orderId": "o-1"})

    clock.seconds += timedelta(days=7).total_seconds()

    assert await records.begin(SCOPE, "k1", "another print") == Claim("new")


async def test_purge_deletes_the_records_created_before_a_moment(ledger, clock):
    records = ledger.idempotency
    await records.begin(SCOPE, "old", "print")
    clock.seconds += 3600
    await records.begin(SCOPE, "new", "print")

    assert await records.purge(before=clock.now()) == 1

    assert await records.begin(SCOPE, "old", "print") == Claim("new")
    assert await records.begin(SCOPE, "new", "print") == Claim("in_progress")


async def test_of_many_concurrent_callers_with_one_key_exactly_one_gets_new(ledger_engine, clock):
    # Two "instances" (stores of their own) on one database, 12 callers each, all at once.
    stores = [IdempotencyRecords(sessionmaker(ledger_engine), clock) for _ in range(2)]

    claims = await asyncio.gather(
        *(store.begin(SCOPE, "k1", "print") for store in stores for _ in range(12))
    )

    assert sorted(claim.state for claim in claims) == ["in_progress"] * 23 + ["new"]


async def test_of_concurrent_retries_of_a_failed_attempt_exactly_one_gets_new(ledger):
    records = ledger.idempotency
    await records.begin(SCOPE, "k1", "print")
    await records.fail(SCOPE, "k1")

    claims = await asyncio.gather(*(records.begin(SCOPE, "k1", "print") for _ in range(10)))

    assert sorted(claim.state for claim in claims) == ["in_progress"] * 9 + ["new"]


async def test_stale_lists_claims_still_in_progress_under_a_scope_prefix(ledger, clock):
    records = ledger.idempotency
    await records.begin("checkout:a", "k1", "p")
    await records.begin("checkout:b", "k2", "p")
    await records.begin("return:a", "k3", "p")
    await records.begin("checkout:a", "k4", "p")
    await records.complete("checkout:a", "k4", {"order_id": "o-1"})
    await records.begin("checkout_%:x", "k5", "p")  # a wildcard in a scope is a plain character

    later = clock.now() + timedelta(seconds=1)
    assert sorted(await records.stale("checkout:", later)) == [
        ("checkout:a", "k1"),
        ("checkout:b", "k2"),
    ]
    assert await records.stale("checkout:", clock.now() - timedelta(seconds=1)) == []
