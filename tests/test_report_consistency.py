"""The summary report (00) publishes AS2007 key figures as report 01 publishes them.

Suppressed apart, a cell 01 hides could be shown in 00, or read off as the difference of two
figures 00 shows: 13 persons with any grant and 12 with § 85 timetakst means 1 person with
another type, a count 01 hides. Both now take their cells from as2007_report.grant_tables.
"""

from __future__ import annotations

import pandas as pd

from analyse import summary
from analyse.as2007_report import TOTAL_ROW, grant_tables

PERIODS = ["2018H1", "2018H2", "2019H1"]


def indicators() -> pd.DataFrame:
    rows = []
    for period, total, timetakst, doegn in zip(PERIODS, [21, 18, 13], [17, 15, 12], [4, 3, 1]):
        rows += [("unikke_personer_visiteret_ydelse", "I alt", period, total),
                 ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte timetakst", period, timetakst),
                 ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte døgntakst", period, doegn)]
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])


def test_key_figures_hide_what_report_01_hides_in_table_chart_and_sentence():
    shown_01 = grant_tables(indicators(), PERIODS, 5)["vist2"]
    assert shown_01.loc["§ 85 bostøtte timetakst"].tolist() == ["X", "X", "X"]  # else 21 − 17 = 4 is read off
    figures = summary.key_figures(indicators(), None, "2018H1", "2019H1", 5)
    timetakst = next(f for f in figures if f.key == "personer_85_timetakst")
    table = summary.key_figures_table(figures, 5)
    row = table.loc[table.index.astype(str).str.contains("timetakst")].astype(str).to_string()
    for hidden in ("17", "15", "12"):
        assert hidden not in row and hidden not in timetakst.sentence
    chart = summary.figure_table(figures, ["personer_visiteret_ydelse", "personer_85_timetakst"])
    assert chart.loc[timetakst.label].tolist() == ["X", "X", "X"]
    assert chart.loc["Unikke personer med en visiteret ydelse"].tolist() == [21, 18, 13]
    assert shown_01.loc[TOTAL_ROW].tolist() == [21, 18, 13]
