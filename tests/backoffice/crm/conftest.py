"""Fixtures of the crm service tests: a fresh database per test."""

from tests.backoffice.crm.rows import engine, sessions

__all__ = ["engine", "sessions"]
