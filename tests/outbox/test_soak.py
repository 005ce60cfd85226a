"""The outbox under fire: 10,000 points bookings, delivered by worker processes killed at random.

The gateway's database is a fresh PostgreSQL database; the loyalty system is the reference
back office (the small retailer, seeded into a PostgreSQL database of its own, as it runs
in production), served over HTTP by a process of its own. Four `commerce-gateway worker`
processes drain the outbox while a killer SIGKILLs one at random every 0.2-1 s and starts
a replacement, until every message is sent. Then: nothing was lost (every message sent,
every reference booked) and nothing was applied twice (one entry per reference, and each
customer's balance rose by exactly the points of its messages).

`SOAK_MESSAGES` changes the number of messages (e.g. 1000 while working on the outbox);
`pytest -s tests/outbox/test_soak.py` shows the figures.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from backoffice.db import create_engine as create_backoffice_engine
from backoffice.loyalty.models import Account, PointsEntry
from backoffice.seed import seed
from kernel.sql import normalise_url
from ledger import Outbox
from ledger.db import create_engine, sessionmaker
from ledger.migrate import upgrade
from ledger.models import OutboxRow
from resolvers.outbox_handlers import loyalty_earn_message
from tests.api import TODAY
from tests.clocks import ManualClock
from tests.outbox import soak_worker
from tests.servers import require_postgres

MESSAGES = int(os.environ.get("SOAK_MESSAGES", "10000"))
WORKERS = 4
KILL_EVERY = (0.2, 1.0)  # seconds between two kills, drawn uniformly
#: The workers' settings: a short lease, so that what a killed worker held comes back soon,
#: and batches that eight deliveries at once get through well within it.
LEASE_SECONDS, BATCH_SIZE, CONCURRENCY = 2, 16, 8
#: A hang guard, not the target: the soak takes about a minute on two idle cores, longer
#: when other work shares them (bench/RESULTS.md, "Outbox soak").
DEADLINE_SECONDS = 180
#: Time enough for a forked worker to be running the command (~0.1 s; the rest is margin).
STARTED_WITHIN = 1.0
COMMAND = Path(sys.executable).parent / "commerce-gateway"


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the real PostgreSQL, dropped afterwards; its URL."""
    server = make_url(normalise_url(require_postgres()))
    name = f"soak_{uuid.uuid4().hex[:10]}"

    async def admin(statement: str) -> None:
        engine = create_engine(server.render_as_string(hide_password=False))
        try:
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


@contextmanager
def backoffice_over_http(database_url: str) -> Iterator[str]:
    """`commerce-gateway backoffice serve` on a free port, in a process of its own; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    command = [str(COMMAND), "backoffice", "serve", "--port", str(port)]
    options = ["--log-level", "warning", "--database-url", database_url]
    process = subprocess.Popen([*command, *options], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the back office did not start"
            assert time.monotonic() < deadline, "the back office did not start within 30 s"
            try:
                httpx.get(f"{url}/_stats", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


async def seeded_backoffice(url: str) -> dict[str, int]:
    """Seed the small retailer into `url`; each loyalty account's balance."""
    engine = create_backoffice_engine(url)
    try:
        await seed(engine, size="small", today=TODAY)
        return await balances(url)
    finally:
        await engine.dispose()


async def balances(url: str) -> dict[str, int]:
    engine = create_backoffice_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Account.customer_id, Account.points))
            return {customer: points for customer, points in rows}
    finally:
        await engine.dispose()


async def booked(url: str) -> Counter[str]:
    """Points entries per soak reference, as the loyalty system booked them."""
    engine = create_backoffice_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(PointsEntry.reference).where(PointsEntry.reference.startswith("soak:"))
            )
            return Counter(reference for (reference,) in rows)
    finally:
        await engine.dispose()


async def enqueue(url: str, customers: list[str]) -> dict[str, int]:
    """Migrate the gateway's database, queue the messages; the points each customer is owed."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
        outbox = Outbox(sessionmaker(engine), ManualClock(time.time()))
        owed: Counter[str] = Counter()
        messages = []
        for n in range(MESSAGES):
            customer, points = customers[n % len(customers)], 1 + n % 7
            owed[customer] += points
            messages.append(loyalty_earn_message(customer, points, key=f"soak:{n:06d}"))
        await outbox.enqueue(messages)
        return dict(owed)
    finally:
        await engine.dispose()


async def outbox_figures(url: str) -> tuple[dict[str, int], int]:
    """Messages per state, and the deliveries started (attempts) over all of them."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            states = dict(
                (
                    await connection.execute(
                        select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
                    )
                ).all()
            )
            attempts = await connection.scalar(select(func.sum(OutboxRow.attempts)))
        return {str(k): int(v) for k, v in states.items()}, int(attempts or 0)
    finally:
        await engine.dispose()


