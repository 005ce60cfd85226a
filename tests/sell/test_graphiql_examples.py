"""The examples of GraphiQL and the README work as they stand: open a cart, paste its id, order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.samples import SAMPLE_QUERY
from tests.api import Reply
from tests.sell.conftest import Shop

pytestmark = pytest.mark.anyio


async def _operation(shop: Shop, document: str, name: str | None) -> Reply:
    token = shop.token("customer", customer_id=DEMO_CUSTOMER_ID)
    response = await shop.client.post(
        "/graphql",
        json={"query": document, "operationName": name},
        headers={"authorization": f"Bearer {token}"},
    )
    return Reply(response.status_code, response.json(), response.headers)


async def test_graphiqls_examples_open_a_cart_and_check_it_out(shop: Shop):
    opened = await _operation(shop, SAMPLE_QUERY, "OpenCart")
    assert opened.errors is None, opened.errors
    cart = opened.data["cartCreate"]["cart"]
    assert cart["quote"]["total"] == {"amount": "39.95"}, "the cross-channel 3-for-2"

    document = SAMPLE_QUERY.replace("PASTE_THE_CART_ID", cart["id"])
    first = await _operation(shop, document, "Checkout")
    again = await _operation(shop, document, "Checkout")
    assert first.errors is None, first.errors
    assert first.data["checkout"]["userErrors"] == []
    assert first.data["checkout"]["order"]["status"] == "PLACED"
    assert again.data["checkout"]["order"] == first.data["checkout"]["order"]


README = Path(__file__).parents[2] / "README.md"


async def test_the_readmes_cart_checkout_and_return_examples_run(shop: Shop):
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(), flags=re.DOTALL)
    [create] = [block for block in blocks if "cartCreate(" in block]
    [checkout] = [block for block in blocks if "checkout(input:" in block]
    opened = await _operation(shop, create, None)
    assert opened.errors is None, opened.errors
    assert opened.data["cartCreate"]["userErrors"] == []
    cart = opened.data["cartCreate"]["cart"]
    placed = await _operation(shop, checkout.replace("<the cart's id>", cart["id"]), None)
    assert placed.errors is None, placed.errors
    assert placed.data["checkout"]["userErrors"] == []
    assert placed.data["checkout"]["order"]["total"]["amount"] == "44.90"

    # The return example, on the order just placed.
    [register] = [block for block in blocks if "returnRegister(" in block]
    number = placed.data["checkout"]["order"]["number"]
    found = await _operation(shop, f'{{ order(number: "{number}") {{ id lines {{ id }} }} }}', None)
    order = found.data["order"]
    returned = await _operation(
        shop,
        register.replace("<an order's id>", order["id"]).replace(
            "<OrderLine.id>", order["lines"][0]["id"]
        ),
        None,
    )
    assert returned.errors is None, returned.errors
    assert returned.data["returnRegister"]["userErrors"] == []
    assert returned.data["returnRegister"]["return"]["status"] == "REGISTERED"
    assert returned.data["returnRegister"]["return"]["refund"]["method"] == "CARD"
