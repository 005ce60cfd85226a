"""The port of the order management system (OMS): orders, returns and carts, read and written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from connectors.orders.records import (
    Cart,
    CartLineChange,
    NewOrder,
    NewReturn,
    Order,
    Purchase,
    Return,
    ReturnReceipt,
)


class OrdersConnector(Protocol):
    """Orders, returns and carts from every channel.

    Writes answer the record as written. Their refusals are `connectors.errors.SourceRefused`
    with a stable `code`: NotFound, VersionConflict, CartNotOpen, CartOwned, WrongLocation,
    NotReturnable, ReturnNotOpen (and a plain `SourceRefused` with code CONFLICT for other conflicts). An order the OMS
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

    async def get_sales(
        self, variant_ids: Sequence[str], *, since: datetime
    ) -> Mapping[str, Mapping[str, int]]:
        """Units of each variant sold at each location since `since`, net of returns.

        An order counts at its `location_id` (the store it was placed or collected in);
        orders without one, and cancelled orders, are left out. Variants that did not sell
        map to an empty mapping.
        """
        ...

    async def register_return(self, new: NewReturn) -> Return:
        """Register the return; registering the same `new.id` again answers the first, unchanged.

        Only while the order is at `new.expected_order_version` (VersionConflict
        otherwise) and every line is returnable: NotReturnable when a quantity is more than
        the line's quantity less what earlier returns took; NotFound for an unknown order
        or order line. The lines' returned quantities grow, the order's version + 1, its
        status becomes PARTIALLY_RETURNED or RETURNED, and `new.history` is recorded.
        """
        ...

    async def receive_return(self, return_id: str, receipt: ReturnReceipt) -> Return:
        """Record that the goods arrived and the refund was paid: REGISTERED → REFUNDED.

        The same receipt again answers the return unchanged (a redelivered message); a
        return already received otherwise, or rejected, is ReturnNotOpen; NotFound for an
        unknown id. Adds RETURN_RECEIVED and REFUNDED to the order's history.
        """
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
