"""The inventory's REST API: locations, and stock per variant × location."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest
from backoffice.inventory.service import InventoryService
from backoffice.rest import Params, Ping, items, system_app


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


def create_app(service: InventoryService, *, ping: Ping) -> Starlette:
    """The inventory's API over `service`, serving paths below `/inventory`."""
    api = _InventoryApi(service)
    return system_app(
        "inventory",
        [
            Route("/v1/locations", api.locations, methods=["GET", "POST"]),
            Route("/v1/stock", api.stock, methods=["GET", "POST"]),
        ],
        ping=ping,
        openapi=openapi.document("inventory"),
    )
