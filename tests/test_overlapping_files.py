"""One extract read twice: records found in more than one file of a source are reported, never removed.

Exact duplicate rows are removed (the contract); an extract exported twice is not byte for
byte the same (CPR without the dash, UTF-8 instead of cp1252, native dates in an .xlsx, an
old extract beside a refreshed one), so its records are counted twice. Cleaning keeps them
(the analyst decides which file goes), lists them per pair of files in ``kvalitet.json``
(``overlapping_files``) and the command line warns. Also: identical anonymous attendance rows
within a file are exact duplicates (counted once), which the analyst is told about.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from analyse import as2007, fremmoede, rusmiddel
from analyse.cleaning import CleanContext, SourceSpec, clean_source
from analyse.indicators import fremmoede_indicators
from analyse.pipeline import clean_all, quality_hints
from analyse.rusmiddel import outcome_shares
from tests.conftest import TEST_KEY, write_csv
from tests.test_fremmoede import write_xlsx

CONTEXT = CleanContext(key=TEST_KEY.encode())
AS2007_HEADER = "CPR-nr;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb"
RUSMIDDEL_HEADER = "CPR-nr;Misbrugstype;Startdato;Slutdato;Udfald"
FREMMOEDE_HEADER = "Dato;Tilbud;Deltager;Antal"


def cpr(i: int, dash: bool = True) -> str:
    """Distinct valid CPR numbers (born 1 February 1983 + i days)."""
    born = dt.date(1983, 2, 1) + dt.timedelta(days=i)
    return f"{born:%d%m%y}{'-' if dash else ''}12{i % 10}{i % 7}"


def overlaps(result) -> list[dict]:
    return result.quality["overlapping_files"]


# --- AS2007: an old extract beside a refreshed one ----------------------------------------------


def test_as2007_old_and_refreshed_extract_side_by_side(tmp_path):
    folder = tmp_path / "as2007"
    # Six grants open in the old extract; the refreshed one has closed four of them and has a new one.
    old_lines = [f"{cpr(i)};§ 85 bostøtte timetakst;{3 + i:02d}-01-2019;;Team Syd;3;" for i in range(6)]
    new_lines = [f"{cpr(i)};§ 85 bostøtte timetakst;{3 + i:02d}-01-2019;{'28-02-2019' if i < 4 else ''};Team Syd;3;"
                 for i in range(6)]
    new_lines.append(f"{cpr(9)};§ 85 bostøtte døgntakst;01-03-2019;;;;")
    old = write_csv(folder / "as2007_gammel.csv", [AS2007_HEADER, *old_lines])
    new = write_csv(folder / "as2007_ny.csv", [AS2007_HEADER, *new_lines])
    result = clean_source(as2007.SPEC, [old, new], CONTEXT)
    # Two grants are the same text in both files: exact duplicates, removed and counted as before.
    assert result.quality["duplicates_removed"] == 2
    # The four closed since are the same grants, counted twice: reported, and kept (6 + 5 rows).
    assert len(result.clean) == 11
    assert overlaps(result) == [{"files": ["as2007_gammel.csv", "as2007_ny.csv"], "rows": 4,
                                 "first_date": "2019-01-03", "last_date": "2019-01-06"}]


def test_as2007_file_names_are_shown_without_a_cpr_number(tmp_path):
    folder = tmp_path / "as2007"
    lines = [f"{cpr(i)};§ 85 bostøtte timetakst;01-02-2018;;;;" for i in range(3)]
    a = write_csv(folder / f"udtræk {cpr(40)}.csv", [AS2007_HEADER, *lines])
    b = write_csv(folder / "udtræk.csv", [AS2007_HEADER, *(line.replace("-", "", 1) for line in lines)])
    result = clean_source(as2007.SPEC, [a, b], CONTEXT)
    assert overlaps(result)[0]["files"] == ["udtræk [CPR skjult].csv", "udtræk.csv"]
    assert overlaps(result)[0]["rows"] == 3
    assert cpr(40) not in json.dumps(result.quality) and cpr(40, dash=False) not in json.dumps(result.quality)


def test_as2007_one_file_or_disjoint_files_have_no_overlap(tmp_path):
    folder = tmp_path / "as2007"
    one = write_csv(folder / "as2007_2018.csv", [AS2007_HEADER, *(
        f"{cpr(i)};§ 85 bostøtte timetakst;01-02-2018;;;;" for i in range(4))])
    assert overlaps(clean_source(as2007.SPEC, [one], CONTEXT)) == []
    # The same persons and types in the next year's extract, with new grants: nothing in common.
    two = write_csv(folder / "as2007_2019.csv", [AS2007_HEADER, *(
        f"{cpr(i)};§ 85 bostøtte timetakst;01-02-2019;;;;" for i in range(4))])
    # The same day and type for other persons: nothing in common either.
    three = write_csv(folder / "as2007_andre.csv", [AS2007_HEADER, *(
        f"{cpr(i)};§ 85 bostøtte timetakst;01-02-2018;;;;" for i in range(10, 14))])
    result = clean_source(as2007.SPEC, [one, two, three], CONTEXT)
    assert len(result.clean) == 12
    assert overlaps(result) == []


# --- rusmiddel: a copy with CPR numbers written without the dash, saved as UTF-8 -------------------


def test_rusmiddel_copy_with_other_cpr_format_and_encoding(tmp_path):
    folder = tmp_path / "rusmiddel"
    lines = [f"{cpr(i)};Alkohol;{1 + i:02d}-02-2016;{1 + i:02d}-06-2016;{'Ophørt' if i % 2 else 'Uændret'}"
             for i in range(8)]
    lines += [f"{cpr(20)};Stof;01-03-2016;;", f"{cpr(21)};Stof;01-01-2017;01-05-2017;Reduceret"]
    original = write_csv(folder / "rusmiddel_2016.csv", [RUSMIDDEL_HEADER, *lines], encoding="cp1252")
    copy = write_csv(folder / "rusmiddel_2016 (2).csv",
                     [RUSMIDDEL_HEADER, *(line.replace("-", "", 1) for line in lines[:9])], encoding="utf-8")
    result = clean_source(rusmiddel.SPEC, [original, copy], CONTEXT)
    assert result.quality["duplicates_removed"] == 0  # not one row is the same text
    assert overlaps(result) == [{"files": ["rusmiddel_2016.csv", "rusmiddel_2016 (2).csv"], "rows": 9,
                                 "first_date": "2016-02-01", "last_date": "2016-03-01"}]
    # Nothing is removed: the completed 2016 alcohol episodes are still counted twice (the analyst decides).
    shares = outcome_shares(result.clean, "2016-01-01", "2016-12-31").set_index("group")
    assert shares.at["Alkohol", "n"] == 16


def test_rusmiddel_an_episode_of_another_substance_or_start_is_another_episode(tmp_path):
    folder = tmp_path / "rusmiddel"
    a = write_csv(folder / "a.csv", [RUSMIDDEL_HEADER, f"{cpr(1)};Alkohol;01-02-2016;;"])
    b = write_csv(folder / "b.csv", [RUSMIDDEL_HEADER, f"{cpr(1)};Stof;01-02-2016;;",
                                     f"{cpr(1)};Alkohol;02-02-2016;;"])
    assert overlaps(clean_source(rusmiddel.SPEC, [a, b], CONTEXT)) == []


# --- fremmøde: a half-year also saved as .xlsx ----------------------------------------------------


def attendance_lines() -> list[str]:
    lines = []
    for day in (5, 6, 12, 13):
        lines += [f"{day:02d}-02-2018;Recoveryskolen;Anne Hansen;", f"{day:02d}-02-2018;NADA;Bo Holm;",
                  f"{day:02d}-02-2018;NADA;;3"]
    return lines


def as_xlsx_rows(lines: list[str]) -> list[list]:
    """The rows as Excel saves them: native dates, numbers as numbers."""
    rows = [FREMMOEDE_HEADER.split(";")]
    for line in lines:
        date, tilbud, deltager, antal = line.split(";")
        rows.append([dt.datetime.strptime(date, "%d-%m-%Y"), tilbud, deltager or None, int(antal) if antal else None])
    return rows


def test_fremmoede_half_year_saved_as_csv_and_xlsx(tmp_path):
    folder = tmp_path / "fremmoede"
    lines = attendance_lines()
    csv = write_csv(folder / "fremmoede_2018H1.csv", [FREMMOEDE_HEADER, *lines], encoding="cp1252")
    xlsx = write_xlsx(folder / "fremmoede_2018H1.xlsx", as_xlsx_rows(lines))
    result = clean_source(fremmoede.SPEC, [csv, xlsx], CONTEXT)
    assert result.quality["duplicates_removed"] == 0
    # 8 named registrations in both; the anonymous NADA rows (4 in each) lie on the days both cover.
    assert overlaps(result) == [{"files": ["fremmoede_2018H1.csv", "fremmoede_2018H1.xlsx"], "rows": 8,
                                 "first_date": "2018-02-05", "last_date": "2018-02-13", "anonymous_rows": 8}]
    ind = fremmoede_indicators(result.clean)
    visits = ind[(ind.indicator == "besoeg_pr_tilbud") & (ind.group == "Recoveryskolen (kursister)")]
    assert visits["value"].sum() == 8  # still counted twice: reported, not removed


def test_fremmoede_only_anonymous_rows_on_the_same_days_of_a_tilbud(tmp_path):
    folder = tmp_path / "fremmoede"
    a = write_csv(folder / "nada_liste_1.csv", [FREMMOEDE_HEADER, "05-02-2018;NADA;;2", "09-02-2018;NADA;;1",
                                                "20-02-2018;NADA;;1"])
    b = write_csv(folder / "nada_liste_2.csv", [FREMMOEDE_HEADER, "07-02-2018;NADA;;4", "12-02-2018;NADA;;1",
                                                "28-02-2018;NADA;;1"])
    result = clean_source(fremmoede.SPEC, [a, b], CONTEXT)
    # Both cover 7-20 February: 2 rows of the first list and 2 of the second lie there.
    assert overlaps(result) == [{"files": ["nada_liste_1.csv", "nada_liste_2.csv"], "rows": 0,
                                 "first_date": "2018-02-07", "last_date": "2018-02-20", "anonymous_rows": 4}]


def test_fremmoede_disjoint_half_years_and_one_file_per_tilbud_have_no_overlap(tmp_path):
    folder = tmp_path / "fremmoede"
    h1 = write_csv(folder / "2018H1.csv", [FREMMOEDE_HEADER, "05-02-2018;NADA;Bo Holm;", "29-06-2018;NADA;;2"])
    h2 = write_csv(folder / "2018H2.csv", [FREMMOEDE_HEADER, "02-07-2018;NADA;Bo Holm;", "03-09-2018;NADA;;2"])
    # Another tilbud on the same days, with the same participant and anonymous rows: another list.
    other = write_csv(folder / "recovery_2018H1.csv", [FREMMOEDE_HEADER, "05-02-2018;Recoveryskolen;Bo Holm;",
                                                       "29-06-2018;Recoveryskolen;;3"])
    assert overlaps(clean_source(fremmoede.SPEC, [h1], CONTEXT)) == []
    assert overlaps(clean_source(fremmoede.SPEC, [h1, h2, other], CONTEXT)) == []


# --- fremmøde: identical anonymous rows are exact duplicates ---------------------------------------


def test_identical_anonymous_rows_are_counted_once_and_reported(tmp_path):
    folder = tmp_path / "fremmoede"
    a = write_csv(folder / "a.csv", [FREMMOEDE_HEADER, "05-02-2019;NADA;;", "05-02-2019;NADA;;", "05-02-2019;NADA;;",
                                     "05-02-2019;NADA;Bo Holm;", "05-02-2019;NADA;Bo Holm;",  # a named duplicate
                                     "06-02-2019;NADA;anonym;2", "06-02-2019;NADA;anonym;2"])
    # A row copied from a.csv into another file: a duplicate across files, not a list's way of writing.
    b = write_csv(folder / "b.csv", [FREMMOEDE_HEADER, "05-02-2019;NADA;;", "07-02-2019;NADA;;"])
    result = clean_source(fremmoede.SPEC, [a, b], CONTEXT)
    assert result.quality["duplicates_removed"] == 5  # the counting is unchanged (the contract)
    assert result.quality["anonymous_duplicates_removed"] == 3
    assert result.quality["anonymous_duplicates_by_file"] == {"a.csv": 3}
    ind = fremmoede_indicators(result.clean)
    assert ind[(ind.indicator == "besoeg_pr_tilbud") & (ind.group == "NADA")]["value"].sum() == 1 + 1 + 2 + 1
    hints = quality_hints("fremmoede", result.quality, tmp_path / "ud", tmp_path / "m")
    assert ("ADVARSEL: 3 ens anonyme rækker er talt som dubletter (a.csv: 3); "
            "brug kolonnen Antal til flere anonyme besøg på én række") in hints


def test_no_anonymous_duplicates_no_hint(tmp_path):
    path = write_csv(tmp_path / "fremmoede" / "a.csv", [FREMMOEDE_HEADER, "05-02-2019;NADA;;3"])
    result = clean_source(fremmoede.SPEC, [path], CONTEXT)
    assert result.quality["anonymous_duplicates_removed"] == 0
    assert not [h for h in quality_hints("fremmoede", result.quality, tmp_path, tmp_path) if "ADVARSEL" in h]


# --- kvalitet.json, the hints and the command line ---------------------------------------------------


def test_kvalitet_json_has_the_overlap_for_every_source(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "as2007" / "a.csv", [AS2007_HEADER, f"{cpr(1)};§ 85 bostøtte timetakst;01-02-2018;;;;"])
    write_csv(raw / "rusmiddel" / "a.csv", [RUSMIDDEL_HEADER, f"{cpr(1)};Alkohol;01-02-2018;;"])
    write_csv(raw / "rusmiddel" / "b.csv", [RUSMIDDEL_HEADER, f"{cpr(1, dash=False)};alkohol;01-02-2018;;"])
    clean_all(raw, out, mappings_dir=tmp_path / "ingen")
    quality = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))
    assert quality["as2007"]["overlapping_files"] == []
    assert quality["rusmiddel"]["overlapping_files"] == [
        {"files": ["a.csv", "b.csv"], "rows": 1, "first_date": "2018-02-01", "last_date": "2018-02-01"}]


def test_hint_names_both_files_the_count_and_the_fix():
    quality = {"overlapping_files": [{"files": ["fremmoede_2018H1.csv", "fremmoede_2018H1.xlsx"], "rows": 8,
                                      "first_date": "2018-02-05", "last_date": "2018-02-13", "anonymous_rows": 8}]}
    [hint] = quality_hints("fremmoede", quality, "ud", "m")
    assert hint.startswith("ADVARSEL: fremmoede_2018H1.csv og fremmoede_2018H1.xlsx har 8 navngivne registreringer")
    assert "8 anonyme rækker" in hint and "05-02-2018 til 13-02-2018" in hint
    assert "tælles nu to gange" in hint and "gammelt og et nyt udtræk side om side" in hint
    assert "fjern den ældste af filerne" in hint


def test_clean_command_warns_about_the_overlap_and_exits_0(tmp_path):
    raw = tmp_path / "raw"
    lines = [f"{cpr(i)};§ 85 bostøtte timetakst;{3 + i:02d}-01-2019;;;;" for i in range(3)]
    write_csv(raw / "as2007" / "as2007_gammel.csv", [AS2007_HEADER, *lines], encoding="cp1252")
    write_csv(raw / "as2007" / "as2007_ny.csv",
              [AS2007_HEADER, *(line.replace(";;;;", ";31-01-2019;;;") for line in lines)])
    write_csv(raw / "fremmoede" / "liste.csv", [FREMMOEDE_HEADER, "05-02-2019;NADA;;", "05-02-2019;NADA;;",
                                                "05-02-2019;NADA;;"])
    env = {**os.environ, "ANALYSE_PSEUDONYM_KEY": TEST_KEY}
    done = subprocess.run([sys.executable, "-m", "analyse", "clean", "--raw", str(raw), "--out", str(tmp_path / "ud")],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert ("ADVARSEL: as2007_gammel.csv og as2007_ny.csv har 3 bevillinger (samme person, ydelsestype og "
            "startdato) til fælles (03-01-2019 til 05-01-2019), og personer tælles kun én gang, men en "
            "bevilling, der er åben i den ene fil og afsluttet i den anden, holder personen med i tallene "
            "for længe.") in done.stdout
    assert "fjern den ældste af filerne" in done.stdout
    assert "ADVARSEL: 2 ens anonyme rækker er talt som dubletter (liste.csv: 2)" in done.stdout
    assert cpr(0) not in done.stdout + done.stderr


def test_a_misspelt_identity_column_stops_the_declaration():
    with pytest.raises(ValueError, match="pseudonymm"):
        SourceSpec(name="x", title="X", columns=as2007.COLUMNS, clean=as2007.clean_as2007,
                   output_columns=as2007.OUTPUT_COLUMNS, personal_columns=("cpr",), date_and_number_columns=(),
                   identity_columns=("pseudonymm", "start_date"), identity_date="start_date")
