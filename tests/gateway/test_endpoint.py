"""The lean HTTP path's own parts: the GraphQL lane past the router, headers read once."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from gateway.app import GraphQLLane
from gateway.graphql_request import header_map

pytestmark = pytest.mark.anyio


class Marker:
    """An ASGI app that notes the paths it was called for."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])


async def nothing() -> Any:
    raise AssertionError("nothing should be read")


async def nowhere(message: Any) -> None:
    raise AssertionError("nothing should be sent")


@pytest.mark.parametrize(
    ("scope", "to_endpoint"),
    [
        ({"type": "http", "path": "/graphql"}, True),
        ({"type": "http", "path": "/graphql", "root_path": ""}, True),
        ({"type": "http", "path": "/api/graphql", "root_path": "/api"}, False),
        ({"type": "http", "path": "/graphql/"}, False),
        ({"type": "http", "path": "/healthz"}, False),
        ({"type": "websocket", "path": "/graphql"}, False),
    ],
)
async def test_only_graphql_requests_without_a_root_path_take_the_lane(scope, to_endpoint):
    # given
    app, endpoint = Marker(), Marker()
    lane = GraphQLLane(app, path="/graphql", endpoint=endpoint)

    # when
    await lane(scope, nothing, nowhere)

    # then
    assert (endpoint.paths, app.paths) == (
        ([scope["path"]], []) if to_endpoint else ([], [scope["path"]])
    )


def test_headers_are_read_as_starlette_reads_them_first_of_a_repeated_name_winning():
    raw = [
        (b"authorization", b"Bearer first"),
        (b"x-channel", b"KIOSK"),
        (b"authorization", b"Bearer second"),
        (b"accept-language", "nl-BE".encode("latin-1")),
    ]

    headers = header_map(raw)

    starlette = Headers(raw=raw)
    assert headers == {name: starlette[name] for name in starlette}
    assert headers["authorization"] == "Bearer first"
