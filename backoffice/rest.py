"""The REST conventions every back-office system's API shares: parameters, answers and errors.

* A batch read is `GET /<system>/v1/<resource>?<key>=a&<key>=b`, the key named after what it
  is (`id`, `sku`, `variant_id`, ...). For id lists too long for a URL, the same request may
  be a `POST` whose JSON body holds each list under its plural name (`{"ids": [...]}`);
  single-valued parameters (`channel`, `quantity`, ...) stay in the query string.
* It answers `{"items": [documents]}`; unknown keys are simply absent. The documents are
  exactly those of the system's service layer.
* Parameters an endpoint does not take are refused, so that a misspelt key is an error
  rather than an empty answer.
* Errors are `{"error": {"code", "message", "ids"?, "shortages"?}}`:

  ====================  ======  =================================================
  code                  status  when
  ====================  ======  =================================================
  INVALID_REQUEST       400     a malformed request, or one the system's rules refuse
  UNKNOWN_ITEMS         400     the request names items the system does not know (`ids`)
  UNAUTHORIZED          401     a protected system got no valid bearer token
  NOT_FOUND             404     no such path (or, for a single-object read, object; or a
                                more precise code: VOUCHER_NOT_FOUND)
  METHOD_NOT_ALLOWED    405     the path exists, the method does not
  CONFLICT              409     the request conflicts with the current state (or a more
                                precise code: VERSION_CONFLICT, CART_NOT_OPEN, CART_OWNED,
                                WRONG_LOCATION, IDENTIFIER_TAKEN, VOUCHER_REDEEMED,
                                VOUCHER_EXPIRED, VOUCHER_NOT_YOURS; see `backoffice.errors`)
  INSUFFICIENT_STOCK    409     a reservation wants more than is in stock (`shortages`)
  RESERVATION_CONFLICT  409     a reservation id reused for other lines, or a wrong move
  UNAVAILABLE           503     the system's database failed, or a fault was injected
  INTERNAL              500     a bug
  ====================  ======  =================================================
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from backoffice.errors import (
    BackofficeError,
    Conflict,
    InsufficientStock,
    InvalidRequest,
    NotFound,
    UnknownItems,
)

logger = logging.getLogger(__name__)

#: Every system the back office serves over HTTP, in the order the gateway lists them.
SYSTEMS = ("pim", "pricing", "inventory", "crm", "orders", "loyalty")

#: The most keys one request may name in one list; clients split longer lists.
MAX_KEYS = 1000

#: The largest request body read, in bytes.
MAX_BODY_BYTES = 1_000_000

#: Checks that a system's database answers; raises when it does not.
Ping = Callable[[], Awaitable[None]]

#: A JSON-compatible document.
Document = dict[str, Any]


class JsonResponse(Response):
    """A JSON response rendered with orjson, which is several times faster than `json`."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def items(documents: Sequence[Document]) -> JsonResponse:
    """The answer of a batch read."""
    return JsonResponse({"items": list(documents)})


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    ids: Sequence[str] | None = None,
    shortages: Sequence[Document] | None = None,
) -> JsonResponse:
    """An error in the shape every system answers with."""
    error: Document = {"code": code, "message": message}
    if ids is not None:
        error["ids"] = list(ids)
    if shortages is not None:
        error["shortages"] = list(shortages)
    return JsonResponse({"error": error}, status_code=status)


def plural(name: str) -> str:
    """The field of a POST body that carries the list parameter `name` (`id` -> `ids`)."""
    return f"{name}s"


