"""Tokens signed with public keys: a PEM key or certificate from the settings, or keys from a JWKS URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from gateway.auth import AuthenticationError, Authenticator
from gateway.config import AuthSettings, ConfigError
from resolvers.viewer import Viewer
from tests.gateway.tokens import claims, now, public_pem, refused


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


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


def test_an_es256_token_is_verified_with_a_certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.com")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now() - timedelta(days=1))
        .not_valid_after(now() + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode()
    authenticator = Authenticator(AuthSettings(algorithms=("ES256",), public_key=pem))
    token = jwt.encode(claims(role="admin", sub="ops"), key, algorithm="ES256")

    assert authenticator.authenticate(f"Bearer {token}") == Viewer(role="admin", subject="ops")


def test_prefetching_from_an_unreachable_jwks_url_fails_clearly(jwks_server):
    url = jwks_server.url
    jwks_server.server.shutdown()
    jwks_server.server.server_close()

    with pytest.raises(AuthenticationError, match="the signing keys could not be fetched"):
        Authenticator(rs256_settings(jwks_url=url), jwks_timeout=1.0).prefetch_keys()
