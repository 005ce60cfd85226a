"""What GraphiQL opens with: an example query over every domain, and a demo customer token."""

from __future__ import annotations

import json

from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.auth import mint_token
from gateway.config import Settings

SAMPLE_QUERY = """\
# One schema over PIM, prices, stock, CRM, orders and loyalty.
# Press the play button. The Headers tab holds a demo customer's
# token (development only): without it, `me` is null.
# Try "Accept-Language": "en" or "X-Channel": "STORE" there too.
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
"""


def sample_query() -> str:
    return SAMPLE_QUERY


def sample_headers(settings: Settings) -> str | None:
    """A fresh demo-customer token for GraphiQL's Headers tab; none outside development."""
    if settings.server.environment != "development" or not settings.auth.dev_secret:
        return None
    token = mint_token(settings.auth, role="customer", customer_id=DEMO_CUSTOMER_ID)
    return json.dumps({"Authorization": f"Bearer {token}"}, indent=2)
