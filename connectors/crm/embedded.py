"""The CRM adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from backoffice.crm.service import CrmService
from backoffice.errors import Conflict, NotFound
from connectors._embedded import translate_service_errors
from connectors.crm.mapping import (
    SOURCE,
    identifier_key,
    new_interaction_document,
    new_voucher_document,
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
from connectors.errors import refusal


@contextmanager
def _translated() -> Iterator[None]:
    """The service's errors as the HTTP twin raises them: 404/409 refusals keep their code."""
    with translate_service_errors(SOURCE):
        try:
            yield
        except (NotFound, Conflict) as exc:
            raise refusal(SOURCE, exc.code, str(exc)) from exc


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

    async def get_vouchers_by_code(self, codes: Sequence[str]) -> Mapping[str, Voucher]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_vouchers_by_code(list(codes))
        found = {voucher_key(voucher.code): voucher for voucher in map(to_voucher, docs)}
        return {code: found[voucher_key(code)] for code in codes if voucher_key(code) in found}

    async def issue_voucher(self, new: NewVoucher) -> Voucher:
        with _translated():
            doc = await self._service.issue_voucher(new.id, **new_voucher_document(new))
        return to_voucher(doc)

    async def redeem_voucher(self, code: str, *, order_id: str, customer_id: str | None) -> Voucher:
        with _translated():
            doc = await self._service.redeem_voucher(
                code, order_id=order_id, customer_id=customer_id
            )
        return to_voucher(doc)

    async def release_voucher(self, code: str, *, order_id: str) -> Voucher:
        with _translated():
            doc = await self._service.release_voucher(code, order_id=order_id)
        return to_voucher(doc)

    async def record_interaction(self, new: NewInteraction) -> Interaction:
        with _translated():
            doc = await self._service.record_interaction(new.id, **new_interaction_document(new))
        return to_interaction(doc)

    async def link_identifier(
        self, customer_id: str, identifier_type: IdentifierType, value: str, *, source: str | None
    ) -> Customer:
        with _translated():
            doc = await self._service.link_identifier(
                customer_id, type_=identifier_type, value=value, source=source
            )
        return to_customer(doc)

    async def send_notification(
        self, customer_id: str, *, key: str, template: str, data: Mapping[str, str]
    ) -> Notification:
        with _translated():
            doc = await self._service.send_notification(
                customer_id, key=key, template=template, data=dict(data)
            )
        return to_notification(doc)

    async def get_notifications(
        self, customer_ids: Sequence[str]
    ) -> Mapping[str, Sequence[Notification]]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_notifications(list(customer_ids))
        grouped: dict[str, list[Notification]] = {id_: [] for id_ in customer_ids}
        for notification in map(to_notification, docs):
            grouped.setdefault(notification.customer_id, []).append(notification)
        return {id_: tuple(grouped[id_]) for id_ in customer_ids}
