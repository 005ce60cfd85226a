"""Errors the gateway's own database raises; callers translate them into coded GraphQL errors.

* LedgerError
  + LedgerUnavailable        the database could not be reached or timed out (try again)
  + IdempotencyKeyReused     a key already names another request (IDEMPOTENCY_KEY_REUSED)
  + NoSuchRecord             a claim, checkout or step refers to nothing that is there (our bug)
  + CheckoutAlreadyStarted   a checkout id was logged twice (the idempotency claim prevents it)
  + LedgerBehind             the database's schema is older than this release's migrations
  + AlreadyRefunded          a return was refunded before (`existing`: that refund)
  + NotDeadLettered          only a dead-lettered outbox message may be requeued (`state`)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.refunds import RefundRecord


class LedgerError(Exception):
    """Something went wrong with the gateway's own database."""

    code = "INTERNAL_ERROR"


class LedgerUnavailable(LedgerError):
    """The database did not answer; nothing was recorded, so the caller may try again."""

    code = "LEDGER_UNAVAILABLE"


class IdempotencyKeyReused(LedgerError):
    """The key was first used for a request with another payload; it cannot name this one."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self, scope: str, key: str) -> None:
        self.scope, self.key = scope, key
        super().__init__(
            f"idempotency key {key!r} was already used for a different request in {scope!r}; "
            "send a new key for a new request, or repeat the first request unchanged"
        )


class NoSuchRecord(LedgerError, LookupError):
    """An update names a record that does not exist or is not in the state it requires."""

    code = "NOT_FOUND"


class CheckoutAlreadyStarted(LedgerError):
    """`start` was called twice with one checkout id."""

    code = "CONFLICT"


class LedgerBehind(LedgerError):
    """The database has not been migrated to this release's schema."""

    code = "LEDGER_BEHIND"

    def __init__(self, current: str | None, head: str) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"the gateway's database is at revision {current or 'none (empty)'}, this release "
            f"needs {head}: run `commerce-gateway db upgrade`"
        )


class AlreadyRefunded(LedgerError):
    """The return has a refund already; `existing` is that refund, and nothing was written."""

    code = "ALREADY_REFUNDED"

    def __init__(self, existing: RefundRecord) -> None:
        self.existing = existing
        super().__init__(
            f"return {existing.return_id!r} was refunded already ({existing.amount} "
            f"{existing.currency} at {existing.at.isoformat()}); a return is refunded once"
        )


class NotDeadLettered(LedgerError):
    """A requeue named an outbox message that is not dead-lettered (it is `state`)."""

    code = "OUTBOX_MESSAGE_NOT_DEAD"

    def __init__(self, message_id: int, state: str) -> None:
        self.message_id, self.state = message_id, state
        super().__init__(
            f"outbox message {message_id} is {state}, not dead-lettered: only a message the "
            "outbox gave up on is requeued (a pending or failed one is retried anyway)"
        )
