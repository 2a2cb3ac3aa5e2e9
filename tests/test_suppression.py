"""Primary and secondary suppression of small counts about persons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyse.suppression import (
    SECONDARY_MARKER,
    suppress_counts,
    suppression_masks,
    suppression_note,
)

HIDDEN = {"<5", SECONDARY_MARKER}


def _hidden_per_line(shown: pd.DataFrame, total_row, total_col) -> list[int]:
    hidden = shown.isin(list(HIDDEN))
    counts = []
    if total_col is not None:
        counts += hidden.sum(axis=1).tolist()
    if total_row is not None:
        counts += hidden.sum(axis=0).tolist()
    return counts


def test_one_small_cell_in_a_column_with_total_hides_the_next_smallest():
    table = pd.DataFrame(
        {"2019H1": [3, 12, 9, 40, 64], "2019H2": [6, 12, 9, 40, 67]},
        index=["A", "B", "C", "D", "I alt"],
    )
    shown = suppress_counts(table, total_row="I alt")
    assert shown["2019H1"].tolist() == ["<5", 12, "X", 40, 64]
    assert shown["2019H2"].tolist() == [6, 12, 9, 40, 67]


def test_two_small_cells_protect_each_other():
    table = pd.DataFrame({"n": [3, 2, 9, 40, 54]}, index=["A", "B", "C", "D", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    assert shown["n"].tolist() == ["<5", "<5", 9, 40, 54]


def test_without_a_total_there_is_no_secondary_suppression():
    table = pd.DataFrame({"n": [3, 9, 40]}, index=["A", "B", "C"])
    assert suppress_counts(table)["n"].tolist() == ["<5", 9, 40]


def test_zero_is_shown_and_never_chosen_as_secondary():
    table = pd.DataFrame({"n": [3, 0, 7, 10]}, index=["A", "B", "C", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    assert shown["n"].tolist() == ["<5", 0, "X", 10]


def test_small_total_is_suppressed_and_protected():
    # Row 'A' has a total of 3: the cell and its total are both <5. In the total
    # column, the small total is then the only hidden cell, so another total goes.
    table = pd.DataFrame(
        {"x": [3, 20, 15, 38], "y": [0, 30, 25, 55], "I alt": [3, 50, 40, 93]},
        index=["A", "B", "C", "I alt"],
    )
    shown = suppress_counts(table, total_row="I alt", total_col="I alt")
    assert shown.loc["A"].tolist() == ["<5", 0, "<5"]
    assert all(n != 1 for n in _hidden_per_line(shown, "I alt", "I alt"))
    # Column x: only the 3 was primary, so the smallest other non-zero (15) goes.
    assert shown.loc["C", "x"] == "X"
    assert shown.loc["C", "I alt"] == "X"


def test_secondary_suppression_cascades_until_stable():
    table = pd.DataFrame(
        {"a": [3, 10, 12, 25], "b": [20, 30, 8, 58], "I alt": [23, 40, 20, 83]},
        index=["x", "y", "z", "I alt"],
    )
    shown = suppress_counts(table, total_row="I alt", total_col="I alt")
    assert shown.loc["x"].tolist() == ["<5", "X", 23]
    assert shown.loc["y"].tolist() == ["X", "X", 40]
    assert shown.loc["z"].tolist() == ["X", "X", 20]
    assert shown.loc["I alt"].tolist() == [25, 58, 83]
    assert all(n != 1 for n in _hidden_per_line(shown, "I alt", "I alt"))


def test_threshold_changes_the_label_and_the_range():
    table = pd.DataFrame({"n": [4, 9, 10, 23]}, index=["A", "B", "C", "I alt"])
    shown = suppress_counts(table, threshold=10, total_row="I alt")
    assert shown["n"].tolist() == ["<10", "<10", 10, 23]


def test_input_is_not_mutated_and_shown_counts_are_ints():
    table = pd.DataFrame({"n": [3, 12, 9, 24]}, index=["A", "B", "C", "I alt"])
    before = table.copy()
    shown = suppress_counts(table, total_row="I alt")
    pd.testing.assert_frame_equal(table, before)
    assert type(shown.loc["I alt", "n"]) is int
    assert shown.dtypes.iloc[0] == object


def test_missing_cells_stay_missing():
    table = pd.DataFrame({"n": [3.0, np.nan, 40.0]}, index=["A", "B", "C"])
    shown = suppress_counts(table)
    assert shown.loc["A", "n"] == "<5" and pd.isna(shown.loc["B", "n"])


@pytest.mark.parametrize("bad", [pd.DataFrame({"n": [-1, 5]}), pd.DataFrame({"n": [1.5, 5]}),
                                 pd.DataFrame({"n": ["tre", 5]})])
def test_non_counts_are_refused(bad):
    with pytest.raises(ValueError):
        suppress_counts(bad)


def test_unknown_total_labels_and_bad_threshold_are_refused():
    table = pd.DataFrame({"n": [3, 9]}, index=["A", "B"])
    with pytest.raises(ValueError, match="totalrækken"):
        suppress_counts(table, total_row="I alt")
    with pytest.raises(ValueError, match="totalkolonnen"):
        suppress_counts(table, total_col="I alt")
    with pytest.raises(ValueError, match="threshold"):
        suppress_counts(table, threshold=0)


def test_note_names_only_the_markers_used():
    plain = suppress_counts(pd.DataFrame({"n": [30, 9]}))
    assert suppression_note(plain) is None
    primary_only = suppress_counts(pd.DataFrame({"n": [3, 9]}))
    assert suppression_note(primary_only).startswith("<5: 1-4 personer")
    assert "X:" not in suppression_note(primary_only)
    both = suppress_counts(pd.DataFrame({"n": [3, 9, 12]}, index=["a", "b", "I alt"]),
                           total_row="I alt")
    assert "X: skjult" in suppression_note(both)


@st.composite
def tables_with_margins(draw):
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 4))
    cells = draw(st.lists(st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 7, 12, 30]),
                                   min_size=n_cols, max_size=n_cols),
                          min_size=n_rows, max_size=n_rows))
    inner = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)],
                         columns=[f"c{j}" for j in range(n_cols)])
    inner["I alt"] = inner.sum(axis=1)
    inner.loc["I alt"] = inner.sum(axis=0)
    return inner


@settings(max_examples=150, deadline=None)
@given(tables_with_margins())
def test_property_no_margin_line_has_exactly_one_hidden_cell(table):
    import warnings

    from analyse.suppression import DisclosureWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        primary, secondary = suppression_masks(table, total_row="I alt", total_col="I alt")
        shown = suppress_counts(table, total_row="I alt", total_col="I alt")
    warned = any(issubclass(w.category, DisclosureWarning) for w in caught)
    values = table.to_numpy()
    # Primary suppression is exactly the counts 1..4.
    assert ((values >= 1) & (values <= 4) == primary.to_numpy()).all()
    # Secondary cells are non-zero counts that were not primary.
    assert (values[secondary.to_numpy()] >= 5).all()
    # Every line with a margin hides 0 or at least 2 cells, unless nothing else could be hidden.
    hidden = primary | secondary
    lines = [(hidden.loc[r], table.loc[r]) for r in table.index]
    lines += [(hidden[c], table[c]) for c in table.columns]
    for hidden_line, value_line in lines:
        if hidden_line.sum() == 1:
            assert (value_line[~hidden_line] == 0).all()
            # A line that cannot be protected is said to the analyst (see test_disclosure_warnings.py).
            assert warned
    # Shown cells keep their value.
    kept = ~hidden.to_numpy()
    assert (shown.to_numpy()[kept] == values[kept]).all()
