"""HTTP plumbing of the connectors' REST adapters: the pooled client, error translation, batch reads.

* `build_client(...)` makes the one `httpx.AsyncClient` a source's connector uses for its
  whole life (connections pooled by `connectors._transport`, timeouts, headers with
  `${ENV}` placeholders, optional `ClientCredentialsAuth` for OAuth2, from `connectors._oauth`).
* `translate_http_errors(source)` is the one place where httpx's exceptions and HTTP
  statuses become `connectors.errors`: a timeout is `SourceTimeout`, a transport failure
  or a 5xx `SourceUnavailable`, a 4xx with code UNKNOWN_ITEMS `UnknownKeys`, any other
  4xx `SourceRejected`, and an answer that is not the JSON we expect
  `SourceContractViolation`.
* `refused(source, response)` is the `SourceRefused` of a write's 404 or 409 answer.
* `RestSource` reads a batch the way every reference API serves it
  (`backoffice/openapi/<system>.json`): `GET path?key=a&key=b` answering `{"items": [...]}`,
  a POST with the lists in the body when the URL would grow too long, and lists above
  `max_batch` keys split into several requests sent concurrently.

Field mapping: a retailer's own system may name fields differently. `mapping` renames the
top-level fields of each document it answers (`{"title": "name"}` reads its `title` as
our `name`) before the domain's `mapping.py` parses it. It does not reach nested
documents (a product's media, an order's lines) nor the request's paths and parameters,
which stay those of the reference API. An answer decoded by type instead (`get(...,
decode=)`, `connectors.wire`: the PIM's search page) carries the mapping in its types.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import ssl
from collections.abc import (
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import contextmanager
from typing import Any, TypeVar
from urllib.parse import urlencode

import certifi
import httpx
import orjson

from connectors._oauth import ClientCredentialsAuth as ClientCredentialsAuth
from connectors._transport import AiohttpTransport
from connectors.errors import (
    ConnectorError,
    SourceContractViolation,
    SourceRefused,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    UnknownKeys,
    refusal,
)

K = TypeVar("K")
R = TypeVar("R")
T = TypeVar("T")

#: The most keys one request names by default; longer lists become several concurrent
#: requests. The reference API's limit (`maxItems`); a source's `max_batch` setting lowers it.
MAX_BATCH = 1000

#: Above this many characters of query string, the key lists move into a POST body, since
#: proxies and servers commonly cap a request line at 4 to 8 KiB.
MAX_QUERY_LENGTH = 2000

#: A query parameter's value: a list repeats the parameter, None leaves it out.
Param = str | int | bool | Sequence[str] | None

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def build_client(
    base_url: str,
    *,
    timeout: float,
    connect_timeout: float,
    headers: Mapping[str, str] | None = None,
    max_connections: int = 20,
    auth: httpx.Auth | None = None,
    env: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The pooled client of one source; `${NAME}` in a header value is replaced from `env` (os.environ).

    `timeout` bounds each read, write and wait for a pooled connection; `connect_timeout`
    the TCP/TLS connect. The caller closes the client (`await client.aclose()`).
    """
    if timeout <= 0 or connect_timeout <= 0 or max_connections < 1:
        raise ValueError("timeouts must be positive and max_connections at least 1")
    values = os.environ if env is None else env
    resolved = {"accept": "application/json", "user-agent": "commerce-gateway"}
    for name, value in (headers or {}).items():
        resolved[name] = _expand(name, value, values)
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        headers=resolved,
        auth=auth,
        transport=transport or AiohttpTransport(verify=_tls_context(), limits=limits),
    )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every source: loading the CA bundle takes ~0.1 s."""
    return ssl.create_default_context(cafile=certifi.where())


def _expand(header: str, value: str, env: Mapping[str, str]) -> str:
    def variable(match: re.Match[str]) -> str:
        name = match[1]
        if name not in env:
            raise ValueError(f"the header {header!r} refers to ${{{name}}}, which is not set")
        return env[name]

    return _PLACEHOLDER.sub(variable, value)


@contextmanager
def translate_http_errors(source: str) -> Iterator[None]:
    """Raise the connector error that matches what went wrong talking to `source`."""
    try:
        yield
    except ConnectorError:
        raise
    except httpx.TimeoutException as exc:
        raise SourceTimeout(source, f"no answer in time ({type(exc).__name__})") from exc
    except httpx.HTTPStatusError as exc:
        raise _status_error(source, exc.response) from exc
    except httpx.RequestError as exc:  # transport failures, and too many redirects
        raise SourceUnavailable(
            source, f"could not reach the source ({type(exc).__name__}: {exc})"
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        # orjson.JSONDecodeError is a ValueError.
        raise SourceContractViolation(
            source, f"the answer is not the JSON we expect: {type(exc).__name__}: {exc}"
        ) from exc


def _status_error(source: str, response: httpx.Response) -> ConnectorError:
    status = response.status_code
    request = f"{response.request.method} {response.request.url.path}"
    if status >= 500 or status == 429:
        return SourceUnavailable(source, f"{request} answered {status}: {_message(response)}")
    if 400 <= status < 500:
        code, ids = _error_code(response)
        if code == "UNKNOWN_ITEMS" and ids is not None:
            return UnknownKeys(source, ids)
        return SourceRejected(source, f"{request} answered {status}: {_message(response)}")
    return SourceContractViolation(source, f"{request} answered an unexpected {status}")


def _error_body(response: httpx.Response) -> Mapping[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _error_code(response: httpx.Response) -> tuple[str | None, list[str] | None]:
    error = _error_body(response)
    code, ids = error.get("code"), error.get("ids")
    valid_ids = isinstance(ids, list) and all(isinstance(id_, str) for id_ in ids)
    return (code if isinstance(code, str) else None), (ids if valid_ids else None)


def _message(response: httpx.Response) -> str:
    message = _error_body(response).get("message")
    if isinstance(message, str):
        return message
    return response.text[:200] or response.reason_phrase


def refused(source: str, response: httpx.Response) -> SourceRefused:
    """The refusal a write's 404 or 409 answer stands for, with the source's error code."""
    error = _error_body(response)
    code, message = error.get("code"), error.get("message")
    if not isinstance(code, str):
        code = "NOT_FOUND" if response.status_code == 404 else "CONFLICT"
    if not isinstance(message, str):
        message = response.text[:200] or response.reason_phrase
    request = f"{response.request.method} {response.request.url.path}"
    return refusal(source, code, f"{request} answered {response.status_code}: {message}")


def keyed(keys: Sequence[K], records: Iterable[R], key_of: Callable[[R], K | None]) -> dict[K, R]:
    """The records under the keys as they were asked for; unknown keys stay absent."""
    found = {key_of(record): record for record in records}
    return {key: found[key] for key in keys if key in found}


class RestSource:
    """One source's REST API as its connector reads it: batched, chunked, translated, renamed."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        source: str,
        *,
        mapping: Mapping[str, str] | None = None,
        max_batch: int = MAX_BATCH,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._client = client
        self._source = source
        self._mapping = dict(mapping or {})
        self._max_batch = max_batch

    async def items(
        self,
        path: str,
        lists: Mapping[str, Sequence[str]],
        params: Mapping[str, Param] | None = None,
    ) -> list[Any]:
        """The documents of a batch read, renamed; one request per `max_batch` keys of the first list.

        The first of `lists` is the batch key, deduplicated and split into chunks; the
        others go whole into every request.
        """
        (key, values), *others = lists.items()
        unique = list(dict.fromkeys(values))
        chunks = [
            unique[start : start + self._max_batch]
            for start in range(0, len(unique), self._max_batch)
        ]
        answers = await _gather(
            [self._items(path, {key: chunk, **dict(others)}, params or {}) for chunk in chunks]
        )
        return [item for answer in answers for item in answer]

    async def _items(
        self, path: str, lists: Mapping[str, Sequence[str]], params: Mapping[str, Param]
    ) -> list[Any]:
        scalars = _query(params)
        query = _query(lists)
        if _fits_in_url(query):
            answer = await self._send("GET", path, params=[*query, *scalars])
        else:
            body = {f"{name}s": list(values) for name, values in lists.items()}
            answer = await self._send("POST", path, params=scalars, json=body)
        return self._items_of(answer)

    async def listing(self, path: str, params: Mapping[str, Param] | None = None) -> list[Any]:
        """The documents of a read that is not batched by key (one request, never split)."""
        return self._items_of(await self.get(path, params))

    async def get(
        self,
        path: str,
        params: Mapping[str, Param] | None = None,
        *,
        decode: Callable[[bytes], T] = orjson.loads,
    ) -> T:
        """The answer of a GET, as `decode` reads its body (JSON as dicts and lists by default).

        A list parameter repeats, a None one is left out. A `decode` of typed shapes
        (`connectors.wire`) reads field names of its own: `mapping` is not applied.
        """
        answer: T = await self._send("GET", path, params=_query(params or {}), decode=decode)
        return answer

    async def post(self, path: str, body: Any) -> Any:
        """The JSON answer of a POST of `body`."""
        return await self._send("POST", path, json=body)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        json: Any = None,
        decode: Callable[[bytes], Any] = orjson.loads,
    ) -> Any:
        with translate_http_errors(self._source):
            response = await self._client.request(
                method, path, params=list(params) or None, json=json
            )
            response.raise_for_status()
            return decode(response.content)

    def _items_of(self, answer: Any) -> list[Any]:
        with translate_http_errors(self._source):
            if not isinstance(answer, dict) or not isinstance(answer["items"], list):
                raise TypeError('expected {"items": [...]}')
            return [self.rename(item) for item in answer["items"]]

    def rename(self, document: Any) -> Any:
        """The document with the source's own top-level field names replaced by ours."""
        if not self._mapping or not isinstance(document, dict):
            return document
        return {self._mapping.get(name, name): value for name, value in document.items()}


def _fits_in_url(query: Sequence[tuple[str, str]]) -> bool:
    """Whether `query`, encoded, stays within MAX_QUERY_LENGTH characters.

    Encoding only lengthens a pair, so a query already too long as raw text is decided
    without encoding it: a listing's hundreds of keys took 0.2 ms to encode, for nothing.
    """
    raw = sum(len(name) + len(value) + 2 for name, value in query) - 1  # "=" each, "&" between
    return raw <= MAX_QUERY_LENGTH and len(urlencode(query)) <= MAX_QUERY_LENGTH


def _query(params: Mapping[str, Param]) -> list[tuple[str, str]]:
    """Query parameters: a list repeats its name, None is left out, booleans are true/false."""
    query = []
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            query.append((name, "true" if value else "false"))
        elif isinstance(value, str | int):
            query.append((name, str(value)))
        else:
            query.extend((name, item) for item in value)
    return query


async def _gather(calls: Sequence[Awaitable[T]]) -> list[T]:
    """Await the calls concurrently; on the first failure, cancel the others and raise it."""
    if len(calls) == 1:
        return [await calls[0]]
    tasks = [asyncio.ensure_future(call) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        # Wait for the cancelled requests to give their connections back to the pool.
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
