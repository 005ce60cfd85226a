from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from gateway.auth import (
    AuthenticationError,
    Authenticator,
    RequestDefaults,
    RequestError,
    mint_token,
    negotiate_locale,
    resolve_request_defaults,
)
from gateway.config import DEV_SECRET, AuthSettings, ConfigError, ContextSettings
from resolvers.ids import to_global_id
from resolvers.viewer import ANONYMOUS, Viewer

SETTINGS = AuthSettings()
CONTEXT = ContextSettings()
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "iss": "commerce-gateway",
        "aud": "commerce-gateway",
        "sub": "C-1001",
        "role": "customer",
        "iat": NOW,
        "exp": NOW + timedelta(hours=1),
    }
    return {name: value for name, value in (base | overrides).items() if value is not None}


def hs256(payload: dict[str, Any], secret: str = DEV_SECRET) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def refused(token: str, authenticator: Authenticator | None = None) -> str:
    with pytest.raises(AuthenticationError) as caught:
        (authenticator or Authenticator(SETTINGS)).authenticate(f"Bearer {token}")
    assert caught.value.code == "UNAUTHENTICATED"
    assert token not in caught.value.message
    return caught.value.message


# --- HS256 development tokens --------------------------------------------------------------


@pytest.mark.parametrize(
    ("minted", "expected"),
    [
        (
            {"role": "customer", "customer_id": "C-1001", "locale": "en"},
            Viewer(role="customer", subject="C-1001", customer_id="C-1001", locale="en"),
        ),
        (
            {"role": "kiosk", "subject": "kiosk-7", "store_id": "S-AMS", "channel": "KIOSK"},
            Viewer(role="kiosk", subject="kiosk-7", store_id="S-AMS", channel="KIOSK"),
        ),
        (
            {"role": "associate", "subject": "E-42", "store_id": "S-UTR", "scopes": ["orders"]},
            Viewer(
                role="associate", subject="E-42", store_id="S-UTR", scopes=frozenset({"orders"})
            ),
        ),
        (
            {"role": "service", "subject": "agent-3", "scopes": ["customers:read", "vouchers"]},
            Viewer(
                role="service", subject="agent-3", scopes=frozenset({"customers:read", "vouchers"})
            ),
        ),
        ({"role": "admin"}, Viewer(role="admin", subject="dev-admin")),
    ],
)
def test_a_minted_token_authenticates_as_its_role(minted, expected):
    token = mint_token(SETTINGS, **minted)

    assert Authenticator(SETTINGS).authenticate(f"Bearer {token}") == expected


def test_no_header_is_the_anonymous_viewer():
    authenticator = Authenticator(SETTINGS)

    assert authenticator.authenticate(None) is ANONYMOUS
    assert authenticator.authenticate("  ") is ANONYMOUS


def test_the_customer_id_claim_wins_over_the_subject():
    token = hs256(claims(sub="auth0|abc", customer_id="C-2002"))

    viewer = Authenticator(SETTINGS).authenticate(f"bearer {token}")

    assert (viewer.subject, viewer.customer_id) == ("auth0|abc", "C-2002")


def test_an_expired_token_is_refused_but_leeway_is_allowed():
    expired = mint_token(SETTINGS, role="admin", now=NOW - timedelta(hours=2), ttl_seconds=3600)
    # Measured from the real clock: NOW was taken at import, maybe long before this test.
    within_leeway = mint_token(
        SETTINGS, role="admin", now=datetime.now(UTC) - timedelta(seconds=70), ttl_seconds=60
    )

    assert refused(expired) == "the token has expired"
    assert Authenticator(SETTINGS).authenticate(f"Bearer {within_leeway}").role == "admin"


def test_a_token_that_is_not_yet_valid_is_refused():
    assert refused(hs256(claims(nbf=NOW + timedelta(minutes=5)))) == "the token is not yet valid"
    assert refused(hs256(claims(iat=NOW + timedelta(minutes=5)))) == "the token is not yet valid"


def test_a_forged_signature_is_refused():
    forged = hs256(claims(role="admin"), secret="another-secret-of-at-least-32-bytes!!")

    assert refused(forged) == "the token's signature is invalid"


