"""The port of the order management system (OMS): orders, returns and carts, read and written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from connectors.orders.records import Cart, CartLineChange, NewOrder, Order, Purchase, Return


class OrdersConnector(Protocol):
    """Orders, returns and carts from every channel.

    Writes answer the record as written. Their refusals are `connectors.errors.SourceRefused`
    with a stable `code`: NotFound, VersionConflict, CartNotOpen, CartOwned, WrongLocation
    (and a plain `SourceRefused` with code CONFLICT for other conflicts). An order the OMS
    finds malformed (amounts that do not add up) is `SourceRejected`: the gateway's bug.
    """

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]: ...

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]: ...

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        """Each customer's orders, newest first; customers without orders map to an empty list."""
        ...

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]: ...

    async def get_order_returns(
        self, order_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Return]]: ...

    async def get_customer_purchases(
        self, customer_ids: Sequence[str], *, since: datetime, until: datetime | None = None
    ) -> Mapping[str, Sequence[Purchase]]:
        """What each customer bought in every channel from `since`, net of returns, oldest first.

        Cancelled orders are left out; customers without purchases map to an empty list.
        """
        ...

    async def create_order(self, order: NewOrder) -> Order:
        """Place the order; placing the same `order.id` again answers the first order, unchanged."""
        ...

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: str,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        """The routed location confirms its fulfilment (again: unchanged); WrongLocation otherwise."""
        ...

    async def change_delivery_date(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        date: date,
        expected_version: int,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        """Move a delivery date if the order is still at `expected_version`; VersionConflict otherwise."""
        ...

    async def get_carts(self, ids: Sequence[str]) -> Mapping[str, Cart]:
        """The carts with these ids, whatever their status; unknown ids are absent."""
        ...

    async def get_open_carts(self, customer_ids: Sequence[str]) -> Mapping[str, Cart]:
        """Each customer's most recently changed OPEN cart; customers without one are absent."""
        ...

    async def create_cart(
        self,
        *,
        channel: str,
        customer_id: str | None = None,
        location_id: str | None = None,
        lines: Sequence[CartLineChange] = (),
    ) -> Cart: ...

    async def change_cart_lines(
        self,
        cart_id: str,
        *,
        add: Sequence[CartLineChange] = (),
        set: Sequence[CartLineChange] = (),  # the OMS's name for it; shadows the builtin here only
        remove: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Cart:
        """Add units, set quantities (0 removes), remove line ids: one change, version + 1."""
        ...

    async def attach_customer(self, cart_id: str, customer_id: str) -> Cart:
        """Give the cart to the customer, merged into their OPEN cart if they have one (answered)."""
        ...
