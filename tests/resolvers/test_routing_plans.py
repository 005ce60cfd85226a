"""Order routing's plans: split over the fewest locations, or none, and always exactly the order."""

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.common import GeoPoint
from connectors.inventory.records import Location
from resolvers.routing import RoutingWeights, route
from tests.resolvers.network import BAG, CUSTOMER, NETWORK, location, route_bag, shipped


def test_an_order_no_location_holds_alone_is_split_over_the_fewest_locations():
    # given: a bag and a charger; Haarlem and Utrecht have the bag, only Almere the charger
    stock = {(BAG, "s11"): 3, (BAG, "s04"): 5, ("V-CHARGER", "s08"): 2, ("V-CHARGER", "s04"): 0}

    # when
    decision = route(
        [(BAG, 1), ("V-CHARGER", 1)],
        candidates=NETWORK,
        stock=stock,
        destination=CUSTOMER,
        origin_location_id="s01",
        order_total=Decimal("89.90"),
        weights=RoutingWeights(),
    )

    # then: the charger from Almere (the better of two one-unit parcels comes first), the bag
    # from Haarlem (better than Utrecht)
    assert decision.strategy == "SPLIT"
    assert shipped(decision) == [("s08", (("V-CHARGER", 1),)), ("s11", ((BAG, 1),))]
    assert decision.shipping_cost == Decimal("13.90")
    penalties = sum(s.penalties.total for s in decision.shipments)
    assert decision.score == pytest.approx(1 - penalties)
    assert decision.reasons[0] == (
        "No single location holds the whole order: split into 2 parcels, score 0.340."
    )
    # the charger line takes Almere's second-to-last unit: half the depth weight
    assert decision.shipments[0].penalties.stock_depth == pytest.approx(0.05)


def test_a_line_may_be_split_across_locations_taking_the_most_units_first():
    decision = route_bag({(BAG, "s08"): 2, (BAG, "s11"): 3, (BAG, "s04"): 1}, quantity=5)

    assert shipped(decision) == [("s11", ((BAG, 3),)), ("s08", ((BAG, 2),))]
    assert decision.shipments[0].penalties.stock_depth == pytest.approx(0.1)


def test_no_split_when_splitting_is_not_allowed():
    stock = {(BAG, "s08"): 2, (BAG, "s11"): 3}

    decision = route_bag(stock, quantity=5, weights=RoutingWeights(allow_split=False))

    assert decision.strategy == "NONE"
    assert decision.shipments == ()
    assert decision.score is None
    assert not decision.routed
    assert decision.reasons == (
        "No single location holds the whole order and split shipments are not allowed.",
        "NL001 Amsterdam Kalverstraat (the ordering store) lacks V-BAG-BLUE (0 of 5).",
        "Hold part of it: NL011, NL008.",
        "Do not ship from store: NL007.",
    )


def test_no_plan_when_the_locations_together_hold_too_little():
    decision = route_bag({(BAG, "s08"): 2, (BAG, "s07"): 9}, quantity=3)

    assert decision.strategy == "NONE"
    assert decision.shipments == ()
    assert decision.reasons[0] == (
        "The locations that may ship do not hold enough together: V-BAG-BLUE short by 1."
    )
    assert decision.to_document()["shipments"] == []


def test_no_plan_when_nobody_that_may_ship_holds_any():
    decision = route_bag({(BAG, "s07"): 9})

    assert decision.shipments == ()
    assert decision.reasons[0] == "No location that may ship holds any of the order."
    assert decision.reasons[-1] == "Do not ship from store: NL007."


# Property: whatever the network and the stock, a plan ships exactly what was ordered,
# from locations that may ship it, never more than they hold.

VARIANTS = ("V-1", "V-2", "V-3")
geo_points = st.one_of(
    st.none(),
    st.builds(
        GeoPoint,
        latitude=st.floats(50.5, 53.5, allow_nan=False),
        longitude=st.floats(3.5, 7.0, allow_nan=False),
    ),
)


@st.composite
def networks(draw: st.DrawFn) -> list[Location]:
    count = draw(st.integers(1, 8))
    return [
        location(
            f"L{i}",
            draw(st.sampled_from(["A", "B", "C"])) + str(i % 3),  # codes may repeat
            f"Location {i}",
            type=draw(st.sampled_from(["STORE", "STORE", "DISTRIBUTION_CENTER", "PARTNER"])),
            geo=draw(geo_points),
            footfall=draw(st.one_of(st.none(), st.integers(0, 5000))),
            ship_from_store=draw(st.booleans()),
        )
        for i in range(count)
    ]


@settings(max_examples=150, deadline=None)
@given(
    network=networks(),
    data=st.data(),
    allow_split=st.booleans(),
    total=st.decimals(0, 500, places=2),
)
def test_a_plan_ships_exactly_the_order_from_locations_that_hold_it(
    network, data, allow_split, total
):
    ids = [loc.id for loc in network]
    stock = data.draw(
        st.dictionaries(
            st.tuples(st.sampled_from(VARIANTS), st.sampled_from(ids)), st.integers(-2, 6)
        )
    )
    lines = data.draw(
        st.lists(st.tuples(st.sampled_from(VARIANTS), st.integers(1, 6)), min_size=1, max_size=4)
    )
    origin = data.draw(st.one_of(st.none(), st.sampled_from(ids)))
    destination = data.draw(geo_points)
    weights = RoutingWeights(allow_split=allow_split)

    decision = route(
        lines,
        candidates=network,
        stock=stock,
        destination=destination,
        origin_location_id=origin,
        order_total=total,
        weights=weights,
    )
    shuffled = data.draw(st.permutations(network))
    again = route(
        lines,
        candidates=shuffled,
        stock=stock,
        destination=destination,
        origin_location_id=origin,
        order_total=total,
        weights=weights,
    )

    assert again == decision
    json.dumps(decision.to_document())
    wanted: dict[str, int] = {}
    for variant, quantity in lines:
        wanted[variant] = wanted.get(variant, 0) + quantity
    by_id = {loc.id: loc for loc in network}
    if not decision.shipments:
        assert decision.strategy == "NONE"
        assert decision.reasons
        return
    sent: dict[str, int] = {}
    for shipment in decision.shipments:
        loc = by_id[shipment.location_id]
        if decision.strategy == "ORIGIN":
            assert loc.id == origin
        else:
            assert loc.id != origin
            assert loc.type != "STORE" or loc.ship_from_store
        for variant, quantity in shipment.lines:
            assert 0 < quantity <= stock.get((variant, loc.id), 0)
            sent[variant] = sent.get(variant, 0) + quantity
    assert sent == wanted
    assert len({s.location_id for s in decision.shipments}) == len(decision.shipments)
    assert len(decision.shipments) == 1 or (allow_split and decision.strategy == "SPLIT")
    assert decision.shipping_cost == sum((s.shipping_cost for s in decision.shipments), Decimal(0))
