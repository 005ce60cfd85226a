"""Fixtures of the PIM connector tests: a fresh database per test, with a small catalogue."""

from tests.backoffice.pim.rows import catalogue, engine, sessions

__all__ = ["catalogue", "engine", "sessions"]
