"""The CRM's REST API: customers, identifier lookup, interactions, vouchers and messages.

Reads follow `backoffice.rest` (batch GETs, or POSTs carrying long key lists). Writes take
a JSON body and answer the document they wrote, each keyed so that a repeat changes
nothing: `PUT /v1/vouchers/{id}` issues, `POST /v1/vouchers/{code}/redeem` and
`/release` spend and give back, `PUT /v1/interactions/{id}` records, `POST
/v1/customers/{id}/identifiers` links, `PUT /v1/notifications/{key}` sends. Refusals are
404 NOT_FOUND / VOUCHER_NOT_FOUND, 409 IDENTIFIER_TAKEN / VOUCHER_REDEEMED /
VOUCHER_EXPIRED / VOUCHER_NOT_YOURS / CONFLICT, 400 INVALID_REQUEST.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backoffice import openapi
from backoffice.crm import inputs
from backoffice.crm.service import CrmService
from backoffice.errors import InvalidRequest
from backoffice.rest import JsonResponse, Params, Ping, items, read_json, system_app

#: The fields of the writes' bodies: required, then optional.
ISSUE_FIELDS = (("customer_id", "amount", "currency", "reason"), ("expires_at", "issued_by"))
REDEEM_FIELDS = (("order_id", "customer_id"), ())
RELEASE_FIELDS = (("order_id",), ())
INTERACTION_FIELDS = (("customer_id", "channel", "kind", "note"), ("by",))
IDENTIFIER_FIELDS = (("type", "value"), ("source",))
NOTIFICATION_FIELDS = (("customer_id", "template", "data"), ())


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
        params = await Params.read(request, lists=("customer_id", "code"))
        key, values = params.key(("customer_id", "code"))
        if key == "code":
            return items(await self._service.get_vouchers_by_code(values))
        return items(await self._service.get_vouchers(values))

    async def notifications(self, request: Request) -> Response:
        params = await Params.read(request, lists=("customer_id",))
        _, customer_ids = params.key(("customer_id",))
        return items(await self._service.get_notifications(customer_ids))

    async def issue_voucher(self, request: Request) -> Response:
        body = await _body(request, ISSUE_FIELDS)
        return JsonResponse(
            await self._service.issue_voucher(
                request.path_params["id"],
                customer_id=body["customer_id"],
                amount=body["amount"],
                currency=body["currency"],
                reason=body["reason"],
                expires_at=body.get("expires_at"),
                issued_by=body.get("issued_by"),
            )
        )

    async def redeem_voucher(self, request: Request) -> Response:
        body = await _body(request, REDEEM_FIELDS)
        return JsonResponse(
            await self._service.redeem_voucher(
                request.path_params["code"],
                order_id=body["order_id"],
                customer_id=body["customer_id"],
            )
        )

    async def release_voucher(self, request: Request) -> Response:
        body = await _body(request, RELEASE_FIELDS)
        return JsonResponse(
            await self._service.release_voucher(
                request.path_params["code"], order_id=body["order_id"]
            )
        )

    async def record_interaction(self, request: Request) -> Response:
        body = await _body(request, INTERACTION_FIELDS)
        return JsonResponse(
            await self._service.record_interaction(
                request.path_params["id"],
                customer_id=body["customer_id"],
                channel=body["channel"],
                kind=body["kind"],
                note=body["note"],
                by=body.get("by"),
            )
        )

    async def link_identifier(self, request: Request) -> Response:
        body = await _body(request, IDENTIFIER_FIELDS)
        return JsonResponse(
            await self._service.link_identifier(
                request.path_params["id"],
                type_=body["type"],
                value=body["value"],
                source=body.get("source"),
            )
        )

    async def send_notification(self, request: Request) -> Response:
        body = await _body(request, NOTIFICATION_FIELDS)
        return JsonResponse(
            await self._service.send_notification(
                body["customer_id"],
                key=request.path_params["key"],
                template=body["template"],
                data=body["data"],
            )
        )


async def _body(
    request: Request, names: tuple[tuple[str, ...], tuple[str, ...]]
) -> dict[str, object]:
    required, optional = names
    return dict(
        inputs.fields(await read_json(request), "body", required=required, optional=optional)
    )


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
            Route("/v1/customers/{id}/identifiers", api.link_identifier, methods=["POST"]),
            Route("/v1/customer-matches", api.matches, methods=["GET", "POST"]),
            Route("/v1/interactions", api.interactions, methods=["GET", "POST"]),
            Route("/v1/interactions/{id}", api.record_interaction, methods=["PUT"]),
            Route("/v1/vouchers", api.vouchers, methods=["GET", "POST"]),
            Route("/v1/vouchers/{id}", api.issue_voucher, methods=["PUT"]),
            Route("/v1/vouchers/{code}/redeem", api.redeem_voucher, methods=["POST"]),
            Route("/v1/vouchers/{code}/release", api.release_voucher, methods=["POST"]),
            Route("/v1/notifications", api.notifications, methods=["GET", "POST"]),
            Route("/v1/notifications/{key}", api.send_notification, methods=["PUT"]),
        ],
        ping=ping,
        openapi=openapi.document("crm"),
    )
