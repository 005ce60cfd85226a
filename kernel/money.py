"""Money arithmetic: the one rounding rule of the whole system, and proportional allocation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

_MINOR_UNITS = {"EUR": 2, "GBP": 2, "USD": 2, "SEK": 2, "DKK": 2, "NOK": 2, "CHF": 2, "JPY": 0}
# Worked out once: a listing rounds a few hundred amounts.
_MINOR = {currency: Decimal(1).scaleb(-places) for currency, places in _MINOR_UNITS.items()}
_CENT = Decimal(1).scaleb(-2)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency, e.g. Decimal("0.01") for EUR."""
    return _MINOR.get(currency, _CENT)


def round_money(amount: Decimal, currency: str = "EUR") -> Decimal:
    """Round half up to the currency's minor unit: till, web and refund compute the same cents."""
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def allocate(total: Decimal, weights: Sequence[Decimal], currency: str = "EUR") -> list[Decimal]:
    """Split `total` over lines in proportion to `weights`; the rounding remainder goes to the last line.

    The parts always add up to `total` exactly. Zero weights everywhere split nothing.
    """
    if not weights:
        return []
    whole = sum(weights, Decimal(0))
    if whole == 0:
        return [Decimal(0)] * (len(weights) - 1) + [round_money(total, currency)]
    parts = [round_money(total * w / whole, currency) for w in weights[:-1]]
    parts.append(round_money(total, currency) - sum(parts, Decimal(0)))
    return parts
