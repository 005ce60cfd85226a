"""Splits a discount over basket lines so that no line gets a negative share or more than it costs.

The rule is `kernel.money.allocate`'s (proportional to the weights, each share rounded half
up, the rounding remainder on the last line), which is also how the OMS stores an order's
discounts. That rule alone can break two guarantees the engine gives: a tiny last line can
be left a negative remainder (allocate(0.01, [1, 1, 0]) is [0.01, 0.01, -0.01]), and a share
can exceed what its line still costs. In those rare cases the shares are recomputed by
cumulative rounding (each line gets round(total × weights so far) less what the lines
before it got, which never goes below zero), and any share over its cap is moved to the
nearest line from the end that has room.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from kernel.money import allocate, round_money

_ZERO = Decimal(0)


def split(
    total: Decimal, weights: Sequence[Decimal], caps: Sequence[Decimal], currency: str
) -> list[Decimal]:
    """Shares of `total` proportional to `weights`, each within 0 and its line's `cap`.

    `total` and the caps are whole minor units; the caps must add up to at least `total`.
    """
    if len(weights) != len(caps):
        raise ValueError("split needs one cap per weight")
    if not weights:
        return []
    if total < 0 or sum(caps, _ZERO) < total:
        raise ValueError(f"cannot split {total} over lines that cost {sum(caps, _ZERO)}")
    if sum(weights, _ZERO) <= 0:
        weights = caps
    parts = allocate(total, weights, currency)
    if all(_ZERO <= part <= cap for part, cap in zip(parts, caps, strict=True)):
        return parts
    return _capped(_cumulative(total, weights, currency), caps)


def _cumulative(total: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    whole = sum(weights, _ZERO)
    parts: list[Decimal] = []
    given = round_money(_ZERO, currency)
    running = _ZERO
    for weight in weights[:-1]:
        running += weight
        reached = round_money(total * running / whole, currency)
        parts.append(reached - given)
        given = reached
    parts.append(round_money(total, currency) - given)
    return parts


def _capped(parts: list[Decimal], caps: Sequence[Decimal]) -> list[Decimal]:
    excess = _ZERO
    for index, cap in enumerate(caps):
        if parts[index] > cap:
            excess += parts[index] - cap
            parts[index] = cap
    for index in reversed(range(len(parts))):
        if excess <= 0:
            break
        room = min(caps[index] - parts[index], excess)
        parts[index] += room
        excess -= room
    return parts
