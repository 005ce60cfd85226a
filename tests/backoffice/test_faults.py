from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest

from backoffice.faults import Faults, FaultSwitches
from backoffice.serve import build_parser, parse_options
from tests.backoffice import live

pytestmark = pytest.mark.anyio

PRODUCT = "/pim/v1/products?id=p00001"


@pytest.fixture
def backoffice(request, seeded_url):
    return live.running(request, seeded_url)


@pytest.fixture
async def http(backoffice: live.LiveBackoffice) -> AsyncIterator[httpx.AsyncClient]:
    async with backoffice.raw_client() as client:
        yield client


async def test_the_faults_start_switched_off_for_every_system(http):
    response = await http.get("/_faults")

    assert response.json() == {
        "seed": 0,
        "systems": {
            system: {
                "latency_ms": 0.0,
                "jitter_ms": 0.0,
                "error_rate": 0.0,
                "hang_rate": 0.0,
                "hang_seconds": 300.0,
                "outage": False,
            }
            for system in ("pim", "pricing", "inventory", "crm", "orders", "loyalty")
        },
    }


async def test_an_error_rate_of_one_answers_503_to_every_request_of_that_system_only(
    backoffice, http
):
    # given
    shown = backoffice.set_faults(systems=["pim"], error_rate=1.0)

    # when
    failed = [await http.get(PRODUCT) for _ in range(3)]
    other = await http.get("/orders/v1/orders", params={"id": "o000001"})

    # then
    assert shown["systems"]["pim"]["error_rate"] == 1.0
    assert shown["systems"]["orders"]["error_rate"] == 0.0
    assert [r.status_code for r in failed] == [503, 503, 503]
    assert failed[0].json() == {
        "error": {"code": "UNAVAILABLE", "message": "pim failed (injected error)"}
    }
    assert other.status_code == 200


async def test_errors_strike_at_the_rate_set_and_in_the_same_order_for_the_same_seed(
    backoffice, http
):
    async def statuses() -> list[int]:
        return [(await http.get(PRODUCT)).status_code for _ in range(30)]

    backoffice.set_faults(systems=["pim"], error_rate=0.5, seed=7)
    first = await statuses()
    backoffice.set_faults(seed=7)
    second = await statuses()

    assert first == second
    assert 8 <= first.count(503) <= 22
    assert first.count(200) + first.count(503) == 30


async def test_latency_delays_every_answer_of_that_system(backoffice, http):
    # Long enough that an unaffected answer stays below it on a loaded machine too.
    backoffice.set_faults(systems=["pricing"], latency_ms=500)

    started = time.perf_counter()
    response = await http.get(
        "/pricing/v1/prices", params={"variant_id": "v000001", "channel": "WEB"}
    )
    elapsed = time.perf_counter() - started
    started = time.perf_counter()
    await http.get(PRODUCT)
    unaffected = time.perf_counter() - started

    assert response.status_code == 200
    assert elapsed >= 0.5
    assert unaffected < 0.5


async def test_jitter_adds_up_to_its_value_to_the_latency(backoffice, http):
    backoffice.set_faults(systems=["pim"], latency_ms=20, jitter_ms=60)

    elapsed = []
    for _ in range(8):
        started = time.perf_counter()
        await http.get(PRODUCT)
        elapsed.append(time.perf_counter() - started)

    # At least the latency. Not "at most latency + jitter" (80 ms): a loaded machine adds
    # more than that to an answer now and then.
    assert all(seconds >= 0.02 for seconds in elapsed)
    assert max(elapsed) - min(elapsed) > 0.005  # not a fixed delay


async def test_a_hang_answers_nothing_until_the_client_gives_up(backoffice):
    backoffice.set_faults(systems=["inventory"], hang_rate=1.0)

    started = time.perf_counter()
    async with backoffice.raw_client(timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/inventory/v1/locations")
    elapsed = time.perf_counter() - started

    assert 0.3 <= elapsed < 5.0  # the timeout, not the hang (300 s), ends it


async def test_an_outage_answers_503_at_once_even_to_health_checks(backoffice, http):
    backoffice.set_faults(systems=["orders"], outage=True, latency_ms=3000)

    started = time.perf_counter()
    health = await http.get("/orders/v1/health")
    read = await http.get("/orders/v1/orders", params={"id": "o000001"})
    elapsed = time.perf_counter() - started

    assert (health.status_code, read.status_code) == (503, 503)
    assert read.json()["error"] == {
        "code": "UNAVAILABLE",
        "message": "orders is down (injected outage)",
    }
    # The latency does not apply: a system that is down answers at once, not in 2 x 3 s.
    assert elapsed < 3.0


async def test_a_reset_switches_every_fault_off_again(backoffice, http):
    backoffice.set_faults(systems=["pim", "crm"], outage=True)

    shown = backoffice.set_faults(reset=True)

    assert not any(faults["outage"] for faults in shown["systems"].values())
    assert (await http.get(PRODUCT)).status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error_rate": 2}, "error_rate must be between 0 and 1, got 2"),
        ({"error_rate": 0.6, "hang_rate": 0.6}, "error_rate + hang_rate must not exceed 1"),
        ({"latency_ms": -1}, "latency_ms must be 0 or more, got -1"),
        ({"latency_ms": "slow"}, "latency_ms must be a number"),
        ({"outage": 1}, "outage must be true or false"),
        (
            {"systems": ["payroll"], "outage": True},
            '"systems" must list some of pim, pricing, inventory, crm, orders, loyalty',
        ),
        (
            {"flakiness": 1},
            "unknown fault 'flakiness'; one of latency_ms, jitter_ms, error_rate, hang_rate, hang_seconds, outage",
        ),
        ({"seed": "x"}, '"seed" must be a whole number'),
        ([1], "the body must be a JSON object of faults"),
    ],
)
async def test_a_fault_change_that_makes_no_sense_is_refused_and_changes_nothing(
    http, body, message
):
    response = await http.post("/_faults", json=body)

    assert response.status_code == 400
    assert response.json() == {"error": {"code": "INVALID_REQUEST", "message": message}}
    assert (await http.get(PRODUCT)).status_code == 200


