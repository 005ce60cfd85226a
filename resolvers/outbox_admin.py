"""The outbox as an administrator sees it: messages by state, page by page, and dead letters sent again.

Admins only: a message's payload holds customer data, and even its key and error name
orders and customers, so other roles get FORBIDDEN (UNAUTHENTICATED without a token).
Pages are keyset pages by message id, oldest first: a cursor is the id of the message
it follows, so a page does not shift when messages are added or sent meanwhile.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence

from ledger import NoSuchRecord, NotDeadLettered, OutboxMessage, OutboxPage, OutboxState
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.errors import BadUserInput, Refused, ledger_errors
from resolvers.ids import from_global_id
from resolvers.policy import ensure_is_admin

WHAT = "the outbox"
_CURSOR_PREFIX = "outbox:"


def cursor_of(message: OutboxMessage) -> str:
    """The opaque cursor that continues after `message`."""
    return base64.b64encode(f"{_CURSOR_PREFIX}{message.id}".encode()).decode("ascii")


def _after_id(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit():
        raise BadUserInput(f"{cursor!r} is not a cursor this API gave out.", argument="after")
    return int(number)


async def list_messages(
    ctx: RequestContext, states: Sequence[OutboxState] | None, *, first: int, after: str | None
) -> OutboxPage:
    """A page of messages in `states` (every state when None), by id, after the cursor."""
    ensure_is_admin(ctx.viewer, WHAT)
    if not 0 <= first <= ctx.rules.max_page_size:
        raise BadUserInput(
            f"first must be between 0 and {ctx.rules.max_page_size}, got {first}.",
            argument="first",
        )
    after_id = _after_id(after)
    with ledger_errors():
        return await ctx.ledger.outbox.list(states, first=first, after=after_id)


async def summary(ctx: RequestContext) -> Mapping[OutboxState, int]:
    """How many messages are in each state."""
    ensure_is_admin(ctx.viewer, WHAT)
    with ledger_errors():
        return await ctx.ledger.outbox.counts()


async def retry(ctx: RequestContext, global_id: str) -> OutboxMessage:
    """Send a dead-lettered message again from now (attempts from zero), and audit it.

    Refuses OUTBOX_MESSAGE_NOT_FOUND for an id naming no message and OUTBOX_MESSAGE_NOT_DEAD
    for a message that is not dead-lettered (a pending or failed one is retried anyway).
    """
    ensure_is_admin(ctx.viewer, WHAT)
    type_name, key = from_global_id(global_id)
    if type_name != "OutboxMessage" or not key.isdigit():
        raise Refused("OUTBOX_MESSAGE_NOT_FOUND", "No such outbox message.", ("id",))
    with ledger_errors():
        try:
            message = await ctx.ledger.outbox.requeue(int(key))
        except NoSuchRecord:
            raise Refused("OUTBOX_MESSAGE_NOT_FOUND", "No such outbox message.", ("id",)) from None
        except NotDeadLettered as exc:
            raise Refused(
                exc.code,
                f"The message is {exc.state}, not dead-lettered: only a message the outbox "
                "gave up on is sent again by hand.",
                ("id",),
            ) from None
    detail = f"{message.kind} {message.key} sent again after: {message.last_error}"
    await audit.record_quietly(
        ctx, audit.event(ctx, "outbox.requeued", "OutboxMessage", key, detail)
    )
    return message
