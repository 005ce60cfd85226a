"""GraphiQL served from the gateway's own static files, so the IDE works without internet access.

Strawberry's stock GraphiQL page loads React and GraphiQL from unpkg.com; store networks
and build machines often have no internet, and then the IDE is a blank page. Here the
same IDE comes from ``gateway/static/graphiql/`` (vendored by ``scripts/vendor-graphiql``)
and the page references nothing outside the gateway.

Mount the assets, and let the GraphQL endpoint answer a browser's GET with the page::

    Mount(prefix, app=graphiql_static_app())
    ide = LocalIDE(static_prefix=prefix, ...)  # ide.page("/graphql") is the HTML response
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

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


class LocalIDE:
    """The GraphiQL page of one endpoint, its assets loaded from `static_prefix` (no internet).

    `default_headers` is checked now, so that a bad value fails at start-up rather than on
    the first page view.
    """

    def __init__(
        self,
        *,
        static_prefix: str,
        default_query: str = DEFAULT_QUERY,
        default_headers: str | None = None,
        title: str = "Commerce gateway",
    ) -> None:
        if default_headers is not None:
            _check_headers(default_headers)
        self.static_prefix = static_prefix
        self.default_query = default_query
        self.default_headers = default_headers
        self.title = title

    def page(self, endpoint: str, *, default_headers: str | None = None) -> HTMLResponse:
        """The page for the GraphQL URL `endpoint`, with `default_headers` if given (else the IDE's)."""
        return HTMLResponse(
            render_graphiql(
                endpoint=endpoint,
                static_prefix=self.static_prefix,
                default_query=self.default_query,
                default_headers=default_headers or self.default_headers,
                title=self.title,
            )
        )


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
