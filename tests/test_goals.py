"""The goals file (all 14 goals of the agreement, as published), its validation and the status rules."""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analyse import config, goals
from analyse.exceptions import ConfigError
from analyse.goals import (
    CANNOT_JUDGE, NOT_REACHED, ON_TRACK, REACHED, DataSource, Goal, current_value, evaluate_goal, judge,
    load_goals, parse_goals,
)
from analyse.published import load_published
from analyse.rusmiddel import outcome_shares
from analyse.stats import newcombe_difference, wilson_interval

SHIPPED = config.PACKAGE_DIR / "reference" / "maal.yaml"


def _published_goals() -> pd.DataFrame:
    """Source 004 of the published figures: one row per goal with baseline, target, deadline, N."""
    figures = load_published()
    rows = figures[figures["source"] == "004"]
    base = rows[rows["indicator"] == "baseline"].set_index("group")
    target = rows[rows["indicator"] == "maalsaetning"].set_index("group")
    table = pd.DataFrame({
        "baseline": base["value"],
        "baseline_period": base["period"],
        "note": base["note"],
        "target": target["value"],
        "deadline": target["period"],
    })
    table["baseline_n"] = pd.Series(
        [int(m.group(1)) if (m := re.search(r"N\s*=\s*(\d+)", n)) else None for n in table["note"]],
        index=table.index, dtype=object,
    )
    return table


def _norm_period(text) -> str | None:
    """'dec. 2017–maj 2018' and 'dec2017-maj2018' alike; 'baseline' (no period given) is None."""
    if text is None or str(text).strip().lower() in ("", "baseline"):
        return None
    return re.sub(r"[\s.]", "", str(text)).replace("–", "-").lower()


# --- the shipped file -------------------------------------------------------------------------


def test_goals_file_is_the_configured_default_and_holds_14_goals():
    assert Path(config.GOALS_FILE) == SHIPPED or "ANALYSE_GOALS" in os.environ
    shipped = load_goals(SHIPPED)
    assert len(shipped) == 14
    assert len({g.id for g in shipped}) == 14


def test_every_published_goal_is_in_the_file_with_its_baseline_and_target():
    published = _published_goals()
    by_name = {g.name: g for g in load_goals(SHIPPED)}
    assert set(by_name) == set(published.index), "goal names must be the published groups"
    for name, row in published.iterrows():
        goal = by_name[name]
        assert goal.baseline == pytest.approx(row["baseline"]), name
        assert goal.target == pytest.approx(row["target"]), name
        assert goal.deadline == (int(row["deadline"]) if row["deadline"] else None), name
        assert goal.baseline_n == row["baseline_n"], name
        assert _norm_period(goal.baseline_period) == _norm_period(row["baseline_period"]), name
        assert goal.unit == ("antal" if row["baseline"] > 1 else "andel"), name


def test_themes_types_and_directions_follow_the_agreement():
    shipped = {g.id: g for g in load_goals(SHIPPED)}
    themes = pd.Series({g.id: g.theme for g in shipped.values()}).value_counts().to_dict()
    assert themes == {"mestring af eget liv": 4, "uddannelse og beskæftigelse": 3, "sundhed": 5, "socialt liv": 2}
    national = {i for i, g in shipped.items() if g.kind == "nationalt mål"}
    assert national == {"hjemloese", "ungdomsuddannelse_18_21", "uddannelse_beskaeftigelse_social_indsats",
                        "alkoholbehandling_nationalt", "stofbehandling_nationalt", "frivillig_indsats"}
    lower = {i for i, g in shipped.items() if g.direction == "lavere"}
    assert lower == {"hjemloese", "forsorgshjem_over_120_dage"}


def test_data_sources_point_at_the_treatment_outcome_indicators():
    sources = {g.id: g.source for g in load_goals(SHIPPED) if g.source is not None}
    assert sources == {
        "alkoholbehandling_nationalt": DataSource("andel_national_maal", "Alkohol", "år", "antal_afsluttede_forloeb"),
        "stofbehandling_nationalt": DataSource("andel_national_maal", "Stof", "år", "antal_afsluttede_forloeb"),
        "alkohol_reduktion_afholdenhed": DataSource("andel_reduktion_eller_ophoer", "Alkohol", "år",
                                                    "antal_afsluttede_forloeb"),
        "stof_reduktion_afholdenhed": DataSource("andel_reduktion_eller_ophoer", "Stof", "år",
                                                 "antal_afsluttede_forloeb"),
    }


