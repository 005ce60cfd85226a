from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from gateway.bootstrap import build_rules
from gateway.config import (
    DEV_SECRET,
    DEV_WEBHOOK_SECRET,
    ConfigError,
    OAuthSettings,
    Settings,
    SourceSettings,
)

EXAMPLE = Path(__file__).parents[2] / "gateway.example.toml"
STRONG_SECRET = "0123456789abcdef" * 4
JWKS = "https://login.example.com/jwks.json"


@pytest.fixture(autouse=True)
def _empty_working_directory(tmp_path, monkeypatch):
    # ./gateway.toml is read when present: every test starts in a folder without one.
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "gateway.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path | None = None, **env: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Settings.load(path, env=env)
    return list(caught.value.problems)


# --- defaults and precedence ----------------------------------------------------------------


def test_defaults_need_no_file_and_no_environment():
    settings = Settings.load(env={})

    assert settings == Settings()
    assert settings.config_file is None
    assert settings.server.environment == "development"
    assert (settings.server.host, settings.server.port, settings.server.workers) == (
        "127.0.0.1",
        8000,
        1,
    )
    assert settings.server.introspection is True
    assert settings.server.graphiql is True
    assert settings.server.mask_errors is False
    assert settings.server.debug_source_calls is True
    assert (settings.limits.max_depth, settings.limits.max_aliases) == (15, 30)
    assert (settings.limits.cost.anonymous, settings.limits.cost.admin) == (20_000, 50_000)
    assert settings.auth.algorithms == ("HS256",)
    assert settings.auth.dev_secret == DEV_SECRET
    assert settings.context.default_channel == "WEB"
    assert settings.context.channels == (
        *("WEB", "APP", "STORE", "KIOSK", "SIGNAGE", "MARKETPLACE", "CALL_CENTER"),
    )
    assert settings.context.locales == ("nl", "en")
    assert settings.cache.backend == "memory"
    assert dataclasses.asdict(settings.cache.ttl) == {
        **{"product": 3600, "price": 300, "availability": 30, "location": 3600},
        **{"customer": 0, "orders": 0, "loyalty": 0},
    }
    assert settings.backoffice.url == "sqlite+aiosqlite:///.data/backoffice.sqlite3"
    assert list(settings.sources) == ["pim", "pricing", "inventory", "crm", "orders", "loyalty"]
    assert settings.sources["pricing"] == SourceSettings(kind="embedded", timeout=2.0, retries=2)


def test_production_flips_the_environment_dependent_defaults():
    settings = Settings.load(
        env={"GATEWAY_SERVER__ENVIRONMENT": "production", "GATEWAY_AUTH__JWKS_URL": JWKS}
    )

    server = settings.server
    assert (server.introspection, server.graphiql, server.debug_source_calls) == (
        False,
        False,
        False,
    )
    assert server.mask_errors is True
    assert server.webhook_secret is None
    assert settings.auth.algorithms == ("RS256",)
    assert settings.auth.dev_secret is None


def test_production_keeps_values_that_are_set_explicitly(tmp_path):
    path = write(tmp_path, '[server]\nenvironment = "production"\nintrospection = true\n')

    settings = Settings.load(path, env={"GATEWAY_AUTH__JWKS_URL": JWKS})

    assert settings.server.introspection is True
    assert settings.server.graphiql is False


def test_the_file_is_the_argument_else_gateway_config_else_gateway_toml(tmp_path):
    write(tmp_path, "[server]\nport = 8001\n")
    named = write(tmp_path, "[server]\nport = 8002\n", "named.toml")
    argument = write(tmp_path, "[server]\nport = 8003\n", "argument.toml")

    assert Settings.load(env={}).server.port == 8001
    assert Settings.load(env={"GATEWAY_CONFIG": str(named)}).server.port == 8002
    assert Settings.load(argument, env={"GATEWAY_CONFIG": str(named)}).server.port == 8003
    assert Settings.load(env={}).config_file == (tmp_path / "gateway.toml").resolve()


def test_the_environment_overrides_the_file(tmp_path):
    path = write(
        tmp_path,
        """
        [server]
        port = 9001
        [sources.pricing]
        kind = "http"
        base_url = "http://prices.internal"
        timeout = 3.0
        """.replace("        ", ""),
    )

    settings = Settings.load(
        path,
        env={
            "GATEWAY_SERVER__PORT": "9000",
            "GATEWAY_SOURCES__PRICING__TIMEOUT": "1.5",
            "GATEWAY_CACHE__TTL__PRICE": "60",
            "GATEWAY_SERVER__GRAPHIQL": "off",
        },
    )

    assert settings.server.port == 9000
    assert settings.server.graphiql is False
    assert settings.sources["pricing"].timeout == 1.5
    assert settings.sources["pricing"].base_url == "http://prices.internal"
    assert settings.sources["pim"].timeout == 2.0
    assert settings.cache.ttl.price == 60
    assert settings.origins == {
        "server.port": "GATEWAY_SERVER__PORT",
        "server.graphiql": "GATEWAY_SERVER__GRAPHIQL",
        "sources.pricing.timeout": "GATEWAY_SOURCES__PRICING__TIMEOUT",
        "cache.ttl.price": "GATEWAY_CACHE__TTL__PRICE",
    }


