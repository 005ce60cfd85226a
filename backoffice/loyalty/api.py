"""The loyalty system's REST API: accounts by customer or by card."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.loyalty.service import LoyaltyService
from backoffice.rest import Params, Ping, items, system_app


class _LoyaltyApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: LoyaltyService) -> None:
        self._service = service

    async def accounts(self, request: Request) -> Response:
        params = await Params.read(request, lists=("customer_id", "card_number"))
        key, values = params.key(("customer_id", "card_number"))
        if key == "card_number":
            return items(await self._service.find_by_card(values))
        return items(await self._service.get_accounts(values))


def create_app(service: LoyaltyService, *, ping: Ping) -> Starlette:
    """The loyalty system's API over `service`, serving paths below `/loyalty`."""
    api = _LoyaltyApi(service)
    return system_app(
        "loyalty",
        [Route("/v1/accounts", api.accounts, methods=["GET", "POST"])],
        ping=ping,
        openapi=openapi.document("loyalty"),
    )
