"""The settings of the business rules: checkout, vouchers, order routing, returns and refunds.

Their defaults live with the code that applies them (`resolvers/`); these sections only
name them, so that a default is written once. `gateway.config.Settings` holds them.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from gateway.config_fields import bounds
from resolvers.context import PAYMENT_METHODS, Rules
from resolvers.order_amounts import CheckoutRules
from resolvers.refunds import RefundRules
from resolvers.return_routing import ReturnRoutingWeights
from resolvers.routing import RoutingWeights
from resolvers.voucher_rules import VoucherRules

_RULES = Rules()
_CHECKOUT = CheckoutRules()
_ROUTING = RoutingWeights()
_REFUNDS = RefundRules()
_RETURN_ROUTING = ReturnRoutingWeights()
_VOUCHERS = VoucherRules()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutSettings:
    """Checkout's business rules (resolvers/order_amounts.py, resolvers/checkout.py).

    Prices include VAT; shipping is charged per order that ships, free from an amount of
    goods; points are earned on the goods paid. `payment_methods` lists, per channel, the
    methods accepted there (comma-separated). An unfinished checkout (a crash between its
    steps) is completed or undone by every instance every `recovery_interval_seconds`,
    once it has been still for `recovery_grace_seconds` (well above a checkout's deadline).
    """

    vat_percent: Decimal = field(default=_CHECKOUT.vat_percent, metadata=bounds(0, 100))
    shipping_fee: Decimal = field(default=_CHECKOUT.shipping_fee, metadata=bounds(0))
    free_shipping_from: Decimal = field(default=_CHECKOUT.free_shipping_from, metadata=bounds(0))
    points_per_unit: Decimal = field(default=_CHECKOUT.points_per_unit, metadata=bounds(0))
    max_line_quantity: int = field(default=_RULES.max_line_quantity, metadata=bounds(1, 10_000))
    payment_methods: Mapping[str, str] = field(
        default_factory=lambda: types.MappingProxyType(
            {channel: ", ".join(methods) for channel, methods in PAYMENT_METHODS.items()}
        )
    )
    recovery_interval_seconds: float = field(default=30.0, metadata=bounds(above=0))
    recovery_grace_seconds: float = field(default=60.0, metadata=bounds(above=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class VoucherSettings:
    """What customer service may issue (resolvers/voucher_rules.py, resolvers/vouchers.py).

    A voucher is worth more than zero and at most `max_amount`, and may be spent for
    `validity_days` from the moment it is issued.
    """

    validity_days: int = field(default=_VOUCHERS.validity_days, metadata=bounds(1, 3650))
    max_amount: Decimal = field(default=_VOUCHERS.max_amount, metadata=bounds(above=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingSettings:
    """Weights of order routing (resolvers/routing.py; the README's "Order routing")."""

    distance_per_km: float = field(default=_ROUTING.distance_per_km, metadata=bounds(0))
    busyness: float = field(default=_ROUTING.busyness, metadata=bounds(0))
    stock_depth: float = field(default=_ROUTING.stock_depth, metadata=bounds(0))
    keep_units: int = field(default=_ROUTING.keep_units, metadata=bounds(1))
    shipping: float = field(default=_ROUTING.shipping, metadata=bounds(0))
    allow_split: bool = _ROUTING.allow_split
    shipping_cost_store: Decimal = field(default=_ROUTING.shipping_cost_store, metadata=bounds(0))
    shipping_cost_warehouse: Decimal = field(
        default=_ROUTING.shipping_cost_warehouse, metadata=bounds(0)
    )
    margin_rate: Decimal = field(default=_ROUTING.margin_rate, metadata=bounds(0, 1))
    max_candidates: int = field(default=_ROUTING.max_candidates, metadata=bounds(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnsSettings:
    """Refund rules and where returns by mail go (resolvers/refunds.py, resolvers/return_routing.py).

    A mail return costs `mail_return_fee`; shipping comes back with the last item except
    for the tiers in `shipping_kept_for_tiers` (comma-separated); `refund_methods` maps an
    original payment method to the one refunds go to (never CARD to CASH). A mail return
    goes to the store that sold most of the item in `sales_days` days (at least
    `min_units_sold`) and holds fewer than `nearly_out` of it, by the weights.
    """

    mail_return_fee: Decimal = field(default=_REFUNDS.mail_return_fee, metadata=bounds(0))
    shipping_kept_for_tiers: str = ", ".join(sorted(_REFUNDS.shipping_kept_for_tiers))
    refund_methods: Mapping[str, str] = field(
        default_factory=lambda: types.MappingProxyType(dict(_REFUNDS.refund_methods))
    )
    sales_days: int = field(default=_RETURN_ROUTING.sales_days, metadata=bounds(1, 366))
    min_units_sold: int = field(default=_RETURN_ROUTING.min_units_sold, metadata=bounds(1))
    nearly_out: int = field(default=_RETURN_ROUTING.nearly_out, metadata=bounds(1))
    sales_weight: float = field(default=_RETURN_ROUTING.sales_weight, metadata=bounds(0))
    scarcity_weight: float = field(default=_RETURN_ROUTING.scarcity_weight, metadata=bounds(0))
