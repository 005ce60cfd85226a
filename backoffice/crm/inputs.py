"""Reading the JSON the CRM's writes take, refusing what a real CRM would refuse (INVALID_REQUEST).

The service takes JSON-compatible values (what its REST API receives), so the embedded
and the HTTP deployment check them with the very same rules, here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from backoffice.errors import InvalidRequest
from kernel.money import round_money

#: The channels an interaction happens in: the public schema's `Channel` enum.
CHANNELS = frozenset({"WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"})
#: The longest id (voucher, interaction, customer, order) the CRM stores.
MAX_ID_LENGTH = 32
#: The longest reason of a voucher and note of an interaction.
MAX_REASON_LENGTH = 500
MAX_NOTE_LENGTH = 4000
#: The longest interaction kind, author (`by`, `issued_by`), notification key and template.
MAX_KIND_LENGTH = 32
MAX_BY_LENGTH = 64
MAX_KEY_LENGTH = 128
MAX_TEMPLATE_LENGTH = 64
#: The most fields, and the longest value, of a notification's data.
MAX_DATA_FIELDS = 50
MAX_DATA_VALUE_LENGTH = 2000
#: The largest voucher amount the CRM issues, in any currency.
MAX_AMOUNT = Decimal("100000")


def text(value: Any, name: str, *, max_length: int) -> str:
    """A string of 1 to `max_length` characters that is not only spaces."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{name!r} must be a non-empty string, got {value!r}")
    if len(value) > max_length:
        raise InvalidRequest(f"{name!r} must have at most {max_length} characters")
    return value


def optional_text(value: Any, name: str, *, max_length: int) -> str | None:
    return None if value is None else text(value, name, max_length=max_length)


def identifier(value: Any, name: str) -> str:
    return text(value, name, max_length=MAX_ID_LENGTH)


def channel(value: Any) -> str:
    if value not in CHANNELS:
        raise InvalidRequest(f"'channel' must be one of {', '.join(sorted(CHANNELS))}")
    assert isinstance(value, str)
    return value


def currency(value: Any) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isalpha() or not value.isupper():
        raise InvalidRequest(f"'currency' must be an ISO 4217 code such as EUR, got {value!r}")
    return value


def amount(value: Any, name: str, currency_code: str) -> Decimal:
    """A decimal string above zero, exact to the currency's minor unit ("10.00"), never a float."""
    if not isinstance(value, str):
        raise InvalidRequest(f'{name!r} must be a decimal string such as "10.00", got {value!r}')
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise InvalidRequest(f"{name!r} is not a decimal amount: {value!r}") from None
    if not parsed.is_finite() or not 0 < parsed <= MAX_AMOUNT:
        raise InvalidRequest(f"{name!r} must be above 0 and at most {MAX_AMOUNT}, got {value!r}")
    if round_money(parsed, currency_code) != parsed:
        raise InvalidRequest(f"{name!r} has more decimals than {currency_code} has cents")
    return round_money(parsed, currency_code)


def moment(value: Any, name: str) -> datetime | None:
    """An ISO 8601 timestamp with its offset, or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{name!r} must be an ISO 8601 timestamp, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{name!r} must be an ISO 8601 timestamp, got {value!r}") from None
    if parsed.tzinfo is None:
        raise InvalidRequest(f"{name!r} must carry a UTC offset, e.g. {value}+00:00")
    return parsed


def data(value: Any) -> dict[str, str]:
    """A notification's data: a JSON object of strings."""
    if not isinstance(value, Mapping) or len(value) > MAX_DATA_FIELDS:
        raise InvalidRequest(f"'data' must be a JSON object of at most {MAX_DATA_FIELDS} fields")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidRequest("'data' must map names to strings")
        if len(item) > MAX_DATA_VALUE_LENGTH:
            raise InvalidRequest(
                f"'data.{key}' must have at most {MAX_DATA_VALUE_LENGTH} characters"
            )
    return dict(value)


def fields(
    value: Any, name: str, *, required: Sequence[str], optional: Sequence[str] = ()
) -> Mapping[str, Any]:
    """A JSON object with these fields (optional ones may be absent) and no others."""
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"{name!r} must be a JSON object")
    unknown = sorted(set(value) - set(required) - set(optional))
    if unknown:
        raise InvalidRequest(f"{name!r} has unknown fields: {', '.join(unknown)}")
    missing = [field for field in required if field not in value]
    if missing:
        raise InvalidRequest(f"{name!r} lacks the fields: {', '.join(missing)}")
    return value
