"""Reports on very small data: they build, with '–' and no point where there is no number.

Each crash seen on a cut-down copy of the sample extracts (a few percent of the rows),
reproduced on a small constructed dataset:

- report 00: a share of a half-year with no ended episodes of one kind (NaN) went through
  ``round`` ("cannot convert float NaN to integer");
- report 04 (and 00/03's share charts): a Wilson bound a hair past the share (0 of 7, 7 of 7)
  gave a negative error bar ("'yerr' must not contain negative values");
- report 01: AS2007 data ending before the default last_period stopped the report
  (ConfigError); a default period is now narrowed to the data, an explicit one still stops it.
"""

from __future__ import annotations

import html
import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analyse import goals, goals_report, notebook_setup, rusmiddel, rusmiddel_report, stats, summary  # noqa: E402
from analyse.exceptions import ConfigError  # noqa: E402
from analyse.formatting import MISSING  # noqa: E402
from analyse.periods import half_year_range, period_table  # noqa: E402


def _episodes() -> pd.DataFrame:
    """Alkohol episodes end only in 2018H1, Stof episodes only in 2018H2."""
    return pd.DataFrame({
        "rusmiddel": ["Alkohol"] * 3 + ["Stof"] * 3,
        "end_date": pd.to_datetime(["2018-03-01", "2018-04-01", "2018-05-01",
                                    "2018-09-01", "2018-10-01", "2018-11-01"]),
        "afslutningsstatus": ["Reduceret", "Uændret", "Ophørt"] * 2,
    })


# --- report 00: a share of no episodes --------------------------------------------------------


def test_key_figures_table_shows_a_share_of_no_episodes_as_missing():
    figures = [summary.share_figure(_episodes(), key, label, group, "2016H1", "2022H2")
               for key, label, group in summary.KEY_SHARES]
    assert math.isnan(figures[0].values[-1]) and figures[0].totals[-1] == 0  # the case that crashed

    table = summary.key_figures_table(figures, threshold=3)

    alkohol, stof = table.iloc[0], table.iloc[1]
    assert alkohol["Seneste halvår"] == f"{MISSING} (2. halvår 2018, N=0)"
    assert stof["Første halvår"] == f"{MISSING} (1. halvår 2018, N=0)"
    assert stof["Seneste halvår"] == f"{MISSING} (2. halvår 2018, N=3)"  # 1 without the result: hidden
    # The hidden summary cell is JSON: no NaN in it.
    values = summary.machine_summary(figures, [])["key_figures"]["alkohol_reduktion_eller_ophoer"]["values"]
    assert values[-1] is None


def test_key_figures_table_shows_a_missing_count_as_missing():
    figure = summary.KeyFigure("k", "Antal", "as2007", "antal", ("2018H1", "2018H2"), (float("nan"), 12.0))
    table = summary.key_figures_table([figure])
    assert table.iloc[0]["Første halvår"] == f"{MISSING} (1. halvår 2018)"
    assert table.iloc[0]["Seneste halvår"] == "12 (2. halvår 2018)"


# --- report 04 (and the share charts): error bars ----------------------------------------------


@pytest.mark.parametrize(("successes", "n"), [(0, 7), (7, 7), (0, 9), (9, 9), (3, 11)])
def test_wilson_interval_holds_the_share(successes, n):
    low, high = stats.wilson_interval(successes, n)
    assert low <= successes / n <= high
    assert 0 <= low and high <= 1


def test_error_bar_is_never_negative_and_absent_without_an_interval():
    assert stats.error_bar(1.0, 0.7, 0.9999999999999999) == pytest.approx((0.3, 0.0))
    assert stats.error_bar(0.0, 2.8e-17, 0.35) == (0.0, 0.35)
    assert stats.error_bar(0.5, 0.6, 0.4) == (0.0, 0.0)  # a degenerate interval: no bar
    assert stats.error_bar(0.5, None, 0.7) is None
    assert stats.error_bar(float("nan"), 0.1, 0.7) is None
    assert stats.error_bar(0.5, 0.1, float("nan")) is None


def _share_goal() -> goals.Goal:
    return next(g for g in goals.load_goals(None) if g.is_share and g.source is not None)


@pytest.mark.parametrize("current", [
    # A bound a hair past the value (7 of 7 from an indicator: 1.0 against 0.9999999999999999).
    goals.CurrentValue(1.0, "2021", 7, 7, 0.6456695649333125, 0.9999999999999999),
    goals.CurrentValue(0.0, "2021", 7, 0, 2.7755575615628914e-17, 0.3543304350666875),
    # An interval above the value, and one with a missing bound.
    goals.CurrentValue(0.5, "2021", 10, 5, 0.6, 0.8),
    goals.CurrentValue(0.5, "2021", 10, 5, float("nan"), 0.8),
    # No value at all.
    goals.CurrentValue(float("nan"), "2021", 10, None, None, None),
], ids=["alle", "ingen", "interval-over", "interval-mangler", "ingen-vaerdi"])
def test_theme_chart_draws_degenerate_or_missing_intervals(current):
    goal = _share_goal()
    result = goals.GoalResult(goal, goals.ON_TRACK, "test", current)

    fig = goals_report.theme_chart([result], goal.theme, "Figur", "Kilde", threshold=5)

    plt.close(fig)


def test_shares_chart_with_a_share_of_no_episodes_and_a_share_of_all():
    episodes = pd.concat([_episodes(), pd.DataFrame({
        "rusmiddel": ["Alkohol"] * 5, "end_date": pd.to_datetime(["2019-02-01"] * 5),
        "afslutningsstatus": ["Reduceret"] * 5,
    })], ignore_index=True)
    outcomes = rusmiddel.outcome_table(episodes, ["2018H1", "2018H2", "2019H1"])
    alkohol = outcomes[outcomes["group"] == "Alkohol"].set_index("period")
    assert alkohol.loc["2018H2", "n"] == 0 and alkohol.loc["2019H1", "share"] == 1.0

    fig = rusmiddel_report.shares_chart(outcomes, "Alkohol", title="Figur", source="Kilde", period="2018–2019",
                                        threshold=3)

    plt.close(fig)


