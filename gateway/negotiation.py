"""Weighted header lists (Accept, Accept-Language): each item with its quality, RFC 9110 §12.4.2."""

from __future__ import annotations


def weighted(header: str) -> list[tuple[str, float]]:
    """Each item of a comma-separated list, lower-cased, with its q-value, in header order.

    An item without `q` weighs 1; one whose `q` does not read as a number weighs 0.
    Empty items are left out.
    """
    items: list[tuple[str, float]] = []
    for item in header.split(","):
        value, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, text = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(text)
                except ValueError:
                    quality = 0.0
        if value:
            items.append((value.lower(), quality))
    return items
