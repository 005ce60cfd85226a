"""Fixtures the gateway's tests share."""

from __future__ import annotations

import pytest


@pytest.fixture
def empty_working_directory(tmp_path, monkeypatch):
    # ./gateway.toml is read when present: a settings test starts in a folder without one.
    monkeypatch.chdir(tmp_path)
