"""Where a return by mail goes: a store where the item sells and that size is nearly gone.

Journey 4 of DESIGN §7. Pure: the caller fetches the stores, what each sold of the returned
variants in the last `sales_days` days (the OMS, net of returns) and their stock now (the
inventory); this scores the stores and says why.

A store qualifies when it sold at least `min_units_sold` units of some returned variant in
the period. Its score adds, over the returned variants::

    sales_weight    * units it sold / units the best-selling store sold      (0 … 1)
    scarcity_weight * (nearly_out - units in stock) / nearly_out,
                      when it holds fewer than `nearly_out` units               (0 … 1)

rounded to 4 decimals. The highest score wins, ties to the lower location code. When no
store qualifies the goods go to the first distribution centre (by code), and the reasons
say so. `RETURN_ROUTING` lists the weights, which are `[returns]` configuration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.inventory.records import Location

_PLACES = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRoutingWeights:
    """The weights of the module docstring; the defaults are `[returns]`'s."""

    sales_days: int = 28
    min_units_sold: int = 2
    nearly_out: int = 3
    sales_weight: float = 1.0
    scarcity_weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ReturnDestination:
    """The chosen location, its score and the reasons, in words a customer could read."""

    location_id: str | None
    score: float
    reasons: tuple[str, ...]
    #: The runners-up: (location id, score), best first, for the service desk.
    alternatives: tuple[tuple[str, float], ...] = ()

    def to_document(self) -> dict[str, Any]:
        """The return's `routing` as the OMS keeps it."""
        return {
            "location_id": self.location_id,
            "score": self.score,
            "reasons": list(self.reasons),
            "alternatives": [{"location_id": i, "score": s} for i, s in self.alternatives],
        }


def choose_destination(
    variants: Mapping[str, str],
    stores: Sequence[Location],
    fallback: Sequence[Location],
    *,
    sold: Mapping[str, Mapping[str, int]],
    stock: Mapping[tuple[str, str], int],
    weights: ReturnRoutingWeights,
) -> ReturnDestination:
    """Score `stores` for the returned `variants` (id -> a label such as "Bikini, size M").

    `sold` maps variant -> location -> units sold in the period; `stock` maps
    (variant, location) -> units held now (absent: none). `fallback` are the distribution
    centres; the first by code takes what no store wants.
    """
    scored: list[tuple[float, str, str, list[str]]] = []
    for store in stores:
        score, reasons, qualifies = 0.0, [], False
        for variant_id, name in variants.items():
            units = sold.get(variant_id, {}).get(store.id, 0)
            best = max(sold.get(variant_id, {}).values(), default=0)
            if units < weights.min_units_sold or best <= 0:
                continue
            qualifies = True
            score += weights.sales_weight * units / best
            held = stock.get((variant_id, store.id), 0)
            reason = f"sold {units} of {name} in the last {weights.sales_days} days"
            if units == best:
                reason += " (the most of any store)"
            if held < weights.nearly_out:
                score += weights.scarcity_weight * (weights.nearly_out - held) / weights.nearly_out
                reason += f"; {held} left in stock" if held else "; out of stock"
            reasons.append(reason)
        if qualifies:
            scored.append((round(score, _PLACES), store.code, store.id, reasons))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    if scored:
        score, code, location_id, reasons = scored[0]
        return ReturnDestination(
            location_id=location_id,
            score=score,
            reasons=(f"store {code}: " + "; ".join(reasons),),
            alternatives=tuple((entry[2], entry[0]) for entry in scored[1:4]),
        )
    centre = min(fallback, key=lambda location: (location.code, location.id), default=None)
    return ReturnDestination(
        location_id=centre.id if centre else None,
        score=0.0,
        reasons=(
            f"no store sold at least {weights.min_units_sold} of the returned items in the "
            f"last {weights.sales_days} days: to the distribution centre"
            + (f" {centre.code}" if centre else " (none is known)"),
        ),
    )
