"""The request context: everything a resolver may use during one GraphQL request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from connectors.common import LocalizedText
from connectors.crm.guarded import GuardedCrmConnector
from connectors.inventory.guarded import GuardedInventoryConnector
from connectors.loyalty.guarded import GuardedLoyaltyConnector
from connectors.orders.guarded import GuardedOrdersConnector
from connectors.pim.guarded import GuardedPimConnector
from connectors.pricing.guarded import GuardedPricingConnector
from connectors.trace import Recorder
from kernel.clock import Clock
from ledger import Ledger
from resolvers.loaders import Loaders
from resolvers.order_amounts import CheckoutRules
from resolvers.refunds import RefundRules
from resolvers.return_routing import ReturnRoutingWeights
from resolvers.routing_score import RoutingWeights
from resolvers.viewer import Viewer
from resolvers.voucher_rules import VoucherRules

if TYPE_CHECKING:
    from resolvers.outbox import Dispatcher

#: Channels where shoppers see the catalogue themselves (DESIGN §3: incomplete products hidden).
CUSTOMER_FACING_CHANNELS = frozenset({"WEB", "APP", "KIOSK", "SIGNAGE", "MARKETPLACE"})

#: Sales channels that no location's own channel list names, and whose stock they sell.
#: An inventory system lists the channels a location fulfils for (stores: STORE, WEB, APP,
#: KIOSK; warehouses: WEB, APP); it has no reason to list every way an order is taken. The
#: call centre sells for delivery as the web shop does (home delivery from the warehouses,
#: ship-from-store, click & collect); a marketplace order is fulfilled as a web order; a
#: sign hangs in a store and shows what its kiosk would.
STOCK_CHANNELS = {"CALL_CENTER": "WEB", "MARKETPLACE": "WEB", "SIGNAGE": "KIOSK"}

#: How customers may pay, per channel: cash only at a till; invoices only where the
#: customer is known and not standing at a kiosk. Vouchers are redeemed, not chosen.
PAYMENT_METHODS: Mapping[str, tuple[str, ...]] = {
    "WEB": ("CARD", "GIFT_CARD", "MOBILE", "INVOICE"),
    "APP": ("CARD", "GIFT_CARD", "MOBILE", "INVOICE"),
    "STORE": ("CARD", "CASH", "GIFT_CARD", "MOBILE"),
    "KIOSK": ("CARD", "MOBILE"),
    "CALL_CENTER": ("CARD", "INVOICE"),
    "MARKETPLACE": ("CARD",),
}


@dataclass(frozen=True, slots=True)
class Sources:
    """One guarded connector per source system, built once per process by gateway.bootstrap."""

    pim: GuardedPimConnector
    pricing: GuardedPricingConnector
    inventory: GuardedInventoryConnector
    crm: GuardedCrmConnector
    orders: GuardedOrdersConnector
    loyalty: GuardedLoyaltyConnector

    def bound(self, recorder: Recorder) -> Sources:
        """The connectors as one request sees them: every call recorded in its `recorder`."""
        return Sources(
            pim=self.pim.bound(recorder),
            pricing=self.pricing.bound(recorder),
            inventory=self.inventory.bound(recorder),
            crm=self.crm.bound(recorder),
            orders=self.orders.bound(recorder),
            loyalty=self.loyalty.bound(recorder),
        )


@dataclass(frozen=True, slots=True)
class Rules:
    """Business settings resolvers apply (from the gateway's configuration)."""

    default_locale: str = "nl"
    currency: str = "EUR"
    low_stock_threshold: int = 3
    nearby_locations: int = 5
    max_page_size: int = 100
    #: Units of one variant a cart or order may hold.
    max_line_quantity: int = 99
    stock_channels: Mapping[str, str] = field(default_factory=lambda: dict(STOCK_CHANNELS))
    payment_methods: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(PAYMENT_METHODS)
    )
    checkout: CheckoutRules = field(default_factory=CheckoutRules)
    vouchers: VoucherRules = field(default_factory=VoucherRules)
    routing: RoutingWeights = field(default_factory=RoutingWeights)
    refunds: RefundRules = field(default_factory=RefundRules)
    return_routing: ReturnRoutingWeights = field(default_factory=ReturnRoutingWeights)

    def stock_channel(self, channel: str) -> str:
        """The channel whose locations' stock a request in `channel` may sell."""
        return self.stock_channels.get(channel, channel)


@dataclass(frozen=True, kw_only=True)
class RequestContext:
    """Everything a resolver may use during one GraphQL request.

    `channel`, `locale` and `store_id` are the request's defaults (token claims, then
    headers); a field argument may override them for its subtree.
    """

    request_id: str
    viewer: Viewer
    channel: str
    locale: str
    store_id: str | None
    sources: Sources
    rules: Rules
    started_at: datetime
    #: What this request's source calls did, read and left to write (`sources` record into it).
    trace: Recorder
    #: The gateway's own records: idempotency keys, the audit log, the checkout log.
    ledger: Ledger
    clock: Clock
    #: Delivers outbox messages a mutation has just committed (the worker retries the rest).
    outbox: Dispatcher

    @cached_property
    def loaders(self) -> Loaders:
        """This request's DataLoaders, created on first use (inside the running event loop)."""
        return Loaders(self.sources, self.ledger)

    @property
    def customer_facing(self) -> bool:
        return self.channel in CUSTOMER_FACING_CHANNELS

    def text(self, value: LocalizedText | None) -> str | None:
        """Pick the request's locale, then the default locale, then any text there is."""
        if not value:
            return None
        return (
            value.get(self.locale)
            or value.get(self.rules.default_locale)
            or next(iter(value.values()))
        )
