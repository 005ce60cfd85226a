from __future__ import annotations

import socket
import time

import httpx
import pytest

from connectors._http import (
    MAX_QUERY_LENGTH,
    _fits_in_url,
    build_client,
    translate_http_errors,
)
from connectors.errors import (
    ConnectorError,
    SourceContractViolation,
    SourceRejected,
    SourceTimeout,
    SourceUnavailable,
    UnknownKeys,
)
from connectors.pim.http import HttpPimConnector
from tests.connectors.http_support import answer, fail, mock_client

pytestmark = pytest.mark.anyio


# Error translation, unit by unit (httpx.MockTransport).


@pytest.mark.parametrize(
    ("handler", "error", "message"),
    [
        (
            answer(503, {"error": {"code": "UNAVAILABLE", "message": "pim is down"}}),
            SourceUnavailable,
            "pim: GET /pim/v1/products answered 503: pim is down",
        ),
        (
            answer(500, text="Internal Server Error"),
            SourceUnavailable,
            "pim: GET /pim/v1/products answered 500: Internal Server Error",
        ),
        (
            answer(429, text=""),
            SourceUnavailable,
            "pim: GET /pim/v1/products answered 429: Too Many Requests",
        ),
        (
            answer(400, {"error": {"code": "INVALID_REQUEST", "message": "unknown parameter 'x'"}}),
            SourceRejected,
            "pim: GET /pim/v1/products answered 400: unknown parameter 'x'",
        ),
        (
            answer(
                401,
                {"error": {"code": "UNAUTHORIZED", "message": "pim requires a valid bearer token"}},
            ),
            SourceRejected,
            "pim: GET /pim/v1/products answered 401: pim requires a valid bearer token",
        ),
        (answer(404, text="nope"), SourceRejected, "pim: GET /pim/v1/products answered 404: nope"),
        (
            answer(302, text=""),
            SourceContractViolation,
            "pim: GET /pim/v1/products answered an unexpected 302",
        ),
        (
            answer(200, text="<html>"),
            SourceContractViolation,
            "pim: the answer is not the JSON we expect: JSONDecodeError",
        ),
        (
            answer(200, {"products": []}),
            SourceContractViolation,
            "pim: the answer is not the JSON we expect: KeyError: 'items'",
        ),
        (
            answer(200, {"items": {}}),
            SourceContractViolation,
            "pim: the answer is not the JSON we expect: TypeError",
        ),
        (
            answer(200, {"items": [{"id": "p1"}]}),
            SourceContractViolation,
            "pim: product document lacks the field 'sku'",
        ),
        (fail(httpx.ConnectTimeout), SourceTimeout, "pim: no answer in time (ConnectTimeout)"),
        (fail(httpx.ReadTimeout), SourceTimeout, "pim: no answer in time (ReadTimeout)"),
        (
            fail(httpx.ConnectError),
            SourceUnavailable,
            "pim: could not reach the source (ConnectError: simulated)",
        ),
        (
            fail(httpx.RemoteProtocolError),
            SourceUnavailable,
            "pim: could not reach the source (RemoteProtocolError: simulated)",
        ),
    ],
)
async def test_what_goes_wrong_over_http_becomes_one_connector_error(handler, error, message):
    async with mock_client(handler) as client:
        with pytest.raises(ConnectorError) as raised:
            await HttpPimConnector(client).get_products(["p1"])

    assert type(raised.value) is error
    assert str(raised.value).startswith(message)
    assert raised.value.source == "pim"


async def test_a_translated_error_keeps_its_cause():
    async with mock_client(fail(httpx.ConnectError)) as client:
        with pytest.raises(SourceUnavailable) as raised:
            await HttpPimConnector(client).get_products(["p1"])

    assert isinstance(raised.value.__cause__, httpx.ConnectError)


async def test_unknown_items_are_unknown_keys_listing_them():
    body = {"error": {"code": "UNKNOWN_ITEMS", "message": "unknown items: a, b", "ids": ["a", "b"]}}

    with pytest.raises(UnknownKeys) as raised, translate_http_errors("pricing"):
        raise httpx.HTTPStatusError(
            "400",
            request=httpx.Request("POST", "http://x/q"),
            response=httpx.Response(400, json=body, request=httpx.Request("POST", "http://x/q")),
        )

    assert raised.value.keys == ("a", "b")
    assert isinstance(raised.value.__cause__, httpx.HTTPStatusError)


# The client.


async def test_a_header_may_name_an_environment_variable():
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"items": []})

    async with mock_client(
        handler,
        headers={"Authorization": "Bearer ${PIM_TOKEN}", "X-Tenant": "nl-${REGION}"},
        env={"PIM_TOKEN": "s3cret", "REGION": "west"},
    ) as client:
        await HttpPimConnector(client).get_products(["p1"])

    assert seen[0]["authorization"] == "Bearer s3cret"
    assert seen[0]["x-tenant"] == "nl-west"
    assert seen[0]["accept"] == "application/json"


def test_a_header_naming_an_unset_variable_is_a_configuration_error():
    with pytest.raises(
        ValueError, match=r"the header 'Authorization' refers to \$\{PIM_TOKEN\}, which is not set"
    ):
        build_client(
            "http://x",
            timeout=1,
            connect_timeout=1,
            headers={"Authorization": "Bearer ${PIM_TOKEN}"},
            env={},
        )


async def test_the_client_carries_its_timeouts_and_pool_size():
    async with build_client(
        "http://pim.example/base", timeout=2.5, connect_timeout=0.5, max_connections=7
    ) as client:
        assert client.timeout == httpx.Timeout(2.5, connect=0.5)
        assert str(client.base_url) == "http://pim.example/base/"
        transport = client._transport  # type: ignore[attr-defined]
        assert transport.max_connections == 7


