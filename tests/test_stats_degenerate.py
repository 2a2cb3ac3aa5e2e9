"""Series that give a model no usable estimate (only zeros, one half-year above 0, shares that
separate completely over time, a segment of zeros around an intervention) give no trend and one
Danish sentence saying so, and why: never an OverflowError, a ValueError from a thousands
separator or a rise of 2.885.247.262.459.149.000.000.000 %."""

from __future__ import annotations

import re
import warnings

import pandas as pd
import pytest

from analyse import stats, summary
from analyse.periods import half_year_range
from analyse.rusmiddel import outcome_table
from analyse.rusmiddel_report import trend_sentence


def _series(values, start="2018H1"):
    return pd.Series(values, index=half_year_range(start, "2040H2")[:len(values)], dtype="float64")


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("counts, reason", [
    ([0, 0, 0, 5], "kun ét halvår har et antal over 0"),          # was OverflowError
    ([5, 0, 0, 0], "kun ét halvår har et antal over 0"),          # was OverflowError
    ([0, 0, 0, 0, 1], "kun ét halvår har et antal over 0"),       # was OverflowError
    ([0, 0, 0, 0, 0, 0, 0, 200], "kun ét halvår har et antal over 0"),  # was ValueError on '4.315.328'
    ([1, 0, 0, 0, 0, 0, 0, 40], stats.UNSTABLE),                  # was a rise of 2.9·10²⁴ %
    ([0, 0, 0, 0], "antallet er 0 i alle halvår"),
])
def test_a_count_series_without_a_usable_estimate_says_so(counts, reason):
    trend, text = stats.count_trend(_series(counts), "antallet")
    assert trend is None
    assert text.endswith(f"Udviklingen over tid kan ikke beregnes ud fra disse tal: {reason}.")
    assert text.count("Udviklingen") == 1


def test_a_wide_but_finite_interval_is_still_a_trend():
    trend, text = stats.count_trend(_series([3, 0, 4, 0]), "antallet")
    assert trend is not None and "fra et fald på 96 % til en stigning på 1.324 %" in text
    trend, text = stats.count_trend(_series([0, 0, 1, 50]), "antallet")
    assert trend is not None and trend.significant


def test_no_trend_text_prints_an_absurd_percentage():
    for counts in ([1, 0, 0, 0, 0, 0, 0, 40], [0, 0, 0, 0, 0, 0, 0, 200], [40, 0, 0, 0, 0, 0, 0, 1]):
        _, text = stats.count_trend(_series(counts), "antallet")
        assert not re.search(r"\d{1,3}(\.\d{3}){2,} %", text), text


@pytest.mark.parametrize("successes, totals", [
    ([0, 0, 10, 10], [10, 10, 10, 10]),
    ([0, 0, 0, 10, 10], [10] * 5),
    ([1, 0, 0, 0], [1, 3, 4, 2]),
    ([0, 0, 5, 10], [10, 10, 10, 10]),   # quasi-complete: one period with both outcomes
])
def test_shares_that_separate_completely_have_no_trend(successes, totals):
    index = half_year_range("2021H1", "2040H2")[:len(successes)]
    with pytest.raises(stats.NotEstimable) as caught:
        stats.binomial_trend(pd.Series(successes, index=index), pd.Series(totals, index=index))
    assert caught.value.reason == stats.SEPARATED


def test_shares_that_overlap_keep_their_trend():
    index = half_year_range("2021H1", "2022H2")
    result = stats.binomial_trend(pd.Series([0, 1, 9, 10], index=index), pd.Series([10] * 4, index=index))
    assert result.significant and result.odds_ratio > 1


def _separated_episodes() -> pd.DataFrame:
    # Stof: 1 of 1, 0 of 3, 0 of 4, 0 of 2 (the reviewer's case that crashed report 00).
    rows = ([("Stof", "2021-03-01", "Ophørt")] + [("Stof", "2021-09-01", "Afbrudt")] * 3
            + [("Stof", "2022-03-01", "Afbrudt")] * 4 + [("Stof", "2022-09-01", "Afbrudt")] * 2)
    rows += [("Alkohol", d, s) for d in ("2021-03-01", "2021-09-01", "2022-03-01", "2022-09-01")
             for s in ("Ophørt", "Afbrudt") * 20]
    episodes = pd.DataFrame(rows, columns=["rusmiddel", "end_date", "afslutningsstatus"])
    episodes["end_date"] = pd.to_datetime(episodes["end_date"])
    return episodes


def test_report_00_and_03_say_why_a_separated_share_has_no_trend():
    episodes = _separated_episodes()
    expected = stats.no_trend_sentence(stats.SEPARATED)
    figure = summary.share_figure(episodes, "stof", "Stof", "Stof", "2016H1", "2022H2")  # was OverflowError
    assert figure.trend is None and figure.sentence == expected and figure.direction == summary.UNKNOWN
    outcomes = outcome_table(episodes, ["2021H1", "2021H2", "2022H1", "2022H2"])
    assert trend_sentence(outcomes, "Stof") == expected  # was "for få perioder"


def test_the_separation_sentence_does_not_tell_which_way_the_hidden_shares_went():
    # The four half-years' shares rest on 1-4 episodes and are hidden in the tables.
    assert not re.search(r"\d+ %|steg|faldt|tidlig|sen", stats.SEPARATED)


@pytest.mark.parametrize("counts, before, after", [
    ([0, 0, 100, 90, 80, 70, 60], 0, 5),     # level ratio 9·10¹⁰ with [0, inf]: decimal.InvalidOperation
    ([3, 0, 100, 90, 80, 70, 60], 1, 5),
    ([50, 60, 0, 0, 0, 0, 0], 2, 0),
])
def test_an_interrupted_time_series_with_a_segment_of_zeros_has_no_result(counts, before, after):
    series = pd.Series(counts, index=half_year_range("2016H1", "2019H1"), dtype="float64")
    with pytest.raises(stats.NotEstimable, match=f"der er {before} før og {after} efter"):
        stats.interrupted_time_series(series, "2017H1")
    indicators = pd.DataFrame({"indicator": "unikke_personer_pr_ydelsestype", "group": summary.TIMETAKST,
                               "period": series.index, "value": counts})
    result, text = summary.timetakst_its(indicators, "2016H1", "2019H1")
    assert result is None
    assert text.startswith("Den afbrudte tidsserie kan ikke beregnes: ") and "over 0" in text
