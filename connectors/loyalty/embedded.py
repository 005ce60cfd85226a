"""The loyalty adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from backoffice.errors import NoAccount
from backoffice.loyalty.service import Document, LoyaltyService
from connectors._embedded import translate_service_errors
from connectors.errors import NoLoyaltyAccount
from connectors.loyalty.mapping import SOURCE, to_account, to_entry
from connectors.loyalty.records import LoyaltyAccount, PointsEntry


class EmbeddedLoyaltyConnector:
    """A `LoyaltyConnector` over the reference loyalty system running in this process."""

    def __init__(self, service: LoyaltyService) -> None:
        self._service = service

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_accounts(list(customer_ids))
        accounts = {account.customer_id: account for account in map(to_account, docs)}
        return {id_: accounts[id_] for id_ in customer_ids if id_ in accounts}

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        with translate_service_errors(SOURCE):
            docs = await self._service.find_by_card(list(card_numbers))
        accounts = {account.card_number: account for account in map(to_account, docs)}
        return {number: accounts[number] for number in card_numbers if number in accounts}

    async def earn(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        return await _book(self._service.earn, customer_id, points, reference, reason, order_number)

    async def reverse(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        return await _book(
            self._service.reverse, customer_id, points, reference, reason, order_number
        )

    async def get_entries(self, references: Sequence[str]) -> Mapping[str, PointsEntry]:
        with translate_service_errors(SOURCE):
            docs = await self._service.get_entries(list(references))
        entries = {entry.reference: entry for entry in map(to_entry, docs)}
        return {ref: entries[ref] for ref in references if ref in entries}


async def _book(
    book: Callable[..., Awaitable[Document]],
    customer_id: str,
    points: int,
    reference: str,
    reason: str | None,
    order_number: str | None,
) -> PointsEntry:
    # None leaves the reason to the loyalty system, as the HTTP twin's absent field does.
    options: dict[str, Any] = {} if reason is None else {"reason": reason}
    with translate_service_errors(SOURCE):
        try:
            doc = await book(
                customer_id,
                points=points,
                reference=reference,
                order_number=order_number,
                **options,
            )
        except NoAccount as exc:
            raise NoLoyaltyAccount(SOURCE, exc.customer_id) from exc
    return to_entry(doc)
