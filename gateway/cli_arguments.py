"""The `commerce-gateway` command's arguments: its subcommands, their options and their help."""

from __future__ import annotations

import argparse
import typing
from pathlib import Path

from gateway.config import SeedSize
from gateway.worker import add_command as add_worker_command

DESCRIPTION = """\
One GraphQL schema over a retailer's product, price, stock, customer, order and loyalty
systems. Configuration comes from a TOML file (--config, $GATEWAY_CONFIG or ./gateway.toml)
and GATEWAY_<SECTION>__<KEY> environment variables; see gateway.example.toml.
"""

EPILOG = """\
examples:
  commerce-gateway demo                      seed the demo retailer if needed, serve GraphiQL
  commerce-gateway token --role customer     a dev token for the demo customer
  commerce-gateway seed --size small --reset re-create a small back office
  commerce-gateway db upgrade                migrate the gateway's own database (DATABASE_URL)
  commerce-gateway worker                    deliver the outbox until SIGTERM (production)
  commerce-gateway config check              validate the configuration and show it
  commerce-gateway schema --check schema.graphql
  commerce-gateway backoffice serve --latency-ms 20   the back office over HTTP on :8100

GATEWAY_CLOCK__TODAY=2027-04-05 (or [clock] today) runs the gateway, its embedded back
office, `seed` and `backoffice serve` as of that day: for development and tests.
"""

ROLES = ("kiosk", "customer", "associate", "service", "admin")
#: The back office's seed sizes (`backoffice.seed.SIZES`), smallest first.
SEED_SIZES: tuple[str, ...] = typing.get_args(SeedSize)
SEED_SIZE_HELP = (
    "how big a retailer: small (60 products), demo (1,000), large (10,000, ~50k variants), "
    "xl (205,000 products, ~1M variants, ~11.7M stock rows: ~4 minutes on PostgreSQL)"
)


def build_parser() -> argparse.ArgumentParser:
    """The parser of `commerce-gateway` and every subcommand (`worker` is added by `gateway.worker`)."""
    parser = argparse.ArgumentParser(
        prog="commerce-gateway",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="seed the demo retailer (if needed) and serve the gateway with GraphiQL",
        description="Migrate the gateway's own database, seed the embedded back office if it "
        "is empty, then serve the gateway at http://HOST:PORT/graphql. Needs no Redis or "
        "PostgreSQL.",
    )
    add_server_arguments(demo)
    demo.add_argument("--size", choices=SEED_SIZES, help="seed size if seeding (see seed --help)")

    serve = commands.add_parser(
        "serve",
        help="serve the gateway as configured (no seeding, no migrating)",
        description="Serve the gateway with uvicorn as the configuration says. In production "
        "it refuses to start while the gateway's database is behind this release: run "
        "`commerce-gateway db upgrade` first (development starts, and warns).",
    )
    add_server_arguments(serve)
    serve.add_argument("--workers", type=int, help="uvicorn worker processes")

    seed = commands.add_parser(
        "seed",
        help="create and fill the reference back office with a demo retailer",
        description="Create the back-office tables and fill them with a deterministic demo "
        "retailer (same arguments and day, same data) as of today, or clock.today "
        "(GATEWAY_CLOCK__TODAY). Uses backoffice.database_url / "
        "GATEWAY_BACKOFFICE__DATABASE_URL, else a SQLite file under backoffice.data_dir. "
        "Rows are written in batches (COPY on PostgreSQL), so memory stays under 1 GB at "
        "any size, and the tables are analysed afterwards.",
    )
    seed.add_argument("--size", choices=SEED_SIZES, help=SEED_SIZE_HELP)
    seed.add_argument("--random-seed", type=int, default=20261122, help="seed of the generator")
    seed.add_argument("--reset", action="store_true", help="drop existing back-office data first")

    token = commands.add_parser(
        "token",
        help="mint a development JWT for a role and print it alone on stdout",
        description="Mint an HS256 token signed with auth.dev_secret (refused in production). "
        "Without --customer, --role customer picks the demo customer, who has orders in every "
        "channel and loyalty points.",
    )
    token.add_argument("--role", choices=ROLES, required=True)
    token.add_argument("--customer", help="customer id (role customer), e.g. cu00001")
    token.add_argument("--store", help="store id or code (kiosk, associate), e.g. s01 or NL001")
    token.add_argument("--channel", help="channel claim, e.g. KIOSK")
    token.add_argument("--locale", help="preferred locale claim, e.g. en")
    token.add_argument("--ttl", type=int, help="seconds until it expires")

    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_commands.add_parser(
        "check",
        help="validate the configuration and print it (secrets redacted)",
        description="Load the configuration as `serve` would, report every problem, and print "
        "the effective settings with secrets redacted. Exits 1 when invalid.",
    )

    db = commands.add_parser(
        "db",
        help="the gateway's own database (idempotency, audit, refunds, outbox): migrations",
        description="The gateway's own database: database.url / DATABASE_URL, else the SQLite "
        "file gateway.sqlite3 under backoffice.data_dir. Not the back office's database.",
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser(
        "upgrade",
        help="migrate the gateway's database to this release and print its revision",
        description="Apply every migration this release ships that the database lacks, in one "
        "transaction (safe to run again, and beside running instances of the previous "
        "release). Run it before `serve` on each release; `demo` runs it itself.",
    )
    db_commands.add_parser(
        "current",
        help="print the gateway database's revision; exit 1 when it is behind this release",
        description="Print the revision the gateway's database is at and the one this release "
        "needs. Exits 0 when they match, 1 when the database is behind (run "
        "`commerce-gateway db upgrade`) or cannot be reached.",
    )

    commands.add_parser(
        "backoffice",
        help="the reference back office over HTTP: `backoffice serve --help`",
        description="Run the reference back office (PIM, price engine, inventory, CRM, OMS, "
        "loyalty) as REST services, with latency and fault injection.",
        add_help=False,
        prefix_chars="\0",  # every argument goes to `backoffice serve` as it is
    ).add_argument("arguments", nargs=argparse.REMAINDER)

    add_worker_command(commands)

    schema = commands.add_parser(
        "schema",
        help="print the GraphQL schema (SDL), or check a file against it",
        description="Print the schema as SDL. With --check FILE, exit 1 if FILE differs.",
    )
    schema.add_argument("--check", type=Path, metavar="FILE", help="committed SDL to compare")
    return parser


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """--host and --port, which `demo` and `serve` share."""
    parser.add_argument("--host", help="interface to listen on (default from config: 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default from config: 8000)")
