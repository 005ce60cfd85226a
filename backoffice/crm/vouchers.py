"""Vouchers: issued once per id, spent once on one order before they expire, released if that order fails.

* `issue` stores a voucher under the caller's id with a code the CRM picks: unguessable
  (60 random bits from `secrets`) and readable (`TB-XXXX-XXXX-XXXX`, no 0/O or 1/I).
  Issuing an id again answers the voucher issued the first time (its expiry and issuer
  stay the first ones); the same id for another customer, amount or reason is a conflict.
* `redeem` spends a voucher on an order with one conditional UPDATE (still unspent, not
  expired, the right customer): of two orders racing for it exactly one changes the row,
  the other hears VOUCHER_REDEEMED. Redeeming it again for the same order answers it
  unchanged, so a retried checkout step is harmless.
* `release` gives a voucher back when the order it was redeemed for failed, again with a
  condition on that order: it never frees a voucher another order spent.

Codes are stored and compared in upper case: a code typed in any case finds its voucher.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backoffice.crm import inputs
from backoffice.crm.documents import Document, voucher_document
from backoffice.crm.models import Customer, Voucher
from backoffice.errors import Conflict, NotFound, UnknownVoucher, VoucherNotRedeemable
from kernel.clock import Clock

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

#: Attempts at a code that no voucher has yet (a collision of 60 random bits is theory).
_CODE_ATTEMPTS = 3


def new_voucher_code() -> str:
    """`TB-XXXX-XXXX-XXXX`: 12 characters of a 32-letter alphabet, 60 random bits."""
    groups = ("".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3))
    return "TB-" + "-".join(groups)


def code_key(code: str) -> str:
    """How codes compare: trimmed, in upper case."""
    return code.strip().upper()


class Vouchers:
    """The voucher operations of the CRM; `CrmService` exposes them."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Clock,
        new_code: Callable[[], str] = new_voucher_code,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._new_code = new_code

    async def by_code(self, codes: Sequence[str]) -> list[Document]:
        """The vouchers with these codes (in any case); unknown codes are missing."""
        keys = sorted({code_key(code) for code in codes if isinstance(code, str)})
        if not keys:
            return []
        async with self._sessions() as session:
            found = (await session.scalars(select(Voucher).where(Voucher.code.in_(keys)))).all()
        return [voucher_document(voucher) for voucher in sorted(found, key=lambda v: v.code)]

    async def issue(
        self,
        voucher_id: Any,
        *,
        customer_id: Any,
        amount: Any,
        currency: Any,
        reason: Any,
        expires_at: Any = None,
        issued_by: Any = None,
    ) -> Document:
        """Issue a voucher (see the module docstring); NotFound for an unknown customer."""
        currency_code = inputs.currency(currency)
        wanted: dict[str, Any] = {
            "id": inputs.identifier(voucher_id, "id"),
            "customer_id": inputs.identifier(customer_id, "customer_id"),
            "currency": currency_code,
            "amount": inputs.amount(amount, "amount", currency_code),
            "reason": inputs.text(reason, "reason", max_length=inputs.MAX_REASON_LENGTH),
            "expires_at": inputs.moment(expires_at, "expires_at"),
            "issued_by": inputs.optional_text(
                issued_by, "issued_by", max_length=inputs.MAX_BY_LENGTH
            ),
        }
        for _ in range(_CODE_ATTEMPTS):
            if (existing := await self._get(wanted["id"])) is not None:
                return _replayed(existing, wanted)
            try:
                async with self._sessions.begin() as session:
                    if await session.get(Customer, wanted["customer_id"]) is None:
                        raise NotFound(f"no customer {wanted['customer_id']!r}")
                    voucher = Voucher(
                        **wanted,
                        code=code_key(self._new_code()),
                        issued_at=self._clock.now(),
                        redeemed_at=None,
                        redeemed_order_id=None,
                    )
                    session.add(voucher)
                return voucher_document(voucher)
            except IntegrityError:
                # A twin issued this id meanwhile (answered above on the next round), or
                # the code was taken (a new one is drawn).
                continue
        raise Conflict(f"no free voucher code after {_CODE_ATTEMPTS} attempts; try again")

    async def redeem(self, code: Any, *, order_id: Any, customer_id: Any) -> Document:
        """Spend the voucher on `order_id` (see the module docstring)."""
        key = code_key(inputs.text(code, "code", max_length=64))
        order = inputs.identifier(order_id, "order_id")
        owner = None if customer_id is None else inputs.identifier(customer_id, "customer_id")
        now = self._clock.now()
        voucher = await self._by_key(key)
        if voucher.redeemed_order_id == order and voucher.redeemed_at is not None:
            return voucher_document(voucher)
        if voucher.customer_id != owner:
            raise VoucherNotRedeemable(
                "VOUCHER_NOT_YOURS", f"the voucher {key} was issued to another customer"
            )
        async with self._sessions.begin() as session:
            spent = await session.execute(
                update(Voucher)
                .where(
                    Voucher.id == voucher.id,
                    Voucher.redeemed_at.is_(None),
                    Voucher.redeemed_order_id.is_(None),
                    or_(Voucher.expires_at.is_(None), Voucher.expires_at > now),
                )
                .values(redeemed_at=now, redeemed_order_id=order)
                .returning(Voucher.id)
                .execution_options(synchronize_session=False)
            )
            won = spent.first() is not None
        current = await self._by_key(key)
        if won or (current.redeemed_order_id == order and current.redeemed_at is not None):
            return voucher_document(current)
        if current.redeemed_at is not None:
            raise VoucherNotRedeemable(
                "VOUCHER_REDEEMED", f"the voucher {key} was redeemed by another order"
            )
        raise VoucherNotRedeemable("VOUCHER_EXPIRED", f"the voucher {key} has expired")

    async def release(self, code: Any, *, order_id: Any) -> Document:
        """Undo `order_id`'s redemption; the voucher unchanged if that order did not spend it."""
        key = code_key(inputs.text(code, "code", max_length=64))
        order = inputs.identifier(order_id, "order_id")
        async with self._sessions.begin() as session:
            await session.execute(
                update(Voucher)
                .where(Voucher.code == key, Voucher.redeemed_order_id == order)
                .values(redeemed_at=None, redeemed_order_id=None)
                .execution_options(synchronize_session=False)
            )
        return voucher_document(await self._by_key(key))

    async def _get(self, voucher_id: str) -> Voucher | None:
        async with self._sessions() as session:
            return await session.get(Voucher, voucher_id)

    async def _by_key(self, key: str) -> Voucher:
        async with self._sessions() as session:
            voucher = await session.scalar(select(Voucher).where(Voucher.code == key))
        if voucher is None:
            raise UnknownVoucher(f"no voucher has the code {key}")
        return voucher


#: What makes a voucher the one a request asks for; a retry may come later (another
#: `expires_at` computed from its own now) or from another agent's screen.
_DEFINING = ("customer_id", "amount", "currency", "reason")


def _replayed(voucher: Voucher, wanted: dict[str, Any]) -> Document:
    """The first issue's voucher, if it is the one this request asks for; else a conflict."""
    if any(getattr(voucher, name) != wanted[name] for name in _DEFINING):
        raise Conflict(
            f"the voucher id {voucher.id!r} was issued with other details; a retry must "
            "repeat the first request"
        )
    return voucher_document(voucher)
