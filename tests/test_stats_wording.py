"""The Danish sentences never contradict their own numbers: a difference has the sign of its
interval, a bound of a statistically clear change does not read as 0, and a count series too
short for a trend gets a plain sentence instead of an error."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyse import stats
from analyse.goals import Goal, GoalResult
from analyse.goals_report import change_text

_NUMBER = r"(−?\d+(?:,\d+)?)"
_DIFFERENCE = re.compile(rf"forskel: {_NUMBER} procentpoint; 95 %-konfidensinterval: {_NUMBER} til {_NUMBER}")


def _value(text: str) -> float:
    return float(text.replace("−", "-").replace(",", "."))


def test_a_fall_has_a_negative_difference_like_its_interval():
    # Report 04's stof goal: 57 % at baseline, 51 % now.
    text = stats.describe_share_change(56, 98, 51, 100, first="baseline", second="2022")
    assert "er faldet fra 57 % i baseline til 51 % i 2022" in text
    assert "forskel: −6 procentpoint; 95 %-konfidensinterval: −20 til 8 procentpoint" in text


def test_a_rise_keeps_a_positive_difference():
    text = stats.describe_share_change(50, 106, 340, 479, first="2018", second="2021")
    assert "forskel: 24 procentpoint; 95 %-konfidensinterval: 13 til 34 procentpoint" in text


@settings(max_examples=300, deadline=None)
@given(n1=st.integers(5, 400), n2=st.integers(5, 400), p1=st.floats(0, 1), p2=st.floats(0, 1))
def test_the_difference_lies_in_its_interval_and_agrees_with_the_verb(n1, n2, p1, p2):
    s1, s2 = round(p1 * n1), round(p2 * n2)
    text = stats.describe_share_change(s1, n1, s2, n2, first="før", second="nu")
    match = _DIFFERENCE.search(text)
    if match is None:  # the same whole percent: "uændret", no difference given
        assert "er uændret" in text
        return
    difference, low, high = (_value(g) for g in match.groups())
    assert low <= difference <= high
    if "er faldet" in text:
        assert difference <= 0
    else:
        assert "er steget" in text and difference >= 0
    if "statistisk sikker" in text:  # the interval as written leaves out 0
        assert low > 0 or high < 0


def test_a_clear_change_with_a_bound_a_hair_from_zero_does_not_print_0():
    # Found by the property above: 11/28 against 36/163, upper bound −0.0039 procentpoint.
    text = stats.describe_share_change(11, 28, 36, 163, first="før", second="nu")
    assert "faldet er statistisk sikkert" in text
    assert "95 %-konfidensinterval: −36 til −0,004 procentpoint" in text


def test_the_goals_table_and_the_sentence_write_the_same_difference():
    goal = Goal("stof", "Stof", "sundhed", "centermål", "andel", "højere", 0.57, 0.6, baseline_n=98)
    diff = stats.newcombe_difference(56, 98, 51, 100)
    table = change_text(GoalResult(goal, "Ikke nået", "", change=diff.difference,
                                   change_low=diff.ci_low, change_high=diff.ci_high))
    assert table == "−6 procentpoint (−20 til 8)"
    assert "forskel: −6 procentpoint; 95 %-konfidensinterval: −20 til 8" in stats.describe_share_change(
        56, 98, 51, 100, first="baseline", second="2022")


def _trend(ratio, low, high, p):
    return stats.TrendResult(ratio, low, high, ratio**2, low**2, high**2, p, "Poisson", 7, 1.0, "2016H1", "2019H1")


def test_a_clear_fall_with_a_bound_near_zero_shows_it_with_a_decimal():
    # Report 00: "faldet med ca. 4 % pr. halvår (95 %-konfidensinterval: 0 % til 7 %). Faldet er statistisk sikkert."
    text = stats.describe_trend(_trend(0.962, 0.928, 0.997, 0.03), "antallet af personer")
    assert "(95 %-konfidensinterval: 0,3 % til 7 %). Faldet er statistisk sikkert." in text


def test_bounds_away_from_zero_keep_whole_percent():
    text = stats.describe_trend(_trend(0.93, 0.91, 0.95, 0.0001), "antallet")
    assert "(95 %-konfidensinterval: 5 % til 9 %)" in text


def test_an_unclear_change_with_a_tiny_bound_does_not_print_zero():
    text = stats.describe_trend(_trend(1.02, 0.998, 1.05, 0.2), "antallet")
    assert "fra et fald på 0,2 % til en stigning på 5 %" in text


@settings(max_examples=300, deadline=None)
@given(slope=st.floats(-0.2, 0.2), half_width=st.floats(0.0005, 0.2))
def test_a_significant_trend_never_shows_a_zero_bound(slope, half_width):
    import math

    low, high = math.exp(slope - half_width), math.exp(slope + half_width)
    significant = low > 1 or high < 1
    result = _trend(math.exp(slope), low, high, 0.01 if significant else 0.5)
    text = stats.describe_trend(result, "antallet")
    interval = re.search(r"konfidensinterval: (.*?)\)", text).group(1)
    if significant:
        assert not re.search(r"(?<![\d,])0 %", interval), text


def test_the_key_figures_table_shows_a_bound_near_zero_with_a_decimal():
    from analyse.summary import KeyFigure, _trend_text

    figure = KeyFigure("k", "K", "as2007", "antal", ("2016H1",), (1.0,), trend=_trend(0.962, 0.928, 0.998, 0.03))
    assert _trend_text(figure) == "−4 % pr. halvår (−7 til −0,2)"


def test_an_odds_ratio_bound_that_would_read_as_1_gets_a_third_decimal():
    result = stats.ShareTrendResult(0.97, 0.95, 0.998, 0.04, "binomial", 14, 1.1, "2016H1", "2022H2", "halvår")
    text = stats.describe_share_trend(result, "andelen")
    assert "95 %-konfidensinterval: 0,95 til 0,998). Faldet er statistisk sikkert." in text


@pytest.mark.parametrize("periods", [["2019H1"], ["2018H2", "2019H1"], ["2018H1", "2018H2", "2019H1"]])
def test_a_count_series_too_short_for_a_trend_gets_first_and_last_value(periods):
    series = pd.Series([700, 650, 600][: len(periods)], index=periods)
    trend, text = stats.count_trend(series, "antallet af personer")
    assert trend is None
    assert text.startswith("Antallet af personer var 700 i ")
    assert text.endswith(f"Der er kun {len(periods)} halvår med tal, for få til at vurdere udviklingen.")


def test_the_short_sentence_uses_the_published_values():
    series = pd.Series([3, 650], index=["2018H2", "2019H1"])
    _, text = stats.count_trend(series, "antallet", threshold=5)
    assert text.startswith("Antallet var <5 i 2. halvår 2018 og 650 i 1. halvår 2019.")
    _, text = stats.count_trend(series, "antallet", shown=pd.Series(["X", 650], index=series.index))
    assert text.startswith("Antallet var X i 2. halvår 2018 og 650 i 1. halvår 2019.")
    _, text = stats.count_trend(pd.Series([7, 8], index=["2018H2", "2019H1"]), "antallet", threshold=10)
    assert "var <10 i 2. halvår 2018 og <10 i 1. halvår 2019" in text


def test_four_half_years_give_a_trend_and_all_zeros_a_plain_sentence():
    index = ["2018H1", "2018H2", "2019H1", "2019H2"]
    trend, text = stats.count_trend(pd.Series([800, 760, 720, 690], index=index), "antallet")
    assert trend is not None and trend.n_periods == 4 and "pr. halvår" in text
    trend, text = stats.count_trend(pd.Series([0, 0, 0, 0], index=index), "antallet")
    assert trend is None and text == (
        "Antallet var 0 i 1. halvår 2018 og 0 i 2. halvår 2019. Udviklingen over tid kan ikke beregnes ud fra "
        "disse tal: antallet er 0 i alle halvår.")


def test_the_summary_and_report_01_use_the_same_rule():
    from analyse.summary import count_figure

    indicators = pd.DataFrame({"indicator": ["n"] * 3, "group": ["I alt"] * 3,
                               "period": ["2018H1", "2018H2", "2019H1"], "value": [569, 711, 670]})
    figure = count_figure(indicators, "k", "K", "as2007", "n", "I alt", "antallet af kontakter", "2016H1", "2022H2")
    assert figure.trend is None
    assert figure.sentence == stats.count_trend(
        pd.Series([569, 711, 670], index=["2018H1", "2018H2", "2019H1"]), "antallet af kontakter")[1]
    assert figure.sentence == ("Antallet af kontakter var 569 i 1. halvår 2018 og 670 i 1. halvår 2019. "
                               "Der er kun 3 halvår med tal, for få til at vurdere udviklingen.")


@pytest.mark.parametrize("notebook", ["00_samlet_rapport", "03_rusmiddel"])
def test_the_method_notes_explain_statistisk_sikker_as_what_a_p_value_is(notebook):
    # "næppe (under 5 % sandsynlighed) skyldes tilfældigheder alene" is the probability that the
    # development is chance, which a p-value is not: it is how often chance alone, with no real
    # change, would give as large a development.
    from analyse import config

    for path in (config.NOTEBOOKS_DIR / f"{notebook}.py", config.NOTEBOOKS_DIR / f"{notebook}.ipynb"):
        text = path.read_text(encoding="utf-8")
        assert "sandsynlighed) skyldes tilfældigheder" not in text
        assert ("betyder, at en så stor udvikling sjældent (under 5 % af gangene) ville opstå ved tilfældigheder "
                "alene, hvis der ingen reel ændring var.") in text
        assert "uafhængige af hinanden" in text and "skal derfor læses med forsigtighed" in text
    if notebook == "00_samlet_rapport":
        assert "igangværende bevilling" in text
