"""Value types shared by every connector's canonical records: money, localised text, geo points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: Localised text as the sources hold it: locale ("nl", "en") -> text. Callers pick a locale.
LocalizedText = Mapping[str, str]

_MINOR_UNITS = {"EUR": 2, "GBP": 2, "USD": 2, "SEK": 2, "DKK": 2, "JPY": 0}


def round_money(amount: Decimal, currency: str = "EUR") -> Decimal:
    """Round to the currency's minor unit, half up: the one rounding rule of the whole system."""
    exponent = Decimal(1).scaleb(-_MINOR_UNITS.get(currency, 2))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 coordinate."""

    latitude: float
    longitude: float
