"""Idempotency keys of mutations: checked, claimed, and refused in words the client can act on.

A mutation that moves money or stock takes a key chosen by the client. The first request
with a key claims it in the gateway's database (ledger/idempotency.py); a repeat with the
same input gets the first result, a repeat with other input IDEMPOTENCY_KEY_REUSED, and a
repeat while the first still runs `<WHAT>_IN_PROGRESS`, to be sent again in a moment.
"""

from __future__ import annotations

from ledger import Claim, IdempotencyKeyReused
from resolvers.context import RequestContext
from resolvers.errors import Refused

#: Longest idempotency key accepted (Stripe's limit).
MAX_KEY_LENGTH = 255


def checked_key(key: str, field: tuple[str, ...]) -> str:
    """The key without surrounding spaces; INVALID_IDEMPOTENCY_KEY when empty or too long."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Refused(
            "INVALID_IDEMPOTENCY_KEY",
            f"The idempotency key must be 1 to {MAX_KEY_LENGTH} characters.",
            field,
        )
    return key


async def claim(
    ctx: RequestContext,
    scope: str,
    key: str,
    printed: str,
    *,
    field: tuple[str, ...],
    what: str,
    refuse_in_progress: bool = True,
) -> Claim:
    """Claim `key` in `scope` for the request `printed` (`ledger.fingerprint` of its input).

    A `done` claim carries the first result. Raises `Refused` with IDEMPOTENCY_KEY_REUSED
    (another request used the key) or `<WHAT>_IN_PROGRESS` (the first attempt has not
    finished), unless the caller can safely run alongside it (`refuse_in_progress=False`:
    its write is keyed by an id that derives from the key).
    """
    try:
        claimed = await ctx.ledger.idempotency.begin(scope, key, printed)
    except IdempotencyKeyReused as exc:
        raise Refused(
            "IDEMPOTENCY_KEY_REUSED",
            f"This idempotency key was used for another {what.lower()}; use a new key.",
            field,
        ) from exc
    if claimed.state == "in_progress" and refuse_in_progress:
        raise Refused(
            f"{what.upper()}_IN_PROGRESS",
            f"A {what.lower()} with this key is still running; send it again in a moment.",
            field,
        )
    return claimed
