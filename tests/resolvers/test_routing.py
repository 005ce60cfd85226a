"""Order routing: which location ships, by the score's penalties, the margin, distance and ties."""

import json
import random
from decimal import Decimal

import pytest

from resolvers.routing import RoutingWeights, route
from tests.resolvers.network import (
    ALMERE,
    BAG,
    CUSTOMER,
    NETWORK,
    TILBURG,
    location,
    route_bag,
    shipped,
)


def test_journey_3_the_quiet_store_a_bit_farther_beats_the_busy_near_one():
    # given: the Amsterdam store lacks the bag; Haarlem (busy) is nearer than Almere (quiet)
    stock = {(BAG, "s11"): 4, (BAG, "s08"): 3, (BAG, "s04"): 6, (BAG, "dc1"): 40, (BAG, "s07"): 5}

    # when
    decision = route_bag(stock)

    # then
    assert decision.strategy == "SINGLE"
    assert shipped(decision) == [("s08", ((BAG, 1),))]
    assert decision.score == pytest.approx(0.6951)
    assert decision.shipping_cost == Decimal("6.95")
    assert decision.margin == Decimal("19.98")
    assert [(a.location_id, a.score) for a in decision.alternatives] == [
        ("s11", 0.6334),
        ("dc1", 0.586),
        ("s04", 0.4684),
    ]
    assert decision.reasons == (
        "Ships from NL008 Almere Stadhuisplein in one parcel, score 0.695.",
        "NL001 Amsterdam Kalverstraat (the ordering store) lacks V-BAG-BLUE (0 of 1).",
        "NL008 Almere Stadhuisplein: ships 1 × V-BAG-BLUE (3 on hand, 2 left after), "
        "23.8 km from the customer, fairly busy (footfall 1,200 of busiest 3,100), "
        "shipping 6.95 against a margin of 19.98, score 0.695.",
        "Runner-up NL011 Haarlem Grote Houtstraat: score 0.633, busier (footfall 2,200 vs "
        "1,200), though nearer (16.8 km vs 23.8 km).",
        "Also scored DC01 Distributiecentrum Waalwijk: score 0.586, farther (72.9 km vs "
        "23.8 km), though quieter (footfall none vs 1,200) and cheaper shipping (4.95 vs 6.95).",
        "Also scored NL004 Utrecht Oudegracht: score 0.468, busier (footfall 3,100 vs 1,200), "
        "farther (32.4 km vs 23.8 km).",
        "Do not ship from store: NL007.",
    )


def test_the_penalties_add_up_to_the_score_as_the_formula_says():
    decision = route_bag({(BAG, "s08"): 3})

    (parcel,) = decision.shipments
    assert parcel.distance_km == pytest.approx(23.84, abs=0.01)
    # distance 0.005 * 23.84 km; busyness 0.3 * 1200 / 3100 (Utrecht is the busiest that
    # may ship); 2 units stay, so no depth penalty; shipping 0.2 * 6.95 / 19.98.
    assert parcel.penalties.distance == pytest.approx(0.1192)
    assert parcel.penalties.busyness == pytest.approx(0.1161)
    assert parcel.penalties.stock_depth == 0
    assert parcel.penalties.shipping == pytest.approx(0.0696)
    assert parcel.score == pytest.approx(1 - 0.1192 - 0.1161 - 0.0696)


def test_the_ordering_store_ships_itself_when_it_holds_everything():
    decision = route_bag({(BAG, "s01"): 2, (BAG, "s08"): 9}, quantity=2)

    assert decision.strategy == "ORIGIN"
    assert shipped(decision) == [("s01", ((BAG, 2),))]
    assert decision.alternatives == ()
    assert decision.reasons[0] == (
        "NL001 Amsterdam Kalverstraat (the ordering store) holds everything: "
        "no routing needed, hand over or ship from there."
    )


def test_the_ordering_store_with_part_of_the_order_is_left_out():
    decision = route_bag({(BAG, "s01"): 1, (BAG, "s08"): 1, (BAG, "s11"): 1}, quantity=2)

    assert decision.strategy == "SPLIT"
    assert {s.location_id for s in decision.shipments} == {"s08", "s11"}
    assert "NL001 Amsterdam Kalverstraat (the ordering store) lacks V-BAG-BLUE (1 of 2)." in (
        decision.reasons
    )


