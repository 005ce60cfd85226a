"""The price engine's REST API: unit prices per channel, quotes for whole baskets, promotions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest
from backoffice.pricing.service import PricingService
from backoffice.rest import JsonResponse, Params, Ping, items, parse_moment, read_json, system_app

_QUOTE_FIELDS = ("lines", "channel", "customer_id", "tier", "at", "history", "coupons")


class _PricingApi:
    """The endpoints, each a thin translation of one request into one service call."""

    def __init__(self, service: PricingService) -> None:
        self._service = service

    async def prices(self, request: Request) -> Response:
        params = await Params.read(
            request, lists=("variant_id",), scalars=("channel", "quantity", "tier", "at")
        )
        _, variant_ids = params.key(("variant_id",))
        return items(
            await self._service.get_prices(
                variant_ids,
                channel=params.required_text("channel"),
                quantity=params.integer("quantity", 1),
                tier=params.text("tier"),
                at=params.moment("at"),
            )
        )

    async def quote(self, request: Request) -> Response:
        body = await read_json(request)
        if not isinstance(body, dict):
            raise InvalidRequest('the body must be a JSON object: {"lines": [...], "channel": ...}')
        unknown = sorted(set(body) - set(_QUOTE_FIELDS))
        if unknown:
            raise InvalidRequest(
                f"unknown body fields {unknown}; a quote takes {', '.join(_QUOTE_FIELDS)}"
            )
        lines = body.get("lines")
        if not isinstance(lines, list):
            raise InvalidRequest('"lines" must be a list of {"variant_id", "quantity"} objects')
        history = body.get("history") or []
        if not isinstance(history, list):
            raise InvalidRequest('"history" must be a list of history line objects')
        coupons = body.get("coupons") or []
        if not isinstance(coupons, list):
            raise InvalidRequest('"coupons" must be a list of codes')
        at = _optional_text(body, "at")
        return JsonResponse(
            await self._service.quote(
                lines,
                channel=_required_text(body, "channel"),
                customer_id=_optional_text(body, "customer_id"),
                tier=_optional_text(body, "tier"),
                at=None if at is None else parse_moment("at", at),
                history=history,
                coupons=coupons,
            )
        )

    async def promotions(self, request: Request) -> Response:
        params = await Params.read(request, scalars=("active_at", "cross_channel"))
        cross_channel = params.text("cross_channel")
        return items(
            await self._service.get_promotions(
                active_at=params.moment("active_at"),
                cross_channel=None
                if cross_channel is None
                else params.boolean("cross_channel", False),
            )
        )


def _optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidRequest(f"{name!r} must be a string or null, got {value!r}")
    return value


def _required_text(body: Mapping[str, Any], name: str) -> str:
    value = _optional_text(body, name)
    if value is None:
        raise InvalidRequest(f"{name!r} is required")
    return value


def create_app(service: PricingService, *, ping: Ping) -> Starlette:
    """The price engine's API over `service`, serving paths below `/pricing`."""
    api = _PricingApi(service)
    return system_app(
        "pricing",
        [
            Route("/v1/prices", api.prices, methods=["GET", "POST"]),
            Route("/v1/quotes", api.quote, methods=["POST"]),
            Route("/v1/promotions", api.promotions, methods=["GET"]),
        ],
        ping=ping,
        openapi=openapi.document("pricing"),
    )
