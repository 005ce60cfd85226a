"""What the token tests share: the default auth settings, claims, HS256 tokens and the reason one is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from gateway.auth import AuthenticationError, Authenticator
from gateway.config import DEV_SECRET, AuthSettings

SETTINGS = AuthSettings()


def now() -> datetime:
    """The real time: PyJWT checks `iat`, `nbf` and `exp` against it, not against our clock.

    Read at each use, not once at import: a suite of some minutes made a token that was to
    be valid five minutes from "now" valid by the time its test ran.
    """
    return datetime.now(UTC)


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
        "iat": now(),
        "exp": now() + timedelta(hours=1),
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
