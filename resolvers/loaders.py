"""Per-request DataLoaders: one per batched connector method, named `<result>_by_<key>`.

Each turns the loads of one query level into one source call. Keys hold everything that
changes the answer; loaders whose answer depends on a context (channel, tier, locations)
group their keys by it and make one call per group. Connector failures become
client-facing `SourceError`s here, in one place.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Hashable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from aiodataloader import DataLoader

from connectors.crm.records import Customer, IdentifierType, Interaction, Voucher
from connectors.errors import ConnectorError
from connectors.guard import retrieve_failure
from connectors.inventory.records import Location, StockLevel
from connectors.loyalty.records import LoyaltyAccount
from connectors.orders.records import Order, Return
from connectors.pim.records import Category, Product, Variant
from connectors.pricing.records import Price
from ledger import AuditEvent, Ledger, RefundRecord
from resolvers.errors import from_connector_error

if TYPE_CHECKING:
    from resolvers.context import Sources

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


def started_early(future: Awaitable[Any]) -> None:
    """Let a load started ahead of its resolver run unawaited.

    Nobody may ask for it in the end (its parent may be null): its failure must then not
    be logged as an unretrieved exception.
    """
    if isinstance(future, asyncio.Future):
        future.add_done_callback(retrieve_failure)


class PriceKey(NamedTuple):
    """A variant's unit price in a channel, for a quantity and customer tier."""

    variant_id: str
    channel: str
    quantity: int
    tier: str | None


class StockKey(NamedTuple):
    """A variant's stock at a set of locations, from cache or read live."""

    variant_id: str
    location_ids: tuple[str, ...]
    live: bool


class CustomerOrdersKey(NamedTuple):
    """A customer's orders, optionally of one channel."""

    customer_id: str
    channel: str | None


IdentifierKey = tuple[IdentifierType, str]


def aligned(
    fetch: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]],
    default: Any = None,
    known: Mapping[K, V] | None = None,
) -> Callable[[list[K]], Coroutine[Any, Any, list[Any]]]:
    """Adapt a batch connector method to DataLoader: results in key order, `default` where absent.

    Keys in `known` (records the request already read in another answer, such as the
    variants a product search carried) are answered from it without calling `fetch`.
    """

    async def load(keys: list[K]) -> list[Any]:
        missing = keys if not known else [key for key in keys if key not in known]
        try:
            found = await fetch(missing) if missing else {}
        except ConnectorError as exc:
            raise from_connector_error(exc) from exc
        if known:
            return [known[key] if key in known else found.get(key, default) for key in keys]
        return [found.get(key, default) for key in keys]

    return load


def grouped(
    group_of: Callable[[K], G],
    fetch: Callable[[G, list[K]], Awaitable[Mapping[K, V]]],
    default: Any = None,
) -> Callable[[list[K]], Coroutine[Any, Any, list[Any]]]:
    """Like `aligned`, for keys that carry a context: one call per distinct context."""

    async def load(keys: list[K]) -> list[Any]:
        groups: dict[G, list[K]] = defaultdict(list)
        for key in keys:
            groups[group_of(key)].append(key)
        found: dict[K, V] = {}
        try:
            for group, members in groups.items():
                found.update(await fetch(group, members))
        except ConnectorError as exc:
            raise from_connector_error(exc) from exc
        return [found.get(key, default) for key in keys]

    return load


