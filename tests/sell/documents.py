"""The GraphQL documents the selling tests send, written as a front-end would."""

from __future__ import annotations

from resolvers.ids import to_global_id

CART_FIELDS = """
  id version channel
  customer { customerNumber }
  lines { id quantity variant { id sku } }
"""

QUOTE_FIELDS = """
  subtotal { amount } discountTotal { amount } total { amount }
  lines { quantity total { amount } discounts { promotionId amount { amount } } }
  promotions { promotionId discount { amount } }
"""

ORDER_FIELDS = """
  id number channel status version
  subtotal { amount } discountTotal { amount } shipping { amount } total { amount }
  lines { sku quantity unitListAmount { amount } total { amount }
          discounts { promotionId amount { amount } } }
  payments { method amount { amount } }
  fulfillments { id type status location { id code } }
  history { actor action detail }
  customer { customerNumber }
"""

ERRORS = "userErrors { field message code }"

CREATE = f"""mutation($channel: Channel, $lines: [CartLineInput!]) {{
  cartCreate(channel: $channel, lines: $lines) {{ cart {{ {CART_FIELDS} }} {ERRORS} }} }}"""

ADD = f"""mutation($cart: ID!, $lines: [CartLineInput!]!) {{
  cartLinesAdd(cartId: $cart, lines: $lines) {{ cart {{ {CART_FIELDS} }} {ERRORS} }} }}"""

UPDATE = f"""mutation($cart: ID!, $lines: [CartLineInput!]!) {{
  cartLinesUpdate(cartId: $cart, lines: $lines) {{ cart {{ {CART_FIELDS} }} {ERRORS} }} }}"""

REMOVE = f"""mutation($cart: ID!, $ids: [ID!]!) {{
  cartLinesRemove(cartId: $cart, lineIds: $ids) {{ cart {{ {CART_FIELDS} }} {ERRORS} }} }}"""

ATTACH = f"""mutation($cart: ID!, $identifier: CustomerIdentifierInput) {{
  cartAttachCustomer(cartId: $cart, identifier: $identifier) {{
    cart {{ {CART_FIELDS} }} {ERRORS} }} }}"""

CART = f"""query($id: ID!, $coupons: [String!]) {{
  cart(id: $id) {{ {CART_FIELDS} quote(couponCodes: $coupons) {{ {QUOTE_FIELDS} }} }} }}"""

CHECKOUT = f"""mutation($input: CheckoutInput!) {{
  checkout(input: $input) {{ order {{ {ORDER_FIELDS} }} {ERRORS} }} }}"""

CONFIRM = f"""mutation($order: ID!, $fulfillment: ID!) {{
  fulfillmentConfirm(orderId: $order, fulfillmentId: $fulfillment) {{
    order {{ {ORDER_FIELDS} }} {ERRORS} }} }}"""

CHANGE_DATE = f"""mutation($order: ID!, $fulfillment: ID!, $date: Date!, $version: Int!) {{
  orderChangeDeliveryDate(orderId: $order, fulfillmentId: $fulfillment, date: $date,
                          expectedVersion: $version) {{
    order {{ {ORDER_FIELDS} fulfillments {{ id deliveryDate }} }} {ERRORS} }} }}"""

RETURN_FIELDS = """
  id channel status createdAt receivedAt resellable destinationReasons
  destination { id } receivedAtLocation { id }
  lines { orderLineId quantity reason }
  refund { amount { amount } method loyaltyPointsReversed breakdown { kind amount { amount } } }
"""

REGISTER = f"""mutation($order: ID!, $lines: [ReturnLineInput!]!, $channel: ReturnChannel!,
                     $key: String!) {{
  returnRegister(orderId: $order, lines: $lines, channel: $channel, idempotencyKey: $key) {{
    return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"""

RECEIVE = f"""mutation($id: ID!, $location: ID!, $resellable: Boolean!, $key: String!) {{
  returnReceive(returnId: $id, locationId: $location, resellable: $resellable,
                idempotencyKey: $key) {{ return {{ {RETURN_FIELDS} }} {ERRORS} }} }}"""

LOYALTY = "{ me { loyalty { points } } }"

STOCK = """query($variant: ID!, $stores: [ID!]) {
  variant(id: $variant) { availability(locationIds: $stores, live: true) {
    locations { quantity location { id } } } } }"""


def variant(key: str) -> str:
    return to_global_id("ProductVariant", key)


def location(key: str) -> str:
    return to_global_id("Location", key)


def line(key: str, quantity: int) -> dict[str, object]:
    return {"variantId": variant(key), "quantity": quantity}


def checkout_input(
    cart_id: str,
    key: str,
    *,
    fulfillment: str = "SHIP_TO_HOME",
    paymentMethod: str = "CARD",
    **extra: object,
) -> dict[str, object]:
    """The variables of CHECKOUT for a cart: shipped home and paid by card unless said."""
    return {
        "input": {
            "cartId": cart_id,
            "fulfillment": fulfillment,
            "paymentMethod": paymentMethod,
            "idempotencyKey": key,
            **extra,
        }
    }
