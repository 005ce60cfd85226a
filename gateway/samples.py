"""What GraphiQL opens with: examples over every domain, a cart and a checkout; a demo token."""

from __future__ import annotations

import json

from backoffice.seed import DEMO_CUSTOMER_ID
from backoffice.seed.story import PAINT_VARIANT_ID
from gateway.auth import mint_token
from gateway.config import Settings
from resolvers.ids import to_global_id

SAMPLE_QUERY = """\
# One schema over PIM, prices, stock, CRM, orders and loyalty.
# Press the play button and pick an operation. The Headers tab holds a
# demo customer's token (development only): without it, `me` is null.
# Try "Accept-Language": "en" or "X-Channel": "STORE" there too.
#
# 1. ProductAndMe: a product page and the signed-in customer.
# 2. OpenCart: a cart with two cans of paint. This customer bought one
#    in a store this week, so the cross-channel 3-for-2 makes one free.
# 3. Checkout: paste the cart's id below and order it. Send it twice:
#    the same idempotencyKey answers the same order.
query ProductAndMe {
  product(sku: "P100001") {
    name
    brand
    price { amount { amount currency } listAmount { amount } }
    variants {
      sku
      gtin
      name
      attributes { name value }
      price(quantity: 3) {
        amount { amount }
        promotions { name discount { amount } }
        validUntil
      }
      availability(near: { latitude: 52.3676, longitude: 4.9041 }) {
        available
        asOf
        live
        locations { quantity status location { code name } }
      }
    }
  }
  me {
    customerNumber
    name
    tier
    loyalty { cardNumber points }
    orders(first: 5) {
      edges { node { number channel placedAt status total { amount currency } } }
    }
  }
}

mutation OpenCart {
  cartCreate(lines: [{ variantId: "PAINT_VARIANT", quantity: 2 }]) {
    cart {
      id
      version
      lines { quantity variant { sku name } }
      quote {
        subtotal { amount }
        total { amount }
        promotions { name discount { amount } }
      }
    }
    userErrors { field message code }
  }
}

mutation Checkout {
  checkout(input: {
    cartId: "PASTE_THE_CART_ID"
    fulfillment: SHIP_TO_HOME
    paymentMethod: CARD
    idempotencyKey: "graphiql-checkout-1"
  }) {
    order {
      number
      status
      total { amount }
      shipping { amount }
      lines { sku quantity total { amount } discounts { name amount { amount } } }
      fulfillments { type status location { name } }
    }
    userErrors { field message code }
  }
}
""".replace("PAINT_VARIANT", to_global_id("ProductVariant", PAINT_VARIANT_ID))


def sample_query() -> str:
    return SAMPLE_QUERY


def sample_headers(settings: Settings) -> str | None:
    """A fresh demo-customer token for GraphiQL's Headers tab; none outside development."""
    if settings.server.environment != "development" or not settings.auth.dev_secret:
        return None
    token = mint_token(settings.auth, role="customer", customer_id=DEMO_CUSTOMER_ID)
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)
