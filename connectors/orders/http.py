"""The OMS adapter that calls an order management system over its REST API (`backoffice/openapi/orders.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from connectors._http import MAX_BATCH, RestSource, keyed, refused, translate_http_errors
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

#: Cart ids (32 characters) per GET: `POST /orders/v1/carts` creates a cart, so cart reads
#: cannot move their keys into a body and must stay within the URL length the REST
#: conventions keep to (2000 characters of query).
CART_BATCH = 40


class HttpOrdersConnector:
    """An `OrdersConnector` over HTTP: one request per batch (per `max_batch` keys), one per write.

    `mapping` renames the top-level fields of orders and returns to the reference names
    (carts and purchases are read as the reference OMS names them). A 404 or 409 answer to
    a write is the `SourceRefused` of its error code, as the embedded adapter raises it.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._client = client
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)
        self._carts = RestSource(client, SOURCE, max_batch=min(max_batch, CART_BATCH))
        self._plain = RestSource(client, SOURCE, max_batch=max_batch)

    async def get_orders(self, ids: Sequence[str]) -> Mapping[str, Order]:
        docs = await self._rest.items("/orders/v1/orders", {"id": ids})
        return keyed(ids, map(to_order, docs), lambda order: order.id)

    async def get_orders_by_number(self, numbers: Sequence[str]) -> Mapping[str, Order]:
        docs = await self._rest.items("/orders/v1/orders", {"number": numbers})
        return keyed(numbers, map(to_order, docs), lambda order: order.number)

    async def get_customer_orders(
        self, customer_ids: Sequence[str], *, channel: str | None
    ) -> Mapping[str, Sequence[Order]]:
        docs = await self._rest.items(
            "/orders/v1/orders", {"customer_id": customer_ids}, {"channel": channel}
        )
        # The OMS answers newest first; grouping keeps that order within each customer,
        # and a customer's orders all come in the same chunk.
        grouped: dict[str, list[Order]] = {id_: [] for id_ in customer_ids}
        for order in map(to_order, docs):
            if order.customer_id is not None:
                grouped.setdefault(order.customer_id, []).append(order)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_returns(self, ids: Sequence[str]) -> Mapping[str, Return]:
        docs = await self._rest.items("/orders/v1/returns", {"id": ids})
        return keyed(ids, map(to_return, docs), lambda return_: return_.id)

    async def get_order_returns(self, order_ids: Sequence[str]) -> Mapping[str, Sequence[Return]]:
        docs = await self._rest.items("/orders/v1/returns", {"order_id": order_ids})
        grouped: dict[str, list[Return]] = {id_: [] for id_ in order_ids}
        for return_ in map(to_return, docs):
            grouped.setdefault(return_.order_id, []).append(return_)
        return {id_: tuple(grouped[id_]) for id_ in order_ids}

    async def get_customer_purchases(
        self, customer_ids: Sequence[str], *, since: datetime, until: datetime | None = None
    ) -> Mapping[str, Sequence[Purchase]]:
        docs = await self._plain.items(
            "/orders/v1/purchases",
            {"customer_id": customer_ids},
            {"since": since.isoformat(), "until": None if until is None else until.isoformat()},
        )
        return group_purchases(customer_ids, map(to_purchase, docs))

    async def create_order(self, order: NewOrder) -> Order:
        path = f"/orders/v1/orders/{_segment(order.id)}"
        return to_order(await self._write("PUT", path, new_order_document(order), rename=True))

    async def confirm_fulfillment(
        self,
        order_id: str,
        fulfillment_id: str,
        *,
        location_id: str,
        actor: str,
        channel: str | None = None,
    ) -> Order:
        path = _fulfillment_path(order_id, fulfillment_id, "confirm")
        body = {"location_id": location_id, "actor": actor, "channel": channel}
        return to_order(await self._write("POST", path, body, rename=True))

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
        path = _fulfillment_path(order_id, fulfillment_id, "delivery-date")
        body = {
            "date": date.isoformat(),
            "expected_version": expected_version,
            "actor": actor,
            "channel": channel,
        }
        return to_order(await self._write("POST", path, body, rename=True))

    async def get_sales(
        self, variant_ids: Sequence[str], *, since: datetime
    ) -> Mapping[str, Mapping[str, int]]:
        docs = await self._plain.items(
            "/orders/v1/sales", {"variant_id": variant_ids}, {"since": since.isoformat()}
        )
        return group_sales(variant_ids, docs)

    async def register_return(self, new: NewReturn) -> Return:
        path = f"/orders/v1/returns/{_segment(new.id)}"
        return to_return(await self._write("PUT", path, new_return_document(new), rename=True))

    async def receive_return(self, return_id: str, receipt: ReturnReceipt) -> Return:
        path = f"/orders/v1/returns/{_segment(return_id)}/receive"
        return to_return(await self._write("POST", path, receipt_document(receipt), rename=True))

    async def get_carts(self, ids: Sequence[str]) -> Mapping[str, Cart]:
        docs = await self._carts.items("/orders/v1/carts", {"id": ids})
        return keyed(ids, map(to_cart, docs), lambda cart: cart.id)

    async def get_open_carts(self, customer_ids: Sequence[str]) -> Mapping[str, Cart]:
        docs = await self._carts.items(
            "/orders/v1/carts", {"customer_id": customer_ids}, {"status": "OPEN"}
        )
        return open_carts(customer_ids, map(to_cart, docs))

    async def create_cart(
        self,
        *,
        channel: str,
        customer_id: str | None = None,
        location_id: str | None = None,
        lines: Sequence[CartLineChange] = (),
    ) -> Cart:
        body = {
            "channel": channel,
            "customer_id": customer_id,
            "location_id": location_id,
            "lines": cart_lines_document(lines),
        }
        return to_cart(await self._write("POST", "/orders/v1/carts", body))

    async def change_cart_lines(
        self,
        cart_id: str,
        *,
        add: Sequence[CartLineChange] = (),
        set: Sequence[CartLineChange] = (),  # the OMS's name for it; shadows the builtin here only
        remove: Sequence[str] = (),
        expected_version: int | None = None,
    ) -> Cart:
        body: dict[str, Any] = {
            "add": cart_lines_document(add),
            "set": cart_lines_document(set),
            "remove": list(remove),
        }
        if expected_version is not None:
            body["expected_version"] = expected_version
        path = f"/orders/v1/carts/{_segment(cart_id)}/lines"
        return to_cart(await self._write("POST", path, body))

    async def attach_customer(self, cart_id: str, customer_id: str) -> Cart:
        path = f"/orders/v1/carts/{_segment(cart_id)}/customer"
        return to_cart(await self._write("POST", path, {"customer_id": customer_id}))

    async def _write(self, method: str, path: str, body: Any, *, rename: bool = False) -> Any:
        """The JSON answer of a write; 404 and 409 are refusals with the OMS's error code."""
        with translate_http_errors(SOURCE):
            response = await self._client.request(method, path, json=body)
            if response.status_code in (404, 409):
                raise refused(SOURCE, response)
            response.raise_for_status()
            answer = orjson.loads(response.content)
            return self._rest.rename(answer) if rename else answer


def _segment(value: str) -> str:
    """An id as one path segment: `/`, `?`, `#` and the like escaped."""
    return quote(value, safe="")


def _fulfillment_path(order_id: str, fulfillment_id: str, action: str) -> str:
    return (
        f"/orders/v1/orders/{_segment(order_id)}/fulfillments/{_segment(fulfillment_id)}/{action}"
    )
