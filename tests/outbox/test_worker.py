"""The outbox worker: its loop in a gateway process, and `commerce-gateway worker` on its own."""

import asyncio
import dataclasses
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.bootstrap import open_runtime
from gateway.cli import main
from gateway.worker import OutboxWorker
from ledger import NewMessage, Outbox
from ledger.db import create_engine, sessionmaker
from ledger.migrate import upgrade
from resolvers.outbox import DeliveryCounts, DeliveryPolicy, Dispatcher
from resolvers.outbox_handlers import loyalty_earn_message
from tests.clocks import ManualClock
from tests.waiting import eventually

COMMAND = Path(sys.executable).parent / "commerce-gateway"


def recording_dispatcher(outbox, clock, received):
    async def handler(message):
        received.append(message.key)

    return Dispatcher(outbox, {"test.kind": handler}, clock, policy=DeliveryPolicy(batch_size=5))


@pytest.mark.anyio
async def test_a_woken_worker_delivers_at_once_and_stops_cleanly(ledger, clock):
    # given a running worker that would otherwise look only once a minute
    received: list[str] = []
    dispatcher = recording_dispatcher(ledger.outbox, clock, received)
    worker = OutboxWorker(dispatcher, ledger.outbox, clock, worker_id="w1", poll_interval=60)
    worker.start()
    await asyncio.sleep(0.05)  # its first look found nothing; it waits

    # when a request writes twelve messages and wakes it
    await ledger.outbox.enqueue([NewMessage("test.kind", f"k{n}", {}) for n in range(12)])
    worker.wake()

    # then it delivers all of them (three batches: a full batch does not wait)
    await eventually(lambda: len(received) == 12, within=5)
    await worker.stop()
    assert not worker.running
    assert worker.totals == DeliveryCounts(claimed=12, sent=12)
    assert (await ledger.outbox.counts())["sent"] == 12


@pytest.mark.anyio
async def test_a_worker_outlives_its_database_being_away(caplog):
    engine = create_engine("postgresql://postgres@127.0.0.1:9/nothing")  # nothing listens there
    clock = ManualClock()
    outbox = Outbox(sessionmaker(engine), clock)
    worker = OutboxWorker(
        recording_dispatcher(outbox, clock, []), outbox, clock, worker_id="w9", poll_interval=0.01
    )
    try:
        with caplog.at_level(logging.WARNING, logger="gateway.worker"):
            worker.start()
            await eventually(lambda: len(caplog.records) >= 3, within=5)
            assert worker.running
            await worker.stop()
    finally:
        await engine.dispose()

    assert "outbox worker w9: the gateway's database did not answer" in caplog.records[0].message
    assert "trying again in" in caplog.records[0].message


@pytest.mark.anyio
async def test_draining_purges_what_was_sent_before_the_retention(ledger, clock):
    received: list[str] = []
    dispatcher = recording_dispatcher(ledger.outbox, clock, received)
    await ledger.outbox.enqueue([NewMessage("test.kind", "old", {})])
    await OutboxWorker(dispatcher, ledger.outbox, clock, worker_id="a").drain()
    clock.seconds += 8 * 86400
    await ledger.outbox.enqueue([NewMessage("test.kind", "new", {})])

    worker = OutboxWorker(
        dispatcher, ledger.outbox, clock, worker_id="b", sent_retention=timedelta(days=7)
    )
    assert await worker.drain() == DeliveryCounts(claimed=1, sent=1)

    assert received == ["old", "new"]
    assert await ledger.outbox.counts() == {"pending": 0, "failed": 0, "dead": 0, "sent": 1}


@pytest.mark.anyio
@pytest.mark.parametrize("in_process", [True, False])
async def test_the_gateway_runs_a_worker_only_when_told_to(settings, in_process):
    settings = dataclasses.replace(
        settings, outbox=dataclasses.replace(settings.outbox, in_process=in_process)
    )
    runtime = await open_runtime(settings)
    try:
        await runtime.start()
        assert runtime.outbox_worker.running is in_process
    finally:
        await runtime.aclose()
    assert not runtime.outbox_worker.running


