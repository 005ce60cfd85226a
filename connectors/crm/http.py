"""The CRM adapter that calls a CRM over its REST API (`backoffice/openapi/crm.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.crm.mapping import (
    SOURCE,
    identifier_key,
    to_customer,
    to_identifier_match,
    to_interaction,
    to_voucher,
)
from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher


class HttpCrmConnector:
    """A `CrmConnector` over HTTP: one request per batch (per `max_batch` keys).

    Identifiers travel as `TYPE:value`. `mapping` renames top-level document fields.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
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
