"""The PIM part of the seed: the category tree, products with media and their variants."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backoffice.seed import words
from backoffice.seed.bulk import TableRow
from backoffice.seed.variants import Catalogue, product_id, product_sku, variant_id, variant_sku
from backoffice.seed.words import COLOUR_NAME, COLOURS, DEPARTMENTS, PRODUCT_TYPES, Term
from kernel.gtin import make_gtin13

Row = dict[str, Any]

#: GS1 prefix of the Netherlands; each brand gets a company number after it.
GTIN_PREFIX = "871"
_PRICE_ENDINGS = (Decimal("0.99"), Decimal("0.95"), Decimal("0.00"))
_MAX_PRICE = Decimal("249.00")
#: A GTIN-13 after the prefix and company number has five digits left for the item.
_MAX_ITEM_NUMBER = 99_999

DEPARTMENT_OF = {d.id: d for d in DEPARTMENTS}
TYPE_OF = {t.id: t for t in PRODUCT_TYPES}


@dataclass(frozen=True, slots=True)
class ProductDraft:
    """A product before it gets ids: the story's fixed products and random ones alike."""

    type: words.ProductType
    name: Term
    brand: str
    material: Term
    colours: tuple[str, ...]
    sizes: tuple[str, ...]
    price: Decimal
    web_price: Decimal | None = None
    complete: bool = True
    media: int = 2
    #: Indexes into the department's pitches and care sentences.
    pitches: tuple[int, int] = (0, 1)
    care: int = 0


def shelf_price(rng: random.Random, low: int, high: int) -> Decimal:
    """A believable shelf price between low and high euros, ending in .99, .95 or .00."""
    euros = Decimal(rng.randint(low, high))
    ending = rng.choices(_PRICE_ENDINGS, weights=(50, 35, 15))[0]
    if euros < 5:
        ending = _PRICE_ENDINGS[0]
    return min(euros + ending, _MAX_PRICE)


def web_price(rng: random.Random, price: Decimal) -> Decimal:
    """A web-only price 5 to 15% below the shelf price, ending in .95."""
    factor = Decimal(rng.randint(85, 95)) / 100
    web = Decimal(int(price * factor)) + Decimal("0.95")
    while web >= price:
        web -= 1
    return web


def random_drafts(rng: random.Random, count: int) -> Iterator[ProductDraft]:
    """`count` products spread evenly over the leaf categories, ~2% of them incomplete.

    Made one at a time as they are asked for: a million variants' drafts are never all held.
    """
    for n in range(count):
        kind = PRODUCT_TYPES[n % len(PRODUCT_TYPES)]
        department = DEPARTMENT_OF[kind.department]
        noun = rng.choice(kind.nouns)
        material = rng.choice(kind.materials)
        model = rng.choice(kind.models)
        suffix = rng.choice(kind.suffixes) if kind.suffixes else None
        name = Term(
            " ".join(p for p in (noun.nl, model, material.nl, suffix.nl if suffix else "") if p),
            " ".join(p for p in (noun.en, model, material.en, suffix.en if suffix else "") if p),
        )
        colours: tuple[str, ...] = ()
        if kind.colours:
            colours = tuple(rng.sample(kind.colours, rng.randint(*kind.colour_count)))
        sizes: tuple[str, ...] = ()
        if kind.sizes:
            length = min(rng.randint(*kind.size_count), len(kind.sizes))
            start = rng.randint(0, len(kind.sizes) - length)
            sizes = kind.sizes[start : start + length]
        price = shelf_price(rng, *kind.price)
        first_pitch, second_pitch = rng.sample(range(len(department.pitches)), 2)
        complete = rng.random() >= 0.02
        yield ProductDraft(
            type=kind,
            name=name,
            brand=rng.choice(department.brands),
            material=material,
            colours=colours,
            sizes=sizes,
            price=price,
            web_price=web_price(rng, price) if rng.random() < 0.1 else None,
            complete=complete,
            # A product without images misses mandatory data: that is what keeps it
            # out of customer-facing channels.
            media=rng.randint(1, 3) if complete else 0,
            pitches=(first_pitch, second_pitch),
            care=rng.randrange(len(department.care)),
        )


