"""The OMS adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from backoffice.errors import Conflict, NotFound
from backoffice.orders.sales import MAX_VARIANTS
from backoffice.orders.service import OrdersService
from connectors._embedded import translate_service_errors
from connectors.errors import refusal
from connectors.orders.mapping import (
    SOURCE,
    cart_lines_document,
    group_purchases,
    group_sales,
    new_order_document,
    new_return_document,
    open_carts,
    receipt_document,
    to_cart,
    to_order,
    to_purchase,
    to_return,
)
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


@contextmanager
def _translated() -> Iterator[None]:
    """The service's errors as the HTTP twin raises them: 404/409 refusals keep their code."""
    with translate_service_errors(SOURCE):
        try:
            yield
        except NotFound as exc:
            raise refusal(SOURCE, "NOT_FOUND", str(exc)) from exc
        except Conflict as exc:
            raise refusal(SOURCE, exc.code, str(exc)) from exc


class EmbeddedOrdersConnector:
    """An `OrdersConnector` over the reference OMS running in this process."""

    def __init__(self, service: OrdersService) -> None:
        self._service = service

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_orders(list(ids))
        orders = {order.id: order for order in map(to_order, docs)}
        return {id_: orders[id_] for id_ in ids if id_ in orders}

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_orders_by_number(list(numbers))
        orders = {order.number: order for order in map(to_order, docs)}
        return {number: orders[number] for number in numbers if number in orders}

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_customer_orders(list(customer_ids), channel=channel)
        # The service answers newest first; grouping keeps that order within each customer.
        grouped: dict[str, list[Order]] = {id_: [] for id_ in customer_ids}
        for order in map(to_order, docs):
            if order.customer_id is not None:
                grouped.setdefault(order.customer_id, []).append(order)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_returns(list(ids))
        returns = {return_.id: return_ for return_ in map(to_return, docs)}
        return {id_: returns[id_] for id_ in ids if id_ in returns}

    async def get_order_returns(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Return]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_order_returns(list(order_ids))
        grouped: dict[str, list[Return]] = {id_: [] for id_ in order_ids}
        for return_ in map(to_return, docs):
            grouped.setdefault(return_.order_id, []).append(return_)
        return {id_: tuple(grouped[id_]) for id_ in order_ids}

    async def get_customer_purchases(
        self, customer_ids: Sequence[str], *, since: datetime, until: datetime | None = None
    ) -> Mapping[str, Sequence[Purchase]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_customer_purchases(
                list(customer_ids), since=since, until=until
            )
        return group_purchases(customer_ids, map(to_purchase, docs))

    async def create_order(self, order: NewOrder) -> Order:
        with _translated():
            return to_order(await self._service.create_order(new_order_document(order)))

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: str,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        with _translated():
            doc = await self._service.confirm_fulfillment(
                order_id, fulfillment_id, location_id=location_id, actor=actor, channel=channel
            )
        return to_order(doc)

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
        with _translated():
            doc = await self._service.change_delivery_date(
                order_id,
                fulfillment_id,
                date=date.isoformat(),
                expected_version=expected_version,
                actor=actor,
                channel=channel,
            )
        return to_order(doc)

    async def get_sales(
        self, variant_ids: Sequence[str], *, since: datetime
    ) -> Mapping[str, Mapping[str, int]]:
        ids = list(dict.fromkeys(variant_ids))
        docs = []
        with translate_service_errors(SOURCE):
            # The OMS reads at most MAX_VARIANTS per call, as its REST API does.
            for start in range(0, len(ids), MAX_VARIANTS):
                chunk = ids[start : start + MAX_VARIANTS]
                docs += await self._service.get_sales(chunk, since=since)
        return group_sales(variant_ids, docs)

    async def register_return(self, new: NewReturn) -> Return:
        with _translated():
            return to_return(await self._service.register_return(new_return_document(new)))

    async def receive_return(self, return_id: str, receipt: ReturnReceipt) -> Return:
        with _translated():
            doc = await self._service.receive_return(return_id, **receipt_document(receipt))
        return to_return(doc)

    async def get_carts(self, ids: Sequence[str]) -> Mapping[str, Cart]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_carts(list(ids))
        carts = {cart.id: cart for cart in map(to_cart, docs)}
        return {id_: carts[id_] for id_ in ids if id_ in carts}

    async def get_open_carts(self, customer_ids: Sequence[str]) -> Mapping[str, Cart]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_open_carts(list(customer_ids))
        return open_carts(customer_ids, map(to_cart, docs))

    async def create_cart(
        self,
        *,
        channel: str,
        customer_id: str | None = None,
        location_id: str | None = None,
        lines: Sequence[CartLineChange] = (),
    ) -> Cart:
        with _translated():
            doc = await self._service.create_cart(
                channel=channel,
                customer_id=customer_id,
                location_id=location_id,
                lines=cart_lines_document(lines),
            )
        return to_cart(doc)

    async def change_cart_lines(
        self,
        cart_id: str,
        *,
        add: Sequence[CartLineChange] = (),
        set: Sequence[CartLineChange] = (),  # the OMS's name for it; shadows the builtin here only
        remove: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Cart:
        with _translated():
            doc = await self._service.change_cart_lines(
                cart_id,
                add=cart_lines_document(add),
                set=cart_lines_document(set),
                remove=list(remove),
                expected_version=expected_version,
            )
        return to_cart(doc)

    async def attach_customer(self, cart_id: str, customer_id: str) -> Cart:
        with _translated():
            return to_cart(await self._service.attach_customer(cart_id, customer_id))
