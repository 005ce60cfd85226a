"""What only the whole of the settings can tell (cross-field checks), and their redacted description."""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from gateway.config import (
    ALGORITHMS,
    CHANNELS,
    DEV_SECRET,
    DEV_WEBHOOK_SECRET,
    HMAC_KEY_BYTES,
    PAYMENT_METHOD_NAMES,
    PRIVATE_DOMAINS,
    PUBLIC_KEY_ALGORITHMS,
    AuthSettings,
    ContextSettings,
    OAuthSettings,
    Settings,
    SourceSettings,
    name_list,
)
from gateway.config_fields import is_table_of_tables, join_path, type_hints
from gateway.config_values import toml_text
from resolvers.refunds import NOT_FOR_CARDS

#: The customer tiers of the CRM (contract enum CustomerTier).
TIERS = ("STANDARD", "SILVER", "GOLD")

# --- cross-field checks ------------------------------------------------------------------

_LOCALE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_DATABASE_SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg", "sqlite", "sqlite+aiosqlite")
_Add = typing.Callable[[str, str, str, str], None]


def check(settings: Settings) -> list[str]:
    problems: list[str] = []

    def add(path: str, what: str, got: str, expected: str) -> None:
        problems.append(f"{path}: {what} (got {got}); expected {expected}")

    for channel, text in settings.checkout.payment_methods.items():
        path = f"checkout.payment_methods.{channel}"
        if channel not in CHANNELS:
            add(path, "not a channel", repr(channel), "one of " + ", ".join(CHANNELS))
        _check_methods(path, name_list(text), add)

    _check_returns(settings, add)
    production = settings.server.environment == "production"
    _check_secrets(settings, production, add)
    _check_auth(settings.auth, production, add)
    _check_context(settings.context, add)
    outbox = settings.outbox
    if outbox.backoff_max_seconds < outbox.backoff_base_seconds:
        add(
            "outbox.backoff_max_seconds",
            "below backoff_base_seconds",
            f"{outbox.backoff_max_seconds:g} < {outbox.backoff_base_seconds:g}",
            "a cap at least as long as the first wait",
        )
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
        add(
            "auth.algorithms",
            "none uses the public key",
            toml_text(auth.algorithms),
            "e.g. ['RS256']",
        )
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


def describe_table(obj: Any, path: str, origins: Mapping[str, str], lines: list[str]) -> None:
    nested: list[tuple[str, Any]] = []
    for f in dataclasses.fields(obj):
        if f.metadata.get("internal"):
            continue
        dotted, value = join_path(path, f.name), getattr(obj, f.name)
        if dataclasses.is_dataclass(value):
            nested.append((dotted, value))
        elif is_table_of_tables(type_hints(type(obj))[f.name]):
            nested.extend((f"{dotted}.{key}", item) for key, item in value.items())
        elif value is None:
            lines.append(f"# {f.name} is not set")
        else:
            shown = _redacted(f, dotted, value)
            where = f"  # from {origins[dotted]}" if dotted in origins else ""
            lines.append(f"{f.name} = {shown}{where}")
    for dotted, value in nested:
        lines.extend(["", f"[{dotted}]"])
        describe_table(value, dotted, origins, lines)


def _redacted(f: dataclasses.Field[Any], path: str, value: Any) -> str:
    if value in (DEV_SECRET, DEV_WEBHOOK_SECRET):
        return '"<redacted: the built-in development secret>"'
    if f.metadata.get("secret") or f.metadata.get("redacted"):
        return '"<redacted>"'
    if f.metadata.get("env_references"):
        return toml_text({key: "<redacted>" for key in value})
    if path.endswith(("_url", ".url")):
        return toml_text(_redact_url(value))
    if path == "auth.public_key":
        return toml_text(value.strip().splitlines()[0] + " ...")
    return toml_text(value)


def _redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":<redacted>@", 1)


def _check_methods(path: str, methods: typing.Iterable[str], add: _Add) -> bool:
    """Whether every method is a payment method; adds the problem when one is not."""
    unknown = [m for m in methods if m not in PAYMENT_METHOD_NAMES]
    if unknown:
        add(
            path,
            "unknown payment methods",
            repr(unknown),
            "any of " + ", ".join(PAYMENT_METHOD_NAMES),
        )
    return not unknown


def _check_returns(settings: Settings, add: _Add) -> None:
    returns = settings.returns
    tiers = [t for t in name_list(returns.shipping_kept_for_tiers) if t not in TIERS]
    if tiers:
        add(
            "returns.shipping_kept_for_tiers",
            "unknown tiers",
            repr(tiers),
            "any of " + ", ".join(TIERS),
        )
    for original, refunded in returns.refund_methods.items():
        path = f"returns.refund_methods.{original}"
        known = _check_methods(path, (original.upper(), refunded.upper()), add)
        if known and original.upper() == "CARD" and refunded.upper() in NOT_FOR_CARDS:
            add(path, "a card payment refunded in cash (fraud rule)", repr(refunded), "CARD")
