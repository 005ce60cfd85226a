"""The seeded catalogue as the rest of the seed sees it: every variant, held in a few bytes each.

Prices, stock and orders need to know each variant's product, brand, category and price. A
million `SeedVariant` objects would take ~300 MB; here a product is five small codes and a
variant three, and a `SeedVariant` is made when it is asked for. The ids and SKUs are
worked out from the numbers (`product_id`, `variant_id`, ...), so they are never stored.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar, overload

T = TypeVar("T")


def product_id(number: int) -> str:
    """p00001 for the first product."""
    return f"p{number:05d}"


def product_sku(number: int) -> str:
    """P100001 for the first product."""
    return f"P{100000 + number}"


def variant_id(number: int) -> str:
    """v000001 for the first variant."""
    return f"v{number:06d}"


def variant_sku(sku: str, colour: str | None, size: str | None) -> str:
    """The product's SKU with the variant's colour and size: P100003-CORAL-38."""
    return "-".join(p for p in (sku, colour, size) if p)


@dataclass(frozen=True, slots=True)
class SeedVariant:
    """What the rest of the seed needs to know about a variant to sell, price and stock it."""

    id: str
    sku: str
    product_id: str
    brand: str
    #: The leaf category, then its parent: what a category promotion matches.
    category_ids: tuple[str, str]
    price: Decimal
    web_price: Decimal | None
    sellable: bool

    @property
    def department(self) -> str:
        return self.category_ids[1]

    def list_price(self, channel: str) -> Decimal:
        return self.web_price if channel == "WEB" and self.web_price else self.price


@dataclass(frozen=True, slots=True)
class SeedProduct:
    """What a product's variants share, and where they are: variants[first : first + count]."""

    id: str
    brand: str
    category_ids: tuple[str, str]
    sellable: bool
    first: int
    count: int

    @property
    def department(self) -> str:
        return self.category_ids[1]


class _Codes(Generic[T]):
    """Small numbers for the few distinct values a column holds (brands, prices, sizes)."""

    def __init__(self) -> None:
        self.values: list[T] = []
        # Keyed with the text too: Decimal("40") == Decimal("40.00"), but they print apart.
        self._codes: dict[tuple[T, str], int] = {}

    def code(self, value: T) -> int:
        key = (value, str(value))
        found = self._codes.get(key)
        if found is None:
            found = self._codes[key] = len(self.values)
            self.values.append(value)
        return found


class Catalogue(Sequence[SeedVariant]):
    """Every seeded variant in id order (`catalogue[0]` is v000001), filled as the PIM rows are made."""

    def __init__(self) -> None:
        self._brands = _Codes[str]()
        self._categories = _Codes[tuple[str, str]]()
        self._prices = _Codes[Decimal]()
        self._web_prices = _Codes[Decimal | None]()
        self._axes = _Codes[str | None]()
        # Per product, by number - 1.
        self._brand = array("H")
        self._category = array("H")
        self._price = array("H")
        self._web_price = array("H")
        self._sellable = array("B")
        self._first = array("I")
        # Per variant, by number - 1.
        self._product = array("I")
        self._colour = array("H")
        self._size = array("H")

    def add_product(
        self,
        brand: str,
        category_ids: tuple[str, str],
        price: Decimal,
        web_price: Decimal | None,
        sellable: bool,
    ) -> int:
        """Record the next product; returns its number (1 for p00001)."""
        self._brand.append(self._brands.code(brand))
        self._category.append(self._categories.code(category_ids))
        self._price.append(self._prices.code(price))
        self._web_price.append(self._web_prices.code(web_price))
        self._sellable.append(sellable)
        self._first.append(len(self._product))
        return len(self._first)

    def add_variant(self, colour: str | None, size: str | None) -> int:
        """Record the next variant of the latest product; returns its number (1 for v000001)."""
        self._product.append(len(self._first) - 1)
        self._colour.append(self._axes.code(colour))
        self._size.append(self._axes.code(size))
        return len(self._product)

    @property
    def product_count(self) -> int:
        return len(self._first)

    def __len__(self) -> int:
        return len(self._product)

    @overload
    def __getitem__(self, index: int) -> SeedVariant: ...

    @overload
    def __getitem__(self, index: slice) -> list[SeedVariant]: ...

    def __getitem__(self, index: int | slice) -> SeedVariant | list[SeedVariant]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        p = self._product[index]
        axes = self._axes.values
        return SeedVariant(
            id=variant_id(index + 1),
            sku=variant_sku(product_sku(p + 1), axes[self._colour[index]], axes[self._size[index]]),
            product_id=product_id(p + 1),
            brand=self._brands.values[self._brand[p]],
            category_ids=self._categories.values[self._category[p]],
            price=self._prices.values[self._price[p]],
            web_price=self._web_prices.values[self._web_price[p]],
            sellable=bool(self._sellable[p]),
        )

    def __iter__(self) -> Iterator[SeedVariant]:
        return (self[i] for i in range(len(self)))

    def products(self) -> Iterator[SeedProduct]:
        """Every product in number order, with where its variants are."""
        ends = [*self._first[1:], len(self._product)]
        for p, end in enumerate(ends):
            yield SeedProduct(
                id=product_id(p + 1),
                brand=self._brands.values[self._brand[p]],
                category_ids=self._categories.values[self._category[p]],
                sellable=bool(self._sellable[p]),
                first=self._first[p],
                count=end - self._first[p],
            )

    def product_variants(self, product: str) -> list[SeedVariant]:
        """The variants of one product (p00001), in id order."""
        p = int(product.removeprefix("p")) - 1
        end = self._first[p + 1] if p + 1 < len(self._first) else len(self._product)
        return self[self._first[p] : end]

    def sellable(self) -> Sequence[SeedVariant]:
        """The variants of complete products, in id order, made when asked for like these."""
        return _Subset(
            self,
            array("I", (i for i, p in enumerate(self._product) if self._sellable[p])),
        )


class _Subset(Sequence[SeedVariant]):
    def __init__(self, catalogue: Catalogue, indexes: array[int]) -> None:
        self._catalogue = catalogue
        self._indexes = indexes

    def __len__(self) -> int:
        return len(self._indexes)

    @overload
    def __getitem__(self, index: int) -> SeedVariant: ...

    @overload
    def __getitem__(self, index: slice) -> list[SeedVariant]: ...

    def __getitem__(self, index: int | slice) -> SeedVariant | list[SeedVariant]:
        if isinstance(index, slice):
            return [self._catalogue[i] for i in self._indexes[index]]
        return self._catalogue[self._indexes[index]]
