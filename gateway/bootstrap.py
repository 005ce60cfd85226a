"""The composition root: builds the process-wide objects (engine, cache, guarded sources).

This is the one place that picks implementations: which adapter serves each domain, which
cache backend, which policies. Everything is created here at start-up, never at import.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from backoffice.crm.service import CrmService
from backoffice.db import create_engine, sessionmaker
from backoffice.inventory.service import InventoryService
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders.service import OrdersService
from backoffice.pim.service import PimService
from backoffice.pricing.service import PricingService
from connectors._http import ClientCredentialsAuth, build_client
from connectors.cache import CacheBackend, MemoryCache
from connectors.crm.embedded import EmbeddedCrmConnector
from connectors.crm.guarded import GuardedCrmConnector
from connectors.crm.http import HttpCrmConnector
from connectors.crm.protocol import CrmConnector
from connectors.guard import CachePolicy, SourceGuard
from connectors.invalidation import (
    InvalidationBus,
    Invalidator,
    LocalInvalidationBus,
    RedisInvalidationBus,
)
from connectors.inventory.embedded import EmbeddedInventoryConnector
from connectors.inventory.guarded import GuardedInventoryConnector
from connectors.inventory.http import HttpInventoryConnector
from connectors.inventory.protocol import InventoryConnector
from connectors.loyalty.embedded import EmbeddedLoyaltyConnector
from connectors.loyalty.guarded import GuardedLoyaltyConnector
from connectors.loyalty.http import HttpLoyaltyConnector
from connectors.loyalty.protocol import LoyaltyConnector
from connectors.metrics import SourceMetrics
from connectors.orders.embedded import EmbeddedOrdersConnector
from connectors.orders.guarded import GuardedOrdersConnector
from connectors.orders.http import HttpOrdersConnector
from connectors.orders.protocol import OrdersConnector
from connectors.pim.embedded import EmbeddedPimConnector
from connectors.pim.guarded import GuardedPimConnector
from connectors.pim.http import HttpPimConnector
from connectors.pim.protocol import PimConnector
from connectors.pricing.embedded import EmbeddedPricingConnector
from connectors.pricing.guarded import GuardedPricingConnector
from connectors.pricing.http import HttpPricingConnector
from connectors.pricing.protocol import PricingConnector
from connectors.redis_cache import RedisCache
from connectors.resilience import ResiliencePolicy
from connectors.tiered_cache import LocalFront, TieredCache
from gateway.config import (
    DatabaseSettings,
    LimitSettings,
    Settings,
    SourceSettings,
    name_list,
)
from gateway.readiness import OK, ReadinessProbe
from gateway.recovery import Recovery
from gateway.response_cache import ResponseCache
from gateway.worker import OutboxWorker, build_outbox_worker
from kernel.clock import Clock, on_day
from ledger import Ledger, LedgerBehind, LedgerUnavailable, migrate
from ledger import db as ledger_db
from resolvers.checkout_saga import CheckoutSaga
from resolvers.context import Rules, Sources
from resolvers.order_amounts import CheckoutRules
from resolvers.refunds import RefundRules
from resolvers.return_recovery import ReturnRecovery
from resolvers.return_routing import ReturnRoutingWeights
from resolvers.routing import RoutingWeights
from resolvers.voucher_rules import VoucherRules
from schema.documents import DocumentLimits

#: A stale entry may stand in for a failing source this many times its TTL (stale-if-error).
STALE_FACTOR = 10
#: Bump when cached record classes change, so that two releases never read each other's entries.
CACHE_VERSION = "v1"
#: Entries a process keeps in front of Redis (cache.local_seconds): a listing's are ~200,
#: a response up to ~40 KB, so this bounds the front to tens of MB.
LOCAL_FRONT_ENTRIES = 20_000

logger = logging.getLogger("gateway.bootstrap")

SQLITE_IN_PRODUCTION = (
    "database.url is a SQLite file in production: right for one host, wrong for several, "
    "whose idempotency keys and checkout logs would not see each other; set DATABASE_URL "
    "to a PostgreSQL database shared by every instance"
)


@dataclass
class Runtime:
    """Process-wide objects, opened in the app's lifespan and closed with it."""

    settings: Settings
    clock: Clock
    engine: AsyncEngine | None
    cache: CacheBackend
    sources: Sources
    rules: Rules
    #: The gateway's own database (idempotency, audit, checkout log), for the request context.
    ledger: Ledger
    ledger_engine: AsyncEngine
    #: Completes or undoes checkouts a crash interrupted, at start-up and then now and then.
    recovery: Recovery
    #: Delivers the outbox; started by `start()` only when `[outbox] in_process` is true.
    outbox_worker: OutboxWorker
    guards: dict[str, SourceGuard]
    invalidator: Invalidator
    bus: InvalidationBus
    metrics: CollectorRegistry
    probe: ReadinessProbe
    redis: Redis | None = None
    responses: ResponseCache | None = None
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    async def start(self) -> None:
        """Start listening for invalidations and check the dependencies.

        Raises `LedgerBehind` in production when the gateway's database has not been
        migrated to this release: serving would fail every checkout with a missing table.
        """
        await self.check_ledger()
        await self.bus.start()
        self.recovery.start()
        if self.settings.outbox.in_process:
            # A request that commits messages wakes the worker rather than waiting a poll.
            self.ledger.outbox.subscribe(self.outbox_worker.wake)
            self.outbox_worker.start()
        readiness = await self.probe.check()
        if not readiness.serving:
            # The one line an operator looking at an instance that never gets ready needs.
            problems = "; ".join(
                f"{name}: {state}" for name, state in readiness.checks.items() if state != OK
            )
            logger.error("this instance cannot answer any query: %s", problems)

    async def check_ledger(self) -> None:
        production = self.settings.server.environment == "production"
        if production and self.settings.database_url.startswith("sqlite"):
            logger.warning(SQLITE_IN_PRODUCTION)
        try:
            state = await migrate.state(self.ledger_engine)
        except LedgerUnavailable as exc:
            # Served degraded like any shared dependency: reads work, checkout waits for it.
            logger.error("the gateway's database is unreachable: %s", exc)
            return
        if state.behind:
            behind = LedgerBehind(state.current, state.head)
            if production:
                raise behind
            logger.warning("%s; checkout will fail until then", behind)

    async def aclose(self) -> None:
        await self.outbox_worker.stop()
        await self.recovery.stop()
        await self.bus.stop()
        for guard in self.guards.values():
            await guard.wait_background()
        for client in self.clients:
            await client.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        if self.engine is not None:
            await self.engine.dispose()
        await self.ledger_engine.dispose()