def test_a_plan_within_the_margin_wins_over_a_better_score_that_costs_more():
    # given: margin 15.00 * 0.40 = 6.00; a store parcel costs 6.95, a DC parcel 4.95
    stock = {(BAG, "s08"): 5, (BAG, "dc1"): 5}

    # when
    decision = route_bag(stock, total="15.00")

    # then
    assert shipped(decision) == [("dc1", ((BAG, 1),))]
    assert decision.within_margin
    runner_up = decision.alternatives[0]
    assert runner_up.location_id == "s08"
    assert runner_up.score > (decision.score or 0)
    assert decision.reasons[3] == (
        f"Runner-up NL008 Almere Stadhuisplein: score {runner_up.score:.3f}, shipping 6.95 is "
        "more than the margin 6.00, busier (footfall 1,200 vs none), dearer shipping "
        "(6.95 vs 4.95), though nearer (23.8 km vs 72.9 km)."
    )


def test_a_plan_over_the_margin_is_chosen_with_a_reason_when_there_is_no_other():
    decision = route_bag({(BAG, "s08"): 5, (BAG, "s11"): 5}, total="10.00")

    assert shipped(decision) == [("s08", ((BAG, 1),))]
    assert not decision.within_margin
    assert decision.margin == Decimal("4.00")
    assert (
        "Shipping 6.95 is more than the order's margin 4.00, but no location ships it for "
        "less: chosen anyway."
    ) in decision.reasons


def test_a_split_over_the_margin_is_chosen_with_a_reason():
    decision = route_bag({(BAG, "s08"): 1, (BAG, "s11"): 1}, quantity=2, total="20.00")

    assert decision.strategy == "SPLIT"
    assert decision.shipping_cost == Decimal("13.90")
    assert (
        "Shipping 13.90 is more than the order's margin 8.00, but no other plan exists: "
        "chosen anyway."
    ) in decision.reasons


def test_without_any_geo_distance_does_not_count_and_the_reasons_say_so():
    # given: no delivery address and an ordering store the candidates do not include
    stock = {(BAG, "s11"): 5, (BAG, "s08"): 5}

    # when
    decision = route_bag(stock, destination=None, origin="s99")

    # then: busyness alone decides
    assert shipped(decision) == [("s08", ((BAG, 1),))]
    assert all(s.penalties.distance == 0 for s in decision.shipments)
    assert decision.shipments[0].distance_km is None
    assert decision.reasons[1] == (
        "Distance unknown: no delivery address and no ordering-store location, "
        "so distance did not count."
    )
    assert "distance unknown" in decision.reasons[2]


def test_without_a_delivery_address_distance_counts_from_the_ordering_store():
    decision = route_bag({(BAG, "s11"): 5}, destination=None)

    assert "17.6 km from the ordering store" in decision.reasons[2]


def test_a_location_without_geo_has_no_distance_penalty():
    nowhere = location("s50", "NL050", "Pop-up", footfall=100)

    decision = route_bag({(BAG, "s50"): 5}, candidates=(*NETWORK, nowhere))

    assert decision.shipments[0].penalties.distance == 0
    assert (
        "NL050 Pop-up: ships 1 × V-BAG-BLUE (5 on hand, 4 left after), distance unknown,"
        in (decision.reasons[2])
    )


def test_stores_that_do_not_ship_from_store_are_never_chosen():
    decision = route_bag({(BAG, "s07"): 50, (BAG, "s04"): 1})

    assert shipped(decision) == [("s04", ((BAG, 1),))]
    assert decision.reasons[-1] == "Do not ship from store: NL007."


def test_long_lists_of_locations_left_out_are_cut_short():
    closed = tuple(
        location(f"t{i}", f"NL10{i}", f"Outlet {i}", geo=TILBURG, ship_from_store=False)
        for i in range(7)
    )

    decision = route_bag({(BAG, "dc1"): 4}, candidates=(*NETWORK, *closed))

    assert decision.reasons[-1] == (
        "Do not ship from store: NL007, NL100, NL101, NL102, NL103 and 3 more."
    )


