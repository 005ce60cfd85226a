"""Order routing: which location ships an order, chosen by a score a person can predict.

Pure: it takes locations, stock figures and the order, and returns a `RoutingDecision`
whose reasons go onto the order (the OMS keeps `to_document()` as the order's `routing`).
Fetching locations and stock, and reserving the stock afterwards, is the caller's job.

Who may ship
    Distribution centres and partner warehouses always; a store only when it ships from
    store (`Location.ship_from_store`). The ordering store (`origin_location_id`) ships only
    when it holds every line: then nothing is routed (strategy ORIGIN; hand over or ship
    from there). Otherwise it is left out, and of the others that hold at least one unit of
    the order the `max_candidates` nearest are scored (unknown distances last, ties by
    location code).

The score of a parcel (one location shipping some lines) starts at 1 and loses points::

    score = 1 - (distance + busyness + stock_depth + shipping)

    distance    = distance_per_km * km from the location to the destination
                  (the customer's address, else the ordering store; 0 when either has no geo)
    busyness    = busyness * footfall / footfall of the busiest location that may ship
                  (door-counter visitors per day; 0 for warehouses and unknown footfall)
    stock_depth = stock_depth * mean over the parcel's lines of max(0, keep_units - left) / keep_units
                  (left = units the location keeps after the parcel: taking the last unit costs
                  the full weight, keeping `keep_units` or more costs nothing)
    shipping    = shipping * parcel's shipping cost / the order's margin (the ratio is 1 when
                  the margin is 0 and the parcel costs anything)

    margin        = order total * margin_rate (the sources hold no cost prices)
    shipping cost = shipping_cost_store per parcel from a store, shipping_cost_warehouse
                    per parcel from a distribution centre or partner

Each penalty is rounded to 4 decimals and the score to 4 decimals; the highest score wins
and equal scores go to the lower location code (then id).

The plan
    1. One parcel: every location holding all lines is scored; the best whose shipping cost
       is within the margin wins. When every one costs more than the margin, the best wins
       anyway and a reason says so.
    2. Else, when `allow_split`: a greedy cover. Repeatedly take the location that can supply
       the most of the units still missing (ties: its parcel's score, then code), until the
       order is covered. Lines may be split across parcels. The plan's score is
       1 - the sum of its parcels' penalties, so every extra parcel costs points. Greedy
       is not always the fewest parcels, but it is close, fast and easy to follow.
    3. Else no plan: `shipments` is empty, a reason says why, and the caller refuses the
       order (INSUFFICIENT_STOCK).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from connectors.common import GeoPoint
from connectors.inventory.records import Location
from kernel.money import round_money
from resolvers.routing_score import (
    Line,
    Penalties,
    RoutingWeights,
    Scorer,
    Shipment,
    label,
    location_order,
)

__all__ = [
    "Alternative",
    "Line",
    "Penalties",
    "RoutingDecision",
    "RoutingWeights",
    "Shipment",
    "Strategy",
    "route",
]

Strategy = Literal["ORIGIN", "SINGLE", "SPLIT", "NONE"]

_PLACES = 4
_SHOWN = 5  # location codes listed in a summary reason before "and N more"
_ALTERNATIVES = 3


@dataclass(frozen=True, slots=True)
class Alternative:
    """A location that could have shipped the whole order, and its score."""

    location_id: str
    score: float


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Where an order ships from and why; `shipments` is empty when no plan exists.

    `reasons` are sentences for people (the order's history, the fulfilment's note):
    the choice first, then each parcel, the runners-up and the locations left out.
    """

    strategy: Strategy
    shipments: tuple[Shipment, ...]
    score: float | None
    shipping_cost: Decimal
    margin: Decimal
    reasons: tuple[str, ...]
    alternatives: tuple[Alternative, ...] = ()

    @property
    def routed(self) -> bool:
        return bool(self.shipments)

    @property
    def within_margin(self) -> bool:
        return self.shipping_cost <= self.margin

    def to_document(self) -> dict[str, object]:
        """The JSON-compatible form the OMS stores on the order as `routing`."""
        return {
            "strategy": self.strategy,
            "score": self.score,
            "shipments": [s.to_document() for s in self.shipments],
            "shipping_cost": str(self.shipping_cost),
            "margin": str(self.margin),
            "within_margin": self.within_margin,
            "alternatives": [
                {"location_id": a.location_id, "score": a.score} for a in self.alternatives
            ],
            "reasons": list(self.reasons),
        }