def test_environment_variable_moves_the_goals_file(tmp_path):
    other = tmp_path / "ny_aftale.yaml"
    env = {**os.environ, "ANALYSE_GOALS": str(other)}
    out = subprocess.run([sys.executable, "-c", "from analyse import config; print(config.GOALS_FILE)"],
                         env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == str(other.resolve())


# --- validation -------------------------------------------------------------------------------


def _raw() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _goal(data: dict, goal_id: str) -> dict:
    return next(g for g in data["maal"] if g["id"] == goal_id)


def _set(data: dict, goal_id: str, dotted: str, value) -> dict:
    data = copy.deepcopy(data)
    target = _goal(data, goal_id)
    *parents, last = dotted.split(".")
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return data


_DELETE = object()


@pytest.mark.parametrize("goal_id, field, value, message", [
    ("hjemloese", "direction", "op", "feltet 'direction' skal være 'højere' eller 'lavere'"),
    ("hjemloese", "direction", "højere", "feltet 'direction' passer ikke med baseline og target"),
    ("hjemloese", "måltema", "økonomi", "feltet 'måltema' skal være 'mestring af eget liv'"),
    ("hjemloese", "type", "kommunalt mål", "feltet 'type' skal være 'nationalt mål' eller 'centermål'"),
    ("hjemloese", "unit", "procent", "feltet 'unit' skal være 'andel' eller 'antal'"),
    ("hjemloese", "name", _DELETE, "feltet 'name' mangler"),
    ("personlig_mestring", "baseline.value", 60, "feltet 'baseline.value' skal være en andel mellem 0 og 1"),
    ("personlig_mestring", "baseline.value", "60 %", "feltet 'baseline.value' skal være et tal"),
    ("personlig_mestring", "baseline.n", 0, "feltet 'baseline.n' skal være et helt tal"),
    ("personlig_mestring", "target.deadline", "snart", "feltet 'target.deadline' skal være et årstal"),
    ("personlig_mestring", "target", 0.63, "feltet 'target' skal have underfelterne"),
    ("personlig_mestring", "diretion", "højere", "feltet 'diretion' er ukendt"),
    ("personlig_mestring", "datakilde", "kommer senere", "feltet 'datakilde' skal være 'ingen datakilde endnu'"),
    ("alkohol_reduktion_afholdenhed", "datakilde.window", "uge", "feltet 'datakilde.window' skal være 'år'"),
    ("alkohol_reduktion_afholdenhed", "datakilde.indicator", "andel_gode_forloeb",
     "feltet 'datakilde.indicator' skal være en indikator"),
    ("alkohol_reduktion_afholdenhed", "datakilde.group", "", "feltet 'datakilde.group' skal være en gruppe"),
    ("alkohol_reduktion_afholdenhed", "datakilde.gruppe", "Alkohol", "feltet 'datakilde.gruppe' er ukendt"),
])
def test_a_mistake_names_the_goal_and_the_field(goal_id, field, value, message):
    with pytest.raises(ConfigError) as info:
        parse_goals(_set(_raw(), goal_id, field, value))
    text = str(info.value)
    assert text.startswith(f"mål '{goal_id}': ")
    assert message in text


def test_the_example_message_for_a_wrong_direction():
    with pytest.raises(ConfigError, match="^mål 'hjemloese': feltet 'direction' skal være 'højere' eller 'lavere'"):
        parse_goals(_set(_raw(), "hjemloese", "direction", "ned"))


def test_month_windows_only_for_indicators_that_can_be_computed_for_any_span():
    data = _set(_raw(), "alkohol_reduktion_afholdenhed", "datakilde.window", "12 måneder")
    assert {g.id: g.source.months for g in parse_goals(data) if g.source}["alkohol_reduktion_afholdenhed"] == 12
    data = _set(_raw(), "alkohol_reduktion_afholdenhed", "datakilde",
                {"indicator": "kontakter_psykiatriens_hus", "group": "I alt", "window": "12 måneder"})
    with pytest.raises(ConfigError, match="feltet 'datakilde.window' kan kun være et antal måneder"):
        parse_goals(data)


def test_duplicate_ids_and_missing_ids_are_refused():
    data = _raw()
    data["maal"].append(copy.deepcopy(data["maal"][0]))
    with pytest.raises(ConfigError, match="mål 'hjemloese': feltet 'id' findes mere end én gang"):
        parse_goals(data)
    data = _set(_raw(), "hjemloese", "id", "Hjemløse!")
    with pytest.raises(ConfigError, match="mål nr. 1: feltet 'id'"):
        parse_goals(data)
    with pytest.raises(ConfigError, match="liste 'maal:'"):
        parse_goals({"goals": []})


def test_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "aftale.yaml"
    bad.write_text(yaml.safe_dump(_set(_raw(), "hjemloese", "direction", "op"), allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="^målfil aftale.yaml: mål 'hjemloese': feltet 'direction'"):
        load_goals(bad)
    broken = tmp_path / "brudt.yaml"
    broken.write_text("maal:\n  - id: a\n    name: [ikke lukket\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"brudt.yaml: er ikke gyldig YAML \(linje \d+\)"):
        load_goals(broken)
    with pytest.raises(ConfigError, match="findes ikke"):
        load_goals(tmp_path / "mangler.yaml")


# --- status rules -----------------------------------------------------------------------------

SOURCE = DataSource("andel_reduktion_eller_ophoer", "Alkohol")


def _share_goal(**changes) -> Goal:
    base = dict(id="alkohol", name="Alkohol", theme="sundhed", kind="centermål", unit="andel",
                direction="højere", baseline=0.47, target=0.50, baseline_n=106, deadline=2022, source=SOURCE)
    base.update(changes)
    return Goal(**base)


HOMELESS = Goal("hjemloese", "Hjemløse (antal)", "mestring af eget liv", "nationalt mål", "antal", "lavere",
                baseline=86, target=75, deadline=2022, source=DataSource("x", "I alt"))


@pytest.mark.parametrize("value, date, expected", [
    (0.55, "2021-12-31", REACHED),          # above the target
    (0.495, "2021-12-31", REACHED),         # 49.5 % is written 50 %: reached as published
    (0.494, "2021-12-31", ON_TRACK),        # 49 %: not reached, better than 47 %, deadline ahead
    (0.48, "2022-12-30", ON_TRACK),         # the last day before the deadline
    (0.48, "2022-12-31", NOT_REACHED),      # deadline passed on 31 December of the target year
    (0.47, "2021-12-31", NOT_REACHED),      # no better than baseline
    (0.40, "2021-12-31", NOT_REACHED),      # worse than baseline
    (0.60, "2030-12-31", REACHED),          # reached stays reached after the deadline
])
def test_status_of_a_higher_is_better_share(value, date, expected):
    assert judge(_share_goal(), value, date, n=200)[0] == expected


@pytest.mark.parametrize("value, date, expected", [
    (74, "2021-12-31", REACHED),
    (75, "2021-12-31", REACHED),            # at the target counts as reached
    (80, "2021-12-31", ON_TRACK),           # fewer homeless than at baseline, deadline ahead
    (86, "2021-12-31", NOT_REACHED),        # as many as at baseline
    (95, "2021-12-31", NOT_REACHED),        # more than at baseline
    (80, "2022-12-31", NOT_REACHED),        # fewer, but the deadline has passed
    (70, "2022-12-31", REACHED),
])
def test_status_of_a_lower_is_better_count_homelessness(value, date, expected):
    assert judge(HOMELESS, value, date)[0] == expected


def test_lower_is_better_share_compares_in_whole_percent():
    stays = _share_goal(direction="lavere", baseline=0.14, target=0.12, baseline_n=203, deadline=2020)
    assert judge(stays, 0.1249, "2020-12-31")[0] == REACHED       # 12 %
    assert judge(stays, 0.125, "2020-06-30")[0] == ON_TRACK       # 13 %: better than 14 %, before the deadline
    assert judge(stays, 0.125, "2020-12-31")[0] == NOT_REACHED


def test_no_data_cannot_be_judged():
    no_source = _share_goal(source=None)
    assert judge(no_source, 0.9, "2021-12-31") == (CANNOT_JUDGE, "ingen datakilde endnu")
    status, reason = judge(_share_goal(), None, "2021-12-31", missing_reason="ingen tal for 2021")
    assert (status, reason) == (CANNOT_JUDGE, "ingen tal for 2021")
    assert judge(_share_goal(), 0.9, "2021-12-31", n=4)[0] == CANNOT_JUDGE      # too few episodes
    assert judge(_share_goal(), 0.9, "2021-12-31", n=5)[0] == REACHED


def test_a_goal_without_deadline_never_passes_it():
    open_ended = _share_goal(deadline=None)
    assert judge(open_ended, 0.49, "2040-12-31")[0] == ON_TRACK
    assert judge(open_ended, 0.46, "2040-12-31")[0] == NOT_REACHED


# --- current values ---------------------------------------------------------------------------


def _indicators() -> pd.DataFrame:
    rows = [
        ("antal_afsluttede_forloeb", "Alkohol", "2021", 200), ("andel_reduktion_eller_ophoer", "Alkohol", "2021", 0.6),
        ("andel_national_maal", "Alkohol", "2021", 0.7),
        ("antal_afsluttede_forloeb", "Alkohol", "2021H2", 90), ("andel_reduktion_eller_ophoer", "Alkohol", "2021H2", 0.5),
        ("antal_afsluttede_forloeb", "Alkohol", "2020", 3), ("andel_reduktion_eller_ophoer", "Alkohol", "2020", 1 / 3),
    ]
    for period in ("2021H1", "2021H2", "2022H1"):
        rows.append(("antal_afsluttede_forloeb", "Stof", period, 1))
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])


def test_current_value_of_a_year_with_wilson_interval_and_newcombe_change():
    goal = _share_goal(source=DataSource("andel_reduktion_eller_ophoer", "Alkohol", "år", "antal_afsluttede_forloeb"))
    result = evaluate_goal(goal, _indicators(), "2021-12-31")
    assert (result.current.value, result.current.n, result.current.successes, result.current.period) == (0.6, 200, 120, "2021")
    assert (result.current.ci_low, result.current.ci_high) == pytest.approx(wilson_interval(120, 200))
    expected = newcombe_difference(50, 106, 120, 200)
    assert (result.change, result.change_low, result.change_high) == pytest.approx(
        (expected.difference, expected.ci_low, expected.ci_high))
    assert result.status == REACHED
    # A status date inside 2022 still reports 2021, the newest whole year.
    assert evaluate_goal(goal, _indicators(), "2022-06-30").current.period == "2021"


def test_current_value_of_a_half_year_and_missing_periods():
    goal = _share_goal(source=DataSource("andel_reduktion_eller_ophoer", "Alkohol", "halvår", "antal_afsluttede_forloeb"))
    result = evaluate_goal(goal, _indicators(), "2021-12-31")
    assert (result.current.value, result.current.n, result.current.period) == (0.5, 90, "2. halvår 2021")
    missing = evaluate_goal(goal, _indicators(), "2023-12-31")
    assert (missing.status, missing.reason) == (CANNOT_JUDGE, "ingen tal for 2. halvår 2023")
    assert missing.change is None
    few = evaluate_goal(_share_goal(source=DataSource("andel_reduktion_eller_ophoer", "Alkohol", "år",
                                                       "antal_afsluttede_forloeb")), _indicators(), "2020-12-31")
    assert few.status == CANNOT_JUDGE and "færre end 5" in few.reason


def test_current_value_for_a_span_of_months_comes_from_the_episodes():
    episodes = pd.DataFrame({
        "rusmiddel": ["Alkohol"] * 4 + ["Stof"],
        "end_date": pd.to_datetime(["2021-07-15", "2021-09-01", "2022-03-01", "2022-08-01", "2022-01-01"]),
        "afslutningsstatus": ["Ophørt", "Henvist", "Reduceret", "Ophørt", "Stabiliseret"],
    })
    indicators = pd.DataFrame({"indicator": "antal_afsluttede_forloeb", "group": "Alkohol",
                               "period": ["2021H2", "2022H1", "2022H2"], "value": 1})
    goal = _share_goal(baseline_n=None, source=DataSource("andel_national_maal", "Alkohol", "12 måneder"))
    value, reason = current_value(goal, indicators, "2022-06-30", episodes)
    expected = outcome_shares(episodes, "2021-07-01", "2022-06-30").set_index("group").loc["Alkohol"]
    assert (value.successes, value.n) == (expected["national_successes"], expected["n"]) == (3, 3)
    assert value.period == "jul. 2021–jun. 2022"
    # The data do not reach back to the start of the span: not judged on half a year.
    value, reason = current_value(goal, indicators.iloc[1:], "2022-06-30", episodes)
    assert value is None and "dækker ikke hele perioden" in reason
    value, reason = current_value(goal, indicators, "2022-06-30", None)
    assert value is None and "rusmiddel.parquet" in reason


def test_results_frame_and_status_counts():
    shipped = load_goals(SHIPPED)
    results = goals.evaluate_goals(shipped, None, "2021-12-31")
    frame = goals.results_frame(results)
    assert list(frame.columns) == goals.RESULT_COLUMNS
    assert len(frame) == 14 and set(frame["status"]) == {CANNOT_JUDGE}
    assert goals.status_counts(results) == {REACHED: 0, ON_TRACK: 0, NOT_REACHED: 0, CANNOT_JUDGE: 14}


def test_status_params_file_fits_the_notebooks_it_runs():
    """params/statusrapporter.yaml against the parameters notebooks 04 and 00 declare (analyse.params)."""
    params = pytest.importorskip("analyse.params")
    root = Path(__file__).resolve().parents[1]
    notebooks = [root / "notebooks" / "04_maalopfoelgning.ipynb", root / "notebooks" / "00_samlet_rapport.ipynb"]
    variants = params.load_params(root / "params" / "statusrapporter.yaml")
    assert [v.name for v in variants] == ["midtvejsstatus_2021", "slutstatus_2022"]
    jobs = params.plan_jobs(variants, notebooks, params.declared_parameters(notebooks))
    assert {(j.notebook.stem, j.variant) for j in jobs} == {
        (nb.stem, v.name) for nb in notebooks for v in variants
    }
    by = {(j.notebook.stem, j.variant): j.parameters for j in jobs}
    assert by[("04_maalopfoelgning", "midtvejsstatus_2021")] == {"report_type": "midtvejsstatus",
                                                                 "status_date": "2021-12-31"}
    assert by[("00_samlet_rapport", "slutstatus_2022")]["last_period"] == "2022H2"


def test_a_baseline_measured_otherwise_shows_no_change_since_baseline():
    from analyse.goals_report import change_text, goal_sentence, goals_table

    shipped = {g.id: g for g in load_goals(SHIPPED)}
    # The agreement's national register figures against the centre's own episodes (the goals' notes).
    assert {i for i, g in shipped.items() if not g.baseline_comparable} == {
        "alkoholbehandling_nationalt", "stofbehandling_nationalt"}
    goal = shipped["alkoholbehandling_nationalt"]
    result = goals.GoalResult(goal, goals.NOT_REACHED, "målet er ikke nået",
                              goals.CurrentValue(0.76, "2022", 100, 76), change=0.40)
    assert change_text(result) == "ikke sammenlignelig"
    # ... and no status against a target measured otherwise either.
    assert goals.judge(goal, 0.76, "2022-12-31", n=100)[0] == goals.CANNOT_JUDGE
    assert goals_table([result]).iloc[0]["Ændring siden baseline"] == "ikke sammenlignelig"
    sentence = goal_sentence(result)
    assert "opgjort på en anden måde" in sentence and "+40" not in sentence and "mod 36 %" not in sentence
    comparable = goals.GoalResult(shipped["alkohol_reduktion_afholdenhed"], goals.REACHED, "",
                                  goals.CurrentValue(0.76, "2022", 100, 76), change=0.23)
    assert change_text(comparable).startswith("+23 procentpoint")
    with pytest.raises(ConfigError, match="baseline.sammenlignelig"):
        parse_goals(_set(_raw(), "hjemloese", "baseline.sammenlignelig", "nej"))
