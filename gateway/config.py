"""Typed, validated settings: built-in defaults, then a TOML file, then the environment.

The dataclasses below are the schema. Their field types and `metadata` drive parsing
(`gateway.config_loading`), the environment-variable names (`GATEWAY_<SECTION>__<KEY>`)
and the error messages, so a new setting is one new field; `gateway.config_checks` adds
what only the whole can tell. Every problem is collected before `ConfigError` is raised,
so one `commerce-gateway config check` shows all of them. The sections of the business
rules are in `gateway.config_rules`, the metadata a field declares in `gateway.config_fields`.
"""

from __future__ import annotations

import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from connectors._http import MAX_BATCH
from gateway.config_fields import CREDENTIAL, ENV_REFERENCES, INTERNAL, SECRET, bounds
from gateway.config_rules import CheckoutSettings, ReturnsSettings, RoutingSettings, VoucherSettings
from kernel.collector import SERVER_GC_THRESHOLD

Environment = Literal["development", "production"]
Channel = Literal["WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"]
CHANNELS: tuple[Channel, ...] = typing.get_args(Channel)
SourceKind = Literal["embedded", "http"]
CacheBackendName = Literal["memory", "redis"]
LogLevel = Literal["debug", "info", "warning", "error", "critical"]
SeedSize = Literal["small", "demo", "large", "xl"]
SOURCE_NAMES = ("pim", "pricing", "inventory", "crm", "orders", "loyalty")

# Long enough for HS512, so that PyJWT never warns about the key length in development.
DEV_SECRET = "commerce-gateway-development-secret-do-not-use-in-production-0123456789"
DEV_WEBHOOK_SECRET = "commerce-gateway-development-webhook-secret-do-not-use-in-production"

HMAC_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}  # RFC 7518 §3.2: key >= hash size
PUBLIC_KEY_ALGORITHMS = (
    *("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"),
    *("ES256", "ES384", "ES512", "EdDSA"),
)
ALGORITHMS = (*HMAC_KEY_BYTES, *PUBLIC_KEY_ALGORITHMS)


