"""/readyz fails only while the instance can answer nothing; degraded dependencies are reported."""

import logging

import httpx
import pytest

from backoffice.db import create_engine
from backoffice.seed import seed
from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.readiness import EMPTY_BACKOFFICE
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
        "checks": {"backoffice_db": "ok"} | {f"source:{name}": "ok" for name in SOURCES},
    }


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
    seeded_url, redis_process
):
    # given: a gateway on a Redis of our own
    settings = Settings.load(
        None,
        env={
            "DATABASE_URL": seeded_url,
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
    tmp_path, caplog
):
    # given: the embedded back office on an empty SQLite file (a fresh container volume)
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    settings = Settings.load(None, env={"DATABASE_URL": url})
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