def document_limits(limits: LimitSettings) -> DocumentLimits:
    """The schema's view of the `[limits]` settings."""
    return DocumentLimits(
        max_bytes=limits.max_document_bytes,
        max_literal_bytes=limits.max_literal_bytes,
        max_tokens=limits.max_tokens,
        max_depth=limits.max_depth,
        max_aliases=limits.max_aliases,
        max_fields=limits.max_fields,
        max_repeats=limits.max_repeats,
        default_list_size=limits.default_list_size,
        cost_budgets={
            role.name: getattr(limits.cost, role.name) for role in dataclasses.fields(limits.cost)
        },
        cache_bytes=limits.document_cache_bytes,
    )


def _policy(ttl: int, *, private: bool = False) -> CachePolicy:
    return CachePolicy(ttl=float(ttl), stale=float(ttl * STALE_FACTOR), private=private)


def _resilience(source: SourceSettings) -> ResiliencePolicy:
    return ResiliencePolicy(
        retries=source.retries,
        breaker_failures=source.breaker_failures,
        breaker_reset_seconds=source.breaker_reset_seconds,
        max_concurrency=source.max_concurrency,
    )


def build_auth(source: SourceSettings) -> ClientCredentialsAuth | None:
    """The OAuth2 auth of an HTTP source; a `token_url` path is appended to its base_url."""
    oauth = source.oauth
    if oauth is None:
        return None
    # The configuration checks that these are set (base_url because kind = "http").
    token_url, client_id, secret = oauth.token_url, oauth.client_id, oauth.client_secret
    assert token_url is not None
    assert client_id is not None
    assert secret is not None
    assert source.base_url is not None
    if not urlsplit(token_url).scheme:
        # Appended as httpx appends a request's path to base_url, so that a path means the
        # same here as in the connectors' calls (RFC 3986's join would drop base_url's path).
        token_url = source.base_url.rstrip("/") + token_url
    return ClientCredentialsAuth(token_url, client_id, secret, oauth.scope)


def build_clock(settings: Settings) -> Clock:
    """The process's clock: the system's, moved to `clock.today` when that is set."""
    return on_day(settings.clock.today)


def build_guards(
    settings: Settings, cache: CacheBackend, registry: CollectorRegistry, clock: Clock
) -> dict[str, SourceGuard]:
    metrics = SourceMetrics(registry)
    return {
        name: SourceGuard(
            name,
            cache=cache,
            timeout=source.timeout,
            clock=clock,
            resilience=_resilience(source),
            metrics=metrics,
        )
        for name, source in settings.sources.items()
    }


