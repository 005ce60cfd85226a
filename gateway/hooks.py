"""The cache-invalidation webhook: source systems tell the gateway what changed.

`POST /hooks/invalidate` with a JSON body `{"source": "pim", "entity": "product",
"keys": ["p00001"]}` (or `{"events": [...]}`), signed with the shared webhook secret:

    X-Gateway-Timestamp: <unix seconds>
    X-Gateway-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">

The timestamp bounds replays to five minutes. Accepted events are published on the
invalidation bus, which reaches every gateway instance (Redis pub/sub in production).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.invalidation import InvalidationBus, InvalidationEvent

MAX_SKEW_SECONDS = 300
MAX_KEYS = 10_000


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value a source sends for `body` at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _problem(status: int, code: str, message: str) -> Response:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def parse_events(payload: Any, sources: Sequence[str]) -> list[InvalidationEvent]:
    """Events from a webhook body; raises ValueError saying what is wrong."""
    items = payload.get("events", [payload]) if isinstance(payload, dict) else None
    if not isinstance(items, list) or not items:
        raise ValueError('expected {"source", "entity", "keys"} or {"events": [...]}')
    events = []
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each event is an object")
        source, entity, keys = item.get("source"), item.get("entity"), item.get("keys")
        if source not in sources:
            raise ValueError(f"source must be one of {', '.join(sources)}; got {source!r}")
        if not isinstance(entity, str) or not entity:
            raise ValueError("entity must be a non-empty string, e.g. 'product'")
        if not isinstance(keys, list) or not all(isinstance(k, str) and k for k in keys):
            raise ValueError("keys must be a list of non-empty strings")
        if len(keys) > MAX_KEYS:
            raise ValueError(f"at most {MAX_KEYS} keys per event")
        events.append(InvalidationEvent(str(source), entity, keys))
    return events


def invalidation_endpoint(
    *,
    secret: str | None,
    sources: Sequence[str],
    bus: Callable[[], InvalidationBus],
    clock: Callable[[], float] = time.time,
) -> Callable[[Request], Any]:
    """The Starlette endpoint for `POST /hooks/invalidate`.

    `clock` is the real one, not the process's (`kernel.clock`): senders sign with theirs,
    and the allowed skew bounds a replay in real seconds.
    """

    async def endpoint(request: Request) -> Response:
        if not secret:
            return _problem(404, "WEBHOOKS_DISABLED", "No webhook secret is configured.")
        body = await request.body()
        timestamp = request.headers.get("x-gateway-timestamp", "")
        signature = request.headers.get("x-gateway-signature", "")
        if not timestamp.isdigit() or abs(clock() - int(timestamp)) > MAX_SKEW_SECONDS:
            return _problem(401, "UNAUTHENTICATED", "Missing or stale X-Gateway-Timestamp.")
        if not hmac.compare_digest(signature, sign(secret, timestamp, body)):
            return _problem(401, "UNAUTHENTICATED", "The X-Gateway-Signature does not match.")
        try:
            events = parse_events(json.loads(body), sources)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError too
            return _problem(400, "BAD_USER_INPUT", str(exc))
        for event in events:
            await bus().publish(event)
        return JSONResponse({"accepted": len(events)}, status_code=202)

    return endpoint
