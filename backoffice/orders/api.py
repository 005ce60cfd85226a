"""The OMS's REST API: orders, returns, purchases, sales, carts to read; carts, orders, returns to write.

Reads follow `backoffice.rest` (batch GETs, or POSTs carrying long key lists), except carts:
`POST /v1/carts` creates a cart, so cart reads are GET only (a request reads the carts of
one viewer, a few ids). Writes take a JSON body and answer the document they wrote; their
refusals are 404 NOT_FOUND, 409 VERSION_CONFLICT / CART_NOT_OPEN / CART_OWNED /
WRONG_LOCATION / NOT_RETURNABLE / RETURN_NOT_OPEN / CONFLICT, 400 INVALID_REQUEST /
UNKNOWN_ITEMS. `PUT /v1/returns/{id}` registers a return, `POST /v1/returns/{id}/receive`
records its goods' arrival.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest
from backoffice.orders import inputs
from backoffice.orders.service import OrdersService
from backoffice.rest import JsonResponse, Params, Ping, items, read_json, system_app


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

    async def purchases(self, request: Request) -> Response:
        params = await Params.read(request, lists=("customer_id",), scalars=("since", "until"))
        since = params.moment("since")
        if since is None:
            raise InvalidRequest("the parameter 'since' is required")
        return items(
            await self._service.get_customer_purchases(
                params.keys("customer_id") or [], since=since, until=params.moment("until")
            )
        )

    async def sales(self, request: Request) -> Response:
        params = await Params.read(request, lists=("variant_id",), scalars=("since",))
        since = params.moment("since")
        if since is None:
            raise InvalidRequest("the parameter 'since' is required")
        return items(await self._service.get_sales(params.keys("variant_id") or [], since=since))

    async def put_return(self, request: Request) -> Response:
        document = inputs.obj(await read_json(request), "body")
        return_id = request.path_params["id"]
        if document.get("id", return_id) != return_id:
            raise InvalidRequest(
                f"the body's id {document.get('id')!r} is not the path's {return_id!r}"
            )
        return JsonResponse(await self._service.register_return({**document, "id": return_id}))

    async def receive_return(self, request: Request) -> Response:
        body = inputs.fields(
            await read_json(request),
            "body",
            required=("location_id", "resellable", "actor"),
            optional=("channel",),
        )
        return JsonResponse(
            await self._service.receive_return(
                request.path_params["id"],
                location_id=body["location_id"],
                resellable=body["resellable"],
                actor=body["actor"],
                channel=body.get("channel"),
            )
        )

    async def put_order(self, request: Request) -> Response:
        document = inputs.obj(await read_json(request), "body")
        order_id = request.path_params["id"]
        if document.get("id", order_id) != order_id:
            raise InvalidRequest(
                f"the body's id {document.get('id')!r} is not the path's {order_id!r}"
            )
        return JsonResponse(await self._service.create_order({**document, "id": order_id}))

    async def confirm_fulfillment(self, request: Request) -> Response:
        body = inputs.fields(
            await read_json(request),
            "body",
            required=("location_id", "actor"),
            optional=("channel",),
        )
        return JsonResponse(
            await self._service.confirm_fulfillment(
                request.path_params["id"],
                request.path_params["fulfillment_id"],
                location_id=body["location_id"],
                actor=body["actor"],
                channel=body.get("channel"),
            )
        )

    async def delivery_date(self, request: Request) -> Response:
        body = inputs.fields(
            await read_json(request),
            "body",
            required=("date", "expected_version", "actor"),
            optional=("channel",),
        )
        return JsonResponse(
            await self._service.change_delivery_date(
                request.path_params["id"],
                request.path_params["fulfillment_id"],
                date=body["date"],
                expected_version=body["expected_version"],
                actor=body["actor"],
                channel=body.get("channel"),
            )
        )

    async def carts(self, request: Request) -> Response:
        if request.method == "POST":
            body = inputs.fields(
                await read_json(request),
                "body",
                required=("channel",),
                optional=("customer_id", "location_id", "lines"),
            )
            cart = await self._service.create_cart(
                channel=body["channel"],
                customer_id=body.get("customer_id"),
                location_id=body.get("location_id"),
                lines=body.get("lines", []),
            )
            return JsonResponse(cart)
        params = await Params.read(request, lists=("id", "customer_id"), scalars=("status",))
        key, values = params.key(("id", "customer_id"))
        status = params.text("status")
        if key == "customer_id":
            if status != "OPEN":
                raise InvalidRequest("carts by customer_id are their OPEN carts: give status=OPEN")
            return items(await self._service.get_open_carts(values))
        if status is not None:
            raise InvalidRequest("'status' goes with customer_id")
        return items(await self._service.get_carts(values))

    async def cart_lines(self, request: Request) -> Response:
        body = inputs.fields(await read_json(request), "body", required=(), optional=_CART_CHANGES)
        return JsonResponse(
            await self._service.change_cart_lines(
                request.path_params["id"],
                add=body.get("add", []),
                set=body.get("set", []),
                remove=body.get("remove", []),
                expected_version=body.get("expected_version"),
            )
        )

    async def cart_customer(self, request: Request) -> Response:
        body = inputs.fields(await read_json(request), "body", required=("customer_id",))
        return JsonResponse(
            await self._service.attach_customer(request.path_params["id"], body["customer_id"])
        )


_CART_CHANGES = ("add", "set", "remove", "expected_version")


def create_app(service: OrdersService, *, ping: Ping) -> Starlette:
    """The OMS's API over `service`, serving paths below `/orders`."""
    api = _OrdersApi(service)
    return system_app(
        "orders",
        [
            Route("/v1/orders", api.orders, methods=["GET", "POST"]),
            Route("/v1/orders/{id}", api.put_order, methods=["PUT"]),
            Route(
                "/v1/orders/{id}/fulfillments/{fulfillment_id}/confirm",
                api.confirm_fulfillment,
                methods=["POST"],
            ),
            Route(
                "/v1/orders/{id}/fulfillments/{fulfillment_id}/delivery-date",
                api.delivery_date,
                methods=["POST"],
            ),
            Route("/v1/returns", api.returns, methods=["GET", "POST"]),
            Route("/v1/returns/{id}", api.put_return, methods=["PUT"]),
            Route("/v1/returns/{id}/receive", api.receive_return, methods=["POST"]),
            Route("/v1/sales", api.sales, methods=["GET", "POST"]),
            Route("/v1/purchases", api.purchases, methods=["GET", "POST"]),
            Route("/v1/carts", api.carts, methods=["GET", "POST"]),
            Route("/v1/carts/{id}/lines", api.cart_lines, methods=["POST"]),
            Route("/v1/carts/{id}/customer", api.cart_customer, methods=["POST"]),
        ],
        ping=ping,
        openapi=openapi.document("orders"),
    )
