"""Fixtures of the loyalty service tests: a fresh database per test."""

from tests.backoffice.loyalty.rows import engine, sessions

__all__ = ["engine", "sessions"]
