"""A search page from an answer written as a dict, decoded the way both adapters decode one."""

from __future__ import annotations

from typing import Any

import orjson

from connectors.pim.mapping import SOURCE, to_product_page
from connectors.pim.records import ProductPage
from connectors.pim.wire import search_answer_decoder

_decode = search_answer_decoder(SOURCE)


def search_page(answer: Any) -> ProductPage:
    """The page of `answer`, `{"items": [...], "total": ..., "has_more": ...}`."""
    return to_product_page(_decode(orjson.dumps(answer)))