class Loaders:
    """This request's DataLoaders; each is created on first use.

    A loader's batch function never refers to `self`: the loaders would then hold
    themselves in a cycle (self -> loader -> function -> self) that only the cyclic
    garbage collector frees, with every future and record of the request behind it.
    """

    def __init__(self, sources: Sources, ledger: Ledger | None = None) -> None:
        self._sources = sources
        self._ledger = ledger
        # What other answers brought along (a search page's products and variants): the
        # loaders answer these keys without a call. Cheaper than priming a future per key
        # for records that a listing mostly hands to its fields directly.
        self.known_products: dict[str, Product] = {}
        self.known_variants: dict[str, Variant] = {}

    # ---------- PIM ----------

    @cached_property
    def product_by_id(self) -> DataLoader[str, Product | None]:
        return DataLoader(aligned(self._sources.pim.get_products, known=self.known_products))

    @cached_property
    def product_by_sku(self) -> DataLoader[str, Product | None]:
        return DataLoader(aligned(self._sources.pim.get_products_by_sku))

    @cached_property
    def variant_by_id(self) -> DataLoader[str, Variant | None]:
        return DataLoader(aligned(self._sources.pim.get_variants, known=self.known_variants))

    @cached_property
    def variant_by_sku(self) -> DataLoader[str, Variant | None]:
        return DataLoader(aligned(self._sources.pim.get_variants_by_sku))

    @cached_property
    def variant_by_gtin(self) -> DataLoader[str, Variant | None]:
        return DataLoader(aligned(self._sources.pim.get_variants_by_gtin))

    @cached_property
    def category_by_id(self) -> DataLoader[str, Category | None]:
        return DataLoader(aligned(self._sources.pim.get_categories))

    # ---------- pricing ----------

    @cached_property
    def price_by_key(self) -> DataLoader[PriceKey, Price | None]:
        pricing = self._sources.pricing  # not `self`: see `Loaders`

        async def fetch(
            group: tuple[str, int, str | None], keys: list[PriceKey]
        ) -> Mapping[PriceKey, Price]:
            channel, quantity, tier = group
            prices = await pricing.get_prices(
                [key.variant_id for key in keys], channel=channel, quantity=quantity, tier=tier
            )
            return {key: prices[key.variant_id] for key in keys if key.variant_id in prices}

        return DataLoader(grouped(lambda key: (key.channel, key.quantity, key.tier), fetch))

    # ---------- inventory ----------

    @cached_property
    def location_by_id(self) -> DataLoader[str, Location | None]:
        return DataLoader(aligned(self._sources.inventory.get_locations))

    @cached_property
    def locations_by_ids(self) -> DataLoader[tuple[str, ...], Sequence[Location | None]]:
        """Locations for a list of ids, in order.

        A listing's rows all ask for the same list, so one cached future serves every
        product instead of one future per row.
        """
        inventory = self._sources.inventory  # not `self`: see `Loaders`

        async def load(keys: list[tuple[str, ...]]) -> list[Sequence[Location | None]]:
            wanted = list(dict.fromkeys(i for key in keys for i in key))
            try:
                found = await inventory.get_locations(wanted)
            except ConnectorError as exc:
                raise from_connector_error(exc) from exc
            return [[found.get(i) for i in key] for key in keys]

        return DataLoader(load)

    @cached_property
    def stock_levels_by_key(self) -> DataLoader[StockKey, Sequence[StockLevel]]:
        inventory = self._sources.inventory  # not `self`: see `Loaders`

        async def fetch(
            group: tuple[tuple[str, ...], bool], keys: list[StockKey]
        ) -> Mapping[StockKey, Sequence[StockLevel]]:
            location_ids, live = group
            stock = await inventory.get_stock(
                [key.variant_id for key in keys], location_ids, live=live
            )
            return {key: stock.get(key.variant_id, ()) for key in keys}

        return DataLoader(grouped(lambda key: (key.location_ids, key.live), fetch, default=()))

    # ---------- CRM ----------

    @cached_property
    def customer_by_id(self) -> DataLoader[str, Customer | None]:
        return DataLoader(aligned(self._sources.crm.get_customers))

    @cached_property
    def customer_id_by_identifier(self) -> DataLoader[IdentifierKey, str | None]:
        return DataLoader(aligned(self._sources.crm.find_customers))

    @cached_property
    def interactions_by_customer(self) -> DataLoader[str, Sequence[Interaction]]:
        return DataLoader(aligned(self._sources.crm.get_interactions, default=()))

    @cached_property
    def vouchers_by_customer(self) -> DataLoader[str, Sequence[Voucher]]:
        return DataLoader(aligned(self._sources.crm.get_vouchers, default=()))

    # ---------- OMS ----------

    @cached_property
    def order_by_id(self) -> DataLoader[str, Order | None]:
        return DataLoader(aligned(self._sources.orders.get_orders))

    @cached_property
    def order_by_number(self) -> DataLoader[str, Order | None]:
        return DataLoader(aligned(self._sources.orders.get_orders_by_number))

    @cached_property
    def orders_by_customer(self) -> DataLoader[CustomerOrdersKey, Sequence[Order]]:
        orders_source = self._sources.orders  # not `self`: see `Loaders`

        async def fetch(
            channel: str | None, keys: list[CustomerOrdersKey]
        ) -> Mapping[CustomerOrdersKey, Sequence[Order]]:
            orders = await orders_source.get_customer_orders(
                [key.customer_id for key in keys], channel=channel
            )
            return {key: orders.get(key.customer_id, ()) for key in keys}

        return DataLoader(grouped(lambda key: key.channel, fetch, default=()))

    @cached_property
    def return_by_id(self) -> DataLoader[str, Return | None]:
        return DataLoader(aligned(self._sources.orders.get_returns))

    @cached_property
    def returns_by_order(self) -> DataLoader[str, Sequence[Return]]:
        return DataLoader(aligned(self._sources.orders.get_order_returns, default=()))

    @cached_property
    def audit_trail_by_order(self) -> DataLoader[str, Sequence[AuditEvent]]:
        """The gateway's audit events about each order (none without a ledger)."""
        ledger = self._ledger

        async def load(order_ids: list[str]) -> list[Sequence[AuditEvent]]:
            if ledger is None:
                return [() for _ in order_ids]
            found = await ledger.audit.for_subjects("Order", order_ids)
            return [found.get(order_id, ()) for order_id in order_ids]

        return DataLoader(load)

    @cached_property
    def refund_by_return(self) -> DataLoader[str, RefundRecord | None]:
        """The refunds the gateway paid, by return id (none without a ledger)."""
        ledger = self._ledger

        async def load(return_ids: list[str]) -> list[RefundRecord | None]:
            if ledger is None:
                return [None for _ in return_ids]
            found = await ledger.refunds.get(return_ids)
            return [found.get(return_id) for return_id in return_ids]

        return DataLoader(load)

    # ---------- loyalty ----------

    @cached_property
    def loyalty_account_by_customer(self) -> DataLoader[str, LoyaltyAccount | None]:
        return DataLoader(aligned(self._sources.loyalty.get_accounts))
