"""Who may call which back-office system: static bearer tokens and OAuth2 client credentials.

`POST /oauth/token` (`TokenIssuer.endpoint`) issues opaque tokens for the client-credentials
grant when clients are configured; `AuthMiddleware` requires a valid token for every request
to a protected system but its public paths, and accepts issued tokens as well as the
system's static one.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.rest import SYSTEMS, JsonResponse, error_response

#: Paths of a protected system that answer without a token: probes and the contract.
_PUBLIC_PATHS = ("/v1/health", "/openapi.json")


@dataclass(frozen=True, slots=True, kw_only=True)
class AccessControl:
    """Who may call which system.

    A system with a token in `tokens` requires `Authorization: Bearer <token>`, or a token
    issued at `/oauth/token` to one of `clients` (client id -> secret) whose scope names
    the system (an empty scope names every system). Systems without a token are open.
    """

    tokens: Mapping[str, str] = field(default_factory=dict)
    clients: Mapping[str, str] = field(default_factory=dict)
    token_ttl: float = 3600.0


class TokenIssuer:
    """The OAuth2 client-credentials endpoint: issues opaque tokens and remembers them until they expire."""

    def __init__(
        self, access: AccessControl, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._access = access
        self._clock = clock
        self._issued: dict[str, tuple[float, frozenset[str]]] = {}

    def accepts(self, token: str, system: str) -> bool:
        issued = self._issued.get(token)
        if issued is None:
            return False
        expires_at, scopes = issued
        if self._clock() >= expires_at:
            del self._issued[token]
            return False
        return not scopes or system in scopes

    async def endpoint(self, request: Request) -> Response:
        form = {
            name: values[0]
            for name, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()
        }
        client_id, secret = _basic_credentials(request) or (
            form.get("client_id", ""),
            form.get("client_secret", ""),
        )
        expected = self._access.clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), secret.encode()):
            return JsonResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "client_credentials":
            return JsonResponse({"error": "unsupported_grant_type"}, status_code=400)
        scopes = frozenset(form.get("scope", "").split())
        if not scopes <= set(SYSTEMS):
            return JsonResponse({"error": "invalid_scope"}, status_code=400)
        now = self._clock()
        # Forget expired tokens as new ones are issued, so a long benchmark stays small.
        self._issued = {t: issued for t, issued in self._issued.items() if issued[0] > now}
        token = secrets.token_urlsafe(24)
        self._issued[token] = (now + self._access.token_ttl, scopes)
        return JsonResponse(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": int(self._access.token_ttl),
                "scope": " ".join(sorted(scopes)),
            },
            headers={"cache-control": "no-store"},
        )


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


class AuthMiddleware:
    """Requires a valid bearer token for every request to one system but its public paths."""

    def __init__(self, app: ASGIApp, *, system: str, token: str, issuer: TokenIssuer) -> None:
        self._app = app
        self._system = system
        self._token = token.encode()
        self._issuer = issuer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._relative_path(scope) in _PUBLIC_PATHS:
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() == "bearer" and (
            hmac.compare_digest(token.encode("latin-1"), self._token)
            or self._issuer.accepts(token, self._system)
        ):
            await self._app(scope, receive, send)
            return
        response = error_response(
            401, "UNAUTHORIZED", f"{self._system} requires a valid bearer token"
        )
        response.headers["www-authenticate"] = f'Bearer realm="{self._system}"'
        await response(scope, receive, send)

    @staticmethod
    def _relative_path(scope: Scope) -> str:
        path: str = scope["path"]
        return path[len(scope.get("root_path", "")) :]
