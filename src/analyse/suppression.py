"""Disclosure control for published tables about persons: the one place the rule lives.

Every table a report publishes about persons (or treatment episodes, visits)
passes through :func:`suppress_tables` (or its one-table form
:func:`suppress_counts`); every published share passes through
:func:`share_hidden`. Nothing else in the suite decides what may be shown.

The rule (``threshold`` is a parameter, 5 by default):

``<5``  *primary suppression*: a count from 1 to ``threshold - 1``.
``X``   *secondary suppression*: a count of at least ``threshold`` hidden so that
        no ``<5`` cell can be worked out from a total (within the table, or from
        a figure the same report shows in another table).
``0``   zeros are shown: "nobody" discloses nothing about a person, and hiding
        zeros would make every sparse table unreadable. A zero is never picked
        as a secondary cell (a hidden zero would be recognised as one).
``–``   a share is not shown when it rests on fewer than ``threshold`` persons
        or episodes, or when it would reveal that 1 to ``threshold - 1`` of them
        did (or did not) reach the outcome (:func:`share_hidden`).

How secondary cells are chosen. A table may declare a total row and/or a total
column; further relations between cells (the same figure in two tables, a table
whose rows add up to a cell of another, a total of *distinct* persons that is at
most the sum of its parts) are declared with ``links`` and ``relations``. A figure
the report does not show but a reader can work out from two it does (contacts
minus unique citizens) is declared as a table with ``published=False``: it is
protected like a shown cell, and hidden cells are chosen among the shown ones. Then:

1. every relation with exactly one hidden cell gets a second one: the smallest
   non-zero shown cell of that relation, an inner cell before a total;
2. an *audit* works out, by linear programming over everything published (shown
   cells, every relation, and what a reader can infer: a ``<5`` cell is 1 to 4, an
   ``X`` cell at least 5), the interval each ``<5`` cell could lie in. Where that
   interval leaves one value only (e.g. two cells of 1 under a shown total: 1 + 1
   = 2 gives both away), another cell of the relation is hidden;
3. both steps repeat until nothing changes. Cells linked as the same figure are
   hidden together everywhere.

What is covered: recovery of a hidden count *exactly*, from totals and from
declared links and relations, in any combination (the audit is exact for the
linear relations). What is not: (a) relations nobody declared, e.g. a figure
in *another* report, or a share times a count in a sentence; every report
therefore declares its links (see notebooks 01-03); (b) a line whose non-zero
cells are all small, with a small total, cannot be protected at all (zeros are
shown, so each ``<5`` is known to be at least 1): :class:`DisclosureWarning`
says so, and the report must merge or drop it; (c) narrowing a hidden count
to fewer values than 1-4 (the audit guarantees at least two possible values,
not all four); (d) an attacker who knows that the smallest candidate is chosen
as the secondary cell. A total of distinct persons (``additive=False``) is
audited as the inequalities it is (sum of parts ≥ total ≥ each part), except where
the parts happen to add up to the total: then a reader who assumes they do is right,
and it is audited as the equation.

Evaluation against τ-Argus (pytauargus 0.6.0; see
``docs/disclosure_control.md``): pytauargus installs from PyPI with the engine
and the HiGHS solver bundled and runs here, and its optimal suppression (OPT)
loses less information on large hierarchical tables. It was not chosen: it
builds tables from microdata and computes every total itself as a sum, so it
cannot express our totals of distinct persons or the links between tables of
one report; it adds and protects margins the reports do not publish (in a test
it hid four cells where two suffice); it writes microdata and unprotected
tables to a work folder on disk; and it adds a beta native dependency that
``environment.yml`` would have to carry. Our tables are small (at most a few
hundred cells), so this module's heuristic plus an exact audit is enough.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

SECONDARY_MARKER = "X"


class DisclosureWarning(UserWarning):
    """A ``<5`` cell that no further suppression can protect.

    Zeros are shown, so a reader knows every ``<5`` is at least 1: a line whose
    non-zero cells are all small and whose total is small too (four tilbud with
    one contact each, four in all) gives itself away whatever is hidden. The
    remedy is the report's: merge categories or periods, or leave the line out.
    """

Cell = tuple  # (table name, row label, column label)


def primary_marker(threshold: int = 5) -> str:
    """The label of a primary-suppressed cell.

    >>> primary_marker(), primary_marker(10)
    ('<5', '<10')
    """
    return f"<{threshold}"


def share_hidden(successes: int, n: int, threshold: int = 5) -> bool:
    """True when the share ``successes / n`` must not be published.

    Hidden when it rests on fewer than ``threshold`` persons or episodes, or when
    ``successes`` or ``n - successes`` is from 1 to ``threshold - 1`` (with the
    count shown beside it, the share would give that small number away).

    >>> share_hidden(20, 40), share_hidden(3, 40), share_hidden(37, 40), share_hidden(0, 40), share_hidden(4, 4)
    (False, True, True, False, True)
    """
    _check_threshold(threshold)
    small = lambda k: 1 <= k < threshold  # noqa: E731
    return bool(n < threshold or small(successes) or small(n - successes))


def shown_count(value, threshold: int = 5):
    """One count as published on its own (no total beside it): ``'<5'`` for 1-4, else the count.

    >>> shown_count(3), shown_count(0), shown_count(12)
    ('<5', 0, 12)
    """
    _check_threshold(threshold)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    return primary_marker(threshold) if 1 <= value < threshold else int(value)


@dataclass(frozen=True)
class CountTable:
    """A count table to publish, with the totals it shows.

    ``additive=False`` says the totals count *distinct* persons, so they are at
    most the sum of their parts (a person with two kinds of grant is in both
    rows but once in the total).

    ``published=False`` declares figures the report does not show but a reader can
    work out from figures it does (contacts minus unique citizens = the extra
    contacts of persons in two or more tilbud). They are protected like shown
    cells: a count of 1-4 among them is primary-suppressed, so published cells are
    hidden until it cannot be worked out. To a reader they are unknowns, never
    shown values, and never picked as secondary cells; :func:`suppress_tables`
    returns no display copy of such a table.
    """

    table: pd.DataFrame
    total_row: object | None = None
    total_col: object | None = None
    additive: bool = True
    published: bool = True


@dataclass(frozen=True)
class Relation:
    """``sum(parts) = total`` (``kind='eq'``), ``≤ total`` (``'le'``: the parts are
    some of the total, e.g. named tilbud inside ``Uoplyst tilbud``) or ``≥ total``
    (``'ge'``: the total counts distinct persons). Cells are ``(table, row, column)``.
    """

    parts: tuple
    total: Cell
    kind: str = "eq"


def same_row(table_a: str, row_a, table_b: str, row_b, columns: Iterable) -> list[tuple[Cell, Cell]]:
    """Links for a row that two tables of one report both show (same figures, same columns).

    >>> same_row("t3", "Kontakter", "t4", "I alt", ["2019H1"])
    [(('t3', 'Kontakter', '2019H1'), ('t4', 'I alt', '2019H1'))]
    """
    return [((table_a, row_a, c), (table_b, row_b, c)) for c in columns]


# The smallest threshold a report may be given: counts of 1-4 persons are never published
# (the municipality's rule). Larger thresholds (10) are a report's choice; smaller ones are
# refused where a report's parameters are checked (analyse.params), not here, where tests and
# tools may use any.
MIN_REPORT_THRESHOLD = 5


def _check_threshold(threshold) -> None:
    if int(threshold) != threshold or threshold < 1:
        raise ValueError("threshold skal være et helt tal ≥ 1")


def _numeric(table: pd.DataFrame) -> pd.DataFrame:
    values = table.apply(pd.to_numeric, errors="coerce").astype("float64")
    bad = table.notna() & values.isna()
    if bad.to_numpy().any():
        raise ValueError("suppress_counts kræver tal i alle celler (tomme celler er tilladt)")
    finite = values.to_numpy()[~np.isnan(values.to_numpy())]
    if (finite < 0).any() or (finite != np.round(finite)).any():
        raise ValueError("suppress_counts kræver hele, ikke-negative antal")
    return values


class _Problem:
    """All published cells of one report, merged where linked, with the relations between them."""

    def __init__(self, tables: Mapping[str, CountTable], threshold: int, links, relations):
        self.threshold = threshold
        # <5 cells the published figures pin to one value with nothing left to hide (see DisclosureWarning).
        self.unprotectable: set[int] = set()
        self.safe: set[int] = set()  # <5 cells the audit has shown to have more than one possible value
        self.values: dict[str, pd.DataFrame] = {}
        self.keys: list[Cell] = []
        index: dict[Cell, int] = {}
        for name, spec in tables.items():
            table = spec.table
            if spec.total_row is not None and spec.total_row not in table.index:
                raise ValueError(f"totalrækken {spec.total_row!r} findes ikke i tabellen {name!r}")
            if spec.total_col is not None and spec.total_col not in table.columns:
                raise ValueError(f"totalkolonnen {spec.total_col!r} findes ikke i tabellen {name!r}")
            if table.index.has_duplicates or table.columns.has_duplicates:
                raise ValueError(f"tabellen {name!r} har gentagne række- eller kolonnenavne")
            values = _numeric(table)
            self.values[name] = values
            for r in values.index:
                for c in values.columns:
                    index[(name, r, c)] = len(self.keys)
                    self.keys.append((name, r, c))
        self.index = index
        parent = list(range(len(self.keys)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for a, b in links:
            ia, ib = self._cell(a), self._cell(b)
            if self.value_of(ia) != self.value_of(ib) and not (
                math.isnan(self.value_of(ia)) and math.isnan(self.value_of(ib))
            ):
                raise ValueError(f"de sammenkædede celler {a} og {b} har forskellige værdier")
            parent[find(ia)] = find(ib)
        self.cls = [find(i) for i in range(len(self.keys))]
        # A figure is unpublished when no table that shows it is published (a link to a shown cell publishes it).
        shown = {self.cls[i] for i, (name, _, _) in enumerate(self.keys) if tables[name].published}
        self.unpublished: set[int] = set(self.cls) - shown
        self.published_tables = [name for name, spec in tables.items() if spec.published]

        # Relations over classes: (parts, total, kind); empty (NaN) cells leave them out.
        self.relations: list[tuple[tuple[int, ...], int, str]] = []
        for name, spec in tables.items():
            values = self.values[name]
            kind = "eq" if spec.additive else "ge"
            if spec.total_col is not None:
                for r in values.index:
                    parts = [(name, r, c) for c in values.columns if c != spec.total_col]
                    self._add(parts, (name, r, spec.total_col), kind)
            if spec.total_row is not None:
                for c in values.columns:
                    parts = [(name, r, c) for r in values.index if r != spec.total_row]
                    self._add(parts, (name, spec.total_row, c), kind)
        for relation in relations:
            if relation.kind not in ("eq", "le", "ge"):
                raise ValueError(f"ukendt relation {relation.kind!r} (brug 'eq', 'le' eller 'ge')")
            self._add(list(relation.parts), relation.total, relation.kind, check=True)

    def _cell(self, key: Cell) -> int:
        try:
            return self.index[tuple(key)]
        except KeyError:
            raise ValueError(f"cellen {key!r} findes ikke i de angivne tabeller") from None

    def value_of(self, i: int) -> float:
        name, r, c = self.keys[i]
        return float(self.values[name].at[r, c])

    def _add(self, parts: Sequence[Cell], total: Cell, kind: str, check: bool = False) -> None:
        t = self._cell(total)
        if math.isnan(self.value_of(t)):
            return
        ids = [self._cell(p) for p in parts]
        ids = [i for i in ids if not math.isnan(self.value_of(i))]
        part_classes = tuple(self.cls[i] for i in ids)
        total_class = self.cls[t]
        s, v = sum(self.value_of(i) for i in ids), self.value_of(t)
        if check and not {"eq": s == v, "le": s <= v, "ge": s >= v}[kind]:
            raise ValueError(f"relationen for {total!r} holder ikke for tallene ({kind})")
        if s == v:
            # Where the parts happen to add up to the total, a reader who assumes they do
            # (no person in two rows, nothing outside the named parts) is right: audit the equation.
            kind = "eq"
        if part_classes:
            self.relations.append((part_classes, total_class, kind))

    # --- the suppression -----------------------------------------------------------------

    def solve(self) -> tuple[set[int], set[int]]:
        t = self.threshold
        classes = sorted(set(self.cls))
        value = {k: self.value_of(k) for k in classes}
        primary = {k for k in classes if not math.isnan(value[k]) and 1 <= value[k] < t}
        secondary: set[int] = set()
        while True:
            changed = self._line_rule(value, primary, secondary)
            if not changed:
                changed = self._audit(value, primary, secondary)
            if not changed:
                return primary, secondary

    def _candidates(self, relation, value, hidden) -> list[int]:
        parts, total, _ = relation
        members = [*dict.fromkeys(parts), total]
        shown = [k for k in members if k not in hidden and k not in self.unpublished and value[k] > 0]
        return sorted(shown, key=lambda k: (value[k], k == total, k))

    def _line_rule(self, value, primary, secondary) -> bool:
        changed = False
        for relation in self.relations:
            if relation[2] == "le":
                continue  # parts of a cell: one hidden part is bounded, never recovered (audited)
            hidden = primary | secondary
            members = set(relation[0]) | {relation[1]}
            unknown = members & (hidden | self.unpublished)
            # One unknown is worked out from the rest; that matters only for a hidden cell
            # (an unpublished figure that is not small may be worked out, as it always could).
            if len(unknown) != 1 or not unknown & hidden:
                continue
            candidates = self._candidates(relation, value, hidden)
            if candidates:
                secondary.add(candidates[0])
                changed = True
        return changed

    def _audit(self, value, primary, secondary) -> bool:
        """Hide one more cell where the published figures pin a ``<5`` cell to one value."""
        from scipy.optimize import linprog

        hidden = primary | secondary
        self.unprotectable = set()  # what the last, unchanged pass finds is what remains
        if not primary:
            return False
        # Unknown to a reader: the hidden cells and the unpublished figures. Of an unpublished
        # figure that is not small a reader knows only that it is a count (at least 0).
        unknown = hidden | self.unpublished
        variables = sorted(unknown)
        position = {k: i for i, k in enumerate(variables)}
        t = self.threshold
        bounds = [(1, t - 1) if k in primary else (t, None) if k in secondary else (0, None) for k in variables]
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        involved: dict[int, list] = {k: [] for k in variables}
        for relation in self.relations:
            parts, total, kind = relation
            members = set(parts) | {total}
            if not members & unknown:
                continue
            for k in members & unknown:
                involved[k].append(relation)
            row = np.zeros(len(variables))
            rhs = 0.0
            for p in parts:  # sum(parts) - total (op) 0, shown cells moved to the right
                if p in unknown:
                    row[position[p]] += 1
                else:
                    rhs -= value[p]
            if total in unknown:
                row[position[total]] -= 1
            else:
                rhs += value[total]
            if kind == "eq":
                a_eq.append(row), b_eq.append(rhs)
            elif kind == "le":
                a_ub.append(row), b_ub.append(rhs)
            else:  # ge: total <= sum(parts), and every part <= total
                a_ub.append(-row), b_ub.append(-rhs)
                for p in dict.fromkeys(parts):
                    each = np.zeros(len(variables))
                    bound = 0.0
                    if p in unknown:
                        each[position[p]] += 1
                    else:
                        bound -= value[p]
                    if total in unknown:
                        each[position[total]] -= 1
                    else:
                        bound += value[total]
                    if each.any():
                        a_ub.append(each), b_ub.append(bound)
        kwargs = dict(
            A_eq=np.array(a_eq) if a_eq else None, b_eq=np.array(b_eq) if b_eq else None,
            A_ub=np.array(a_ub) if a_ub else None, b_ub=np.array(b_ub) if b_ub else None,
            bounds=bounds, method="highs",
        )
        for k in sorted(primary, key=lambda k: (value[k], k)):
            if not involved[k] or k in self.safe:
                continue
            # The true value is feasible; the cell is safe as soon as one other whole value is.
            # Safe stays safe: hiding more cells only widens what a reader must allow for.
            c = np.zeros(len(variables))
            c[position[k]] = 1
            high = linprog(-c, **kwargs)
            if high.status == 2:
                raise ValueError("tabellernes relationer passer ikke med tallene (kan ikke løses)")
            if high.status != 0 or -high.fun >= value[k] + 1 - 1e-7:
                self.safe.add(k)
                continue
            low = linprog(c, **kwargs)
            if low.status == 2:
                raise ValueError("tabellernes relationer passer ikke med tallene (kan ikke løses)")
            if low.status == 0 and low.fun <= value[k] - 1 + 1e-7:
                self.safe.add(k)
                continue
            # Pinned: hide the smallest shown non-zero cell of a relation it is in.
            candidates = sorted(
                {c for relation in involved[k] for c in self._candidates(relation, value, hidden)},
                key=lambda c: (value[c], c in {r[1] for r in involved[k]}, c),
            )
            if candidates:
                secondary.add(candidates[0])
                return True
            self.unprotectable.add(k)
        return False

    def masks(self, primary: set[int], secondary: set[int]) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
        out = {}
        for name in self.published_tables:
            values = self.values[name]
            p = pd.DataFrame(False, index=values.index, columns=values.columns)
            s = pd.DataFrame(False, index=values.index, columns=values.columns)
            for r in values.index:
                for c in values.columns:
                    k = self.cls[self.index[(name, r, c)]]
                    p.at[r, c] = k in primary
                    s.at[r, c] = k in secondary and k not in primary
            out[name] = (p, s)
        return out


def _as_spec(table) -> CountTable:
    return table if isinstance(table, CountTable) else CountTable(table)


def tables_masks(
    tables: Mapping[str, CountTable | pd.DataFrame],
    threshold: int = 5,
    links: Iterable[tuple[Cell, Cell]] = (),
    relations: Iterable[Relation] = (),
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Boolean masks ``(primary, secondary)`` per published table for :func:`suppress_tables`."""
    _check_threshold(threshold)
    problem = _Problem({n: _as_spec(t) for n, t in tables.items()}, int(threshold), list(links), list(relations))
    masks = problem.masks(*problem.solve())
    if problem.unprotectable:
        cells = ", ".join(str(problem.keys[k]) for k in sorted(problem.unprotectable))
        warnings.warn(DisclosureWarning(
            f"{cells}: alle celler på linjen er små, så de kan regnes ud uanset hvad der skjules; "
            "slå kategorier eller perioder sammen, eller vis ikke linjen"), stacklevel=2)
    return masks


