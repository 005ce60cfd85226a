"""The rules of vouchers: what service may issue, and how a voucher pays towards an order.

Issuing (configuration `[vouchers]`): an amount above zero and at most `max_amount`, exact
to the cent; a reason of 1 to `MAX_REASON_LENGTH` characters once trimmed; the voucher may
be spent for `validity_days` from the moment it is issued.

Paying: vouchers are spent whole, at checkout, before any other method. Together they pay
`min(their amounts, the order's total)` as one VOUCHER payment; the method the customer
chose pays the rest, and a payment of zero is left out. What a voucher is worth beyond
the total lapses with it. Loyalty points are earned on what was paid by other methods
than VOUCHER (DESIGN §8 "earned on paid amount"): the vouchers count against the goods
first, so that a voucher never makes shipping earn points.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from connectors.orders.records import Payment
from kernel.money import round_money

_ZERO = Decimal(0)

#: The longest reason a voucher may be issued with.
MAX_REASON_LENGTH = 500

#: The most voucher codes one checkout may redeem.
MAX_VOUCHERS_PER_ORDER = 5


@dataclass(frozen=True, slots=True)
class VoucherRules:
    """Business settings of vouchers (configuration `[vouchers]`)."""

    validity_days: int = 90
    max_amount: Decimal = Decimal("250.00")


@dataclass(frozen=True, slots=True)
class VoucherSplit:
    """How an order's total is paid when vouchers pay towards it."""

    #: What the vouchers pay: min(their amounts, the total).
    by_vouchers: Decimal
    #: The payments the order records, VOUCHER first; none of zero.
    payments: tuple[Payment, ...]
    #: The goods paid by other methods than VOUCHER, on which points are earned.
    goods_paid: Decimal


def split_payment(
    *, total: Decimal, goods: Decimal, vouchers: Decimal, method: str, currency: str
) -> VoucherSplit:
    """The payments of an order of `total` (of which `goods`) when vouchers worth `vouchers` pay first."""
    by_vouchers = round_money(min(max(vouchers, _ZERO), total), currency)
    rest = round_money(total - by_vouchers, currency)
    payments = tuple(
        Payment(method=name, amount=amount)
        for name, amount in (("VOUCHER", by_vouchers), (method, rest))
        if amount > _ZERO
    )
    if not payments:
        # An order of 0.00 still says how it was paid, so that the OMS's sum holds.
        payments = (Payment(method=method, amount=round_money(_ZERO, currency)),)
    goods_paid = round_money(max(goods - by_vouchers, _ZERO), currency)
    return VoucherSplit(by_vouchers=by_vouchers, payments=payments, goods_paid=goods_paid)
