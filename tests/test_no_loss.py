"""No loss, no half-writes, same result twice.

- Random mutations of valid extracts (a character deleted, fields swapped, a cell
  blanked, a row duplicated, another encoding): every input row is accounted for,
  ``rows_in = rows_clean + rows_rejected + duplicates_removed`` per file, and
  ``rows_in`` is the number of non-blank lines (counted here with the csv module,
  independently of the reader).
- A real ``python -m analyse clean`` killed with SIGKILL in the middle leaves the
  previous outputs intact (or, if it died while moving outputs into place, a
  journal the next clean finishes), and no temporary file among the outputs.
- Cleaning the same input twice gives byte-identical Parquet, indicator and
  quality files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyse import atomic
from analyse.cleaning import CleanContext, clean_source
from analyse.exceptions import InputFileError
from analyse.pipeline import SPECS, clean_all

ROOT = Path(__file__).resolve().parents[1]
KEY = "tab-test-noegle-" + "3" * 32

VALID = {
    "as2007": [
        "CPR;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb",
        "290200-4012;§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;2,5;1.234,50",
        "311299-1001;§ 107 Midlertidigt botilbud;01.03.2018;30-06-2018;Bo Ærø;;",
        "010170-1111;§ 85 bostøtte døgntakst;2018-04-01;;;;",
        "150590-2222;§ 108 Længerevarende botilbud;43132;43300;Østergården;;900",
        "290200-4012;§ 85 bostøtte timetakst;01-07-2018;31-12-2018;Bostøtten;3;",
    ],
    "fremmoede": [
        "Dato;Tilbud;Deltager;Antal",
        "02-01-2018;NADA;Søren Ærø;1",
        "02-01-2018;Kreativ;Anne Hansen;",
        "03-01-2018;Fitness;;4",
        "04-01-2018;;Åse Øster;2",
        "05-01-2018;NADA;søren ærø;1",
    ],
    "rusmiddel": [
        "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus",
        "290200-4012;Alkohol;01-02-2018;01-05-2018;Ophørt",
        "311299-1001;Stof;01-02-2018;;",
        "010170-1111;alkohol;01-03-2018;01-09-2018;Reduceret",
        "150590-2222;Stof;01-04-2018;01-10-2018;Uændret",
        "290200-4012;Stof;01-06-2018;01-11-2018;Afbrudt",
    ],
}


@st.composite
def mutated(draw, source: str):
    header, *rows = VALID[source]
    rows = list(rows)
    for _ in range(draw(st.integers(0, 6))):
        if not rows:
            break
        i = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["delete_char", "swap_fields", "blank_cell", "duplicate_row", "drop_row"]))
        fields = rows[i].split(";")
        if kind == "delete_char" and rows[i]:
            j = draw(st.integers(0, len(rows[i]) - 1))
            rows[i] = rows[i][:j] + rows[i][j + 1:]
        elif kind == "swap_fields":
            a, b = draw(st.integers(0, len(fields) - 1)), draw(st.integers(0, len(fields) - 1))
            fields[a], fields[b] = fields[b], fields[a]
            rows[i] = ";".join(fields)
        elif kind == "blank_cell":
            fields[draw(st.integers(0, len(fields) - 1))] = ""
            rows[i] = ";".join(fields)
        elif kind == "duplicate_row":
            rows.insert(draw(st.integers(0, len(rows))), rows[i])
        elif kind == "drop_row":
            rows.pop(i)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return (newline.join([header, *rows]) + newline).encode(encoding)


def _expected_rows(data: bytes, n_columns: int) -> int:
    """Data lines with at least one non-blank contract cell, counted with the csv module."""
    text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else None
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    return sum(any(cell.strip() for cell in row[:n_columns]) for row in rows)


def _check_accounting(source: str, data: bytes, folder: Path):
    path = folder / f"{source}.csv"
    path.write_bytes(data)
    spec = SPECS[source]
    try:
        result = clean_source(spec, [path], CleanContext(key=KEY.encode(), mappings_dir=folder / "none"))
    except InputFileError:
        return  # a stop with a clear message is an allowed outcome (never a crash, never a loss)
    (account,) = result.quality["files"]
    assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]
    assert account["rows_in"] == _expected_rows(data, len(spec.columns))
    assert len(result.clean) == account["rows_clean"] and len(result.rejected) == account["rows_rejected"]
    assert sum(account["rejected_by_reason"].values()) == account["rows_rejected"]
    # Every surviving line is somewhere: clean or rejected, by its row number.
    seen = sorted([*result.clean["source_row"].tolist(), *result.rejected["source_row"].tolist()])
    assert len(seen) == len(set(seen)) == account["rows_in"] - account["duplicates_removed"]


@pytest.mark.parametrize("source", list(VALID))
def test_property_every_row_is_accounted_for_after_random_mutations(source, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"mut-{source}")

    @settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(source))
    def check(data):
        _check_accounting(source, data, folder)

    check()


# --- same input, same output ---------------------------------------------------------------------


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_cleaning_twice_gives_byte_identical_outputs(tmp_path, monkeypatch):
    from analyse.sample import write_sample

    raw = tmp_path / "raw"
    write_sample(raw, seed=7)
    first, second = clean_all(raw, tmp_path / "a"), clean_all(raw, tmp_path / "b")
    a, b = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert a == b
    assert {"as2007.parquet", "fremmoede.parquet", "rusmiddel.parquet", "indikatorer.csv", "kvalitet.json"} <= set(a)
    # Cleaning again into the same folder changes nothing either.
    clean_all(raw, tmp_path / "a")
    assert _hashes(tmp_path / "a") == a


# --- half-writes ----------------------------------------------------------------------------------


def _visible(folder: Path) -> dict[str, str]:
    return {k: v for k, v in _hashes(folder).items() if not k.startswith(".")}


def _hidden_leftovers(folder: Path) -> list[str]:
    """Staging folders, journals and temporary files left in the output folder."""
    return sorted(p.name for p in folder.iterdir()
                  if p.name.startswith((atomic.STAGING_PREFIX, atomic.JOURNAL, f".{atomic.JOURNAL}"))
                  or p.name.endswith(".tmp"))


def _report_run_on(reports: Path):
    """``analyse run``'s entry point with no reports to make: it must still finish a broken move first."""
    from analyse.build import run_reports

    def finish(out: Path) -> bool:
        had_journal = (out / atomic.JOURNAL).exists()
        run_reports([], reports, out, say=lambda _: None)
        return had_journal and not (out / atomic.JOURNAL).exists()

    return finish


