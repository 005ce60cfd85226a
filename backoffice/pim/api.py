"""The PIM's REST API: batch reads of products, variants and categories, and product search."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.pim.service import PimService
from backoffice.rest import JsonResponse, Params, Ping, items, system_app


class _PimApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: PimService) -> None:
        self._service = service

    async def products(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id", "sku"))
        key, values = params.key(("id", "sku"))
        if key == "sku":
            return items(await self._service.get_products_by_sku(values))
        return items(await self._service.get_products(values))

    async def search(self, request: Request) -> Response:
        params = await Params.read(
            request,
            scalars=("q", "category_id", "complete_only", "after", "offset", "limit", "with_total"),
        )
        page = await self._service.search_products(
            search=params.text("q"),
            category_id=params.text("category_id"),
            complete_only=params.boolean("complete_only", False),
            after=params.text("after"),
            offset=params.integer("offset", 0),
            limit=params.integer("limit", 20),
            with_total=params.boolean("with_total", False),
        )
        # A list is `items` throughout the API; the service calls its page's list `products`.
        return JsonResponse(
            {"items": page["products"], "total": page["total"], "has_more": page["has_more"]}
        )

    async def variants(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id", "sku", "gtin"))
        key, values = params.key(("id", "sku", "gtin"))
        if key == "sku":
            return items(await self._service.get_variants_by_sku(values))
        if key == "gtin":
            return items(await self._service.get_variants_by_gtin(values))
        return items(await self._service.get_variants(values))

    async def categories(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id",))
        _, ids = params.key(("id",))
        return items(await self._service.get_categories(ids))


def create_app(service: PimService, *, ping: Ping) -> Starlette:
    """The PIM's API over `service`, serving paths below `/pim`."""
    api = _PimApi(service)
    return system_app(
        "pim",
        [
            Route("/v1/products", api.products, methods=["GET", "POST"]),
            Route("/v1/products/search", api.search, methods=["GET"]),
            Route("/v1/variants", api.variants, methods=["GET", "POST"]),
            Route("/v1/categories", api.categories, methods=["GET", "POST"]),
        ],
        ping=ping,
        openapi=openapi.document("pim"),
    )
