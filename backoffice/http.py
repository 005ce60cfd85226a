"""Serves the back office over HTTP: one system or all of them in one ASGI app, with switchable faults.

Each system's app (`backoffice/<system>/api.py`) is mounted at `/<system>`, behind two
middlewares of its own: bearer-token auth (when the system has a token) and fault
injection. Around them all sit a few endpoints for tests and benchmarks:

* `GET /_faults` shows the faults of every system; `POST /_faults` changes them at runtime,
  with a JSON body such as `{"systems": ["pim"], "latency_ms": 50, "error_rate": 0.1}`
  (fields left out keep their value; without "systems", every served system; `"reset":
  true` first restores no faults; `"seed": 7` restarts the random numbers).
* `GET /_stats` counts the requests received, by method and path; `DELETE /_stats` resets.
* `POST /oauth/token` issues bearer tokens for the OAuth2 client-credentials grant, when
  clients are configured; a protected system accepts them as well as its static token.

Faults, in the order they strike: an outage answers 503 at once; latency (fixed plus
uniform jitter) delays the rest; then one draw of the system's seeded `random.Random`
decides between an error (503), a hang (no answer for `hang_seconds`, far beyond any
client timeout, until the client gives up) or the real answer.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import parse_qs

import anyio
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.crm import api as crm_api
from backoffice.crm.service import CrmService
from backoffice.db import sessionmaker
from backoffice.errors import InvalidRequest
from backoffice.inventory import api as inventory_api
from backoffice.inventory.service import InventoryService
from backoffice.loyalty import api as loyalty_api
from backoffice.loyalty.service import LoyaltyService
from backoffice.orders import api as orders_api
from backoffice.orders.service import OrdersService
from backoffice.pim import api as pim_api
from backoffice.pim.service import PimService
from backoffice.pricing import api as pricing_api
from backoffice.pricing.service import PricingService
from backoffice.rest import SYSTEMS, JsonResponse, error_response, read_json
from kernel.clock import Clock

#: Paths of a protected system that answer without a token: probes and the contract.
_PUBLIC_PATHS = ("/v1/health", "/openapi.json")


@dataclass(slots=True, kw_only=True)
class Faults:
    """What goes wrong with one system's answers; every switch off by default."""

    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    error_rate: float = 0.0
    hang_rate: float = 0.0
    hang_seconds: float = 300.0
    outage: bool = False

    def __post_init__(self) -> None:
        for name in ("latency_ms", "jitter_ms", "hang_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)}")
        for name in ("error_rate", "hang_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {getattr(self, name)}")
        if self.error_rate + self.hang_rate > 1:
            raise ValueError("error_rate + hang_rate must not exceed 1")


_FAULT_FIELDS = {f.name: f.type for f in fields(Faults)}


class FaultSwitches:
    """The faults of each system, switchable while serving, and the random numbers that decide them.

    Each system draws from its own `random.Random` seeded from `seed` and its name, so a
    run is reproducible and one system's traffic does not shift another's faults.
    """

    def __init__(
        self, systems: Sequence[str] = SYSTEMS, *, seed: int = 0, faults: Faults | None = None
    ) -> None:
        self._faults = {system: replace(faults or Faults()) for system in systems}
        self._seed = seed
        self._random = self._randoms(seed)

    def _randoms(self, seed: int) -> dict[str, random.Random]:
        return {system: random.Random(f"{seed}:{system}") for system in self._faults}

    @property
    def systems(self) -> tuple[str, ...]:
        return tuple(self._faults)

    def of(self, system: str) -> Faults:
        return self._faults[system]

    def draw(self, system: str) -> float:
        return self._random[system].random()

    def update(self, changes: Mapping[str, Any]) -> None:
        """Apply a `POST /_faults` body; raises `ValueError` naming what is wrong."""
        changes = dict(changes)
        systems = changes.pop("systems", None)
        reset = changes.pop("reset", False)
        seed = changes.pop("seed", None)
        if systems is None:
            systems = list(self._faults)
        if not isinstance(systems, list) or not all(s in self._faults for s in systems):
            raise ValueError(f'"systems" must list some of {", ".join(self._faults)}')
        if not isinstance(reset, bool):
            raise ValueError('"reset" must be true or false')
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError('"seed" must be a whole number')
        for name, value in changes.items():
            kind = _FAULT_FIELDS.get(name)
            if kind is None:
                raise ValueError(f"unknown fault {name!r}; one of {', '.join(_FAULT_FIELDS)}")
            if kind == "bool" and not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            if kind == "float" and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ValueError(f"{name} must be a number")
        # Validate every system's result before changing any.
        updated = {
            system: replace(Faults() if reset else self._faults[system], **changes)
            for system in systems
        }
        self._faults.update(updated)
        if seed is not None:
            self._seed = seed
            self._random = self._randoms(seed)

    def describe(self) -> dict[str, Any]:
        return {
            "seed": self._seed,
            "systems": {system: asdict(faults) for system, faults in self._faults.items()},
        }


