"""The `commerce-gateway` command: help, tokens, config check, schema check, seeding."""

import jwt
import pytest

from backoffice.seed import DEMO_CUSTOMER_ID, SIZES
from gateway.cli import main
from gateway.cli_arguments import SEED_SIZES, build_parser
from gateway.config import Settings


@pytest.mark.parametrize(
    "command",
    [
        *([], ["demo"], ["serve"], ["seed"], ["token"], ["config"], ["config", "check"]),
        *(["schema"], ["db"], ["db", "upgrade"], ["db", "current"]),
    ],
)
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: commerce-gateway" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["seed", "demo"])
def test_seed_and_demo_take_every_seed_size_up_to_xl(command, capsys):
    parser = build_parser()

    assert SEED_SIZES == tuple(SIZES) == ("small", "demo", "large", "xl")
    for size in SIZES:
        assert parser.parse_args([command, "--size", size]).size == size
    with pytest.raises(SystemExit):
        parser.parse_args([command, "--size", "xxl"])
    assert "invalid choice: 'xxl'" in capsys.readouterr().err


def test_seed_help_describes_the_xl_size(capsys):
    with pytest.raises(SystemExit):
        main(["seed", "--help"])

    assert "xl (205,000 products, ~1M variants" in " ".join(capsys.readouterr().out.split())


def test_the_back_office_command_explains_itself(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["backoffice", "serve", "--help"])
    assert exit_.value.code == 0
    assert "--latency-ms" in capsys.readouterr().out
    assert main(["backoffice", "--help"]) == 0
    assert "usage: commerce-gateway backoffice serve" in capsys.readouterr().out


@pytest.mark.parametrize("arguments", [[], ["start"], ["--latency-ms", "20"]])
def test_the_back_office_command_wants_serve(arguments, capsys):
    assert main(["backoffice", *arguments]) == 2
    assert "usage: commerce-gateway backoffice serve" in capsys.readouterr().err


@pytest.fixture
def seeded(seeded_url, monkeypatch):
    """The token command's ids are checked against this seeded back office."""
    monkeypatch.setenv("GATEWAY_BACKOFFICE__DATABASE_URL", seeded_url)


