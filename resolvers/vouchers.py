"""Vouchers: issued by customer service with a reason, checked before a checkout spends them.

* `issue_voucher` (service and admin): the rules of `resolvers/voucher_rules.py`, a code
  the CRM picks, expiry `vouchers.validity_days` from now. With an idempotency key, the
  voucher's id derives from the key, so a retry — even one racing the first, or after a
  crash — issues the same voucher in the CRM; the ledger's record answers a repeat with the
  first voucher and refuses the key for another voucher (IDEMPOTENCY_KEY_REUSED). The
  customer is sent the code (a CRM notification, once per voucher) and the issue is audited
  on the customer.
* `vouchers_for_checkout` reads the codes a checkout names, live, and refuses any that
  cannot be spent on this cart's order before anything is written: VOUCHER_NOT_FOUND,
  VOUCHER_NOT_YOURS (issued to another customer, or an anonymous cart), VOUCHER_REDEEMED,
  VOUCHER_EXPIRED, TOO_MANY_VOUCHERS. The CRM checks again when the saga redeems them:
  of two checkouts racing for one voucher, exactly one gets it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from connectors.crm.records import NewVoucher, Voucher
from connectors.errors import ConnectorError, NotFound
from kernel.money import round_money
from ledger import NoSuchRecord, fingerprint
from resolvers import audit
from resolvers.context import RequestContext
from resolvers.errors import (
    Forbidden,
    Refused,
    Unauthenticated,
    ledger_errors,
    refusals,
    source_errors,
)
from resolvers.idempotent import checked_key, claim
from resolvers.ids import key_of
from resolvers.voucher_rules import MAX_REASON_LENGTH, MAX_VOUCHERS_PER_ORDER

log = logging.getLogger(__name__)


#: The idempotency scopes of voucher issues start so.
SCOPE = "voucher:"

#: The roles that may issue vouchers.
ISSUING_ROLES = frozenset({"service", "admin"})


def ensure_may_issue(ctx: RequestContext) -> None:
    """Raise unless the viewer is a service agent or an admin."""
    if ctx.viewer.role == "anonymous":
        raise Unauthenticated("Sign in as a service agent to issue vouchers.")
    if ctx.viewer.role not in ISSUING_ROLES:
        raise Forbidden("Only service agents and admins may issue vouchers.")


def checked_amount(ctx: RequestContext, amount: Decimal, field: tuple[str, ...]) -> Decimal:
    """The amount, exact to the cent, above zero and at most `vouchers.max_amount`."""
    currency = ctx.rules.currency
    if not amount.is_finite() or amount <= 0 or round_money(amount, currency) != amount:
        raise Refused(
            "INVALID_AMOUNT",
            "A voucher's amount must be more than zero, exact to the cent.",
            field,
        )
    if amount > ctx.rules.vouchers.max_amount:
        raise Refused(
            "AMOUNT_TOO_LARGE",
            f"A voucher is worth at most {ctx.rules.vouchers.max_amount} {currency}.",
            field,
        )
    return round_money(amount, currency)


def checked_reason(reason: str, field: tuple[str, ...]) -> str:
    """The reason trimmed: 1 to `MAX_REASON_LENGTH` characters."""
    trimmed = reason.strip()
    if not trimmed:
        raise Refused("REASON_REQUIRED", "Say why the voucher is issued.", field)
    if len(trimmed) > MAX_REASON_LENGTH:
        raise Refused(
            "REASON_TOO_LONG", f"A reason has at most {MAX_REASON_LENGTH} characters.", field
        )
    return trimmed


def voucher_id_for(*parts: str) -> str:
    """A voucher id that derives from `parts`: the same request, the same voucher in the CRM."""
    return "v-" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


async def issue_voucher(
    ctx: RequestContext,
    customer_id: str,
    amount: Decimal,
    reason: str,
    idempotency_key: str | None = None,
) -> Voucher:
    ensure_may_issue(ctx)
    customer_key = key_of(customer_id, "Customer", "customerId")
    value = checked_amount(ctx, amount, ("amount",))
    why = checked_reason(reason, ("reason",))
    if idempotency_key is None:
        return await issue_voucher_record(
            ctx, "v-" + uuid.uuid4().hex[:24], customer_key, value, why
        )
    key = checked_key(idempotency_key, ("idempotencyKey",))
    scope = f"{SCOPE}{ctx.viewer.role}:{ctx.viewer.subject or '-'}"
    printed = fingerprint(
        {
            "customer": customer_key,
            "amount": str(value),
            "currency": ctx.rules.currency,
            "reason": why,
        }
    )
    with ledger_errors():
        claimed = await claim(
            ctx,
            scope,
            key,
            printed,
            field=("idempotencyKey",),
            what="voucher",
            refuse_in_progress=False,
        )
        if claimed.state == "done" and isinstance(claimed.result, dict):
            return await _first_voucher(ctx, str(claimed.result["code"]))
        # New, or still in progress (a twin, or a holder that died): the id derives from
        # the key, so issuing again answers the one voucher either of them issued.
        try:
            issued = await issue_voucher_record(
                ctx, voucher_id_for(scope, key), customer_key, value, why
            )
        except Refused:
            with contextlib.suppress(NoSuchRecord):
                await ctx.ledger.idempotency.fail(scope, key)
            raise
        with contextlib.suppress(NoSuchRecord):  # completed by a twin already
            await ctx.ledger.idempotency.complete(
                scope, key, {"voucher_id": issued.id, "code": issued.code}
            )
    return issued


async def issue_voucher_record(
    ctx: RequestContext,
    voucher_id: str,
    customer_id: str,
    amount: Decimal,
    reason: str,
    *,
    audited: bool = True,
) -> Voucher:
    """Issue the checked voucher under `voucher_id` (the same id again: the first voucher).

    The customer is notified; `audited` writes the issue to the audit log on the customer
    (a caller that audits the decision on another subject passes False).
    """
    new = NewVoucher(
        id=voucher_id,
        customer_id=customer_id,
        amount=amount,
        currency=ctx.rules.currency,
        reason=reason,
        expires_at=ctx.clock.now() + timedelta(days=ctx.rules.vouchers.validity_days),
        issued_by=ctx.viewer.subject or ctx.viewer.role,
    )
    with refusals(("customerId",)):
        try:
            issued = await ctx.sources.crm.issue_voucher(new)
        except NotFound as exc:
            raise Refused("CUSTOMER_NOT_FOUND", "No such customer.", ("customerId",)) from exc
    await notify(ctx, issued)
    if not audited:
        return issued
    await audit.record_quietly(
        ctx,
        audit.event(
            ctx,
            "voucher_issued",
            "Customer",
            customer_id,
            f"voucher {issued.code} of {issued.amount} {issued.currency}: {issued.reason}",
            {"voucher": voucher_facts(issued)},
        ),
    )
    return issued


async def notify(ctx: RequestContext, voucher: Voucher) -> None:
    """Send the customer the code, once per voucher; a CRM outage here leaves the voucher issued."""
    data = {
        "code": voucher.code,
        "amount": str(voucher.amount),
        "currency": voucher.currency,
        "reason": voucher.reason,
        "expires_at": voucher.expires_at.isoformat() if voucher.expires_at else "",
    }
    try:
        await ctx.sources.crm.send_notification(
            voucher.customer_id, key=f"voucher:{voucher.id}", template="voucher_issued", data=data
        )
    except ConnectorError as exc:
        # The voucher shows among the customer's vouchers; only the message is missing.
        log.warning("voucher %s: the customer was not notified: %s", voucher.id, exc)


def voucher_facts(voucher: Voucher) -> dict[str, str | None]:
    """What the audit log keeps of a voucher."""
    return {
        "id": voucher.id,
        "code": voucher.code,
        "amount": str(voucher.amount),
        "currency": voucher.currency,
        "expires_at": voucher.expires_at.isoformat() if voucher.expires_at else None,
    }


async def _first_voucher(ctx: RequestContext, code: str) -> Voucher:
    with source_errors():
        found = await ctx.sources.crm.get_vouchers_by_code([code])
    if code not in found:
        raise LookupError(f"voucher {code} of a settled issue is not in the CRM")
    return found[code]


async def vouchers_for_checkout(
    ctx: RequestContext, codes: Sequence[str], customer_id: str | None
) -> tuple[Voucher, ...]:
    """The vouchers a checkout names, each checked (see the module docstring); none for no codes."""
    wanted: dict[str, int] = {}
    for index, code in enumerate(codes):
        key = code.strip().upper()
        if not key:
            raise Refused("VOUCHER_NOT_FOUND", "A voucher code is empty.", _at(index))
        wanted.setdefault(key, index)  # the same code twice is one voucher
    if not wanted:
        return ()
    if len(wanted) > MAX_VOUCHERS_PER_ORDER:
        raise Refused(
            "TOO_MANY_VOUCHERS",
            f"At most {MAX_VOUCHERS_PER_ORDER} vouchers pay towards one order.",
            ("input", "voucherCodes"),
        )
    with source_errors():
        found = await ctx.sources.crm.get_vouchers_by_code(list(wanted))
    now = ctx.clock.now()
    vouchers = []
    for code, index in wanted.items():
        voucher = found.get(code)
        if voucher is None:
            raise Refused("VOUCHER_NOT_FOUND", f"No voucher has the code {code}.", _at(index))
        if customer_id is None or voucher.customer_id != customer_id:
            raise Refused(
                "VOUCHER_NOT_YOURS",
                f"Voucher {code} was issued to another customer"
                + ("" if customer_id else "; attach the customer to the cart first")
                + ".",
                _at(index),
            )
        if voucher.redeemed_at is not None:
            raise Refused("VOUCHER_REDEEMED", f"Voucher {code} was redeemed already.", _at(index))
        if voucher.expires_at is not None and voucher.expires_at <= now:
            raise Refused("VOUCHER_EXPIRED", f"Voucher {code} has expired.", _at(index))
        vouchers.append(voucher)
    return tuple(vouchers)


def _at(index: int) -> tuple[str, ...]:
    return ("input", "voucherCodes", str(index))
