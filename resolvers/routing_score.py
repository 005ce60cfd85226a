"""Scores one parcel by the routing formula and puts the score into words.

The formula and the plan are documented in `resolvers.routing`, which is the module to
import; this one holds the weights, the parcel records and the arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from connectors.common import GeoPoint
from connectors.inventory.records import Location
from kernel.money import round_money

#: One order line as routing sees it: (variant id, quantity).
Line = tuple[str, int]

_PLACES = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingWeights:
    """What each routing criterion costs; the defaults are the `[routing]` configuration's.

    With the defaults every 20 km costs 0.1 point, the busiest store 0.3 (a store half as
    busy 0.15), taking the last unit 0.1 and shipping that eats the whole margin 0.2. So a
    store half as busy as the busiest one beats it up to 30 km farther away.
    """

    distance_per_km: float = 0.005
    busyness: float = 0.3
    stock_depth: float = 0.1
    keep_units: int = 2
    shipping: float = 0.2
    allow_split: bool = True
    shipping_cost_store: Decimal = Decimal("6.95")
    shipping_cost_warehouse: Decimal = Decimal("4.95")
    margin_rate: Decimal = Decimal("0.40")
    max_candidates: int = 20

    def __post_init__(self) -> None:
        for name in ("distance_per_km", "busyness", "stock_depth", "shipping"):
            value = getattr(self, name)
            if not (value >= 0 and math.isfinite(value)):
                raise ValueError(f"routing.{name} must be a finite number >= 0, not {value!r}")
        for name in ("shipping_cost_store", "shipping_cost_warehouse", "margin_rate"):
            amount = getattr(self, name)
            if not (amount.is_finite() and amount >= 0):
                raise ValueError(f"routing.{name} must be an amount >= 0, not {amount!r}")
        if self.keep_units < 1:
            raise ValueError(f"routing.keep_units must be at least 1, not {self.keep_units}")
        if self.max_candidates < 1:
            raise ValueError(
                f"routing.max_candidates must be at least 1, not {self.max_candidates}"
            )

    def shipping_cost(self, location: Location) -> Decimal:
        return (
            self.shipping_cost_store if location.type == "STORE" else self.shipping_cost_warehouse
        )


@dataclass(frozen=True, slots=True)
class Penalties:
    """The points a parcel loses per criterion (see the module docstring)."""

    distance: float
    busyness: float
    stock_depth: float
    shipping: float

    @property
    def total(self) -> float:
        return self.distance + self.busyness + self.stock_depth + self.shipping

    def to_document(self) -> dict[str, float]:
        return {
            "distance": self.distance,
            "busyness": self.busyness,
            "stock_depth": self.stock_depth,
            "shipping": self.shipping,
        }


@dataclass(frozen=True, slots=True)
class Shipment:
    """One parcel: the lines one location ships, and how it scored."""

    location_id: str
    lines: tuple[Line, ...]
    score: float
    penalties: Penalties
    distance_km: float | None
    shipping_cost: Decimal

    def to_document(self) -> dict[str, object]:
        return {
            "location_id": self.location_id,
            "lines": [{"variant_id": v, "quantity": q} for v, q in self.lines],
            "score": self.score,
            "penalties": self.penalties.to_document(),
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "shipping_cost": str(self.shipping_cost),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Scorer:
    """The criteria of one routing call: scores parcels and puts them into words."""

    weights: RoutingWeights
    stock: Mapping[tuple[str, str], int]
    target: GeoPoint | None
    where: str
    busiest: int
    margin: Decimal
    currency: str

    def on_hand(self, location: Location, variant_id: str) -> int:
        return max(0, self.stock.get((variant_id, location.id), 0))

    def holds(self, location: Location, lines: Sequence[Line]) -> bool:
        return all(self.on_hand(location, v) >= q for v, q in lines)

    def km(self, location: Location) -> float | None:
        if self.target is None or location.geo is None:
            return None
        return location.geo.km_to(self.target)

    def parcel(self, location: Location, lines: Sequence[Line]) -> Shipment:
        w = self.weights
        km = self.km(location)
        keep = w.keep_units
        short = [max(0, keep - (self.on_hand(location, v) - q)) / keep for v, q in lines]
        cost = round_money(w.shipping_cost(location), self.currency)
        # Shipping that eats the whole margin costs the full weight; with no margin, any cost does.
        eaten = float(cost / self.margin) if self.margin > 0 else float(cost > 0)
        penalties = Penalties(
            distance=round(w.distance_per_km * (km or 0.0), _PLACES),
            busyness=round(w.busyness * self._busy_share(location), _PLACES),
            stock_depth=round(w.stock_depth * sum(short) / len(short), _PLACES),
            shipping=round(w.shipping * eaten, _PLACES),
        )
        return Shipment(
            location_id=location.id,
            lines=tuple(lines),
            score=round(1 - penalties.total, _PLACES),
            penalties=penalties,
            distance_km=km,
            shipping_cost=cost,
        )

    def _busy_share(self, location: Location) -> float:
        if not location.footfall or self.busiest <= 0:
            return 0.0
        return location.footfall / self.busiest

    def describe(self, location: Location, parcel: Shipment) -> str:
        taken = " and ".join(
            f"{q} × {v} ({self.on_hand(location, v)} on hand, "
            f"{self.on_hand(location, v) - q} left after)"
            for v, q in parcel.lines
        )
        return (
            f"{label(location)}: ships {taken}, {self._distance_words(parcel)}, "
            f"{self._busy_words(location)}, shipping {parcel.shipping_cost} against a margin "
            f"of {self.margin}, score {parcel.score:.3f}."
        )

    def why_lost(
        self, location: Location, parcel: Shipment, winner: Location, chosen: Shipment
    ) -> str:
        """Where a runner-up lost points to the winner and where it did better, largest first."""
        km = f"{self._km(parcel)} vs {self._km(chosen)}"
        footfall = f"footfall {_count(location.footfall)} vs {_count(winner.footfall)}"
        cost = f"{parcel.shipping_cost} vs {chosen.shipping_cost}"
        criteria = (
            (parcel.penalties.distance - chosen.penalties.distance, "farther", "nearer", km),
            (parcel.penalties.busyness - chosen.penalties.busyness, "busier", "quieter", footfall),
            (
                parcel.penalties.stock_depth - chosen.penalties.stock_depth,
                "leaves fewer units on the shelf",
                "leaves more units on the shelf",
                "",
            ),
            (
                parcel.penalties.shipping - chosen.penalties.shipping,
                "dearer shipping",
                "cheaper shipping",
                cost,
            ),
        )
        ranked = sorted(criteria, key=lambda c: -abs(c[0]))
        worse = [_phrase(worse, detail) for gap, worse, _, detail in ranked if gap > 0]
        better = [_phrase(better, detail) for gap, _, better, detail in ranked if gap < 0]
        if parcel.score > chosen.score:
            worse.insert(
                0, f"shipping {parcel.shipping_cost} is more than the margin {self.margin}"
            )
        elif not worse:
            worse.append("equal score, lower location code first")
        return ", ".join(worse) + (f", though {' and '.join(better)}" if better else "")

    def _km(self, parcel: Shipment) -> str:
        return "distance unknown" if parcel.distance_km is None else f"{parcel.distance_km:.1f} km"

    def _distance_words(self, parcel: Shipment) -> str:
        if parcel.distance_km is None:
            return "distance unknown"
        return f"{parcel.distance_km:.1f} km from {self.where}"

    def _busy_words(self, location: Location) -> str:
        if location.type != "STORE":
            return "a warehouse, no shop-floor traffic"
        if not location.footfall or self.busiest <= 0:
            return "footfall unknown"
        share = location.footfall / self.busiest
        mood = "quiet" if share <= 1 / 3 else "fairly busy" if share <= 2 / 3 else "busy"
        return f"{mood} (footfall {location.footfall:,} of busiest {self.busiest:,})"


def location_order(location: Location) -> tuple[str, str]:
    return (location.code, location.id)


def label(location: Location) -> str:
    return f"{location.code} {location.name}"


def _count(footfall: int | None) -> str:
    return "none" if not footfall else f"{footfall:,}"


def _phrase(words: str, detail: str) -> str:
    return f"{words} ({detail})" if detail else words
