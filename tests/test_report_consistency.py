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


def test_the_episodes_beside_a_share_are_hidden_where_report_03_hides_them():
    from analyse.rusmiddel_report import protected_half_years

    # 2016: 8 episodes end in H1 and 2 in H2. Report 03 shows the year (10), so it hides H1's 8
    # as well as H2's 2 (<5): 00 printing "N=8" beside H1 gave H2 = 10 - 8 = 2 away.
    ends = ["2016-02-01"] * 8 + ["2016-09-01"] * 2 + ["2017-03-01"] * 6 + ["2017-09-01"] * 7
    episodes = pd.DataFrame({"rusmiddel": "Alkohol", "end_date": pd.to_datetime(ends),
                             "afslutningsstatus": (["Ophørt", "Uændret"] * 12)[:len(ends)]})
    shown_03 = protected_half_years(episodes, 5).query("group == 'Alkohol'").set_index("period")["n_shown"]
    assert shown_03["2016H2"] == "<5" and isinstance(shown_03["2016H1"], str)
    figure = summary.share_figure(episodes, *summary.KEY_SHARES[0], "2016H1", "2017H2")
    table = summary.key_figures_table([figure], 5)
    assert "N=8" not in table.iloc[0]["Første halvår"]
    assert table.iloc[0]["Seneste halvår"].endswith("N=7)")  # shown in 03 too


def test_report_03_defaults_are_the_periods_00_protects_with():
    from analyse import config
    from analyse.params import declared_parameters
    from analyse.rusmiddel_report import DEFAULT_BASELINE, DEFAULT_COMPARISON

    notebook = config.NOTEBOOKS_DIR / "03_rusmiddel.ipynb"
    declared = declared_parameters([notebook])[notebook]
    defaults = {name: declared[name]["default"].strip("'\"") for name in
                ("baseline_start", "baseline_end", "comparison_start", "comparison_end")}
    assert (defaults["baseline_start"], defaults["baseline_end"]) == DEFAULT_BASELINE
    assert (defaults["comparison_start"], defaults["comparison_end"]) == DEFAULT_COMPARISON
