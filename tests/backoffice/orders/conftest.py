"""Fixtures of the orders service tests: a fresh database per test."""

from tests.backoffice.orders.rows import engine, sessions

__all__ = ["engine", "sessions"]
