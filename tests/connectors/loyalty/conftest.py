"""Fixtures of the loyalty connector tests: a fresh back-office database per test."""

from tests.backoffice.loyalty.rows import engine, sessions

__all__ = ["engine", "sessions"]
