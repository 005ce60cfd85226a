"""The `commerce-gateway` command: run the demo or the server, seed data, mint dev tokens.

Its arguments and help are `gateway.cli_arguments`; this runs what they ask for.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.cli_arguments import build_parser
from gateway.config import ConfigError, Settings

BACKOFFICE_USAGE = """\
usage: commerce-gateway backoffice serve [options]

Run the reference back office (PIM, price engine, inventory, CRM, OMS, loyalty) as REST
services, with latency and fault injection. `commerce-gateway backoffice serve --help`
lists the options."""


def _backoffice(arguments: Sequence[str]) -> int:
    if arguments[:1] == ["serve"]:
        from backoffice.serve import main as backoffice_main

        return backoffice_main(arguments[1:])
    if arguments[:1] in (["-h"], ["--help"]):
        print(BACKOFFICE_USAGE)
        return 0
    given = f"unknown command {arguments[0]!r}" if arguments else "a command is needed"
    print(f"{BACKOFFICE_USAGE}\n\ncommerce-gateway backoffice: {given}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "backoffice":
        return _backoffice(args.arguments)
    try:
        settings = Settings.load(args.config)
    except ConfigError as exc:
        print(f"configuration is invalid:\n{exc}", file=sys.stderr)
        return 1
    if args.command == "config":
        print(settings.describe())
        return 0
    if args.command == "schema":
        return _schema(args.check)
    if args.command == "token":
        return _token(settings, args)
    if args.command == "db":
        return asyncio.run(_db(settings, args.db_command))
    if args.command == "worker":
        from gateway.worker import run_command

        return asyncio.run(run_command(settings, once=args.once, worker_id=args.worker_id))
    if args.command == "seed":
        return asyncio.run(
            _seed(settings, size=args.size, random_seed=args.random_seed, reset=args.reset)
        )
    if args.command == "demo":
        if asyncio.run(_db(settings, "upgrade")) != 0:
            return 1
        asyncio.run(
            _seed(settings, size=args.size, random_seed=20261122, reset=False, if_empty=True)
        )
    elif settings.server.environment == "production" and asyncio.run(_db_behind(settings)):
        return 1
    return _serve(settings, host=args.host, port=args.port, workers=getattr(args, "workers", None))


async def _db(settings: Settings, action: str) -> int:
    """`db upgrade` and `db current` (the demo upgrades too)."""
    from gateway.bootstrap import build_ledger_engine
    from ledger import LedgerUnavailable, migrate

    engine = build_ledger_engine(settings.database, settings.database_url)
    where = engine.url.render_as_string()  # the password hidden
    try:
        before = await migrate.state(engine)
        if action == "upgrade":
            after = await migrate.upgrade(engine) if before.behind else before
            moved = f"upgraded from {before.current or 'nothing'} to" if before.behind else "at"
            print(f"the gateway's database at {where} is {moved} revision {after.current}")
            return 0
        print(f"the gateway's database at {where} is at revision {before.current or 'none'}")
        if before.behind:
            print(
                f"behind this release's {before.head}: run `commerce-gateway db upgrade`",
                file=sys.stderr,
            )
            return 1
        print(f"this release needs {before.head}: up to date")
        return 0
    except LedgerUnavailable as exc:
        print(f"the gateway's database at {where}: {exc}", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()


async def _db_behind(settings: Settings) -> bool:
    """Whether production must refuse to serve: the gateway's database is behind this release."""
    from gateway.bootstrap import build_ledger_engine
    from ledger import LedgerBehind, LedgerUnavailable, migrate

    engine = build_ledger_engine(settings.database, settings.database_url)
    try:
        state = await migrate.state(engine)
    except LedgerUnavailable:
        return False  # served degraded, as /readyz will say; reads need no database of ours
    finally:
        await engine.dispose()
    if state.behind:
        print(f"cannot serve: {LedgerBehind(state.current, state.head)}", file=sys.stderr)
    return state.behind


def _schema(check: Path | None) -> int:
    from schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if check is None:
        sys.stdout.write(sdl)
        return 0
    if check.read_text() != sdl:
        print(f"{check} is stale: run `commerce-gateway schema > {check}`", file=sys.stderr)
        return 1
    print(f"{check} matches the schema")
    return 0