def test_the_issuer_and_audience_must_match():
    assert refused(hs256(claims(iss="someone-else"))) == "the token is from an unknown issuer"
    assert refused(hs256(claims(aud="another-api"))) == "the token is for another audience"


def test_required_claims_are_checked():
    assert refused(hs256(claims(exp=None))) == "the token has no 'exp' claim"
    assert refused(hs256(claims(sub=None))) == "the token has no 'sub' claim"
    assert refused(hs256(claims(role=None))) == "the token has no 'role' claim"


def test_roles_and_their_bindings_are_checked():
    assert refused(hs256(claims(role="root"))) == (
        "the token's role 'root' is not one of kiosk, customer, associate, service, admin"
    )
    assert refused(hs256(claims(role="anonymous"))).startswith("the token's role 'anonymous'")
    assert refused(hs256(claims(role="kiosk", channel="KIOSK"))) == (
        "a kiosk token must carry the 'store' claim"
    )
    assert refused(hs256(claims(role="kiosk", store="S-1"))) == (
        "a kiosk token must carry the 'channel' claim"
    )
    assert refused(hs256(claims(role="associate"))) == (
        "a associate token must carry the 'store' claim"
    )
    assert refused(hs256(claims(channel="TV"))).startswith("the token's channel 'TV' is not one of")
    assert refused(hs256(claims(store=7))) == "the token's 'store' claim must be a non-empty string"


def test_the_none_algorithm_is_refused():
    unsigned = jwt.encode(claims(role="admin"), "", algorithm="none")

    assert refused(unsigned) == "the token's algorithm 'none' is not accepted; expected HS256"


def test_malformed_headers_and_tokens_are_refused():
    authenticator = Authenticator(SETTINGS)

    with pytest.raises(AuthenticationError, match="scheme 'Basic' is not supported"):
        authenticator.authenticate("Basic dXNlcjpwYXNz")
    with pytest.raises(AuthenticationError, match="the bearer token is empty"):
        authenticator.authenticate("Bearer ")
    assert refused("not-a-jwt") == "the bearer token is not a well-formed JWT"


# --- public keys ------------------------------------------------------------------------------


def rs256_settings(**overrides: Any) -> AuthSettings:
    return AuthSettings(algorithms=("RS256",), dev_secret=None, **overrides)


def test_an_rs256_token_is_verified_with_the_public_key(rsa_key):
    authenticator = Authenticator(rs256_settings(public_key=public_pem(rsa_key)))
    token = jwt.encode(claims(role="service", sub="agent-1"), rsa_key, algorithm="RS256")

    assert authenticator.authenticate(f"Bearer {token}") == Viewer(
        role="service", subject="agent-1"
    )


def test_an_rs256_token_signed_by_another_key_is_refused(rsa_key):
    authenticator = Authenticator(rs256_settings(public_key=public_pem(rsa_key)))
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), other, algorithm="RS256")

    assert refused(token, authenticator) == "the token's signature is invalid"


def test_an_hmac_token_is_refused_when_only_rs256_is_accepted(rsa_key):
    pem = public_pem(rsa_key)
    authenticator = Authenticator(rs256_settings(public_key=pem))

    # The classic key-confusion attack: HMAC-sign with the public key as the secret.
    token = _hmac_token(claims(), secret=pem.encode())

    assert refused(token, authenticator) == (
        "the token's algorithm 'HS256' is not accepted; expected RS256"
    )


def _hmac_token(payload: dict[str, Any], *, secret: bytes) -> str:
    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    body = json.dumps(payload, default=lambda when: int(when.timestamp())).encode()
    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + b"." + part(body)
    signature = hmac.new(secret, signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + part(signature)).decode()


def test_a_key_of_the_wrong_family_is_a_configuration_error():
    ec_key = ec.generate_private_key(ec.SECP256R1())

    with pytest.raises(ConfigError, match=r"auth.public_key: cannot verify RS256"):
        Authenticator(rs256_settings(public_key=public_pem(ec_key)))
    with pytest.raises(ConfigError, match=r"auth.public_key: not a PEM public key"):
        Authenticator(rs256_settings(public_key="-----BEGIN PUBLIC KEY-----\nxx\n"))