class FaultMiddleware:
    """Injects one system's faults into its requests (pure ASGI, so a hang can watch the client)."""

    def __init__(self, app: ASGIApp, *, system: str, switches: FaultSwitches) -> None:
        self._app = app
        self._system = system
        self._switches = switches

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        faults = self._switches.of(self._system)
        if faults.outage:
            await _unavailable(f"{self._system} is down (injected outage)")(scope, receive, send)
            return
        delay = faults.latency_ms + (
            self._switches.draw(self._system) * faults.jitter_ms if faults.jitter_ms else 0.0
        )
        if delay:
            await asyncio.sleep(delay / 1000)
        roll = self._switches.draw(self._system)
        if roll < faults.error_rate:
            await _unavailable(f"{self._system} failed (injected error)")(scope, receive, send)
        elif roll < faults.error_rate + faults.hang_rate:
            await _hang(faults.hang_seconds, scope, receive, send)
        else:
            await self._app(scope, receive, send)


def _unavailable(message: str) -> Response:
    return error_response(503, "UNAVAILABLE", message)


async def _hang(seconds: float, scope: Scope, receive: Receive, send: Send) -> None:
    """Answer nothing until the client goes away or `seconds` pass (then 504)."""
    # Reading until the disconnect (instead of sleeping) ends the handler as soon as the
    # client gives up, so hung requests do not pile up in the server.
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    await error_response(504, "UNAVAILABLE", "no answer (injected hang)")(scope, receive, send)


class RequestCounter:
    """Counts the requests the back office receives, by method and path, for batch-size tests."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def reset(self) -> None:
        self.counts.clear()


class _CountingMiddleware:
    """Counts every HTTP request before anything else can answer it."""

    def __init__(self, app: ASGIApp, counter: RequestCounter) -> None:
        self._app = app
        self._counter = counter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self._counter.counts[f"{scope['method']} {scope['path']}"] += 1
        await self._app(scope, receive, send)


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


class _AuthMiddleware:
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


def _system_app(system: str, engine: AsyncEngine, *, clock: Clock) -> Starlette:
    sessions = sessionmaker(engine)

    async def ping() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    builders: dict[str, Callable[[], Starlette]] = {
        "pim": lambda: pim_api.create_app(PimService(sessions), ping=ping),
        "pricing": lambda: pricing_api.create_app(PricingService(sessions, clock=clock), ping=ping),
        "inventory": lambda: inventory_api.create_app(
            InventoryService(sessions, clock=clock), ping=ping
        ),
        "crm": lambda: crm_api.create_app(CrmService(sessions, clock=clock), ping=ping),
        "orders": lambda: orders_api.create_app(OrdersService(sessions, clock=clock), ping=ping),
        "loyalty": lambda: loyalty_api.create_app(LoyaltyService(sessions, clock=clock), ping=ping),
    }
    return builders[system]()


def create_app(
    engine: AsyncEngine,
    *,
    systems: Sequence[str] = SYSTEMS,
    faults: FaultSwitches | None = None,
    access: AccessControl | None = None,
    counter: RequestCounter | None = None,
    clock: Clock,
) -> Starlette:
    """The back office's systems over one database, each at `/<system>`, plus the control endpoints.

    `faults` and `counter` may be passed in to flip faults and read counts in-process;
    `clock` gives "now" to the price engine, the inventory, the CRM and the loyalty ledger (the
    caller's, so that a process running as of another day serves that day's prices). The
    caller owns `engine` and disposes of it.
    """
    unknown = sorted(set(systems) - set(SYSTEMS))
    if unknown or not systems:
        raise ValueError(f"systems must be some of {', '.join(SYSTEMS)}; got {list(systems)}")
    faults = faults or FaultSwitches(systems)
    access = access or AccessControl()
    counter = counter or RequestCounter()
    issuer = TokenIssuer(access)
    mounts = []
    for system in systems:
        app: ASGIApp = _system_app(system, engine, clock=clock)
        token = access.tokens.get(system)
        if token:
            app = _AuthMiddleware(app, system=system, token=token, issuer=issuer)
        mounts.append(Mount(f"/{system}", app=FaultMiddleware(app, system=system, switches=faults)))

    async def show_faults(request: Request) -> Response:
        if request.method == "POST":
            body = await read_json(request)
            if not isinstance(body, dict):
                raise InvalidRequest("the body must be a JSON object of faults")
            try:
                faults.update(body)
            except (TypeError, ValueError) as exc:
                raise InvalidRequest(str(exc)) from exc
        return JsonResponse(faults.describe())

    async def stats(request: Request) -> Response:
        if request.method == "DELETE":
            counter.reset()
        return JsonResponse({"requests": dict(sorted(counter.counts.items()))})

    routes = [
        *mounts,
        Route("/_faults", show_faults, methods=["GET", "POST"]),
        Route("/_stats", stats, methods=["GET", "DELETE"]),
    ]
    if access.clients:
        routes.append(Route("/oauth/token", issuer.endpoint, methods=["POST"]))
    return Starlette(
        routes=routes,
        middleware=[Middleware(_CountingMiddleware, counter=counter)],
        exception_handlers={InvalidRequest: _invalid, HTTPException: _not_found},
    )


async def _invalid(request: Request, exc: Exception) -> Response:
    return error_response(400, "INVALID_REQUEST", str(exc))


async def _not_found(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = "NOT_FOUND" if exc.status_code == 404 else "METHOD_NOT_ALLOWED"
    return error_response(exc.status_code, code, f"{exc.detail}: {request.url.path}")