class ConfigError(ValueError):
    """The configuration is invalid; `problems` lists every "section.key: ..." message."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{len(problems)} problem(s) in the configuration:\n{lines}")


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSettings:
    """The HTTP process and the limits every request is held to."""

    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = field(default=8000, metadata=bounds(1, 65535))
    workers: int = field(default=1, metadata=bounds(1))
    max_body_bytes: int = field(default=1_000_000, metadata=bounds(1))
    introspection: bool = True
    graphiql: bool = True
    mask_errors: bool = False
    debug_source_calls: bool = True
    log_level: LogLevel = "info"
    cors_origins: tuple[str, ...] = ()
    webhook_secret: str | None = field(default=DEV_WEBHOOK_SECRET, metadata=SECRET)
    #: Net allocations between two young garbage collections (Python's own is 700). Higher,
    #: fewer of a request's objects are promoted, so the full collections that stall every
    #: request in flight become rarer (issue 11); but garbage in reference cycles, and what
    #: it holds (a refused request's 900 KB body), waits longer: see bench/RESULTS.md.
    gc_threshold: int = field(default=SERVER_GC_THRESHOLD, metadata=bounds(1))
    #: Keep what start-up built (modules, schema, runtime) out of the collector's sight
    #: (`gc.freeze()`), so that a full collection walks only what came after it.
    gc_freeze: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CostBudgets:
    """Estimated fields one request may resolve, per role of its viewer.

    A request's cost is worked out before it runs: every field counts once (a few, such as
    a search, more), times the size of each list it is in (`first`, or the length of a list
    argument, or `limits.default_list_size`). The 48-product listing with prices and stock
    in three stores costs about 2,600.
    """

    anonymous: int = field(default=20_000, metadata=bounds(1))
    kiosk: int = field(default=20_000, metadata=bounds(1))
    customer: int = field(default=20_000, metadata=bounds(1))
    associate: int = field(default=20_000, metadata=bounds(1))
    service: int = field(default=50_000, metadata=bounds(1))
    admin: int = field(default=50_000, metadata=bounds(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitSettings:
    """What one request may ask, all checked before it runs; beyond them it gets a coded error."""

    max_document_bytes: int = field(default=32_768, metadata=bounds(1))
    max_literal_bytes: int = field(default=4096, metadata=bounds(1))
    max_tokens: int = field(default=1000, metadata=bounds(1))
    max_depth: int = field(default=15, metadata=bounds(1, 100))
    max_aliases: int = field(default=30, metadata=bounds(0))
    #: Field selections once fragments are expanded (a fragment spread twice counts twice).
    max_fields: int = field(default=2000, metadata=bounds(1))
    #: Selections of one response name in one selection set (validation compares each pair).
    max_repeats: int = field(default=20, metadata=bounds(1))
    #: The size assumed for a list field that no argument sizes.
    default_list_size: int = field(default=10, metadata=bounds(1))
    cost: CostBudgets = field(default_factory=CostBudgets)
    #: Memory for parsed and validated documents, shared by all requests of a process.
    document_cache_bytes: int = field(default=8 * 2**20, metadata=bounds(0))
    #: A request still running after this long is answered with REQUEST_TIMEOUT.
    deadline_seconds: float = field(default=10.0, metadata=bounds(above=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthSettings:
    """How bearer tokens are verified (and, in development, minted)."""

    issuer: str = "commerce-gateway"
    audience: str = "commerce-gateway"
    algorithms: tuple[str, ...] = ("HS256",)
    dev_secret: str | None = field(default=DEV_SECRET, metadata=SECRET)
    public_key: str | None = None  # PEM text once loaded; the file may give a path
    jwks_url: str | None = None
    leeway_seconds: int = field(default=30, metadata=bounds(0))
    token_ttl_seconds: int = field(default=3600, metadata=bounds(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class ContextSettings:
    """Request defaults: channel, locale and currency when neither header nor token says."""

    default_channel: Channel = "WEB"
    channels: tuple[Channel, ...] = CHANNELS
    default_locale: str = "nl"
    locales: tuple[str, ...] = ("nl", "en")
    currency: str = "EUR"


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheTtlSettings:
    """Seconds an answer stays fresh across requests, per kind of data (0: not cached)."""

    product: int = field(default=3600, metadata=bounds(0))
    price: int = field(default=300, metadata=bounds(0))
    availability: int = field(default=30, metadata=bounds(0))
    location: int = field(default=3600, metadata=bounds(0))
    customer: int = field(default=0, metadata=bounds(0))
    orders: int = field(default=0, metadata=bounds(0))
    loyalty: int = field(default=0, metadata=bounds(0))


PRIVATE_DOMAINS = ("customer", "orders", "loyalty")


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheSettings:
    """The cross-request cache: in-process memory, or Redis shared by every instance."""

    backend: CacheBackendName = "memory"
    redis_url: str | None = None
    #: Whole responses of public queries (no customer data, no errors), for kiosks and
    #: signage behind a CDN; off while server.debug_source_calls is on, since a stored
    #: body would describe an earlier execution's source calls.
    responses: bool = True
    #: With Redis, each process also keeps what it reads for up to this many seconds, so
    #: hot entries skip the round trip; any invalidation event empties it. 0 turns it off.
    local_seconds: float = field(default=2.0, metadata=bounds(0, 60))
    ttl: CacheTtlSettings = field(default_factory=CacheTtlSettings)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackofficeSettings:
    """The reference back office: its database and the size of the seeded demo retailer."""

    database_url: str | None = None
    data_dir: Path = Path(".data")
    seed_size: SeedSize = "demo"

    @property
    def url(self) -> str:
        """The database to use: `database_url`, else a SQLite file under `data_dir`."""
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'backoffice.sqlite3'}"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseSettings:
    """The gateway's own database: idempotency records, the audit log and the checkout log.

    `url` (or DATABASE_URL) names it; unset, it is the SQLite file `gateway.sqlite3` under
    `backoffice.data_dir`, which suits the demo and one host. Several instances must share
    one PostgreSQL database, or each keeps idempotency keys the others cannot see.
    """

    url: str | None = None
    #: Connections each process keeps open to PostgreSQL, and how many more it may open.
    pool_size: int = field(default=5, metadata=bounds(1))
    max_overflow: int = field(default=10, metadata=bounds(0))
    #: Seconds a request waits for a free connection before it fails.
    pool_timeout: float = field(default=5.0, metadata=bounds(above=0))
    #: Log every SQL statement (development only: it is loud).
    echo: bool = False
    #: Days an idempotency key is remembered; a repeat after that is a new request.
    idempotency_retention_days: int = field(default=7, metadata=bounds(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class OutboxSettings:
    """Delivering the outbox (gateway/worker.py); a failed delivery waits base × 2^(attempt - 1).

    `in_process` runs a worker in each gateway process (the demo); production runs
    `commerce-gateway worker` beside `serve` and sets it false.
    """

    in_process: bool = True
    poll_interval_seconds: float = field(default=1.0, metadata=bounds(above=0))
    batch_size: int = field(default=50, metadata=bounds(1, 10_000))
    #: Deliveries of one batch under way at once.
    concurrency: int = field(default=8, metadata=bounds(1, 1000))
    #: How long a claimed message is its worker's; after that another worker may send it.
    lease_seconds: float = field(default=30.0, metadata=bounds(above=0))
    max_attempts: int = field(default=10, metadata=bounds(1))
    backoff_base_seconds: float = field(default=1.0, metadata=bounds(above=0))
    backoff_max_seconds: float = field(default=300.0, metadata=bounds(above=0))
    sent_retention_days: int = field(default=7, metadata=bounds(1))


PAYMENT_METHOD_NAMES = ("CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE")


def name_list(text: str) -> tuple[str, ...]:
    """The names in a comma-separated setting: "CARD, cash" -> ("CARD", "CASH")."""
    return tuple(method.strip().upper() for method in text.split(",") if method.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class ClockSettings:
    """The day the process runs as of: the system's, or `today` (development and tests only)."""

    today: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OAuthSettings:
    """OAuth2 client credentials (RFC 6749 §4.4) of an HTTP source, whose calls carry the token.

    Every key but `scope` is required. They default to None all the same, so that the
    checks can name each missing one instead of the table failing as a whole.
    """

    #: An http(s):// URL, or a path appended to base_url as the source's API paths are.
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, metadata=CREDENTIAL)
    scope: str | None = None  # space-separated, as the token endpoint expects it


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSettings:
    """Where one domain's data comes from: the embedded back office, or a system over HTTP."""

    kind: SourceKind = "embedded"
    base_url: str | None = None
    timeout: float = field(default=2.0, metadata=bounds(above=0))
    connect_timeout: float = field(default=1.0, metadata=bounds(above=0))
    retries: int = field(default=2, metadata=bounds(0, 10))
    breaker_failures: int = field(default=5, metadata=bounds(1))
    breaker_reset_seconds: float = field(default=10.0, metadata=bounds(above=0))
    max_concurrency: int = field(default=20, metadata=bounds(1))
    #: The most keys one call names (HTTP): longer lists become calls sent side by side.
    max_batch: int = field(default=MAX_BATCH, metadata=bounds(1, 10_000))
    headers: Mapping[str, str] = field(
        default_factory=lambda: types.MappingProxyType({}), metadata=ENV_REFERENCES
    )
    mapping: Mapping[str, str] = field(default_factory=lambda: types.MappingProxyType({}))
    oauth: OAuthSettings | None = None


