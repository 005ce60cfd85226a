"""The entry point of a soak-test worker: `commerce-gateway worker` in a process forked from a warm one.

The soak test starts its workers from a fork server that has imported the gateway once, so
that a replacement for a killed worker is up in milliseconds instead of the ~1.2 s of CPU
that importing the gateway takes: with a kill every ~0.6 s on two cores, fresh interpreters
would spend more CPU starting than delivering. Each process then runs the real command,
`commerce-gateway worker`, from its argument parsing on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from gateway.cli import main
from ledger import migrate

#: What the fork server imports before it forks: the command, everything it builds, and
#: what it would import on its first use of the database and of HTTP.
PRELOAD = [
    *("gateway.cli", "gateway.bootstrap", "gateway.worker", "gateway.logs"),
    *("gateway.config_loading", "gateway.config_checks"),
    *("asyncpg", "sqlalchemy.dialects.postgresql.asyncpg", "httpcore", "h11"),
    *("anyio._backends._asyncio", "tests.outbox.soak_worker"),
]

migrate.head()  # read the migrations once, here, rather than in every worker


def run(argv: Sequence[str], env: Mapping[str, str]) -> None:
    """`commerce-gateway ARGV` with `env` added to the environment; exits with its status."""
    os.environ.update(env)
    raise SystemExit(main(list(argv)))
