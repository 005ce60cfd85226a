"""The inventory's part of the OpenAPI documents: its document schemas and its operations."""

from __future__ import annotations

from typing import Any

from backoffice.openapi.paths import _ERROR, PathItem, _responses, batch_read, health
from backoffice.openapi.schemas import (
    BOOLEAN,
    INTEGER,
    NUMBER,
    STRING,
    TIMESTAMP,
    Schema,
    array,
    nullable,
    record,
    ref,
)

SCHEMAS: dict[str, Schema] = {
    "Location": record(
        "A store, distribution centre or partner warehouse; `footfall` is visitors per day.",
        {
            "id": STRING,
            "code": STRING,
            "name": STRING,
            "type": {"type": "string", "examples": ["STORE", "DISTRIBUTION_CENTER", "PARTNER"]},
            "address": nullable(ref("Address")),
            "geo": nullable(ref("GeoPoint")),
            "click_and_collect": BOOLEAN,
            "ship_from_store": BOOLEAN,
            "channels": array(STRING),
            "footfall": nullable(INTEGER),
        },
    ),
    "Address": record(
        "A postal address.",
        {
            "line1": STRING,
            "line2": nullable(STRING),
            "postal_code": STRING,
            "city": STRING,
            "country": STRING,
        },
    ),
    "GeoPoint": record("A WGS84 coordinate.", {"latitude": NUMBER, "longitude": NUMBER}),
    "StockLevel": record(
        "Units of one variant at one location; `as_of` is when the figure was read, "
        "`updated_at` when the stock last moved. A pair without stock is absent.",
        {
            "variant_id": STRING,
            "location_id": STRING,
            "quantity": INTEGER,
            "as_of": TIMESTAMP,
            "updated_at": TIMESTAMP,
        },
    ),
    "Reservation": record(
        "Units taken from stock for a checkout: RESERVED, then COMMITTED to an order or "
        "RELEASED back to stock. A RELEASED reservation without lines is the release of an "
        "id that was never reserved, kept so that a late reserve of that id is refused.",
        {
            "id": STRING,
            "status": {"type": "string", "enum": ["RESERVED", "RELEASED", "COMMITTED"]},
            "reference": nullable(STRING),
            "order_id": nullable(STRING),
            "created_at": TIMESTAMP,
            "updated_at": TIMESTAMP,
            "lines": array(ref("ReservationLine")),
        },
    ),
    "ReservationLine": record(
        "Units of one variant at one location.",
        {
            "variant_id": STRING,
            "location_id": STRING,
            "quantity": {"type": "integer", "minimum": 1},
        },
    ),
    "ReservationRequest": {
        "type": "object",
        "description": "The lines to reserve, all or none; lines of one variant and location "
        "count together. `reference` is the caller's, e.g. its checkout id.",
        "properties": {
            "lines": {**array(ref("ReservationLine")), "minItems": 1},
            "reference": nullable({"type": "string", "maxLength": 64}),
        },
        "required": ["lines"],
        "additionalProperties": False,
    },
    "RestockRequest": record(
        "The units to put (back) into stock; lines of one variant and location count together.",
        {"lines": {**array(ref("ReservationLine")), "minItems": 1}},
    ),
    "Restock": record(
        "Units put (back) into stock under the caller's reference, once.",
        {"reference": STRING, "created_at": TIMESTAMP, "lines": array(ref("ReservationLine"))},
    ),
    "CommitRequest": record(
        "The order that now owns the reserved units.",
        {"order_id": {"type": "string", "maxLength": 64}},
    ),
    "Shortage": record(
        "A line that cannot be reserved: `available` units of the `requested`.",
        {"variant_id": STRING, "location_id": STRING, "requested": INTEGER, "available": INTEGER},
    ),
    "ReservationError": {
        "type": "object",
        "description": "A refused reservation: INSUFFICIENT_STOCK lists every short line in "
        "`shortages` (nothing was reserved); RESERVATION_CONFLICT means the id is taken by "
        "other lines, or the reservation cannot move that way.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": ["INSUFFICIENT_STOCK", "RESERVATION_CONFLICT"],
                    },
                    "message": STRING,
                    "shortages": array(ref("Shortage")),
                },
                "required": ["code", "message"],
                "additionalProperties": False,
            }
        },
        "required": ["error"],
        "additionalProperties": False,
    },
}