def _token(settings: Settings, args: argparse.Namespace) -> int:
    from gateway.auth import mint_token

    customer = args.customer
    if args.role == "customer" and customer is None:
        from backoffice.seed import DEMO_CUSTOMER_ID

        customer = DEMO_CUSTOMER_ID
    try:
        store = asyncio.run(_checked_ids(settings, customer=customer, store=args.store))
    except LookupError as exc:
        print(f"cannot mint a token: {exc}", file=sys.stderr)
        return 1
    try:
        token = mint_token(
            settings.auth,
            role=args.role,
            customer_id=customer,
            store_id=store,
            channel=args.channel,
            locale=args.locale,
            ttl_seconds=args.ttl,
        )
    except ValueError as exc:
        print(f"cannot mint a token: {exc}", file=sys.stderr)
        return 1
    print(token)
    return 0


async def _checked_ids(
    settings: Settings, *, customer: str | None, store: str | None
) -> str | None:
    """Check a token's customer and store against the embedded back office; the store's id.

    A token naming nobody is accepted by the gateway and then answers every field with
    null, which is hard to tell from a bug. The store may be given by id or code (NL001);
    the token carries its id. Raises LookupError, saying what to do, for an unknown id or
    an empty back office; a source served over HTTP is not asked (only noted).
    """
    from backoffice.crm.service import CrmService
    from backoffice.db import create_engine, sessionmaker
    from backoffice.inventory.service import InventoryService
    from backoffice.seed import is_seeded
    from gateway.bootstrap import build_clock

    wanted = {"crm": customer, "inventory": store}
    remote = [
        name
        for name, value in wanted.items()
        if value and settings.sources[name].kind != "embedded"
    ]
    for name in remote:
        print(
            f"note: {wanted[name]!r} is not checked: the {name} source is served over HTTP",
            file=sys.stderr,
        )
    if all(value is None or name in remote for name, value in wanted.items()):
        return store
    engine = create_engine(settings.backoffice.url)
    try:
        if not await is_seeded(engine):
            raise LookupError(
                f"the back office at {engine.url.render_as_string()} is empty, so the token's ids "
                "cannot be checked; run `commerce-gateway seed` first"
            )
        sessions = sessionmaker(engine)
        crm = CrmService(sessions, clock=build_clock(settings))
        if customer is not None and "crm" not in remote and not await crm.get_customers([customer]):
            raise LookupError(f"no customer {customer!r} in the back office (e.g. cu00001)")
        if store is not None and "inventory" not in remote:
            inventory = InventoryService(sessions, clock=build_clock(settings))
            locations = await inventory.list_locations()
            matches = [
                loc["id"]
                for loc in locations
                if store.casefold() in (loc["id"].casefold(), loc["code"].casefold())
            ]
            if not matches:
                raise LookupError(
                    f"no store {store!r} in the back office; give its id (s01) or code (NL001)"
                )
            store = str(matches[0])
        return store
    finally:
        await engine.dispose()


async def _seed(
    settings: Settings, *, size: str | None, random_seed: int, reset: bool, if_empty: bool = False
) -> int:
    from backoffice.db import create_engine, create_tables, drop_tables
    from backoffice.seed import is_seeded, seed
    from gateway.bootstrap import build_clock

    engine = create_engine(settings.backoffice.url)
    try:
        if reset:
            await drop_tables(engine)
        elif await is_seeded(engine):
            if if_empty:
                # A demo database seeded by an earlier release gains what this one added.
                await create_tables(engine)
                return 0
            print(
                "the back office already holds data; use --reset to re-create it", file=sys.stderr
            )
            return 1
        size = size or settings.backoffice.seed_size
        print(
            f"seeding the {size} retailer into {engine.url.render_as_string()} ...", file=sys.stderr
        )
        report = await seed(
            engine, size=size, random_seed=random_seed, today=build_clock(settings).today()
        )
        counts = ", ".join(f"{n} {table}" for table, n in report.counts.items())
        print(f"seeded in {report.seconds:.1f} s: {counts}", file=sys.stderr)
        return 0
    finally:
        await engine.dispose()


def _serve(settings: Settings, *, host: str | None, port: int | None, workers: int | None) -> int:
    import uvicorn

    from gateway.app import create_app
    from gateway.logs import configure_logging

    server = settings.server
    configure_logging(server.log_level)
    host, port = host or server.host, port or server.port
    workers = workers or server.workers
    print(f"serving GraphQL and GraphiQL at http://{host}:{port}/graphql", file=sys.stderr)
    if workers > 1:
        # Each worker process builds its own app from the same configuration.
        if settings.config_file is not None:
            os.environ["GATEWAY_CONFIG"] = str(settings.config_file)
        uvicorn.run(
            "gateway.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            access_log=False,
            log_config=None,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, access_log=False, log_config=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