def route(
    lines: Sequence[Line],
    *,
    candidates: Sequence[Location],
    stock: Mapping[tuple[str, str], int],
    destination: GeoPoint | None,
    origin_location_id: str | None,
    order_total: Decimal,
    weights: RoutingWeights,
    currency: str = "EUR",
) -> RoutingDecision:
    """Choose the location(s) that ship `lines`; `stock` maps (variant id, location id) to units.

    Lines of the same variant are added up. Raises ValueError for an empty order or a
    quantity below 1 (the caller validates user input before routing).
    """
    wanted = _merge(lines)
    unique = {loc.id: loc for loc in reversed(candidates)}  # the first of a repeated id wins
    locations = sorted(unique.values(), key=location_order)
    origin = unique.get(origin_location_id) if origin_location_id is not None else None
    target = destination if destination is not None else origin.geo if origin else None
    margin = round_money(order_total * weights.margin_rate, currency)
    may_ship = [
        loc
        for loc in locations
        if loc is not origin and (loc.type != "STORE" or loc.ship_from_store)
    ]
    scorer = Scorer(
        weights=weights,
        stock=stock,
        target=target,
        where="the customer" if destination is not None else "the ordering store",
        busiest=max((loc.footfall or 0 for loc in may_ship), default=0),
        margin=margin,
        currency=currency,
    )
    notes: list[str] = []
    if target is None:
        notes.append(
            "Distance unknown: no delivery address and no ordering-store location, "
            "so distance did not count."
        )

    if origin is not None:
        short = [
            (v, scorer.on_hand(origin, v), q) for v, q in wanted if scorer.on_hand(origin, v) < q
        ]
        if not short:
            parcel = scorer.parcel(origin, wanted)
            return RoutingDecision(
                strategy="ORIGIN",
                shipments=(parcel,),
                score=parcel.score,
                shipping_cost=parcel.shipping_cost,
                margin=margin,
                reasons=(
                    f"{label(origin)} (the ordering store) holds everything: no routing "
                    "needed, hand over or ship from there.",
                    *notes,
                ),
            )
        missing = ", ".join(f"{v} ({have} of {want})" for v, have, want in short)
        notes.insert(0, f"{label(origin)} (the ordering store) lacks {missing}.")

    no_ship = [loc for loc in locations if loc.type == "STORE" and not loc.ship_from_store]
    no_ship = [loc for loc in no_ship if loc is not origin]
    holding = [loc for loc in may_ship if any(scorer.on_hand(loc, v) > 0 for v, _ in wanted)]
    holding.sort(key=lambda loc: (_far(scorer.km(loc)), *location_order(loc)))
    considered = holding[: weights.max_candidates]
    left_out = _summary(
        "Beyond the nearest candidates, not scored", holding[weights.max_candidates :]
    )
    left_out += _summary("Do not ship from store", no_ship)

    whole = [loc for loc in considered if scorer.holds(loc, wanted)]
    if whole:
        return _single(scorer, wanted, whole, considered, notes, left_out)
    if not considered:
        reason = "No location that may ship holds any of the order."
        return _none(margin, (reason, *notes, *left_out))
    if not weights.allow_split:
        reason = "No single location holds the whole order and split shipments are not allowed."
        return _none(margin, (reason, *notes, *_summary("Hold part of it", considered), *left_out))
    return _split(scorer, wanted, considered, notes, left_out)