def build_sources(
    settings: Settings,
    engine: AsyncEngine | None,
    guards: Mapping[str, SourceGuard],
    clients: list[httpx.AsyncClient],
    clock: Clock,
) -> Sources:
    """Guarded connectors for every domain: embedded (the back office in-process) or HTTP."""
    sessions = sessionmaker(engine) if engine is not None else None
    ttl = settings.cache.ttl

    def remote(name: str) -> tuple[httpx.AsyncClient, Mapping[str, str]] | None:
        """A pooled client and field mapping for an HTTP source; None for an embedded one."""
        source = settings.sources[name]
        if source.kind != "http":
            return None
        assert source.base_url is not None  # the configuration checks it
        client = build_client(
            source.base_url,
            timeout=source.timeout,
            connect_timeout=source.connect_timeout,
            headers=source.headers,
            max_connections=source.max_concurrency,
            auth=build_auth(source),
        )
        clients.append(client)
        return client, source.mapping

    def local() -> async_sessionmaker[Any]:
        assert sessions is not None  # an engine exists whenever a source is embedded
        return sessions

    pim: PimConnector = (
        HttpPimConnector(http[0], mapping=http[1])
        if (http := remote("pim"))
        else EmbeddedPimConnector(PimService(local()))
    )
    pricing: PricingConnector = (
        HttpPricingConnector(http[0], mapping=http[1])
        if (http := remote("pricing"))
        else EmbeddedPricingConnector(PricingService(local(), clock=clock))
    )
    inventory: InventoryConnector = (
        HttpInventoryConnector(http[0], mapping=http[1])
        if (http := remote("inventory"))
        else EmbeddedInventoryConnector(InventoryService(local(), clock=clock))
    )
    crm: CrmConnector = (
        HttpCrmConnector(http[0], mapping=http[1])
        if (http := remote("crm"))
        else EmbeddedCrmConnector(CrmService(local(), clock=clock))
    )
    orders: OrdersConnector = (
        HttpOrdersConnector(http[0], mapping=http[1])
        if (http := remote("orders"))
        else EmbeddedOrdersConnector(OrdersService(local(), clock=clock))
    )
    loyalty: LoyaltyConnector = (
        HttpLoyaltyConnector(http[0], mapping=http[1])
        if (http := remote("loyalty"))
        else EmbeddedLoyaltyConnector(LoyaltyService(local(), clock=clock))
    )
    return Sources(
        pim=GuardedPimConnector(pim, guards["pim"], _policy(ttl.product)),
        pricing=GuardedPricingConnector(pricing, guards["pricing"], _policy(ttl.price)),
        inventory=GuardedInventoryConnector(
            inventory,
            guards["inventory"],
            locations=_policy(ttl.location),
            stock=_policy(ttl.availability),
        ),
        crm=GuardedCrmConnector(crm, guards["crm"], _policy(ttl.customer, private=True)),
        orders=GuardedOrdersConnector(orders, guards["orders"], _policy(ttl.orders, private=True)),
        loyalty=GuardedLoyaltyConnector(
            loyalty, guards["loyalty"], _policy(ttl.loyalty, private=True)
        ),
    )


def build_ledger_engine(database: DatabaseSettings, url: str) -> AsyncEngine:
    """The engine of the gateway's own database, sized as `[database]` says."""
    return ledger_db.create_engine(
        url,
        pool_size=database.pool_size,
        max_overflow=database.max_overflow,
        pool_timeout=database.pool_timeout,
        echo=database.echo,
    )


def build_ledger(settings: Settings, engine: AsyncEngine, clock: Clock) -> Ledger:
    retention = timedelta(days=settings.database.idempotency_retention_days)
    return Ledger.on(engine, clock, retention=retention)


def build_rules(settings: Settings) -> Rules:
    checkout, routing, returns = settings.checkout, settings.routing, settings.returns
    return Rules(
        default_locale=settings.context.default_locale,
        currency=settings.context.currency,
        max_line_quantity=checkout.max_line_quantity,
        payment_methods={
            channel: name_list(text) for channel, text in checkout.payment_methods.items()
        },
        checkout=CheckoutRules(
            vat_percent=checkout.vat_percent,
            shipping_fee=checkout.shipping_fee,
            free_shipping_from=checkout.free_shipping_from,
            points_per_unit=checkout.points_per_unit,
        ),
        vouchers=VoucherRules(
            validity_days=settings.vouchers.validity_days,
            max_amount=settings.vouchers.max_amount,
        ),
        routing=RoutingWeights(
            **{f.name: getattr(routing, f.name) for f in dataclasses.fields(routing)}
        ),
        refunds=RefundRules(
            mail_return_fee=returns.mail_return_fee,
            shipping_kept_for_tiers=frozenset(name_list(returns.shipping_kept_for_tiers)),
            refund_methods={k.upper(): v.upper() for k, v in returns.refund_methods.items()},
        ),
        return_routing=ReturnRoutingWeights(
            **{f.name: getattr(returns, f.name) for f in dataclasses.fields(ReturnRoutingWeights)}
        ),
    )


