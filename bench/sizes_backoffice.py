"""The reference back office over HTTP, able to explain the SQL one request makes it run.

`python -m bench.sizes_backoffice` takes `backoffice serve`'s options and adds one control
endpoint: `POST /_explain` arms it, and until `GET /_explain` (which answers the plans and
disarms it) every SELECT the back office runs on PostgreSQL is run a second time as
`EXPLAIN (ANALYZE, BUFFERS)` on the same connection, with the same parameters, right after
it. Armed only for one extra request per query, never for the timed samples.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any

import orjson
import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from backoffice.db import create_engine, create_tables
from backoffice.faults import FaultSwitches
from backoffice.http import create_app
from backoffice.serve import ServeOptions, parse_options
from kernel.clock import on_day
from kernel.collector import tuned_collector

PATH = "/_explain"


class Explainer:
    """Explains the SELECTs run while armed; SQLAlchemy calls `after_cursor_execute`."""

    def __init__(self) -> None:
        self.armed = False
        self.plans: list[dict[str, str]] = []

    def after_cursor_execute(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if not self.armed or conn.dialect.name != "postgresql" or executemany:
            return
        if not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        # A cursor of its own: the statement's rows are already read into `cursor`. The
        # driver's cursor runs inside SQLAlchemy's greenlet, as the statement itself did.
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None
        explain = dbapi.cursor()
        try:
            explain.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            plan = "\n".join(str(row[0]) for row in explain.fetchall())
        finally:
            explain.close()
        self.plans.append({"statement": statement, "plan": plan})

    def wrap(self, app: Any) -> Any:
        """`app` with the control endpoint in front of it."""

        async def explained(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http" or scope["path"] != PATH:
                await app(scope, receive, send)
                return
            if scope["method"] == "POST":
                self.armed, self.plans = True, []
                body = b"{}"
            else:
                body = orjson.dumps(self.plans)
                self.armed, self.plans = False, []
            headers = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return explained


async def serve(options: ServeOptions, explainer: Explainer) -> None:
    """`backoffice.serve.serve`, with the explainer listening and its endpoint in front."""
    engine = create_engine(options.database_url)
    event.listen(Engine, "after_cursor_execute", explainer.after_cursor_execute)
    try:
        await create_tables(engine)
        app = create_app(
            engine,
            systems=options.systems,
            faults=FaultSwitches(options.systems, seed=options.seed, faults=options.faults),
            access=options.access,
            clock=on_day(options.today),
        )
        config = uvicorn.Config(
            explainer.wrap(app),
            host=options.host,
            port=options.port,
            log_level=options.log_level,
            timeout_graceful_shutdown=5,
        )
        with tuned_collector():  # as backoffice.serve
            await uvicorn.Server(config).serve()
    finally:
        event.remove(Engine, "after_cursor_execute", explainer.after_cursor_execute)
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    asyncio.run(serve(parse_options(argv, os.environ), Explainer()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