def _single(
    scorer: Scorer,
    wanted: tuple[Line, ...],
    whole: Sequence[Location],
    considered: Sequence[Location],
    notes: Sequence[str],
    left_out: Sequence[str],
) -> RoutingDecision:
    by_id = {loc.id: loc for loc in whole}
    ranked = sorted(
        (scorer.parcel(loc, wanted) for loc in whole),
        key=lambda p: (-p.score, *location_order(by_id[p.location_id])),
    )
    affordable = [p for p in ranked if p.shipping_cost <= scorer.margin]
    chosen = affordable[0] if affordable else ranked[0]
    location = by_id[chosen.location_id]
    reasons = [f"Ships from {label(location)} in one parcel, score {chosen.score:.3f}."]
    reasons += [*notes, scorer.describe(location, chosen)]
    if not affordable:
        reasons.append(
            f"Shipping {chosen.shipping_cost} is more than the order's margin {scorer.margin}, "
            "but no location ships it for less: chosen anyway."
        )
    others = [p for p in ranked if p is not chosen][:_ALTERNATIVES]
    for rank, other in enumerate(others):
        why = scorer.why_lost(by_id[other.location_id], other, location, chosen)
        title = "Runner-up" if rank == 0 else "Also scored"
        reasons.append(
            f"{title} {label(by_id[other.location_id])}: score {other.score:.3f}, {why}."
        )
    partial = [loc for loc in considered if loc.id not in by_id]
    reasons += [*_summary("Hold only part of the order", partial), *left_out]
    return RoutingDecision(
        strategy="SINGLE",
        shipments=(chosen,),
        score=chosen.score,
        shipping_cost=chosen.shipping_cost,
        margin=scorer.margin,
        reasons=tuple(reasons),
        alternatives=tuple(Alternative(p.location_id, p.score) for p in others),
    )


def _split(
    scorer: Scorer,
    wanted: tuple[Line, ...],
    considered: Sequence[Location],
    notes: Sequence[str],
    left_out: Sequence[str],
) -> RoutingDecision:
    missing = dict(wanted)
    pool = list(considered)
    picked: list[tuple[Location, Shipment]] = []
    while any(missing.values()):
        options: list[tuple[Location, Shipment]] = []
        for loc in pool:
            take = tuple((v, min(scorer.on_hand(loc, v), q)) for v, q in missing.items())
            take = tuple((v, q) for v, q in take if q > 0)
            if take:
                options.append((loc, scorer.parcel(loc, take)))
        if not options:
            short = ", ".join(f"{v} short by {q}" for v, q in missing.items() if q > 0)
            reason = f"The locations that may ship do not hold enough together: {short}."
            return _none(scorer.margin, (reason, *notes, *left_out))
        # Most missing units first, then the better parcel, then the lower code.
        loc, parcel = min(
            options,
            key=lambda o: (-sum(q for _, q in o[1].lines), -o[1].score, *location_order(o[0])),
        )
        pool.remove(loc)
        picked.append((loc, parcel))
        for v, q in parcel.lines:
            missing[v] -= q
    shipments = tuple(parcel for _, parcel in picked)
    cost = sum((p.shipping_cost for p in shipments), Decimal(0))
    score = round(1 - sum(p.penalties.total for p in shipments), _PLACES)
    reasons = [
        f"No single location holds the whole order: split into {len(shipments)} parcels, "
        f"score {score:.3f}."
    ]
    reasons += [*notes, *(scorer.describe(loc, parcel) for loc, parcel in picked)]
    if cost > scorer.margin:
        reasons.append(
            f"Shipping {cost} is more than the order's margin {scorer.margin}, "
            "but no other plan exists: chosen anyway."
        )
    reasons += left_out
    return RoutingDecision(
        strategy="SPLIT",
        shipments=shipments,
        score=score,
        shipping_cost=cost,
        margin=scorer.margin,
        reasons=tuple(reasons),
    )


def _none(margin: Decimal, reasons: Sequence[str]) -> RoutingDecision:
    return RoutingDecision(
        strategy="NONE",
        shipments=(),
        score=None,
        shipping_cost=Decimal(0),
        margin=margin,
        reasons=tuple(reasons),
    )


def _merge(lines: Sequence[Line]) -> tuple[Line, ...]:
    merged: dict[str, int] = {}
    for variant_id, quantity in lines:
        if quantity < 1:
            raise ValueError(f"quantity of {variant_id} must be at least 1, not {quantity}")
        merged[variant_id] = merged.get(variant_id, 0) + quantity
    if not merged:
        raise ValueError("an order to route needs at least one line")
    return tuple(merged.items())


def _far(km: float | None) -> float:
    return math.inf if km is None else km


def _summary(title: str, locations: Sequence[Location]) -> list[str]:
    if not locations:
        return []
    codes = [loc.code for loc in locations[:_SHOWN]]
    more = len(locations) - len(codes)
    tail = f" and {more} more" if more else ""
    return [f"{title}: {', '.join(codes)}{tail}."]
