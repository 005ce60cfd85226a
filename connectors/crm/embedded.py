"""The CRM adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backoffice.crm.service import CrmService
from connectors._embedded import translate_service_errors
from connectors.crm.mapping import (
    SOURCE,
    identifier_key,
    to_customer,
    to_identifier_match,
    to_interaction,
    to_voucher,
)
from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher


class EmbeddedCrmConnector:
    """A `CrmConnector` over the reference CRM running in this process."""

    def __init__(self, service: CrmService) -> None:
        self._service = service

    async def get_customers(self, ids: Sequence[str]) -> Mapping[str, Customer]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_customers(list(ids))
        customers = {customer.id: customer for customer in map(to_customer, docs)}
        return {id_: customers[id_] for id_ in ids if id_ in customers}

    async def find_customers(
        self, identifiers: Sequence[tuple[IdentifierType, str]]
    ) -> Mapping[tuple[IdentifierType, str], str]:
        with translate_service_errors(SOURCE):
            docs = await self._service.find_customers(
                [{"type": type_, "value": value} for type_, value in identifiers]
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
        with translate_service_errors(SOURCE):
            docs = await self._service.get_interactions(list(customer_ids))
        grouped: dict[str, list[Interaction]] = {id_: [] for id_ in customer_ids}
        for interaction in map(to_interaction, docs):
            grouped.setdefault(interaction.customer_id, []).append(interaction)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}

    async def get_vouchers(self, customer_ids: Sequence[str]) -> Mapping[str, Sequence[Voucher]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_vouchers(list(customer_ids))
        grouped: dict[str, list[Voucher]] = {id_: [] for id_ in customer_ids}
        for voucher in map(to_voucher, docs):
            grouped.setdefault(voucher.customer_id, []).append(voucher)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}
