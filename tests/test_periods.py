"""Half-year labels, bounds and the indicator-to-table layout."""

from __future__ import annotations

import pandas as pd
import pytest

from analyse.exceptions import ConfigError
from analyse.periods import (
    half_year_bounds,
    half_year_index,
    half_year_of,
    half_year_range,
    parse_half_year,
    period_table,
    read_indicators,
)


@pytest.mark.parametrize("label, expected", [("2016H1", (2016, 1)), ("2019H2", (2019, 2)),
                                             (" 2018h1 ", (2018, 1))])
def test_parse_accepts_contract_labels(label, expected):
    assert parse_half_year(label) == expected


@pytest.mark.parametrize("label", ["2019H3", "2019H0", "2019", "19H1", "2019-H1", "H1 2019", "", None])
def test_parse_rejects_bad_labels_with_a_clear_message(label):
    with pytest.raises(ConfigError, match="ugyldigt halvår") as info:
        parse_half_year(label)
    assert repr(label) in str(info.value)
    assert "H1 eller H2" in str(info.value)


def test_bounds_cover_the_year_without_gap_or_overlap():
    h1_start, h1_end = half_year_bounds("2020H1")
    h2_start, h2_end = half_year_bounds("2020H2")
    assert (h1_start, h1_end) == (pd.Timestamp("2020-01-01"), pd.Timestamp("2020-06-30"))
    assert (h2_start, h2_end) == (pd.Timestamp("2020-07-01"), pd.Timestamp("2020-12-31"))
    assert h2_start - h1_end == pd.Timedelta(days=1)
    assert half_year_bounds("2021H1")[0] - h2_end == pd.Timedelta(days=1)


def test_range_crosses_years_and_includes_both_ends():
    assert half_year_range("2016H1", "2019H1") == [
        "2016H1", "2016H2", "2017H1", "2017H2", "2018H1", "2018H2", "2019H1"]
    assert half_year_range("2019H2", "2019H2") == ["2019H2"]


def test_range_rejects_reversed_and_bad_labels():
    with pytest.raises(ConfigError, match="ligger efter"):
        half_year_range("2019H2", "2019H1")
    with pytest.raises(ConfigError, match="2019H3"):
        half_year_range("2016H1", "2019H3")


def test_index_counts_half_years():
    assert half_year_index("2019H1") - half_year_index("2016H1") == 6


def test_half_year_of_boundaries_missing_and_index():
    dates = pd.Series(
        [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-06-30 23:59"), pd.Timestamp("2019-07-01"),
         pd.Timestamp("2019-12-31"), pd.NaT],
        index=[10, 11, 12, 13, 14],
        name="start_date",
    )
    labels = half_year_of(dates)
    assert labels.tolist()[:4] == ["2019H1", "2019H1", "2019H2", "2019H2"]
    assert labels.isna().tolist() == [False, False, False, False, True]
    assert labels.index.tolist() == [10, 11, 12, 13, 14]
    assert labels.name == "start_date"


def test_half_year_of_agrees_with_bounds():
    days = pd.Series(pd.date_range("2015-12-25", "2017-01-05", freq="D"))
    for day, label in zip(days, half_year_of(days)):
        start, end = half_year_bounds(label)
        assert start <= day <= end


def _indicators() -> pd.DataFrame:
    rows = [
        ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte timetakst", "2016H1", 474),
        ("unikke_personer_pr_ydelsestype", "§ 85 bostøtte timetakst", "2016H2", 470),
        ("unikke_personer_pr_ydelsestype", "§ 108 Længerevarende botilbud", "2016H1", 9),
        ("unikke_personer_pr_ydelsestype", "Ny ydelse", "2016H2", 3),
        ("unikke_personer_visiteret_ydelse", "I alt", "2016H1", 610),
    ]
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])


def test_period_table_fills_zeros_and_keeps_unlisted_groups():
    table = period_table(
        _indicators(), "unikke_personer_pr_ydelsestype", ["2016H1", "2016H2"],
        groups=["§ 108 Længerevarende botilbud", "§ 85 bostøtte timetakst", "§ 97 Ledsagerordning"],
    )
    assert table.index.tolist() == [
        "§ 108 Længerevarende botilbud", "§ 85 bostøtte timetakst", "§ 97 Ledsagerordning", "Ny ydelse"]
    assert table.columns.tolist() == ["2016H1", "2016H2"]
    assert table.loc["§ 108 Længerevarende botilbud", "2016H2"] == 0
    assert table.loc["§ 97 Ledsagerordning"].tolist() == [0, 0]
    assert table.loc["Ny ydelse"].tolist() == [0, 3]
    assert str(table.dtypes.iloc[0]) == "int64"


def test_period_table_refuses_periods_outside_the_data():
    with pytest.raises(ConfigError, match="2017H1.*data dækker 2016H1–2016H2"):
        period_table(_indicators(), "unikke_personer_pr_ydelsestype", ["2016H2", "2017H1"])


def test_read_indicators(tmp_path):
    (tmp_path / "indikatorer.csv").write_text(
        "indicator;group;period;value\n"
        "unikke_personer_pr_ydelsestype;§ 85 bostøtte timetakst;2016H1;474\n"
        "andel;Alkohol;2016H1;0.5\n",
        encoding="utf-8",
    )
    table = read_indicators(tmp_path)
    assert table["group"].iloc[0] == "§ 85 bostøtte timetakst"
    assert table["value"].tolist() == [474.0, 0.5]


def test_read_indicators_missing_file_says_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="analyse clean"):
        read_indicators(tmp_path)


def test_read_indicators_missing_columns(tmp_path):
    (tmp_path / "indikatorer.csv").write_text("indicator;period;value\nx;2016H1;1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="group"):
        read_indicators(tmp_path)