def test_the_distribution_centre_ships_when_no_store_has_the_item():
    decision = route_bag({(BAG, "dc1"): 40, (BAG, "s07"): 3})

    assert shipped(decision) == [("dc1", ((BAG, 1),))]
    assert "a warehouse, no shop-floor traffic" in decision.reasons[2]
    assert decision.shipping_cost == Decimal("4.95")


def test_taking_the_last_unit_costs_points():
    twin = location("s09", "NL009", "Almere Twin", geo=ALMERE, footfall=1200)

    decision = route_bag({(BAG, "s08"): 1, (BAG, "s09"): 3}, candidates=(*NETWORK, twin))

    assert shipped(decision) == [("s09", ((BAG, 1),))]
    assert decision.alternatives[0].location_id == "s08"
    assert "leaves fewer units on the shelf" in decision.reasons[3]


def test_equal_scores_go_to_the_lower_location_code_whatever_the_order_of_candidates():
    twin_a = location("z-2", "NL020", "Twin A", geo=ALMERE, footfall=1200)
    twin_b = location("a-1", "NL021", "Twin B", geo=ALMERE, footfall=1200)
    stock = {(BAG, "z-2"): 4, (BAG, "a-1"): 4}
    decisions = set()
    for seed in range(5):
        candidates = [*NETWORK, twin_a, twin_b]
        random.Random(seed).shuffle(candidates)
        decision = route_bag(stock, candidates=tuple(candidates))
        decisions.add(json.dumps(decision.to_document()))
        assert shipped(decision) == [("z-2", ((BAG, 1),))]
        assert decision.reasons[3].endswith("equal score, lower location code first.")
    assert len(decisions) == 1


def test_only_the_nearest_candidates_are_scored():
    decision = route_bag(
        {(BAG, "s08"): 5, (BAG, "s11"): 5, (BAG, "dc1"): 5},
        weights=RoutingWeights(max_candidates=2),
    )

    assert [a.location_id for a in decision.alternatives] == ["s11"]
    assert "Beyond the nearest candidates, not scored: DC01." in decision.reasons


def test_the_document_is_json_and_names_every_criterion():
    decision = route_bag({(BAG, "s08"): 3})

    document = json.loads(json.dumps(decision.to_document()))

    assert document == {
        "strategy": "SINGLE",
        "score": 0.6951,
        "shipments": [
            {
                "location_id": "s08",
                "lines": [{"variant_id": BAG, "quantity": 1}],
                "score": 0.6951,
                "penalties": {
                    "distance": 0.1192,
                    "busyness": 0.1161,
                    "stock_depth": 0.0,
                    "shipping": 0.0696,
                },
                "distance_km": 23.8,
                "shipping_cost": "6.95",
            }
        ],
        "shipping_cost": "6.95",
        "margin": "19.98",
        "within_margin": True,
        "alternatives": [],
        "reasons": list(decision.reasons),
    }


def test_lines_of_one_variant_are_added_up():
    decision = route(
        [(BAG, 1), (BAG, 2)],
        candidates=NETWORK,
        stock={(BAG, "s08"): 3},
        destination=CUSTOMER,
        origin_location_id=None,
        order_total=Decimal("99.00"),
        weights=RoutingWeights(),
    )

    assert shipped(decision) == [("s08", ((BAG, 3),))]


@pytest.mark.parametrize("lines", [[], [(BAG, 0)], [(BAG, -1)]])
def test_an_empty_order_or_a_quantity_below_one_is_a_programming_error(lines):
    with pytest.raises(ValueError, match="at least"):
        route(
            lines,
            candidates=NETWORK,
            stock={},
            destination=None,
            origin_location_id=None,
            order_total=Decimal(10),
            weights=RoutingWeights(),
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("distance_per_km", -0.1),
        ("busyness", float("nan")),
        ("keep_units", 0),
        ("max_candidates", 0),
        ("margin_rate", Decimal(-1)),
        ("shipping_cost_store", Decimal("NaN")),
    ],
)
def test_weights_that_make_no_sense_are_refused(field, value):
    with pytest.raises(ValueError, match=f"routing.{field}"):
        RoutingWeights(**{field: value})
