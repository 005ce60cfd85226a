"""The inventory's reservation endpoints over real HTTP, answers checked against its OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from backoffice import openapi
from tests.backoffice import live
from tests.backoffice.inventory.rows import served_inventory
from tests.backoffice.test_api import assert_valid

pytestmark = pytest.mark.anyio

DOCUMENT = openapi.document("inventory")
RESERVATION = {"$ref": "#/components/schemas/Reservation"}
REFUSAL = {"$ref": "#/components/schemas/ReservationError"}
TWO_AT_UTRECHT = [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2}]


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[live.LiveBackoffice]:
    async with served_inventory(tmp_path) as server:
        yield server


@pytest.fixture
async def http(server: live.LiveBackoffice) -> AsyncIterator[httpx.AsyncClient]:
    async with server.raw_client() as client:
        yield client


async def utrecht(http: httpx.AsyncClient) -> Any:
    response = await http.get("/inventory/v1/stock?variant_id=V-1&location_id=LOC-UTR")
    return response.json()["items"][0]["quantity"]


async def test_a_put_reserves_and_a_get_reads_the_reservation_back(http):
    put = await http.put(
        "/inventory/v1/reservations/chk-1",
        json={"lines": TWO_AT_UTRECHT, "reference": "checkout-1"},
    )
    got = await http.get("/inventory/v1/reservations", params={"id": ["chk-1", "nope"]})

    assert put.status_code == 200
    assert_valid(put.json(), RESERVATION, DOCUMENT)
    assert put.json() == {
        "id": "chk-1",
        "status": "RESERVED",
        "reference": "checkout-1",
        "order_id": None,
        "created_at": live.CLOCK.now().isoformat(),
        "updated_at": live.CLOCK.now().isoformat(),
        "lines": TWO_AT_UTRECHT,
    }
    assert got.json() == {"items": [put.json()]}
    assert await utrecht(http) == 1


async def test_a_short_reservation_is_409_insufficient_stock_with_every_short_line(http):
    response = await http.put(
        "/inventory/v1/reservations/chk-1",
        json={
            "lines": [
                {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 5},
                {"variant_id": "V-1", "location_id": "LOC-DC", "quantity": 1},
                {"variant_id": "V-2", "location_id": "LOC-DC", "quantity": 1},
            ]
        },
    )

    assert response.status_code == 409
    assert_valid(response.json(), REFUSAL, DOCUMENT)
    error = response.json()["error"]
    assert error["code"] == "INSUFFICIENT_STOCK"
    assert error["shortages"] == [
        {"variant_id": "V-1", "location_id": "LOC-UTR", "requested": 5, "available": 3},
        {"variant_id": "V-2", "location_id": "LOC-DC", "requested": 1, "available": 0},
    ]
    assert await utrecht(http) == 3


async def test_a_put_sent_twice_reserves_once_and_other_lines_are_a_conflict(http):
    first = await http.put("/inventory/v1/reservations/chk-1", json={"lines": TWO_AT_UTRECHT})
    again = await http.put("/inventory/v1/reservations/chk-1", json={"lines": TWO_AT_UTRECHT})
    other = await http.put(
        "/inventory/v1/reservations/chk-1",
        json={"lines": [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 1}]},
    )

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert other.status_code == 409
    assert_valid(other.json(), REFUSAL, DOCUMENT)
    assert other.json()["error"]["code"] == "RESERVATION_CONFLICT"
    assert await utrecht(http) == 1


async def test_release_commit_and_their_conflicts(http):
    await http.put("/inventory/v1/reservations/chk-1", json={"lines": TWO_AT_UTRECHT})
    two_at_the_dc = [{"variant_id": "V-1", "location_id": "LOC-DC", "quantity": 2}]
    await http.put("/inventory/v1/reservations/chk-2", json={"lines": two_at_the_dc})

    released = await http.post("/inventory/v1/reservations/chk-1/release")
    released_again = await http.post("/inventory/v1/reservations/chk-1/release", json={})
    committed = await http.post("/inventory/v1/reservations/chk-2/commit", json={"order_id": "o-1"})
    late_commit = await http.post(
        "/inventory/v1/reservations/chk-1/commit", json={"order_id": "o-2"}
    )
    late_release = await http.post("/inventory/v1/reservations/chk-2/release")
    unknown_commit = await http.post(
        "/inventory/v1/reservations/chk-9/commit", json={"order_id": "o-9"}
    )

    for answer in (released, released_again, committed):
        assert answer.status_code == 200
        assert_valid(answer.json(), RESERVATION, DOCUMENT)
    assert released.json()["status"] == released_again.json()["status"] == "RELEASED"
    assert (committed.json()["status"], committed.json()["order_id"]) == ("COMMITTED", "o-1")
    assert [(r.status_code, r.json()["error"]["code"]) for r in (late_commit, late_release)] == [
        (409, "RESERVATION_CONFLICT"),
        (409, "RESERVATION_CONFLICT"),
    ]
    assert (unknown_commit.status_code, unknown_commit.json()["error"]["code"]) == (
        404,
        "NOT_FOUND",
    )
    dc = await http.get("/inventory/v1/stock?variant_id=V-1&location_id=LOC-DC")
    assert await utrecht(http) == 3  # chk-1's two are back
    assert dc.json()["items"][0]["quantity"] == 118  # chk-2's two belong to o-1


async def test_a_release_before_the_reserve_leaves_a_tombstone_the_reserve_meets(http):
    tombstone = await http.post("/inventory/v1/reservations/chk-lost/release")
    late = await http.put("/inventory/v1/reservations/chk-lost", json={"lines": TWO_AT_UTRECHT})

    assert (tombstone.json()["status"], tombstone.json()["lines"]) == ("RELEASED", [])
    assert (late.status_code, late.json()["error"]["code"]) == (409, "RESERVATION_CONFLICT")
    assert await utrecht(http) == 3


@pytest.mark.parametrize(
    ("method", "path", "body", "message"),
    [
        ("PUT", "/inventory/v1/reservations/chk-1", {}, "the body lacks lines"),
        ("PUT", "/inventory/v1/reservations/chk-1", [], "must be a JSON object"),
        (
            "PUT",
            "/inventory/v1/reservations/chk-1",
            {"lines": TWO_AT_UTRECHT, "channel": "WEB"},
            "unknown body fields ['channel']",
        ),
        (
            "PUT",
            "/inventory/v1/reservations/chk-1",
            {"lines": TWO_AT_UTRECHT, "reference": 7},
            '"reference" must be a string',
        ),
        ("PUT", "/inventory/v1/reservations/chk-1", {"lines": []}, "at least one line"),
        ("POST", "/inventory/v1/reservations/chk-1/commit", {}, "the body lacks order_id"),
        (
            "POST",
            "/inventory/v1/reservations/chk-1/commit",
            {"order_id": 5},
            "'order_id' must be a string",
        ),
        ("POST", "/inventory/v1/reservations/chk-1/release", {"why": "x"}, "unknown body"),
    ],
)
async def test_a_malformed_write_is_an_invalid_request(http, method, path, body, message):
    response = await http.request(method, path, json=body)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "INVALID_REQUEST"
    assert message in response.json()["error"]["message"]
    assert await utrecht(http) == 3
