"""OAuth2 client credentials of an HTTP source: read, checked and redacted."""

from __future__ import annotations

import pytest

from gateway.config import OAuthSettings, Settings
from tests.gateway.config_support import OAUTH_CRM, problems_of, write

pytestmark = pytest.mark.usefixtures("empty_working_directory")


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