# --- report 01: data ending before the default period --------------------------------------------


def _indicators(periods: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"indicator": "unikke_personer_visiteret_ydelse", "group": "I alt",
                         "period": periods, "value": range(10, 10 + len(periods))})


def test_a_default_period_beyond_the_data_is_narrowed_to_it():
    indicators = _indicators(half_year_range("2016H1", "2017H2"))

    first, last, sentence = notebook_setup.clamp_to_data(
        indicators, "unikke_personer_visiteret_ydelse", "2016H1", "2019H1", source="AS2007-udtrækket")

    assert (first, last) == ("2016H1", "2017H2")
    assert sentence == ("Rapportens standardperiode er 1. halvår 2016 – 1. halvår 2019, men AS2007-udtrækket "
                        "dækker 1. halvår 2016 – 2. halvår 2017; rapporten viser derfor "
                        "1. halvår 2016 – 2. halvår 2017.")
    period_table(indicators, "unikke_personer_visiteret_ydelse", half_year_range(first, last))  # no error


def test_a_default_first_period_before_the_data_is_narrowed_to_it():
    indicators = _indicators(half_year_range("2017H1", "2019H1"))
    first, last, sentence = notebook_setup.clamp_to_data(indicators, "unikke_personer_visiteret_ydelse", "2016H1", "2019H1")
    assert (first, last) == ("2017H1", "2019H1") and sentence


def test_an_explicit_period_beyond_the_data_keeps_the_clear_error():
    indicators = _indicators(half_year_range("2016H1", "2017H2"))

    first, last, sentence = notebook_setup.clamp_to_data(
        indicators, "unikke_personer_visiteret_ydelse", "2016H1", "2019H1", explicit={"last_period"})

    assert (first, last, sentence) == ("2016H1", "2019H1", "")
    with pytest.raises(ConfigError, match="ret first_period/last_period"):
        period_table(indicators, "unikke_personer_visiteret_ydelse", half_year_range(first, last))


def test_data_outside_the_period_altogether_is_not_narrowed():
    indicators = _indicators(["2021H1", "2021H2"])
    assert notebook_setup.clamp_to_data(indicators, "unikke_personer_visiteret_ydelse", "2016H1", "2019H1") == (
        "2016H1", "2019H1", "")


def test_injected_parameters_reads_papermills_cell(monkeypatch):
    import IPython

    class Shell:
        user_ns = {"In": ["", "# Parameters\nlast_period = \"2019H1\"\nprocessed_dir = \"/x\"\n", "x = 1"]}

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert notebook_setup.injected_parameters() == {"last_period", "processed_dir"}
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert notebook_setup.injected_parameters() == set()


@pytest.mark.slow
def test_notebook_01_with_data_ending_before_its_default_period(tmp_path, monkeypatch):
    """Through the runner (as `analyse build` does): the defaults, AS2007 data ending 2018H1."""
    from analyse.runner import run_notebooks
    from tests.test_runner import NOTEBOOK_01, _processed_fixture

    processed = _processed_fixture(tmp_path / "processed")
    table = pd.read_csv(processed / "indikatorer.csv", sep=";", dtype=str)
    table[~table["period"].isin(["2018H2", "2019H1"])].to_csv(
        processed / "indikatorer.csv", sep=";", index=False, encoding="utf-8")
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))

    results = run_notebooks([NOTEBOOK_01], reports_dir=tmp_path / "reports", processed_dir=processed)

    assert [r.ok for r in results] == [True], results[0].error
    page = (tmp_path / "reports" / "01_visiterede_ydelser.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", page,
                                                                      flags=re.DOTALL))).split())
    assert "Periode: 1. halvår 2016 – 1. halvår 2018." in text
    assert ("Rapportens standardperiode er 1. halvår 2016 – 1. halvår 2019, men AS2007-udtrækket dækker "
            "1. halvår 2016 – 1. halvår 2018; rapporten viser derfor 1. halvår 2016 – 1. halvår 2018.") in text


def test_notebook_02_with_registrations_ending_before_its_default_period(tmp_path, monkeypatch):
    """Report 02's defaults are 2018H1–2019H1; registrations of 2018H1 only give a report of that half-year."""
    from analyse.pipeline import clean_all
    from analyse.runner import run_notebooks
    from analyse.sample import write_sample

    write_sample(tmp_path / "raw", seed=2019)
    for path in (tmp_path / "raw" / "fremmoede").iterdir():
        if path.name != "fremmoede_2018_1halvaar.csv":
            path.unlink()
    for source in ("as2007", "rusmiddel"):
        for path in (tmp_path / "raw" / source).iterdir():
            path.unlink()
    clean_all(tmp_path / "raw", tmp_path / "processed")
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    from tests.test_runner import NOTEBOOK_01

    notebook = NOTEBOOK_01.with_name("02_psykiatriens_hus.ipynb")

    results = run_notebooks([notebook], reports_dir=tmp_path / "reports", processed_dir=tmp_path / "processed")

    assert [r.ok for r in results] == [True], results[0].error
    page = (tmp_path / "reports" / "02_psykiatriens_hus.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", page,
                                                                      flags=re.DOTALL))).split())
    assert "men fremmøderegistreringerne dækker 1. halvår 2018; rapporten viser derfor 1. halvår 2018." in text
