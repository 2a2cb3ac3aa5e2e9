"""Reports 04 and 00 hide a treatment-outcome goal's value where report 03 hides the same figure.

Found: alcohol episodes, 2020 with 3 of 20 reached and 2021 with 15 of 30. Report 03 hides the
share of 2020 (3 reached) and, as the second cell that keeps it from being read off
"2020–2021: 36 % of 50", the share of 2021. Report 04 at 31 December 2021 showed the goal's
value for 2021 as "50 %, N=30": 18 − 15 = 3 reached in 2020. Now 04 and 00 follow 03: the value
is "–" and the status "Ikke vist", also for a goal window 03 does not publish but which, with
03's figures, would give a hidden cell away.
"""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from analyse import goals_report
from analyse.goals import REACHED, DataSource, Goal, evaluate_goals
from analyse.rusmiddel import rusmiddel_indicators
from analyse.rusmiddel_report import protected_periods, share_display_table

NOT_SHOWN = "Ikke vist"
# The columns of report 00's goal table (notebooks/00_samlet_rapport.py, Tabel 2).
SUMMARY_COLUMNS = ["Måltema", "Mål for", "Aktuel værdi", "Opgjort for", "Status"]


def episodes(per_half_year: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Alcohol episodes: half-year → (reached, completed), ending mid-half-year."""
    rows = []
    for half_year, (reached, completed) in per_half_year.items():
        end = f"{half_year[:4]}-{'03' if half_year.endswith('H1') else '09'}-15"
        rows += [("Alkohol", end, "Reduceret" if i < reached else "Uændret") for i in range(completed)]
    frame = pd.DataFrame(rows, columns=["rusmiddel", "end_date", "afslutningsstatus"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


# 2020: 3 of 20 reached (1 + 2); 2021: 15 of 30 (7 + 8).
FOUND = {"2020H1": (1, 10), "2020H2": (2, 10), "2021H1": (7, 15), "2021H2": (8, 15)}
# The same 2021, but 2020 with 10 of 20: nothing in 03 is hidden.
VISIBLE = {"2020H1": (5, 10), "2020H2": (5, 10), "2021H1": (7, 15), "2021H2": (8, 15)}


def goal(window: str = "år", indicator: str = "andel_reduktion_eller_ophoer", name: str = "Alkohol") -> Goal:
    return Goal(name, name, "sundhed", "centermål", "andel", "højere", 0.47, 0.5,
                baseline_period="dec. 2017–maj 2018", baseline_n=106, deadline=2020,
                source=DataSource(indicator, "Alkohol", window, "antal_afsluttede_forloeb"))


def report_04(episode_table: pd.DataFrame, goals: list[Goal], status_date: str = "2021-12-31"):
    """The goal results as notebooks 04 and 00 compute them (indicator table and episodes)."""
    return evaluate_goals(goals, rusmiddel_indicators(episode_table), status_date, episode_table, min_n=5)


def test_report_03_hides_2021_as_the_cell_that_protects_2020():
    # The premise: without 2021 hidden, 2020 = (2020–2021) − 2021 would be read off report 03.
    protected = protected_periods(episodes(FOUND)).query("group == 'Alkohol'")
    shown = share_display_table(protected, "Alkohol")
    assert shown.loc["2020–2021", "Reduktion eller ophør"] == "36 %"
    assert shown.loc["2020–2021", "Afsluttede forløb"] == 50
    assert shown.loc["2020", "Reduktion eller ophør"] == "–"
    assert shown.loc["2021", "Reduktion eller ophør"] == "–"
    assert shown.loc["2021", "Afsluttede forløb"] == 30  # the N is shown; the share is not


def test_the_2021_value_is_hidden_in_04_and_00_where_03_hides_it():
    results = report_04(episodes(FOUND), [goal()])
    judged = results[0]
    assert (judged.current.successes, judged.current.n, judged.status) == (15, 30, REACHED)  # still judged
    table = goals_report.goals_table(results)
    for shown in (table, table[SUMMARY_COLUMNS]):  # 04's table and 00's columns of it
        row = shown.loc["Alkohol"]
        assert row["Aktuel værdi"] == "–"
        assert row["Status"] == NOT_SHOWN
        assert row["Opgjort for"] == "2021"  # no "N=30" either
        text = " ".join(map(str, row.drop("Mål for").values))  # the target is 50 % too
        assert "50 %" not in text and "N=30" not in text and "Nået" not in text
    assert table.loc["Alkohol", "Ændring siden baseline"] == "–"
    assert f"Status: **{NOT_SHOWN}**" in goals_report.goal_sentence(judged)
    assert "for 1 vises status ikke" in goals_report.status_sentence(results)
    assert goals_report.names_by_status(results)[NOT_SHOWN] == ["Alkohol"]


def test_the_national_measure_follows_03s_national_column():
    # In the example every reached episode is "Reduceret", which the national goal counts too:
    # 03 hides 2021's national share for the same reason.
    results = report_04(episodes(FOUND), [goal(indicator="andel_national_maal", name="Nationalt")])
    row = goals_report.goals_table(results).loc["Nationalt"]
    assert (row["Aktuel værdi"], row["Status"]) == ("–", NOT_SHOWN)


def test_a_value_03_shows_is_shown_unchanged():
    results = report_04(episodes(VISIBLE), [goal()])
    assert not results[0].hidden_in_source_report
    row = goals_report.goals_table(results).loc["Alkohol"]
    assert row["Aktuel værdi"] == "50 %"
    assert row["Opgjort for"] == "2021, N=30"
    assert row["Status"] == REACHED


def test_a_twelve_month_window_03_does_not_publish_is_hidden_where_it_gives_a_hidden_cell_away():
    # 2020H1 has 2 of 10 reached (hidden in 03), and 03 hides 2020H2 with it so that 2020 − 2020H2
    # does not give 2020H1 away. Twelve months to 30 June 2021 are 2020H2 + 2021H1: minus 03's
    # 2021H1 they would give 2020H2 back, and with it 2020H1.
    data = episodes({"2020H1": (2, 10), "2020H2": (12, 20), "2021H1": (10, 20), "2021H2": (11, 20)})
    protected = protected_periods(data).query("group == 'Alkohol'").set_index("period")
    assert protected.loc["2020H1", "share_hidden"] and protected.loc["2020H2", "share_hidden"]
    assert not protected.loc["2021H1", "share_hidden"]
    hidden = report_04(data, [goal("12 måneder")], "2021-06-30")[0]
    assert hidden.current.period == "jul. 2020–jun. 2021" and hidden.current.n == 40
    assert goals_report.shown_status(hidden) == NOT_SHOWN
    # Twelve months to 31 December 2021 are the year 2021, which 03 shows: shown here too.
    shown = report_04(data, [goal("12 måneder")], "2021-12-31")[0]
    assert goals_report.goals_table([shown]).loc["Alkohol", "Aktuel værdi"] == "53 %"  # 21 of 40


def _processed(tmp_path, episode_table: pd.DataFrame):
    folder = tmp_path / "processed"
    folder.mkdir()
    episode_table.assign(start_date=pd.Timestamp("2019-01-01")).to_parquet(folder / "rusmiddel.parquet")
    rusmiddel_indicators(episode_table).to_csv(folder / "indikatorer.csv", sep=";", index=False)
    return folder


def _row(page: str, name: str) -> str:
    match = re.search(rf"<th[^>]*>\s*{re.escape(html.escape(name, quote=False))}\s*</th>(.*?)</tr>", page,
                      re.DOTALL)
    assert match, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


@pytest.mark.slow
def test_the_built_reports_04_and_00_hide_the_2021_value(tmp_path):
    from analyse import config
    from analyse.runner import run_notebooks

    processed = _processed(tmp_path, episodes(FOUND))
    reports = tmp_path / "reports"
    results = run_notebooks(
        [config.NOTEBOOKS_DIR / "04_maalopfoelgning.ipynb", config.NOTEBOOKS_DIR / "00_samlet_rapport.ipynb"],
        parameters={"status_date": "2021-12-31", "report_type": "midtvejsstatus"},
        reports_dir=reports, processed_dir=processed,
    )
    assert [r.ok for r in results] == [True, True]
    name = "Alkohol: reduktion eller afholdenhed efter endt behandling"
    for notebook in ("04_maalopfoelgning", "00_samlet_rapport"):
        row = _row((reports / f"{notebook}.html").read_text(encoding="utf-8"), name)
        assert row.endswith(NOT_SHOWN), (notebook, row)
        assert "– 2021 " in row, (notebook, row)  # value "–", period "2021" without its N
        assert "50 % 2021" not in row and "N=30" not in row, (notebook, row)