def test_a_customer_token_is_printed_alone_and_names_the_demo_customer(capsys, monkeypatch, seeded):
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    assert main(["token", "--role", "customer"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    claims = jwt.decode(
        out.strip(),
        Settings.load(None, env={}).auth.dev_secret,
        algorithms=["HS256"],
        audience="commerce-gateway",
    )
    assert claims["role"] == "customer"
    assert DEMO_CUSTOMER_ID in (claims["sub"], claims.get("customer_id"))


@pytest.mark.parametrize("store", ["s01", "NL001"])
def test_a_kiosk_token_carries_its_store_id_and_channel(capsys, seeded, store):
    assert main(["token", "--role", "kiosk", "--store", store, "--channel", "KIOSK"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert (claims["store"], claims["channel"]) == ("s01", "KIOSK")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "customer", "--customer", "cu99999"], "no customer 'cu99999'"),
        (["--role", "associate", "--store", "s99"], "no store 's99'"),
        (["--role", "associate", "--store", "NL999"], "no store 'NL999'"),
    ],
)
def test_a_token_for_an_unknown_customer_or_store_is_refused(capsys, seeded, arguments, message):
    assert main(["token", *arguments]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


def test_a_token_cannot_be_checked_against_an_empty_back_office(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(
        "GATEWAY_BACKOFFICE__DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}"
    )
    assert main(["token", "--role", "associate", "--store", "s01"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "run `commerce-gateway seed` first" in captured.err


def test_a_token_for_sources_over_http_is_minted_unchecked_with_a_note(capsys, monkeypatch):
    monkeypatch.setenv("GATEWAY_SOURCES__INVENTORY__KIND", "http")
    monkeypatch.setenv("GATEWAY_SOURCES__INVENTORY__BASE_URL", "http://127.0.0.1:9")
    assert main(["token", "--role", "associate", "--store", "S-ELSEWHERE"]) == 0
    captured = capsys.readouterr()
    assert jwt.decode(captured.out.strip(), options={"verify_signature": False})["store"] == (
        "S-ELSEWHERE"
    )
    assert "the inventory source is served over HTTP" in captured.err


def test_config_check_prints_the_settings_with_secrets_redacted(capsys):
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "[server]" in out
    assert Settings.load(None, env={}).auth.dev_secret not in out


def test_config_check_reports_what_is_wrong(capsys, monkeypatch):
    monkeypatch.setenv("GATEWAY_SERVER__PORT", "eighty")
    assert main(["config", "check"]) == 1
    assert "server.port" in capsys.readouterr().err


def test_the_committed_schema_passes_the_check(capsys):
    assert main(["schema", "--check", "schema.graphql"]) == 0


def test_seed_fills_an_empty_database_and_refuses_a_full_one(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(
        "GATEWAY_BACKOFFICE__DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bo.sqlite3'}"
    )
    assert main(["seed", "--size", "small"]) == 0
    assert "seeded in" in capsys.readouterr().err
    assert main(["seed", "--size", "small"]) == 1
    assert "--reset" in capsys.readouterr().err


@pytest.fixture
def gateway_db(tmp_path, monkeypatch):
    """The gateway's own database: an empty SQLite file, named by DATABASE_URL."""
    monkeypatch.delenv("GATEWAY_CONFIG", raising=False)
    monkeypatch.delenv("GATEWAY_DATABASE__URL", raising=False)
    url = f"sqlite:///{tmp_path / 'gateway.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_db_current_fails_until_db_upgrade_migrates_to_this_release(gateway_db, capsys):
    from ledger.migrate import head

    assert main(["db", "current"]) == 1
    captured = capsys.readouterr()
    assert "is at revision none" in captured.out
    assert "run `commerce-gateway db upgrade`" in captured.err

    assert main(["db", "upgrade"]) == 0
    assert f"upgraded from nothing to revision {head()}" in capsys.readouterr().out

    assert main(["db", "upgrade"]) == 0
    assert f"is at revision {head()}" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert f"this release needs {head()}: up to date" in capsys.readouterr().out


def test_db_commands_say_when_the_database_cannot_be_reached(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:9/nothing")

    assert main(["db", "current"]) == 1
    assert "did not answer" in capsys.readouterr().err


def test_production_serve_refuses_a_database_behind_this_release(gateway_db, monkeypatch, capsys):
    import gateway.cli

    monkeypatch.setenv("GATEWAY_SERVER__ENVIRONMENT", "production")
    monkeypatch.setenv("GATEWAY_AUTH__JWKS_URL", "https://login.example.com/jwks.json")
    monkeypatch.setenv("GATEWAY_SERVER__WEBHOOK_SECRET", "w" * 40)
    served = []
    monkeypatch.setattr(gateway.cli, "_serve", lambda settings, **kw: served.append(kw) or 0)

    assert main(["serve"]) == 1
    assert "run `commerce-gateway db upgrade`" in capsys.readouterr().err
    assert served == []

    assert main(["db", "upgrade"]) == 0
    assert main(["serve"]) == 0
    assert len(served) == 1


def test_the_demo_migrates_the_gateways_database_before_serving(
    gateway_db, seeded_url, monkeypatch, capsys
):
    import gateway.cli
    from ledger.migrate import head

    monkeypatch.setenv("GATEWAY_BACKOFFICE__DATABASE_URL", seeded_url)
    monkeypatch.setattr(gateway.cli, "_serve", lambda settings, **kw: 0)

    assert main(["demo"]) == 0
    capsys.readouterr()
    assert main(["db", "current"]) == 0
    assert f"is at revision {head()}" in capsys.readouterr().out
