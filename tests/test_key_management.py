"""Pseudonymisation key: created once where the user can find it, protected, never leaked, clear errors.

The command-line tests run the real ``python -m analyse clean`` with HOME and
XDG_CONFIG_HOME in a temporary folder, so the user's own key is never touched.
Tests run as root, so "unreadable" is simulated with a directory at the key path
and with bytes that are not a key, not with chmod 000.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analyse.exceptions import ConfigError
from analyse.pipeline import clean_all
from analyse.runner import _check_parameters
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[1]


def _raw(folder: Path) -> Path:
    """A tiny, non-synthetic raw folder (so a real key is needed)."""
    write_csv(folder / "as2007" / "a.csv", [
        "CPR;Ydelsestype;Startdato;Slutdato",
        "010203-1234;§ 85 bostøtte timetakst;01-02-2018;",
        "0302051235;§ 85 bostøtte timetakst;01-03-2018;01-06-2018",
    ])
    return folder


def _clean(tmp_path: Path, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSE_")}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "xdg"), **env_changes)
    raw = _raw(tmp_path / "raw")
    return subprocess.run(
        [sys.executable, "-m", "analyse", "clean", "--raw", str(raw), "--out", str(tmp_path / "out")],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=120,
    )


def _key_path(tmp_path: Path) -> Path:
    return tmp_path / "xdg" / "analyse" / "pseudonym.key"


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_first_use_creates_a_private_key_and_says_where_and_why_it_matters(tmp_path):
    first = _clean(tmp_path)
    assert first.returncode == 0, first.stderr
    key_file = _key_path(tmp_path)
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # It says where the key is and that losing it breaks linkage with earlier runs.
    assert str(key_file) in first.stderr
    assert "backup" in first.stderr and "kobles" in first.stderr
    key = key_file.read_text(encoding="ascii").strip()
    assert key not in first.stdout + first.stderr
    # Nothing written holds the key either.
    for path in (tmp_path / "out").iterdir():
        assert key.encode() not in path.read_bytes()

    pseudonyms = pd.read_parquet(tmp_path / "out" / "as2007.parquet")["pseudonym"].tolist()
    second = _clean(tmp_path)
    assert second.returncode == 0 and "oprettet" not in second.stderr
    assert pd.read_parquet(tmp_path / "out" / "as2007.parquet")["pseudonym"].tolist() == pseudonyms


def test_a_directory_where_the_key_file_should_be_is_a_clear_error(tmp_path):
    _key_path(tmp_path).mkdir(parents=True)
    line = _one_line_error(_clean(tmp_path))
    assert str(_key_path(tmp_path)) in line and "kan ikke læses" in line
    assert "ANALYSE_PSEUDONYM_KEY" in line  # what to do


@pytest.mark.parametrize("content,expected", [
    (b"\xff\xfe\x00k\x00e\x00y", "kan ikke læses"),
    (b"abc123\n", "ugyldig"),
    (b"not-a-hex-key-" * 5, "ugyldig"),
])
def test_a_malformed_key_file_is_a_clear_error(tmp_path, content, expected):
    key_file = _key_path(tmp_path)
    key_file.parent.mkdir(parents=True)
    key_file.write_bytes(content)
    key_file.chmod(0o600)
    line = _one_line_error(_clean(tmp_path))
    assert expected in line and str(key_file) in line
    assert "backup" in line or "ANALYSE_PSEUDONYM_KEY" in line


def test_a_key_file_other_users_can_read_is_refused_but_group_access_is_allowed(tmp_path):
    key_file = _key_path(tmp_path)
    key_file.parent.mkdir(parents=True)
    key_file.write_text("ab" * 32 + "\n", encoding="ascii")
    key_file.chmod(0o644)
    line = _one_line_error(_clean(tmp_path))
    assert "chmod 600" in line and str(key_file) in line and "644" in line
    key_file.chmod(0o640)  # a team key shared through a group-owned file
    assert _clean(tmp_path).returncode == 0


def test_a_too_short_key_in_the_environment_is_a_clear_error(tmp_path):
    line = _one_line_error(_clean(tmp_path, ANALYSE_PSEUDONYM_KEY="kort"))
    assert "ANALYSE_PSEUDONYM_KEY" in line and "kort" in line.split(":", 2)[-1]
    assert not _key_path(tmp_path).exists()


def test_the_same_person_links_across_sources_and_files(tmp_path):
    raw = tmp_path / "raw"
    # One person, four ways of writing the CPR number, in AS2007 and in drug treatment.
    write_csv(raw / "as2007" / "a.csv", [
        "CPR;Ydelsestype;Startdato;Slutdato",
        "010203-1234;§ 85 bostøtte timetakst;01-02-2018;",
        "150570-4321;§ 85 bostøtte timetakst;01-02-2018;",
    ])
    write_csv(raw / "as2007" / "b.csv", [
        "cpr-nr;ydelse;start;slut",
        "10203 1234;§ 107 midlertidigt botilbud;01-03-2018;",  # 9 digits: Excel dropped the 0
    ])
    write_csv(raw / "rusmiddel" / "r.csv", [
        "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus",
        "0102031234;Alkohol;01-02-2018;01-05-2018;Ophørt",
        " 010203 - 1234 ;Stof;01-06-2018;;",
        "150570-4321;Stof;01-06-2018;;",
    ])
    write_csv(raw / "fremmoede" / "f1.csv", ["Dato;Tilbud;Deltager", "02-01-2018;NADA;Anne Hansen"])
    write_csv(raw / "fremmoede" / "f2.csv", ["Dato;Tilbud;Deltager", "09-01-2018;Kreativ;  ANNE   hansen "])
    summary = clean_all(raw, tmp_path / "out")
    as2007 = summary.results["as2007"].clean
    rusmiddel = summary.results["rusmiddel"].clean
    fremmoede = summary.results["fremmoede"].clean
    assert len(as2007) == 3 and len(rusmiddel) == 3
    person = as2007.loc[as2007["ydelsestype"] == "§ 107 Midlertidigt botilbud", "pseudonym"].iloc[0]
    assert (as2007["pseudonym"] == person).sum() == 2
    assert (rusmiddel["pseudonym"] == person).sum() == 2
    other = set(as2007["pseudonym"]) - {person}
    assert other == set(rusmiddel["pseudonym"]) - {person} and len(other) == 1
    assert fremmoede["pseudonym"].nunique() == 1
    # Written data holds pseudonyms only.
    for path in (tmp_path / "out").iterdir():
        text = path.read_bytes().decode("utf-8", errors="replace")
        for secret in ("0102031234", "010203-1234", "1505704321", "150570-4321", "anne"):
            assert secret not in text.casefold()


@pytest.mark.parametrize("parameters,match", [
    ({"pseudonym_key": "x" * 40}, "hemmelighed"),
    ({"noegle": "abc"}, "hemmelighed"),
    ({"first_period": "010203-1234"}, "CPR-nummer"),
    ({"first_period": ["2019H1", "0102031234"]}, "CPR-nummer"),
])
def test_runner_refuses_parameters_that_carry_secrets(parameters, match):
    with pytest.raises(ConfigError, match=match):
        _check_parameters(parameters, {Path("nb.ipynb"): {"first_period": {}}})


def test_runner_refuses_the_key_itself_as_a_parameter_value(monkeypatch):
    monkeypatch.setenv("ANALYSE_PSEUDONYM_KEY", "k" * 40)
    with pytest.raises(ConfigError, match="nøglen"):
        _check_parameters({"first_period": "k" * 40}, {Path("nb.ipynb"): {"first_period": {}}})
    _check_parameters({"first_period": "2019H1"}, {Path("nb.ipynb"): {"first_period": {}}})
