"""The CRM's REST API: customers, identifier lookup, interactions and vouchers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.crm.service import CrmService
from backoffice.errors import InvalidRequest
from backoffice.rest import Params, Ping, items, system_app


class _CrmApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: CrmService) -> None:
        self._service = service

    async def customers(self, request: Request) -> Response:
        params = await Params.read(request, lists=("id",))
        _, ids = params.key(("id",))
        return items(await self._service.get_customers(ids))

    async def matches(self, request: Request) -> Response:
        params = await Params.read(request, lists=("identifier",))
        _, identifiers = params.key(("identifier",))
        return items(await self._service.find_customers([_identifier(i) for i in identifiers]))

    async def interactions(self, request: Request) -> Response:
        params = await Params.read(request, lists=("customer_id",))
        _, customer_ids = params.key(("customer_id",))
        return items(await self._service.get_interactions(customer_ids))

    async def vouchers(self, request: Request) -> Response:
        params = await Params.read(request, lists=("customer_id",))
        _, customer_ids = params.key(("customer_id",))
        return items(await self._service.get_vouchers(customer_ids))


def _identifier(text: str) -> dict[str, str]:
    """`EMAIL:sanne@example.nl` -> {"type": "EMAIL", "value": "sanne@example.nl"}."""
    type_, colon, value = text.partition(":")
    if not colon or not type_:
        raise InvalidRequest(
            f"an identifier is TYPE:value, e.g. EMAIL:sanne@example.nl; got {text!r}"
        )
    return {"type": type_, "value": value}


def create_app(service: CrmService, *, ping: Ping) -> Starlette:
    """The CRM's API over `service`, serving paths below `/crm`."""
    api = _CrmApi(service)
    return system_app(
        "crm",
        [
            Route("/v1/customers", api.customers, methods=["GET", "POST"]),
            Route("/v1/customer-matches", api.matches, methods=["GET", "POST"]),
            Route("/v1/interactions", api.interactions, methods=["GET", "POST"]),
            Route("/v1/vouchers", api.vouchers, methods=["GET", "POST"]),
        ],
        ping=ping,
        openapi=openapi.document("crm"),
    )
