"""The outbox for administrators: what the gateway still owes other systems, and dead letters sent again."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from ledger import OutboxMessage as OutboxRecord
from ledger import OutboxState as LedgerState
from resolvers import outbox_admin
from resolvers.errors import Refused
from resolvers.ids import to_global_id
from schema.common import PageInfo, UserError
from schema.info import Info


@strawberry.enum(description="Where an outbox message is in its delivery.")
class OutboxState(Enum):
    PENDING = strawberry.enum_value(
        "PENDING",
        description="Not delivered yet: waiting for its first delivery, being delivered, or "
        "sent again by an admin.",
    )
    FAILED = strawberry.enum_value(
        "FAILED",
        description="A delivery failed for a reason that may pass (its system was away or "
        "slow); it is delivered again from `nextAttemptAt`.",
    )
    DEAD_LETTERED = strawberry.enum_value(
        "DEAD_LETTERED",
        description="Given up on: its system refused it for good, or it still failed after "
        "the most attempts. `outboxMessageRetry` sends it again.",
    )
    SENT = strawberry.enum_value(
        "SENT", description="Delivered; kept for `outbox.sent_retention_days`, then deleted."
    )


#: The ledger's name of each state.
LEDGER_STATES: dict[OutboxState, LedgerState] = {
    OutboxState.PENDING: "pending",
    OutboxState.FAILED: "failed",
    OutboxState.DEAD_LETTERED: "dead",
    OutboxState.SENT: "sent",
}
_STATES = {ledger: state for state, ledger in LEDGER_STATES.items()}


@strawberry.type(
    description="A message the gateway owes another system (e.g. loyalty points to take back "
    "after a refund), written with the change it announces and delivered until it lands. "
    "Its payload (customer data) is not shown."
)
class OutboxMessage:
    id: strawberry.ID = strawberry.field(description="The message's id, for `outboxMessageRetry`.")
    kind: str = strawberry.field(
        description='What the message does, e.g. "loyalty.reverse": the handler that sends it.'
    )
    key: str = strawberry.field(
        description="Its idempotency key, passed to the target system, which applies it once."
    )
    state: OutboxState = strawberry.field(description="Where it is in its delivery.")
    attempts: int = strawberry.field(
        description="Deliveries started so far (counted from zero again when sent again by hand)."
    )
    next_attempt_at: datetime = strawberry.field(
        description="When it is due: its next retry, or the end of the lease of the worker "
        "delivering it (past that, another worker sends it)."
    )
    last_error: str | None = strawberry.field(
        description="Why the last failed delivery failed; null if none failed."
    )
    created_at: datetime = strawberry.field(description="When it was written.")
    sent_at: datetime | None = strawberry.field(
        description="When it was delivered; null until then."
    )

    @classmethod
    def from_record(cls, record: OutboxRecord) -> OutboxMessage:
        return cls(
            id=strawberry.ID(to_global_id("OutboxMessage", str(record.id))),
            kind=record.kind,
            key=record.key,
            state=_STATES[record.state],
            attempts=record.attempts,
            next_attempt_at=record.next_attempt_at,
            last_error=record.last_error,
            created_at=record.created_at,
            sent_at=record.sent_at,
        )


@strawberry.type(description="An outbox message in a page of them.")
class OutboxMessageEdge:
    node: OutboxMessage = strawberry.field(description="The message.")
    cursor: str = strawberry.field(description="Pass as `after` to continue after this message.")


@strawberry.type(description="A page of outbox messages, oldest first.")
class OutboxMessageConnection:
    edges: list[OutboxMessageEdge] = strawberry.field(description="The messages of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")


@strawberry.type(description="How many outbox messages are in each state.")
class OutboxSummary:
    pending: int = strawberry.field(description="Not delivered yet.")
    failed: int = strawberry.field(description="Failed, to be delivered again.")
    dead_lettered: int = strawberry.field(description="Given up on; an admin may send them again.")
    sent: int = strawberry.field(description="Delivered and not yet deleted.")


@strawberry.type(description="The message after `outboxMessageRetry`, or why nothing changed.")
class OutboxMessagePayload:
    message: OutboxMessage | None = strawberry.field(
        description="The message, pending again; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing changed: OUTBOX_MESSAGE_NOT_FOUND, OUTBOX_MESSAGE_NOT_DEAD. "
        "Empty on success."
    )


@strawberry.type
class OutboxQuery:
    """Root fields of the outbox (administrators only)."""

    @strawberry.field(
        description="Outbox messages in these states (all when omitted), oldest first. "
        "Administrators only: FORBIDDEN for every other role."
    )
    async def outbox_messages(
        self,
        info: Info,
        states: Annotated[
            list[OutboxState] | None,
            strawberry.argument(description="Only messages in these states."),
        ] = None,
        first: Annotated[int | None, strawberry.argument(description="Page size, 0 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor of the message to continue after.")
        ] = None,
    ) -> OutboxMessageConnection:
        page = await outbox_admin.list_messages(
            info.context,
            [LEDGER_STATES[state] for state in states] if states is not None else None,
            first=20 if first is None else first,
            after=after,
        )
        edges = [
            OutboxMessageEdge(
                node=OutboxMessage.from_record(record), cursor=outbox_admin.cursor_of(record)
            )
            for record in page.messages
        ]
        return OutboxMessageConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=edges[-1].cursor if edges else None,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
            ),
        )

    @strawberry.field(
        description="How many outbox messages are in each state. Administrators only."
    )
    async def outbox_summary(self, info: Info) -> OutboxSummary:
        counts = await outbox_admin.summary(info.context)
        return OutboxSummary(
            pending=counts["pending"],
            failed=counts["failed"],
            dead_lettered=counts["dead"],
            sent=counts["sent"],
        )


@strawberry.type
class OutboxMutation:
    """Mutations of the outbox (administrators only)."""

    @strawberry.mutation(
        description="Send a dead-lettered message again, from now, its attempts counted from "
        "zero (e.g. once the refusal's cause is fixed). Administrators only. Audited."
    )
    async def outbox_message_retry(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The message's id.")],
    ) -> OutboxMessagePayload:
        try:
            record = await outbox_admin.retry(info.context, id)
        except Refused as refusal:
            return OutboxMessagePayload(message=None, user_errors=[UserError.from_refusal(refusal)])
        return OutboxMessagePayload(message=OutboxMessage.from_record(record), user_errors=[])
