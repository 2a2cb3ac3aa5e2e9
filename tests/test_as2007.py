"""The AS2007 cleaner on messy extracts: every row clean, rejected with a reason, or a counted duplicate."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyse import as2007, cleaning
from analyse.cleaning import CleanContext, clean_source
from analyse.pipeline import clean_all
from tests.conftest import TEST_KEY, write_csv

HEADER = "CPR-nr;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb"
CONTEXT = CleanContext(key=TEST_KEY.encode())


def clean_lines(tmp_path, lines, **kwargs):
    path = write_csv(tmp_path / "as2007" / "udtraek.csv", [HEADER, *lines], **kwargs)
    return clean_source(as2007.SPEC, [path], CONTEXT)


def test_label_variants_map_to_the_canonical_label(tmp_path):
    lines = [
        f"0102031234;{label};01-02-2016;;;;"
        for label in ["SEL §85 Bostøtte - timetakst", "§85 bostøtte timetakst", "85 Bostøtte timetakst",
                      "§ 85 BOSTØTTE TIMETAKST", "bostøtte timetakst"]
    ]
    result = clean_lines(tmp_path, [line.replace("0102031234", f"01020312{i}4") for i, line in enumerate(lines)])
    assert result.clean["ydelsestype"].unique().tolist() == ["§ 85 bostøtte timetakst"]


def test_user_mapping_file_extends_the_shipped_one(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "ydelsestype.csv").write_text("variant;kanonisk\nBostøtte i eget hjem;§ 85 bostøtte timetakst\n")
    path = write_csv(tmp_path / "as2007" / "x.csv", [HEADER, "0102031234;Bostøtte i eget hjem;01-02-2016;;;;"])
    without = clean_source(as2007.SPEC, [path], CONTEXT)
    with_user = clean_source(as2007.SPEC, [path], CleanContext(key=TEST_KEY.encode(), mappings_dir=user))
    assert without.quality["unknown_labels"] == {"Bostøtte i eget hjem": 1}
    assert with_user.clean["ydelsestype"].tolist() == ["§ 85 bostøtte timetakst"]


def test_each_rejection_reason(tmp_path):
    lines = [
        "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;;;",          # clean
        "310299-1234;§ 85 bostøtte døgntakst;01-02-2016;;;;",         # CPR: 31 February
        "0102031234;§ 85 bostøtte døgntakst;31-02-2016;;;;",          # start: no such date
        "0102031234;§ 85 bostøtte døgntakst;;;;;",                    # start missing
        "0102031234;§ 85 bostøtte døgntakst;01-02-2016;i morgen;;;",  # end unreadable
        "0102031234;§ 999 Ukendt;01-02-2016;;;;",                     # unknown type
        "0102031234;§ 85 bostøtte døgntakst;01-02-2016;31-01-2016;;;",  # end before start
        "0102031234;§ 85 bostøtte timetakst;01-02-2016;;;-3;",         # negative hours
        "0102031234;§ 85 bostøtte timetakst;01-02-2016;;;mange;",      # unreadable hours
        "0102031234;§ 85 bostøtte timetakst;01-02-2016;;;;gratis",     # unreadable amount
    ]
    result = clean_lines(tmp_path, lines)
    assert len(result.clean) == 1
    assert result.rejected["reason"].tolist() == [
        as2007.R_CPR, as2007.R_START, as2007.R_START, as2007.R_END, as2007.R_TYPE,
        as2007.R_END_BEFORE_START, as2007.R_HOURS, as2007.R_HOURS, as2007.R_AMOUNT,
    ]
    assert result.rejected["source_row"].tolist() == list(range(3, 12))
    assert result.rejected["column"].iloc[0] == "CPR"


def test_rejected_rows_carry_the_pseudonym_never_the_cpr(tmp_path):
    result = clean_lines(tmp_path, ["010203-1234;§ 999 Ukendt;01-02-2016;;;;", "310299-1234;x;01-02-2016;;;;"])
    text = result.rejected.to_csv()
    assert "0102031234" not in text and "010203-1234" not in text and "310299" not in text
    assert "CPR" not in result.rejected.columns
    assert result.rejected["pseudonym"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_same_person_in_any_written_form_gets_one_pseudonym(tmp_path):
    lines = [f"{cpr};§ 85 bostøtte døgntakst;01-02-2016;;;;" for cpr in
             ["010203-1234", "0102031234", " 010203 - 1234", "10203-1234"]]
    result = clean_lines(tmp_path, lines)
    assert result.clean["pseudonym"].nunique() == 1
    assert result.clean[["birth_year", "sex"]].drop_duplicates().values.tolist() == [[1903, "K"]]


def test_pseudonym_depends_on_the_key(tmp_path):
    path = write_csv(tmp_path / "as2007" / "x.csv", [HEADER, "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;;;"])
    one = clean_source(as2007.SPEC, [path], CONTEXT).clean["pseudonym"][0]
    other = clean_source(as2007.SPEC, [path], CleanContext(key=b"x" * 40)).clean["pseudonym"][0]
    assert one != other


def test_duplicates_within_and_across_files_are_counted_against_the_later_file(tmp_path):
    row = "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;Engen;;1.000,00"
    first = write_csv(tmp_path / "as2007" / "a.csv", [HEADER, row, row, row])
    second = write_csv(tmp_path / "as2007" / "b.csv", [HEADER, row, row.replace("Engen", "Anden")], encoding="cp1252")
    result = clean_source(as2007.SPEC, [first, second], CONTEXT)
    files = {f["file"]: f for f in result.quality["files"]}
    assert files["a.csv"]["duplicates_removed"] == 2 and files["b.csv"]["duplicates_removed"] == 1
    assert len(result.clean) == 2


def test_danish_numbers_and_blank_end_dates(tmp_path):
    result = clean_lines(tmp_path, ["0102031234;§ 85 bostøtte timetakst;01-02-2016;;Engen;3,5;12.345,50"])
    row = result.clean.iloc[0]
    assert row["hours_per_week"] == 3.5 and row["amount"] == 12345.5 and pd.isna(row["end_date"])


def test_a_planned_grant_keeps_its_row_but_adds_no_half_years_that_have_not_begun(tmp_path):
    planned = (pd.Timestamp.today() + pd.DateOffset(years=3)).strftime("%d-%m-%Y")
    write_csv(tmp_path / "raw" / "as2007" / "x.csv", [
        HEADER,
        "0102031234;§ 85 bostøtte timetakst;01-02-2018;;;;",      # ongoing since 2018
        f"0202031234;§ 85 bostøtte timetakst;{planned};;;;",    # planned: kept as a clean row
    ])
    # A treatment extract beside it puts shares (0.5) in the same value column as the counts.
    write_csv(tmp_path / "raw" / "rusmiddel" / "r.csv", [
        "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus",
        "0102031234;Alkohol;01-02-2018;01-05-2018;Ophørt", "0202031234;Alkohol;01-02-2018;01-05-2018;Afbrudt",
    ])
    summary = clean_all(tmp_path / "raw", tmp_path / "out")
    assert len(summary.results["as2007"].clean) == 2
    indicators = pd.read_csv(tmp_path / "out" / "indikatorer.csv", sep=";")
    periods = indicators.loc[indicators["indicator"] == "unikke_personer_visiteret_ydelse", "period"]
    today = pd.Timestamp.today()
    assert periods.iloc[0] == "2018H1"
    assert periods.iloc[-1] == f"{today.year}H{1 if today.month <= 6 else 2}"
    # Counts are written as whole numbers ("1", not "1.0").
    lines = (tmp_path / "out" / "indikatorer.csv").read_text(encoding="utf-8").splitlines()
    assert "unikke_personer_visiteret_ydelse;I alt;2018H1;1" in lines
    assert "andel_reduktion_eller_ophoer;Alkohol;2018H1;0.5" in lines


def test_clean_writes_every_output_and_accounts_for_every_row(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "as2007" / "a.csv", [HEADER, "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;;;",
                                         "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;;;",
                                         "310299-1234;§ 85 bostøtte døgntakst;01-02-2016;;;;"], encoding="cp1252")
    out = tmp_path / "processed"
    clean_all(raw, out)
    assert {p.name for p in out.iterdir()} == {"as2007.parquet", "as2007_afviste.csv", "indikatorer.csv", "kvalitet.json"}
    quality = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))
    account = quality["as2007"]["files"][0]
    assert (account["rows_in"], account["rows_clean"], account["rows_rejected"], account["duplicates_removed"]) == (3, 1, 1, 1)
    assert account["rejected_by_reason"] == {as2007.R_CPR: 1}
    assert list(pd.read_parquet(out / "as2007.parquet").columns) == list(as2007.OUTPUT_COLUMNS)
    header = (out / "indikatorer.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "indicator;group;period;value"


VALID_ROW = st.tuples(
    st.sampled_from(["010203-1234", "0102031234", "10203-1234", "310299-1234", "abc", ""]),
    st.sampled_from(["§ 85 bostøtte døgntakst", "SEL §85 Bostøtte - timetakst", "§ 999", ""]),
    st.sampled_from(["01-02-2016", "2016-02-01", "31-02-2016", "", "42400"]),
    st.sampled_from(["", "01-01-2016", "01.01.2017", "x"]),
    st.sampled_from(["", "2,5", "-1", "y"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(VALID_ROW, min_size=1, max_size=25))
def test_row_accounting_holds_for_any_mix_of_rows(tmp_path, rows):
    lines = [f"{c};{t};{s};{e};;{h};" for c, t, s, e, h in rows]
    result = clean_lines(tmp_path, lines)
    account = result.quality["files"][0]
    # Fully blank rows are not rows; everything else is clean, rejected or a duplicate.
    assert account["rows_in"] == sum(1 for line in lines if line.replace(";", ""))
    assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]
    assert sum(account["rejected_by_reason"].values()) == account["rows_rejected"]
    clean = result.clean
    assert (clean["end_date"].isna() | (clean["end_date"] >= clean["start_date"])).all()


def test_a_totals_line_at_the_bottom_is_rejected_as_a_totals_line_not_a_bad_cpr(tmp_path):
    """Hand-made exports end with "I alt" (in the CPR column or further right); the rejected
    file says what it is, and real rows whose supplier is or contains "Total" stay."""
    result = clean_lines(tmp_path, [
        "0102031234;§ 85 bostøtte døgntakst;01-02-2016;;Totalløsninger ApS;;100",
        "0102031236;§ 85 bostøtte døgntakst;01-03-2016;;;;200",
        "0102031238;§ 85 bostøtte døgntakst;01-03-2016;;Total;;200",  # a supplier called Total: a real row
        "I alt:;;;;;;300",
        ";;;;TOTAL;;300",
    ], encoding="cp1252")
    assert len(result.clean) == 3
    assert result.rejected["reason"].tolist() == [cleaning.R_TOTAL_ROW] * 2
    assert result.rejected["column"].tolist() == ["CPR", "Leverandør"]
    account = result.quality["files"][0]
    assert account["rejected_by_reason"] == {cleaning.R_TOTAL_ROW: 2}
    assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]
