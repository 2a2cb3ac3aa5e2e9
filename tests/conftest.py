"""Shared fixtures: every test gets its own key and folders, never the user's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

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


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    """The whole chain on the synthetic sample, once per session, as real processes:
    ``analyse sample`` then ``analyse build``. Tests read what it wrote (never change it).

    Before the build, a few known CPR numbers and names are planted in the raw
    folder (``tests/seeded_secrets.py``; ``build["seeded"]``) for the leak scan."""
    from tests.seeded_secrets import seed

    base = tmp_path_factory.mktemp("build")
    raw, processed, reports = base / "raw", base / "processed", base / "reports"
    env = {
        **os.environ,
        "ANALYSE_PROCESSED": str(processed),
        "ANALYSE_REPORTS": str(reports),
        "ANALYSE_TABLES_DIR": str(reports / "tabeller"),
        "ANALYSE_KEY_FILE": str(base / "never-created.key"),
    }
    env.pop("ANALYSE_PSEUDONYM_KEY", None)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "analyse", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    sample = run("sample", "--out", str(raw))
    assert sample.returncode == 0, sample.stderr
    seeded = seed(raw)
    result = run("build", "--raw", str(raw), "--processed", str(processed), "--reports", str(reports))
    assert result.returncode == 0, result.stdout + result.stderr
    return {"raw": raw, "processed": processed, "reports": reports, "env": env,
            "log": sample.stdout + sample.stderr + result.stdout + result.stderr, "base": base, "seeded": seeded}
