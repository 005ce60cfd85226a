"""Invalid settings: every problem found at once, each naming its key, what it got and what it expects."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.config import DEV_SECRET, DEV_WEBHOOK_SECRET, ConfigError, Settings
from tests.gateway.config_support import JWKS, JWKS_HTTP, PEM, STRONG_SECRET, problems_of, write

pytestmark = pytest.mark.usefixtures("empty_working_directory")


# --- validation ------------------------------------------------------------------------------


def test_an_unknown_key_is_an_error_with_a_suggestion(tmp_path):
    path = write(tmp_path, "[server]\nprot = 9000\n\n[sources.pricng]\nkind = 'http'\n")

    problems = problems_of(path)

    assert problems[0] == (
        "server.prot: unknown key (got 9000); expected one of environment, host, port, workers, "
        "max_body_bytes, introspection, graphiql, mask_errors, debug_source_calls, log_level, cors_origins, webhook_secret, gc_threshold, gc_freeze "
        "(did you mean 'port'?)"
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
