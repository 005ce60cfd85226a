"""Where a return by mail goes: the scoring of resolvers/return_routing.py, by hand."""

from __future__ import annotations

from resolvers.return_routing import ReturnRoutingWeights, choose_destination
from tests.resolvers.network import location

WEIGHTS = ReturnRoutingWeights()
STORES = [location(f"s0{n}", f"NL00{n}", f"Store {n}") for n in (1, 2, 3)]
CENTRES = [location(f"dc{n}", f"DC0{n}", f"Centre {n}", type="DISTRIBUTION_CENTER") for n in (2, 1)]
BIKINI = {"v11": "Bikini Noordwijk 38"}


def test_the_store_that_sells_it_and_is_nearly_out_wins_with_its_reasons():
    sold = {"v11": {"s01": 3, "s03": 4}}
    stock = {("v11", "s01"): 6, ("v11", "s03"): 1}
    chosen = choose_destination(BIKINI, STORES, CENTRES, sold=sold, stock=stock, weights=WEIGHTS)
    # s03: 4/4 sales + (3-1)/3 scarcity = 1.6667; s01: 3/4 + 0 = 0.75.
    assert chosen.location_id == "s03"
    assert chosen.score == 1.6667
    assert chosen.alternatives == (("s01", 0.75),)
    assert chosen.reasons == (
        "store NL003: sold 4 of Bikini Noordwijk 38 in the last 28 days (the most of any store); "
        "1 left in stock",
    )


def test_scarcity_can_beat_sales_and_ties_go_to_the_lower_code():
    sold = {"v11": {"s01": 4, "s02": 2, "s03": 2}}
    stock = {("v11", "s01"): 9, ("v11", "s02"): 0, ("v11", "s03"): 0}
    chosen = choose_destination(BIKINI, STORES, CENTRES, sold=sold, stock=stock, weights=WEIGHTS)
    # s02 and s03: 0.5 + 1.0 = 1.5 each, beating s01's 1.0; NL002 < NL003.
    assert chosen.location_id == "s02"
    assert "out of stock" in chosen.reasons[0]


def test_too_few_sales_anywhere_sends_it_to_the_first_distribution_centre():
    sold = {"v11": {"s01": 1}}
    chosen = choose_destination(BIKINI, STORES, CENTRES, sold=sold, stock={}, weights=WEIGHTS)
    assert chosen.location_id == "dc1"
    assert chosen.score == 0.0
    assert "distribution centre DC01" in chosen.reasons[0]
    assert chosen.to_document()["location_id"] == "dc1"
