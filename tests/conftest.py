"""Shared fixtures: every test gets its own key and folders, never the user's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

TEST_KEY = "test-noegle-" + "0" * 40


@pytest.fixture(autouse=True)
def isolated_key(tmp_path_factory, monkeypatch):
    """A fixed test key in the environment, and a key file path inside tmp (never ~/.config)."""
    monkeypatch.setenv("ANALYSE_PSEUDONYM_KEY", TEST_KEY)
    key_dir = tmp_path_factory.mktemp("key")
    monkeypatch.setattr("analyse.config.KEY_FILE", key_dir / "pseudonym.key")
    monkeypatch.setattr("analyse.config.USER_MAPPINGS_DIR", key_dir / "no-user-mappings")
    yield


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", sep: str = ";") -> Path:
    """Write lines (fields joined by ``;`` in the source) with another separator/encoding."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(line.replace(";", sep) for line in lines) + "\n"
    path.write_bytes(text.encode(encoding))
    return path