def _reservation_write(
    operation_id: str,
    summary: str,
    description: str,
    *,
    body: str | None = None,
    not_found: bool = False,
) -> dict[str, Any]:
    """A write to one reservation, keyed by the id in its path (so it may be sent again)."""
    responses = _responses(ref("Reservation"), "The reservation as it now stands.")
    responses["409"] = {
        "description": "INSUFFICIENT_STOCK (with `shortages`) or RESERVATION_CONFLICT.",
        "content": {"application/json": {"schema": ref("ReservationError")}},
    }
    if not_found:
        responses["404"] = {"description": "No reservation has this id.", "content": _ERROR}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "The reservation id the client chose, e.g. its checkout id.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 64},
            }
        ],
        "responses": dict(sorted(responses.items())),
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return operation


PATHS: dict[str, PathItem] = {
    "/inventory/v1/locations": batch_read(
        resource="locations",
        item="Location",
        summary="Locations by id, or every location of some types",
        description="With `id`, the locations with these ids; without it, every location "
        "(of the types given, all types when none), ordered by code.",
        keys=[
            ("id", "Location ids, e.g. s01, dc1."),
            ("type", "Location types to list: STORE, DISTRIBUTION_CENTER, PARTNER."),
        ],
    ),
    "/inventory/v1/stock": batch_read(
        resource="stock",
        item="StockLevel",
        summary="Stock of variants at locations",
        description="Stock of each variant at each location, by variant and location id; a "
        "pair without stock is absent.",
        keys=[
            ("variant_id", "Variant ids, e.g. v000001."),
            ("location_id", "Location ids, e.g. s01."),
        ],
        alternatives=False,
    ),
    "/inventory/v1/reservations": batch_read(
        resource="reservations",
        item="Reservation",
        summary="Reservations by id",
        description="Reservations with their status and lines; a released unknown id reads as "
        "a RELEASED reservation without lines.",
        keys=[("id", "Reservation ids, as the client chose them.")],
    ),
    "/inventory/v1/reservations/{id}": {
        "put": _reservation_write(
            "reserve",
            "Reserve stock under an id (all lines or none)",
            "Takes every line's units in one transaction, or none: a short line fails the "
            "whole request with INSUFFICIENT_STOCK listing every short line. Idempotent by id: "
            "the same id with the same lines answers the existing reservation and takes "
            "nothing more; other lines, or an id already released, are RESERVATION_CONFLICT.",
            body="ReservationRequest",
        )
    },
    "/inventory/v1/reservations/{id}/release": {
        "post": _reservation_write(
            "release_reservation",
            "Release a reservation: its units go back to stock",
            "Idempotent: the units go back once. An unknown id is recorded as RELEASED, so "
            "that a reserve of it arriving later is refused and takes nothing. A committed "
            "reservation is RESERVATION_CONFLICT.",
        )
    },
    "/inventory/v1/reservations/{id}/commit": {
        "post": _reservation_write(
            "commit_reservation",
            "Commit a reservation to the order that now owns its units",
            "Idempotent for the same order; another order, or a released reservation, is "
            "RESERVATION_CONFLICT; an unknown id NOT_FOUND.",
            body="CommitRequest",
            not_found=True,
        )
    },
    "/inventory/v1/restocks/{reference}": {
        "put": {
            "operationId": "restock",
            "summary": "Put units (back) into stock, once per reference",
            "description": "Adds every line's units at its location in one transaction, "
            "creating the stock row of a variant the location held none of (a returned item "
            "that can be sold again goes back where it was received). Idempotent by "
            "reference: the same reference with the same lines answers the first restock and "
            "moves nothing; with other lines it is RESERVATION_CONFLICT. Unknown locations "
            "are UNKNOWN_ITEMS, and nothing moves.",
            "parameters": [
                {
                    "name": "reference",
                    "in": "path",
                    "required": True,
                    "description": "The caller's key of this restock, e.g. return:rt-7f3a.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 64},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref("RestockRequest")}},
            },
            "responses": dict(
                sorted(
                    {
                        **_responses(
                            ref("Restock"),
                            "The restock (the first one, for a repeat).",
                            unknown_items=True,
                        ),
                        "409": {
                            "description": "The reference was restocked with other lines "
                            "(RESERVATION_CONFLICT).",
                            "content": {"application/json": {"schema": ref("ReservationError")}},
                        },
                    }.items()
                )
            ),
        }
    },
    "/inventory/v1/health": health("inventory"),
}
