"""Notebooks 04 (målopfølgning) and 00 (samlet rapport) on the sample, with both report variants.

The sample is built once; each variant of ``params/statusrapporter.yaml`` runs both
notebooks with Papermill. The figures the notebooks print are checked against the
indicator table and against the treatment episodes (``outcome_shares``), through
the machine-readable summary each notebook leaves in a hidden cell and through the
HTML report itself.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from analyse import goals as goals_module
from analyse.formatting import format_half_year, format_number, format_percent
from analyse.periods import half_year_range, period_table, read_indicators
from analyse.pipeline import clean_all
from analyse.rusmiddel import outcome_shares, read_episodes
from analyse.runner import run_notebooks
from analyse.sample import write_sample
from analyse.stats import interrupted_time_series

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PARAMS = ROOT / "params" / "statusrapporter.yaml"
SUMMARY_MIME = "application/vnd.analyse.summary+json"
SOURCED = {
    "alkoholbehandling_nationalt": ("andel_national_maal", "Alkohol", "national_successes"),
    "stofbehandling_nationalt": ("andel_national_maal", "Stof", "national_successes"),
    "alkohol_reduktion_afholdenhed": ("andel_reduktion_eller_ophoer", "Alkohol", "successes"),
    "stof_reduktion_afholdenhed": ("andel_reduktion_eller_ophoer", "Stof", "successes"),
}


def _variants() -> dict:
    return yaml.safe_load(PARAMS.read_text(encoding="utf-8"))["varianter"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("maalrapporter")
    raw, processed = base / "raw", base / "processed"
    write_sample(raw, seed=2019)
    clean_all(raw, processed)
    runs = {}
    for name, variant in _variants().items():
        notebooks = [ROOT / "notebooks" / f"{nb}.ipynb" for nb in variant["notebooks"]]
        reports = base / name
        results = run_notebooks(notebooks, parameters=variant["parametre"], reports_dir=reports,
                                processed_dir=processed)
        runs[name] = {"results": results, "reports": reports, "parameters": variant["parametre"]}
    return {"processed": processed, "runs": runs}


def _summary(reports: Path, notebook: str) -> dict:
    nb = nbformat.read(reports / "notebooks" / f"{notebook}.ipynb", as_version=4)
    found = [out["data"][SUMMARY_MIME] for cell in nb.cells if cell.cell_type == "code"
             for out in cell.get("outputs", []) if SUMMARY_MIME in out.get("data", {})]
    assert len(found) == 1
    return found[0]


def _text(reports: Path, notebook: str) -> str:
    page = (reports / f"{notebook}.html").read_text(encoding="utf-8")
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def _row(reports: Path, notebook: str, name: str) -> str:
    """The visible text of the table row whose header is ``name``."""
    page = (reports / f"{notebook}.html").read_text(encoding="utf-8")
    match = re.search(rf"<th[^>]*>\s*{re.escape(html.escape(name, quote=False))}\s*</th>(.*?)</tr>", page, re.DOTALL)
    assert match, name
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def test_params_file_has_midterm_and_final_variants():
    variants = _variants()
    assert set(variants) == {"midtvejsstatus_2021", "slutstatus_2022"}
    for name, variant in variants.items():
        assert variant["notebooks"] == ["04_maalopfoelgning", "00_samlet_rapport"]
        assert all((ROOT / "notebooks" / f"{nb}.ipynb").is_file() for nb in variant["notebooks"])
    assert variants["midtvejsstatus_2021"]["parametre"]["report_type"] == "midtvejsstatus"
    assert variants["midtvejsstatus_2021"]["parametre"]["status_date"] == "2021-12-31"
    assert variants["slutstatus_2022"]["parametre"]["report_type"] == "slutstatus"
    assert variants["slutstatus_2022"]["parametre"]["status_date"] == "2022-12-31"


def test_both_notebooks_build_for_both_variants(built):
    for name, run in built["runs"].items():
        assert [r.ok for r in run["results"]] == [True, True], name
        for notebook in ("04_maalopfoelgning", "00_samlet_rapport"):
            text = _text(run["reports"], notebook)
            heading = "Midtvejsstatus pr. 31. december 2021" if name.startswith("midt") else "Slutstatus pr. 31. december 2022"
            assert heading in text
            assert "Syntetiske data" in text
            assert "import " not in text and "goals.evaluate_goals" not in text  # no code
            assert str(built["processed"]) not in text


def _header(reports: Path, notebook: str) -> str:
    page = (reports / f"{notebook}.html").read_text(encoding="utf-8")
    header = re.search(r'<header class="analyse-header".*?</header>', page, re.DOTALL).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", header)).split())


def test_both_headers_have_a_period_line(built):
    # The README: every report's header has its period. Report 04's is the status date and the
    # periods its current values are for; each report has the line once (moved, not copied).
    for name, run in built["runs"].items():
        year = run["parameters"]["status_date"][:4]
        status = "Midtvejsstatus" if name.startswith("midt") else "Slutstatus"
        assert (f"Periode: {status} pr. 31. december {year}; aktuelle værdier for {year}. Kilde: "
                in _header(run["reports"], "04_maalopfoelgning"))
        span = f"1. halvår 2016 – 2. halvår {run['parameters']['last_period'][:4]}"
        assert f"Periode: {span}. {status} pr. 31. december {year}." in _header(run["reports"], "00_samlet_rapport")
        for notebook in ("04_maalopfoelgning", "00_samlet_rapport"):
            page = (run["reports"] / f"{notebook}.html").read_text(encoding="utf-8")
            assert page.count("Periode:</strong>") == 1, (name, notebook)


# The agreement's baseline and target of these come from national registers (maal.yaml: sammenlignelig: false).
NATIONALLY_MEASURED = {"alkoholbehandling_nationalt", "stofbehandling_nationalt"}


def test_goal_values_match_the_indicator_table_and_the_episodes(built):
    indicators = read_indicators(built["processed"])
    episodes = read_episodes(built["processed"])
    for name, run in built["runs"].items():
        year = run["parameters"]["status_date"][:4]
        shares = outcome_shares(episodes, f"{year}-01-01", f"{year}-12-31").set_index("group")
        summary = {g["id"]: g for g in _summary(run["reports"], "04_maalopfoelgning")["goals"]}
        assert len(summary) == 14
        for goal_id, goal in summary.items():
            if goal_id not in SOURCED:
                assert goal["status"] == "Kan ikke vurderes" and goal["value"] is None
                continue
            indicator, group, column = SOURCED[goal_id]
            rows = indicators[(indicators["group"] == group) & (indicators["period"] == year)].set_index("indicator")
            assert goal["period"] == year
            assert goal["value"] == pytest.approx(rows.loc[indicator, "value"])
            assert goal["n"] == rows.loc["antal_afsluttede_forloeb", "value"] == shares.loc[group, "n"]
            assert goal["successes"] == shares.loc[group, column]
            # The status by the rules, worked out here from the values.
            whole = round(goal["value"] * 100)
            reached = whole >= round(goal["target"] * 100)
            passed = goal["deadline"] is not None and int(year) >= goal["deadline"]
            better = whole > round(goal["baseline"] * 100)
            expected = "Nået" if reached else ("Ikke nået" if passed or not better else "På vej")
            if goal_id in NATIONALLY_MEASURED:  # baseline and target from a national register
                expected = "Kan ikke vurderes"
            assert goal["status"] == expected, (name, goal_id)
            # ... and the HTML table prints the same value and status.
            row = _row(run["reports"], "04_maalopfoelgning", goal["name"])
            assert f"{format_percent(goal['value'])} {year}, N={format_number(goal['n'])}" in row
            assert row.endswith(goal["status"])


def test_goal_report_prints_rules_change_and_a_figure_per_theme(built):
    for name, run in built["runs"].items():
        text = _text(run["reports"], "04_maalopfoelgning")
        assert "Sådan er status vurderet" in text
        for status in ("Nået:", "På vej:", "Ikke nået:", "Kan ikke vurderes:"):
            assert status in text
        assert "Af aftalens 14 mål er" in text
        # Goals without a data source are named under their theme (goals_report.theme_sentences).
        assert "Projektet har endnu ingen datakilde for: Hjemløse (antal) (aftalens datagrundlag: " in text
        page = (run["reports"] / "04_maalopfoelgning.html").read_text(encoding="utf-8")
        assert page.count('alt="Søjlediagram. Figur') == 4
        goal = next(g for g in _summary(run["reports"], "04_maalopfoelgning")["goals"]
                    if g["id"] == "alkohol_reduktion_afholdenhed")
        change = round(goal["change"] * 100)
        assert f"+{change} procentpoint ({round(goal['change_low'] * 100)} til {round(goal['change_high'] * 100)})" \
            in _row(run["reports"], "04_maalopfoelgning", goal["name"])


def test_summary_report_key_figures_match_the_indicator_table(built):
    indicators = read_indicators(built["processed"])
    episodes = read_episodes(built["processed"])
    for name, run in built["runs"].items():
        first, last = run["parameters"]["first_period"], run["parameters"]["last_period"]
        summary = _summary(run["reports"], "00_samlet_rapport")
        figures = summary["key_figures"]
        as2007 = half_year_range("2016H1", "2019H1")
        table = period_table(indicators, "unikke_personer_visiteret_ydelse", as2007, groups=["I alt"]).loc["I alt"]
        assert figures["personer_visiteret_ydelse"]["periods"] == as2007
        assert figures["personer_visiteret_ydelse"]["values"] == table.tolist()
        timetakst = period_table(indicators, "unikke_personer_pr_ydelsestype", as2007,
                                 groups=["§ 85 bostøtte timetakst"]).loc["§ 85 bostøtte timetakst"]
        assert figures["personer_85_timetakst"]["values"] == timetakst.tolist()
        hus = half_year_range("2018H1", "2019H1")
        contacts = period_table(indicators, "kontakter_psykiatriens_hus", hus, groups=["I alt"]).loc["I alt"]
        assert figures["kontakter_psykiatriens_hus"]["values"] == contacts.tolist()
        for key, group in (("alkohol_reduktion_eller_ophoer", "Alkohol"), ("stof_reduktion_eller_ophoer", "Stof")):
            periods = half_year_range(first, last)
            assert figures[key]["periods"] == periods
            last_shares = outcome_shares(episodes, *_bounds(periods[-1])).set_index("group").loc[group]
            assert figures[key]["values"][-1] == pytest.approx(last_shares["share"])
            assert figures[key]["totals"][-1] == last_shares["n"]
        # The ITS in the methods appendix is the model fitted to the indicator series.
        its = interrupted_time_series(timetakst, "2017H1")
        assert summary["its"]["level_ratio"] == pytest.approx(its.level_ratio)
        assert summary["its"]["slope_ratio"] == pytest.approx(its.slope_ratio)
        assert (summary["its"]["n_pre"], summary["its"]["n_post"]) == (2, 5)
        # The goals in the summary are the goals of the goal report.
        assert summary["goals"] == _summary(run["reports"], "04_maalopfoelgning")["goals"]

        text = _text(run["reports"], "00_samlet_rapport")
        row = _row(run["reports"], "00_samlet_rapport", "Unikke personer med en visiteret ydelse")
        assert f"{format_number(table.iloc[0])} (1. halvår 2016)" in row
        assert f"{format_number(table.iloc[-1])} (1. halvår 2019)" in row
        share_row = _row(run["reports"], "00_samlet_rapport", "Alkoholbehandling afsluttet med reduktion eller ophør")
        alcohol = figures["alkohol_reduktion_eller_ophoer"]
        assert (f"{format_percent(alcohol['values'][-1])} ({format_half_year(last)}, "
                f"N={format_number(alcohol['totals'][-1])})") in share_row
        assert "Sammenfatning" in text and "Bilag: metode" in text and "Forbehold" in text
        assert "kun syv halvår (to før og fem efter)" in text and "for få til en sikker konklusion" in text
        assert "skønnet mangler ca." in text  # forgotten registrations from kvalitet.json
        assert "Datagrundlaget er" in text  # data quality from kvalitet.json


def _bounds(half_year: str):
    from analyse.periods import half_year_bounds

    return half_year_bounds(half_year)


def test_an_unknown_report_type_stops_the_report(built, tmp_path):
    from analyse.runner import NotebookError

    with pytest.raises(NotebookError, match="report_type' = 'delstatus': skal være 'midtvejsstatus' eller 'slutstatus'"):
        run_notebooks([ROOT / "notebooks" / "04_maalopfoelgning.ipynb"], parameters={"report_type": "delstatus"},
                      reports_dir=tmp_path, processed_dir=built["processed"])


def test_goals_module_reads_the_same_values_as_the_notebook(built):
    indicators, episodes = goals_module.read_data(built["processed"])
    results = goals_module.evaluate_goals(goals_module.load_goals(), indicators, "2022-12-31", episodes)
    frame = goals_module.results_frame(results).set_index("id")
    run = built["runs"]["slutstatus_2022"]
    notebook = pd.DataFrame(_summary(run["reports"], "04_maalopfoelgning")["goals"]).set_index("id")
    assert frame["status"].to_dict() == notebook["status"].to_dict()


def test_a_goal_whose_value_is_hidden_shows_no_status_in_04_and_00(built, tmp_path):
    # A threshold just above the smallest count behind a goal's share hides that goal's value
    # (share_hidden); its status must then be hidden too, in both reports, and the others kept.
    run = built["runs"]["slutstatus_2022"]
    goals = [g for g in _summary(run["reports"], "04_maalopfoelgning")["goals"] if g["value"] is not None]
    smallest = min(goals, key=lambda g: min(g["successes"], g["n"] - g["successes"]))
    threshold = int(min(smallest["successes"], smallest["n"] - smallest["successes"])) + 1
    hidden = [g for g in goals if min(g["successes"], g["n"] - g["successes"]) < threshold]
    shown = [g for g in goals if g not in hidden]
    assert hidden and shown  # the sample has both, so the test says something

    results = run_notebooks(
        [ROOT / "notebooks" / "04_maalopfoelgning.ipynb", ROOT / "notebooks" / "00_samlet_rapport.ipynb"],
        parameters={**run["parameters"], "suppression_threshold": threshold},
        reports_dir=tmp_path, processed_dir=built["processed"],
    )
    assert [r.ok for r in results] == [True, True]
    for notebook in ("04_maalopfoelgning", "00_samlet_rapport"):
        for goal in hidden:
            row = _row(tmp_path, notebook, goal["name"])
            assert row.endswith("Ikke vist"), (notebook, row)
            assert format_percent(goal["value"]) not in row
        for goal in shown:
            assert _row(tmp_path, notebook, goal["name"]).endswith(goal["status"])
        text = _text(tmp_path, notebook)
        assert (f"for {len(hidden)} vises status ikke, fordi der er for få borgere til at vise værdien "
                f"(under {threshold})") in text
    summary_text = _text(tmp_path, "00_samlet_rapport")
    for goal in hidden:  # not in the per-status bullets of the summary page, except as not shown
        for status in ("Nået", "På vej", "Ikke nået"):
            bullet = re.search(rf"{status}: ([^•]*?)\.", summary_text)
            assert bullet is None or goal["name"] not in bullet.group(1)
    assert "Status ikke vist (for få borgere):" in summary_text
