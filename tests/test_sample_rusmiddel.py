"""The synthetic Rusmiddelcenter extract, through the real pipeline, reproduces the published figures."""

from __future__ import annotations

import pandas as pd
import pytest

from analyse import rusmiddel
from analyse.formatting import format_percent
from analyse.periods import read_indicators
from analyse.pipeline import clean_all
from analyse.rusmiddel import outcome_shares
from analyse.rusmiddel_report import published_goals
from analyse.sample import person_pool, source_rng, write_sample
from analyse.sample import rusmiddel as sample_rusmiddel


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    processed = tmp_path_factory.mktemp("processed")
    write_sample(raw, seed=2019)
    summary = clean_all(raw, processed)
    return raw, processed, summary


def test_baseline_reproduced_exactly(built):
    _, _, summary = built
    episodes = summary.results["rusmiddel"].clean
    table = outcome_shares(episodes, "2017-12-01", "2018-05-31").set_index("group")
    assert table.loc["Alkohol", ["successes", "n"]].tolist() == [50, 106]
    assert table.loc["Stof", ["successes", "n"]].tolist() == [56, 98]
    goals = published_goals()
    assert format_percent(table.loc["Alkohol", "share"]) == format_percent(goals.loc["Alkohol", "baseline"]) == "47 %"
    assert format_percent(table.loc["Stof", "share"]) == format_percent(goals.loc["Stof", "baseline"]) == "57 %"


def test_2020_2021_shares_reproduced_when_rounded(built):
    _, processed, summary = built
    episodes = summary.results["rusmiddel"].clean
    table = outcome_shares(episodes, "2020-01-01", "2021-12-31").set_index("group")
    assert format_percent(table.loc["Alkohol", "share"]) == "71 %"
    assert format_percent(table.loc["Stof", "share"]) == "53 %"
    # indikatorer.csv holds the calendar years; together they give the same denominator.
    ind = read_indicators(processed)
    counts = ind[(ind["indicator"] == "antal_afsluttede_forloeb") & ind["period"].isin(["2020", "2021"])]
    assert counts.groupby("group")["value"].sum().to_dict() == {
        "Alkohol": table.loc["Alkohol", "n"], "Stof": table.loc["Stof", "n"],
    }


def test_indicators_have_half_years_and_years_for_both_groups(built):
    _, processed, _ = built
    ind = read_indicators(processed)
    for name in ("antal_afsluttede_forloeb", "andel_reduktion_eller_ophoer", "andel_national_maal"):
        rows = ind[ind["indicator"] == name]
        assert set(rows["group"]) == {"Alkohol", "Stof"}
        periods = set(rows["period"])
        assert {"2016H1", "2018H2", "2022H2"} <= periods
        assert {str(y) for y in range(2016, 2023)} <= periods
    shares = ind[ind["indicator"].str.startswith("andel_") & ind["group"].isin(["Alkohol", "Stof"])]
    assert shares["value"].between(0, 1).all()


def test_every_canonical_status_ongoing_episodes_and_2022_intake(built):
    _, _, summary = built
    episodes = summary.results["rusmiddel"].clean
    assert set(episodes["afslutningsstatus"].dropna()) == set(rusmiddel.STATUSES)
    assert episodes["end_date"].isna().sum() > 100
    started_2022 = episodes[episodes["start_date"].dt.year == 2022]["rusmiddel"].value_counts().to_dict()
    goals = published_goals()
    assert started_2022 == {"Alkohol": goals.loc["Alkohol", "intake_2022"], "Stof": goals.loc["Stof", "intake_2022"]}
    # Yearly volumes stay plausible against the 2022 intake (no year with half or double of it).
    for group, intake in (("Alkohol", 243), ("Stof", 363)):
        per_year = episodes[episodes["rusmiddel"] == group]["start_date"].dt.year.value_counts()
        assert per_year.loc[2016:2022].between(intake * 0.5, intake * 1.2).all(), per_year