def _shown(table: pd.DataFrame, primary: pd.DataFrame, secondary: pd.DataFrame, threshold: int) -> pd.DataFrame:
    values = _numeric(table)
    shown = pd.DataFrame(index=table.index, columns=table.columns, dtype="object")
    for i, row in enumerate(table.index):
        for j, col in enumerate(table.columns):
            value = values.iat[i, j]
            if primary.iat[i, j]:
                shown.iat[i, j] = primary_marker(threshold)
            elif secondary.iat[i, j]:
                shown.iat[i, j] = SECONDARY_MARKER
            elif np.isnan(value):
                shown.iat[i, j] = np.nan
            else:
                shown.iat[i, j] = int(value)
    shown.index.name, shown.columns.name = table.index.name, table.columns.name
    return shown


def suppress_tables(
    tables: Mapping[str, CountTable | pd.DataFrame],
    threshold: int = 5,
    links: Iterable[tuple[Cell, Cell]] = (),
    relations: Iterable[Relation] = (),
) -> dict[str, pd.DataFrame]:
    """Display copies of all count tables of one report, suppressed together.

    ``tables`` maps a name to a :class:`CountTable` (or a plain DataFrame without
    totals); ``links`` pairs cells ``(name, row, column)`` that show the same
    figure (see :func:`same_row`); ``relations`` declare further sums. A cell
    hidden in one table is hidden wherever the same figure appears.

    >>> t3 = pd.DataFrame({"H1": [9, 8]}, index=["Kontakter", "Unikke borgere"])
    >>> t4 = pd.DataFrame({"H1": [3, 6, 9]}, index=["A", "B", "I alt"])
    >>> shown = suppress_tables({"t3": t3, "t4": CountTable(t4, total_row="I alt")},
    ...                         links=same_row("t3", "Kontakter", "t4", "I alt", ["H1"]))
    >>> shown["t4"]["H1"].tolist(), shown["t3"]["H1"].tolist()
    (['<5', 'X', 9], [9, 8])

    A figure that is not shown but follows from shown ones (9 contacts − 8 persons = 1
    extra contact of someone in two tilbud) is a table with ``published=False``; it has
    no display copy, and a shown cell is hidden so that it cannot be worked out:

    >>> extra = pd.DataFrame({"H1": [1]}, index=["Flere tilbud"])
    >>> shown = suppress_tables(
    ...     {"t3": t3, "extra": CountTable(extra, published=False)},
    ...     relations=[Relation((("t3", "Unikke borgere", "H1"), ("extra", "Flere tilbud", "H1")),
    ...                         ("t3", "Kontakter", "H1"))])
    >>> sorted(shown), shown["t3"]["H1"].tolist()
    (['t3'], [9, 'X'])
    """
    specs = {n: _as_spec(t) for n, t in tables.items()}
    masks = tables_masks(specs, threshold, links, relations)
    return {name: _shown(specs[name].table, *mask, threshold) for name, mask in masks.items()}