# --- `commerce-gateway worker` ----------------------------------------------------------------


@pytest.fixture
def worker_env(seeded_url, tmp_path, monkeypatch):
    """The environment of a worker over a copy of the small retailer, with one message queued."""
    copy = tmp_path / "backoffice.sqlite3"
    shutil.copyfile(seeded_url.removeprefix("sqlite+aiosqlite:///"), copy)
    ledger_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"

    async def prepare():
        engine = create_engine(ledger_url)
        await upgrade(engine)
        outbox = Outbox(sessionmaker(engine), ManualClock(time.time()))
        await outbox.enqueue([loyalty_earn_message("cu00001", 5, key="cli:earn:1")])
        await engine.dispose()

    asyncio.run(prepare())
    env = {
        "GATEWAY_BACKOFFICE__DATABASE_URL": f"sqlite+aiosqlite:///{copy}",
        "GATEWAY_DATABASE__URL": ledger_url,
        "GATEWAY_SERVER__LOG_LEVEL": "info",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # no ./gateway.toml
    # The command sets up logging for its process; in this one, the next test gets it back.
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    monkeypatch.setattr(root, "level", root.level)
    return env


def test_the_worker_command_explains_itself(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["worker", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: commerce-gateway worker" in out
    assert "--once" in out
    assert "in_process = false" in out


def test_the_worker_command_delivers_what_is_due_once(worker_env, capsys):
    assert main(["worker", "--once", "--worker-id", "cli-1"]) == 0

    assert "outbox worker cli-1: 1 claimed, 1 sent" in capsys.readouterr().out
    assert main(["worker", "--once", "--worker-id", "cli-2"]) == 0
    assert "outbox worker cli-2: 0 claimed" in capsys.readouterr().out


def test_the_worker_command_runs_until_sigterm_and_then_stops_cleanly(worker_env):
    with subprocess.Popen(
        [str(COMMAND), "worker", "--worker-id", "term-1"],
        env={**os.environ, **worker_env},
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stderr is not None
            lines = []
            deadline = time.monotonic() + 30
            while "1 claimed, 1 sent" not in "".join(lines):
                assert time.monotonic() < deadline, "".join(lines)
                lines.append(process.stderr.readline())

            process.send_signal(signal.SIGTERM)

            assert process.wait(timeout=15) == 0
            lines.append(process.stderr.read())
        finally:
            process.kill()
    log = "".join(lines)
    assert "outbox worker term-1: delivering crm.notify, inventory.restock, loyalty.earn" in log
    assert "outbox worker term-1: stopped (1 claimed, 1 sent" in log


@pytest.mark.anyio
async def test_messages_committed_in_the_gateway_wake_its_worker(settings, tmp_path):
    # given a gateway whose worker would look only once a minute, over a database of its own
    ledger_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    ledger_engine = create_engine(ledger_url)
    await upgrade(ledger_engine)
    settings = dataclasses.replace(
        settings,
        database=dataclasses.replace(settings.database, url=ledger_url),
        outbox=dataclasses.replace(settings.outbox, poll_interval_seconds=60),
    )
    runtime = await open_runtime(settings, ledger_engine=ledger_engine)
    try:
        await runtime.start()
        await asyncio.sleep(0.05)  # its first look found nothing; it waits
        outbox = runtime.ledger.outbox

        # when a request commits a message (of a kind nobody delivers: it is dead-lettered)
        [message_id] = await outbox.enqueue([NewMessage("nobody.knows", "k1", {})])

        # then the worker takes it at once
        async def dead() -> bool:
            return (await outbox.get([message_id]))[message_id].state == "dead"

        deadline = time.monotonic() + 5
        while not await dead():
            assert time.monotonic() < deadline, "the worker was not woken"
            await asyncio.sleep(0.01)
    finally:
        await runtime.aclose()
