"""Report 00 and the goal tables: the N beside a share is a published count, so 1-4 is shown as N<5."""

from __future__ import annotations

import re

from analyse.goals import CurrentValue, Goal, GoalResult
from analyse.goals_report import goals_table
from analyse.summary import KeyFigure, key_figures_note, key_figures_table


def share(totals, values, periods=("2016H1", "2016H2")):
    return KeyFigure("stof", "Stofbehandling afsluttet med reduktion eller ophør", "rusmiddel", "andel",
                     tuple(periods), tuple(values), totals=tuple(totals))


def test_a_total_of_one_to_four_is_shown_as_below_five():
    # The reviewer's case: 1 of 2 episodes in the first half-year.
    row = key_figures_table([share((2, 40), (0.5, 0.5))]).iloc[0]
    first = row["Første halvår"]
    assert first == "– (1. halvår 2016, N<5)"
    assert "<5" in first
    assert re.sub(r"halvår 2016", "", first).count("2") == 0  # the 2 episodes appear nowhere
    assert "N=" not in first


def test_every_small_total_is_hidden_and_zero_is_shown():
    for n in (1, 2, 3, 4):
        table = key_figures_table([share((n, n), (0.0, 1.0))])
        for cell in table.iloc[0][["Første halvår", "Seneste halvår"]]:
            assert cell.endswith("N<5)") and not re.search(rf"N\s*=\s*{n}\b", cell)
    zero = key_figures_table([share((0, 40), (0.0, 0.5))]).iloc[0]
    assert zero["Første halvår"].endswith("N=0)")


def test_a_total_of_five_or_more_is_shown_as_before():
    row = key_figures_table([share((40, 1234), (0.5, 0.25))]).iloc[0]
    assert row["Første halvår"] == "50 % (1. halvår 2016, N=40)"
    assert row["Seneste halvår"] == "25 % (2. halvår 2016, N=1.234)"
    assert key_figures_table([share((5, 5), (0.0, 1.0))]).iloc[0]["Første halvår"].endswith("N=5)")


def test_the_threshold_is_the_reports():
    row = key_figures_table([share((7, 12), (0.0, 0.5))], threshold=10).iloc[0]
    assert row["Første halvår"].endswith("N<10)") and "7" not in row["Første halvår"]
    assert row["Seneste halvår"].endswith("N=12)")
    assert "N<5: 1-4 forløb" in key_figures_note()


def test_counts_have_no_n():
    count = KeyFigure("k", "Kontakter i Psykiatriens Hus", "fremmoede", "antal", ("2019H1",), (3.0,))
    assert key_figures_table([count]).iloc[0]["Første halvår"] == "<5 (1. halvår 2019)"


def goal(baseline_n):
    return Goal("g", "Andel med reduktion", "misbrug", "centermål", "andel", "højere", 0.5, 0.6,
                baseline_period="2017", baseline_n=baseline_n)


def test_goal_table_baseline_n_follows_the_same_rule():
    small = goals_table([GoalResult(goal(3), "Kan ikke vurderes", "")]).iloc[0]["Baseline"]
    assert small == "50 % (2017, N<5)"
    large = goals_table([GoalResult(goal(1203), "Kan ikke vurderes", "")]).iloc[0]["Baseline"]
    assert large == "50 % (2017, N=1.203)"


def test_goal_table_current_n():
    current = CurrentValue(0.5, "2019", n=40, successes=20)
    row = goals_table([GoalResult(goal(None), "På vej", "", current=current)]).iloc[0]
    assert row["Opgjort for"] == "2019, N=40"
    hidden = goals_table([GoalResult(goal(None), "På vej", "", current=CurrentValue(0.5, "2019", n=2, successes=1))])
    assert hidden.iloc[0]["Opgjort for"] == "2019, <5 forløb" and hidden.iloc[0]["Aktuel værdi"] == "–"