def catalogue_rows(drafts: Iterable[ProductDraft], catalogue: Catalogue) -> Iterator[TableRow]:
    """The PIM's rows, product by product, numbering the drafts (p00001, v000001, ...).

    Each product and variant is recorded in `catalogue` as its rows are made, so the
    catalogue is whole once the rows have all been taken.
    """
    for row in _category_rows():
        yield "pim_category", row
    brands = sorted({b for d in DEPARTMENTS for b in d.brands})
    company = {brand: f"{2100 + i:04d}" for i, brand in enumerate(brands)}
    item_numbers = dict.fromkeys(brands, 0)
    for draft in drafts:
        n = catalogue.add_product(
            draft.brand,
            (draft.type.id, draft.type.department),
            draft.price,
            draft.web_price,
            draft.complete,
        )
        product, sku = product_id(n), product_sku(n)
        yield "pim_product", _product_row(product, sku, draft)
        yield "pim_product_category", {"product_id": product, "category_id": draft.type.id}
        for position, (colour, size) in enumerate(_axes(draft)):
            number = catalogue.add_variant(colour, size)
            item_numbers[draft.brand] += 1
            if item_numbers[draft.brand] > _MAX_ITEM_NUMBER:
                raise ValueError(
                    f"{draft.brand} has more than {_MAX_ITEM_NUMBER} variants, more than its "
                    "GTIN-13 company number holds: seed fewer products"
                )
            gtin = make_gtin13(
                f"{GTIN_PREFIX}{company[draft.brand]}{item_numbers[draft.brand]:05d}"
            )
            yield (
                "pim_variant",
                {
                    "id": variant_id(number),
                    "sku": variant_sku(sku, colour, size),
                    "gtin": gtin,
                    "product_id": product,
                    "position": position,
                    "name": _variant_name(draft.name, colour, size),
                    "attributes": _attributes(draft, colour, size),
                },
            )


def _category_rows() -> list[Row]:
    rows: list[Row] = [{"id": d.id, "name": d.name.text(), "parent_id": None} for d in DEPARTMENTS]
    rows += [
        {"id": t.id, "name": t.category.text(), "parent_id": t.department} for t in PRODUCT_TYPES
    ]
    return rows


def _product_row(product_id: str, sku: str, draft: ProductDraft) -> Row:
    department = DEPARTMENT_OF[draft.type.department]
    first, second = (department.pitches[i] for i in draft.pitches)
    care = department.care[draft.care]
    label = draft.type.material_name
    description = {
        "nl": f"{draft.name.nl} van {draft.brand}. {first.nl} {second.nl} "
        f"{label.nl}: {draft.material.nl}. {care.nl}",
        "en": f"{draft.name.en} by {draft.brand}. {first.en} {second.en} "
        f"{label.en}: {draft.material.en}. {care.en}",
    }
    media = [
        {
            "url": f"/media/{sku}-{i + 1}.jpg",
            "alt": {
                "nl": f"{draft.name.nl} – {words.VIEWS[i].nl}",
                "en": f"{draft.name.en} – {words.VIEWS[i].en}",
            },
        }
        for i in range(draft.media)
    ]
    return {
        "id": product_id,
        "sku": sku,
        "name": draft.name.text(),
        "description": description,
        "brand": draft.brand,
        "media": media,
        "complete": draft.complete,
        "search_text": " ".join((sku, draft.brand, draft.name.nl, draft.name.en)).lower(),
    }


def _axes(draft: ProductDraft) -> list[tuple[str | None, str | None]]:
    colours: Sequence[str | None] = draft.colours or (None,)
    sizes: Sequence[str | None] = draft.sizes or (None,)
    return [(colour, size) for colour in colours for size in sizes]


def _size_label(size: str) -> Term:
    if size.endswith("MM"):
        return Term(f"{size[:-2]} mm", f"{size[:-2]} mm")
    return Term(size, size)


def _variant_name(name: Term, colour: str | None, size: str | None) -> dict[str, str]:
    values = [
        v for v in (COLOURS[colour] if colour else None, _size_label(size) if size else None) if v
    ]
    if not values:
        return name.text()
    return {
        "nl": f"{name.nl} – {', '.join(v.nl for v in values)}",
        "en": f"{name.en} – {', '.join(v.en for v in values)}",
    }


def _attributes(draft: ProductDraft, colour: str | None, size: str | None) -> list[Row]:
    attributes: list[Row] = []
    if colour:
        attributes.append(
            {"code": COLOUR_NAME.code, "name": COLOUR_NAME.text(), "value": COLOURS[colour].text()}
        )
    if size:
        name = draft.type.size_name
        attributes.append(
            {"code": name.code, "name": name.text(), "value": _size_label(size).text()}
        )
    return attributes
