"""Fixtures of the price engine's service tests: a fresh database per test."""

from tests.backoffice.pricing.rows import engine, sessions

__all__ = ["engine", "sessions"]
