"""The outbox's tests run on the ledger's databases: a SQLite file and the real PostgreSQL."""

from tests.ledger.conftest import bare_engine, clock, ledger, ledger_engine, sqlite_engine

__all__ = ["bare_engine", "clock", "ledger", "ledger_engine", "sqlite_engine"]
