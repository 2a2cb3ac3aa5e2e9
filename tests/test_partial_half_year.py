"""A last half-year an extract covers only partly is not shown or modelled as if complete.

The sample, cleaned by the real pipeline, plus a few rows in a half-year the extracts end in the
middle of, as when an extract is drawn on 2 September 2019 (the project application's Tabel 5 is
dated then): three attendance registrations 1 July – 2 September 2019 (the reviewer's case), three
AS2007 grants starting then, and three treatment episodes ending January – March 2023.
``indikatorer.csv`` keeps those half-years (the contract); the reports leave them out of default
periods, key figures and trends with a sentence naming the data's last date, and where a user asks
for the half-year (``last_period``) show it marked and keep it out of the trend.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from analyse.periods import read_indicators
from analyse.pipeline import clean_all
from analyse.sample import write_sample
from tests.test_goal_reports import _summary

ROOT = Path(__file__).resolve().parents[1]
FREMMOEDE_SENTENCE = ("Tallene for 2. halvår 2019 er ikke med, fordi fremmøderegistreringerne kun går til "
                      "2. september 2019.")
AS2007_SENTENCE = ("Tallene for 2. halvår 2019 er ikke med, fordi AS2007-udtrækkets nyeste bevilling starter "
                   "2. september 2019.")


def _add_rows(raw: Path) -> None:
    (raw / "fremmoede" / "fremmoede_2019_2halvaar.csv").write_text(
        "Dato;Tilbud;Deltager;Antal\n01-07-2019;NADA;Anna Testesen;\n15-08-2019;NADA;Bent Testesen;\n"
        "02-09-2019;NADA;Carl Testesen;\n", encoding="utf-8")
    (raw / "as2007" / "as2007_2019_2halvaar.csv").write_text(
        "CPR-nr;Ydelsestype;Startdato;Slutdato\n010190-1111;§ 85 bostøtte timetakst;01-07-2019;\n"
        "020290-2222;§ 85 bostøtte timetakst;15-08-2019;\n030390-3333;§ 85 bostøtte timetakst;02-09-2019;\n",
        encoding="utf-8")
    (raw / "rusmiddel" / "rusmiddel_2023.csv").write_text(
        "CPR-nr;Misbrugstype;Startdato;Slutdato;Udfald\n010190-1111;Alkohol;01-03-2022;10-01-2023;Ophørt\n"
        "020290-2222;Stof;01-04-2022;15-02-2023;Uændret\n030390-3333;Alkohol;01-05-2022;02-03-2023;Reduceret\n",
        encoding="utf-8")


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    base = tmp_path_factory.mktemp("delvist_halvaar")
    write_sample(base / "raw", seed=2019)
    _add_rows(base / "raw")
    clean_all(base / "raw", base / "processed")
    return base / "processed"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    base = tmp_path_factory.mktemp("proeve")
    write_sample(base / "raw", seed=2019)
    clean_all(base / "raw", base / "processed")
    return base / "processed"


def _figures(processed: Path, first: str, last: str, keep: bool):
    from analyse import completeness, goals, summary

    indicators, episodes = goals.read_data(processed)
    return summary.key_figures(indicators, episodes, first, last, 5, visits=summary.read_visits(processed),
                               ends=completeness.last_dates(processed), keep=keep)


def _by_key(figures) -> dict:
    return {f.key: f for f in figures}


# --- the data and the rule ----------------------------------------------------------------------


def test_the_indicator_table_keeps_the_partial_half_years_and_kvalitet_records_how_far_data_go(processed):
    from analyse import completeness

    indicators = read_indicators(processed)
    contacts = indicators[indicators["indicator"] == "kontakter_psykiatriens_hus"].set_index("period")["value"]
    assert contacts["2019H2"] == 3  # the contract: every half-year, exact values
    assert "2019H2" in set(indicators.loc[indicators["indicator"] == "unikke_personer_visiteret_ydelse", "period"])
    assert "2023H1" in set(indicators.loc[indicators["indicator"] == "antal_afsluttede_forloeb", "period"])
    assert completeness.last_dates(processed) == {
        "as2007": pd.Timestamp("2019-09-02"), "fremmoede": pd.Timestamp("2019-09-02"),
        "rusmiddel": pd.Timestamp("2023-03-02")}


def test_the_shipped_sample_covers_every_half_year_it_has(sample):
    """The sample's extracts end at half-year ends, so no report of it changes its periods
    (AS2007's newest start, 16 June 2019, is the closest: 14 days before the end)."""
    from analyse import completeness

    indicators = read_indicators(sample)
    ends = completeness.last_dates(sample)
    assert ends == {"as2007": pd.Timestamp("2019-06-16"), "fremmoede": pd.Timestamp("2019-06-30"),
                    "rusmiddel": pd.Timestamp("2022-12-31")}
    for indicator, source in completeness.SOURCE_OF_INDICATOR.items():
        periods = sorted(set(indicators.loc[indicators["indicator"] == indicator, "period"]))
        assert periods, indicator
        assert all(completeness.is_complete(p, ends[source], source) for p in periods), indicator


# --- report 00 through summary ------------------------------------------------------------------


def test_key_figures_leave_the_partial_last_half_year_out_of_a_default_period(processed):
    from analyse import summary

    figures = _figures(processed, "2016H1", "2022H2", keep=False)
    by_key = _by_key(figures)
    contacts = by_key["kontakter_psykiatriens_hus"]
    assert contacts.periods == ("2018H1", "2018H2", "2019H1")
    assert contacts.values == (569.0, 711.0, 670.0)
    assert contacts.note == FREMMOEDE_SENTENCE
    for key in ("personer_visiteret_ydelse", "personer_85_timetakst"):
        assert by_key[key].periods[-1] == "2019H1"
        assert by_key[key].trend.last_period == "2019H1" and by_key[key].trend.n_periods == 7
        assert by_key[key].note == AS2007_SENTENCE
    table = summary.key_figures_table(figures, 5)
    assert table.loc[contacts.label, "Seneste halvår"] == "670 (1. halvår 2019)"
    assert "2. halvår 2019" not in table.to_string()
    assert FREMMOEDE_SENTENCE in summary.sentences(summary.figures_for(figures, "fremmoede"))
    bullets = summary.caveat_bullets(processed, figures, "2016H1", "2022H2")
    assert FREMMOEDE_SENTENCE in bullets and AS2007_SENTENCE in bullets
    assert ("Fremmøderegistreringer, Psykiatriens Hus: 1. halvår 2018 – 1. halvår 2019 (2. halvår 2019 er ikke "
            "med: data kun til 2. september 2019)") in summary.coverage_lines(figures)


def test_the_same_key_figures_as_the_sample_without_the_extra_rows(processed, sample):
    from analyse import completeness, goals, summary

    def figures(folder):
        indicators, episodes = goals.read_data(folder)
        return summary.key_figures(indicators, episodes, "2016H1", "2022H2", 5,
                                   visits=summary.read_visits(folder), ends=completeness.last_dates(folder))

    # The extra rows sit in the left-out half-years only (the grants' persons are new, the episodes end in 2023).
    with_rows, without = _by_key(figures(processed)), _by_key(figures(sample))
    for key, figure in without.items():
        assert with_rows[key].periods == figure.periods and with_rows[key].values == figure.values, key
        assert with_rows[key].direction == figure.direction, key


def test_a_partial_half_year_asked_for_is_shown_marked_and_left_out_of_the_trend(processed):
    from analyse import summary

    figures = _figures(processed, "2016H1", "2019H2", keep=True)
    by_key = _by_key(figures)
    contacts = by_key["kontakter_psykiatriens_hus"]
    assert contacts.periods[-1] == "2019H2" and contacts.values[-1] == 3.0 and contacts.partial == "2019H2"
    assert contacts.trend is None  # three whole half-years: too few for a trend, and not −31 % a half-year
    assert "Udviklingen er beregnet uden 2. halvår 2019" in contacts.sentence
    table = summary.key_figures_table(figures, 5)
    assert table.loc[contacts.label, "Seneste halvår"] == "<5 (2. halvår 2019, til 2. sep.)"
    persons = by_key["personer_visiteret_ydelse"]
    assert persons.periods[-1] == "2019H2" and persons.trend.last_period == "2019H1"
    assert table.loc[persons.label, "Seneste halvår"].endswith("(2. halvår 2019, til 2. sep.)")
    assert summary.chart_marks(figures, ["kontakter_psykiatriens_hus"]) == {"2019H2": "til 2. sep."}
    # Rusmiddel's data reach 2023: its 2019H2 is whole and unmarked.
    assert by_key["alkohol_reduktion_eller_ophoer"].partial is None


def test_a_partial_half_year_is_not_kept_when_another_half_year_is_asked_for(processed):
    contacts = _by_key(_figures(processed, "2016H1", "2021H2", keep=True))["kontakter_psykiatriens_hus"]
    assert contacts.periods[-1] == "2019H1" and contacts.partial is None


def test_the_interrupted_time_series_leaves_the_partial_half_year_out(processed):
    from analyse import completeness, goals, summary

    indicators, _ = goals.read_data(processed)
    its, text = summary.timetakst_its(indicators, "2016H1", "2019H2", ends=completeness.last_dates(processed))
    assert its.last_period == "2019H1"
    assert text.endswith(AS2007_SENTENCE)


def test_rusmiddel_shares_and_report_03s_periods_leave_2023_out(processed):
    from analyse import completeness, goals, rusmiddel, summary

    _, episodes = goals.read_data(processed)
    end = completeness.last_date(processed, "rusmiddel")
    half_years, years = rusmiddel.episode_periods(episodes)
    assert half_years[-1] == "2023H1" and years[-1] == "2023"
    shown = [completeness.split_periods(p, end, "rusmiddel") for p in (half_years, years)]
    assert shown[0].shown[-1] == "2022H2" and shown[1].shown[-1] == "2022"
    assert completeness.describe(shown, end, "rusmiddel") == (
        "Tallene for 1. halvår 2023 og året 2023 er ikke med, fordi de afsluttede behandlingsforløb kun går til "
        "2. marts 2023.")
    ends = completeness.last_dates(processed)
    share = summary.share_figure(episodes, *summary.KEY_SHARES[0], "2016H1", "2023H2", 5, ends)
    assert share.periods[-1] == "2022H2" and share.trend.n_periods == 14
    kept = summary.share_figure(episodes, *summary.KEY_SHARES[0], "2016H1", "2023H1", 5, ends, keep=True)
    assert kept.periods[-1] == "2023H1" and kept.trend.n_periods == 14


def test_a_goal_value_from_a_year_the_data_cover_partly_says_so(processed):
    from analyse import completeness, goal_periods, goals

    indicators, episodes = goals.read_data(processed)
    ends = completeness.last_dates(processed)
    loaded = goals.load_goals()
    at_2023 = goals.evaluate_goals(loaded, indicators, "2023-12-31", episodes)
    lines = goal_periods.goal_sentences(at_2023, ends, "2023-12-31")
    assert len(lines) == 1
    assert lines[0].startswith("Værdien for 2023 bygger kun på en del af perioden, fordi de afsluttede "
                               "behandlingsforløb kun går til 2. marts 2023. Det gælder målene ")
    at_2022 = goals.evaluate_goals(loaded, indicators, "2022-12-31", episodes)
    assert goal_periods.goal_sentences(at_2022, ends, "2022-12-31") == []


# --- reports 01 and 02 through notebook_setup ---------------------------------------------------


def test_a_default_period_reaching_the_partial_half_year_is_narrowed_with_the_sentence(processed):
    from analyse import completeness
    from analyse.notebook_setup import clamp_to_data

    indicators = read_indicators(processed)
    end = completeness.last_date(processed, "fremmoede")
    first, last, text = clamp_to_data(indicators, "kontakter_psykiatriens_hus", "2018H1", "2019H2",
                                      source="fremmøderegistreringerne", last_date=end, source_key="fremmoede",
                                      trend=False)
    assert (first, last, text) == ("2018H1", "2019H1", FREMMOEDE_SENTENCE)
    first, last, text = clamp_to_data(indicators, "kontakter_psykiatriens_hus", "2018H1", "2019H2",
                                      explicit={"last_period"}, source="fremmøderegistreringerne",
                                      last_date=end, source_key="fremmoede", trend=False)
    assert (first, last) == ("2018H1", "2019H2")
    assert text.startswith("Tallene for 2. halvår 2019 er ufuldstændige, fordi fremmøderegistreringerne kun går "
                           "til 2. september 2019.")


# --- Papermill --------------------------------------------------------------------------------


def _text(page: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.mark.slow
def test_report_00_with_its_default_period_leaves_the_partial_half_year_out(processed, tmp_path, monkeypatch):
    from analyse.runner import run_notebooks

    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    reports = tmp_path / "reports"
    results = run_notebooks([ROOT / "notebooks" / "00_samlet_rapport.ipynb"], reports_dir=reports,
                            processed_dir=processed)

    assert [r.ok for r in results] == [True], results[0].error
    figures = _summary(reports, "00_samlet_rapport")["key_figures"]
    assert figures["kontakter_psykiatriens_hus"]["periods"] == ["2018H1", "2018H2", "2019H1"]
    assert figures["personer_visiteret_ydelse"]["periods"][-1] == "2019H1"
    text = _text((reports / "00_samlet_rapport.html").read_text(encoding="utf-8"))
    assert "670 (1. halvår 2019)" in text
    assert "(2. halvår 2019)" not in text
    assert FREMMOEDE_SENTENCE in text and AS2007_SENTENCE in text


@pytest.mark.slow
def test_report_02_asked_for_the_partial_half_year_marks_it(processed, tmp_path, monkeypatch):
    from analyse.runner import run_notebooks

    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    reports = tmp_path / "reports"
    results = run_notebooks([ROOT / "notebooks" / "02_psykiatriens_hus.ipynb"], reports_dir=reports,
                            processed_dir=processed, parameters={"last_period": "2019H2"})

    assert [r.ok for r in results] == [True], results[0].error
    page = (reports / "02_psykiatriens_hus.html").read_text(encoding="utf-8")
    text = _text(page)
    assert ("Tallene for 2. halvår 2019 er ufuldstændige, fordi fremmøderegistreringerne kun går til "
            "2. september 2019.") in text
    headers = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page, re.DOTALL)]
    assert headers.count("2. halvår 2019 (til 2. sep.)") >= 4  # Tables 3, 4, 6 and 7
    assert "2. halvår 2019" not in headers