def test_conventional_urls_are_read_and_specific_names_win():
    settings = Settings.load(
        env={
            "DATABASE_URL": "postgresql://gateway@db/gateway",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "GATEWAY_CACHE__REDIS_URL": "redis://cache:6379/1",
            "GATEWAY_CACHE__BACKEND": "redis",
        }
    )

    assert settings.database.url == "postgresql://gateway@db/gateway"
    assert settings.database_url == "postgresql://gateway@db/gateway"
    assert settings.backoffice.url == "sqlite+aiosqlite:///.data/backoffice.sqlite3"
    assert settings.cache.redis_url == "redis://cache:6379/1"
    assert settings.cache.backend == "redis"


def test_database_url_names_the_gateways_own_database_not_the_back_offices():
    settings = Settings.load(
        env={
            "DATABASE_URL": "postgresql://gateway:hunter2@db/gateway",
            "GATEWAY_BACKOFFICE__DATABASE_URL": "postgresql://bo@db/backoffice",
            "GATEWAY_DATABASE__POOL_SIZE": "20",
        }
    )

    assert settings.database.url == "postgresql://gateway:hunter2@db/gateway"
    assert settings.database.pool_size == 20
    assert settings.backoffice.url == "postgresql://bo@db/backoffice"
    assert settings.origins["database.url"] == "DATABASE_URL"
    described = settings.describe()
    assert 'url = "postgresql://gateway:<redacted>@db/gateway"  # from DATABASE_URL' in described
    assert "hunter2" not in described


def test_the_gateways_database_defaults_to_a_sqlite_file_in_the_data_dir():
    settings = Settings.load(env={"GATEWAY_BACKOFFICE__DATA_DIR": "/var/lib/gateway"})

    assert settings.database.url is None
    assert settings.database_url == "sqlite+aiosqlite:////var/lib/gateway/gateway.sqlite3"
    assert (settings.database.pool_size, settings.database.echo) == (5, False)
    assert settings.database.idempotency_retention_days == 7


def test_the_specific_name_of_the_gateways_database_wins_over_database_url():
    settings = Settings.load(
        env={"DATABASE_URL": "postgresql://a@db/x", "GATEWAY_DATABASE__URL": "postgresql://b@db/y"}
    )

    assert settings.database.url == "postgresql://b@db/y"


def test_lists_and_tables_can_be_set_from_the_environment():
    settings = Settings.load(
        env={
            "GATEWAY_CONTEXT__LOCALES": "nl, en ,fr",
            "GATEWAY_CONTEXT__CHANNELS": '["WEB", "APP"]',
            "GATEWAY_SOURCES__PIM__MAPPING__productName": "title",
            "GATEWAY_SOURCES__CRM__HEADERS": '{ Accept = "application/json" }',
        }
    )

    assert settings.context.locales == ("nl", "en", "fr")
    assert settings.context.channels == ("WEB", "APP")
    assert settings.sources["pim"].mapping == {"productName": "title"}
    assert settings.sources["crm"].headers == {"Accept": "application/json"}


def test_header_values_refer_to_environment_variables(tmp_path):
    path = write(
        tmp_path,
        '[sources.crm]\nheaders = { Authorization = "Bearer ${CRM_TOKEN}", Accept = "text/json" }\n',
    )

    settings = Settings.load(path, env={"CRM_TOKEN": "t0ken"})

    assert settings.sources["crm"].headers == {
        "Authorization": "Bearer t0ken",
        "Accept": "text/json",
    }


OAUTH_CRM = """
[sources.crm]
kind = "http"
base_url = "https://crm.example.com"

[sources.crm.oauth]
token_url = "/oauth/token"
client_id = "commerce-gateway"
client_secret = "${CRM_CLIENT_SECRET}"
scope = "crm customers.read"
"""


def test_oauth_client_credentials_are_a_nested_table_with_a_secret_from_the_environment(
    tmp_path,
):
    path = write(tmp_path, OAUTH_CRM)

    settings = Settings.load(path, env={"CRM_CLIENT_SECRET": "s3cr3t"})

    assert settings.sources["crm"].oauth == OAuthSettings(
        token_url="/oauth/token",
        client_id="commerce-gateway",
        client_secret="s3cr3t",
        scope="crm customers.read",
    )
    assert settings.sources["pim"].oauth is None


