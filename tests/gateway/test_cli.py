"""The `commerce-gateway` command: help, tokens, config check, schema check, seeding."""

import jwt
import pytest

from backoffice.seed import DEMO_CUSTOMER_ID
from gateway.cli import main
from gateway.config import Settings


@pytest.mark.parametrize(
    "command",
    [[], ["demo"], ["serve"], ["seed"], ["token"], ["config"], ["config", "check"], ["schema"]],
)
def test_every_command_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: commerce-gateway" in capsys.readouterr().out


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


def test_a_customer_token_is_printed_alone_and_names_the_demo_customer(capsys, monkeypatch):
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


def test_a_kiosk_token_carries_its_store_and_channel(capsys):
    assert main(["token", "--role", "kiosk", "--store", "s01", "--channel", "KIOSK"]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert (claims["store"], claims["channel"]) == ("s01", "KIOSK")


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
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bo.sqlite3'}")
    assert main(["seed", "--size", "small"]) == 0
    assert "seeded in" in capsys.readouterr().err
    assert main(["seed", "--size", "small"]) == 1
    assert "--reset" in capsys.readouterr().err
