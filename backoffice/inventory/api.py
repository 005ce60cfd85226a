"""The inventory's REST API: locations, stock per variant × location, reservations and restocks.

Reservations are written under the id the client chose, so each write may be sent again:

* `PUT /v1/reservations/{id}` with `{"lines": [...], "reference"?}` reserves (all lines or
  none; 409 INSUFFICIENT_STOCK with the short lines in `error.shortages`);
* `POST /v1/reservations/{id}/release` puts the units back (an unknown id is remembered
  as released, so that a late PUT of it is refused);
* `POST /v1/reservations/{id}/commit` with `{"order_id"}` hands them to the order;
* `GET /v1/reservations?id=...` reads them in a batch.

A reservation id reused for other lines, or moved the wrong way (release after commit,
commit after release), is 409 RESERVATION_CONFLICT.

`PUT /v1/restocks/{reference}` with `{"lines": [...]}` puts units (back) into stock once
per reference (the same reference with other lines: 409 RESERVATION_CONFLICT; unknown
locations: 400 UNKNOWN_ITEMS).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest
from backoffice.inventory.service import InventoryService
from backoffice.rest import JsonResponse, Params, Ping, items, read_json, system_app


class _InventoryApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: InventoryService) -> None:
        self._service = service

    async def locations(self, request: Request) -> Response:
        # With ids, a batch read; without, the list of every location (of the given types).
        params = await Params.read(request, lists=("id", "type"))
        ids, types = params.keys("id"), params.keys("type")
        if ids is not None:
            if types is not None:
                raise InvalidRequest("give 'id' (a batch read) or 'type' (a listing), not both")
            return items(await self._service.get_locations(ids))
        return items(await self._service.list_locations(types))

    async def stock(self, request: Request) -> Response:
        params = await Params.read(request, lists=("variant_id", "location_id"))
        return items(
            await self._service.get_stock(
                params.keys("variant_id") or [], params.keys("location_id") or []
            )
        )

    async def reservations(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id",))
        return items(await self._service.get_reservations(params.keys("id") or []))

    async def reserve(self, request: Request) -> Response:
        body = await _body(request, required=("lines",), optional=("reference",))
        reference = body.get("reference")
        if reference is not None and not isinstance(reference, str):
            raise InvalidRequest('"reference" must be a string or null')
        return JsonResponse(
            await self._service.reserve(
                request.path_params["id"], body["lines"], reference=reference
            )
        )

    async def release(self, request: Request) -> Response:
        await _body(request, required=(), optional=())
        return JsonResponse(await self._service.release(request.path_params["id"]))

    async def commit(self, request: Request) -> Response:
        body = await _body(request, required=("order_id",), optional=())
        return JsonResponse(
            await self._service.commit(request.path_params["id"], order_id=body["order_id"])
        )

    async def restock(self, request: Request) -> Response:
        body = await _body(request, required=("lines",), optional=())
        return JsonResponse(
            await self._service.restock(request.path_params["reference"], body["lines"])
        )


async def _body(
    request: Request, *, required: Collection[str], optional: Collection[str]
) -> dict[str, Any]:
    """The JSON object of a write's body, with exactly the fields it takes (none: may be empty)."""
    if request.query_params:
        raise InvalidRequest("this endpoint takes no query parameters")
    if not required and not await request.body():
        return {}
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    takes = [*required, *optional]
    unknown = sorted(set(body) - set(takes))
    if unknown:
        raise InvalidRequest(
            f"unknown body fields {unknown}; this endpoint takes {', '.join(takes) or 'none'}"
        )
    missing = [name for name in required if name not in body]
    if missing:
        raise InvalidRequest(f"the body lacks {', '.join(missing)}")
    return body


def create_app(service: InventoryService, *, ping: Ping) -> Starlette:
    """The inventory's API over `service`, serving paths below `/inventory`."""
    api = _InventoryApi(service)
    return system_app(
        "inventory",
        [
            Route("/v1/locations", api.locations, methods=["GET", "POST"]),
            Route("/v1/stock", api.stock, methods=["GET", "POST"]),
            Route("/v1/reservations", api.reservations, methods=["GET", "POST"]),
            Route("/v1/reservations/{id}", api.reserve, methods=["PUT"]),
            Route("/v1/reservations/{id}/release", api.release, methods=["POST"]),
            Route("/v1/reservations/{id}/commit", api.commit, methods=["POST"]),
            Route("/v1/restocks/{reference}", api.restock, methods=["PUT"]),
        ],
        ping=ping,
        openapi=openapi.document("inventory"),
    )
