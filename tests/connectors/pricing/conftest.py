"""Fixtures of the price engine connector tests: a fresh database per test."""

from tests.backoffice.pricing.rows import engine, sessions

__all__ = ["engine", "sessions"]
