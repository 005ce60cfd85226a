"""The inventory adapter that calls an inventory system over its REST API (`backoffice/openapi/inventory.json`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from connectors._documents import array, contract, string
from connectors._http import MAX_BATCH, RestSource, keyed, translate_http_errors
from connectors.errors import (
    ConnectorError,
    InsufficientStock,
    ReservationConflict,
    SourceRejected,
)
from connectors.inventory.mapping import (
    SOURCE,
    reservation_lines,
    restock_reference,
    to_location,
    to_reservation,
    to_shortage,
    to_stock_levels,
)
from connectors.inventory.records import (
    Location,
    LocationType,
    Reservation,
    ReservationLine,
    StockLevel,
)


class HttpInventoryConnector:
    """An `InventoryConnector` over HTTP: one request per batch (per `max_batch` variants).

    Like the embedded adapter, `get_stock` answers every requested variant, with an empty
    sequence where no location holds it. Stock requests split the variant list only; the
    location list goes whole into each. `mapping` renames top-level document fields.

    Reservation writes go to `/inventory/v1/reservations/{id}` (the id escaped as one path
    segment), restocks to `/inventory/v1/restocks/{reference}`; a 409 answer becomes
    `InsufficientStock` (its `shortages` read from the error document) or
    `ReservationConflict`, as the embedded adapter raises them.
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

    async def get_locations(self, ids: Sequence[str]) -> Mapping[str, Location]:
        docs = await self._rest.items("/inventory/v1/locations", {"id": ids})
        return keyed(ids, map(to_location, docs), lambda location: location.id)

    async def list_locations(self, types: Sequence[LocationType] | None) -> Sequence[Location]:
        if types is not None and not types:
            return ()  # no type asked for: none (the API would read no types as all)
        docs = await self._rest.listing(
            "/inventory/v1/locations", {"type": None if types is None else list(types)}
        )
        return tuple(map(to_location, docs))

    async def get_stock(
        self, variant_ids: Sequence[str], location_ids: Sequence[str]
    ) -> Mapping[str, Sequence[StockLevel]]:
        grouped: dict[str, list[StockLevel]] = {id_: [] for id_ in variant_ids}
        if variant_ids and location_ids:
            docs = await self._rest.items(
                "/inventory/v1/stock", {"variant_id": variant_ids, "location_id": location_ids}
            )
            for level in to_stock_levels(docs):
                if level.variant_id in grouped:
                    grouped[level.variant_id].append(level)
        return {id_: tuple(levels) for id_, levels in grouped.items()}

    async def reserve(
        self,
        reservation_id: str,
        lines: Sequence[ReservationLine],
        *,
        reference: str | None = None,
    ) -> Reservation:
        body = {"lines": reservation_lines(lines), "reference": reference}
        return await self._write("PUT", _path(reservation_id), body)

    async def release(self, reservation_id: str) -> Reservation:
        return await self._write("POST", _path(reservation_id, "release"), None)

    async def commit(self, reservation_id: str, *, order_id: str) -> Reservation:
        return await self._write("POST", _path(reservation_id, "commit"), {"order_id": order_id})

    async def restock(self, reference: str, lines: Sequence[ReservationLine]) -> None:
        path = f"/inventory/v1/restocks/{quote(reference, safe='')}"
        restock_reference(await self._send("PUT", path, {"lines": reservation_lines(lines)}))

    async def get_reservations(self, ids: Sequence[str]) -> Mapping[str, Reservation]:
        docs = await self._rest.items("/inventory/v1/reservations", {"id": ids})
        return keyed(ids, map(to_reservation, docs), lambda reservation: reservation.id)

    async def _write(self, method: str, path: str, body: Any) -> Reservation:
        return to_reservation(await self._send(method, path, body))

    async def _send(self, method: str, path: str, body: Any) -> Any:
        """The renamed JSON answer of a write; a 409 is the refusal its error code names."""
        with translate_http_errors(SOURCE):
            response = await self._client.request(method, path, json=body)
            if response.status_code == 409:
                raise _refusal(response)
            response.raise_for_status()
            return self._rest.rename(orjson.loads(response.content))


def _path(reservation_id: str, action: str | None = None) -> str:
    path = f"/inventory/v1/reservations/{quote(reservation_id, safe='')}"
    return path if action is None else f"{path}/{action}"


def _refusal(response: httpx.Response) -> ConnectorError:
    """The connector error a 409 answer stands for."""
    with contract(SOURCE, "error"):
        error = orjson.loads(response.content)["error"]
        code, message = string(error["code"]), string(error["message"])
        if code == "INSUFFICIENT_STOCK":
            return InsufficientStock(SOURCE, [to_shortage(s) for s in array(error["shortages"])])
        if code == "RESERVATION_CONFLICT":
            return ReservationConflict(SOURCE, message)
        request = f"{response.request.method} {response.request.url.path}"
        return SourceRejected(SOURCE, f"{request} answered 409 {code}: {message}")
