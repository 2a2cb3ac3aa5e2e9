"""Exact half-percents round up, as the agreement writes them: 113 of 200 is 56.5 %, shown and
judged as 57 %, although 113/200 × 100 is 56.49999999999999 in binary floating point."""

from __future__ import annotations

from fractions import Fraction

import pandas as pd

from analyse import stats
from analyse.formatting import format_number, format_percent, round_half_up
from analyse.goals import REACHED, DataSource, Goal, _whole, evaluate_goal, judge, successes_of


def _half_percents():
    """Every share s/n (n = 200, 400, …, 1200) that is an exact half-percent, with its half-up whole percent."""
    for n in range(200, 1201, 200):
        for s in range(n + 1):
            percent = Fraction(s, n) * 100
            if percent.denominator == 2:
                yield s, n, int(percent + Fraction(1, 2))


HALF_PERCENTS = list(_half_percents())


def test_there_are_half_percents_that_binary_floats_put_below_the_half():
    # The reviewer's 24 cases: without them this file would test nothing.
    assert sum(1 for s, n, _ in HALF_PERCENTS if s / n * 100 < s * 100 // n + 0.5) >= 24


def test_every_exact_half_percent_is_shown_and_compared_rounded_up():
    # (One test over all ~600 cases, listing every one that fails.)
    wrong = [(s, n) for s, n, whole in HALF_PERCENTS
             if not (format_percent(s / n) == format_percent(Fraction(s, n)) == f"{whole} %"
                     and stats._whole_percent(s / n) == _whole(s / n, "andel") == whole)]
    assert not wrong


def test_the_reviewers_case_113_of_200():
    assert format_percent(113 / 200) == "57 %"
    assert format_number(0.565 * 100) == "57"
    goal = Goal("stof", "Stof", "sundhed", "centermål", "andel", "højere", baseline=0.50, target=0.57,
                deadline=2022, source=DataSource("andel_reduktion_eller_ophoer", "Stof"))
    assert judge(goal, 113 / 200, "2022-12-31", n=200)[0] == REACHED
    assert stats.compare_shares(50, 100, 113, 200, target=0.57).target_reached
    text = stats.describe_share_change(50, 100, 113, 200, first="før", second="nu", target=0.57)
    assert "til 57 % i nu" in text and "Målet på 57 % er nået" in text


def test_one_rounding_rule_for_exact_and_binary_values():
    assert round_half_up(Fraction(113, 200) * 100) == 57
    assert round_half_up(0.565 * 100) == 57
    assert round_half_up(2.5) == 3 and round_half_up(-2.5) == -3 and round_half_up(0.5) == 1
    assert round_half_up(56.4999) == 56          # not a half: stays down
    assert round_half_up(1.005, 2) == Fraction(101, 100)
    assert round_half_up(12345678901) == round_half_up(12345678901.0) == 12345678901  # every digit kept
    assert str(round_half_up(2.885e22)) == "28850000000000000000000"
    assert successes_of(0.565, 200) == 113


def test_a_goal_counted_from_episodes_is_judged_on_the_exact_share():
    # 113 of 200 ended episodes in the 12 months up to the status date.
    ends = pd.to_datetime(["2022-03-01"] * 200)
    episodes = pd.DataFrame({"rusmiddel": "Stof", "end_date": ends,
                             "afslutningsstatus": ["Ophørt"] * 113 + ["Uændret"] * 87})
    goal = Goal("stof", "Stof", "sundhed", "centermål", "andel", "højere", baseline=0.50, target=0.57,
                deadline=2022, source=DataSource("andel_reduktion_eller_ophoer", "Stof", "12 måneder"))
    result = evaluate_goal(goal, None, "2022-06-30", episodes)
    assert (result.current.successes, result.current.n) == (113, 200)
    assert result.status == REACHED


def test_the_trend_texts_round_half_up_too():
    # _per_half_year and the ITS jump used round(), which rounds 0.5 to 0 (banker's rounding).
    assert stats._per_half_year(1.005) == "stigende med ca. 1 % pr. halvår"
    r = stats.ITSResult("2017H1", 1.005, 0.9, 1.1, 0.4, 1.0, 0.9, 1.1, 0.5, 1.0, 0.9, 1.1,
                        1.0, 0.9, 1.1, "Poisson", 1.0, 8, 8, "2013H1", "2020H2")
    assert "ca. 1 % over det, udviklingen før lod forvente" in stats.describe_its(r, "antallet")
