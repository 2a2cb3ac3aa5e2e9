"""A half-year with no attendance registrations at all, between half-years with some, is missing
data, not a half-year nobody came: report 00's trend leaves it out and says so; the indicator
file keeps its rows."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analyse import summary
from analyse.indicators import fremmoede_indicators

GAP = (pd.Timestamp("2018-07-01"), pd.Timestamp("2018-12-31"))


def _visits(anonymous_in_gap: bool = False) -> pd.DataFrame:
    """About 9 identified visits a day in NADA, 2017-2019, none registered in 2. halvår 2018."""
    rng = np.random.default_rng(0)
    rows = []
    for day in pd.date_range("2017-01-01", "2019-12-31", freq="D"):
        if GAP[0] <= day <= GAP[1]:
            if anonymous_in_gap and day.day == 1:
                rows.append((day, "NADA", True, None, 3))
            continue
        rows += [(day, "NADA", True, f"p{p}", 1) for p in rng.choice(3000, rng.poisson(9))]
    return pd.DataFrame(rows, columns=["date", "tilbud", "tilbud_kendt", "pseudonym", "antal"])


def _figure(indicators, key="kontakter_psykiatriens_hus"):
    row = {k[0]: k for k in summary.KEY_COUNTS}[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return summary.count_figure(indicators, *row, "2016H1", "2022H2")


@pytest.fixture(scope="module")
def indicators():
    return fremmoede_indicators(_visits())


def test_the_indicator_file_keeps_the_half_year_without_registrations(indicators):
    contacts = indicators[indicators["indicator"] == "kontakter_psykiatriens_hus"].set_index("period")["value"]
    assert contacts["2018H2"] == 0 and len(contacts) == 6


@pytest.mark.parametrize("key", ["kontakter_psykiatriens_hus", "borgere_psykiatriens_hus"])
def test_the_trend_leaves_the_half_year_out_and_names_it(indicators, key):
    figure = _figure(indicators, key)
    assert "2018H2" in figure.periods and figure.values[figure.periods.index("2018H2")] == 0  # the table keeps it
    # Was quasi-Poisson with dispersion 315 and an interval from a fall of 33 % to a rise of 39 %.
    assert figure.trend.n_periods == 5 and figure.trend.model == "Poisson" and figure.trend.dispersion < 1.5
    assert figure.trend.ci_high / figure.trend.ci_low < 1.1
    assert figure.sentence.endswith(
        "2. halvår 2018 er ikke med i beregningen af udviklingen: der er ingen fremmøderegistreringer i noget "
        "tilbud i det halvår, så tallene mangler snarere end at være 0.")


def test_a_half_year_with_only_anonymous_visits_is_registered_and_stays():
    indicators = fremmoede_indicators(_visits(anonymous_in_gap=True))
    assert summary.unregistered_half_years(indicators, ["2018H1", "2018H2", "2019H1"]) == []
    figure = _figure(indicators)
    assert figure.trend.n_periods == 6 and "er ikke med i beregningen" not in figure.sentence


def test_only_half_years_between_registered_ones_and_only_attendance():
    ind = pd.DataFrame({"indicator": "besoeg_pr_tilbud", "group": "NADA",
                        "period": ["2018H1", "2018H2", "2019H1", "2019H2", "2020H1"], "value": [0, 5, 0, 0, 7]})
    assert summary.unregistered_half_years(ind, ["2018H1", "2018H2", "2019H1", "2019H2", "2020H1"]) == [
        "2019H1", "2019H2"]
    assert summary.unregistered_half_years(ind, ["2018H1", "2018H2", "2019H1"]) == []
    assert summary.unregistered_half_years(None, ["2018H1"]) == []
    # An AS2007 count of 0 is a count, not missing registrations.
    as2007 = pd.DataFrame({"indicator": "unikke_personer_visiteret_ydelse", "group": "I alt",
                           "period": ["2018H1", "2018H2", "2019H1", "2019H2"], "value": [500, 0, 480, 470]})
    figure = summary.count_figure(pd.concat([as2007, ind]), "x", "X", "as2007", "unikke_personer_visiteret_ydelse",
                                  "I alt", "antallet", "2016H1", "2022H2")
    assert figure.trend.n_periods == 4 and "er ikke med i beregningen" not in figure.sentence