def suppression_masks(
    table: pd.DataFrame,
    threshold: int = 5,
    total_row: str | None = None,
    total_col: str | None = None,
    additive: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Boolean masks ``(primary, secondary)`` for :func:`suppress_counts`.

    >>> t = pd.DataFrame({"a": [3, 10, 13], "b": [20, 30, 50]}, index=["x", "y", "I alt"])
    >>> p, s = suppression_masks(t, total_row="I alt")
    >>> int(p.to_numpy().sum()), s["a"].tolist()
    (1, [False, True, False])
    """
    masks = tables_masks({"t": CountTable(table, total_row, total_col, additive)}, threshold)
    return masks["t"]


def suppress_counts(
    table: pd.DataFrame,
    threshold: int = 5,
    total_row: str | None = None,
    total_col: str | None = None,
    additive: bool = True,
) -> pd.DataFrame:
    """A display copy of one count table with small counts hidden (:func:`suppress_tables` for one table).

    Cells from 1 to ``threshold - 1`` become ``'<5'``; secondary cells ``'X'``
    (see the module docstring). Zeros and empty cells stay. Shown counts are
    Python ints, so formatting and spreadsheets keep them as numbers. The input
    is not changed. ``additive=False``: the totals count distinct persons.

    >>> t = pd.DataFrame({"2019H1": [3, 12, 40, 55], "2019H2": [0, 8, 41, 49]},
    ...                  index=["A", "B", "C", "I alt"])
    >>> suppress_counts(t, total_row="I alt").to_dict("list")
    {'2019H1': ['<5', 'X', 40, 55], '2019H2': [0, 8, 41, 49]}
    >>> suppress_counts(t).to_dict("list")
    {'2019H1': ['<5', 12, 40, 55], '2019H2': [0, 8, 41, 49]}

    Two cells of 1 under a shown total would give each other away (1 + 1 = 2),
    so a third cell is hidden:

    >>> suppress_counts(pd.DataFrame({"n": [1, 1, 30, 40, 72]}), total_row=4)["n"].tolist()
    ['<5', '<5', 'X', 40, 72]
    """
    primary, secondary = suppression_masks(table, threshold, total_row, total_col, additive)
    return _shown(table, primary, secondary, threshold)


def is_hidden(value) -> bool:
    """True for a suppressed display cell (``'<5'``-style or ``'X'``).

    >>> is_hidden("<5"), is_hidden("X"), is_hidden(7)
    (True, True, False)
    """
    return isinstance(value, str) and (value == SECONDARY_MARKER or (value.startswith("<") and value[1:].isdigit()))


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


def methods_note(threshold: int = 5, shares: bool = False, unit: str = "personer") -> str:
    """The disclosure-control paragraph of a report's methods note (Markdown, Danish).

    ``unit`` is what the counts count (``"personer"``, ``"forløb"``); ``shares``
    adds the rule for shares.

    >>> print(methods_note(5))  # doctest: +ELLIPSIS
    **Fortrolighed.** Antal fra 1 til 4 personer vises som &lt;5. ...
    """
    text = (
        f"**Fortrolighed.** Antal fra 1 til {threshold - 1} {unit} vises som &lt;{threshold}. "
        "Hvor et skjult tal ellers kunne regnes ud fra en total, også en total i en anden tabel i "
        "rapporten, er endnu et tal skjult og vist som X. 0 vises, fordi det ikke siger noget om "
        "nogen bestemt borger. "
    )
    if shares:
        text += (
            f"En andel vises ikke (–), når den bygger på under {threshold} personer eller forløb, "
            f"eller når den ville afsløre, at 1 til {threshold - 1} opnåede (eller ikke opnåede) resultatet. "
        )
    return text + "Rapporten indeholder ingen CPR-numre eller navne."
