"""Loading the settings: defaults, the file, the environment and their precedence; describing them."""

from __future__ import annotations

import dataclasses
import re

import pytest

from gateway.config import DEV_SECRET, OAuthSettings, Settings, SourceSettings
from tests.gateway.config_support import EXAMPLE, JWKS, PEM, STRONG_SECRET, write

pytestmark = pytest.mark.usefixtures("empty_working_directory")


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


def test_describe_shows_only_the_first_line_of_a_public_key():
    settings = Settings.load(
        env={"GATEWAY_AUTH__ALGORITHMS": "ES256", "GATEWAY_AUTH__PUBLIC_KEY": PEM}
    )

    assert 'public_key = "-----BEGIN PUBLIC KEY----- ..."' in settings.describe()
