"""Reports 04 and 00: where a goal's current value is hidden, its status is not shown either.

A status beside a hidden value gives the value away in part: "Nået" against a target of
60 % on 3 episodes says that at least 2 of the 3 reached the outcome; "Nået" against 96 %
of 50 says that at most 2 did not. The reports show "Ikke vist" instead, in the goal
table (04 and 00), the status sentence, the per-status lists, the goal's own sentence and
the chart; the judged status stays in the result.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analyse import goals_report, summary
from analyse.goals import NOT_REACHED, REACHED, CurrentValue, DataSource, Goal, GoalResult, evaluate_goal

NOT_SHOWN = "Ikke vist"  # analyse.goals.NOT_SHOWN, spelt out: the report's word is what is tested

# The columns of report 00's goal table (notebooks/00_samlet_rapport.py, Tabel 2).
SUMMARY_COLUMNS = ["Måltema", "Mål for", "Aktuel værdi", "Opgjort for", "Status"]
JUDGED = ("Nået", "På vej", "Ikke nået")


def share_goal(name: str, target: float = 0.6, baseline: float = 0.47) -> Goal:
    return Goal(name, name, "sundhed", "centermål", "andel", "højere", baseline, target, baseline_period="2017",
                baseline_n=106, deadline=2020,
                source=DataSource("andel_reduktion_eller_ophoer", "Alkohol", "år", "antal_afsluttede_forloeb"))


def count_goal(name: str) -> Goal:
    return Goal(name, name, "sundhed", "centermål", "antal", "lavere", 86, 75, deadline=2022,
                source=DataSource("unikke_borgere_psykiatriens_hus", "I alt", "år"))


def result(goal: Goal, status: str, successes: int | None, n: int | None, value: float | None = None) -> GoalResult:
    value = successes / n if value is None else value
    return GoalResult(goal, status, "test", CurrentValue(value, "2022", n, successes))


HIDDEN = {
    # 2 of 3 against 60 %: "Nået" would say at least 2 of the 3 reached the outcome.
    "n-under-5": result(share_goal("Tre forløb"), REACHED, 2, 3),
    # 48 of 50 against 96 %: "Nået" would say at most 2 did not.
    "hoejt-maal": result(share_goal("Højt mål", target=0.96, baseline=0.9), REACHED, 48, 50),
    # 3 of 50 reached: "Ikke nået" would say which side of the target the few are on.
    "1-4-naaede": result(share_goal("Få nåede"), NOT_REACHED, 3, 50),
    # A count of 3 persons, published as <5 as in the other reports.
    "antal-under-5": result(count_goal("Få borgere"), REACHED, None, None, value=3.0),
}
VISIBLE = [result(share_goal("Synlig nået"), REACHED, 31, 50),
           result(share_goal("Synlig ikke nået"), NOT_REACHED, 20, 50)]


@pytest.mark.parametrize("case", list(HIDDEN))
def test_the_goal_table_of_04_and_00_shows_no_status_where_the_value_is_hidden(case):
    hidden = HIDDEN[case]
    for table in (goals_report.goals_table([hidden, *VISIBLE]),
                  goals_report.goals_table([hidden, *VISIBLE])[SUMMARY_COLUMNS]):
        row = table.loc[hidden.goal.name]
        assert row["Status"] == NOT_SHOWN
        assert row["Aktuel værdi"] in ("–", "<5")
        assert not any(status in " ".join(map(str, row.values)) for status in JUDGED)
        # A visible value keeps its status.
        assert table.loc["Synlig nået", "Status"] == "Nået"
        assert table.loc["Synlig ikke nået", "Status"] == "Ikke nået"
    assert hidden.status in JUDGED  # still judged, just not shown


def test_a_small_count_is_shown_as_below_five():
    row = goals_report.goals_table([HIDDEN["antal-under-5"]]).iloc[0]
    assert row["Aktuel værdi"] == "<5"
    assert goals_report.goals_table([result(count_goal("Mange"), REACHED, None, None, value=70.0)]).iloc[0][
        "Aktuel værdi"] == "70"


def test_the_status_sentence_counts_hidden_statuses_apart():
    results = [*HIDDEN.values(), *VISIBLE]
    text = goals_report.status_sentence(results)
    assert text.startswith("Af aftalens 6 mål er 1 nået, 0 på vej og 1 ikke nået;")
    assert "for 4 vises status ikke, fordi der er for få borgere til at vise værdien (under 5)" in text


def test_the_lists_by_status_of_04_and_00_keep_hidden_goals_apart():
    results = [*HIDDEN.values(), *VISIBLE]
    names = goals_report.names_by_status(results)
    assert names["Nået"] == ["Synlig nået"]
    assert names["Ikke nået"] == ["Synlig ikke nået"]
    assert names[NOT_SHOWN] == [r.goal.name for r in HIDDEN.values()]

    bullets = summary.goal_bullets(results)
    reached = next(line for line in bullets.splitlines() if line.startswith("- **Nået:**"))
    not_reached = next(line for line in bullets.splitlines() if line.startswith("- **Ikke nået:**"))
    assert reached == "- **Nået:** Synlig nået."
    assert not_reached == "- **Ikke nået:** Synlig ikke nået."
    assert "- **Status ikke vist (for få borgere):** Tre forløb; Højt mål; Få nåede; Få borgere." in bullets


def test_the_goal_sentence_and_the_chart_show_no_status_where_the_value_is_hidden():
    for hidden in HIDDEN.values():
        sentence = goals_report.goal_sentence(hidden)
        assert f"Status: **{NOT_SHOWN}**" in sentence and "Nået" not in sentence
    results = [*HIDDEN.values(), *VISIBLE]
    fig = goals_report.theme_chart(results, "sundhed", "Figur", "Kilde")
    try:
        titles = {ax.get_title(loc="left").split("\n")[0]: ax.get_title(loc="left") for ax in fig.axes
                  if ax.get_visible()}
        for hidden in HIDDEN.values():
            assert f"\n{NOT_SHOWN} · " in titles[hidden.goal.name]
            assert not any(f"\n{status} · " in titles[hidden.goal.name] for status in JUDGED)
        assert "\nNået · " in titles["Synlig nået"]
    finally:
        plt.close(fig)


def test_the_threshold_is_the_reports():
    seven = result(share_goal("Syv nåede"), NOT_REACHED, 7, 50)
    assert goals_report.goals_table([seven]).iloc[0]["Status"] == "Ikke nået"
    assert goals_report.goals_table([seven], threshold=10).iloc[0]["Status"] == NOT_SHOWN
    assert "under 10" in goals_report.status_sentence([seven], threshold=10)


def test_a_goal_judged_from_episodes_keeps_its_status_but_does_not_show_it():
    # 3 of 50 episodes reached the outcome: judged "Ikke nået", shown as "Ikke vist".
    episodes = pd.DataFrame({
        "rusmiddel": ["Alkohol"] * 50,
        "end_date": pd.to_datetime(["2022-06-01"] * 50),
        "afslutningsstatus": ["Reduceret"] * 3 + ["Uændret"] * 47,
    })
    goal = Goal("alk", "Alkohol", "sundhed", "centermål", "andel", "højere", 0.47, 0.5, deadline=2020,
                source=DataSource("andel_reduktion_eller_ophoer", "Alkohol", "12 måneder"))
    judged = evaluate_goal(goal, None, "2022-12-31", episodes)
    assert (judged.current.n, judged.current.successes, judged.status) == (50, 3, NOT_REACHED)
    assert goals_report.shown_status(judged) == NOT_SHOWN
    assert goals_report.goals_table([judged]).iloc[0]["Status"] == NOT_SHOWN


def test_the_rules_in_the_report_name_the_hidden_status():
    rules = goals_report.rules_for_report(5)
    assert f"**{NOT_SHOWN}:**" in rules and "under 5 forløb" in rules and "1-4" in rules
    assert "under 7 forløb" in goals_report.rules_for_report(7)
    assert "–" in goals_report.goals_table_note() and NOT_SHOWN in goals_report.goals_table_note()