def test_oauth_keys_can_be_set_from_the_environment(tmp_path):
    path = write(tmp_path, OAUTH_CRM)

    settings = Settings.load(
        path,
        env={
            "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET": "from-env",
            "GATEWAY_SOURCES__CRM__OAUTH__SCOPE": "crm",
        },
    )

    oauth = settings.sources["crm"].oauth
    assert oauth is not None
    assert (oauth.client_id, oauth.client_secret, oauth.scope) == (
        "commerce-gateway",
        "from-env",
        "crm",
    )
    assert settings.origins == {
        "sources.crm.oauth.client_secret": "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET",
        "sources.crm.oauth.scope": "GATEWAY_SOURCES__CRM__OAUTH__SCOPE",
    }


def test_oauth_can_be_configured_from_the_environment_alone():
    settings = Settings.load(
        env={
            "GATEWAY_SOURCES__CRM__KIND": "http",
            "GATEWAY_SOURCES__CRM__BASE_URL": "http://crm.internal",
            "GATEWAY_SOURCES__CRM__OAUTH__TOKEN_URL": "https://login.example.com/token",
            "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_ID": "gateway",
            "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET": "s3cr3t",
        }
    )

    assert settings.sources["crm"].oauth == OAuthSettings(
        token_url="https://login.example.com/token", client_id="gateway", client_secret="s3cr3t"
    )


def test_a_public_key_path_is_read_relative_to_the_file(tmp_path):
    (tmp_path / "keys").mkdir()
    pem = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"
    (tmp_path / "keys" / "idp.pem").write_text(pem, encoding="utf-8")
    path = write(tmp_path, '[auth]\nalgorithms = ["ES256"]\npublic_key = "keys/idp.pem"\n')

    assert Settings.load(path, env={}).auth.public_key == pem


def test_the_example_file_holds_every_setting_at_its_default():
    settings = Settings.load(EXAMPLE, env={})
    text = EXAMPLE.read_text(encoding="utf-8")

    assert dataclasses.replace(settings, config_file=None) == Settings()
    sections = (settings.server, settings.auth, settings.context, settings.cache)
    for section in (
        *sections,
        settings.cache.ttl,
        settings.backoffice,
        settings.database,
        settings.clock,
        settings.vouchers,
    ):
        for field in dataclasses.fields(section):
            if dataclasses.is_dataclass(getattr(section, field.name)):
                continue
            assert re.search(rf"^#? ?{field.name} =", text, re.MULTILINE), field.name
    for field in dataclasses.fields(SourceSettings):
        if field.name == "oauth":  # a table, unset by default: shown once, commented out
            assert "\n# [sources.pim.oauth]\n" in text
            continue
        assert text.count(f"\n{field.name} =") + text.count(f"\n# {field.name} =") >= 6
    for field in dataclasses.fields(OAuthSettings):
        assert f"\n# {field.name} =" in text, field.name


# --- validation ------------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_a_suggestion(tmp_path):
    path = write(tmp_path, "[server]\nprot = 9000\n\n[sources.pricng]\nkind = 'http'\n")

    problems = problems_of(path)

    assert problems[0] == (
        "server.prot: unknown key (got 9000); expected one of environment, host, port, workers, "
        "max_body_bytes, introspection, graphiql, mask_errors, debug_source_calls, log_level, cors_origins, webhook_secret (did you mean 'port'?)"
    )
    assert problems[1] == (
        "sources.pricng: unknown key (got a table); expected one of pim, pricing, inventory, "
        "crm, orders, loyalty (did you mean 'pricing'?)"
    )
    assert len(problems) == 2


def test_an_unknown_environment_variable_is_an_error_that_names_it():
    assert problems_of(GATEWAY_SERVR__PORT="1") == [
        "servr: unknown key (got a table from GATEWAY_SERVR__PORT); expected one of server, limits, "
        "auth, context, cache, backoffice, database, outbox, checkout, vouchers, routing, returns, "
        "clock, sources (did you mean 'server'?)"
    ]


def test_wrong_types_and_ranges_say_what_was_expected(tmp_path):
    path = write(
        tmp_path,
        '[server]\nport = "8000"\nworkers = 0\nlog_level = "loud"\nintrospection = "yes"\n'
        "[sources.pim]\ntimeout = 0\n[context]\nchannels = ['WEB', 'TV']\n",
    )

    assert problems_of(path, GATEWAY_LIMITS__MAX_DEPTH="deep") == [
        "server.port: wrong type (got '8000'); expected an integer from 1 to 65535",
        "server.workers: out of range (got 0); expected an integer of at least 1",
        "server.introspection: wrong type (got 'yes'); expected true or false",
        "server.log_level: unknown value (got 'loud'); "
        "expected one of 'debug', 'info', 'warning', 'error', 'critical'",
        "limits.max_depth: not a number (got 'deep' from GATEWAY_LIMITS__MAX_DEPTH); "
        "expected an integer from 1 to 100",
        "context.channels: unknown value in the list (got 'TV'); expected a list of any of "
        "'WEB', 'APP', 'STORE', 'KIOSK', 'SIGNAGE', 'MARKETPLACE', 'CALL_CENTER'",
        "sources.pim.timeout: out of range (got 0); expected a number greater than 0",
    ]


