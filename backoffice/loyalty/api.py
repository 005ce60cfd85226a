"""The loyalty system's REST API: accounts by customer or by card, and points booked on them.

Bookings are `POST /loyalty/v1/entries/earn` and `POST /loyalty/v1/entries/reverse`, both
with the body `{"customer_id", "points", "reference", "reason"?, "order_number"?}` and
`points` > 0, answering the entry (the same one however often a reference is booked).
Two routes rather than signed points: a reversal is not a negative earning, since it may
take less than it asks (down to zero) and records the shortfall. `GET /loyalty/v1/entries
?reference=...` is the batch read a recovering caller asks what was booked.

A customer without an account is `404 NO_ACCOUNT`, apart from a wrong path's NOT_FOUND,
because a checkout reads it as "no points to earn" rather than as a failure.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.errors import InvalidRequest, NoAccount
from backoffice.loyalty.service import Document, LoyaltyService
from backoffice.rest import JsonResponse, Params, Ping, error_response, items, read_json, system_app

#: The fields of a booking's body; the first three are required.
BOOKING_FIELDS = ("customer_id", "points", "reference", "reason", "order_number")

Book = Callable[..., Awaitable[Document]]


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

    async def entries(self, request: Request) -> Response:
        params = await Params.read(request, lists=("reference",))
        return items(await self._service.get_entries(params.keys("reference") or []))

    async def earn(self, request: Request) -> Response:
        return await _book(request, self._service.earn)

    async def reverse(self, request: Request) -> Response:
        return await _book(request, self._service.reverse)


async def _book(request: Request, book: Book) -> Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidRequest(f"the body must be a JSON object of {', '.join(BOOKING_FIELDS)}")
    unknown = sorted(set(body) - set(BOOKING_FIELDS))
    if unknown:
        raise InvalidRequest(
            f"unknown body field {unknown[0]!r}; a booking takes {', '.join(BOOKING_FIELDS)}"
        )
    missing = [name for name in BOOKING_FIELDS[:3] if name not in body]
    if missing:
        raise InvalidRequest(f"the body lacks {', '.join(map(repr, missing))}")
    # A missing or null reason is the operation's own (EARN, RETURN).
    options: dict[str, Any] = {}
    if body.get("reason") is not None:
        options["reason"] = body["reason"]
    try:
        entry = await book(
            body["customer_id"],
            points=body["points"],
            reference=body["reference"],
            order_number=body.get("order_number"),
            **options,
        )
    except NoAccount as exc:
        return error_response(404, exc.code, str(exc))
    return JsonResponse(entry)


def create_app(service: LoyaltyService, *, ping: Ping) -> Starlette:
    """The loyalty system's API over `service`, serving paths below `/loyalty`."""
    api = _LoyaltyApi(service)
    return system_app(
        "loyalty",
        [
            Route("/v1/accounts", api.accounts, methods=["GET", "POST"]),
            Route("/v1/entries", api.entries, methods=["GET", "POST"]),
            Route("/v1/entries/earn", api.earn, methods=["POST"]),
            Route("/v1/entries/reverse", api.reverse, methods=["POST"]),
        ],
        ping=ping,
        openapi=openapi.document("loyalty"),
    )
