"""The CRM adapter that calls a CRM over its REST API (`backoffice/openapi/crm.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from connectors._http import MAX_BATCH, RestSource, keyed, refused, translate_http_errors
from connectors.crm.mapping import (
    SOURCE,
    identifier_key,
    new_interaction_document,
    new_voucher_document,
    notification_document,
    to_customer,
    to_identifier_match,
    to_interaction,
    to_notification,
    to_voucher,
    voucher_key,
)
from connectors.crm.records import (
    Customer,
    IdentifierType,
    Interaction,
    NewInteraction,
    NewVoucher,
    Notification,
    Voucher,
)


class HttpCrmConnector:
    """A `CrmConnector` over HTTP: one request per batch (per `max_batch` keys), one per write.

    Identifiers travel as `TYPE:value`. `mapping` renames top-level document fields. A 404
    or 409 answer to a write is the `SourceRefused` of its error code, as the embedded
    adapter raises it.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._client = client
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        docs = await self._rest.items("/crm/v1/customers", {"id": ids})
        return keyed(ids, map(to_customer, docs), lambda customer: customer.id)

    async def find_customers(
        self, identifiers: Sequence[tuple[IdentifierType, str]]
    ) -> Mapping[tuple[IdentifierType, str], str]:
        docs = await self._rest.items(
            "/crm/v1/customer-matches",
            {"identifier": [f"{type_}:{value}" for type_, value in identifiers]},
        )
        # Matched the CRM's way, so that a match answers the key exactly as it was asked.
        found = {
            identifier_key(*key): customer_id for key, customer_id in map(to_identifier_match, docs)
        }
        return {
            key: found[identifier_key(*key)] for key in identifiers if identifier_key(*key) in found
        }

    async def get_interactions(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Interaction]]:
        docs = await self._rest.items("/crm/v1/interactions", {"customer_id": customer_ids})
        grouped: dict[str, list[Interaction]] = {id_: [] for id_ in customer_ids}
        for interaction in map(to_interaction, docs):
            grouped.setdefault(interaction.customer_id, []).append(interaction)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_vouchers(self, customer_ids: Sequence[str]) -> Mapping[str, Sequence[Voucher]]:
        docs = await self._rest.items("/crm/v1/vouchers", {"customer_id": customer_ids})
        grouped: dict[str, list[Voucher]] = {id_: [] for id_ in customer_ids}
        for voucher in map(to_voucher, docs):
            grouped.setdefault(voucher.customer_id, []).append(voucher)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> Mapping[str, Voucher]:
        docs = await self._rest.items("/crm/v1/vouchers", {"code": codes})
        found = {voucher_key(voucher.code): voucher for voucher in map(to_voucher, docs)}
        return {code: found[voucher_key(code)] for code in codes if voucher_key(code) in found}

    async def issue_voucher(self, new: NewVoucher) -> Voucher:
        path = f"/crm/v1/vouchers/{_segment(new.id)}"
        return to_voucher(await self._write("PUT", path, new_voucher_document(new)))

    async def redeem_voucher(self, code: str, *, order_id: str, customer_id: str | None) -> Voucher:
        path = f"/crm/v1/vouchers/{_segment(code)}/redeem"
        body = {"order_id": order_id, "customer_id": customer_id}
        return to_voucher(await self._write("POST", path, body))

    async def release_voucher(self, code: str, *, order_id: str) -> Voucher:
        path = f"/crm/v1/vouchers/{_segment(code)}/release"
        return to_voucher(await self._write("POST", path, {"order_id": order_id}))

    async def record_interaction(self, new: NewInteraction) -> Interaction:
        path = f"/crm/v1/interactions/{_segment(new.id)}"
        return to_interaction(await self._write("PUT", path, new_interaction_document(new)))

    async def link_identifier(
        self, customer_id: str, identifier_type: IdentifierType, value: str, *, source: str | None
    ) -> Customer:
        path = f"/crm/v1/customers/{_segment(customer_id)}/identifiers"
        body = {"type": identifier_type, "value": value, "source": source}
        return to_customer(await self._write("POST", path, body))

    async def send_notification(
        self, customer_id: str, *, key: str, template: str, data: Mapping[str, str]
    ) -> Notification:
        path = f"/crm/v1/notifications/{_segment(key)}"
        body = notification_document(customer_id, template, data)
        return to_notification(await self._write("PUT", path, body))

    async def get_notifications(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Notification]]:
        docs = await self._rest.items("/crm/v1/notifications", {"customer_id": customer_ids})
        grouped: dict[str, list[Notification]] = {id_: [] for id_ in customer_ids}
        for notification in map(to_notification, docs):
            grouped.setdefault(notification.customer_id, []).append(notification)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def _write(self, method: str, path: str, body: Any) -> Any:
        """The JSON answer of a write, renamed; 404 and 409 are refusals with the CRM's code."""
        with translate_http_errors(SOURCE):
            response = await self._client.request(method, path, json=body)
            if response.status_code in (404, 409):
                raise refused(SOURCE, response)
            response.raise_for_status()
            return self._rest.rename(orjson.loads(response.content))


def _segment(value: str) -> str:
    """A key as one path segment: `/`, `?`, `#` and the like escaped."""
    return quote(value, safe="")
