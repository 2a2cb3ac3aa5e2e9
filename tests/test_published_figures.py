"""The synthetic sample, cleaned by the real pipeline, reproduces the published tables cell for cell."""

from __future__ import annotations

import pandas as pd
import pytest

from analyse.periods import read_indicators
from analyse.pipeline import clean_all
from analyse.published import load_published
from analyse.sample import write_sample


@pytest.fixture(scope="module")
def indicators(tmp_path_factory):
    base = tmp_path_factory.mktemp("published")
    write_sample(base / "raw", seed=2019)
    clean_all(base / "raw", base / "processed")
    return read_indicators(base / "processed")


def _compare(indicators: pd.DataFrame, table: str) -> pd.DataFrame:
    published = load_published(table)
    published = published[published["value"].notna()]
    merged = published.merge(indicators, on=["indicator", "group", "period"], how="left", suffixes=("_published", ""))
    return merged[merged["value"] != merged["value_published"]][["indicator", "group", "period", "value_published", "value"]]


@pytest.mark.parametrize("table", ["Tabel 1", "Tabel 2", "Tabel 3", "Tabel 4"])
def test_published_tables_reproduced_cell_for_cell(indicators, table):
    differences = _compare(indicators, table)
    assert differences.empty, differences.to_string()
