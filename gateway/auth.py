"""Bearer tokens to viewers, and request headers to the request's channel, locale and store.

* AuthenticationError   code UNAUTHENTICATED: a token was sent and is not acceptable (401)
* RequestError          code BAD_USER_INPUT: a header has an unknown value (400)
                        code FORBIDDEN: a header tries to leave what the token is bound to (403)

Messages say what is wrong with a token, never what the token holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from gateway.config import CHANNELS, AuthSettings, ConfigError, ContextSettings
from gateway.negotiation import weighted
from resolvers.errors import BadUserInput, Unauthenticated
from resolvers.ids import from_global_id
from resolvers.viewer import ANONYMOUS, ROLES, Role, Viewer

TOKEN_ROLES: tuple[Role, ...] = tuple(role for role in ROLES if role != "anonymous")
# Devices and staff are bound to the store (and channel) their token names.
BOUND_ROLES: tuple[Role, ...] = ("kiosk", "associate")
_REQUIRED_BY_ROLE: Mapping[str, tuple[str, ...]] = {
    "kiosk": ("store", "channel"),
    "associate": ("store",),
}
_ROLE_CHANNEL: Mapping[str, str] = {"associate": "STORE", "service": "CALL_CENTER"}
_KEY_TYPES: Mapping[str, tuple[type[Any], ...]] = {
    "RS": (rsa.RSAPublicKey,),
    "PS": (rsa.RSAPublicKey,),
    "ES": (ec.EllipticCurvePublicKey,),
    "Ed": (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey),
}


class AuthenticationError(Unauthenticated):
    """The request carries a bearer token that cannot be accepted (code UNAUTHENTICATED)."""


class RequestError(Exception):
    """A request header is invalid (BAD_USER_INPUT) or not allowed for this viewer (FORBIDDEN).

    Not a `GatewayError`: its code varies per instance, and it is answered at the HTTP edge
    before any resolver runs.
    """

    def __init__(self, message: str, *, code: Literal["BAD_USER_INPUT", "FORBIDDEN"]) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class RequestDefaults:
    """The channel, locale and store a request runs in, from its headers, token and config."""

    channel: str
    locale: str
    store_id: str | None


class Authenticator:
    """Verifies bearer JWTs with the keys and rules of `AuthSettings` and builds the `Viewer`.

    With `jwks_url`, `authenticate` may fetch the key set over the network (blocking, at most
    once per cache lifespan); call it from a worker thread, or call `prefetch_keys` at
    start-up.
    """

    def __init__(self, settings: AuthSettings, *, jwks_timeout: float = 5.0) -> None:
        self._settings = settings
        self._public_key = _load_public_key(settings) if settings.public_key else None
        self._jwks = (
            jwt.PyJWKClient(settings.jwks_url, cache_keys=True, timeout=jwks_timeout)
            if settings.jwks_url
            else None
        )

    def prefetch_keys(self) -> None:
        """Fetch the JWKS now, so that the first requests do not wait for it."""
        if self._jwks is not None:
            try:
                self._jwks.get_jwk_set()
            except jwt.PyJWKClientError as exc:
                raise AuthenticationError("the signing keys could not be fetched") from exc

    def authenticate(self, authorization: str | None) -> Viewer:
        """The viewer for an `Authorization` header value; no header is the anonymous viewer."""
        if authorization is None or not authorization.strip():
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer":
            raise AuthenticationError(
                f"the Authorization scheme {_quote(scheme)} is not supported; send 'Bearer <token>'"
            )
        if not token.strip():
            raise AuthenticationError("the bearer token is empty")
        return _viewer(self._verify(token.strip()))

    def _verify(self, token: str) -> dict[str, Any]:
        settings = self._settings
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
        except jwt.DecodeError:
            raise AuthenticationError("the bearer token is not a well-formed JWT") from None
        if algorithm not in settings.algorithms:
            accepted = ", ".join(settings.algorithms)
            raise AuthenticationError(
                f"the token's algorithm {_quote(algorithm)} is not accepted; expected {accepted}"
            )
        try:
            return jwt.decode(
                token,
                self._key(algorithm, token),
                algorithms=[algorithm],
                audience=settings.audience,
                issuer=settings.issuer,
                leeway=settings.leeway_seconds,
                options={
                    "require": ["exp", "iss", "aud", "sub"],
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationError(_explain(exc)) from None

    def _key(self, algorithm: str, token: str) -> Any:
        if algorithm.startswith("HS"):
            return self._settings.dev_secret
        if self._jwks is None:
            return self._public_key
        try:
            return self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError:
            raise AuthenticationError(
                "the identity provider's signing keys could not be fetched; try again later"
            ) from None
        except (jwt.PyJWKClientError, jwt.PyJWKError, jwt.DecodeError):
            raise AuthenticationError("the token is signed with an unknown key") from None


def _explain(exc: jwt.PyJWTError) -> str:
    """What is wrong with the token, from PyJWT's exception (most specific first)."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "the token has expired"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "the token is not yet valid"
    if isinstance(exc, jwt.InvalidAudienceError):
        return "the token is for another audience"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "the token is from an unknown issuer"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"the token has no {exc.claim!r} claim"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "the token's signature is invalid"
    if isinstance(exc, jwt.InvalidKeyError):
        return "the token does not match the configured key"
    if isinstance(exc, jwt.DecodeError):
        return "the bearer token is not a well-formed JWT"
    return "the token is invalid"


