"""GS1 GTIN check digits (GTIN-8, -12, -13, -14)."""

from __future__ import annotations


def check_digit(body: str) -> int:
    """The GS1 check digit for the digits before it (weights 3 and 1 from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def is_valid_gtin(value: str) -> bool:
    """True for a string of 8, 12, 13 or 14 digits whose last digit is the right check digit."""
    return (
        value.isdigit()
        and len(value) in (8, 12, 13, 14)
        and check_digit(value[:-1]) == int(value[-1])
    )


def make_gtin13(body12: str) -> str:
    """Complete 12 digits with their check digit."""
    if len(body12) != 12 or not body12.isdigit():
        raise ValueError(f"a GTIN-13 body has 12 digits, got {body12!r}")
    return body12 + str(check_digit(body12))
