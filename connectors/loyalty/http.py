"""The loyalty adapter that calls a loyalty system over its REST API (`backoffice/openapi/loyalty.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from connectors._http import MAX_BATCH, RestSource, keyed
from connectors.loyalty.mapping import SOURCE, to_account
from connectors.loyalty.records import LoyaltyAccount


class HttpLoyaltyConnector:
    """A `LoyaltyConnector` over HTTP: one request per batch (per `max_batch` keys).

    `mapping` renames the account documents' fields to the reference names.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._rest = RestSource(client, SOURCE, mapping=mapping, max_batch=max_batch)

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        docs = await self._rest.items("/loyalty/v1/accounts", {"customer_id": customer_ids})
        return keyed(customer_ids, map(to_account, docs), lambda account: account.customer_id)

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        docs = await self._rest.items("/loyalty/v1/accounts", {"card_number": card_numbers})
        return keyed(card_numbers, map(to_account, docs), lambda account: account.card_number)
