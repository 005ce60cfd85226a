from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.common import GeoPoint
from connectors.errors import SourceContractViolation
from connectors.inventory.mapping import (
    to_location,
    to_reservation,
    to_shortage,
    to_stock_levels,
)
from connectors.inventory.records import (
    Address,
    Location,
    Reservation,
    ReservationLine,
    Shortage,
    StockLevel,
)

LOCATION = {
    "id": "LOC-UTR",
    "code": "UTR01",
    "name": "Utrecht",
    "type": "STORE",
    "address": {
        "line1": "Stationsplein 1",
        "line2": None,
        "postal_code": "3511 AA",
        "city": "Utrecht",
        "country": "NL",
    },
    "geo": {"latitude": 52.09, "longitude": 5},
    "click_and_collect": True,
    "ship_from_store": False,
    "channels": ["POS", "WEB"],
    "footfall": 4200,
}


def test_a_location_document_becomes_a_location():
    assert to_location(LOCATION) == Location(
        id="LOC-UTR",
        code="UTR01",
        name="Utrecht",
        type="STORE",
        address=Address("Stationsplein 1", None, "3511 AA", "Utrecht", "NL"),
        geo=GeoPoint(52.09, 5.0),
        click_and_collect=True,
        ship_from_store=False,
        channels=("POS", "WEB"),
        footfall=4200,
    )


def test_a_location_may_have_no_address_coordinates_or_footfall():
    location = to_location(LOCATION | {"address": None, "geo": None, "footfall": None})

    assert (location.address, location.geo, location.footfall) == (None, None, None)


def test_a_stock_document_becomes_a_stock_level_as_of_its_reading():
    doc = {
        "variant_id": "V-1",
        "location_id": "LOC-UTR",
        "quantity": 3,
        "as_of": "2026-06-03T12:00:00+00:00",
        "updated_at": "2026-06-03T11:00:00+00:00",
    }

    assert to_stock_levels([doc]) == [
        StockLevel("V-1", "LOC-UTR", 3, datetime(2026, 6, 3, 12, 0, tzinfo=UTC))
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"type": "WAREHOUSE"}, "unknown location type"),
        ({"geo": {"latitude": "52.09", "longitude": 5}}, "expected a number"),
        ({"geo": {"latitude": True, "longitude": 5}}, "expected a number"),
        ({"address": {"line1": "Stationsplein 1"}}, "lacks the field"),
        ({"footfall": 4200.5}, "expected a whole number"),
        ({"channels": "POS"}, "expected a list"),
    ],
)
def test_a_broken_location_document_is_a_contract_violation(changes, message):
    with pytest.raises(SourceContractViolation, match=message) as caught:
        to_location(LOCATION | changes)

    assert caught.value.source == "inventory"


def test_a_stock_level_without_its_reading_time_is_a_contract_violation():
    with pytest.raises(SourceContractViolation, match="'as_of'"):
        to_stock_levels([{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 3}])


def test_an_answers_stock_rows_keep_each_ones_reading_time():
    row = {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 3}
    times = ["2026-03-01T10:00:00+00:00", "2026-03-01T11:00:00+01:00", "2026-03-01T10:00:00+00:00"]

    levels = to_stock_levels([row | {"as_of": at, "quantity": n} for n, at in enumerate(times)])

    assert [(level.quantity, level.as_of.isoformat()) for level in levels] == [
        (0, "2026-03-01T10:00:00+00:00"),
        (1, "2026-03-01T10:00:00+00:00"),
        (2, "2026-03-01T10:00:00+00:00"),
    ]
    assert levels[0].as_of.tzinfo == UTC


@pytest.mark.parametrize("as_of", [["2026-03-01T10:00:00+00:00"], 5, "yesterday"])
def test_a_stock_row_read_at_no_time_is_a_contract_violation(as_of):
    row = {"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 3, "as_of": as_of}
    with pytest.raises(SourceContractViolation, match="stock level document is malformed"):
        to_stock_levels([row])


RESERVATION = {
    "id": "chk-1",
    "status": "COMMITTED",
    "reference": "checkout-1",
    "order_id": "o-1",
    "created_at": "2026-06-03T12:00:00+00:00",
    "updated_at": "2026-06-03T12:05:00+00:00",
    "lines": [{"variant_id": "V-1", "location_id": "LOC-UTR", "quantity": 2}],
}


def test_a_reservation_document_becomes_a_reservation_record():
    assert to_reservation(RESERVATION) == Reservation(
        id="chk-1",
        status="COMMITTED",
        reference="checkout-1",
        order_id="o-1",
        created_at=datetime(2026, 6, 3, 12, 0, tzinfo=UTC),
        updated_at=datetime(2026, 6, 3, 12, 5, tzinfo=UTC),
        lines=(ReservationLine("V-1", "LOC-UTR", 2),),
    )
    assert to_shortage(
        {"variant_id": "V-1", "location_id": "LOC-UTR", "requested": 4, "available": 3}
    ) == Shortage("V-1", "LOC-UTR", requested=4, available=3)


@pytest.mark.parametrize(
    "broken",
    [
        {**RESERVATION, "status": "HELD"},
        {**RESERVATION, "lines": [{"variant_id": "V-1", "location_id": "LOC-UTR"}]},
        {key: value for key, value in RESERVATION.items() if key != "order_id"},
    ],
)
def test_a_malformed_reservation_document_is_a_contract_violation(broken):
    with pytest.raises(SourceContractViolation, match="reservation document"):
        to_reservation(broken)
