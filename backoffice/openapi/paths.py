"""The operations of the back-office REST APIs, as OpenAPI 3.1 path items.

The shared parts (batch reads, health, errors) and the tables of the PIM, the price engine
and loyalty; the inventory, the OMS and the CRM have modules of their own.

They describe the routes of `backoffice/<system>/api.py` and the conventions of
`backoffice.rest`; a test compares them with the routes the apps really serve.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from backoffice.openapi.schemas import STRING, Schema, array, nullable, ref
from backoffice.pim.search import MAX_WORDS
from backoffice.pim.service import MAX_PAGE_SIZE
from backoffice.rest import MAX_KEYS, plural

PathItem = dict[str, Any]
Parameter = dict[str, Any]

_ERROR = {"application/json": {"schema": ref("Error")}}


def _responses(ok: Schema, description: str, *, unknown_items: bool = False) -> dict[str, Any]:
    bad = (
        "A malformed request (INVALID_REQUEST), or one naming unknown items (UNKNOWN_ITEMS, "
        "with their `ids`)."
        if unknown_items
        else "A malformed request (INVALID_REQUEST)."
    )
    return {
        "200": {"description": description, "content": {"application/json": {"schema": ok}}},
        "400": {"description": bad, "content": _ERROR},
        "401": {
            "description": "The system is protected and the bearer token is missing or wrong.",
            "content": _ERROR,
        },
        "503": {
            "description": "The system's database failed (or a fault was injected).",
            "content": _ERROR,
        },
    }


def _items(item: str) -> Schema:
    return {
        "type": "object",
        "properties": {"items": array(ref(item))},
        "required": ["items"],
        "additionalProperties": False,
    }


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Parameter:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _keys_param(name: str, description: str) -> Parameter:
    return {
        **query(name, {**array(STRING), "maxItems": MAX_KEYS}, description),
        "style": "form",
        "explode": True,
    }


def batch_read(
    *,
    resource: str,
    item: str,
    summary: str,
    description: str,
    keys: Sequence[tuple[str, str]],
    alternatives: bool = True,
    extra: Sequence[Parameter] = (),
) -> PathItem:
    """A batch read: GET with repeated key parameters, or POST with the lists in a JSON body.

    `keys` are the list parameters (each may move to the body); with `alternatives`, a
    request gives one of them, else it gives them together. `extra` are single values,
    which stay in the query string of a POST too.
    """
    ok = f"The {resource} found, in no particular order; unknown keys are absent."
    if len(keys) > 1:
        names = ", ".join(name for name, _ in keys)
        description += f" Give one of {names}." if alternatives else f" Give {names} together."
    get = {
        "operationId": f"get_{resource}",
        "summary": summary,
        "description": description,
        "parameters": [*(_keys_param(name, text) for name, text in keys), *extra],
        "responses": _responses(_items(item), ok),
    }
    body = {
        "type": "object",
        "properties": {
            plural(name): {**array(STRING), "maxItems": MAX_KEYS, "description": text}
            for name, text in keys
        },
        "additionalProperties": False,
    }
    post = {
        "operationId": f"post_{resource}",
        "summary": f"{summary} (long key lists)",
        "description": f"{description} The same read as the GET, with the lists in the body "
        "under their plural names (`id` -> `ids`); single values stay in the query string.",
        "parameters": list(extra),
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": _responses(_items(item), ok),
    }
    return {"get": get, "post": post}


def health(system: str) -> PathItem:
    return {
        "get": {
            "operationId": "get_health",
            "summary": f"Whether the {system} and its database answer",
            "security": [],
            "responses": {
                "200": {
                    "description": "The system answers.",
                    "content": {"application/json": {"schema": ref("Health")}},
                },
                "503": {
                    "description": "The database does not answer.",
                    "content": {"application/json": {"schema": ref("Health")}},
                },
            },
        }
    }


PIM: dict[str, PathItem] = {
    "/pim/v1/products": batch_read(
        resource="products",
        item="Product",
        summary="Products by id or SKU",
        description="Whole product documents.",
        keys=[("id", "Product ids, e.g. p00001."), ("sku", "Product SKUs, e.g. P100001.")],
    ),
    "/pim/v1/products/search": {
        "get": {
            "operationId": "search_products",
            "summary": "One page of the products matching a free-text search and a category",
            "description": "Products matching every word of `q` and the category or any "
            "category below it. `q` is cut into words at whitespace, case aside; a product "
            "matches a word when the word's letters and digits occur as words of its name, "
            "SKU, brand or description, compared after Dutch and English stemming (PostgreSQL; "
            'SQLite stems English only: "paints" finds "paint") and the last word also as '
            'the start of a word ("lapt" finds "laptop"), or when the word as typed, of '
            'three characters or more, occurs inside the name, SKU or brand ("verf" finds '
            '"Muurverf"). Punctuation separates words and is never an operator; a word of '
            "punctuation alone is left out, and a `q` of nothing else matches nothing. With `q` "
            "the page is ordered best match first (a match in the name above one in the SKU or "
            "brand, above one in the description only), then by SKU; without it, by SKU. The "
            "page carries whole products, each with its whole variants and its `cursor`. To "
            "read the next page, pass the last product's `cursor` as `after`: the page starts "
            "right after that product, however deep it is and whatever was added before it "
            "since. `has_more` says whether more products follow; `total` counts every match "
            "only when `with_total` asks (it is null otherwise), as counting costs more than "
            "the page on a large catalogue.",
            "parameters": [
                query(
                    "q",
                    STRING,
                    f"Words that must all match, at most {MAX_WORDS} (more is a 400). Absent "
                    "or blank: every product.",
                ),
                query("category_id", STRING, "A category; its subcategories match too."),
                query(
                    "complete_only",
                    {"type": "boolean", "default": False},
                    "Leave out products whose mandatory data is incomplete.",
                ),
                query(
                    "after",
                    STRING,
                    "The `cursor` of a product of an earlier page of the same search: the page "
                    "starts after it. A cursor this search did not give out is an "
                    "INVALID_REQUEST.",
                ),
                query(
                    "offset",
                    {"type": "integer", "minimum": 0, "default": 0},
                    "Products to skip (read and dropped: prefer `after`); not with `after`.",
                ),
                query(
                    "limit",
                    {"type": "integer", "minimum": 0, "maximum": MAX_PAGE_SIZE, "default": 20},
                    "Products per page.",
                ),
                query(
                    "with_total",
                    {"type": "boolean", "default": False},
                    "Count every match into `total`.",
                ),
            ],
            "responses": _responses(
                {
                    "type": "object",
                    "properties": {
                        "items": array(ref("ListedProduct")),
                        "total": nullable({"type": "integer", "minimum": 0}),
                        "has_more": {"type": "boolean"},
                    },
                    "required": ["items", "total", "has_more"],
                    "additionalProperties": False,
                },
                "The page, whether more products follow, and the number of matches in all "
                "pages when `with_total` asked for it (else null).",
            ),
        }
    },
    "/pim/v1/variants": batch_read(
        resource="variants",
        item="Variant",
        summary="Variants by id, SKU or GTIN",
        description="Variant documents with their attributes.",
        keys=[
            ("id", "Variant ids, e.g. v000001."),
            ("sku", "Variant SKUs, e.g. P100001-WHITE."),
            ("gtin", "GTIN-13s, e.g. 8712100000017."),
        ],
    ),
    "/pim/v1/categories": batch_read(
        resource="categories",
        item="Category",
        summary="Categories by id",
        description="Nodes of the category tree.",
        keys=[("id", "Category ids, e.g. c0201.")],
    ),
    "/pim/v1/health": health("PIM"),
}

_TIER = query("tier", STRING, "The customer's tier, e.g. GOLD, for tier promotions.")
_AT = query(
    "at",
    {"type": "string", "format": "date-time"},
    "The moment to price at (default: now), with its UTC offset.",
)

PRICING: dict[str, PathItem] = {
    "/pricing/v1/prices": batch_read(
        resource="prices",
        item="Price",
        summary="Unit prices of variants in a channel",
        description="The unit price of each variant when `quantity` units are bought, with "
        "the promotion applied; variants without a price in the channel are absent.",
        keys=[("variant_id", "Variant ids, e.g. v000001.")],
        extra=[
            query("channel", STRING, "The sales channel, e.g. WEB.", required=True),
            query("quantity", {"type": "integer", "minimum": 1, "default": 1}, "Units bought."),
            _TIER,
            _AT,
        ],
    ),
    "/pricing/v1/quotes": {
        "post": {
            "operationId": "post_quotes",
            "summary": "Price a basket",
            "description": "Prices every line with the promotions active at `at` (the "
            "policy is in backoffice/pricing/engine.py); lines of one variant count together. "
            "Cross-channel promotions also count the `history` lines within their period; "
            "coupon rules apply only with their code in `coupons`, each reported back. Fails "
            "with UNKNOWN_ITEMS when a variant has no price in the channel.",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("QuoteRequest")}},
            },
            "responses": _responses(ref("Quote"), "The priced basket.", unknown_items=True),
        }
    },
    "/pricing/v1/promotions": {
        "get": {
            "operationId": "get_promotions",
            "summary": "Promotions running at a moment",
            "description": "The promotions running at `active_at`, by priority then id. A "
            "gateway asks for the cross-channel ones to know from when to fetch a customer's "
            "purchases (their earliest `starts_at`).",
            "parameters": [
                query(
                    "active_at",
                    {"type": "string", "format": "date-time"},
                    "The moment (default: now), with its UTC offset.",
                ),
                query(
                    "cross_channel",
                    {"type": "boolean"},
                    "true: only cross-channel promotions; false: only the others.",
                ),
            ],
            "responses": _responses(_items("Promotion"), "The promotions."),
        }
    },
    "/pricing/v1/health": health("price engine"),
}


def _path_param(name: str, description: str) -> Parameter:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": STRING,
    }


def _booking(operation_id: str, summary: str, description: str) -> PathItem:
    """A loyalty write: a `Booking` in, the `PointsEntry` out, keyed by the booking's reference."""
    responses = _responses(ref("PointsEntry"), "The entry (the first one, for a repeat).")
    responses["404"] = {
        "description": "The customer has no loyalty account (NO_ACCOUNT).",
        "content": _ERROR,
    }
    responses["409"] = {
        "description": "The reference was booked for another request (CONFLICT).",
        "content": _ERROR,
    }
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("Booking")}},
            },
            "responses": dict(sorted(responses.items())),
        }
    }


