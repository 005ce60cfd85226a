"""`commerce-gateway backoffice serve`: the reference back office over HTTP, one system or all, with faults."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import uvicorn

from backoffice.access import AccessControl
from backoffice.db import create_engine, create_tables
from backoffice.faults import Faults, FaultSwitches
from backoffice.http import create_app
from backoffice.rest import SYSTEMS
from kernel.clock import on_day
from kernel.collector import tuned_collector

DEFAULT_PORT = 8100
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///.data/backoffice.sqlite3"

EPILOG = f"""\
Each system answers at /<system>/v1/... and publishes its contract at /<system>/openapi.json.
Faults can be changed while serving: GET/POST /_faults (JSON body, e.g.
{{"systems": ["pim"], "error_rate": 0.2}}); request counts: GET/DELETE /_stats.

Tokens: BACKOFFICE_TOKEN_<SYSTEM> (e.g. BACKOFFICE_TOKEN_CRM) or --token SYSTEM=TOKEN
protects a system; BACKOFFICE_OAUTH_CLIENTS="id=secret,..." or --oauth-client ID=SECRET
enables POST /oauth/token (client credentials), whose tokens protected systems accept.

Clock: GATEWAY_CLOCK__TODAY=2027-04-05 serves prices, promotions and stock as of that day
(the clock moves by whole days), as it does for the gateway and `commerce-gateway seed`.

examples:
  commerce-gateway backoffice serve                          every system on port {DEFAULT_PORT}
  commerce-gateway backoffice serve --systems pim --port 8101
  commerce-gateway backoffice serve --latency-ms 40 --error-rate 0.05 --outage loyalty
"""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    """What `backoffice serve` was asked to do."""

    systems: tuple[str, ...]
    host: str
    port: int
    database_url: str
    faults: Faults
    outage: tuple[str, ...]
    seed: int
    access: AccessControl
    log_level: str
    today: date | None = None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commerce-gateway backoffice serve",
        description="Serve the reference back office's systems over REST/JSON, with "
        "switchable latency, errors, hangs and outages for tests and benchmarks.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--systems",
        default="all",
        help=f"comma-separated systems to serve, or all (default): {','.join(SYSTEMS)}",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--database-url",
        help="the back office's database (default: $BACKOFFICE_DATABASE_URL, else "
        ".data/backoffice.sqlite3)",
    )
    faults = parser.add_argument_group("faults (every served system)")
    faults.add_argument("--latency-ms", type=float, default=0.0, help="added to every answer")
    faults.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, 0..N")
    faults.add_argument(
        "--error-rate", type=float, default=0.0, help="share of requests answered 503 (0..1)"
    )
    faults.add_argument(
        "--hang-rate", type=float, default=0.0, help="share of requests never answered (0..1)"
    )
    faults.add_argument(
        "--hang-seconds", type=float, default=300.0, help="how long a hang lasts (default 300)"
    )
    faults.add_argument("--outage", default="", help="comma-separated systems answering 503")
    faults.add_argument("--seed", type=int, default=0, help="seed of the fault dice")
    access = parser.add_argument_group("access")
    access.add_argument(
        "--token", action="append", default=[], metavar="SYSTEM=TOKEN", help="protect a system"
    )
    access.add_argument(
        "--oauth-client",
        action="append",
        default=[],
        metavar="ID=SECRET",
        help="an OAuth2 client allowed to get tokens at /oauth/token",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=("critical", "error", "warning", "info", "debug"),
        help="uvicorn's log level",
    )
    return parser


def parse_options(argv: Sequence[str] | None, env: Mapping[str, str]) -> ServeOptions:
    """The options of `argv` and the environment; exits with a usage message when one is wrong."""
    parser = build_parser()
    args = parser.parse_args(argv)
    systems = SYSTEMS if args.systems == "all" else _systems(parser, "--systems", args.systems)
    outage = _systems(parser, "--outage", args.outage) if args.outage else ()
    if not set(outage) <= set(systems):
        parser.error(f"--outage names systems that are not served: {', '.join(outage)}")
    try:
        faults = Faults(
            latency_ms=args.latency_ms,
            jitter_ms=args.jitter_ms,
            error_rate=args.error_rate,
            hang_rate=args.hang_rate,
            hang_seconds=args.hang_seconds,
        )
    except ValueError as exc:
        parser.error(str(exc))
    tokens = {
        system: env[f"BACKOFFICE_TOKEN_{system.upper()}"]
        for system in SYSTEMS
        if env.get(f"BACKOFFICE_TOKEN_{system.upper()}")
    }
    tokens.update(_pairs(parser, "--token", args.token))
    unknown = sorted(set(tokens) - set(SYSTEMS))
    if unknown:
        parser.error(f"--token names unknown systems: {', '.join(unknown)}")
    clients = _pairs(
        parser, "BACKOFFICE_OAUTH_CLIENTS", _split(env.get("BACKOFFICE_OAUTH_CLIENTS", ""))
    )
    clients.update(_pairs(parser, "--oauth-client", args.oauth_client))
    today = None
    if day := env.get("GATEWAY_CLOCK__TODAY", "").strip():
        try:
            today = date.fromisoformat(day)
        except ValueError:
            parser.error(f"GATEWAY_CLOCK__TODAY: expected a date such as 2027-04-05, got {day!r}")
    return ServeOptions(
        systems=systems,
        host=args.host,
        port=args.port,
        database_url=args.database_url
        or env.get("BACKOFFICE_DATABASE_URL")
        or DEFAULT_DATABASE_URL,
        faults=faults,
        outage=outage,
        seed=args.seed,
        access=AccessControl(tokens=tokens, clients=clients),
        log_level=args.log_level,
        today=today,
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _systems(parser: argparse.ArgumentParser, option: str, text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(_split(text)))
    unknown = [name for name in names if name not in SYSTEMS]
    if unknown or not names:
        parser.error(
            f"{option}: {', '.join(unknown) or 'nothing'} is not one of {','.join(SYSTEMS)}"
        )
    return names


def _pairs(parser: argparse.ArgumentParser, option: str, items: Sequence[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name or not value:
            parser.error(f"{option}: expected NAME=VALUE, got {item!r}")
        pairs[name] = value
    return pairs


async def serve(options: ServeOptions) -> None:
    """Serve until interrupted (SIGINT/SIGTERM)."""
    engine = create_engine(options.database_url)
    try:
        # Idempotent; an empty database then answers empty lists instead of failing.
        await create_tables(engine)
        switches = FaultSwitches(options.systems, seed=options.seed, faults=options.faults)
        if options.outage:
            switches.update({"systems": list(options.outage), "outage": True})
        app = create_app(
            engine,
            systems=options.systems,
            faults=switches,
            access=options.access,
            clock=on_day(options.today),
        )
        config = uvicorn.Config(
            app,
            host=options.host,
            port=options.port,
            log_level=options.log_level,
            # Hung requests end when their client leaves; do not wait for the others forever.
            timeout_graceful_shutdown=5,
        )
        print(
            f"back office: {', '.join(options.systems)} at http://{options.host}:{options.port}"
            f"/<system>/v1/ (contracts at /<system>/openapi.json)",
            file=sys.stderr,
        )
        # Its tables' rows are short-lived and many: a full collection of what start-up
        # built as well stalled a request by 24 ms in one of 16 (kernel.collector).
        with tuned_collector():
            await uvicorn.Server(config).serve()
    finally:
        await engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Run `commerce-gateway backoffice serve`; returns the exit status."""
    asyncio.run(serve(parse_options(argv, os.environ)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
