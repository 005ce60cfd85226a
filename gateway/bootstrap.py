"""The composition root: builds the process-wide objects (engine, cache, guarded sources).

This is the one place that picks implementations: which adapter serves each domain, which
cache backend, which policies. Everything is created here at start-up, never at import.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from prometheus_client import CollectorRegistry
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.db import create_engine
from connectors.cache import CacheBackend
from connectors.crm.guarded import GuardedCrmConnector
from connectors.guard import CachePolicy, SourceGuard
from connectors.invalidation import (
    InvalidationBus,
    Invalidator,
    LocalInvalidationBus,
    RedisInvalidationBus,
)
from connectors.inventory.guarded import GuardedInventoryConnector
from connectors.layers.adapter import Adapter
from connectors.layers.breaker import Breaker
from connectors.layers.bulkhead import Bulkhead
from connectors.layers.cache import Cache
from connectors.layers.observe import Observe
from connectors.layers.retry import Retry
from connectors.layers.sharing import SharedFetch
from connectors.layers.timeout import Timeout
from connectors.loyalty.guarded import GuardedLoyaltyConnector
from connectors.metrics import SourceMetrics
from connectors.orders.guarded import GuardedOrdersConnector
from connectors.pim.guarded import GuardedPimConnector
from connectors.pricing.guarded import GuardedPricingConnector
from connectors.redis_cache import RedisCache
from connectors.resilience import NO_RESILIENCE, CircuitBreaker, ResiliencePolicy
from connectors.tiered_cache import TieredCache
from gateway.adapters import Adapters, build_adapters
from gateway.caches import build_cache, build_response_cache
from gateway.config import (
    DatabaseSettings,
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

#: Bump when cached record classes change, so that two releases never read each other's entries.
#: v4: a search page's cursors lead with a relevance tier, no longer a float rank.
CACHE_VERSION = "v4"
#: A stale entry may stand in for a failing source this many times its TTL (stale-if-error).
STALE_FACTOR = 10

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


def _policy(ttl: int, *, private: bool = False) -> CachePolicy:
    return CachePolicy(ttl=float(ttl), stale=float(ttl * STALE_FACTOR), private=private)


def _resilience(source: SourceSettings) -> ResiliencePolicy:
    return ResiliencePolicy(
        retries=source.retries,
        breaker_failures=source.breaker_failures,
        breaker_reset_seconds=source.breaker_reset_seconds,
        max_concurrency=source.max_concurrency,
    )


def build_clock(settings: Settings) -> Clock:
    """The process's clock: the system's, moved to `clock.today` when that is set."""
    return on_day(settings.clock.today)


def build_stack(
    source: str,
    *,
    cache: CacheBackend | None,
    timeout: float,
    clock: Clock,
    resilience: ResiliencePolicy = NO_RESILIENCE,
    metrics: SourceMetrics | None = None,
    timer: Callable[[], float] = time.monotonic,
    rand: Callable[[], float] = random.random,
) -> SourceGuard:
    """One source's layers, top to bottom (see `connectors.layers` for why in this order).

    Reads go through all of them; calls (carts, writes) start at `Retry`, which retries
    only idempotent ones. `clock` drives cache freshness, `timer` (monotonic seconds) the
    breaker's reset time, `rand` the backoff jitter.
    """
    breaker = CircuitBreaker(
        source,
        failures=resilience.breaker_failures,
        reset_seconds=resilience.breaker_reset_seconds,
        clock=timer,
    )
    if metrics is not None:
        metrics.track_breaker(source, lambda: breaker.state)
    calls = Retry(
        timeout,
        resilience,
        Observe(
            source,
            metrics,
            Breaker(
                breaker,
                Bulkhead(source, resilience.max_concurrency, Timeout(source, Adapter())),
            ),
        ),
        rand=rand,
    )
    shared = SharedFetch(source, calls)
    reads = Cache(source, cache, clock, metrics, shared)
    return SourceGuard(source, reads=reads, shared=shared, calls=calls, breaker=breaker)


def build_guards(
    settings: Settings, cache: CacheBackend, registry: CollectorRegistry, clock: Clock
) -> dict[str, SourceGuard]:
    """Every source's stack, from its `[sources.<name>]` settings."""
    metrics = SourceMetrics(registry)
    return {
        name: build_stack(
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
    settings: Settings, adapters: Adapters, guards: dict[str, SourceGuard]
) -> Sources:
    """Every source's adapter behind its stack, with the cache policies of `[cache.ttl]`."""
    ttl = settings.cache.ttl
    return Sources(
        pim=GuardedPimConnector(adapters.pim, guards["pim"], _policy(ttl.product)),
        pricing=GuardedPricingConnector(adapters.pricing, guards["pricing"], _policy(ttl.price)),
        inventory=GuardedInventoryConnector(
            adapters.inventory,
            guards["inventory"],
            locations=_policy(ttl.location),
            stock=_policy(ttl.availability),
        ),
        crm=GuardedCrmConnector(adapters.crm, guards["crm"], _policy(ttl.customer, private=True)),
        orders=GuardedOrdersConnector(
            adapters.orders, guards["orders"], _policy(ttl.orders, private=True)
        ),
        loyalty=GuardedLoyaltyConnector(
            adapters.loyalty, guards["loyalty"], _policy(ttl.loyalty, private=True)
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
    redis, cache, caches = build_cache(settings, clock, prefix=f"cg:{CACHE_VERSION}:")
    registry = CollectorRegistry()
    guards = build_guards(settings, cache, registry, clock)
    invalidator = Invalidator(caches, [guard.shared.on_invalidation for guard in guards.values()])
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
    sources = build_sources(settings, build_adapters(settings, engine, clients, clock), guards)
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
