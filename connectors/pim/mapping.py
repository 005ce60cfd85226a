"""Turns the PIM's JSON documents into canonical product records.

The documents are those of `backoffice.pim.service` (its docstring shows one of each kind);
the embedded and the HTTP adapter both parse them here. A document that lacks a field or
has one of the wrong type raises `SourceContractViolation`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from connectors.errors import SourceContractViolation
from connectors.pim.records import Attribute, Category, Media, Product, ProductPage, Variant

SOURCE = "pim"


def to_product(doc: Any) -> Product:
    with _contract("product"):
        return Product(
            id=_str(doc["id"]),
            sku=_str(doc["sku"]),
            name=_text(doc["name"]),
            description=_text(doc["description"]),
            brand=_opt_str(doc["brand"]),
            category_ids=tuple(_str(id_) for id_ in _list(doc["category_ids"])),
            media=tuple(
                Media(url=_str(item["url"]), alt=_text(item["alt"])) for item in _list(doc["media"])
            ),
            variant_ids=tuple(_str(id_) for id_ in _list(doc["variant_ids"])),
            complete=_bool(doc["complete"]),
        )


def to_variant(doc: Any) -> Variant:
    with _contract("variant"):
        return Variant(
            id=_str(doc["id"]),
            sku=_str(doc["sku"]),
            gtin=_opt_str(doc["gtin"]),
            product_id=_str(doc["product_id"]),
            name=_text(doc["name"]),
            attributes=tuple(
                Attribute(
                    code=_str(item["code"]), name=_text(item["name"]), value=_text(item["value"])
                )
                for item in _list(doc["attributes"])
            ),
        )


def to_category(doc: Any) -> Category:
    with _contract("category"):
        return Category(
            id=_str(doc["id"]), name=_text(doc["name"]), parent_id=_opt_str(doc["parent_id"])
        )


def to_product_page(doc: Any) -> ProductPage:
    with _contract("product page"):
        products = tuple(to_product(item) for item in _list(doc["products"]))
        total = doc["total"]
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise TypeError(f"expected a count, got {total!r}")
        return ProductPage(products=products, total=total)


@contextmanager
def _contract(kind: str) -> Iterator[None]:
    try:
        yield
    except KeyError as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document lacks the field {exc}") from exc
    except (TypeError, ValueError) as exc:
        raise SourceContractViolation(SOURCE, f"{kind} document is malformed: {exc}") from exc


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {value!r}")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {value!r}")
    return value


def _text(value: object) -> dict[str, str]:
    """Localised text: {locale: text}."""
    if not isinstance(value, dict):
        raise TypeError(f"expected localised text, got {value!r}")
    return {_str(locale): _str(text) for locale, text in value.items()}
