"""The self-hosted GraphiQL page: no external URL, assets served, and it renders in Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from gateway.app import create_app
from gateway.bootstrap import open_runtime
from gateway.config import Settings
from gateway.graphiql import (
    STATIC_DIR,
    LocalIDE,
    graphiql_static_app,
    render_graphiql,
)
from tests.api import CLOCK, serve
from tests.servers import uvicorn_thread

PREFIX = "/static/graphiql"
QUERY = "query GreetingFromTest {\n  hello\n}\n"
HEADERS = '{"X-Test": "yes"}'


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str | None:
        return "world"


SCHEMA = strawberry.Schema(query=Query)

pytestmark = pytest.mark.anyio


class RecordingGraphQL:
    """A GraphQL endpoint with the IDE that remembers the headers of every POST.

    It proves the IDE's fetcher sends the editor's headers; the gateway's own endpoint
    (`gateway.endpoint`) serves the same `LocalIDE` page, as `test_app` checks.
    """

    def __init__(self, ide: LocalIDE) -> None:
        self.ide = ide
        self.post_headers: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if request.method == "GET":
            await self.ide.page(request.url.path)(scope, receive, send)
            return
        self.post_headers.append(dict(request.headers))
        params = await request.json()
        result = await SCHEMA.execute(params["query"], variable_values=params.get("variables"))
        body = {
            "data": result.data,
            **({"errors": [e.formatted for e in result.errors]} if result.errors else {}),
        }
        await JSONResponse(body)(scope, receive, send)


def make_app(graphql: RecordingGraphQL) -> Starlette:
    return Starlette(routes=[Route("/graphql", graphql), Mount(PREFIX, app=graphiql_static_app())])


def client_for(app: Starlette | StaticFiles) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.links.append(values["src"] or "")
        if tag == "link" and values.get("rel") == "stylesheet":
            self.links.append(values["href"] or "")


def asset_links(page: str) -> list[str]:
    parser = _AssetLinks()
    parser.feed(page)
    return parser.links


def page_config(page: str) -> object:
    match = re.search(r'<script type="application/json" id="graphiql-config">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


def test_page_links_only_vendored_files_and_no_other_host() -> None:
    # when
    page = render_graphiql(endpoint="/graphql", static_prefix=PREFIX + "/", default_query=QUERY)

    # then
    assert re.search(r"(?i)(https?:)?//[a-z0-9]", page) is None
    links = asset_links(page)
    assert links == [
        f"{PREFIX}/graphiql/graphiql.min.css",
        f"{PREFIX}/react/react.production.min.js",
        f"{PREFIX}/react-dom/react-dom.production.min.js",
        f"{PREFIX}/graphiql/graphiql.min.js",
        f"{PREFIX}/boot.js",
    ]
    for link in links:
        assert (STATIC_DIR / link.removeprefix(PREFIX + "/")).is_file(), link
    assert page_config(page) == {
        "endpoint": "/graphql",
        "defaultQuery": QUERY,
        "defaultHeaders": None,
    }


def test_every_vendored_package_keeps_its_licence_next_to_its_assets() -> None:
    for package in ("graphiql", "react", "react-dom"):
        assert "MIT License" in (STATIC_DIR / package / "LICENSE").read_text(encoding="utf-8")
    third_party = (STATIC_DIR / "graphiql" / "THIRD-PARTY-LICENSES.txt").read_text("utf-8")
    assert "codemirror@5" in third_party
    assert "graphql@16" in third_party


async def test_static_app_serves_the_assets_with_their_content_types() -> None:
    # given
    page = render_graphiql(endpoint="/graphql", static_prefix="", default_query=QUERY)

    # when
    async with client_for(graphiql_static_app()) as client:
        responses = {link: await client.get(link) for link in asset_links(page)}

    # then
    for link, response in responses.items():
        assert response.status_code == 200, link
        assert response.content == (STATIC_DIR / link.lstrip("/")).read_bytes()
        media_type = response.headers["content-type"].split(";")[0]
        expected = {"text/css"} if link.endswith(".css") else _JAVASCRIPT
        assert media_type in expected, (link, media_type)


# Python 3.11's mimetypes says application/javascript, 3.12 and /etc/mime.types text/javascript.
_JAVASCRIPT = {"text/javascript", "application/javascript"}


def test_config_and_title_cannot_break_out_of_the_page() -> None:
    # given
    hostile = '</script><script>alert("q")</script><!--'

    # when
    page = render_graphiql(
        endpoint="/graphql",
        static_prefix=PREFIX,
        default_query=hostile,
        default_headers=json.dumps({"X-Note": hostile}),
        title="</title><b>shop</b>",
    )

    # then
    assert "alert" not in page.replace(_config_text(page), "")
    assert "<title>&lt;/title&gt;&lt;b&gt;shop&lt;/b&gt;</title>" in page
    assert page_config(page) == {
        "endpoint": "/graphql",
        "defaultQuery": hostile,
        "defaultHeaders": json.dumps({"X-Note": hostile}),
    }


def _config_text(page: str) -> str:
    match = re.search(r'id="graphiql-config">(.*?)</script>', page)
    assert match is not None
    assert "<" not in match.group(1)
    return match.group(1)


@pytest.mark.parametrize("headers", ["not json", "[1, 2]", '"X-Test"'])
def test_default_headers_must_be_json_object_text(headers: str) -> None:
    with pytest.raises(ValueError, match="JSON object"):
        render_graphiql(
            endpoint="/", static_prefix=PREFIX, default_query="", default_headers=headers
        )
    with pytest.raises(ValueError, match="JSON object"):
        LocalIDE(static_prefix=PREFIX, default_headers=headers)


async def test_graphql_url_serves_the_local_ide_and_still_answers_queries() -> None:
    # given
    app = make_app(RecordingGraphQL(LocalIDE(static_prefix=PREFIX, default_query=QUERY)))

    # when
    async with client_for(app) as client:
        ide = await client.get("/graphql", headers={"accept": "text/html"})
        result = await client.post("/graphql", json={"query": "{ hello }"})

    # then
    assert ide.status_code == 200
    assert ide.headers["content-type"] == "text/html; charset=utf-8"
    assert f"{PREFIX}/boot.js" in ide.text
    assert "unpkg" not in ide.text
    assert page_config(ide.text) == {
        "endpoint": "/graphql",
        "defaultQuery": QUERY,
        "defaultHeaders": None,
    }
    assert result.json() == {"data": {"hello": "world"}}


async def test_ide_can_still_be_switched_off(seeded_url: str, ledger_url: str) -> None:
    # given the gateway with GraphiQL off
    settings = Settings.load(
        None,
        env={
            "GATEWAY_BACKOFFICE__DATABASE_URL": seeded_url,
            "GATEWAY_DATABASE__URL": ledger_url,
            "GATEWAY_SERVER__GRAPHIQL": "false",
        },
    )
    runtime = await open_runtime(settings, clock=CLOCK)

    # when a browser asks for the GraphQL URL
    async with serve(create_app(settings, runtime=runtime), settings) as api:
        response = await api.client.get("/graphql", headers={"accept": "text/html"})
        assets = await api.client.get(f"{PREFIX}/boot.js")

    # then it gets no page, but the refusal of a request without a query
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
    assert assets.status_code == 404


@dataclass(frozen=True)
class LiveServer:
    """A uvicorn server running the test app in a background thread."""

    url: str
    graphql: RecordingGraphQL


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    graphql = RecordingGraphQL(
        LocalIDE(static_prefix=PREFIX, default_query=QUERY, default_headers=HEADERS)
    )
    # No lifespan: the page needs none, and fewer moving parts in a thread.
    with uvicorn_thread(make_app(graphql), lifespan="off", timeout=10) as port:
        yield LiveServer(url=f"http://127.0.0.1:{port}", graphql=graphql)


def _chromium() -> str | None:
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else shutil.which("chromium")


class _EditorLines(HTMLParser):
    """Collects the text of CodeMirror's rendered lines (``<pre class="CodeMirror-line">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._depth = 0  # > 0 while inside a line's <pre>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth:
            self._depth += tag == "pre"
        elif tag == "pre" and "CodeMirror-line" in (dict(attrs).get("class") or "").split():
            self._depth = 1
            self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "pre":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.lines[-1] += data.replace("\u200b", "")


@pytest.mark.skipif(
    _chromium() is None,
    reason="needs headless Chromium (Debian: apt-get install chromium) to load the page",
)
def test_graphiql_renders_in_headless_chromium(live_server: LiveServer, tmp_path: Path) -> None:
    # given
    command = [
        str(_chromium()),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-proxy-server",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        f"{live_server.url}/graphql",
    ]

    # when
    browser = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    # then
    dom = browser.stdout
    assert browser.returncode == 0, browser.stderr[-2000:]
    assert 'class="graphiql-container"' in dom, dom[:2000]
    assert 'title="GreetingFromTest"' in dom  # the tab, named after the operation
    parser = _EditorLines()
    parser.feed(dom)
    text = "\n".join(parser.lines)
    assert "query GreetingFromTest {\n  hello\n}" in text  # the query editor
    assert HEADERS in parser.lines  # the headers editor
    # GraphiQL fetched the schema through the page's fetcher, with the default headers.
    assert len(live_server.graphql.post_headers) == 1
    assert live_server.graphql.post_headers[0]["x-test"] == "yes"