def test_messy_files_rejections_and_duplicates_are_accounted(built):
    _, _, summary = built
    quality = summary.results["rusmiddel"].quality
    files = {f["file"]: f for f in quality["files"]}
    assert files["rusmiddel_2016-2017.csv"]["encoding"] == "cp1252"
    assert files["rusmiddel_2016-2017.csv"]["separator"] == "komma"
    assert files["rusmiddel_2018-2020.csv"]["encoding"] == "utf-8"
    assert files["rusmiddel_2018-2020.csv"]["separator"] == "semikolon"
    assert files["rusmiddel_2021-2022.xlsx"]["header_row"] == 2
    for account in files.values():
        assert account["duplicates_removed"] >= 1
        assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]
    reasons = summary.results["rusmiddel"].rejected["reason"].value_counts().to_dict()
    expected = {}
    problem_reason = {
        "end without status": rusmiddel.R_END_WITHOUT_STATUS, "unknown status": rusmiddel.R_STATUS,
        "bad CPR": "ugyldigt CPR-nummer", "unknown rusmiddel": rusmiddel.R_RUSMIDDEL,
        "end before start": "slutdato før startdato", "status without end": rusmiddel.R_STATUS_WITHOUT_END,
    }
    for planted in sample_rusmiddel.PLANTED:
        expected[problem_reason[planted.problem]] = expected.get(problem_reason[planted.problem], 0) + 1
    assert reasons == expected


def test_some_citizens_link_to_as2007(built):
    _, _, summary = built
    shared = set(summary.results["rusmiddel"].clean["pseudonym"]) & set(summary.results["as2007"].clean["pseudonym"])
    assert len(shared) >= 20


def test_no_cpr_in_processed_outputs(built):
    raw, processed, _ = built
    text = (processed / "rusmiddel_afviste.csv").read_text(encoding="utf-8-sig")
    assert "311304-1234" not in text and "320187-1234" not in text
    clean = pd.read_parquet(processed / "rusmiddel.parquet")
    assert "cpr" not in clean.columns


@pytest.mark.parametrize("seed", [1, 7])
def test_other_seeds_are_calibrated_too(seed):
    episodes = sample_rusmiddel.build_episodes(source_rng(seed, "rusmiddel"), person_pool(seed))
    assert sample_rusmiddel.outcome(episodes, "Alkohol", sample_rusmiddel.BASELINE) == (50, 106)
    assert sample_rusmiddel.outcome(episodes, "Stof", sample_rusmiddel.BASELINE) == (56, 98)
    for group, percent in (("Alkohol", 71), ("Stof", 53)):
        hits, n = sample_rusmiddel.outcome(episodes, group, sample_rusmiddel.COMPARISON)
        assert sample_rusmiddel.whole_percent(hits, n) == percent


def test_sample_is_byte_for_byte_reproducible():
    pool = person_pool(3)
    first = sample_rusmiddel.build_rusmiddel(source_rng(3, "rusmiddel"), pool)
    again = sample_rusmiddel.build_rusmiddel(source_rng(3, "rusmiddel"), pool)
    assert first == again


@pytest.mark.slow
def test_notebook_03_runs_on_the_sample(built, tmp_path, monkeypatch):
    import json
    import re
    from pathlib import Path

    import papermill

    from analyse.cleaning import source_files
    from analyse.readers import read_extract
    from analyse.values import normalise_cpr_text

    raw, processed, _ = built
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "03_rusmiddel.ipynb"
    source = json.loads(notebook.read_text(encoding="utf-8"))
    assert all(not c.get("outputs") for c in source["cells"] if c["cell_type"] == "code")
    assert source["cells"][0]["metadata"]["tags"] == ["parameters"]
    out = tmp_path / "03.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters={"processed_dir": str(processed)},
                               kernel_name="python3", progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert "Syntetiske data" in text
    assert "fra 47 % i dec. 2017–maj 2018 til 71 % i 2020–2021" in text
    assert "fra 57 % i dec. 2017–maj 2018 til 53 % i 2020–2021" in text
    # ... the same as the strategy published, which the table notes quote beside them.
    assert "offentliggjort for 2020–2021 (strategien fra 2023): 71 %" in text
    assert "offentliggjort for 2020–2021 (strategien fra 2023): 53 %" in text
    # Each shown table is one sheet of the report's workbook (the runner writes it: analyse.workbook).
    import nbformat

    from analyse.workbook import notebook_tables
    assert len(notebook_tables(nbformat.read(out, as_version=4))) == 6
    assert not re.search(r"(?<!\d)\d{6}-\d{4}(?!\d)", text)
    raw_cprs = {normalise_cpr_text(c) for path in source_files(raw, "rusmiddel")
                for c in read_extract(path, rusmiddel.COLUMNS).data["cpr"]}
    assert not any(c in text for c in raw_cprs if c)