async def test_the_server_counts_requests_by_method_and_path(backoffice, http):
    await http.get(PRODUCT)
    await http.get(PRODUCT)
    await http.post("/pim/v1/variants", json={"ids": ["v000001"]})

    assert backoffice.requests() == {"GET /pim/v1/products": 2, "POST /pim/v1/variants": 1}


def test_each_system_draws_its_own_reproducible_dice():
    one, two = FaultSwitches(seed=3), FaultSwitches(seed=3)

    pim = [one.draw("pim") for _ in range(5)]
    two.draw("crm")  # another system's traffic does not shift pim's faults

    assert [two.draw("pim") for _ in range(5)] == pim
    assert pim != [FaultSwitches(seed=4).draw("pim") for _ in range(5)]


# The command line.


def test_serve_explains_itself(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: commerce-gateway backoffice serve")
    for option in (
        "--systems",
        "--database-url",
        "--latency-ms",
        "--error-rate",
        "--hang-rate",
        "--outage",
    ):
        assert option in out


def test_serve_options_come_from_the_flags_and_the_environment():
    options = parse_options(
        [
            "--systems",
            "pim,crm",
            "--port",
            "9001",
            "--latency-ms",
            "25",
            "--error-rate",
            "0.1",
            "--outage",
            "crm",
            "--token",
            "pim=abc",
        ],
        {
            "BACKOFFICE_TOKEN_CRM": "xyz",
            "BACKOFFICE_OAUTH_CLIENTS": "gw=s1, bench=s2",
            "BACKOFFICE_DATABASE_URL": "sqlite:///x.db",
        },
    )

    assert options.systems == ("pim", "crm")
    assert (options.host, options.port, options.database_url) == (
        "127.0.0.1",
        9001,
        "sqlite:///x.db",
    )
    assert options.faults == Faults(latency_ms=25, error_rate=0.1)
    assert options.outage == ("crm",)
    assert dict(options.access.tokens) == {"crm": "xyz", "pim": "abc"}
    assert dict(options.access.clients) == {"gw": "s1", "bench": "s2"}


def test_serve_defaults_to_every_system_on_port_8100():
    options = parse_options([], {})

    assert options.systems == ("pim", "pricing", "inventory", "crm", "orders", "loyalty")
    assert (options.port, options.database_url) == (
        8100,
        "sqlite+aiosqlite:///.data/backoffice.sqlite3",
    )
    assert options.faults == Faults()
    assert options.today is None


def test_serve_runs_as_of_the_day_the_gateway_clock_names():
    options = parse_options([], {"GATEWAY_CLOCK__TODAY": "2027-04-05"})

    assert options.today == date(2027, 4, 5)


def test_serve_refuses_a_clock_day_that_is_not_a_date(capsys):
    with pytest.raises(SystemExit) as exit_:
        parse_options([], {"GATEWAY_CLOCK__TODAY": "soon"})

    assert exit_.value.code == 2
    assert "GATEWAY_CLOCK__TODAY: expected a date such as 2027-04-05, got 'soon'" in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--systems", "pim,payroll"],
            "--systems: payroll is not one of pim,pricing,inventory,crm,orders,loyalty",
        ),
        (["--error-rate", "1.5"], "error_rate must be between 0 and 1, got 1.5"),
        (
            ["--systems", "pim", "--outage", "crm"],
            "--outage names systems that are not served: crm",
        ),
        (["--token", "pim"], "--token: expected NAME=VALUE, got 'pim'"),
        (["--token", "payroll=x"], "--token names unknown systems: payroll"),
    ],
)
def test_serve_refuses_wrong_options_with_a_usage_error(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        parse_options(argv, {})

    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_serve_runs_the_chosen_systems_with_their_faults_until_stopped(seeded_url):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable, "-m", "backoffice.serve",
        "--systems", "pim,loyalty", "--port", str(port), "--database-url", seeded_url,
        "--outage", "loyalty", "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, "BACKOFFICE_TOKEN_PIM": "secret"}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", verify=False, timeout=2) as client:
            deadline = time.monotonic() + 15
            while True:
                try:
                    health = client.get("/pim/v1/health")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "the back office did not start"
                    time.sleep(0.05)
            product = client.get(PRODUCT, headers={"authorization": "Bearer secret"})
            anonymous = client.get(PRODUCT)
            loyalty = client.get("/loyalty/v1/accounts", params={"customer_id": "cu00001"})
            orders = client.get("/orders/v1/orders", params={"id": "o000001"})
    finally:
        process.terminate()
        _, err = process.communicate(timeout=10)

    assert health.json() == {"status": "ok", "system": "pim"}
    assert product.json()["items"][0]["sku"] == "P100001"
    assert (anonymous.status_code, loyalty.status_code, orders.status_code) == (401, 503, 404)
    # uvicorn shuts down gracefully, then re-raises the signal so the parent sees it.
    assert process.returncode in (0, -signal.SIGTERM)
    assert f"back office: pim, loyalty at http://127.0.0.1:{port}" in err