def _viewer(claims: Mapping[str, Any]) -> Viewer:
    role = claims.get("role")
    if role is None:
        raise AuthenticationError("the token has no 'role' claim")
    if role not in TOKEN_ROLES:
        roles = ", ".join(TOKEN_ROLES)
        raise AuthenticationError(f"the token's role {_quote(role)} is not one of {roles}")
    for claim in _REQUIRED_BY_ROLE.get(role, ()):
        if claims.get(claim) is None:
            raise AuthenticationError(f"a {role} token must carry the {claim!r} claim")
    channel = _text_claim(claims, "channel")
    if channel is not None and channel not in CHANNELS:
        raise AuthenticationError(
            f"the token's channel {_quote(channel)} is not one of {', '.join(CHANNELS)}"
        )
    subject = _text_claim(claims, "sub")
    customer_id = (_text_claim(claims, "customer_id") or subject) if role == "customer" else None
    return Viewer(
        role=role,
        subject=subject,
        customer_id=customer_id,
        store_id=_text_claim(claims, "store"),
        channel=channel,
        locale=_text_claim(claims, "locale"),
        scopes=_scopes(claims.get("scope")),
    )


def _text_claim(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise AuthenticationError(f"the token's {name!r} claim must be a non-empty string")
    return value


def _scopes(value: object) -> frozenset[str]:
    # OAuth 2 sends a space-separated string (RFC 8693 §4.2); some providers send a list.
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset(value.split())
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return frozenset(value)
    raise AuthenticationError("the token's 'scope' claim must be a space-separated string")


def _quote(value: object) -> str:
    """A short, printable rendering of a value taken from an untrusted token or header."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _load_public_key(settings: AuthSettings) -> Any:
    pem = (settings.public_key or "").encode()
    try:
        if b"-----BEGIN CERTIFICATE-----" in pem:
            key: Any = x509.load_pem_x509_certificate(pem).public_key()
        else:
            key = load_pem_public_key(pem)
    except ValueError as exc:
        raise ConfigError(
            [
                "auth.public_key: not a PEM public key or certificate (got unreadable PEM); "
                "expected '-----BEGIN PUBLIC KEY-----...'"
            ]
        ) from exc
    for algorithm in settings.algorithms:
        types = _KEY_TYPES.get(algorithm[:2], ())
        if types and not isinstance(key, types):
            raise ConfigError(
                [
                    f"auth.public_key: cannot verify {algorithm} "
                    f"(got a {type(key).__name__}); expected a key of the algorithm's family"
                ]
            )
    return key


def mint_token(
    settings: AuthSettings,
    *,
    role: Role,
    subject: str | None = None,
    customer_id: str | None = None,
    store_id: str | None = None,
    channel: str | None = None,
    locale: str | None = None,
    scopes: Sequence[str] = (),
    ttl_seconds: int | None = None,
    now: datetime | None = None,
) -> str:
    """A token signed with the development secret (HS256), for demos, tests and local tools.

    Raises `ValueError` when there is no development secret or the token would be refused.
    """
    if settings.dev_secret is None or "HS256" not in settings.algorithms:
        raise ValueError(
            "cannot mint tokens: set GATEWAY_AUTH__DEV_SECRET and include HS256 in auth.algorithms"
        )
    if role not in TOKEN_ROLES:
        raise ValueError(f"role must be one of {', '.join(TOKEN_ROLES)}, got {role!r}")
    claims: dict[str, Any] = {"store": store_id, "channel": channel}
    for claim in _REQUIRED_BY_ROLE.get(role, ()):
        if claims[claim] is None:
            raise ValueError(f"a {role} token needs {claim}")
    subject = subject or customer_id or (f"dev-{role}" if role != "customer" else None)
    if subject is None:
        raise ValueError("a customer token needs customer_id (or subject)")
    # The real clock, not the process's (kernel.clock): PyJWT checks `iat` and `exp` against
    # it, as it does for an identity provider's tokens. A lifetime is a duration, not a date.
    issued = now or datetime.now(UTC)
    ttl = timedelta(seconds=settings.token_ttl_seconds if ttl_seconds is None else ttl_seconds)
    claims |= {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "role": role,
        "customer_id": customer_id,
        "locale": locale,
        "scope": " ".join(scopes) or None,
        "iat": issued,
        "exp": issued + ttl,
    }
    payload = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(payload, settings.dev_secret, algorithm="HS256")


def resolve_request_defaults(
    viewer: Viewer, headers: Mapping[str, str], context: ContextSettings
) -> RequestDefaults:
    """Channel, locale and store for a request: header, else token, else configuration.

    `headers` has lower-case names (Starlette's `request.headers` qualifies).
    """
    channel = _header(headers, "x-channel")
    if channel is not None and channel.upper() not in context.channels:
        raise RequestError(
            f"X-Channel {_quote(channel)} is not a channel; expected one of "
            + ", ".join(context.channels),
            code="BAD_USER_INPUT",
        )
    store_id = _store_reference(_header(headers, "x-store"))
    if viewer.role in BOUND_ROLES:
        _check_binding(viewer, "channel", channel and channel.upper(), viewer.channel)
        _check_binding(viewer, "store", store_id, viewer.store_id)
    return RequestDefaults(
        channel=(channel and channel.upper()) or viewer.channel or _role_channel(viewer, context),
        locale=negotiate_locale(_header(headers, "accept-language"), context.locales)
        or negotiate_locale(viewer.locale, context.locales)
        or context.default_locale,
        store_id=store_id or viewer.store_id,
    )


def _store_reference(value: str | None) -> str | None:
    """X-Store as a store's id or code, a Location's global id decoded.

    Ids and codes are resolved against the inventory when a field needs the store.
    """
    if value is None:
        return None
    try:
        type_name, key = from_global_id(value)
    except BadUserInput:
        return value
    return key if type_name == "Location" else value


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name, "").strip()
    return value or None


def _check_binding(viewer: Viewer, what: str, asked: str | None, bound: str | None) -> None:
    if asked is not None and bound is not None and asked != bound:
        raise RequestError(
            f"this {viewer.role} token is bound to {what} {bound!r}; "
            f"X-{what.capitalize()} {_quote(asked)} may not change it",
            code="FORBIDDEN",
        )


def _role_channel(viewer: Viewer, context: ContextSettings) -> str:
    channel = _ROLE_CHANNEL.get(viewer.role)
    return channel if channel in context.channels else context.default_channel


def negotiate_locale(accept_language: str | None, supported: Sequence[str]) -> str | None:
    """The first supported locale in an Accept-Language list by preference, or None.

    "en-GB" matches a supported "en" (and "en" a supported "en-GB"); "*" and unsupported
    languages match nothing, so the caller falls back to its default.
    """
    if not accept_language:
        return None
    ranked = [
        (-quality, position, tag)
        for position, (tag, quality) in enumerate(weighted(accept_language))
        if tag != "*" and quality > 0
    ]
    for _, _, tag in sorted(ranked):
        for candidate in supported:
            if candidate.lower() == tag:
                return candidate
        for candidate in supported:
            if candidate.lower().split("-")[0] == tag.split("-")[0]:
                return candidate
    return None