class _JwksServer:
    """A JWKS endpoint on 127.0.0.1 that counts the requests it answers."""

    def __init__(self, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks.json"
        # A short poll interval, so that shutdown() returns at once.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)


@pytest.fixture
def jwks_server(rsa_key: rsa.RSAPrivateKey) -> Iterator[_JwksServer]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key.public_key()))
    server = _JwksServer({"keys": [jwk | {"kid": "key-1", "use": "sig", "alg": "RS256"}]})
    server.thread.start()
    try:
        yield server
    finally:
        server.server.shutdown()
        server.server.server_close()
        server.thread.join(timeout=5)


def test_a_token_is_verified_with_a_key_from_the_jwks_url(rsa_key, jwks_server):
    authenticator = Authenticator(rs256_settings(jwks_url=jwks_server.url))
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "key-1"})

    first = authenticator.authenticate(f"Bearer {token}")
    second = authenticator.authenticate(f"Bearer {token}")

    assert first == second == Viewer(role="customer", subject="C-1001", customer_id="C-1001")
    assert jwks_server.requests == 1


def test_a_token_with_an_unknown_kid_is_refused(rsa_key, jwks_server):
    authenticator = Authenticator(rs256_settings(jwks_url=jwks_server.url))
    authenticator.prefetch_keys()
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rotated-away"})

    assert refused(token, authenticator) == "the token is signed with an unknown key"
    assert jwks_server.requests == 1


def test_an_unreachable_jwks_url_is_reported(rsa_key, jwks_server):
    url = jwks_server.url
    jwks_server.server.shutdown()
    jwks_server.server.server_close()
    authenticator = Authenticator(rs256_settings(jwks_url=url), jwks_timeout=1.0)
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "key-1"})

    assert refused(token, authenticator) == (
        "the identity provider's signing keys could not be fetched; try again later"
    )


# --- minting ----------------------------------------------------------------------------------


def test_minted_tokens_carry_the_configured_claims_and_lifetime():
    token = mint_token(SETTINGS, role="customer", customer_id="C-1", now=NOW, ttl_seconds=600)

    payload = jwt.decode(token, DEV_SECRET, algorithms=["HS256"], audience="commerce-gateway")

    assert payload == {
        "iss": "commerce-gateway",
        "aud": "commerce-gateway",
        "sub": "C-1",
        "role": "customer",
        "customer_id": "C-1",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 600,
    }


def test_minting_refuses_what_would_not_authenticate():
    with pytest.raises(ValueError, match="cannot mint tokens"):
        mint_token(AuthSettings(dev_secret=None), role="admin")
    with pytest.raises(ValueError, match="a kiosk token needs store"):
        mint_token(SETTINGS, role="kiosk", channel="KIOSK")
    with pytest.raises(ValueError, match="a customer token needs customer_id"):
        mint_token(SETTINGS, role="customer")
    with pytest.raises(ValueError, match="role must be one of"):
        mint_token(SETTINGS, role="anonymous")


# --- request defaults from headers ----------------------------------------------------------

KIOSK = Viewer(role="kiosk", subject="kiosk-7", store_id="S-AMS", channel="KIOSK")
ASSOCIATE = Viewer(role="associate", subject="E-42", store_id="S-UTR")


def defaults(viewer: Viewer = ANONYMOUS, **headers: str) -> RequestDefaults:
    lower = {name.replace("_", "-").lower(): value for name, value in headers.items()}
    return resolve_request_defaults(viewer, lower, CONTEXT)


def test_defaults_come_from_the_configuration_and_the_role():
    assert defaults() == RequestDefaults(channel="WEB", locale="nl", store_id=None)
    assert defaults(KIOSK) == RequestDefaults(channel="KIOSK", locale="nl", store_id="S-AMS")
    assert defaults(ASSOCIATE) == RequestDefaults(channel="STORE", locale="nl", store_id="S-UTR")
    assert defaults(Viewer(role="service", subject="a")).channel == "CALL_CENTER"
    assert defaults(Viewer(role="customer", subject="c", channel="APP")).channel == "APP"


def test_x_store_as_a_location_id_is_decoded_and_a_bound_viewer_may_repeat_it():
    location_id = to_global_id("Location", "S-AMS")
    assert defaults(x_store=location_id).store_id == "S-AMS"
    assert defaults(KIOSK, x_store=location_id).store_id == "S-AMS"
    assert defaults(x_store="NL001").store_id == "NL001", "codes are resolved by the resolvers"
    assert defaults(x_store=to_global_id("Product", "p1")).store_id == to_global_id(
        "Product", "p1"
    ), "left for the resolvers to refuse"


