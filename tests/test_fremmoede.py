"""The attendance cleaner on messy extracts: file variants, aliases, participants, tilbud, Antal, accounting."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from openpyxl import Workbook

from analyse import fremmoede
from analyse.cleaning import R_TOTAL_ROW, CleanContext, clean_source
from analyse.fremmoede import R_ANTAL, R_DATE, UOPLYST
from analyse.indicators import fremmoede_indicators
from analyse.pipeline import clean_all
from analyse.published import tilbud_labels
from analyse.sample.fremmoede import TILBUD_VARIANTS
from tests.conftest import TEST_KEY, write_csv

CONTEXT = CleanContext(key=TEST_KEY.encode())
HEADER = "Dato;Tilbud;Deltager;Antal"


def clean_lines(tmp_path, lines, header=HEADER, name="fremmoede.csv", **kwargs):
    path = write_csv(tmp_path / "fremmoede" / name, [header, *lines], **kwargs)
    return clean_source(fremmoede.SPEC, [path], CONTEXT)


def indicator(result, name, group, period="2019H1"):
    ind = fremmoede_indicators(result.clean)
    match = ind[(ind.indicator == name) & (ind.group == group) & (ind.period == period)]
    return int(match["value"].sum())


def write_xlsx(path, rows, title=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


# --- file variants and header aliases ---------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "encoding", "sep"),
    [
        ("Dato;Tilbud;Deltager;Antal", "cp1252", ";"),
        (" DATE ;Aktivitet;Borger;antal", "utf-8-sig", ","),
        ("dato;Hold;Navn;Antal", "utf-8", "\t"),
        ("Dato;Tilbud;Initialer", "utf-8", ";"),  # no Antal column: every row is one visit
    ],
)
def test_csv_variants_and_header_aliases(tmp_path, header, encoding, sep):
    lines = [
        "02-09-2019;Søndags åbent;Åse Østergaard" + (";2" if header.count(";") == 3 else ""),
        "2019-09-03;Malerværkstedet;Bent Bøgh" + (";" if header.count(";") == 3 else ""),
        "04.09.2019;Samværstilbud dag;Åse Østergaard" + (";" if header.count(";") == 3 else ""),
    ]
    result = clean_lines(tmp_path, lines, header=header, encoding=encoding, sep=sep)
    clean = result.clean
    assert result.quality["files"][0]["encoding"] == encoding
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-09-02", "2019-09-03", "2019-09-04"]
    assert clean["tilbud"].tolist() == ["Søndagsåbent", "Malerværksted", "Samværstilbuddet (dag)"]
    assert clean["tilbud_kendt"].all()
    assert clean["pseudonym"].nunique() == 2
    expected_antal = [2, 1, 1] if header.count(";") == 3 else [1, 1, 1]
    assert clean["antal"].tolist() == expected_antal


def test_xlsx_with_title_rows_native_dates_and_serials(tmp_path):
    path = write_xlsx(
        tmp_path / "fremmoede" / "fremmoede.xlsx",
        [
            ["Dato", "Aktivitet", "Navn", "Antal"],
            [dt.datetime(2019, 3, 4), "NADA", "Anne Hansen", None],
            [43530, "nada", "ANNE HANSEN", 1],  # Excel serial for 2019-03-06
            ["07-03-2019", "Fitness", None, 4],  # anonymous tally
        ],
        title="Fremmøde marts 2019",
    )
    result = clean_source(fremmoede.SPEC, [path], CONTEXT)
    clean = result.clean
    assert result.quality["files"][0]["header_row"] == 3
    assert clean["date"].dt.strftime("%Y-%m-%d").tolist() == ["2019-03-04", "2019-03-06", "2019-03-07"]
    assert clean["tilbud"].tolist() == ["NADA", "NADA", "Fitness"]
    assert clean["anonymous"].tolist() == [False, False, True]
    assert clean["antal"].tolist() == [1, 1, 4]
    assert clean["pseudonym"].iloc[0] == clean["pseudonym"].iloc[1]


def test_missing_required_column_stops_with_the_aliases(tmp_path):
    from analyse.exceptions import MissingColumnError

    with pytest.raises(MissingColumnError, match="Deltager"):
        clean_lines(tmp_path, ["02-09-2019;NADA"], header="Dato;Tilbud")


# --- participants --------------------------------------------------------------------------------


def test_anne_hansen_written_three_ways_is_one_participant(tmp_path):
    lines = [
        "04-03-2019;NADA;Anne Hansen;",
        "06-03-2019;NADA; anne  hansen ;",
        "11-03-2019;NADA;ANNE HANSEN;",
        "13-03-2019;NADA;Anne\u00a0Hansen;",
        "13-03-2019;Fitness;anne hansen;",
    ]
    result = clean_lines(tmp_path, lines)
    assert result.clean["pseudonym"].nunique() == 1
    assert indicator(result, "kontakter_pr_tilbud", "NADA") == 1
    assert indicator(result, "besoeg_pr_tilbud", "NADA") == 4
    assert indicator(result, "kontakter_psykiatriens_hus", "I alt") == 2  # NADA + Fitness
    assert indicator(result, "unikke_borgere_psykiatriens_hus", "I alt") == 1


def test_participant_pseudonym_is_the_keyed_hmac_of_the_normalised_name(tmp_path):
    from analyse.pseudonym import pseudonymise

    result = clean_lines(tmp_path, ["04-03-2019;NADA;  Bo   HOLM ;"])
    expected = pseudonymise(pd.Series(["bo holm"]), TEST_KEY.encode()).iloc[0]
    assert result.clean["pseudonym"].iloc[0] == expected
    other = clean_source(fremmoede.SPEC, [tmp_path / "fremmoede" / "fremmoede.csv"], CleanContext(key=b"x" * 40))
    assert other.clean["pseudonym"].iloc[0] != expected  # a different key, a different pseudonym


def test_anonymous_rows_count_only_as_visits(tmp_path):
    lines = [
        "04-03-2019;NADA;Anne Hansen;",
        "04-03-2019;NADA;;6",
        "05-03-2019;NADA;Anonym;2",
        "06-03-2019;NADA;-;",
    ]
    result = clean_lines(tmp_path, lines)
    assert result.clean["anonymous"].tolist() == [False, True, True, True]
    assert result.clean["pseudonym"].isna().tolist() == [False, True, True, True]
    assert indicator(result, "kontakter_pr_tilbud", "NADA") == 1
    assert indicator(result, "unikke_borgere_psykiatriens_hus", "I alt") == 1
    assert indicator(result, "besoeg_pr_tilbud", "NADA") == 1 + 6 + 2 + 1
    share = result.quality["anonymous_share"]["NADA"]
    assert share == {"visits": 10, "anonymous_visits": 9, "anonymous_share": 0.9}


# --- tilbud -----------------------------------------------------------------------------------------


def test_known_spellings_map_to_the_tabel_4_labels():
    variants = [(canonical, v) for canonical, vs in TILBUD_VARIANTS.items() if canonical in tilbud_labels() for v in vs]
    variants += [
        ("Recoveryskolen (kursister)", "Recovery skolen"), ("Recoveryskolen (kursister)", "recoveryskolen"),
        ("Samværstilbuddet (dag)", "Samværstilbud dag"), ("Samværstilbuddet (dag)", "Samværstilbuddet dag"),
        ("Mindful fitness", "Mindfulness fitness"), ("Malerværksted", "Malerværkstedet"),
        ("Torsdags malerhold", "Torsdagsmalerhold"), ("Søndagsåbent", "Søndags åbent"),
        ("Søndagsåbent", "SØNDAGSÅBENT"), ("Kunstlaboratorier", "kunst  laboratorier"),
    ]
    variants += [(label, label) for label in tilbud_labels()]
    mapped = fremmoede.lookup_tilbud(pd.Series([v for _, v in variants]), fremmoede.tilbud_mapping())
    assert mapped.tolist() == [c for c, _ in variants]


def test_unknown_tilbud_is_kept_as_written_flagged_and_listed(tmp_path):
    lines = [
        "04-03-2019;  Yoga   i parken ;Anne Hansen;",
        "05-03-2019;yoga i Parken;Bo Holm;",
        "06-03-2019;Yoga i parken;Bo Holm;",
        "06-03-2019;NADA;Bo Holm;",
    ]
    result = clean_lines(tmp_path, lines)
    clean = result.clean
    assert clean["tilbud"].tolist() == ["Yoga i parken"] * 3 + ["NADA"]
    assert clean["tilbud_kendt"].tolist() == [False, False, False, True]
    assert result.quality["unknown_tilbud"] == {"Yoga i parken": 3}
    assert result.rejected.empty  # unknown tilbud is not a reason to reject
    # Counted under Uoplyst tilbud, as in Tabel 4, and shown by name beside it.
    assert indicator(result, "kontakter_pr_ukendt_tilbud", "Yoga i parken") == 2
    assert indicator(result, "kontakter_pr_tilbud", UOPLYST) == 2
    assert indicator(result, "kontakter_pr_tilbud", "NADA") == 1


def test_blank_tilbud_is_uoplyst_tilbud(tmp_path):
    result = clean_lines(tmp_path, ["04-03-2019;;Anne Hansen;", "05-03-2019;  ;Bo Holm;3"])
    assert result.clean["tilbud"].tolist() == [UOPLYST, UOPLYST]
    assert result.clean["tilbud_kendt"].all()
    assert indicator(result, "kontakter_pr_tilbud", UOPLYST) == 2


def test_user_mapping_adds_a_new_tilbud(tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "tilbud.csv").write_text("variant;kanonisk\nYoga i parken;Yoga\n", encoding="utf-8")
    path = write_csv(tmp_path / "fremmoede" / "x.csv", [HEADER, "04-03-2019;yoga i parken;Anne Hansen;"])
    result = clean_source(fremmoede.SPEC, [path], CleanContext(key=TEST_KEY.encode(), mappings_dir=user))
    assert result.clean["tilbud"].tolist() == ["Yoga"]
    assert result.clean["tilbud_kendt"].tolist() == [True]
    assert "Yoga" in fremmoede.known_tilbud(user)


def test_tabel4_counts_unknown_names_under_uoplyst_tilbud():
    ind = pd.DataFrame(
        [
            ("kontakter_psykiatriens_hus", "I alt", "2019H1", 10),
            ("kontakter_pr_tilbud", "NADA", "2019H1", 4),
            ("kontakter_pr_tilbud", UOPLYST, "2019H1", 6),
            ("kontakter_pr_ukendt_tilbud", "Yoga", "2019H1", 5),
        ],
        columns=["indicator", "group", "period", "value"],
    )
    table = fremmoede.tabel4(ind, ["2019H1"])
    assert table.loc["NADA", "2019H1"] == 4
    assert table.loc[UOPLYST, "2019H1"] == 6
    assert table.loc["I alt", "2019H1"] == 10
    assert list(table.index[:2]) == ["Recoveryskolen (kursister)", "NADA"]
    assert fremmoede.unknown_tilbud_table(ind, ["2019H1"]).to_dict("index") == {"Yoga": {"2019H1": 5}}


# --- Antal, dates, rejections and accounting ----------------------------------------------------


def test_antal_defaults_to_one_and_must_be_a_positive_whole_number(tmp_path):
    lines = [
        "04-03-2019;NADA;;",        # blank → 1
        "05-03-2019;NADA;;3",
        "06-03-2019;NADA;;2,0",     # Danish decimal, still whole
        "07-03-2019;NADA;;x",
        "08-03-2019;NADA;;-2",
        "09-03-2019;NADA;;0",
        "10-03-2019;NADA;;1,5",
    ]
    result = clean_lines(tmp_path, lines)
    assert result.clean["antal"].tolist() == [1, 3, 2]
    assert result.rejected["reason"].tolist() == [R_ANTAL] * 4
    assert result.rejected["column"].unique().tolist() == ["Antal"]
    assert result.rejected["Antal"].tolist() == ["x", "-2", "0", "1,5"]


def test_bad_dates_are_rejected_with_file_and_row(tmp_path):
    lines = ["30-02-2019;NADA;Anne Hansen;", ";NADA;Bo Holm;", "i går;NADA;Bo Holm;", "01-03-2019;NADA;Bo Holm;"]
    result = clean_lines(tmp_path, lines)
    rejected = result.rejected
    assert rejected["reason"].tolist() == [R_DATE] * 3
    assert rejected["source_row"].tolist() == [2, 3, 4]
    assert "Deltager" not in rejected.columns and "deltager" not in rejected.columns
    assert rejected["pseudonym"].notna().all()
    assert len(result.clean) == 1


def test_every_row_is_accounted_for_per_file(tmp_path):
    a = write_csv(tmp_path / "fremmoede" / "a.csv", [
        HEADER,
        "04-03-2019;NADA;Anne Hansen;",
        "04-03-2019;NADA;Anne Hansen;",    # exact duplicate
        "30-02-2019;NADA;Anne Hansen;",    # bad date
        "05-03-2019;Yoga;Bo Holm;",        # unknown tilbud: kept
        "",                                # blank line: not a row
        "06-03-2019;;;4",
    ], encoding="cp1252")
    b = write_csv(tmp_path / "fremmoede" / "b.csv", [
        "dato,hold,navn,antal",
        "04-03-2019,NADA,Anne Hansen,",     # duplicate of a row in a.csv
        "07-03-2019,NADA,Anne Hansen,x",   # bad Antal
        "08-03-2019,NADA,Anne Hansen,",
    ], sep=",")
    result = clean_source(fremmoede.SPEC, [a, b], CONTEXT)
    files = {f["file"]: f for f in result.quality["files"]}
    assert (files["a.csv"]["rows_in"], files["a.csv"]["rows_clean"], files["a.csv"]["rows_rejected"],
            files["a.csv"]["duplicates_removed"]) == (5, 3, 1, 1)
    assert (files["b.csv"]["rows_in"], files["b.csv"]["rows_clean"], files["b.csv"]["rows_rejected"],
            files["b.csv"]["duplicates_removed"]) == (3, 1, 1, 1)
    for f in files.values():
        assert f["rows_in"] == f["rows_clean"] + f["rows_rejected"] + f["duplicates_removed"]
    assert files["b.csv"]["rejected_by_reason"] == {R_ANTAL: 1}


def test_clean_all_writes_no_names_and_reports_quality(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    write_csv(raw / "fremmoede" / "a.csv", [
        HEADER, "04-03-2019;NADA;Gertrud Zachariassen;", "05-03-2019;Yoga;Gertrud Zachariassen;",
        "30-02-2019;NADA;Gertrud Zachariassen;", "06-03-2019;NADA;;3",
    ])
    summary = clean_all(raw, out)
    assert "fremmoede" in summary.results
    for path in out.iterdir():
        if path.suffix == ".parquet":
            text = pd.read_parquet(path).astype(str).to_csv(index=False)
        else:
            text = path.read_text(encoding="utf-8-sig")
        assert "zachariassen" not in text.casefold(), path.name
    quality = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))["fremmoede"]
    assert quality["unknown_tilbud"] == {"Yoga": 1}
    assert quality["gaps"] == [] and "min_active_share" in quality["gap_rule"]
    table = pd.read_parquet(out / "fremmoede.parquet")
    assert list(table.columns) == list(fremmoede.OUTPUT_COLUMNS)
    indicators = pd.read_csv(out / "indikatorer.csv", sep=";")
    got = indicators.set_index(["indicator", "group"])["value"].to_dict()
    assert got[("kontakter_pr_tilbud", "NADA")] == 1 and got[("besoeg_pr_tilbud", "NADA")] == 4
    assert got[("unikke_borgere_psykiatriens_hus", "I alt")] == 1
    assert got[("kontakter_psykiatriens_hus", "I alt")] == 2


def test_a_file_with_only_a_header_gives_no_rows_and_no_indicators(tmp_path):
    result = clean_lines(tmp_path, [])
    assert result.clean.empty and list(result.clean.columns) == list(fremmoede.OUTPUT_COLUMNS)
    assert result.quality["rows_in"] == 0 and result.quality["gaps"] == []
    assert fremmoede_indicators(result.clean).empty


def test_a_totals_line_in_an_xlsx_is_rejected_as_a_totals_line(tmp_path):
    path = tmp_path / "fremmoede" / "marts.xlsx"
    path.parent.mkdir(parents=True)
    write_xlsx(path, [["Dato", "Tilbud", "Deltager", "Antal"],
                      [dt.date(2019, 3, 4), "NADA", "Anne Hansen", 1],
                      [None, "I alt", None, 1]])
    result = clean_source(fremmoede.SPEC, [path], CONTEXT)
    assert len(result.clean) == 1
    assert result.rejected["reason"].tolist() == [R_TOTAL_ROW]
    assert result.rejected["column"].tolist() == ["Tilbud"]


def test_rows_that_differ_only_outside_the_contract_are_not_duplicates(tmp_path):
    # Three anonymous visits and two of one participant on one day, told apart by a column the
    # contract does not know (the time); the fourth file line repeats the third exactly.
    write_csv(tmp_path / "raw" / "fremmoede" / "f.csv", [
        "Dato;Tidspunkt;Tilbud;Deltager;Antal",
        "10-01-2018;10:00;NADA;;1", "10-01-2018;11:00;NADA;;1", "10-01-2018;12:00;NADA;;1",
        "10-01-2018;12:00;NADA;;1",
        "10-01-2018;10:00;Fitness;Anne Hansen;1", "10-01-2018;14:00;Fitness;Anne Hansen;1",
    ])
    summary = clean_all(tmp_path / "raw", tmp_path / "out")
    quality = summary.results["fremmoede"].quality
    assert (quality["rows_clean"], quality["duplicates_removed"]) == (5, 1)
    visits = summary.indicators["fremmoede"].query("indicator == 'besoeg_pr_tilbud' and period == '2018H1'")
    assert visits.set_index("group")["value"][["NADA", "Fitness"]].tolist() == [3, 2]
    # The other columns only tell rows apart: they are written nowhere.
    for output in (tmp_path / "out").iterdir():
        if output.suffix != ".parquet":
            assert "10:00" not in output.read_text(encoding="utf-8-sig")
    assert "_other_cells" not in pd.read_parquet(tmp_path / "out" / "fremmoede.parquet").columns


def test_a_tilbud_with_only_anonymous_visits_keeps_its_row_in_tabel_6(tmp_path):
    # NADA registers only anonymous tallies: no contacts, so no Tabel 4 row, but its visits
    # are part of Tabel 6's I alt and must have a row there (and in Tabel 7).
    lines = [f"{day:02d}-03-2019;Kreativ;Deltager {i};1" for day in range(1, 8) for i in range(6)]
    lines += [f"{day:02d}-03-2019;NADA;;4" for day in range(1, 8)]
    result = clean_lines(tmp_path, lines)
    indicators = fremmoede_indicators(result.clean)
    tables = fremmoede.report_tables(indicators, result.clean, ["2019H1"])
    t4, t6 = tables["raw"]["tabel4"], tables["raw"]["tabel6"]
    assert "NADA" not in t4.index and t6.at["NADA", "2019H1"] == 28
    assert t6.drop(index="I alt")["2019H1"].sum() == t6.at["I alt", "2019H1"] == 28 + 42
    assert tables["shown"]["tabel6"].at["NADA", "2019H1"] == 28