@pytest.mark.parametrize("finisher", ["clean", "report run"])
def test_a_crash_while_moving_outputs_into_place_is_finished_by_the_next_run(tmp_path, monkeypatch, finisher):
    raw_a, raw_b, out = tmp_path / "a", tmp_path / "b", tmp_path / "out"
    for raw, rows in ((raw_a, VALID["as2007"][:3]), (raw_b, VALID["as2007"])):
        (raw / "as2007").mkdir(parents=True)
        (raw / "as2007" / "x.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (raw_b / "rusmiddel").mkdir()
    (raw_b / "rusmiddel" / "r.csv").write_text("\n".join(VALID["rusmiddel"]) + "\n", encoding="utf-8")
    clean_all(raw_a, out)
    before = _visible(out)
    clean_all(raw_b, tmp_path / "expected")
    expected = _visible(tmp_path / "expected")

    real_replace, moved = os.replace, []

    def dies_after_two_moves(src, dst):
        if (out / atomic.JOURNAL).exists() and Path(src).parent.name.startswith(atomic.STAGING_PREFIX):
            if len(moved) == 2:
                raise OSError("simuleret nedbrud midt i flytningen")
            moved.append(dst)
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", dies_after_two_moves)
    with pytest.raises(OSError, match="simuleret"):
        clean_all(raw_b, out)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    mixed = _visible(out)
    assert mixed != before and mixed != expected  # the window the journal exists for
    assert (out / atomic.JOURNAL).exists()
    finish = atomic.recover if finisher == "clean" else _report_run_on(tmp_path / "reports")
    assert finish(out)
    assert _visible(out) == expected
    assert _hidden_leftovers(out) == []


def _write_big_input(raw: Path, rows: int = 400_000) -> None:
    import numpy as np

    rng = np.random.default_rng(1)
    days = pd.date_range("2018-01-01", periods=700).strftime("%d-%m-%Y").to_numpy()
    tilbud = np.array(["NADA", "Kreativ", "Fitness", "Pilates", "Ungestedet"])
    frame = pd.DataFrame({
        "Dato": days[rng.integers(0, 700, rows)],
        "Tilbud": tilbud[rng.integers(0, 5, rows)],
        "Deltager": pd.Series(rng.integers(0, 5000, rows)).map("Deltager {}".format),
        "Antal": 1,
    })
    (raw / "fremmoede").mkdir(parents=True)
    frame.to_csv(raw / "fremmoede" / "stor.csv", sep=";", index=False)
    (raw / "as2007").mkdir()
    (raw / "as2007" / "x.csv").write_text("\n".join(VALID["as2007"]) + "\n", encoding="utf-8")


def test_a_killed_clean_leaves_the_previous_outputs_whole(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSE_")}
    env.update(ANALYSE_PSEUDONYM_KEY=KEY, HOME=str(tmp_path / "home"), ANALYSE_MAPPINGS=str(tmp_path / "none"))
    small, big, out = tmp_path / "small", tmp_path / "big", tmp_path / "out"
    (small / "as2007").mkdir(parents=True)
    (small / "as2007" / "x.csv").write_text("\n".join(VALID["as2007"][:3]) + "\n", encoding="utf-8")
    _write_big_input(big)
    command = [sys.executable, "-m", "analyse", "clean", "--out", str(out), "--raw"]
    assert subprocess.run([*command, str(small)], env=env, cwd=ROOT, capture_output=True).returncode == 0
    before = _visible(out)
    big_inputs = {hashlib.sha256(p.read_bytes()).hexdigest() for p in big.rglob("*.csv")}

    def check_after_kill():
        if (out / atomic.JOURNAL).exists():  # died while moving: the next clean finishes the move
            atomic.recover(out)
            quality = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))
            assert {f["sha256"] for s in quality.values() for f in s["files"]} == big_inputs
        else:
            assert _visible(out) == before
        assert not [n for n in _visible(out) if n.endswith(".tmp")]

    # Killed at the moment it starts writing its outputs, and killed early while still computing.
    for moment in ("writing", 0.8):
        process = subprocess.Popen([*command, str(big)], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        while process.poll() is None and time.monotonic() - started < 60:
            if moment == "writing" and list(out.glob(f"{atomic.STAGING_PREFIX}*")):
                break
            if moment != "writing" and time.monotonic() - started >= moment:
                break
            time.sleep(0.002)
        assert process.poll() is None, "the clean finished before it could be killed; use a larger input"
        process.send_signal(signal.SIGKILL)
        process.wait()
        check_after_kill()

    # The next clean runs to the end and tidies up after the killed ones.
    result = subprocess.run([*command, str(big)], env=env, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _hidden_leftovers(out) == []
    quality = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))
    assert quality["fremmoede"]["rows_in"] == 400_000