LOYALTY: dict[str, PathItem] = {
    "/loyalty/v1/accounts": batch_read(
        resource="accounts",
        item="Account",
        summary="Loyalty accounts by customer or by card",
        description="Accounts with their real-time points balance.",
        keys=[
            ("customer_id", "Customer ids, e.g. cu00001."),
            ("card_number", "Loyalty card numbers (13 digits)."),
        ],
    ),
    "/loyalty/v1/entries": batch_read(
        resource="entries",
        item="PointsEntry",
        summary="Points entries by reference",
        description="The entries booked under these references, so that a caller that lost "
        "an answer learns whether its booking happened.",
        keys=[("reference", "The callers' references, e.g. checkout:W-000042.")],
    ),
    "/loyalty/v1/entries/earn": _booking(
        "earn_points",
        "Earn points, once per reference",
        "Adds `points` to the customer's balance and books the entry, in one transaction. "
        "Booking a reference again answers the first entry and adds nothing.",
    ),
    "/loyalty/v1/entries/reverse": _booking(
        "reverse_points",
        "Take points back, once per reference",
        "Takes `points` back from the customer's balance, never below zero: what the "
        "balance cannot cover is the entry's `shortfall`. Booking a reference again answers "
        "the first entry and takes nothing.",
    ),
    "/loyalty/v1/health": health("loyalty system"),
}

#: The operations of each system, by system (the CRM's: `backoffice.openapi.crm`).
BY_SYSTEM: dict[str, dict[str, PathItem]] = {
    "pim": PIM,
    "pricing": PRICING,
    "loyalty": LOYALTY,
}
