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

The faults are `backoffice.faults`; the tokens and who may call what, `backoffice.access`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice.access import AccessControl, AuthMiddleware, TokenIssuer
from backoffice.crm import api as crm_api
from backoffice.crm.service import CrmService
from backoffice.db import sessionmaker
from backoffice.errors import InvalidRequest
from backoffice.faults import FaultMiddleware, FaultSwitches
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
            app = AuthMiddleware(app, system=system, token=token, issuer=issuer)
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