def test_an_http_source_needs_a_base_url():
    assert problems_of(GATEWAY_SOURCES__CRM__KIND="http") == [
        "sources.crm.base_url: missing (got nothing); "
        "expected the system's URL, because kind = 'http'"
    ]


def test_urls_are_checked_and_passwords_not_shown():
    problems = problems_of(
        GATEWAY_SOURCES__PIM__BASE_URL="pim.internal",
        DATABASE_URL="mysql://user:hunter2@db/x",
        GATEWAY_BACKOFFICE__DATABASE_URL="oracle://db/bo",
    )

    assert problems == [
        "backoffice.database_url: not a URL (got 'oracle://db/bo'); expected a postgresql:// URL",
        "database.url: not a URL (got 'mysql://user:<redacted>@db/x'); "
        "expected a postgresql:// URL",
        "sources.pim.base_url: not a URL (got 'pim.internal'); expected a https:// URL",
    ]


def test_production_refuses_the_development_secret():
    problems = problems_of(
        GATEWAY_SERVER__ENVIRONMENT="production",
        GATEWAY_AUTH__ALGORITHMS="HS256",
        GATEWAY_AUTH__DEV_SECRET=DEV_SECRET,
    )

    assert problems == [
        "auth.dev_secret: refused in production (got the built-in development secret); "
        "expected your own secret in GATEWAY_AUTH__DEV_SECRET"
    ]


def test_the_clock_runs_as_of_a_day_from_the_file_or_the_environment(tmp_path):
    path = write(tmp_path, "[clock]\ntoday = 2027-04-05\n")

    from_file = Settings.load(path, env={})
    from_env = Settings.load(env={"GATEWAY_CLOCK__TODAY": "2027-01-04"})

    assert (from_file.clock.today, from_env.clock.today) == (date(2027, 4, 5), date(2027, 1, 4))
    assert 'today = "2027-01-04"  # from GATEWAY_CLOCK__TODAY' in from_env.describe()
    assert Settings().clock.today is None


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        (
            {"GATEWAY_CLOCK__TODAY": "next monday"},
            "clock.today: not a date (got 'next monday' from GATEWAY_CLOCK__TODAY); "
            "expected a date, e.g. 2027-04-05",
        ),
        (
            {"GATEWAY_CLOCK__TODAY": "2027-04-05", "GATEWAY_SERVER__ENVIRONMENT": "production"},
            "clock.today: refused in production (got 2027-04-05); "
            "expected it unset: production runs on the system clock",
        ),
    ],
)
def test_the_clock_refuses_what_is_not_a_date_and_production(env, problem):
    env = {**env, "GATEWAY_AUTH__JWKS_URL": JWKS, "GATEWAY_AUTH__ALGORITHMS": "RS256"}

    assert problems_of(**env) == [problem]


def test_a_date_and_time_is_not_a_day(tmp_path):
    path = write(tmp_path, "[clock]\ntoday = 2027-04-05T10:00:00\n")

    assert problems_of(path) == [
        'clock.today: wrong type (got "2027-04-05 10:00:00"); expected a date, e.g. 2027-04-05'
    ]


def test_production_accepts_its_own_hmac_secret():
    settings = Settings.load(
        env={
            "GATEWAY_SERVER__ENVIRONMENT": "production",
            "GATEWAY_AUTH__ALGORITHMS": "HS256",
            "GATEWAY_AUTH__DEV_SECRET": STRONG_SECRET,
        }
    )

    assert settings.auth.dev_secret == STRONG_SECRET


def test_production_needs_a_key_for_its_default_algorithm():
    assert problems_of(GATEWAY_SERVER__ENVIRONMENT="production") == [
        "auth.public_key: missing (got nothing); expected a PEM key or auth.jwks_url, for RS256"
    ]