class WorkerPool:
    """`commerce-gateway worker` processes forked from a warm server: started, killed, replaced."""

    def __init__(self, env: dict[str, str]) -> None:
        self._env = env
        self._forks = multiprocessing.get_context("forkserver")
        self._forks.set_forkserver_preload(soak_worker.PRELOAD)
        self.workers: list[multiprocessing.process.BaseProcess] = []
        self.started = self.kills = 0
        self._last_start = 0.0

    def start(self) -> None:
        self.started += 1
        argv = ["worker", "--worker-id", f"soak-{self.started}"]
        worker = self._forks.Process(target=soak_worker.run, args=(argv, self._env), daemon=True)
        worker.start()
        self.workers.append(worker)
        self._last_start = time.monotonic()

    def kill_one(self, dice: random.Random) -> None:
        """SIGKILL a worker at random (whatever it is doing) and start a replacement."""
        victim = self.workers.pop(dice.randrange(len(self.workers)))
        victim.kill()
        victim.join(5)
        self.kills += 1
        self.start()

    def check_alive(self) -> None:
        for worker in self.workers:
            assert worker.is_alive(), f"worker {worker.name} ended by itself ({worker.exitcode})"

    def stop(self) -> list[int | None]:
        """SIGTERM every worker (a clean stop); their exit codes."""
        # A process forked a moment ago may not have reached the command yet, whose signal
        # handlers make SIGTERM a clean stop (Python's default for it is to die at once).
        time.sleep(max(0.0, self._last_start + STARTED_WITHIN - time.monotonic()))
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            worker.join(15)
            if worker.is_alive():
                worker.kill()
                worker.join(5)
        return [worker.exitcode for worker in self.workers]


async def drain_under_fire(url: str, pool: WorkerPool) -> float:
    """Start the workers and kill one every 0.2-1 s until every message is sent; the seconds."""
    engine = create_engine(url)
    dice = random.Random(20261206)
    sent = select(func.count()).where(OutboxRow.state == "sent")
    started = time.monotonic()
    try:
        for _ in range(WORKERS):
            pool.start()
        next_kill = started + dice.uniform(*KILL_EVERY)
        while True:
            await asyncio.sleep(min(max(next_kill - time.monotonic(), 0), 0.25))
            if time.monotonic() >= next_kill:
                pool.check_alive()
                pool.kill_one(dice)
                next_kill = time.monotonic() + dice.uniform(*KILL_EVERY)
            async with engine.connect() as connection:
                if await connection.scalar(sent) == MESSAGES:
                    return time.monotonic() - started
            assert time.monotonic() - started < DEADLINE_SECONDS, "the soak did not finish"
    finally:
        await engine.dispose()


def worker_environment(gateway_db: str, backoffice_url: str) -> dict[str, str]:
    """The workers' configuration: every source over HTTP, a short lease, quick retries."""
    env = {
        "GATEWAY_DATABASE__URL": gateway_db,
        "GATEWAY_SERVER__LOG_LEVEL": "warning",
        "GATEWAY_OUTBOX__LEASE_SECONDS": str(LEASE_SECONDS),
        "GATEWAY_OUTBOX__POLL_INTERVAL_SECONDS": "0.2",
        "GATEWAY_OUTBOX__BATCH_SIZE": str(BATCH_SIZE),
        "GATEWAY_OUTBOX__CONCURRENCY": str(CONCURRENCY),
        "GATEWAY_OUTBOX__BACKOFF_BASE_SECONDS": "0.2",
        "GATEWAY_OUTBOX__BACKOFF_MAX_SECONDS": "2",
    }
    for source in ("pim", "pricing", "inventory", "crm", "orders", "loyalty"):
        env[f"GATEWAY_SOURCES__{source.upper()}__KIND"] = "http"
        env[f"GATEWAY_SOURCES__{source.upper()}__BASE_URL"] = backoffice_url
    # As many connections as deliveries at once: httpcore looks at every pooled connection
    # for each request it sends, so spare ones cost CPU.
    env["GATEWAY_SOURCES__LOYALTY__MAX_CONCURRENCY"] = str(CONCURRENCY)
    return env


# A minute on two cores, more on a busy machine: its own bound, not the suite's 120 s.
@pytest.mark.soak
@pytest.mark.timeout(600)
def test_ten_thousand_messages_through_killed_workers_none_lost_none_twice():
    # given the loyalty system over HTTP and the messages queued in PostgreSQL
    with (
        postgres_database() as gateway_db,
        postgres_database() as backoffice_db,
    ):
        before = asyncio.run(seeded_backoffice(backoffice_db))
        owed = asyncio.run(enqueue(gateway_db, sorted(before)))
        with backoffice_over_http(backoffice_db) as backoffice_url:
            env = worker_environment(gateway_db, backoffice_url)
            pool = WorkerPool(env)

            # when the workers drain it while the killer strikes
            try:
                wall = asyncio.run(drain_under_fire(gateway_db, pool))
            finally:
                exits = pool.stop()
        states, attempts = asyncio.run(outbox_figures(gateway_db))
        entries = asyncio.run(booked(backoffice_db))
        after = asyncio.run(balances(backoffice_db))

    # then nothing was lost and nothing was applied twice
    figures = {
        "messages": MESSAGES,
        "workers started": pool.started,
        "kills": pool.kills,
        "wall seconds": round(wall, 1),
        "messages/s": round(MESSAGES / wall),
        "redeliveries": attempts - MESSAGES,
        "dead letters": states.get("dead", 0),
    }
    print("\noutbox soak:", ", ".join(f"{name} {value}" for name, value in figures.items()))
    assert states == {"sent": MESSAGES}
    assert len(entries) == MESSAGES
    assert set(entries.values()) == {1}
    assert {customer: after[customer] - before[customer] for customer in owed} == owed
    assert exits == [0] * WORKERS
    assert pool.kills > 0
