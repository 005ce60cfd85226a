"""Fixtures of the inventory connector tests: a fresh database per test, with some stock."""

from tests.backoffice.inventory.rows import engine, sessions, stock

__all__ = ["engine", "sessions", "stock"]