def test_secrets_are_not_read_from_the_file(tmp_path):
    path = write(
        tmp_path,
        '[auth]\ndev_secret = "hunter2hunter2hunter2hunter2hunter2"\n'
        '[sources.crm]\nheaders = { "X-Api-Key" = "abc123", Auth = "${UNSET_TOKEN}" }\n',
    )

    problems = problems_of(path)

    assert problems == [
        "auth.dev_secret: secrets are not read from the config file (got <redacted>); "
        "expected the environment variable GATEWAY_AUTH__DEV_SECRET",
        "sources.crm.headers.X-Api-Key: a credential written in the config file "
        "(got <redacted>); expected a reference to an environment variable, "
        "e.g. 'Bearer ${CRM_TOKEN}'",
        "sources.crm.headers.Auth: refers to an unset environment variable "
        "(got '${UNSET_TOKEN}'); expected UNSET_TOKEN to be set",
    ]
    assert "hunter2" not in str(ConfigError(problems))


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        (
            '[sources.pim.oauth]\ntoken_url = "/t"\nclient_id = "g"\nclient_secret = "${S}"',
            {"S": "s3cr3t"},
            [
                "sources.pim.oauth: only for a source over HTTP (got kind = 'embedded'); "
                "expected kind = 'http' in [sources.pim], or no [sources.pim.oauth] table"
            ],
        ),
        (
            '[sources.crm]\nkind = "http"\nbase_url = "http://crm"\n[sources.crm.oauth]\n'
            'scope = "crm"',
            {},
            [
                "sources.crm.oauth.token_url: missing (got nothing); expected the token "
                "endpoint: an https:// URL, or a path such as '/oauth/token'",
                "sources.crm.oauth.client_id: missing (got nothing); "
                "expected the client id the token endpoint knows this gateway by",
                "sources.crm.oauth.client_secret: missing (got nothing); expected a '${NAME}' "
                "reference to an environment variable, or "
                "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET",
            ],
        ),
        (
            OAUTH_CRM.replace('"${CRM_CLIENT_SECRET}"', '"hunter2"'),
            {},
            [
                "sources.crm.oauth.client_secret: a credential written in the config file "
                "(got <redacted>); expected a reference to an environment variable, "
                "e.g. '${CRM_OAUTH_CLIENT_SECRET}'"
            ],
        ),
        (
            OAUTH_CRM,
            {},
            [
                "sources.crm.oauth.client_secret: refers to an unset environment variable "
                "(got '${CRM_CLIENT_SECRET}'); expected CRM_CLIENT_SECRET to be set"
            ],
        ),
        (
            OAUTH_CRM.replace("client_secret = ", "client_secret = 1 #"),
            {},
            [
                "sources.crm.oauth.client_secret: wrong type (got <redacted>); "
                "expected a non-empty string",
                "sources.crm.oauth.client_secret: missing (got nothing); expected a '${NAME}' "
                "reference to an environment variable, or "
                "GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET",
            ],
        ),
        (
            OAUTH_CRM.replace('"/oauth/token"', '"login.example.com/token"'),
            {"CRM_CLIENT_SECRET": "s3cr3t"},
            [
                "sources.crm.oauth.token_url: neither a URL nor a path "
                "(got 'login.example.com/token'); "
                "expected an https:// URL, or a path on base_url such as '/oauth/token'"
            ],
        ),
        (
            OAUTH_CRM.replace('"/oauth/token"', '"ftp://login.example.com/token"'),
            {"CRM_CLIENT_SECRET": "s3cr3t"},
            [
                "sources.crm.oauth.token_url: neither a URL nor a path "
                "(got 'ftp://login.example.com/token'); "
                "expected an https:// URL, or a path on base_url such as '/oauth/token'"
            ],
        ),
        (
            OAUTH_CRM.replace("scope =", "scopes ="),
            {"CRM_CLIENT_SECRET": "s3cr3t"},
            [
                "sources.crm.oauth.scopes: unknown key (got 'crm customers.read'); expected "
                "one of token_url, client_id, client_secret, scope (did you mean 'scope'?)"
            ],
        ),
        (
            OAUTH_CRM,
            {
                "CRM_CLIENT_SECRET": "s3cr3t",
                "GATEWAY_SOURCES__CRM__HEADERS": '{ Authorization = "Bearer ${CRM_CLIENT_SECRET}" }',
            },
            [
                "sources.crm.headers: an Authorization header besides OAuth2 "
                "(got 'Authorization'); "
                "expected only one of both: [sources.crm.oauth] sends its token as Authorization"
            ],
        ),
        (
            "",
            {"GATEWAY_SOURCES__CRM__OAUTH": "gateway:s3cr3t"},
            [
                "sources.crm.oauth: not a table (got 'gateway:s3cr3t' from "
                "GATEWAY_SOURCES__CRM__OAUTH); expected a [sources.crm.oauth] table of settings"
            ],
        ),
    ],
)
def test_oauth_problems_say_what_to_do(tmp_path, toml, env, expected):
    assert problems_of(write(tmp_path, toml), **env) == expected


def test_auth_algorithms_are_checked():
    assert problems_of(GATEWAY_AUTH__ALGORITHMS="none,hs256") == [
        "auth.algorithms: 'none' accepts unsigned tokens (got 'none'); expected e.g. 'RS256'",
        "auth.algorithms: unknown algorithm (got 'hs256'); expected one of HS256, HS384, "
        "HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA "
        "(did you mean 'HS256'?)",
    ]


def test_a_short_secret_is_refused():
    assert problems_of(GATEWAY_AUTH__DEV_SECRET="short") == [
        "auth.dev_secret: too short (got 5 bytes); expected 32 bytes or more: "
        "`openssl rand -hex 32`"
    ]