# Batches over the real server.


async def test_one_batch_is_one_request_to_the_source(backoffice):
    ids = [f"v{n:06d}" for n in range(1, 101)]

    async with backoffice.client("pim") as client:
        variants = await HttpPimConnector(client).get_variants(ids)

    assert list(variants) == ids
    assert backoffice.requests() == {"GET /pim/v1/variants": 1}


async def test_no_keys_make_no_request(backoffice):
    async with backoffice.client("pim") as client:
        assert await HttpPimConnector(client).get_products([]) == {}

    assert backoffice.requests() == {}


class InFlight(httpx.AsyncBaseTransport):
    """Passes requests on, counting the most that were waiting for an answer at once."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.waiting = 0
        self.most = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.waiting += 1
        self.most = max(self.most, self.waiting)
        try:
            response = await self._inner.handle_async_request(request)
            await response.aread()
            return response
        finally:
            self.waiting -= 1

    async def aclose(self) -> None:
        await self._inner.aclose()


async def test_a_batch_above_the_maximum_is_split_into_concurrent_requests(backoffice):
    ids = [f"v{n:06d}" for n in range(1, 281)]
    # A latency keeps each request waiting while the others are sent.
    backoffice.set_faults(systems=["pim"], latency_ms=200)
    transport = InFlight()

    async with backoffice.client("pim", transport=transport) as client:
        variants = await HttpPimConnector(client, max_batch=100).get_variants([*ids, "v000001"])

    assert list(variants) == ids
    assert backoffice.requests() == {"GET /pim/v1/variants": 3}
    assert transport.most == 3  # side by side, not one after the other


async def test_a_batch_too_long_for_a_url_goes_in_a_post_body(backoffice):
    skus = [f"P1{n:05d}-{'X' * 20}" for n in range(150)] + ["P100001"]

    async with backoffice.client("pim") as client:
        products = await HttpPimConnector(client).get_products_by_sku(skus)

    assert list(products) == ["P100001"]
    assert backoffice.requests() == {"POST /pim/v1/products": 1}


async def test_a_failed_chunk_fails_the_batch():
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if "b" in request.url.params.get_list("id"):
            return httpx.Response(503, json={"error": {"code": "UNAVAILABLE", "message": "down"}})
        return httpx.Response(200, json={"items": []})

    async with mock_client(handler) as client:
        with pytest.raises(SourceUnavailable):
            await HttpPimConnector(client, max_batch=1).get_categories(["a", "b", "c"])

    assert calls == 3


# Faults injected by the real server.


async def test_a_source_answering_503_is_unavailable(backoffice):
    backoffice.set_faults(systems=["pim"], error_rate=1.0)

    async with backoffice.client("pim") as client:
        with pytest.raises(
            SourceUnavailable,
            match=r"pim: GET /pim/v1/products answered 503: pim failed \(injected error\)",
        ):
            await HttpPimConnector(client).get_products(["p00001"])


async def test_a_source_that_hangs_times_out_within_the_client_timeout(backoffice):
    backoffice.set_faults(systems=["pim"], hang_rate=1.0)

    started = time.perf_counter()
    async with backoffice.client("pim", timeout=0.25) as client:
        with pytest.raises(SourceTimeout, match=r"pim: no answer in time \(ReadTimeout\)"):
            await HttpPimConnector(client).get_products(["p00001"])
    elapsed = time.perf_counter() - started

    assert 0.25 <= elapsed < 5.0  # the timeout, not the hang (300 s), ends it


async def test_a_source_in_an_outage_is_unavailable_at_once(backoffice):
    backoffice.set_faults(systems=["pim"], outage=True, latency_ms=3000)

    started = time.perf_counter()
    async with backoffice.client("pim") as client:
        with pytest.raises(SourceUnavailable, match=r"pim is down \(injected outage\)"):
            await HttpPimConnector(client).get_products(["p00001"])

    assert time.perf_counter() - started < 1.5  # not after the 3 s latency


async def test_a_source_nobody_listens_for_is_unavailable():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: connection refused

    async with build_client(f"http://127.0.0.1:{port}", timeout=1, connect_timeout=1) as client:
        with pytest.raises(SourceUnavailable, match=r"could not reach the source \(ConnectError"):
            await HttpPimConnector(client).get_products(["p00001"])


async def test_latency_of_the_source_is_the_latency_of_the_call(backoffice):
    async with backoffice.client("pim") as client:
        pim = HttpPimConnector(client)
        await pim.get_products(["p00001"])  # the connection is open
        started = time.perf_counter()
        await pim.get_products(["p00001"])
        fast = time.perf_counter() - started
        # Long enough that the answer without it stays below it on a loaded machine too.
        backoffice.set_faults(systems=["pim"], latency_ms=400)
        started = time.perf_counter()
        await pim.get_products(["p00001"])
        slow = time.perf_counter() - started

    assert fast < 0.4 <= slow


def test_a_query_fits_in_a_url_by_its_encoded_length():
    half = MAX_QUERY_LENGTH // 2
    assert _fits_in_url([("k", "a" * (MAX_QUERY_LENGTH - 2))])
    assert not _fits_in_url([("k", "a" * (MAX_QUERY_LENGTH - 1))])
    # Short as raw text, too long once encoded: "é" is "%C3%A9".
    assert not _fits_in_url([("k", "é" * half)])
    assert not _fits_in_url([("key", f"v{n:06d}") for n in range(half)])
