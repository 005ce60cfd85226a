"""Fixtures of the crm connector tests: a fresh back-office database per test."""

from tests.backoffice.crm.rows import engine, sessions

__all__ = ["engine", "sessions"]