def test_context_and_cache_are_checked_together():
    problems = problems_of(
        GATEWAY_CONTEXT__DEFAULT_LOCALE="fr",
        GATEWAY_CONTEXT__CURRENCY="euro",
        GATEWAY_CACHE__BACKEND="redis",
        GATEWAY_CACHE__TTL__CUSTOMER="60",
    )

    assert problems == [
        "context.default_locale: not in locales (got 'fr'); expected one of the locales",
        "context.currency: not a currency code (got 'euro'); expected e.g. 'EUR'",
        "cache.redis_url: missing (got nothing); expected REDIS_URL, for cache.backend = 'redis'",
        "cache.ttl.customer: private data in a shared cache (got 60); expected 0",
    ]


def test_config_error_is_a_value_error_listing_every_problem():
    with pytest.raises(ValueError, match=r"2 problem\(s\)") as caught:
        Settings.load(env={"GATEWAY_SERVER__PORT": "0", "GATEWAY_SERVER__WORKERS": "0"})

    assert isinstance(caught.value, ConfigError)
    assert str(caught.value).splitlines()[1:] == [
        "  - server.port: out of range (got '0' from GATEWAY_SERVER__PORT); "
        "expected an integer from 1 to 65535",
        "  - server.workers: out of range (got '0' from GATEWAY_SERVER__WORKERS); "
        "expected an integer of at least 1",
    ]


def test_a_missing_or_broken_file_is_an_error(tmp_path):
    broken = write(tmp_path, "[server\n", "broken.toml")

    assert problems_of(tmp_path / "missing.toml") == [
        f"config file: not found (got {str(tmp_path / 'missing.toml')!r}); "
        "expected an existing TOML file"
    ]
    assert problems_of(GATEWAY_CONFIG=str(broken))[0].startswith(f"{broken}: not valid TOML (")


# --- describe --------------------------------------------------------------------------------


def test_describe_redacts_secrets_and_marks_environment_overrides():
    settings = Settings.load(
        env={
            "GATEWAY_AUTH__DEV_SECRET": STRONG_SECRET,
            "REDIS_URL": "redis://user:hunter2@cache:6379/0",
            "GATEWAY_SOURCES__CRM__HEADERS": '{ Authorization = "Bearer t0ken" }',
            "GATEWAY_SERVER__PORT": "9000",
        }
    )

    text = settings.describe()

    assert STRONG_SECRET not in text
    assert "hunter2" not in text
    assert "t0ken" not in text
    assert 'dev_secret = "<redacted>"  # from GATEWAY_AUTH__DEV_SECRET' in text
    assert 'webhook_secret = "<redacted: the built-in development secret>"' in text
    assert 'redis_url = "redis://user:<redacted>@cache:6379/0"  # from REDIS_URL' in text
    assert 'headers = { "Authorization" = "<redacted>" }' in text
    assert "port = 9000  # from GATEWAY_SERVER__PORT" in text
    assert "[sources.loyalty]" in text
    assert "# jwks_url is not set" in text
    assert "# oauth is not set" in text


def test_describe_redacts_the_oauth_client_secret(tmp_path):
    path = write(tmp_path, OAUTH_CRM)
    settings = Settings.load(
        path, env={"GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET": "hunter2-oauth"}
    )

    text = settings.describe()

    assert "hunter2-oauth" not in text
    assert (
        "[sources.crm.oauth]\n"
        'token_url = "/oauth/token"\n'
        'client_id = "commerce-gateway"\n'
        'client_secret = "<redacted>"  # from GATEWAY_SOURCES__CRM__OAUTH__CLIENT_SECRET\n'
        'scope = "crm customers.read"\n'
    ) in text
    assert (
        Settings.load(path, env={"CRM_CLIENT_SECRET": "hunter2-oauth"})
        .describe()
        .count('client_secret = "<redacted>"\n')
        == 1
    )


JWKS_HTTP = "http://login.example.com/jwks.json"
PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"


