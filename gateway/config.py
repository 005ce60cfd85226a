"""Typed, validated settings: built-in defaults, then a TOML file, then the environment.

The dataclasses below are the schema. Their field types and `metadata` drive parsing,
the environment-variable names (`GATEWAY_<SECTION>__<KEY>`) and the error messages, so a
new setting is one new field. Every problem is collected before `ConfigError` is raised,
so one `commerce-gateway config check` shows all of them.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from resolvers.context import PAYMENT_METHODS, Rules
from resolvers.order_amounts import CheckoutRules
from resolvers.routing import RoutingWeights

Environment = Literal["development", "production"]
Channel = Literal["WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"]
CHANNELS: tuple[Channel, ...] = typing.get_args(Channel)
SourceKind = Literal["embedded", "http"]
CacheBackendName = Literal["memory", "redis"]
LogLevel = Literal["debug", "info", "warning", "error", "critical"]
SeedSize = Literal["small", "demo", "large"]
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


def _limits(
    minimum: float | None = None, maximum: float | None = None, *, above: float | None = None
) -> dict[str, Any]:
    return {"minimum": minimum, "maximum": maximum, "above": above}


# Secrets are read from the environment only; the file may not contain them.
_SECRET = {"secret": True}
# `${NAME}` in a value is replaced by the environment variable NAME.
_ENV_REFERENCES = {"env_references": True}
# A credential the file refers to as `${NAME}`: expanded, and never shown.
_CREDENTIAL = {"env_references": True, "redacted": True}
_INTERNAL = {"internal": True}


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerSettings:
    """The HTTP process and the limits every request is held to."""

    environment: Environment = "development"
    host: str = "127.0.0.1"
    port: int = field(default=8000, metadata=_limits(1, 65535))
    workers: int = field(default=1, metadata=_limits(1))
    max_body_bytes: int = field(default=1_000_000, metadata=_limits(1))
    introspection: bool = True
    graphiql: bool = True
    mask_errors: bool = False
    debug_source_calls: bool = True
    log_level: LogLevel = "info"
    cors_origins: tuple[str, ...] = ()
    webhook_secret: str | None = field(default=DEV_WEBHOOK_SECRET, metadata=_SECRET)


@dataclass(frozen=True, slots=True, kw_only=True)
class CostBudgets:
    """Estimated fields one request may resolve, per role of its viewer.

    A request's cost is worked out before it runs: every field counts once (a few, such as
    a search, more), times the size of each list it is in (`first`, or the length of a list
    argument, or `limits.default_list_size`). The 48-product listing with prices and stock
    in three stores costs about 2,600.
    """

    anonymous: int = field(default=20_000, metadata=_limits(1))
    kiosk: int = field(default=20_000, metadata=_limits(1))
    customer: int = field(default=20_000, metadata=_limits(1))
    associate: int = field(default=20_000, metadata=_limits(1))
    service: int = field(default=50_000, metadata=_limits(1))
    admin: int = field(default=50_000, metadata=_limits(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class LimitSettings:
    """What one request may ask, all checked before it runs; beyond them it gets a coded error."""

    max_document_bytes: int = field(default=32_768, metadata=_limits(1))
    max_literal_bytes: int = field(default=4096, metadata=_limits(1))
    max_tokens: int = field(default=1000, metadata=_limits(1))
    max_depth: int = field(default=15, metadata=_limits(1, 100))
    max_aliases: int = field(default=30, metadata=_limits(0))
    #: Field selections once fragments are expanded (a fragment spread twice counts twice).
    max_fields: int = field(default=2000, metadata=_limits(1))
    #: Selections of one response name in one selection set (validation compares each pair).
    max_repeats: int = field(default=20, metadata=_limits(1))
    #: The size assumed for a list field that no argument sizes.
    default_list_size: int = field(default=10, metadata=_limits(1))
    cost: CostBudgets = field(default_factory=CostBudgets)
    #: Memory for parsed and validated documents, shared by all requests of a process.
    document_cache_bytes: int = field(default=8 * 2**20, metadata=_limits(0))
    #: A request still running after this long is answered with REQUEST_TIMEOUT.
    deadline_seconds: float = field(default=10.0, metadata=_limits(above=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthSettings:
    """How bearer tokens are verified (and, in development, minted)."""

    issuer: str = "commerce-gateway"
    audience: str = "commerce-gateway"
    algorithms: tuple[str, ...] = ("HS256",)
    dev_secret: str | None = field(default=DEV_SECRET, metadata=_SECRET)
    public_key: str | None = None  # PEM text once loaded; the file may give a path
    jwks_url: str | None = None
    leeway_seconds: int = field(default=30, metadata=_limits(0))
    token_ttl_seconds: int = field(default=3600, metadata=_limits(1))


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

    product: int = field(default=3600, metadata=_limits(0))
    price: int = field(default=300, metadata=_limits(0))
    availability: int = field(default=30, metadata=_limits(0))
    location: int = field(default=3600, metadata=_limits(0))
    customer: int = field(default=0, metadata=_limits(0))
    orders: int = field(default=0, metadata=_limits(0))
    loyalty: int = field(default=0, metadata=_limits(0))


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
    local_seconds: float = field(default=2.0, metadata=_limits(0, 60))
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
    pool_size: int = field(default=5, metadata=_limits(1))
    max_overflow: int = field(default=10, metadata=_limits(0))
    #: Seconds a request waits for a free connection before it fails.
    pool_timeout: float = field(default=5.0, metadata=_limits(above=0))
    #: Log every SQL statement (development only: it is loud).
    echo: bool = False
    #: Days an idempotency key is remembered; a repeat after that is a new request.
    idempotency_retention_days: int = field(default=7, metadata=_limits(1))


PAYMENT_METHOD_NAMES = ("CARD", "CASH", "GIFT_CARD", "VOUCHER", "MOBILE", "INVOICE")


def payment_methods(text: str) -> tuple[str, ...]:
    """The methods of a `checkout.payment_methods` entry: "CARD, CASH" -> ("CARD", "CASH")."""
    return tuple(method.strip().upper() for method in text.split(",") if method.strip())


# The business rules' defaults live with the code that applies them; the settings only
# name them, so that a default is written once.
_RULES = Rules()
_CHECKOUT = CheckoutRules()
_ROUTING = RoutingWeights()


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutSettings:
    """Checkout's business rules (resolvers/order_amounts.py, resolvers/checkout.py).

    Prices include VAT; shipping is charged per order that ships, free from an amount of
    goods; points are earned on the goods paid. `payment_methods` lists, per channel, the
    methods accepted there (comma-separated). An unfinished checkout (a crash between its
    steps) is completed or undone by every instance every `recovery_interval_seconds`,
    once it has been still for `recovery_grace_seconds` (well above a checkout's deadline).
    """

    vat_percent: Decimal = field(default=_CHECKOUT.vat_percent, metadata=_limits(0, 100))
    shipping_fee: Decimal = field(default=_CHECKOUT.shipping_fee, metadata=_limits(0))
    free_shipping_from: Decimal = field(default=_CHECKOUT.free_shipping_from, metadata=_limits(0))
    points_per_unit: Decimal = field(default=_CHECKOUT.points_per_unit, metadata=_limits(0))
    max_line_quantity: int = field(default=_RULES.max_line_quantity, metadata=_limits(1, 10_000))
    payment_methods: Mapping[str, str] = field(
        default_factory=lambda: types.MappingProxyType(
            {channel: ", ".join(methods) for channel, methods in PAYMENT_METHODS.items()}
        )
    )
    recovery_interval_seconds: float = field(default=30.0, metadata=_limits(above=0))
    recovery_grace_seconds: float = field(default=60.0, metadata=_limits(above=0))


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingSettings:
    """Weights of order routing (resolvers/routing.py; the README's "Order routing")."""

    distance_per_km: float = field(default=_ROUTING.distance_per_km, metadata=_limits(0))
    busyness: float = field(default=_ROUTING.busyness, metadata=_limits(0))
    stock_depth: float = field(default=_ROUTING.stock_depth, metadata=_limits(0))
    keep_units: int = field(default=_ROUTING.keep_units, metadata=_limits(1))
    shipping: float = field(default=_ROUTING.shipping, metadata=_limits(0))
    allow_split: bool = _ROUTING.allow_split
    shipping_cost_store: Decimal = field(default=_ROUTING.shipping_cost_store, metadata=_limits(0))
    shipping_cost_warehouse: Decimal = field(
        default=_ROUTING.shipping_cost_warehouse, metadata=_limits(0)
    )
    margin_rate: Decimal = field(default=_ROUTING.margin_rate, metadata=_limits(0, 1))
    max_candidates: int = field(default=_ROUTING.max_candidates, metadata=_limits(1))


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
    client_secret: str | None = field(default=None, metadata=_CREDENTIAL)
    scope: str | None = None  # space-separated, as the token endpoint expects it


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceSettings:
    """Where one domain's data comes from: the embedded back office, or a system over HTTP."""

    kind: SourceKind = "embedded"
    base_url: str | None = None
    timeout: float = field(default=2.0, metadata=_limits(above=0))
    connect_timeout: float = field(default=1.0, metadata=_limits(above=0))
    retries: int = field(default=2, metadata=_limits(0, 10))
    breaker_failures: int = field(default=5, metadata=_limits(1))
    breaker_reset_seconds: float = field(default=10.0, metadata=_limits(above=0))
    max_concurrency: int = field(default=20, metadata=_limits(1))
    headers: Mapping[str, str] = field(
        default_factory=lambda: types.MappingProxyType({}), metadata=_ENV_REFERENCES
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
    checkout: CheckoutSettings = field(default_factory=CheckoutSettings)
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    clock: ClockSettings = field(default_factory=ClockSettings)
    sources: Mapping[str, SourceSettings] = field(default_factory=_default_sources)
    config_file: Path | None = field(default=None, metadata=_INTERNAL)
    # The environment variable that set a value, by dotted key, for describe().
    origins: Mapping[str, str] = field(
        default_factory=dict, compare=False, repr=False, metadata=_INTERNAL
    )

    @classmethod
    def load(cls, path: str | Path | None = None, env: Mapping[str, str] = os.environ) -> Settings:
        """Defaults, then the TOML file, then `GATEWAY_<SECTION>__<KEY>`, `DATABASE_URL`, `REDIS_URL`.

        The file is `path`, else `$GATEWAY_CONFIG`, else `./gateway.toml` if it exists.
        Raises `ConfigError` listing every problem found.
        """
        config_file = _find_config_file(path, env)
        raw = _read_toml(config_file) if config_file else {}
        parser = _Parser(env, config_file)
        parser.overlay_environment(raw)
        settings = parser.settings(raw)
        problems = parser.problems + _check(settings)
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
        lines = [f"# effective settings: built-in defaults < {origin} < environment (# from ...)"]
        _describe_table(self, "", self.origins, lines)
        return "\n".join(lines) + "\n"


# --- loading -------------------------------------------------------------------------------


def _find_config_file(path: str | Path | None, env: Mapping[str, str]) -> Path | None:
    if path is None and env.get("GATEWAY_CONFIG"):
        path = env["GATEWAY_CONFIG"]
    if path is None:
        default = Path("gateway.toml")
        return default.resolve() if default.is_file() else None
    named = Path(path)
    if not named.is_file():
        raise ConfigError(
            [f"config file: not found (got {str(named)!r}); expected an existing TOML file"]
        )
    return named.resolve()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc}); expected a TOML document"]) from exc


@dataclass(frozen=True, slots=True)
class _FromEnv:
    """A raw value read from an environment variable, parsed later by its field's type."""

    name: str
    text: str


class _Invalid(Exception):
    """One value does not fit its field; `what` is the "what is wrong" part of the message."""

    def __init__(self, what: str, got: str | None = None, expected: str | None = None) -> None:
        self.what, self.got, self.expected = what, got, expected


_CONVENTIONAL_ENV = {
    # The gateway's own database; the reference back office's is GATEWAY_BACKOFFICE__DATABASE_URL.
    "DATABASE_URL": ("database", "url"),
    "REDIS_URL": ("cache", "redis_url"),
}
_ENV_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CREDENTIAL_HEADER = re.compile(r"auth|token|key|secret|password|cookie|session", re.IGNORECASE)
_PRODUCTION_DEFAULTS: Mapping[str, object] = {
    "server.introspection": False,
    "server.graphiql": False,
    "server.mask_errors": True,
    "server.debug_source_calls": False,
    "server.webhook_secret": None,
    "auth.algorithms": ("RS256",),
    "auth.dev_secret": None,
}


class _Parser:
    """Turns the raw tree (file values and `_FromEnv` strings) into settings, collecting problems."""

    def __init__(self, env: Mapping[str, str], config_file: Path | None) -> None:
        self.env = env
        self.config_file = config_file
        self.problems: list[str] = []
        self.origins: dict[str, str] = {}
        self.defaults: Mapping[str, object] = {}

    def problem(self, path: str, what: str, got: str, expected: str) -> None:
        self.problems.append(f"{path}: {what} (got {got}); expected {expected}")

    def overlay_environment(self, raw: dict[str, Any]) -> None:
        # Conventional names first, so that the specific GATEWAY_ names win.
        for name, path in _CONVENTIONAL_ENV.items():
            if env_value := self.env.get(name):
                _put(raw, path, _FromEnv(name, env_value))
        for name in sorted(self.env):
            if not name.startswith("GATEWAY_") or "__" not in name:
                continue  # GATEWAY_CONFIG and friends are not settings
            segments = name.removeprefix("GATEWAY_").split("__")
            if not all(segments):
                self.problem(name, "not a setting name", repr(name), "GATEWAY_<SECTION>__<KEY>")
                continue
            _put(raw, _env_path(segments), _FromEnv(name, self.env[name]))

    def settings(self, raw: dict[str, Any]) -> Settings:
        server = raw.get("server")
        environment = server.get("environment") if isinstance(server, dict) else None
        if isinstance(environment, _FromEnv):
            environment = environment.text.strip()
        self.defaults = _PRODUCTION_DEFAULTS if environment == "production" else {}
        settings: Settings = self.table(Settings, raw, "")
        auth = settings.auth
        if auth.public_key and "-----BEGIN" not in auth.public_key:
            auth = dataclasses.replace(auth, public_key=self.read_public_key(auth.public_key))
        return dataclasses.replace(
            settings, auth=auth, config_file=self.config_file, origins=self.origins
        )

    def table(self, cls: type[Any], raw: object, path: str) -> Any:
        if not isinstance(raw, dict):
            self.problem(path, "not a table", _got(raw), f"a [{path}] table of settings")
            raw = {}
        settable = [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]
        names = [f.name for f in settable]
        for key, value in raw.items():
            if key not in names:
                self.unknown(_join(path, key), key, value, names)
        hints = _hints(cls)
        values = {}
        for f in settable:
            dotted, hint = _join(path, f.name), hints[f.name]
            if _is_table(hint):
                values[f.name] = self.table(hint, raw.get(f.name, {}), dotted)
            elif (optional := _optional_table(hint)) and f.name in raw:
                table = self.table(optional, raw[f.name], dotted)
                # Not a table is one problem: it stays unset, so that no "missing" follows.
                values[f.name] = table if isinstance(raw[f.name], dict) else None
            elif _is_table_of_tables(hint):
                values[f.name] = self.tables(hint, raw.get(f.name, {}), dotted, _default(f))
            elif f.name in raw:
                values[f.name] = self.value(raw[f.name], hint, f, dotted)
            else:
                values[f.name] = self.defaults.get(dotted, _default(f))
        return cls(**values)

    def tables(self, hint: Any, raw: object, path: str, default: Mapping[str, Any]) -> Any:
        if not isinstance(raw, dict):
            self.problem(path, "not a table", _got(raw), f"[{path}.<name>] tables")
            raw = {}
        for key, value in raw.items():
            if key not in default:
                self.unknown(_join(path, key), key, value, list(default))
        item = typing.get_args(hint)[1]
        return types.MappingProxyType(
            {key: self.table(item, raw.get(key, {}), _join(path, key)) for key in default}
        )

    def unknown(self, path: str, key: str, value: object, names: list[str]) -> None:
        close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        self.problem(path, "unknown key", _got(value), f"one of {', '.join(names)}{hint}")

    def value(self, raw: object, hint: Any, f: dataclasses.Field[Any], path: str) -> Any:
        set_by = _env_names(raw)
        secret = bool(f.metadata.get("secret"))
        got = _got(raw)
        if secret or f.metadata.get("redacted"):
            got = f"<redacted> from {raw.name}" if isinstance(raw, _FromEnv) else "<redacted>"
        try:
            if isinstance(raw, _FromEnv):
                parsed = _from_text(raw.text, hint)
                if isinstance(parsed, dict):  # a whole table from one variable
                    parsed = {k: _FromEnv(raw.name, v) for k, v in parsed.items()}
                raw = parsed
            elif secret:
                env_name = "GATEWAY_" + path.upper().replace(".", "__")
                expected = f"the environment variable {env_name}"
                raise _Invalid("secrets are not read from the config file", None, expected)
            value = self.coerce(raw, hint, f.metadata, path)
            if isinstance(value, str) and f.metadata.get("env_references"):
                example = "${" + "_".join(path.split(".")[1:]).upper() + "}"
                value = self.expand(value, bool(set_by), path, example=repr(example))
        except _Invalid as exc:
            expected = exc.expected or _expected(hint, f.metadata)
            self.problem(path, exc.what, exc.got or got, expected)
            return self.defaults.get(path, _default(f))
        if set_by:
            self.origins[path] = set_by[0]
        return value

    def coerce(self, value: object, hint: Any, meta: Mapping[str, Any], path: str) -> Any:
        kind = typing.get_origin(hint)
        if kind in (typing.Union, types.UnionType):
            (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
            return self.coerce(value, inner, meta, path)
        if kind is Literal:
            if value in typing.get_args(hint):
                return value
            raise _Invalid("unknown value" if isinstance(value, str) else "wrong type")
        if kind is tuple:
            if not isinstance(value, list):
                raise _Invalid("wrong type")
            items = []
            for item in value:
                try:
                    items.append(self.coerce(item, typing.get_args(hint)[0], {}, path))
                except _Invalid as exc:
                    raise _Invalid(f"{exc.what} in the list", _got(item)) from None
            return tuple(items)
        if kind is Mapping:
            return self.mapping(value, meta, path)
        if hint is bool:
            if not isinstance(value, bool):
                raise _Invalid("wrong type")
            return value
        if hint in (int, float):
            return _number(value, hint, meta)
        if hint in (str, Path):
            if not isinstance(value, str):
                raise _Invalid("wrong type")
            if not value.strip():
                raise _Invalid("empty")
            return hint(value)
        if hint is date:
            return _day(value)
        if hint is Decimal:
            return _decimal(value, meta)
        raise TypeError(f"no parser for {hint!r} at {path}")  # a schema bug, not a user error

    def mapping(self, value: object, meta: Mapping[str, Any], path: str) -> Mapping[str, str]:
        if not isinstance(value, dict):
            raise _Invalid("wrong type")
        result = {}
        for key, item in value.items():
            from_env = isinstance(item, _FromEnv)
            text = item.text if isinstance(item, _FromEnv) else item
            if not isinstance(text, str):
                raise _Invalid(f"wrong type for {key!r}", _got(item))
            if meta.get("env_references"):
                text = self.expand(text, from_env, f"{path}.{key}")
            result[str(key)] = text
        return types.MappingProxyType(result)

    def expand(
        self, text: str, from_env: bool, path: str, *, example: str = "'Bearer ${CRM_TOKEN}'"
    ) -> str:
        names = _ENV_REFERENCE.findall(text)
        if not names and not from_env and _CREDENTIAL_HEADER.search(path.rsplit(".", 1)[-1]):
            self.problem(
                path,
                "a credential written in the config file",
                "<redacted>",
                f"a reference to an environment variable, e.g. {example}",
            )
        for name in names:
            if name not in self.env:
                self.problem(
                    path,
                    "refers to an unset environment variable",
                    repr("${" + name + "}"),
                    f"{name} to be set",
                )
        return _ENV_REFERENCE.sub(lambda match: self.env.get(match[1], ""), text)

    def read_public_key(self, value: str) -> str:
        base = self.config_file.parent if self.config_file else Path.cwd()
        path = base / value
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        if "-----BEGIN" not in text:
            self.problem(
                "auth.public_key",
                "neither PEM text nor a readable PEM file",
                repr(str(path)),
                "PEM text ('-----BEGIN PUBLIC KEY-----...') or the path of a PEM file",
            )
            return value  # kept, so that no "missing" follows from this problem
        return text


def _put(raw: dict[str, Any], path: tuple[str, ...], value: _FromEnv) -> None:
    node = raw
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def _env_path(segments: list[str]) -> tuple[str, ...]:
    """GATEWAY_SOURCES__PIM__MAPPING__productName -> ("sources", "pim", "mapping", "productName").

    Names of settings are lower-cased; keys inside a free-form table keep their spelling.
    """
    path: list[str] = []
    hint: Any = Settings
    for segment in segments:
        if _is_free_table(hint):
            path.append(segment)
            hint = None
            continue
        path.append(segment.lower())
        if _is_table(hint):
            hint = _hints(hint).get(segment.lower())
            hint = _optional_table(hint) or hint
        elif _is_table_of_tables(hint):
            hint = typing.get_args(hint)[1]
        else:
            hint = None
    return tuple(path)


def _from_text(text: str, hint: Any) -> object:
    """Read an environment variable's text as the TOML value its field expects."""
    kind = typing.get_origin(hint)
    if hint is bool:
        words = {"true": True, "1": True, "yes": True, "on": True}
        words |= {"false": False, "0": False, "no": False, "off": False}
        if text.strip().lower() not in words:
            raise _Invalid("not a boolean")
        return words[text.strip().lower()]
    if hint in (int, float):
        return _toml_value(text, "not a number")
    if kind is tuple:
        if text.lstrip().startswith("["):
            return _toml_value(text, "not a TOML list")
        return [item.strip() for item in text.split(",") if item.strip()]
    if kind is Mapping:
        return _toml_value(
            text, "not a TOML inline table, e.g. '{ Accept = \"application/json\" }'"
        )
    return text.strip() if kind is Literal else text


def _day(value: object) -> date:
    # A TOML date arrives as a date, an environment variable as text; a datetime is a date
    # too, but a time of day would be ignored, so it is refused.
    if type(value) is date:
        return value
    if not isinstance(value, str):
        raise _Invalid("wrong type")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _Invalid("not a date") from None


def _toml_value(text: str, what: str) -> object:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise _Invalid(what) from None


def _decimal(value: object, meta: Mapping[str, Any]) -> Decimal:
    # Text keeps an amount exact ("4.95"); a TOML float is read through its shortest text.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Invalid("wrong type")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise _Invalid("not a decimal number") from None
    if not amount.is_finite():
        raise _Invalid("not a decimal number")
    low, high = meta.get("minimum"), meta.get("maximum")
    if (low is not None and amount < low) or (high is not None and amount > high):
        raise _Invalid("out of range")
    return amount


def _number(value: object, hint: type[Any], meta: Mapping[str, Any]) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _Invalid("wrong type")
    if hint is int and not isinstance(value, int):
        raise _Invalid("wrong type")
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if (
        (low is not None and value < low)
        or (high is not None and value > high)
        or (above is not None and value <= above)
    ):
        raise _Invalid("out of range")
    return hint(value)  # type: ignore[no-any-return]


def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _is_table(hint: Any) -> bool:
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _optional_table(hint: Any) -> type[Any] | None:
    """The dataclass of a `Table | None` field: a table that is absent unless written."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    tables = [arg for arg in typing.get_args(hint) if _is_table(arg)]
    return tables[0] if len(tables) == 1 else None


def _is_table_of_tables(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and _is_table(typing.get_args(hint)[1])


def _is_free_table(hint: Any) -> bool:
    return typing.get_origin(hint) is Mapping and typing.get_args(hint)[1] is str


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _got(value: object) -> str:
    if isinstance(value, _FromEnv):
        return f"{value.text!r} from {value.name}"
    if isinstance(value, dict):
        names = ", ".join(_env_names(value))
        return f"a table from {names}" if names else "a table"
    shown = repr(value) if isinstance(value, str) else _toml(value)
    return shown if len(shown) <= 80 else shown[:77] + "..."


def _env_names(value: object) -> list[str]:
    if isinstance(value, _FromEnv):
        return [value.name]
    if isinstance(value, dict):
        return [name for item in value.values() for name in _env_names(item)]
    return []


def _expected(hint: Any, meta: Mapping[str, Any]) -> str:
    kind = typing.get_origin(hint)
    if kind in (typing.Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return _expected(inner, meta)
    if kind is Literal:
        return "one of " + ", ".join(repr(choice) for choice in typing.get_args(hint))
    if kind is tuple:
        item = typing.get_args(hint)[0]
        if typing.get_origin(item) is Literal:
            return "a list of any of " + ", ".join(repr(c) for c in typing.get_args(item))
        return "a list of strings"
    if kind is Mapping:
        return 'a table of strings, e.g. { Authorization = "Bearer ${TOKEN}" }'
    if hint is bool:
        return "true or false"
    if hint is date:
        return "a date, e.g. 2027-04-05"
    if hint is Decimal:
        low, high = meta.get("minimum"), meta.get("maximum")
        bounds = f" from {low} to {high}" if high is not None else f" of at least {low}"
        return (
            'a decimal amount, e.g. "4.95",' + bounds
            if low is not None
            else 'a decimal amount, e.g. "4.95"'
        )
    noun = "an integer" if hint is int else "a number"
    low, high, above = meta.get("minimum"), meta.get("maximum"), meta.get("above")
    if hint in (int, float):
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        if above is not None:
            return f"{noun} greater than {above}"
        return f"{noun} of at least {low}"
    return "a non-empty string"


# --- cross-field checks ------------------------------------------------------------------

_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "sqlite", "sqlite+aiosqlite")
_Add = typing.Callable[[str, str, str, str], None]


def _check(settings: Settings) -> list[str]:
    problems: list[str] = []

    def add(path: str, what: str, got: str, expected: str) -> None:
        problems.append(f"{path}: {what} (got {got}); expected {expected}")

    for channel, text in settings.checkout.payment_methods.items():
        path = f"checkout.payment_methods.{channel}"
        if channel not in CHANNELS:
            add(path, "not a channel", repr(channel), "one of " + ", ".join(CHANNELS))
        unknown = [m for m in payment_methods(text) if m not in PAYMENT_METHOD_NAMES]
        if unknown:
            add(
                path,
                "unknown payment methods",
                repr(unknown),
                "any of " + ", ".join(PAYMENT_METHOD_NAMES),
            )

    production = settings.server.environment == "production"
    _check_secrets(settings, production, add)
    _check_auth(settings.auth, production, add)
    _check_context(settings.context, add)
    if production and settings.clock.today is not None:
        # Prices and promotions of another day must never reach real customers.
        add(
            "clock.today",
            "refused in production",
            str(settings.clock.today),
            "it unset: production runs on the system clock",
        )
    cache = settings.cache
    if cache.backend == "redis" and cache.redis_url is None:
        add("cache.redis_url", "missing", "nothing", "REDIS_URL, for cache.backend = 'redis'")
    for domain in PRIVATE_DOMAINS if cache.backend == "redis" else ():
        if seconds := getattr(cache.ttl, domain):
            add(f"cache.ttl.{domain}", "private data in a shared cache", str(seconds), "0")
    for origin in settings.server.cors_origins:
        parts = urlsplit(origin)
        if origin != "*" and (
            parts.scheme not in ("http", "https") or not parts.netloc or parts.path
        ):
            add("server.cors_origins", "not an origin", repr(origin), "e.g. 'https://x.example'")
    urls = {
        "cache.redis_url": (cache.redis_url, ("redis", "rediss", "unix")),
        "backoffice.database_url": (settings.backoffice.database_url, _DATABASE_SCHEMES),
        "database.url": (settings.database.url, _DATABASE_SCHEMES),
        "auth.jwks_url": (settings.auth.jwks_url, ("https", "http")),
    }
    for name, source in settings.sources.items():
        path = f"sources.{name}.base_url"
        urls[path] = (source.base_url, ("https", "http"))
        if source.kind == "http" and source.base_url is None:
            add(path, "missing", "nothing", "the system's URL, because kind = 'http'")
        if source.oauth is not None:
            _check_oauth(f"sources.{name}", source, source.oauth, add)
    for path, (url, schemes) in urls.items():
        parts = urlsplit(url or "")
        if url is not None and (parts.scheme not in schemes or not (parts.netloc or parts.path)):
            add(path, "not a URL", repr(_redact_url(url)), f"a {schemes[0]}:// URL")
    return problems


def _check_oauth(path: str, source: SourceSettings, oauth: OAuthSettings, add: _Add) -> None:
    if source.kind != "http":
        table = f"kind = 'http' in [{path}], or no [{path}.oauth] table"
        add(f"{path}.oauth", "only for a source over HTTP", f"kind = {source.kind!r}", table)
    secret = "GATEWAY_" + path.upper().replace(".", "__") + "__OAUTH__CLIENT_SECRET"
    for key, expected in (
        ("token_url", "the token endpoint: an https:// URL, or a path such as '/oauth/token'"),
        ("client_id", "the client id the token endpoint knows this gateway by"),
        ("client_secret", f"a '${{NAME}}' reference to an environment variable, or {secret}"),
    ):
        if getattr(oauth, key) is None:
            add(f"{path}.oauth.{key}", "missing", "nothing", expected)
    if url := oauth.token_url:
        parts = urlsplit(url)
        absolute = parts.scheme in ("http", "https") and parts.netloc
        if not absolute and (parts.netloc or not url.startswith("/")):
            add(
                f"{path}.oauth.token_url",
                "neither a URL nor a path",
                repr(_redact_url(url)),
                "an https:// URL, or a path on base_url such as '/oauth/token'",
            )
    for name in (name for name in source.headers if name.lower() == "authorization"):
        add(
            f"{path}.headers",
            "an Authorization header besides OAuth2",
            repr(name),
            f"only one of both: [{path}.oauth] sends its token as Authorization",
        )


def _check_secrets(settings: Settings, production: bool, add: _Add) -> None:
    for path, secret, dev_value in (
        ("server.webhook_secret", settings.server.webhook_secret, DEV_WEBHOOK_SECRET),
        ("auth.dev_secret", settings.auth.dev_secret, DEV_SECRET),
    ):
        own = "your own secret in GATEWAY_" + path.upper().replace(".", "__")
        size = len(secret.encode()) if secret else 0
        if production and secret == dev_value:
            add(path, "refused in production", "the built-in development secret", own)
        elif secret is not None and size < 32:
            add(path, "too short", f"{size} bytes", "32 bytes or more: `openssl rand -hex 32`")


def _check_auth(auth: AuthSettings, production: bool, add: _Add) -> None:
    if not auth.algorithms:
        add("auth.algorithms", "empty", "[]", "at least one algorithm, e.g. ['RS256']")
    for name in auth.algorithms:
        if name.lower() == "none":
            add("auth.algorithms", "'none' accepts unsigned tokens", repr(name), "e.g. 'RS256'")
        elif name not in ALGORITHMS:
            close = difflib.get_close_matches(name.upper(), ALGORITHMS, n=1)
            known = ", ".join(ALGORITHMS) + (f" (did you mean {close[0]!r}?)" if close else "")
            add("auth.algorithms", "unknown algorithm", repr(name), f"one of {known}")
    hmac = [a for a in auth.algorithms if a in HMAC_KEY_BYTES]
    public = [a for a in auth.algorithms if a in PUBLIC_KEY_ALGORITHMS]
    secret, keys = auth.dev_secret, auth.public_key or auth.jwks_url
    if hmac and secret is None:
        add("auth.dev_secret", "missing", "nothing", f"GATEWAY_AUTH__DEV_SECRET, for {hmac[0]}")
    needed = max((HMAC_KEY_BYTES[a] for a in hmac), default=0)
    if secret is not None and 32 <= len(secret.encode()) < needed:
        size = f"{len(secret.encode())} bytes"
        add("auth.dev_secret", f"too short for {hmac[-1]}", size, f"{needed} bytes or more")
    if public and not keys:
        add("auth.public_key", "missing", "nothing", f"a PEM key or auth.jwks_url, for {public[0]}")
    if auth.public_key and auth.jwks_url:
        add("auth.jwks_url", "set with auth.public_key", repr(auth.jwks_url), "only one of both")
    if keys and not public:
        add("auth.algorithms", "none uses the public key", _toml(auth.algorithms), "e.g. ['RS256']")
    if production and auth.jwks_url and not auth.jwks_url.startswith("https://"):
        add("auth.jwks_url", "plain HTTP in production", repr(auth.jwks_url), "an https:// URL")


def _check_context(context: ContextSettings, add: _Add) -> None:
    channel, locale = context.default_channel, context.default_locale
    if channel not in context.channels:
        add("context.default_channel", "not in channels", repr(channel), "one of the channels")
    for tag in context.locales:
        if not _LOCALE.fullmatch(tag):
            add("context.locales", "not a language tag", repr(tag), "e.g. 'nl' or 'en-GB'")
    if locale not in context.locales:
        add("context.default_locale", "not in locales", repr(locale), "one of the locales")
    if not re.fullmatch(r"[A-Z]{3}", context.currency):
        add("context.currency", "not a currency code", repr(context.currency), "e.g. 'EUR'")


# --- describe ------------------------------------------------------------------------------


def _describe_table(obj: Any, path: str, origins: Mapping[str, str], lines: list[str]) -> None:
    nested: list[tuple[str, Any]] = []
    for f in dataclasses.fields(obj):
        if f.metadata.get("internal"):
            continue
        dotted, value = _join(path, f.name), getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            nested.append((dotted, value))
        elif _is_table_of_tables(_hints(type(obj))[f.name]):
            nested.extend((f"{dotted}.{key}", item) for key, item in value.items())
        elif value is None:
            lines.append(f"# {f.name} is not set")
        else:
            shown = _redacted(f, dotted, value)
            where = f"  # from {origins[dotted]}" if dotted in origins else ""
            lines.append(f"{f.name} = {shown}{where}")
    for dotted, value in nested:
        lines.extend(["", f"[{dotted}]"])
        _describe_table(value, dotted, origins, lines)


def _redacted(f: dataclasses.Field[Any], path: str, value: Any) -> str:
    if value in (DEV_SECRET, DEV_WEBHOOK_SECRET):
        return '"<redacted: the built-in development secret>"'
    if f.metadata.get("secret") or f.metadata.get("redacted"):
        return '"<redacted>"'
    if f.metadata.get("env_references"):
        return _toml({key: "<redacted>" for key in value})
    if path.endswith(("_url", ".url")):
        return _toml(_redact_url(value))
    if path == "auth.public_key":
        return _toml(value.strip().splitlines()[0] + " ...")
    return _toml(value)


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":<redacted>@", 1)


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, Mapping):
        pairs = ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    return json.dumps(str(value), ensure_ascii=False)
