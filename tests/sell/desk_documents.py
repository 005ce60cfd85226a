"""The GraphQL documents and tokens of the service-desk tests: vouchers, contacts, identifiers."""

from __future__ import annotations

from typing import Any

from backoffice.seed import DEMO_CUSTOMER_ID, HOME_STORE_ID, RETURNING_CUSTOMER_ID
from resolvers.ids import to_global_id
from tests.sell.conftest import Shop
from tests.sell.documents import ATTACH, CHECKOUT, CREATE, ERRORS, checkout_input, line

#: The viewers, as the claims of their tokens (`Shop.query(..., **viewer)`).
CUSTOMER: dict[str, Any] = {"role": "customer", "customer_id": DEMO_CUSTOMER_ID}
RETURNING: dict[str, Any] = {"role": "customer", "customer_id": RETURNING_CUSTOMER_ID}
OTHER_CUSTOMER: dict[str, Any] = {"role": "customer", "customer_id": "cu00003"}
AGENT: dict[str, Any] = {"role": "service", "subject": "svc:joris", "channel": "CALL_CENTER"}
TILL: dict[str, Any] = {
    "role": "associate",
    "subject": "staff-s01",
    "store_id": HOME_STORE_ID,
    "channel": "STORE",
}
DEMO_CARD = "2600000000017"

VOUCHER_FIELDS = "id code amount { amount currency } reason issuedAt redeemedAt expiresAt issuedBy"
CUSTOMER_FIELDS = """
  customerNumber email
  identifiers { type value source }
  interactions { kind note channel by }
  vouchers { code amount { amount } reason redeemedAt expiresAt issuedBy }
"""

ISSUE = f"""mutation($customer: ID!, $amount: Decimal!, $reason: String!, $key: String) {{
  voucherIssue(customerId: $customer, amount: $amount, reason: $reason, idempotencyKey: $key) {{
    voucher {{ {VOUCHER_FIELDS} }} {ERRORS} }} }}"""

RECORD = f"""mutation($customer: ID!, $kind: String!, $note: String!) {{
  interactionRecord(customerId: $customer, kind: $kind, note: $note) {{
    customer {{ {CUSTOMER_FIELDS} }} {ERRORS} }} }}"""

LINK = f"""mutation($customer: ID!, $identifier: CustomerIdentifierInput!) {{
  customerIdentifierLink(customerId: $customer, identifier: $identifier) {{
    customer {{ {CUSTOMER_FIELDS} }} {ERRORS} }} }}"""

CORRECT = f"""mutation($order: ID!, $note: String) {{
  orderPromotionCorrect(orderId: $order, note: $note) {{
    voucher {{ {VOUCHER_FIELDS} }} {ERRORS} }} }}"""

BY_ID = f"""query($id: ID!) {{ customer(id: $id) {{ {CUSTOMER_FIELDS} }} }}"""

BY_IDENTIFIER = f"""query($type: IdentifierType!, $value: String!) {{
  customer(identifier: {{ type: $type, value: $value }}) {{ id {CUSTOMER_FIELDS} }} }}"""

HISTORY = (
    """query($id: ID!) { order(id: $id) { number history { actor channel action detail } } }"""
)


def customer_id(key: str = DEMO_CUSTOMER_ID) -> str:
    return to_global_id("Customer", key)


async def issue(shop: Shop, amount: str = "15.00", **variables: Any) -> dict[str, Any]:
    """A voucher the service agent issues to the demo customer (it must succeed)."""
    reply = (
        await shop.ok(
            ISSUE,
            {
                "customer": customer_id(),
                "amount": amount,
                "reason": "Beschadigde verfblikken bezorgd",
                **variables,
            },
            **AGENT,
        )
    )["voucherIssue"]
    assert reply["userErrors"] == []
    voucher: dict[str, Any] = reply["voucher"]
    return voucher


async def cart_of(
    shop: Shop, variant_id: str, *, quantity: int = 1, **viewer: Any
) -> dict[str, Any]:
    """A new cart of the viewer (the demo customer unless said) holding the variant."""
    data = await shop.ok(CREATE, {"lines": [line(variant_id, quantity)]}, **(viewer or CUSTOMER))
    cart: dict[str, Any] = data["cartCreate"]["cart"]
    return cart


async def till_cart(shop: Shop, variant_id: str, card: str = DEMO_CARD) -> dict[str, Any]:
    """A cart at the home store's till, the customer identified by their scanned card."""
    cart = await cart_of(shop, variant_id, **TILL)
    attached = await shop.ok(
        ATTACH,
        {"cart": cart["id"], "identifier": {"type": "LOYALTY_CARD", "value": card}},
        **TILL,
    )
    assert attached["cartAttachCustomer"]["userErrors"] == []
    attached_cart: dict[str, Any] = attached["cartAttachCustomer"]["cart"]
    return attached_cart


async def pay(
    shop: Shop, cart: dict[str, Any], key: str, codes: list[str], **viewer: Any
) -> dict[str, Any]:
    """The checkout payload of the cart, shipped home by card, with these voucher codes."""
    extra: dict[str, Any] = {"voucherCodes": codes}
    if viewer.get("role") == "associate":
        extra |= {"fulfillment": "CARRY_OUT", "paymentMethod": "CASH"}
    variables = checkout_input(cart["id"], key, **extra)
    payload: dict[str, Any] = (await shop.ok(CHECKOUT, variables, **(viewer or CUSTOMER)))[
        "checkout"
    ]
    return payload
