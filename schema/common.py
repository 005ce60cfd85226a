"""Types shared by every domain: money, pages, user errors, channels, the Node interface."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum

import strawberry

from kernel.money import round_money
from resolvers.errors import Refused


@strawberry.enum(description="A sales channel: where the customer meets the retailer.")
class Channel(Enum):
    WEB = strawberry.enum_value("WEB", description="The web shop.")
    APP = strawberry.enum_value("APP", description="The mobile app.")
    STORE = strawberry.enum_value("STORE", description="A till or store tablet.")
    KIOSK = strawberry.enum_value("KIOSK", description="A self-service kiosk in a store.")
    SIGNAGE = strawberry.enum_value("SIGNAGE", description="Digital signage (read-only).")
    MARKETPLACE = strawberry.enum_value("MARKETPLACE", description="A third-party marketplace.")
    CALL_CENTER = strawberry.enum_value("CALL_CENTER", description="Customer service.")


#: The description of every `id` field of a `Node`, including those worked out when asked.
NODE_ID = "Global id: stable, opaque, valid in `node` and `nodes`."


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description=NODE_ID)


@strawberry.type(description="An amount of money in a currency, exact to the minor unit.")
class Money:
    amount: Decimal = strawberry.field(
        description='The amount as a decimal string, e.g. "19.99"; rounded half up to the minor unit.'
    )
    currency: str = strawberry.field(description="ISO 4217 currency code, e.g. EUR.")

    @classmethod
    def of(cls, amount: Decimal, currency: str) -> Money:
        return cls(amount=round_money(amount, currency), currency=currency)


@strawberry.type(description="Where a page of a connection starts and ends.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more items follow this page.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item; pass it as `after` for the next page."
    )
    has_previous_page: bool = strawberry.field(description="True when items precede this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first item.")


@strawberry.type(description="A problem with a mutation's input, with a stable code.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path to the input field at fault, if any."
    )
    message: str = strawberry.field(description="What is wrong, in words a person can act on.")
    code: str = strawberry.field(description="Stable machine-readable code.")

    @classmethod
    def from_refusal(cls, refusal: Refused) -> UserError:
        return cls(
            field=list(refusal.field) if refusal.field else None,
            message=refusal.message,
            code=refusal.code,
        )
