"""A registration gap in a tilbud the mapping does not know: Tabel 9 shows the numbers Tabel 5 shows.

Contacts under an unknown name count within ``Uoplyst tilbud`` (Tabel 4) and by
name in Tabel 5 (``kontakter_pr_ukendt_tilbud``). Tabel 9 once looked the name
up in ``kontakter_pr_tilbud``, found nothing, showed 0, and the linked-cells
check of report 02 stopped the report.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from analyse import fremmoede
from analyse.cleaning import CleanContext, clean_source
from analyse.fremmoede import UOPLYST
from analyse.gaps import find_gaps
from analyse.indicators import fremmoede_indicators
from tests.conftest import TEST_KEY, write_csv

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_02 = ROOT / "notebooks" / "02_psykiatriens_hus.ipynb"
HEADER = "Dato;Tilbud;Deltager;Antal"
PEOPLE = ["Anne Hansen", "Bo Holm", "Carl Nielsen", "Dorte Larsen", "Erik Poulsen", "Fie Madsen"]
KNOWN = ["NADA", UOPLYST]


def attendance_lines(yoga_people=PEOPLE, silent=((2018, 20), (2018, 21))) -> list[str]:
    """The reviewer's extract: every Monday 8 Jan 2018 - 24 Jun 2019, the same people in NADA and
    in Yoga (not a known tilbud); no Yoga rows in the ``silent`` ISO weeks."""
    lines, day = [HEADER], dt.date(2018, 1, 8)
    while day <= dt.date(2019, 6, 28):
        year, week, _ = day.isocalendar()
        lines += [f"{day:%d-%m-%Y};NADA;{p};1" for p in PEOPLE]
        if (year, week) not in silent:
            lines += [f"{day:%d-%m-%Y};Yoga;{p};1" for p in yoga_people]
        day += dt.timedelta(days=7)
    return lines


def cleaned(tmp_path, **kwargs) -> pd.DataFrame:
    path = write_csv(tmp_path / "fremmoede" / "fremmoede.csv", attendance_lines(**kwargs))
    return clean_source(fremmoede.SPEC, [path], CleanContext(key=TEST_KEY.encode())).clean


def test_gaps_beside_published_uses_the_unknown_name_indicators():
    # Two silent weeks from Monday 14 May 2018 (ISO weeks 20-21), as find_gaps reports them.
    gaps = pd.DataFrame([
        {"tilbud": "Yoga", "first_day": pd.Timestamp("2018-05-14"), "weeks": 2, "median_weekly_visits": 6.0},
        {"tilbud": "NADA", "first_day": pd.Timestamp("2018-05-14"), "weeks": 2, "median_weekly_visits": 5.0},
    ])
    rows = [
        ("kontakter_psykiatriens_hus", "I alt", "2018H1", 13),
        ("kontakter_pr_tilbud", "NADA", "2018H1", 7), ("besoeg_pr_tilbud", "NADA", "2018H1", 150),
        ("kontakter_pr_tilbud", UOPLYST, "2018H1", 6), ("besoeg_pr_tilbud", UOPLYST, "2018H1", 140),
        ("kontakter_pr_ukendt_tilbud", "Yoga", "2018H1", 6), ("besoeg_pr_ukendt_tilbud", "Yoga", "2018H1", 138),
    ]
    indicators = pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])

    beside = fremmoede.gaps_beside_published(gaps, indicators, ["2018H1"], known=KNOWN).set_index("Tilbud")

    assert beside.loc["Yoga", "Kontakter (registreret)"] == 6  # as Tabel 5, not 0
    assert beside.loc["Yoga", "Besøg (registreret)"] == 138  # its own visits, not Uoplyst tilbud's 140
    assert beside.loc["Yoga", "Skøn i pct. af registrerede besøg"] == pytest.approx(12 / 138)
    assert (beside.loc["NADA", "Kontakter (registreret)"], beside.loc["NADA", "Besøg (registreret)"]) == (7, 150)
    # Without ``known``, the tilbud mapping decides; Yoga is not in it.
    default = fremmoede.gaps_beside_published(gaps, indicators, ["2018H1"]).set_index("Tilbud")
    assert default.loc["Yoga", "Kontakter (registreret)"] == 6


def test_report_tables_link_tabel9_to_tabel5_for_an_unknown_tilbud(tmp_path):
    visits = cleaned(tmp_path)
    indicators = fremmoede_indicators(visits)
    periods = ["2018H1", "2018H2", "2019H1"]
    assert not visits["tilbud_kendt"][visits["tilbud"] == "Yoga"].any()
    assert find_gaps(visits)["tilbud"].tolist() == ["Yoga"]

    out = fremmoede.report_tables(indicators, visits, periods, known=KNOWN)  # raised ValueError before the fix

    t9, t5 = out["raw"]["tabel9"], out["raw"]["tabel5"]
    assert t9.loc[("Yoga", "2018H1"), "Kontakter (registreret)"] == t5.loc["Yoga", "2018H1"] == 6
    assert t9.loc[("Yoga", "2018H1"), "Besøg (registreret)"] == 6 * 23  # 25 Mondays, 2 silent
    assert out["shown"]["tabel9"].loc[("Yoga", "2018H1"), "Kontakter (registreret)"] == 6


def test_a_small_unknown_tilbud_is_hidden_in_tabel9_as_in_tabel5(tmp_path):
    visits = cleaned(tmp_path, yoga_people=PEOPLE[:2])
    out = fremmoede.report_tables(fremmoede_indicators(visits), visits, ["2018H1", "2018H2", "2019H1"], known=KNOWN)
    shown9, shown5 = out["shown"]["tabel9"], out["shown"]["tabel5"]
    assert shown5.loc["Yoga", "2018H1"] == "<5"
    assert shown9.loc[("Yoga", "2018H1"), "Kontakter (registreret)"] == "<5"


@pytest.mark.slow
def test_report_02_builds_with_a_gap_in_an_unknown_tilbud(tmp_path, monkeypatch):
    from analyse.pipeline import clean_all
    from analyse.runner import run_notebooks

    raw, processed, reports = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports"
    write_csv(raw / "fremmoede" / "fremmoede.csv", attendance_lines())
    clean_all(raw, processed)
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))

    results = run_notebooks([NOTEBOOK_02], reports_dir=reports, processed_dir=processed)

    assert [r.ok for r in results] == [True]
    page = (reports / "02_psykiatriens_hus.html").read_text(encoding="utf-8")
    assert "Tabel 9" in page and "Yoga, 1. halvår 2018" in page