@pytest.mark.parametrize(
    ("toml", "env", "problem"),
    [
        ("server = 3", {}, "server: not a table (got 3); expected a [server] table of settings"),
        ("sources = 3", {}, "sources: not a table (got 3); expected [sources.<name>] tables"),
        (
            "",
            {"GATEWAY_CACHE__TTL": "5"},
            "cache.ttl: not a table (got '5' from GATEWAY_CACHE__TTL); "
            "expected a [cache.ttl] table of settings",
        ),
        (
            "[sources.pim]\nheaders = { Accept = 1 }",
            {},
            "sources.pim.headers: wrong type for 'Accept' (got 1); "
            'expected a table of strings, e.g. { Authorization = "Bearer ${TOKEN}" }',
        ),
        (
            '[server]\nhost = " "',
            {},
            "server.host: empty (got ' '); expected a non-empty string",
        ),
        (
            "",
            {"GATEWAY_SERVER____PORT": "1"},
            "GATEWAY_SERVER____PORT: not a setting name (got 'GATEWAY_SERVER____PORT'); "
            "expected GATEWAY_<SECTION>__<KEY>",
        ),
        (
            "",
            {"GATEWAY_SERVER__GRAPHIQL": "maybe"},
            "server.graphiql: not a boolean (got 'maybe' from GATEWAY_SERVER__GRAPHIQL); "
            "expected true or false",
        ),
        (
            "",
            {"GATEWAY_SOURCES__PIM__TIMEOUT": "nan"},
            "sources.pim.timeout: wrong type (got 'nan' from GATEWAY_SOURCES__PIM__TIMEOUT); "
            "expected a number greater than 0",
        ),
        (
            "",
            {"GATEWAY_CONTEXT__LOCALES": "[nl"},
            "context.locales: not a TOML list (got '[nl' from GATEWAY_CONTEXT__LOCALES); "
            "expected a list of strings",
        ),
        (
            "",
            {"GATEWAY_SOURCES__PIM__HEADERS": "Accept: x"},
            "sources.pim.headers: not a TOML inline table, e.g. "
            "'{ Accept = \"application/json\" }' (got 'Accept: x' from "
            "GATEWAY_SOURCES__PIM__HEADERS); "
            'expected a table of strings, e.g. { Authorization = "Bearer ${TOKEN}" }',
        ),
        (
            "",
            {"GATEWAY_CONTEXT__LOCALES": "nl,EN"},
            "context.locales: not a language tag (got 'EN'); expected e.g. 'nl' or 'en-GB'",
        ),
        (
            "",
            {"GATEWAY_SERVER__CORS_ORIGINS": "*,shop.example.com"},
            "server.cors_origins: not an origin (got 'shop.example.com'); "
            "expected e.g. 'https://x.example'",
        ),
        (
            "",
            {"GATEWAY_AUTH__ALGORITHMS": ""},
            "auth.algorithms: empty (got []); expected at least one algorithm, e.g. ['RS256']",
        ),
        (
            "",
            {"GATEWAY_AUTH__ALGORITHMS": "HS512", "GATEWAY_AUTH__DEV_SECRET": "x" * 40},
            "auth.dev_secret: too short for HS512 (got 40 bytes); expected 64 bytes or more",
        ),
        (
            "",
            {"GATEWAY_AUTH__JWKS_URL": JWKS},
            "auth.algorithms: none uses the public key (got [\"HS256\"]); expected e.g. ['RS256']",
        ),
        (
            "",
            {
                "GATEWAY_AUTH__ALGORITHMS": "RS256",
                "GATEWAY_AUTH__JWKS_URL": JWKS,
                "GATEWAY_AUTH__PUBLIC_KEY": PEM,
            },
            f"auth.jwks_url: set with auth.public_key (got {JWKS!r}); expected only one of both",
        ),
        (
            "",
            {"GATEWAY_SERVER__ENVIRONMENT": "production", "GATEWAY_AUTH__JWKS_URL": JWKS_HTTP},
            f"auth.jwks_url: plain HTTP in production (got {JWKS_HTTP!r}); expected an https:// URL",
        ),
        (
            "",
            {
                "GATEWAY_SERVER__ENVIRONMENT": "production",
                "GATEWAY_AUTH__JWKS_URL": JWKS,
                "GATEWAY_SERVER__WEBHOOK_SECRET": DEV_WEBHOOK_SECRET,
            },
            "server.webhook_secret: refused in production (got the built-in development secret); "
            "expected your own secret in GATEWAY_SERVER__WEBHOOK_SECRET",
        ),
    ],
)
def test_each_problem_names_its_key(tmp_path, toml, env, problem):
    assert problems_of(write(tmp_path, toml), **env) == [problem]


def test_an_unreadable_public_key_path_is_reported(tmp_path):
    path = write(tmp_path, '[auth]\nalgorithms = ["ES256"]\npublic_key = "missing.pem"\n')

    assert problems_of(path) == [
        f"auth.public_key: neither PEM text nor a readable PEM file "
        f"(got {str(tmp_path / 'missing.pem')!r}); "
        "expected PEM text ('-----BEGIN PUBLIC KEY-----...') or the path of a PEM file"
    ]


def test_describe_shows_only_the_first_line_of_a_public_key():
    settings = Settings.load(
        env={"GATEWAY_AUTH__ALGORITHMS": "ES256", "GATEWAY_AUTH__PUBLIC_KEY": PEM}
    )

    assert 'public_key = "-----BEGIN PUBLIC KEY----- ..."' in settings.describe()


