"""The loyalty adapter that calls the reference back office's service layer in-process."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backoffice.loyalty.service import LoyaltyService
from connectors._embedded import translate_service_errors
from connectors.loyalty.mapping import SOURCE, to_account
from connectors.loyalty.records import LoyaltyAccount


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
