"""/readyz fails only while the instance can answer nothing; degraded dependencies are reported."""

import logging

import httpx
import pytest

from backoffice.db import create_engine
from backoffice.seed import seed
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.readiness import EMPTY_BACKOFFICE, LEDGER_BEHIND, LEDGER_UNAVAILABLE
from ledger import LedgerBehind
from ledger.db import create_engine as create_ledger_engine
from ledger.migrate import upgrade
from tests.api import CLOCK, TODAY, serve

pytestmark = pytest.mark.anyio

PRODUCT = '{ product(sku: "P100001") { name } }'
SOURCES = ("crm", "inventory", "loyalty", "orders", "pim", "pricing")


async def test_an_instance_that_has_not_started_is_not_ready(settings):
    # given: an app whose lifespan has not run (or has ended)
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        # when
        ready = await client.get("/readyz")

    # then
    assert ready.status_code == 503
    assert ready.json() == {"status": "starting"}


async def test_a_healthy_instance_is_ready_with_every_check_ok(api):
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"backoffice_db": "ok", "gateway_db": "ok"}
        | {f"source:{name}": "ok" for name in SOURCES},
    }


async def test_a_gateway_database_behind_the_release_degrades_until_it_is_upgraded(
    settings, engine, tmp_path
):
    # given: the gateway's own database on an empty file (a release not yet migrated)
    ledger_engine = create_ledger_engine(f"sqlite:///{tmp_path / 'gateway.sqlite3'}")
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK, ledger_engine=ledger_engine)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        # when
        behind = await api.client.get("/readyz")
        metrics = (await api.client.get("/metrics")).text
        await upgrade(ledger_engine)
        upgraded = await api.client.get("/readyz")

    # then: reads go on (ready to the load balancer), and the check says what to run
    assert behind.status_code == 200
    assert behind.json()["status"] == "degraded"
    assert behind.json()["checks"]["gateway_db"] == LEDGER_BEHIND
    assert "commerce-gateway db upgrade" in LEDGER_BEHIND
    assert 'gateway_dependency_up{dependency="gateway_db"} 0.0' in metrics
    assert upgraded.json() == {
        "status": "ready",
        "checks": {"backoffice_db": "ok", "gateway_db": "ok"}
        | {f"source:{name}": "ok" for name in SOURCES},
    }


async def test_an_unreachable_gateway_database_degrades_the_instance(settings, engine):
    ledger_engine = create_ledger_engine("postgresql://nobody@127.0.0.1:9/nothing")
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK, ledger_engine=ledger_engine)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        ready = await api.client.get("/readyz")
        reply = await api.query(PRODUCT)

    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["gateway_db"] == LEDGER_UNAVAILABLE
    assert reply.errors is None, "reads need no database of the gateway's own"


async def test_production_refuses_to_start_on_a_gateway_database_behind_the_release(
    seeded_url, engine, tmp_path
):
    settings = Settings.load(
        None,
        env={
            "GATEWAY_SERVER__ENVIRONMENT": "production",
            "GATEWAY_AUTH__ALGORITHMS": "HS256",
            "GATEWAY_AUTH__DEV_SECRET": "s" * 40,
            "GATEWAY_SERVER__WEBHOOK_SECRET": "w" * 40,
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        },
    )
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)

    try:
        with pytest.raises(LedgerBehind, match="run `commerce-gateway db upgrade`"):
            await runtime.start()
    finally:
        await runtime.aclose()


async def test_an_open_breaker_leaves_the_instance_ready_and_reports_its_source(settings, engine):
    # given: the PIM's breaker opened by failures
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        breaker = runtime.guards["pim"].breaker
        for _ in range(settings.sources["pim"].breaker_failures):
            breaker.failure(False)

        # when
        ready = await api.client.get("/readyz")
        metrics = (await api.client.get("/metrics")).text

    # then
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    checks = ready.json()["checks"]
    assert checks["source:pim"] == "circuit open"
    assert {name: checks[f"source:{name}"] for name in SOURCES if name != "pim"} == {
        name: "ok" for name in SOURCES if name != "pim"
    }
    assert 'gateway_source_breaker_state{source="pim"} 2.0' in metrics
    assert 'gateway_source_breaker_state{source="pricing"} 0.0' in metrics


async def test_a_failing_source_is_reported_before_its_breaker_opens(settings, engine):
    runtime = await open_runtime(settings, engine=engine, clock=CLOCK)
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        runtime.guards["loyalty"].breaker.failure(False)
        ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded"
    assert ready.json()["checks"]["source:loyalty"] == "failing: 1 consecutive failures"


async def test_without_redis_the_instance_stays_ready_and_says_it_serves_uncached(
    seeded_url, ledger_url, redis_process
):
    # given: a gateway on a Redis of our own
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "REDIS_URL": redis_process.url,
            "GATEWAY_CACHE__BACKEND": "redis",
        },
    )
    async with serve(create_app(settings, clock=CLOCK), settings) as api:
        up = await api.client.get("/readyz")
        up_metrics = (await api.client.get("/metrics")).text

        # when Redis goes away
        redis_process.kill()
        down = await api.client.get("/readyz")
        down_metrics = (await api.client.get("/metrics")).text
        reply = await api.query(PRODUCT)

    # then
    assert up.status_code == 200
    assert up.json()["status"] == "ready"
    assert 'gateway_dependency_up{dependency="redis"} 1.0' in up_metrics
    assert down.status_code == 200
    assert down.json()["status"] == "degraded"
    assert down.json()["checks"]["redis"] == "unavailable: serving from the sources, uncached"
    assert 'gateway_dependency_up{dependency="redis"} 0.0' in down_metrics
    assert 'gateway_dependency_up{dependency="backoffice_db"} 1.0' in down_metrics
    assert reply.errors is None, reply.errors
    assert reply.data == {"product": {"name": "Muurverf Extra Mat 2,5 L"}}


async def test_an_empty_back_office_makes_the_instance_unavailable_until_it_is_seeded(
    tmp_path, caplog, ledger_url
):
    # given: the embedded back office on an empty SQLite file (a fresh container volume)
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    settings = Settings.load(
        None, env={"GATEWAY_BACKOFFICE__DATABASE_URL": url, "GATEWAY_DATABASE__URL": ledger_url}
    )
    caplog.set_level(logging.ERROR, logger="gateway.bootstrap")

    async with serve(create_app(settings, clock=CLOCK), settings) as api:
        # when
        empty = await api.client.get("/readyz")

        # then: one log line at start-up says why, and what to run
        assert [r.getMessage() for r in caplog.records] == [
            f"this instance cannot answer any query: backoffice_db: {EMPTY_BACKOFFICE}"
        ]
        assert empty.status_code == 503
        assert empty.json()["status"] == "unavailable"
        assert empty.json()["checks"]["backoffice_db"] == EMPTY_BACKOFFICE

        # when the database is seeded beside the waiting instance, it becomes ready
        engine = create_engine(url)
        await seed(engine, size="small", today=TODAY)
        await engine.dispose()
        seeded = await api.client.get("/readyz")
        assert seeded.status_code == 200
        assert seeded.json()["status"] == "ready"
