"""Disclosure control for published tables about persons.

A published table never shows a count from 1 to ``threshold - 1`` (primary
suppression, shown as ``<5`` for the default threshold of 5). Where a row or
column has a total, one hidden cell could be recovered by subtraction, so a
second cell is hidden as well (secondary suppression, shown as ``X``).

Markers, as the reports explain them:

``<5``  1 to 4 persons (the label follows the threshold: ``<10`` for 10).
``X``   hidden only so that a ``<5`` cell cannot be worked out from the total;
        the true value is at least the threshold.
``0``   nobody; zeros are shown, since "none" discloses nothing about a person.

The rule is the classic one-hidden-cell-per-margin heuristic, repeated until no
line with a margin has exactly one hidden cell. It is not a full audit against
every linear combination (two tables sharing a margin can still leak); it is
what the municipality's published tables need.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SECONDARY_MARKER = "X"


def primary_marker(threshold: int = 5) -> str:
    """The label of a primary-suppressed cell.

    >>> primary_marker(), primary_marker(10)
    ('<5', '<10')
    """
    return f"<{threshold}"


def _numeric(table: pd.DataFrame) -> pd.DataFrame:
    values = table.apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = table.notna() & values.isna()
    if bad.to_numpy().any():
        raise ValueError("suppress_counts kræver tal i alle celler (tomme celler er tilladt)")
    finite = values.to_numpy()[~np.isnan(values.to_numpy())]
    if (finite < 0).any() or (finite != np.round(finite)).any():
        raise ValueError("suppress_counts kræver hele, ikke-negative antal")
    return values


def _lines(values: pd.DataFrame, total_row, total_col) -> list[list[tuple]]:
    """Cells bound by one additive constraint: a row when there is a total column,
    a column when there is a total row. The margin cell is part of its line."""
    lines = []
    if total_col is not None:
        lines += [[(r, c) for c in values.columns] for r in values.index]
    if total_row is not None:
        lines += [[(r, c) for r in values.index] for c in values.columns]
    return lines


def suppression_masks(
    table: pd.DataFrame,
    threshold: int = 5,
    total_row: str | None = None,
    total_col: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Boolean masks ``(primary, secondary)`` for :func:`suppress_counts`.

    >>> t = pd.DataFrame({"a": [3, 10, 13], "b": [20, 30, 50]}, index=["x", "y", "I alt"])
    >>> p, s = suppression_masks(t, total_row="I alt")
    >>> int(p.to_numpy().sum()), s["a"].tolist()
    (1, [False, True, False])
    """
    if int(threshold) != threshold or threshold < 1:
        raise ValueError("threshold skal være et helt tal ≥ 1")
    if total_row is not None and total_row not in table.index:
        raise ValueError(f"totalrækken {total_row!r} findes ikke i tabellen")
    if total_col is not None and total_col not in table.columns:
        raise ValueError(f"totalkolonnen {total_col!r} findes ikke i tabellen")
    values = _numeric(table)
    primary = (values >= 1) & (values < threshold)
    secondary = pd.DataFrame(False, index=values.index, columns=values.columns)
    lines = _lines(values, total_row, total_col)

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [cell for cell in line if primary.at[cell] or secondary.at[cell]]
            if len(hidden) != 1:
                continue
            candidates = [
                cell for cell in line
                if cell not in hidden and values.at[cell] > 0
            ]
            if not candidates:
                continue
            # Smallest first (least information lost); an inner cell before a margin.
            def rank(cell):
                is_margin = cell[0] == total_row or cell[1] == total_col
                return (values.at[cell], is_margin)

            secondary.at[min(candidates, key=rank)] = True
            changed = True
    return primary, secondary


def suppress_counts(
    table: pd.DataFrame,
    threshold: int = 5,
    total_row: str | None = None,
    total_col: str | None = None,
) -> pd.DataFrame:
    """A display copy of a count table with small counts hidden.

    Cells from 1 to ``threshold - 1`` become ``'<5'``; in every row (if
    ``total_col`` is given) and column (if ``total_row`` is given) with exactly
    one hidden cell, the smallest other non-zero cell becomes ``'X'``, repeated
    until stable. Zeros and empty cells stay. Shown counts are Python ints, so
    formatting and spreadsheets keep them as numbers. The input is not changed.

    >>> t = pd.DataFrame({"2019H1": [3, 12, 40, 55], "2019H2": [0, 8, 41, 49]},
    ...                  index=["A", "B", "C", "I alt"])
    >>> suppress_counts(t, total_row="I alt").to_dict("list")
    {'2019H1': ['<5', 'X', 40, 55], '2019H2': [0, 8, 41, 49]}
    >>> suppress_counts(t).to_dict("list")
    {'2019H1': ['<5', 12, 40, 55], '2019H2': [0, 8, 41, 49]}
    """
    primary, secondary = suppression_masks(table, threshold, total_row, total_col)
    values = _numeric(table)
    shown = pd.DataFrame(index=table.index, columns=table.columns, dtype="object")
    for row in table.index:
        for col in table.columns:
            value = values.at[row, col]
            if primary.at[row, col]:
                shown.at[row, col] = primary_marker(threshold)
            elif secondary.at[row, col]:
                shown.at[row, col] = SECONDARY_MARKER
            elif np.isnan(value):
                shown.at[row, col] = np.nan
            else:
                shown.at[row, col] = int(value)
    shown.index.name, shown.columns.name = table.index.name, table.columns.name
    return shown


def suppression_note(shown: pd.DataFrame, threshold: int = 5) -> str | None:
    """The Danish note explaining the markers a suppressed table actually uses.

    >>> t = suppress_counts(pd.DataFrame({"a": [3, 12, 15]}, index=["x", "y", "I alt"]),
    ...                     total_row="I alt")
    >>> print(suppression_note(t))
    <5: 1-4 personer (små tal vises ikke af hensyn til fortroligheden). X: skjult, så et lille tal ikke kan regnes ud fra totalen.
    """
    cells = set(shown.astype("object").to_numpy().ravel().tolist())
    parts = []
    if primary_marker(threshold) in cells:
        persons = "1 person" if threshold == 2 else f"1-{threshold - 1} personer"
        parts.append(
            f"{primary_marker(threshold)}: {persons} "
            "(små tal vises ikke af hensyn til fortroligheden)."
        )
    if SECONDARY_MARKER in cells:
        parts.append(f"{SECONDARY_MARKER}: skjult, så et lille tal ikke kan regnes ud fra totalen.")
    return " ".join(parts) or None
