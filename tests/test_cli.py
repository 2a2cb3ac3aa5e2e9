"""The `analyse` command: exit codes and one-line errors, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import TEST_KEY, write_csv


def analyse(*args, cwd=None):
    env = {**os.environ, "ANALYSE_PSEUDONYM_KEY": TEST_KEY}
    return subprocess.run([sys.executable, "-m", "analyse", *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_missing_required_column_is_one_line_naming_file_column_and_aliases(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "bevillinger.csv",
              ["CPR;Ydelsestype;Slutdato", "0102031234;§ 85 bostøtte døgntakst;"])
    result = analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "bevillinger.csv" in lines[0] and "Startdato" in lines[0] and "'fra dato'" in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "indikatorer.csv").exists()


def test_unreadable_file_is_one_line(tmp_path):
    folder = tmp_path / "raw" / "as2007"
    folder.mkdir(parents=True)
    (folder / "skadet.xlsx").write_bytes(b"not a workbook")
    result = analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "skadet.xlsx" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_rejected_rows_are_not_failure_and_errors_never_show_cpr(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "a.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "010203-1234;§ 999;01-01-2016;", "310299-1234;x;01-01-2016;"])
    result = analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "2 afviste" in result.stdout
    assert "0102031234" not in result.stdout + result.stderr and "310299" not in result.stdout + result.stderr


def test_failed_run_leaves_earlier_outputs_whole(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "as2007" / "a.csv", ["CPR;Ydelsestype;Startdato;Slutdato", "0102031234;§ 85 bostøtte døgntakst;01-01-2016;"])
    assert analyse("clean", "--raw", str(raw), "--out", str(out)).returncode == 0
    before = (out / "indikatorer.csv").read_bytes()
    write_csv(raw / "as2007" / "b.csv", ["CPR;Ydelsestype", "0102031234;x"])
    assert analyse("clean", "--raw", str(raw), "--out", str(out)).returncode == 2
    assert (out / "indikatorer.csv").read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_version_and_help():
    assert analyse("--version").stdout.startswith("analyse ")
    assert "sample" in analyse("--help").stdout


def test_clean_points_to_the_rejected_rows_and_the_mapping_without_quoting_cells(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "a.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "010203-1234;Anne Hansens bostøtte;01-01-2016;",
               "010203-1236;§ 85 bostøtte døgntakst;01-01-2016;"])
    result = analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
                     "--mappings", str(tmp_path / "egne"))
    assert result.returncode == 0, result.stderr
    assert f"afviste rækker og årsager: {tmp_path / 'out' / 'as2007_afviste.csv'}" in result.stdout
    assert f"ukendte ydelsestyper: 1 (på 1 rækker, se kvalitet.json); tilføj dem i {tmp_path / 'egne' / 'ydelsestype.csv'}" \
        in result.stdout
    assert "Anne" not in result.stdout + result.stderr  # a cell may hold a name: only counts are printed


def test_a_mistyped_raw_folder_stops_and_leaves_the_cleaned_data_alone(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "a.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "0102031234;§ 85 bostøtte døgntakst;01-01-2016;"])
    assert analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")).returncode == 0
    before = sorted(p.name for p in (tmp_path / "out").iterdir())
    (tmp_path / "tom").mkdir()
    for command in (["clean", "--raw", str(tmp_path / "raaw"), "--out", str(tmp_path / "out")],
                    ["clean", "--raw", str(tmp_path / "tom"), "--out", str(tmp_path / "out")],
                    ["build", "--raw", str(tmp_path / "raaw"), "--processed", str(tmp_path / "out"),
                     "--reports", str(tmp_path / "rapporter")]):
        result = analyse(*command)
        assert result.returncode == 2, result.stderr
        assert "intet er ændret" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == before
    assert not (tmp_path / "rapporter").exists()


def test_reports_without_cleaned_data_stop_instead_of_showing_only_dashes(tmp_path):
    result = analyse("run", "--processed", str(tmp_path / "findes-ikke"), "--reports", str(tmp_path / "r"))
    assert result.returncode == 2
    assert "findes-ikke findes ikke" in result.stderr and "analyse clean" in result.stderr
    assert not (tmp_path / "r").exists()


def test_an_output_folder_that_cannot_be_made_is_named_not_an_internal_error(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "a.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "0102031234;§ 85 bostøtte døgntakst;01-01-2016;"])
    (tmp_path / "en-fil").write_text("x")
    result = analyse("clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "en-fil" / "ud"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"analyse: fejl: kan ikke bruge {tmp_path / 'en-fil' / 'ud'}: en del af stien er en fil, ikke en mappe"


def test_command_line_mistakes_are_answered_in_danish():
    for args, expected in ((["run", "--jobs", "abc"], "analyse run: fejl: --jobs: 'abc' er ikke et helt tal"),
                           (["frobnicate"], "analyse: fejl: kommando: 'frobnicate' findes ikke (vælg mellem"),
                           ([], "analyse: fejl: mangler: kommando"),
                           (["clean", "--foo"], "analyse: fejl: ukendte argumenter: --foo")):
        result = analyse(*args)
        assert result.returncode == 2
        assert result.stderr.startswith("brug: analyse"), result.stderr
        assert expected in result.stderr, result.stderr
    assert "vis denne hjælp og afslut" in analyse("build", "--help").stdout


def test_sample_refuses_a_folder_with_real_extracts(tmp_path):
    real = write_csv(tmp_path / "raw" / "as2007" / "as2007_2018.csv",
                     ["CPR;Ydelsestype;Startdato;Slutdato", "010190-1234;§ 85 bostøtte timetakst;01-01-2018;"])
    before = real.read_bytes()
    result = analyse("sample", "--out", str(tmp_path / "raw"))
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"analyse: fejl: mappen {tmp_path / 'raw'} har allerede udtræk, som ikke er eksempeldata (as2007/as2007_2018.csv); "
        "eksempeldata skrives ikke ind imellem rigtige udtræk. Vælg en tom mappe med --out; intet er ændret"]
    assert real.read_bytes() == before and sorted(p.name for p in (tmp_path / "raw").rglob("*")) == ["as2007", "as2007_2018.csv"]


def test_a_source_folder_spelt_otherwise_is_named_by_clean_and_build(tmp_path):
    write_csv(tmp_path / "raw" / "AS2007" / "a.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "0102031234;§ 85 bostøtte døgntakst;01-01-2016;"])
    for command in (["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out")],
                    ["build", "--raw", str(tmp_path / "raw"), "--processed", str(tmp_path / "out"),
                     "--reports", str(tmp_path / "rapporter")]):
        result = analyse(*command)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"analyse: fejl: mappen AS2007/ i {tmp_path / 'raw'} skal hedde as2007/ (ellers læses den ikke, "
            "og de rensede data for as2007 fjernes); intet er ændret"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "rapporter").exists()


def test_a_missing_parameters_file_is_named_in_danish(tmp_path):
    (tmp_path / "processed").mkdir()
    (tmp_path / "processed" / "indikatorer.csv").write_text("indicator;group;period;value\n", encoding="utf-8")
    result = analyse("run", "--params", str(tmp_path / "mangler.yaml"), "--processed", str(tmp_path / "processed"),
                     "--reports", str(tmp_path / "r"))
    assert result.returncode == 2
    assert result.stderr.strip() == f"analyse: fejl: parameterfil {tmp_path / 'mangler.yaml'}: findes ikke"