def test_headers_override_the_token_for_unbound_viewers():
    customer = Viewer(role="customer", subject="C-1", channel="APP", locale="en")

    assert defaults(customer, x_channel="web", x_store="S-9") == RequestDefaults(
        channel="WEB", locale="en", store_id="S-9"
    )


def test_an_unknown_channel_is_bad_user_input():
    with pytest.raises(RequestError) as caught:
        defaults(x_channel="TV")

    assert caught.value.code == "BAD_USER_INPUT"
    assert caught.value.message == (
        "X-Channel 'TV' is not a channel; expected one of "
        "WEB, APP, STORE, KIOSK, SIGNAGE, MARKETPLACE, CALL_CENTER"
    )


@pytest.mark.parametrize(
    ("viewer", "headers", "message"),
    [
        (
            KIOSK,
            {"x_channel": "WEB"},
            "this kiosk token is bound to channel 'KIOSK'; X-Channel 'WEB' may not change it",
        ),
        (
            KIOSK,
            {"x_store": "S-UTR"},
            "this kiosk token is bound to store 'S-AMS'; X-Store 'S-UTR' may not change it",
        ),
        (
            ASSOCIATE,
            {"x_store": "S-AMS"},
            "this associate token is bound to store 'S-UTR'; X-Store 'S-AMS' may not change it",
        ),
    ],
)
def test_bound_tokens_may_not_leave_their_store_or_channel(viewer, headers, message):
    with pytest.raises(RequestError) as caught:
        defaults(viewer, **headers)

    assert (caught.value.code, caught.value.message) == ("FORBIDDEN", message)


def test_bound_tokens_may_repeat_their_own_store_and_channel():
    assert defaults(KIOSK, x_channel="kiosk", x_store="S-AMS") == defaults(KIOSK)


@pytest.mark.parametrize(
    ("accept_language", "locale"),
    [
        ("en", "en"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR, en-GB;q=0.8, nl;q=0.5", "en"),
        ("nl;q=0.2, en;q=0.9", "en"),
        ("fr", "nl"),
        ("*", "nl"),
        ("en;q=0, de", "nl"),
        ("en;q=oops, nl-BE", "nl"),
        (";;,, ;q=1", "nl"),
    ],
)
def test_accept_language_picks_the_first_supported_locale(accept_language, locale):
    assert defaults(accept_language=accept_language).locale == locale


def test_the_token_locale_is_used_when_the_header_names_nothing_supported():
    customer = Viewer(role="customer", subject="C-1", locale="en-US")

    assert defaults(customer, accept_language="fr").locale == "en"
    assert defaults(customer).locale == "en"


def test_negotiation_matches_a_bare_language_to_a_regional_locale():
    assert negotiate_locale("en", ("nl-BE", "en-GB")) == "en-GB"
    assert negotiate_locale("EN-gb", ("en-GB",)) == "en-GB"
    assert negotiate_locale(None, ("nl",)) is None


def test_an_es256_token_is_verified_with_a_certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    authenticator = Authenticator(AuthSettings(algorithms=("ES256",), public_key=pem))
    token = jwt.encode(claims(role="admin", sub="ops"), key, algorithm="ES256")

    assert authenticator.authenticate(f"Bearer {token}") == Viewer(role="admin", subject="ops")


def test_scopes_may_be_a_string_or_a_list():
    authenticator = Authenticator(SETTINGS)
    listed = hs256(claims(role="service", scope=["a", "b"]))

    assert authenticator.authenticate(f"Bearer {listed}").scopes == {"a", "b"}
    assert refused(hs256(claims(scope=7))) == (
        "the token's 'scope' claim must be a space-separated string"
    )


def test_prefetching_from_an_unreachable_jwks_url_fails_clearly(jwks_server):
    url = jwks_server.url
    jwks_server.server.shutdown()
    jwks_server.server.server_close()

    with pytest.raises(AuthenticationError, match="the signing keys could not be fetched"):
        Authenticator(rs256_settings(jwks_url=url), jwks_timeout=1.0).prefetch_keys()