def _default_sources() -> Mapping[str, SourceSettings]:
    return types.MappingProxyType({name: SourceSettings() for name in SOURCE_NAMES})


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """All settings of one gateway process; `Settings()` is the development default."""

    server: ServerSettings = field(default_factory=ServerSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    context: ContextSettings = field(default_factory=ContextSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    backoffice: BackofficeSettings = field(default_factory=BackofficeSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    checkout: CheckoutSettings = field(default_factory=CheckoutSettings)
    vouchers: VoucherSettings = field(default_factory=VoucherSettings)
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    returns: ReturnsSettings = field(default_factory=ReturnsSettings)
    clock: ClockSettings = field(default_factory=ClockSettings)
    sources: Mapping[str, SourceSettings] = field(default_factory=_default_sources)
    config_file: Path | None = field(default=None, metadata=INTERNAL)
    # The environment variable that set a value, by dotted key, for describe().
    origins: Mapping[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata=INTERNAL
    )

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
        """Defaults, then the TOML file, then `GATEWAY_<SECTION>__<KEY>`, `DATABASE_URL`, `REDIS_URL`.

        The file is `path`, else `$GATEWAY_CONFIG`, else `./gateway.toml` if it exists.
        Raises `ConfigError` listing every problem found.
        """
        from gateway.config_checks import check
        from gateway.config_loading import Parser, find_config_file, read_toml

        config_file = find_config_file(path, env)
        raw = read_toml(config_file) if config_file else {}
        parser = Parser(env, config_file)
        parser.overlay_environment(raw)
        settings = parser.settings(raw)
        problems = parser.problems + check(settings)
        if problems:
            raise ConfigError(problems)
        return settings

    @property
    def database_url(self) -> str:
        """The gateway's own database: `database.url`, else `gateway.sqlite3` under the data dir."""
        default = f"sqlite+aiosqlite:///{self.backoffice.data_dir / 'gateway.sqlite3'}"
        return self.database.url or default

    def describe(self) -> str:
        """The effective settings as TOML, secrets redacted, environment overrides marked."""
        origin = f"{self.config_file}" if self.config_file else "no file"
        from gateway.config_checks import describe_table

        lines = [f"# effective settings: built-in defaults < {origin} < environment (# from ...)"]
        describe_table(self, "", self.origins, lines)
        return "\n".join(lines) + "\n"
