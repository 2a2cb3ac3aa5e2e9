"""Rusmiddelcenter episodes: the cleaner on messy extracts, and the outcome definitions on hand-made episodes."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from analyse import rusmiddel
from analyse.cleaning import CleanContext, clean_source
from analyse.exceptions import ConfigError, MissingColumnError
from analyse.pipeline import clean_all
from analyse.rusmiddel import outcome_shares, outcome_table, period_bounds, rusmiddel_indicators
from tests.conftest import TEST_KEY, write_csv

HEADER = "CPR-nr;Misbrugstype;Startdato;Slutdato;Udfald"
CONTEXT = CleanContext(key=TEST_KEY.encode())


def clean_lines(tmp_path, lines, header=HEADER, name="udtraek.csv", **kwargs):
    path = write_csv(tmp_path / "rusmiddel" / name, [header, *lines], **kwargs)
    return clean_source(rusmiddel.SPEC, [path], CONTEXT)


def cpr(i: int) -> str:
    """Distinct valid CPR numbers (born 1 February 1983 + i days)."""
    born = dt.date(1983, 2, 1) + dt.timedelta(days=i)
    return f"{born:%d%m%y}-12{i % 10}{i % 7}"


# --- cleaning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant, canonical",
    [
        ("Ophørt", "Ophørt"), ("OPHØRT", "Ophørt"), ("ophoert", "Ophørt"), ("stoffri", "Ophørt"),
        ("Alkoholfri", "Ophørt"), ("Ophørt (stoffri / alkoholfri)", "Ophørt"),
        ("reduceret", "Reduceret"), ("Reduceret forbrug", "Reduceret"), ("reduceret misbrug", "Reduceret"),
        ("Stabiliseret", "Stabiliseret"), ("stabiliseret forbrug", "Stabiliseret"),
        ("uændret", "Uændret"), ("uaendret", "Uændret"), ("oeget", "Øget"), ("ØGET", "Øget"),
        ("Henvist til anden behandling", "Henvist"), ("henvist", "Henvist"),
        ("Udeblevet", "Udeblevet"), ("udeblevet fra behandling", "Udeblevet"),
        ("afbrudt", "Afbrudt"), ("Afbrudt af borger", "Afbrudt"),
        ("flyttet", "Flyttet"), ("fraflyttet", "Flyttet"),
        ("død", "Død"), ("Doed", "Død"), ("  DØD  ", "Død"),
    ],
)
def test_status_variants_map_to_the_canonical_status(tmp_path, variant, canonical):
    result = clean_lines(tmp_path, [f"0102831234;Alkohol;01-02-2018;01-05-2018;{variant}"])
    assert result.clean["afslutningsstatus"].tolist() == [canonical]


def test_every_canonical_status_is_accepted_as_written(tmp_path):
    lines = [f"{cpr(i)};Stof;01-02-2018;01-05-2018;{status}" for i, status in enumerate(rusmiddel.STATUSES)]
    result = clean_lines(tmp_path, lines)
    assert result.clean["afslutningsstatus"].tolist() == list(rusmiddel.STATUSES)


def test_rusmiddel_in_any_case(tmp_path):
    values = ["Alkohol", "ALKOHOL", "alkohol", " AlKoHoL ", "Stof", "STOF", "stof", "Stofmisbrug"]
    lines = [f"{cpr(i)};{v};01-02-2018;;" for i, v in enumerate(values)]
    result = clean_lines(tmp_path, lines)
    assert result.clean["rusmiddel"].tolist() == ["Alkohol"] * 4 + ["Stof"] * 4


def test_each_rejection_reason(tmp_path):
    lines = [
        "0102831234;Alkohol;01-02-2018;01-05-2018;Reduceret",     # clean
        "0102831234;Stof;01-02-2018;;",                           # clean: ongoing
        "310299-1234;Alkohol;01-02-2018;01-05-2018;Reduceret",    # CPR: 31 February
        "0102831234;Tobak;01-02-2018;01-05-2018;Reduceret",       # unknown rusmiddel
        "0102831234;;01-02-2018;01-05-2018;Reduceret",            # missing rusmiddel
        "0102831234;Alkohol;;01-05-2018;Reduceret",               # start missing
        "0102831234;Alkohol;01-02-2018;i går;Reduceret",          # end unreadable
        "0102831234;Alkohol;01-06-2018;01-05-2018;Reduceret",     # end before start
        "0102831234;Alkohol;01-02-2018;01-05-2018;",              # end without status
        "0102831234;Alkohol;01-02-2018;01-05-2018;Overført",      # unknown status
        "0102831234;Alkohol;01-02-2018;;Udeblevet",               # status without end
    ]
    result = clean_lines(tmp_path, lines)
    assert len(result.clean) == 2
    assert result.clean["end_date"].isna().tolist() == [False, True]
    assert result.rejected["reason"].tolist() == [
        "ugyldigt CPR-nummer",
        rusmiddel.R_RUSMIDDEL,
        rusmiddel.R_RUSMIDDEL,
        "ugyldig eller manglende startdato",
        "ugyldig slutdato",
        "slutdato før startdato",
        "slutdato uden afslutningsstatus",
        "ukendt afslutningsstatus",
        "afslutningsstatus uden slutdato",
    ]
    assert result.rejected["source_row"].tolist() == list(range(4, 13))
    assert result.rejected["column"].tolist()[-3:] == ["Afslutningsstatus"] * 3
    assert result.quality["unknown_labels"] == {"Overført": 1}
    account = result.quality["files"][0]
    assert account["rows_in"] == 11 == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]


def test_rejected_rows_carry_the_pseudonym_not_the_cpr(tmp_path):
    result = clean_lines(tmp_path, ["010283-1234;Alkohol;01-02-2018;01-05-2018;"])
    rejected = result.rejected
    assert "CPR" not in rejected.columns and "cpr" not in rejected.columns
    assert "0102831234" not in rejected.to_csv() and "010283-1234" not in rejected.to_csv()
    assert rejected["pseudonym"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_ongoing_episodes_are_kept_with_blank_end_and_status(tmp_path):
    result = clean_lines(tmp_path, [f"{cpr(1)};Alkohol;01-02-2018;;", f"{cpr(2)};Stof;2022-12-01;;",
                                    f"{cpr(3)};Stof;2022-12-01;31-12-9999;"])  # "no end" as many systems write it
    assert len(result.clean) == 3
    assert result.clean["end_date"].isna().all() and result.clean["afslutningsstatus"].isna().all()
    assert result.quality["ongoing_episodes"] == 3


def test_exact_duplicates_are_removed_and_counted(tmp_path):
    line = "0102831234;Alkohol;01-02-2018;01-05-2018;Reduceret"
    result = clean_lines(tmp_path, [line, line, line, "0102831234;Alkohol;01-02-2018;01-05-2018;Ophørt"])
    assert len(result.clean) == 2
    assert result.quality["files"][0]["duplicates_removed"] == 2


@pytest.mark.parametrize(
    "encoding, sep, header",
    [
        ("utf-8", ";", "cpr;type;start;slut;status"),
        ("utf-8-sig", ";", "CPR-nr;Rusmiddel;Startdato;Slutdato;Afslutningsstatus"),
        ("cp1252", ",", " Personnummer ;MISBRUGSTYPE;Fra dato;Til dato;Udfald"),
        ("cp1252", "\t", "cprnr;rusmiddel;bevilget fra;bevilget til;status"),
    ],
)
def test_csv_encodings_separators_and_header_aliases(tmp_path, encoding, sep, header):
    lines = [
        "010283-1234;Alkohol;01.02.2018;31.05.2018;Ophørt",
        " 020383 -1235;stof;2018-02-01;;",
        "30483 1236;STOF;01/02/2018;01/06/2018;Død",  # 9 digits: the leading zero lost in Excel
    ]
    result = clean_lines(tmp_path, lines, header=header, encoding=encoding, sep=sep)
    assert result.rejected.empty
    assert result.clean["afslutningsstatus"].fillna("").tolist() == ["Ophørt", "", "Død"]
    assert result.clean["birth_year"].tolist() == [1983, 1983, 1983]
    assert result.clean["end_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2018-05-31", "", "2018-06-01"]


def write_xlsx(path, rows, title=True):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append(["Forløb, Rusmiddelcenter Randers"])
        sheet.append([])
    sheet.append(["Personnummer", "Rusmiddel", "Startdato", "Slutdato", "Afslutningsstatus"])
    for row in rows:
        sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def test_xlsx_with_title_rows_numeric_cpr_native_and_serial_dates(tmp_path):
    path = write_xlsx(tmp_path / "rusmiddel" / "forloeb.xlsx", [
        [102831234, "Alkohol", dt.date(2018, 2, 1), dt.date(2018, 5, 31), "reduceret forbrug"],
        ["020383-1235", "stof", 43132, None, None],  # 43132 = 2018-02-01 as an Excel serial
        [302831236, "STOF", dt.datetime(2017, 12, 1), 43250, "Stabiliseret"],  # 43250 = 2018-05-30
        [302831236, "Alkohol", dt.date(2017, 12, 1), dt.date(2018, 1, 5), None],  # end without status
    ])
    result = clean_source(rusmiddel.SPEC, [path], CONTEXT)
    assert result.clean["afslutningsstatus"].fillna("").tolist() == ["Reduceret", "", "Stabiliseret"]
    assert str(result.clean["start_date"][1].date()) == "2018-02-01"
    assert str(result.clean["end_date"][2].date()) == "2018-05-30"
    assert result.rejected["reason"].tolist() == ["slutdato uden afslutningsstatus"]
    assert result.quality["files"][0]["header_row"] == 3


def test_missing_status_column_stops_with_its_name(tmp_path):
    path = write_csv(tmp_path / "rusmiddel" / "x.csv", ["cpr;type;start;slut", "0102831234;Alkohol;01-02-2018;"])
    with pytest.raises(MissingColumnError, match="Afslutningsstatus"):
        clean_source(rusmiddel.SPEC, [path], CONTEXT)


def test_user_mapping_extends_statuses_but_only_to_canonical_ones(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "afslutningsstatus.csv").write_text("variant;kanonisk\nAfsluttet som planlagt;Ophørt\n", encoding="utf-8")
    path = write_csv(tmp_path / "rusmiddel" / "x.csv", [
        HEADER, "0102831234;Alkohol;01-02-2018;01-05-2018;Afsluttet som planlagt",
        "0102831234;Stof;01-02-2018;01-05-2018;Overført",
    ])
    result = clean_source(rusmiddel.SPEC, [path], CleanContext(key=TEST_KEY.encode(), mappings_dir=user))
    assert result.clean["afslutningsstatus"].tolist() == ["Ophørt"]
    assert result.rejected["reason"].tolist() == ["ukendt afslutningsstatus"]
    # A line mapping to a status outside the canonical list is a mistake in the mapping file:
    # it stops the clean, rather than being dropped while its rows are rejected as unknown.
    with (user / "afslutningsstatus.csv").open("a", encoding="utf-8") as mapping:
        mapping.write("Overført;Overført til psykiatri\n")
    with pytest.raises(ConfigError, match="række 3: 'Overført til psykiatri' er ikke en kendt afslutningsstatus"):
        clean_source(rusmiddel.SPEC, [path], CleanContext(key=TEST_KEY.encode(), mappings_dir=user))


def test_same_cpr_gets_the_same_pseudonym_as_in_as2007(tmp_path):
    raw = tmp_path / "raw"
    write_csv(raw / "as2007" / "as.csv", [
        "CPR-nr;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb",
        "010283-1234;§ 85 bostøtte timetakst;01-02-2018;;;;",
        "020383-1235;§ 85 bostøtte timetakst;01-02-2018;;;;",
    ])
    # The same persons written differently: no dash, stray spaces, the leading zero lost.
    write_csv(raw / "rusmiddel" / "rus.csv", [
        HEADER, "0102831234;Alkohol;01-02-2018;01-05-2018;Ophørt", " 20383 1235 ;Stof;01-02-2018;;",
        "030383-1236;Stof;01-02-2018;;",
    ])
    summary = clean_all(raw, tmp_path / "processed")
    as_p = summary.results["as2007"].clean["pseudonym"].tolist()
    rus_p = summary.results["rusmiddel"].clean["pseudonym"].tolist()
    assert rus_p[:2] == as_p
    assert rus_p[2] not in as_p
    written = pd.read_parquet(tmp_path / "processed" / "rusmiddel.parquet")
    assert list(written.columns) == list(rusmiddel.OUTPUT_COLUMNS)
    assert "rusmiddel" in summary.results and "antal_afsluttede_forloeb" in set(
        pd.read_csv(tmp_path / "processed" / "indikatorer.csv", sep=";")["indicator"]
    )


# --- definitions -------------------------------------------------------------------------------


def episodes(*rows) -> pd.DataFrame:
    """(rusmiddel, end date or None, status or None) → an episode table as the cleaner writes it."""
    frame = pd.DataFrame(rows, columns=["rusmiddel", "end_date", "afslutningsstatus"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["start_date"] = pd.Timestamp("2015-01-01")
    frame["afslutningsstatus"] = frame["afslutningsstatus"].astype("string")
    return frame


def shares(frame, start, end, group="Alkohol") -> dict:
    table = outcome_shares(frame, start, end).set_index("group")
    return table.loc[group].to_dict()


def test_episodes_ending_on_a_half_year_boundary():
    frame = episodes(
        ("Alkohol", "2018-06-30", "Ophørt"),     # last day of 2018H1
        ("Alkohol", "2018-07-01", "Uændret"),    # first day of 2018H2
        ("Alkohol", "2018-01-01", "Reduceret"),  # first day of 2018H1
        ("Alkohol", "2017-12-31", "Afbrudt"),    # last day of 2017H2
    )
    ind = rusmiddel_indicators(frame, ["2017H2", "2018H1", "2018H2", "2018"])
    ind = ind[ind["group"] == "Alkohol"].set_index(["indicator", "period"])["value"]
    assert ind[("antal_afsluttede_forloeb", "2017H2")] == 1
    assert ind[("antal_afsluttede_forloeb", "2018H1")] == 2
    assert ind[("andel_reduktion_eller_ophoer", "2018H1")] == 1.0
    assert ind[("antal_afsluttede_forloeb", "2018H2")] == 1
    assert ind[("andel_reduktion_eller_ophoer", "2018H2")] == 0.0
    assert ind[("antal_afsluttede_forloeb", "2018")] == 3
    assert ind[("andel_reduktion_eller_ophoer", "2018")] == pytest.approx(2 / 3)


def test_baseline_window_boundaries_are_inclusive():
    frame = episodes(
        ("Stof", "2017-11-30", "Ophørt"),    # the day before: out
        ("Stof", "2017-12-01", "Ophørt"),    # in
        ("Stof", "2018-05-31", "Uændret"),   # in
        ("Stof", "2018-06-01", "Reduceret"),  # the day after: out
    )
    assert shares(frame, "2017-12-01", "2018-05-31", "Stof") == {
        "n": 2, "successes": 1, "share": 0.5, "national_successes": 1, "national_share": 0.5,
    }


def test_moved_and_dead_are_not_in_the_denominator_and_ongoing_is_ignored():
    frame = episodes(
        ("Alkohol", "2019-03-01", "Ophørt"),
        ("Alkohol", "2019-03-01", "Afbrudt"),
        ("Alkohol", "2019-03-01", "Flyttet"),
        ("Alkohol", "2019-03-01", "Død"),
        ("Alkohol", None, None),  # ongoing
        ("Alkohol", None, None),
    )
    got = shares(frame, "2019-01-01", "2019-06-30")
    assert (got["n"], got["successes"], got["share"]) == (2, 1, 0.5)
    ind = rusmiddel_indicators(frame)
    assert set(ind["period"]) == {"2019H1", "2019"}


def test_national_goal_counts_henvist_for_alcohol_and_stabiliseret_for_drugs():
    rows = [(g, "2020-05-01", s) for g in ("Alkohol", "Stof")
            for s in ("Ophørt", "Reduceret", "Henvist", "Stabiliseret", "Uændret", "Øget", "Udeblevet", "Afbrudt")]
    table = outcome_shares(episodes(*rows), "2020", "2020-12-31").set_index("group")
    assert table.loc["Alkohol", ["n", "successes", "national_successes"]].tolist() == [8, 2, 3]
    assert table.loc["Stof", ["n", "successes", "national_successes"]].tolist() == [8, 2, 3]
    assert table.loc["Alkohol", "national_share"] == 3 / 8


def test_no_completed_episodes_gives_count_zero_and_no_share():
    frame = episodes(("Alkohol", "2019-03-01", "Ophørt"))
    table = outcome_shares(frame, "2019-01-01", "2019-06-30").set_index("group")
    assert table.loc["Stof", "n"] == 0 and np.isnan(table.loc["Stof", "share"])
    ind = rusmiddel_indicators(frame, ["2019H1"])
    stof = ind[ind["group"] == "Stof"]
    assert stof["indicator"].tolist() == ["antal_afsluttede_forloeb"] and stof["value"].tolist() == [0]


def test_outcome_table_spans_and_wilson_intervals():
    frame = episodes(*[("Alkohol", "2020-06-01", "Ophørt")] * 3, *[("Alkohol", "2021-06-01", "Øget")] * 1)
    table = outcome_table(frame, ["2020-2021", ("2020-01-01", "2020-12-31"), "2021H1"])
    alk = table[table["group"] == "Alkohol"].set_index("period")
    assert alk.loc["2020-2021", ["n", "successes"]].tolist() == [4, 3]
    assert alk.loc[[("2020-01-01", "2020-12-31")], "n"].tolist() == [3]
    assert alk.loc["2021H1", "share"] == 0.0
    low, high = alk.loc["2020-2021", ["ci_low", "ci_high"]]
    assert low < 0.75 < high
    stof = table[table["group"] == "Stof"]
    assert stof["ci_low"].isna().all()


@pytest.mark.parametrize("period, first, last", [
    ("2018H2", "2018-07-01", "2018-12-31"), ("2018", "2018-01-01", "2018-12-31"),
    ("2020-2021", "2020-01-01", "2021-12-31"), ("2020–2021", "2020-01-01", "2021-12-31"),
    (("2017-12-01", "2018-05-31"), "2017-12-01", "2018-05-31"),
])
def test_period_bounds(period, first, last):
    assert [str(d.date()) for d in period_bounds(period)] == [first, last]


@pytest.mark.parametrize("bad", ["2018H3", "18", "2021-2020", ("2018-06-01", "2018-01-01"), ("2018-02-30", "2018-06-01")])
def test_period_bounds_rejects_bad_periods(bad):
    with pytest.raises(ConfigError):
        period_bounds(bad)
