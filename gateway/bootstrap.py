"""The composition root: builds the process-wide objects (engine, cache, guarded sources).

This is the one place that picks implementations: which adapter serves each domain, which
cache backend, which policies. Everything is created here at start-up, never at import.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from connectors.cache import CacheBackend, MemoryCache
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.guarded import GuardedCrmConnector
from connectors.guard import CachePolicy, SourceGuard
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.guarded import GuardedInventoryConnector
from connectors.loyalty.embedded import EmbeddedLoyaltyConnector
from connectors.loyalty.guarded import GuardedLoyaltyConnector
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.guarded import GuardedOrdersConnector
from connectors.pim.embedded import EmbeddedPimConnector
from connectors.pim.guarded import GuardedPimConnector
from connectors.pricing.embedded import EmbeddedPricingConnector
from connectors.pricing.guarded import GuardedPricingConnector
from gateway.config import Settings
from resolvers.context import Rules, Sources

#: A stale entry may stand in for a failing source this many times its TTL (stale-if-error).
STALE_FACTOR = 10


@dataclass
class Runtime:
    """Process-wide objects, opened in the app's lifespan and closed with it."""

    settings: Settings
    engine: AsyncEngine
    cache: CacheBackend
    sources: Sources
    rules: Rules

    async def ready(self) -> dict[str, str]:
        """What /readyz reports: each dependency's state ("ok" or the problem)."""
        checks: dict[str, str] = {}
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["backoffice_db"] = "ok"
        except Exception as exc:  # any failure means not ready; say which
            checks["backoffice_db"] = f"unavailable: {type(exc).__name__}"
        return checks

    async def aclose(self) -> None:
        await self.engine.dispose()


def _policy(ttl: int, *, private: bool = False) -> CachePolicy:
    return CachePolicy(ttl=float(ttl), stale=float(ttl * STALE_FACTOR), private=private)


def build_sources(settings: Settings, engine: AsyncEngine, cache: CacheBackend) -> Sources:
    """Guarded connectors for every domain, over the embedded back office."""
    for name, source in settings.sources.items():
        if source.kind != "embedded":
            raise ValueError(
                f"sources.{name}.kind = {source.kind!r}: only 'embedded' sources are built in "
                "this version; set kind = 'embedded'."
            )
    sessions = sessionmaker(engine)
    ttl = settings.cache.ttl

    def guard(name: str) -> SourceGuard:
        return SourceGuard(name, cache=cache, timeout=settings.sources[name].timeout)

    return Sources(
        pim=GuardedPimConnector(
            EmbeddedPimConnector(PimService(sessions)), guard("pim"), _policy(ttl.product)
        ),
        pricing=GuardedPricingConnector(
            EmbeddedPricingConnector(PricingService(sessions)), guard("pricing"), _policy(ttl.price)
        ),
        inventory=GuardedInventoryConnector(
            EmbeddedInventoryConnector(InventoryService(sessions)),
            guard("inventory"),
            locations=_policy(ttl.location),
            stock=_policy(ttl.availability),
        ),
        crm=GuardedCrmConnector(
            EmbeddedCrmConnector(CrmService(sessions)),
            guard("crm"),
            _policy(ttl.customer, private=True),
        ),
        orders=GuardedOrdersConnector(
            EmbeddedOrdersConnector(OrdersService(sessions)),
            guard("orders"),
            _policy(ttl.orders, private=True),
        ),
        loyalty=GuardedLoyaltyConnector(
            EmbeddedLoyaltyConnector(LoyaltyService(sessions)),
            guard("loyalty"),
            _policy(ttl.loyalty, private=True),
        ),
    )


def build_rules(settings: Settings) -> Rules:
    return Rules(default_locale=settings.context.default_locale, currency=settings.context.currency)


async def open_runtime(settings: Settings, *, engine: AsyncEngine | None = None) -> Runtime:
    """Open everything the gateway needs for its lifetime."""
    engine = engine or create_engine(settings.backoffice.url)
    cache: CacheBackend = MemoryCache()
    return Runtime(
        settings=settings,
        engine=engine,
        cache=cache,
        sources=build_sources(settings, engine, cache),
        rules=build_rules(settings),
    )
