"""Fixtures of the orders connector tests: a fresh back-office database per test."""

from tests.backoffice.orders.rows import engine, sessions

__all__ = ["engine", "sessions"]
