"""The write half of checkout: a saga of idempotent steps over three source systems.

Checkout (resolvers/checkout.py) decides everything first — prices, where the goods come
from, every amount of the order, the vouchers that pay towards it — into a
`CheckoutPlan`, and writes it to the checkout log before touching any system. Then the
steps run in order, each recorded in the log:

1. `redeem`   the CRM spends each voucher on the order `order_id` (only with vouchers)
2. `reserve`  the inventory takes the units, all or nothing, as reservation `checkout_id`
3. `order`    the OMS creates the order `order_id` with every amount per line
4. `commit`   the inventory hands the reserved units to the order
5. `points`   the loyalty system earns the points of the paid amount (reference: the order)
6. `audit`    the gateway's audit log records the decision and the data it used

Every step is keyed (voucher code and order id, reservation id, order id, points
reference), so running it again does nothing new: that is what lets recovery simply run
the plan again from the log. The order is the point of no return. A failure before it
gives the vouchers back (the CRM releases only what this order redeemed, never a voucher
another order won) and releases the reservation (compensation; the inventory keeps a
tombstone, so a late retry of the reservation cannot take stock afterwards); a failure
after it leaves the checkout unfinished in the log, and `recover` completes it. So there
is never a reserved-but-lost unit nor a spent-but-unused voucher, nor an order without
its stock. Vouchers are redeemed first because they are the scarcer thing: of two
checkouts racing for one voucher, the loser is refused (VOUCHER_REDEEMED) before it
holds any stock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from connectors.errors import (
    ConnectorError,
    NoLoyaltyAccount,
    SourceRefused,
    SourceRejected,
    VoucherNotRedeemable,
)
from connectors.inventory.mapping import reservation_lines
from connectors.inventory.records import ReservationLine
from connectors.orders.mapping import new_order_document, to_new_order
from connectors.orders.records import NewOrder, Order
from kernel.clock import Clock
from ledger import AuditEvent, Ledger, LedgerError, NoSuchRecord
from resolvers.context import Sources
from resolvers.errors import Refused

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The idempotency scopes of checkouts all start so (resolvers/checkout.py).
SCOPE = "checkout:"


@dataclass(frozen=True, slots=True)
class CheckoutPlan:
    """Everything a checkout writes, decided before the first write; JSON round-trips."""

    checkout_id: str
    order_id: str
    idempotency_scope: str
    idempotency_key: str
    reservation: tuple[ReservationLine, ...]
    order: NewOrder
    customer_id: str | None
    points: int
    actor: str
    role: str
    channel: str
    request_id: str
    #: The source data the decisions used (quote, stock, routing), for the audit log.
    sources: dict[str, Any] = field(default_factory=dict)
    #: The codes of the vouchers that pay towards the order (plans before vouchers: none).
    vouchers: tuple[str, ...] = ()

    def to_document(self) -> dict[str, Any]:
        document = {f.name: getattr(self, f.name) for f in fields(self)}
        document["reservation"] = reservation_lines(self.reservation)
        document["order"] = new_order_document(self.order)
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> CheckoutPlan:
        return cls(
            **{
                **document,
                "reservation": tuple(
                    ReservationLine(line["variant_id"], line["location_id"], line["quantity"])
                    for line in document["reservation"]
                ),
                "order": to_new_order(document["order"]),
                "vouchers": tuple(document.get("vouchers", ())),
            }
        )


class CheckoutSaga:
    """Runs plans and recovers unfinished ones; one per process, shared by requests."""

    def __init__(self, sources: Sources, ledger: Ledger, clock: Clock) -> None:
        self._sources = sources
        self._ledger = ledger
        self._clock = clock

    async def execute(self, plan: CheckoutPlan) -> Order:
        """Run the plan; raises what made it fail, after undoing what it did.

        A refusal (no stock, an order the OMS refuses) leaves nothing behind. When the OMS
        does not answer the order, it may or may not have placed it: nothing is undone
        then, the checkout stays unfinished and `recover` decides once the OMS answers.
        From the order on, failures are left to `recover` and the order is returned.
        """
        await self._ledger.checkouts.start(plan.checkout_id, plan.to_document())
        try:
            if plan.vouchers:
                await self._step(plan, "redeem", lambda: self._redeem(plan))
            await self._step(plan, "reserve", lambda: self._reserve(plan))
        except BaseException:
            await self._compensate_quietly(plan)
            raise
        try:
            order: Order = await self._step(plan, "order", lambda: self._create_order(plan))
        except (SourceRefused, SourceRejected):
            await self._compensate_quietly(plan)
            raise
        try:
            await self._finish(plan, order, done=("reserve", "order"))
        except (ConnectorError, LedgerError) as exc:
            # The order stands; recovery commits the stock or earns the points later.
            log.warning("checkout %s: %s; left for recovery", plan.checkout_id, exc)
        return order

    async def recover(self, older_than: datetime) -> list[tuple[str, str]]:
        """Complete or compensate every checkout unfinished since before `older_than`.

        Returns (checkout id, outcome) pairs: "completed" or "compensated". A checkout
        whose order exists (created, perhaps, just before the crash) is completed;
        any other is compensated, and its idempotency key may be used again.
        """
        outcomes = []
        unfinished = await self._ledger.checkouts.unfinished(older_than)
        for record in unfinished:
            plan = CheckoutPlan.from_document(record.payload)
            try:
                existing = await self._sources.orders.get_orders([plan.order_id])
                if plan.order_id in existing:
                    await self._finish(
                        plan, existing[plan.order_id], done=await self._done_steps(plan)
                    )
                    outcomes.append((plan.checkout_id, "completed"))
                else:
                    await self._compensate(plan)
                    outcomes.append((plan.checkout_id, "compensated"))
            except (ConnectorError, LedgerError) as exc:
                log.warning("checkout %s not recovered yet: %s", plan.checkout_id, exc)
        # A key claimed by a process that died while it was still deciding (before it wrote
        # its plan) names no checkout: nothing was written, so the key is free again.
        stale = await self._ledger.idempotency.stale(SCOPE, older_than)
        planned = {
            (record.payload["idempotency_scope"], record.payload["idempotency_key"])
            for record in (
                await self._ledger.checkouts.unfinished(self._clock.now()) if stale else ()
            )
        }
        for scope, key in stale:
            if (scope, key) not in planned:
                with contextlib.suppress(NoSuchRecord):
                    await self._ledger.idempotency.fail(scope, key)
                    outcomes.append((f"{scope} {key}", "released"))
        return outcomes

    async def _step(self, plan: CheckoutPlan, step: str, run: Callable[[], Awaitable[T]]) -> T:
        # Only the outcome is logged: recovery asks the systems what a step did anyway,
        # and every write to the log is a commit the customer waits for.
        try:
            result = await run()
        except Exception as exc:
            await self._ledger.checkouts.record(
                plan.checkout_id, step, "failed", {"error": str(exc)}
            )
            raise
        await self._ledger.checkouts.record(plan.checkout_id, step, "done", {})
        return result

    async def _redeem(self, plan: CheckoutPlan) -> None:
        for code in plan.vouchers:
            try:
                await self._sources.crm.redeem_voucher(
                    code, order_id=plan.order_id, customer_id=plan.customer_id
                )
            except VoucherNotRedeemable as exc:
                # Checked a moment ago; another checkout (or the clock) came between.
                raise Refused(
                    exc.code,
                    f"Voucher {code} can no longer be redeemed ({exc.code}).",
                    ("input", "voucherCodes"),
                ) from exc

    async def _release(self, plan: CheckoutPlan) -> None:
        for code in plan.vouchers:
            # Releases what this order redeemed only; a voucher gone from the CRM has
            # nothing of ours to give back.
            with contextlib.suppress(VoucherNotRedeemable):
                await self._sources.crm.release_voucher(code, order_id=plan.order_id)

    async def _reserve(self, plan: CheckoutPlan) -> None:
        await self._sources.inventory.reserve(
            plan.checkout_id, plan.reservation, reference=plan.order_id
        )

    async def _create_order(self, plan: CheckoutPlan) -> Order:
        return await self._sources.orders.create_order(plan.order)

    async def _commit(self, plan: CheckoutPlan) -> None:
        await self._sources.inventory.commit(plan.checkout_id, order_id=plan.order_id)

    async def _earn(self, plan: CheckoutPlan, order: Order) -> None:
        if plan.customer_id is None or plan.points <= 0:
            return
        # A customer without a card earns nothing; the order stands.
        with contextlib.suppress(NoLoyaltyAccount):
            await self._sources.loyalty.earn(
                plan.customer_id,
                points=plan.points,
                reference=f"order:{plan.order_id}",
                order_number=order.number,
            )

    async def _audit(self, plan: CheckoutPlan) -> None:
        await self._ledger.audit.append(
            AuditEvent(
                at=self._clock.now(),
                actor=plan.actor,
                role=plan.role,
                channel=plan.channel,
                action="checkout",
                subject_type="Order",
                subject_id=plan.order_id,
                detail=f"order placed; {plan.points} points earned"
                + (f"; vouchers {', '.join(plan.vouchers)} redeemed" if plan.vouchers else ""),
                sources=plan.sources,
                request_id=plan.request_id,
            )
        )

    async def _finish(self, plan: CheckoutPlan, order: Order, *, done: Sequence[str]) -> None:
        # The order is the checkout's answer from now on, whatever the later steps do.
        with contextlib.suppress(NoSuchRecord):  # settled already, by an earlier round
            await self._ledger.idempotency.complete(
                plan.idempotency_scope, plan.idempotency_key, {"order_id": plan.order_id}
            )
        steps = {
            "commit": lambda: self._commit(plan),
            "points": lambda: self._earn(plan, order),
            "audit": lambda: self._audit(plan),
        }
        # Independent of each other once the order exists: one round trip, not three.
        outcomes = await asyncio.gather(
            *(self._step(plan, step, run) for step, run in steps.items() if step not in done),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        await self._ledger.checkouts.finish(plan.checkout_id, "completed", order_id=plan.order_id)

    async def _compensate_quietly(self, plan: CheckoutPlan) -> None:
        try:
            await self._compensate(plan)
        except (ConnectorError, LedgerError) as exc:
            log.warning("checkout %s not compensated yet: %s", plan.checkout_id, exc)

    async def _compensate(self, plan: CheckoutPlan) -> None:
        if plan.vouchers:
            await self._release(plan)
            await self._ledger.checkouts.record(plan.checkout_id, "redeem", "compensated", {})
        await self._sources.inventory.release(plan.checkout_id)
        await self._ledger.checkouts.record(plan.checkout_id, "reserve", "compensated", {})
        await self._ledger.checkouts.finish(plan.checkout_id, "compensated")
        with contextlib.suppress(NoSuchRecord):  # settled already, by an earlier round
            await self._ledger.idempotency.fail(plan.idempotency_scope, plan.idempotency_key)

    async def _done_steps(self, plan: CheckoutPlan) -> Sequence[str]:
        record = await self._ledger.checkouts.get(plan.checkout_id)
        return [step.step for step in record.steps if step.state == "done"] if record else []
