"""Whether this instance can serve at all, and what it serves degraded: /readyz and its gauges.

A load balancer takes an instance that is not ready out of rotation. That helps only
against what is wrong with *this* instance: a source with an open breaker, a failing
source or an unreachable Redis or database are the same for every instance, and an
instance that says "not ready" for them takes the whole fleet down at once, although each
would still answer every field the other sources serve (DESIGN.md §5). So they make the
instance *degraded*: reported here and in /metrics, still ready.

An instance is *unavailable* (HTTP 503) only while no query could be answered: before its
lifespan has started or after it has ended (the app answers that itself), or when every
source it has is unusable for a reason of its own that will not pass by waiting, which
today is one: the sources are embedded and the back office's database holds no tables or
data (an empty volume, a forgotten `commerce-gateway seed`).

The gateway's own database (idempotency records, audit and checkout logs) follows the
same rule. Checkout cannot run without it, but every read can, and it is one database
shared by the whole fleet: when it is unreachable, or not yet migrated to this release,
the instance is degraded (`gateway_db` says which, and that checkout fails), not taken
out of rotation with its readable catalogue. Production refuses to *start* on a database
behind this release (`Runtime.start`), so "behind" is seen in development only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from backoffice.seed import is_seeded
from connectors.guard import SourceGuard
from connectors.redis_cache import RedisCache
from ledger import migrate

Status = Literal["ready", "degraded", "unavailable"]

OK = "ok"
#: What an operator runs when the embedded back office is empty.
EMPTY_BACKOFFICE = (
    "empty: the back office's database has no tables or data; run `commerce-gateway seed` "
    "(or `commerce-gateway demo`), or point GATEWAY_BACKOFFICE__DATABASE_URL at a seeded "
    "database"
)
#: What an operator runs when the gateway's own database is older than this release.
LEDGER_BEHIND = (
    "behind: checkout fails until `commerce-gateway db upgrade` migrates the gateway's database"
)
LEDGER_UNAVAILABLE = "unavailable: checkout fails until the gateway's database answers"


@dataclass(frozen=True, slots=True)
class Readiness:
    """The answer of one check: the instance's status and each dependency's state."""

    status: Status
    checks: Mapping[str, str]

    @property
    def serving(self) -> bool:
        return self.status != "unavailable"

    def document(self) -> dict[str, object]:
        return {"status": self.status, "checks": dict(self.checks)}


class ReadinessProbe:
    """Checks both databases, Redis and each source's breaker, on demand.

    Each check also sets `gateway_dependency_up{dependency}` (1 up, 0 down) for /metrics;
    breakers have their own gauge (`gateway_source_breaker_state`).
    """

    def __init__(
        self,
        *,
        engine: AsyncEngine | None,
        ledger_engine: AsyncEngine | None = None,
        embedded: Sequence[str],
        redis: RedisCache | None,
        guards: Mapping[str, SourceGuard],
        registry: CollectorRegistry,
    ) -> None:
        self._engine = engine
        self._ledger_engine = ledger_engine
        self._ledger_current = False
        self._embedded = tuple(embedded)
        self._redis = redis
        self._guards = guards
        self._seeded = False
        self._up = Gauge(
            "dependency_up",
            "Whether a dependency of the gateway answers: 1 up, 0 down (serving degraded).",
            ["dependency"],
            namespace="gateway",
            registry=registry,
        )

    async def check(self) -> Readiness:
        checks: dict[str, str] = {}
        unusable: set[str] = set()
        if self._engine is not None:
            checks["backoffice_db"] = await self._backoffice(self._engine)
            self._up.labels("backoffice_db").set(1.0 if checks["backoffice_db"] == OK else 0.0)
            if checks["backoffice_db"] == EMPTY_BACKOFFICE:
                unusable.update(self._embedded)
        if self._ledger_engine is not None:
            checks["gateway_db"] = await self._ledger(self._ledger_engine)
            self._up.labels("gateway_db").set(1.0 if checks["gateway_db"] == OK else 0.0)
        if self._redis is not None:
            up = await self._redis.ping()
            checks["redis"] = OK if up else "unavailable: serving from the sources, uncached"
            self._up.labels("redis").set(1.0 if up else 0.0)
        for name, guard in self._guards.items():
            checks[f"source:{name}"] = _source_state(guard)
        if self._guards and unusable >= set(self._guards):
            status: Status = "unavailable"
        elif all(state == OK for state in checks.values()):
            status = "ready"
        else:
            status = "degraded"
        return Readiness(status, checks)

    async def _backoffice(self, engine: AsyncEngine) -> str:
        try:
            if self._seeded:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return OK
            # Asked until it holds data, so that a seed run beside a waiting instance
            # makes it ready without a restart; data once there does not go away.
            self._seeded = await is_seeded(engine)
        except Exception as exc:  # unreachable is degraded: the sources' errors say the rest
            return f"unavailable: {type(exc).__name__}"
        return OK if self._seeded else EMPTY_BACKOFFICE

    async def _ledger(self, engine: AsyncEngine) -> str:
        try:
            if self._ledger_current:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return OK
            # Asked until migrated, so that `db upgrade` beside a running instance is seen.
            self._ledger_current = not (await migrate.state(engine)).behind
        except Exception:  # LedgerUnavailable, or the driver's own: degraded all the same
            return LEDGER_UNAVAILABLE
        return OK if self._ledger_current else LEDGER_BEHIND


def _source_state(guard: SourceGuard) -> str:
    breaker = guard.breaker
    state = breaker.state
    if state == "open":
        return "circuit open"
    if state == "half_open":
        return "circuit half-open: trying the source again"
    if breaker.consecutive_failures:
        return f"failing: {breaker.consecutive_failures} consecutive failures"
    return OK
