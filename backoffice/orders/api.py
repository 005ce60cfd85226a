"""The OMS's REST API: orders by id, number or customer, and returns by id or order."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest
from backoffice.orders.service import OrdersService
from backoffice.rest import Params, Ping, items, system_app


class _OrdersApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: OrdersService) -> None:
        self._service = service

    async def orders(self, request: Request) -> Response:
        params = await Params.read(
            request, lists=("id", "number", "customer_id"), scalars=("channel",)
        )
        key, values = params.key(("id", "number", "customer_id"))
        channel = params.text("channel")
        if key == "customer_id":
            return items(await self._service.get_customer_orders(values, channel=channel))
        if channel is not None:
            raise InvalidRequest("'channel' filters a customer's orders; give it with customer_id")
        if key == "number":
            return items(await self._service.get_orders_by_number(values))
        return items(await self._service.get_orders(values))

    async def returns(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id", "order_id"))
        key, values = params.key(("id", "order_id"))
        if key == "order_id":
            return items(await self._service.get_order_returns(values))
        return items(await self._service.get_returns(values))


def create_app(service: OrdersService, *, ping: Ping) -> Starlette:
    """The OMS's API over `service`, serving paths below `/orders`."""
    api = _OrdersApi(service)
    return system_app(
        "orders",
        [
            Route("/v1/orders", api.orders, methods=["GET", "POST"]),
            Route("/v1/returns", api.returns, methods=["GET", "POST"]),
        ],
        ping=ping,
        openapi=openapi.document("orders"),
    )