def build_response_cache(
    settings: Settings, cache: CacheBackend, clock: Clock
) -> ResponseCache | None:
    """The whole-response cache, on the same backend as the entities so one event drops both."""
    if not settings.cache.responses or settings.server.debug_source_calls:
        return None
    ttl = settings.cache.ttl
    return ResponseCache(
        cache,
        ttl_by_source={
            "pim": ttl.product,
            "pricing": ttl.price,
            "inventory": min(ttl.availability, ttl.location),
            "crm": 0,
            "orders": 0,
            "loyalty": 0,
        },
        vary=("authorization", "accept-language", "x-channel", "x-store"),
        clock=clock,
    )


def redis_client(url: str) -> Redis:
    """A client that gives up fast: a slow cache is worse than none."""
    return Redis.from_url(
        url,
        socket_timeout=0.25,
        socket_connect_timeout=0.25,
        health_check_interval=30,
        retry=Retry(NoBackoff(), 1),
    )


async def open_runtime(
    settings: Settings,
    *,
    engine: AsyncEngine | None = None,
    clock: Clock | None = None,
    ledger_engine: AsyncEngine | None = None,
) -> Runtime:
    """Open everything the gateway needs for its lifetime (call `start()` before serving).

    `clock` is the one every part reads the calendar from; by default `build_clock(settings)`.
    `engine` is the embedded back office's, `ledger_engine` the gateway's own database's;
    both default to the ones the settings name, and the runtime disposes them on close.
    """
    clock = clock or build_clock(settings)
    ledger_engine = ledger_engine or build_ledger_engine(settings.database, settings.database_url)
    if engine is None and any(s.kind == "embedded" for s in settings.sources.values()):
        engine = create_engine(settings.backoffice.url)
    redis: Redis | None = None
    cache: CacheBackend
    if settings.cache.backend == "redis":
        if not settings.cache.redis_url:
            raise ValueError("cache.backend = 'redis' needs cache.redis_url or REDIS_URL")
        redis = redis_client(settings.cache.redis_url)
        cache = RedisCache(redis, prefix=f"cg:{CACHE_VERSION}:", clock=clock)
    else:
        cache = MemoryCache(clock=clock)
    caches: list[CacheBackend] = [cache]
    if redis is not None and settings.cache.local_seconds > 0:
        front = LocalFront(max_entries=LOCAL_FRONT_ENTRIES, clock=clock)
        cache = TieredCache(front, cache, front_seconds=settings.cache.local_seconds, clock=clock)
        # Registered on its own as a local cache, so that events from other instances,
        # which leave the shared cache alone, still reach it.
        caches = [cache, front]
    registry = CollectorRegistry()
    guards = build_guards(settings, cache, registry, clock)
    invalidator = Invalidator(caches, [guard.on_invalidation for guard in guards.values()])
    responses = build_response_cache(settings, cache, clock)
    if responses is not None:
        invalidator.add_listener(responses.on_invalidation)
    bus: InvalidationBus = (
        RedisInvalidationBus(redis, invalidator, channel=f"cg:{CACHE_VERSION}:invalidate")
        if redis is not None
        else LocalInvalidationBus(invalidator)
    )
    clients: list[httpx.AsyncClient] = []
    shared = cache.back if isinstance(cache, TieredCache) else cache
    probe = ReadinessProbe(
        engine=engine,
        ledger_engine=ledger_engine,
        embedded=[name for name, s in settings.sources.items() if s.kind == "embedded"],
        redis=shared if isinstance(shared, RedisCache) else None,
        guards=guards,
        registry=registry,
    )
    sources = build_sources(settings, engine, guards, clients, clock)
    ledger = build_ledger(settings, ledger_engine, clock)
    return Runtime(
        settings=settings,
        clock=clock,
        engine=engine,
        cache=cache,
        sources=sources,
        clients=clients,
        rules=build_rules(settings),
        ledger=ledger,
        ledger_engine=ledger_engine,
        recovery=Recovery(
            (CheckoutSaga(sources, ledger, clock).recover, ReturnRecovery(sources, ledger).recover),
            clock,
            interval_seconds=settings.checkout.recovery_interval_seconds,
            grace_seconds=settings.checkout.recovery_grace_seconds,
        ),
        outbox_worker=build_outbox_worker(settings.outbox, sources, ledger, clock),
        guards=guards,
        invalidator=invalidator,
        bus=bus,
        metrics=registry,
        probe=probe,
        redis=redis,
        responses=responses,
    )
