"""The loyalty adapter that calls a loyalty system over its REST API (`backoffice/openapi/loyalty.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import orjson

from connectors._http import MAX_BATCH, RestSource, keyed, translate_http_errors
from connectors.errors import NoLoyaltyAccount
from connectors.loyalty.mapping import SOURCE, to_account, to_entry
from connectors.loyalty.records import LoyaltyAccount, PointsEntry


class HttpLoyaltyConnector:
    """A `LoyaltyConnector` over HTTP: one request per batch (per `max_batch` keys), one per booking.

    `mapping` renames the account and entry documents' fields to the reference names.
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

    async def get_accounts(self, customer_ids: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        docs = await self._rest.items("/loyalty/v1/accounts", {"customer_id": customer_ids})
        return keyed(customer_ids, map(to_account, docs), lambda account: account.customer_id)

    async def find_by_card(self, card_numbers: Sequence[str]) -> Mapping[str, LoyaltyAccount]:
        docs = await self._rest.items("/loyalty/v1/accounts", {"card_number": card_numbers})
        return keyed(card_numbers, map(to_account, docs), lambda account: account.card_number)

    async def earn(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        return await self._book(
            "/loyalty/v1/entries/earn", customer_id, points, reference, reason, order_number
        )

    async def reverse(
        self,
        customer_id: str,
        *,
        points: int,
        reference: str,
        reason: str | None = None,
        order_number: str | None = None,
    ) -> PointsEntry:
        return await self._book(
            "/loyalty/v1/entries/reverse", customer_id, points, reference, reason, order_number
        )

    async def get_entries(self, references: Sequence[str]) -> Mapping[str, PointsEntry]:
        docs = await self._rest.items("/loyalty/v1/entries", {"reference": references})
        return keyed(references, map(to_entry, docs), lambda entry: entry.reference)

    async def _book(
        self,
        path: str,
        customer_id: str,
        points: int,
        reference: str,
        reason: str | None,
        order_number: str | None,
    ) -> PointsEntry:
        body: dict[str, Any] = {
            "customer_id": customer_id,
            "points": points,
            "reference": reference,
            "order_number": order_number,
        }
        if reason is not None:
            body["reason"] = reason
        with translate_http_errors(SOURCE):
            response = await self._client.post(path, json=body)
            # NO_ACCOUNT is an answer the caller acts on; any other 404 (a loyalty system
            # without this route) stays the rejection `raise_for_status` makes of it.
            if response.status_code == 404 and _error_code(response) == NoLoyaltyAccount.code:
                raise NoLoyaltyAccount(SOURCE, customer_id)
            response.raise_for_status()
            doc = self._rest.rename(orjson.loads(response.content))
        return to_entry(doc)


def _error_code(response: httpx.Response) -> object:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None
