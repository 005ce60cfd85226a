"""The size run's back office explains the SELECTs of one armed request on PostgreSQL."""

import httpx
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from bench.sizes_backoffice import PATH, Explainer

pytestmark = pytest.mark.anyio


async def test_armed_it_explains_each_select_with_its_parameters(postgres_engine):
    explainer = Explainer()
    event.listen(Engine, "after_cursor_execute", explainer.after_cursor_execute)
    try:
        async with postgres_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))  # not armed: not explained
            explainer.armed = True
            rows = await conn.execute(
                text("SELECT n FROM generate_series(1, 10) AS n WHERE n > :low"), {"low": 7}
            )
            kept = [row.n for row in rows]
    finally:
        event.remove(Engine, "after_cursor_execute", explainer.after_cursor_execute)

    assert kept == [8, 9, 10]  # the statement's own rows are intact
    (explained,) = explainer.plans
    assert "generate_series" in explained["statement"]
    assert "rows=3 loops=1" in explained["plan"]
    assert "Execution Time:" in explained["plan"]


async def test_post_arms_it_and_get_answers_the_plans_and_disarms_it():
    explainer = Explainer()

    async def behind(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    transport = httpx.ASGITransport(app=explainer.wrap(behind))
    async with httpx.AsyncClient(transport=transport, base_url="http://bo") as client:
        await client.post(PATH)
        armed = explainer.armed
        explainer.plans.append({"statement": "SELECT 1", "plan": "Result"})
        answered = (await client.get(PATH)).json()
        passed = await client.get("/pim/v1/health")

    assert armed is True
    assert answered == [{"statement": "SELECT 1", "plan": "Result"}]
    assert (explainer.armed, explainer.plans) == (False, [])
    assert passed.status_code == 204
