"""The OMS adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backoffice.orders.service import OrdersService
from connectors._embedded import translate_service_errors
from connectors.orders.mapping import SOURCE, to_order, to_return
from connectors.orders.records import Order, Return


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