class Params:
    """The parameters of one request: the query string, plus the lists of a POST's JSON body."""

    def __init__(self, lists: Mapping[str, list[str]], scalars: Mapping[str, str]) -> None:
        self._lists = lists
        self._scalars = scalars

    @classmethod
    async def read(
        cls,
        request: Request,
        *,
        lists: Collection[str] = (),
        scalars: Collection[str] = (),
    ) -> Params:
        """Read and check the parameters; `lists` may repeat (and move to a POST body), `scalars` not."""
        found_lists: dict[str, list[str]] = {}
        found_scalars: dict[str, str] = {}
        for name in dict.fromkeys(request.query_params.keys()):
            values = request.query_params.getlist(name)
            if name in lists:
                found_lists[name] = values
            elif name in scalars:
                if len(values) > 1:
                    raise InvalidRequest(
                        f"give the parameter {name!r} once, not {len(values)} times"
                    )
                found_scalars[name] = values[0]
            else:
                raise InvalidRequest(_unknown_parameter(name, [*lists, *scalars]))
        if request.method == "POST":
            body = await read_json(request)
            if not isinstance(body, dict):
                raise InvalidRequest('the body must be a JSON object of lists, e.g. {"ids": [...]}')
            by_field = {plural(name): name for name in lists}
            for field, value in body.items():
                if field not in by_field:
                    raise InvalidRequest(
                        f"unknown body field {field!r}; this endpoint takes "
                        f"{', '.join(sorted(by_field)) or 'no body fields'}"
                    )
                name = by_field[field]
                if name in found_lists:
                    raise InvalidRequest(
                        f"give {name!r} in the query or {field!r} in the body, not both"
                    )
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise InvalidRequest(f"{field!r} must be a list of strings")
                found_lists[name] = value
        for name, values in found_lists.items():
            if len(values) > MAX_KEYS:
                raise InvalidRequest(
                    f"{len(values)} values of {name!r} in one request; at most {MAX_KEYS}, "
                    "so split the list over several requests"
                )
        return cls(found_lists, found_scalars)

    def keys(self, name: str) -> list[str] | None:
        """The values of a list parameter, None when it was not given at all."""
        return self._lists.get(name)

    def key(self, names: Sequence[str]) -> tuple[str, list[str]]:
        """The one list parameter of `names` that was given, with its values (the first, empty, if none)."""
        given = [name for name in names if name in self._lists]
        if len(given) > 1:
            raise InvalidRequest(f"give one of {', '.join(names)}; got {', '.join(given)}")
        name = given[0] if given else names[0]
        return name, self._lists.get(name, [])

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self._scalars.get(name)
        if value is None and required:
            raise InvalidRequest(f"the parameter {name!r} is required")
        return value

    def required_text(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def integer(self, name: str, default: int) -> int:
        value = self._scalars.get(name)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            raise InvalidRequest(f"{name!r} must be a whole number, got {value!r}") from None

    def boolean(self, name: str, default: bool) -> bool:
        value = self._scalars.get(name)
        if value is None:
            return default
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise InvalidRequest(f"{name!r} must be true or false, got {value!r}")

    def moment(self, name: str) -> datetime | None:
        value = self._scalars.get(name)
        return None if value is None else parse_moment(name, value)


def parse_moment(name: str, value: str) -> datetime:
    """An ISO 8601 timestamp with its offset; a naive one is refused, as the services do."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"{name!r} must be an ISO 8601 timestamp, got {value!r}") from None
    if moment.tzinfo is None:
        raise InvalidRequest(f"{name!r} must carry a UTC offset, e.g. {value}+00:00")
    return moment


async def read_json(request: Request) -> Any:
    """The request's JSON body, refusing bodies that are not JSON or are too large."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise InvalidRequest(f"the body is larger than {MAX_BODY_BYTES} bytes")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequest(f"the body is not JSON: {exc}") from None


def _unknown_parameter(name: str, known: Sequence[str]) -> str:
    takes = ", ".join(sorted(known)) if known else "no parameters"
    return f"unknown parameter {name!r}; this endpoint takes {takes}"


def system_app(
    system: str, routes: Sequence[BaseRoute], *, ping: Ping, openapi: Document
) -> Starlette:
    """One system's ASGI app: its routes, `/v1/health`, `/openapi.json` and the error mapping.

    The app serves paths relative to its mount point; `backoffice.http` mounts it at
    `/<system>`, so `/v1/products` here is `/pim/v1/products` to a client.
    """

    async def health(request: Request) -> Response:
        try:
            await ping()
        except (SQLAlchemyError, OSError) as exc:
            return JsonResponse(
                {"status": "unavailable", "system": system, "reason": type(exc).__name__},
                status_code=503,
            )
        return JsonResponse({"status": "ok", "system": system})

    async def document(request: Request) -> Response:
        return JsonResponse(openapi)

    return Starlette(
        routes=[
            *routes,
            Route("/v1/health", health, methods=["GET"]),
            Route("/openapi.json", document, methods=["GET"]),
        ],
        exception_handlers={
            BackofficeError: _backoffice_error,
            HTTPException: _http_error,
            SQLAlchemyError: _unavailable(system),
            OSError: _unavailable(system),
            Exception: _internal_error,
        },
    )


_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


async def _backoffice_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, UnknownItems):
        return error_response(400, "UNKNOWN_ITEMS", str(exc), ids=exc.ids)
    if isinstance(exc, InvalidRequest):
        return error_response(400, "INVALID_REQUEST", str(exc))
    if isinstance(exc, NotFound):
        return error_response(404, exc.code, str(exc))
    if isinstance(exc, InsufficientStock):
        return error_response(409, exc.code, str(exc), shortages=exc.shortages)
    if isinstance(exc, Conflict):
        return error_response(409, exc.code, str(exc))
    return error_response(400, "INVALID_REQUEST", str(exc))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "INVALID_REQUEST")
    response = error_response(exc.status_code, code, f"{exc.detail}: {request.url.path}")
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _internal_error(request: Request, exc: Exception) -> Response:
    # Starlette logs the exception after this answer is sent.
    return error_response(500, "INTERNAL", f"an internal error: {type(exc).__name__}")


def _unavailable(system: str) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handler(request: Request, exc: Exception) -> Response:
        logger.warning("%s: the database failed: %r", system, exc)
        return error_response(
            503, "UNAVAILABLE", f"the {system} database failed: {type(exc).__name__}"
        )

    return handler