def test_checkout_amounts_are_exact_decimals_and_payment_methods_are_checked():
    settings = Settings.load(
        None,
        env={
            "GATEWAY_CHECKOUT__SHIPPING_FEE": "5.45",
            "GATEWAY_ROUTING__MARGIN_RATE": "0.25",
            "GATEWAY_CHECKOUT__PAYMENT_METHODS": '{ WEB = "card, invoice" }',
        },
    )
    assert settings.checkout.shipping_fee == Decimal("5.45")
    assert settings.routing.margin_rate == Decimal("0.25")
    rules = build_rules(settings)
    assert rules.checkout.shipping_fee == Decimal("5.45")
    assert rules.routing.margin_rate == Decimal("0.25")
    assert rules.payment_methods == {"WEB": ("CARD", "INVOICE")}

    assert problems_of(GATEWAY_CHECKOUT__SHIPPING_FEE="lots") == [
        "checkout.shipping_fee: not a decimal number (got 'lots' from "
        'GATEWAY_CHECKOUT__SHIPPING_FEE); expected a decimal amount, e.g. "4.95", of at least 0'
    ]
    assert problems_of(GATEWAY_CHECKOUT__PAYMENT_METHODS='{ WEB = "CARD, BITCOIN" }') == [
        "checkout.payment_methods.WEB: unknown payment methods (got ['BITCOIN']); expected any "
        "of CARD, CASH, GIFT_CARD, VOUCHER, MOBILE, INVOICE"
    ]


def test_the_outbox_settings_default_to_delivering_in_process_and_the_environment_tunes_them():
    defaults = Settings.load(env={}).outbox
    assert (defaults.in_process, defaults.poll_interval_seconds, defaults.batch_size) == (
        True,
        1.0,
        50,
    )
    assert (defaults.concurrency, defaults.lease_seconds, defaults.max_attempts) == (8, 30.0, 10)
    assert (defaults.backoff_base_seconds, defaults.backoff_max_seconds) == (1.0, 300.0)
    assert defaults.sent_retention_days == 7

    tuned = Settings.load(
        env={"GATEWAY_OUTBOX__IN_PROCESS": "false", "GATEWAY_OUTBOX__LEASE_SECONDS": "2"}
    ).outbox
    assert (tuned.in_process, tuned.lease_seconds) == (False, 2.0)


def test_an_outbox_backoff_capped_below_its_first_wait_is_refused():
    assert problems_of(
        GATEWAY_OUTBOX__BACKOFF_BASE_SECONDS="10", GATEWAY_OUTBOX__BACKOFF_MAX_SECONDS="5"
    ) == [
        "outbox.backoff_max_seconds: below backoff_base_seconds (got 5 < 10); expected a cap "
        "at least as long as the first wait"
    ]


def test_voucher_rules_come_from_the_vouchers_section_and_the_environment(tmp_path):
    path = write(tmp_path, '[vouchers]\nvalidity_days = 30\nmax_amount = "100.00"\n')

    from_file = build_rules(Settings.load(path, env={})).vouchers
    from_env = build_rules(
        Settings.load(path, env={"GATEWAY_VOUCHERS__MAX_AMOUNT": "75.50"})
    ).vouchers

    assert (from_file.validity_days, from_file.max_amount) == (30, Decimal("100.00"))
    assert (from_env.validity_days, from_env.max_amount) == (30, Decimal("75.50"))
    assert (Settings().vouchers.validity_days, Settings().vouchers.max_amount) == (
        90,
        Decimal("250.00"),
    )
    assert [p.split(":")[0] for p in problems_of(GATEWAY_VOUCHERS__VALIDITY_DAYS="0")] == [
        "vouchers.validity_days"
    ]
    assert [p.split(":")[0] for p in problems_of(GATEWAY_VOUCHERS__MAX_AMOUNT="0")] == [
        "vouchers.max_amount"
    ]


def test_the_refund_rules_refuse_cash_for_cards_and_unknown_names():
    assert problems_of(GATEWAY_RETURNS__REFUND_METHODS__CARD="CASH") == [
        "returns.refund_methods.CARD: a card payment refunded in cash (fraud rule) (got 'CASH'); "
        "expected CARD"
    ]
    assert problems_of(GATEWAY_RETURNS__REFUND_METHODS__GIFT_CARD="COINS") == [
        "returns.refund_methods.GIFT_CARD: unknown payment methods (got ['COINS']); expected any "
        "of CARD, CASH, GIFT_CARD, VOUCHER, MOBILE, INVOICE"
    ]
    assert problems_of(GATEWAY_RETURNS__SHIPPING_KEPT_FOR_TIERS="GOLD, PLATINUM") == [
        "returns.shipping_kept_for_tiers: unknown tiers (got ['PLATINUM']); expected any of "
        "STANDARD, SILVER, GOLD"
    ]
    rules = build_rules(
        Settings.load(env={"GATEWAY_RETURNS__SHIPPING_KEPT_FOR_TIERS": "gold, silver"})
    )
    assert rules.refunds.shipping_kept_for_tiers == {"GOLD", "SILVER"}
