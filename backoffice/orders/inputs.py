"""Reading the JSON the OMS's writes take, refusing what a real OMS would refuse (INVALID_REQUEST).

The service takes JSON-compatible values (what its REST API receives), so the embedded
and the HTTP deployment check them with the very same rules, here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from backoffice.errors import InvalidRequest
from kernel.money import round_money

#: The sales channels, as the public schema's `Channel` enum names them.
CHANNELS = frozenset({"WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"})
#: How goods reach the customer (the schema's `FulfillmentType`).
FULFILLMENT_TYPES = frozenset({"SHIP_TO_HOME", "CLICK_AND_COLLECT", "SHIP_FROM_STORE", "CARRY_OUT"})
#: How an order is paid (the schema's `PaymentMethod`).
PAYMENT_METHODS = frozenset({"CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE"})
#: The most units of one variant a cart line or an order line holds.
MAX_QUANTITY = 9999
#: The longest id the OMS stores (its id columns are 32 characters).
MAX_ID_LENGTH = 32
#: The longest free text the OMS keeps (a history event's detail, a return line's reason).
MAX_TEXT = 10_000

#: A history event to record: actor, channel, action, detail (the OMS dates it).
Event = tuple[str, str | None, str, str | None]


def text(value: Any, name: str, *, max_length: int = 255) -> str:
    """A non-empty string of at most `max_length` characters."""
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{name!r} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise InvalidRequest(f"{name!r} must have at most {max_length} characters")
    return value


def optional_text(value: Any, name: str, *, max_length: int = 255) -> str | None:
    return None if value is None else text(value, name, max_length=max_length)


def identifier(value: Any, name: str) -> str:
    return text(value, name, max_length=MAX_ID_LENGTH)


def optional_identifier(value: Any, name: str) -> str | None:
    return None if value is None else identifier(value, name)


def choice(value: Any, name: str, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise InvalidRequest(f"{name!r} must be one of {', '.join(sorted(allowed))}, got {value!r}")
    assert isinstance(value, str)
    return value


def channel(value: Any, name: str = "channel") -> str:
    return choice(value, name, CHANNELS)


def whole(value: Any, name: str, *, minimum: int, maximum: int | None = None) -> int:
    """An integer (not a boolean) within bounds."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{name!r} must be a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise InvalidRequest(f"{name!r} must be at least {minimum}{upper}, got {value}")
    return value


def quantity(value: Any, name: str, *, minimum: int = 1) -> int:
    return whole(value, name, minimum=minimum, maximum=MAX_QUANTITY)


def version(value: Any, name: str = "expected_version") -> int:
    return whole(value, name, minimum=1)


def amount(value: Any, name: str, currency: str, *, signed: bool = False) -> Decimal:
    """A decimal string in the currency's minor unit ("19.99"), never a float.

    Not negative, unless `signed` (a refund's return costs are a negative part of it).
    """
    if not isinstance(value, str):
        raise InvalidRequest(f'{name!r} must be a decimal string such as "19.99", got {value!r}')
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise InvalidRequest(f"{name!r} is not a decimal amount: {value!r}") from None
    if not parsed.is_finite():
        raise InvalidRequest(f"{name!r} must be a finite amount, got {value!r}")
    if parsed < 0 and not signed:
        raise InvalidRequest(f"{name!r} must be a finite amount of at least 0, got {value!r}")
    if round_money(parsed, currency) != parsed:
        raise InvalidRequest(f"{name!r} has more decimals than {currency} has cents: {value!r}")
    return round_money(parsed, currency)


def boolean(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidRequest(f"{name!r} must be true or false, got {value!r}")
    return value


def day(value: Any, name: str) -> date:
    if not isinstance(value, str):
        raise InvalidRequest(f"{name!r} must be an ISO 8601 date such as 2026-06-03")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{name!r} must be an ISO 8601 date, got {value!r}") from None


def obj(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"{name!r} must be a JSON object")
    return value


def items(value: Any, name: str) -> Sequence[Any]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise InvalidRequest(f"{name!r} must be a list")
    return value


def fields(
    value: Any, name: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any]:
    """A JSON object with these fields (optional ones may be absent) and no others."""
    found = obj(value, name)
    unknown = sorted(set(found) - set(required) - set(optional))
    if unknown:
        raise InvalidRequest(f"{name!r} has unknown fields: {', '.join(unknown)}")
    missing = [field for field in required if field not in found]
    if missing:
        raise InvalidRequest(f"{name!r} lacks the fields: {', '.join(missing)}")
    return found


def cart_lines(value: Any, name: str, *, minimum: int) -> list[tuple[str, int]]:
    """[{"variant_id", "quantity"}] as (variant id, quantity) pairs, quantity at least `minimum`."""
    lines = []
    for index, item in enumerate(items(value, name)):
        at = f"{name}[{index}]"
        line = fields(item, at, required=("variant_id", "quantity"))
        lines.append(
            (
                identifier(line["variant_id"], f"{at}.variant_id"),
                quantity(line["quantity"], f"{at}.quantity", minimum=minimum),
            )
        )
    return lines


def line_ids(value: Any, name: str) -> list[str]:
    return [identifier(item, f"{name}[{i}]") for i, item in enumerate(items(value, name))]


def event(value: Any, name: str) -> Event:
    """A history event to record: {"actor", "action", "channel"?, "detail"?}."""
    found = fields(value, name, required=("actor", "action"), optional=("channel", "detail"))
    where = found.get("channel")
    return (
        text(found["actor"], f"{name}.actor", max_length=64),
        None if where is None else channel(where, f"{name}.channel"),
        text(found["action"], f"{name}.action", max_length=32),
        optional_text(found.get("detail"), f"{name}.detail", max_length=MAX_TEXT),
    )
