"""GraphiQL served from the gateway's own static files, so the IDE works without internet access.

Strawberry's stock GraphiQL page loads React and GraphiQL from unpkg.com; store networks
and build machines often have no internet, and then the IDE is a blank page. Here the
same IDE comes from ``gateway/static/graphiql/`` (vendored by ``scripts/vendor-graphiql``)
and the page references nothing outside the gateway.

Mount both halves on the same app::

    Mount(prefix, app=graphiql_static_app())
    Route("/graphql", GraphQLWithLocalIDE(schema, ide_static_prefix=prefix, ...))
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from strawberry.http.typevars import Context, RootValue

if TYPE_CHECKING:
    from starlette.requests import Request
    from strawberry.schema import BaseSchema

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"

# Paths under STATIC_DIR, in load order: GraphiQL's UMD bundle expects the React and
# ReactDOM globals, and boot.js expects all three.
STYLESHEETS = ("graphiql/graphiql.min.css",)
SCRIPTS = (
    "react/react.production.min.js",
    "react-dom/react-dom.production.min.js",
    "graphiql/graphiql.min.js",
    "boot.js",
)

DEFAULT_QUERY = """\
# GraphiQL, served by the gateway itself: it works offline.
# Ctrl-Enter runs the query; Ctrl-Space completes a field.
{
  __typename
}
"""

_PAGE = """\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title}</title>
    <link rel="icon" href="data:,">
{stylesheets}
    <style>
      html, body {{ height: 100%; margin: 0; overflow: hidden; }}
      #graphiql {{ height: 100vh; }}
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script type="application/json" id="graphiql-config">{config}</script>
{scripts}
  </body>
</html>
"""


def render_graphiql(
    *,
    endpoint: str,
    static_prefix: str,
    default_query: str,
    default_headers: str | None = None,
    title: str = "Commerce gateway",
) -> str:
    """Return the GraphiQL page for ``endpoint``, loading its assets from ``static_prefix``.

    Args:
        endpoint: URL of the GraphQL endpoint, usually a path such as ``/graphql``;
            subscriptions use the same URL over ``ws:``/``wss:``.
        static_prefix: URL path where ``graphiql_static_app()`` is mounted.
        default_query: Text of the query editor in the first tab, until the browser has
            saved tabs of its own.
        default_headers: JSON object text for the headers editor (every new tab), or None.
        title: The page title.

    Raises:
        ValueError: ``default_headers`` is not the JSON text of an object.
    """
    if default_headers is not None:
        _check_headers(default_headers)
    prefix = static_prefix.rstrip("/")
    config = {
        "endpoint": endpoint,
        "defaultQuery": default_query,
        "defaultHeaders": default_headers,
    }
    stylesheets = "\n".join(
        f'    <link rel="stylesheet" href="{_attribute(f"{prefix}/{path}")}">'
        for path in STYLESHEETS
    )
    scripts = "\n".join(
        f'    <script src="{_attribute(f"{prefix}/{path}")}"></script>' for path in SCRIPTS
    )
    return _PAGE.format(
        title=html.escape(title),
        stylesheets=stylesheets,
        scripts=scripts,
        config=_script_json(config),
    )


def graphiql_static_app() -> StaticFiles:
    """Serve the vendored GraphiQL and React files (mount it at the page's ``static_prefix``)."""
    return StaticFiles(directory=STATIC_DIR)


class GraphQLWithLocalIDE(GraphQL[Context, RootValue]):
    """Strawberry's ASGI GraphQL app whose GraphiQL page needs no internet access.

    Everything but the IDE page is Strawberry's: all other arguments pass through, and
    ``graphql_ide=None`` still turns the IDE off.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        ide_static_prefix: str,
        ide_default_query: str = DEFAULT_QUERY,
        ide_default_headers: str | None = None,
        ide_title: str = "Commerce gateway",
        **kwargs: Any,
    ) -> None:
        super().__init__(schema, **kwargs)
        if ide_default_headers is not None:
            _check_headers(ide_default_headers)  # fail at startup, not on the first page view
        self.ide_static_prefix = ide_static_prefix
        self.ide_default_query = ide_default_query
        self.ide_default_headers = ide_default_headers
        self.ide_title = ide_title

    async def render_graphql_ide(self, request: Request) -> Response:
        # The IDE answers a GET on the GraphQL URL itself, so that URL is the endpoint.
        page = render_graphiql(
            endpoint=request.url.path,
            static_prefix=self.ide_static_prefix,
            default_query=self.ide_default_query,
            default_headers=self.ide_default_headers,
            title=self.ide_title,
        )
        return HTMLResponse(page)


def _check_headers(text: str) -> None:
    try:
        headers = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"default headers must be JSON object text, got {text!r}: {exc}") from exc
    if not isinstance(headers, dict):
        raise ValueError(f"default headers must be a JSON object such as {{}}, got {text!r}")


def _attribute(value: str) -> str:
    return html.escape(value, quote=True)


def _script_json(value: object) -> str:
    # Inside <script> only "</" (and "<!--") can end or derail the element; writing
    # every <, > and & as a \u00XX escape covers both and stays valid JSON
    # (what Django's json_script does).
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
