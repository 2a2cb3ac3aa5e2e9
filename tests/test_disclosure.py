"""Disclosure control across tables: tricky tables, linked tables, shares, and an independent audit.

The audit here is written separately from :mod:`analyse.suppression` (its own
linear programs over the *displayed* tables), so a bug in the module's audit is
not repeated in the check.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analyse import rusmiddel_report
from analyse.suppression import (
    CountTable,
    DisclosureWarning,
    Relation,
    is_hidden,
    same_row,
    share_hidden,
    suppress_counts,
    suppress_tables,
)

T = 5


def feasible_range(shown: pd.DataFrame, row_sums: bool, col_sums: bool, total="I alt") -> dict:
    """What a reader can work out about each ``<5`` cell from the displayed table alone.

    Unknowns: every hidden cell; ``<5`` is 1..4, ``X`` is ≥ 5 (a reader knows
    nothing between 1 and 4 is ever shown, and zeros are shown). Known: the shown
    cells and that every row/column adds up to its total.
    """
    cells = [(r, c) for r in shown.index for c in shown.columns if is_hidden(shown.at[r, c])]
    pos = {cell: i for i, cell in enumerate(cells)}
    bounds = [(1, T - 1) if shown.at[r, c] == "<5" else (T, None) for r, c in cells]
    lines = []  # (parts, total): sum(parts) - total = 0
    if col_sums:
        lines += [([(r, c) for r in shown.index if r != total], (total, c)) for c in shown.columns]
    if row_sums:
        lines += [([(r, c) for c in shown.columns if c != total], (r, total)) for r in shown.index]
    a_eq, b_eq = [], []
    for parts, margin in lines:
        row, rhs = np.zeros(len(cells)), 0.0
        for cell, sign in [*((p, 1) for p in parts), (margin, -1)]:
            if cell in pos:
                row[pos[cell]] += sign
            else:
                rhs -= sign * float(shown.at[cell])
        if row.any():
            a_eq.append(row), b_eq.append(rhs)
    ranges = {}
    for cell in cells:
        if shown.at[cell] != "<5":
            continue
        c = np.zeros(len(cells))
        c[pos[cell]] = 1
        kwargs = dict(A_eq=np.array(a_eq) if a_eq else None, b_eq=np.array(b_eq) if b_eq else None,
                      bounds=bounds, method="highs")
        lo, hi = linprog(c, **kwargs), linprog(-c, **kwargs)
        assert lo.status == 0, "the published table must be consistent"
        ranges[cell] = (lo.fun, -hi.fun if hi.status == 0 else math.inf)
    return ranges


def assert_safe(table: pd.DataFrame, shown: pd.DataFrame, row_sums: bool, col_sums: bool):
    values = table.to_numpy(dtype=float)
    cells = shown.to_numpy()
    # No shown cell is a count from 1 to 4; every hidden cell is non-zero.
    for v, s in zip(values.ravel(), cells.ravel()):
        if is_hidden(s):
            assert v >= 1
            assert (s == "<5") == (1 <= v < T)
        else:
            assert not (1 <= v < T) and s == v
    # Every line with a total hides 0 or ≥ 2 cells (else the one is total minus the rest).
    hidden = shown.map(is_hidden)
    if col_sums:
        assert all(n != 1 for n in hidden.sum(axis=0))
    if row_sums:
        assert all(n != 1 for n in hidden.sum(axis=1))
    # No <5 cell can be worked out exactly from what is shown, unless nothing was left to hide:
    # every other cell of its lines is hidden or zero (then DisclosureWarning said so).
    pinned = []
    for cell, (lo, hi) in feasible_range(shown, row_sums, col_sums).items():
        if math.floor(hi + 1e-7) - math.ceil(lo - 1e-7) < 1:
            r, c = cell
            line_cells = ([shown.loc[r, x] for x in shown.columns] if row_sums else []) + \
                         ([shown.loc[x, c] for x in shown.index] if col_sums else [])
            assert all(is_hidden(v) or v == 0 for v in line_cells), (cell, lo, hi)
            pinned.append(cell)
    return pinned


# --- tricky tables ------------------------------------------------------------------------------


def test_one_small_cell_in_a_row_with_a_total_column():
    table = pd.DataFrame({"2019H1": [3, 20], "2019H2": [9, 25], "I alt": [12, 45]}, index=["A", "B"])
    shown = suppress_counts(table, total_col="I alt")
    assert shown.loc["A"].tolist() == ["<5", "X", 12]
    assert shown.loc["B"].tolist() == [20, 25, 45]
    assert_safe(table, shown, row_sums=True, col_sums=False)


def test_two_cells_of_one_under_a_total_would_reveal_each_other():
    # 1 + 1 = 2: both would be known exactly. A third cell must go.
    table = pd.DataFrame({"n": [1, 1, 30, 40, 72]}, index=["A", "B", "C", "D", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    assert shown["n"].tolist() == ["<5", "<5", "X", 40, 72]
    assert_safe(table, shown, row_sums=False, col_sums=True)


def test_two_fours_under_a_total_are_protected_too():
    table = pd.DataFrame({"n": [4, 4, 6, 40, 54]}, index=["A", "B", "C", "D", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    # 4 + 4 + X(6) = 14: each <5 cell could be 1..4 only if X may be 6..12 — the audit is satisfied.
    assert shown["n"].tolist()[:3] == ["<5", "<5", "X"]
    assert_safe(table, shown, row_sums=False, col_sums=True)


def test_a_secondary_cell_of_exactly_five_can_pin_the_small_cell():
    # <5 + X = 6 with X ≥ 5 gives the small cell away as 1: another cell must go.
    table = pd.DataFrame({"n": [1, 5, 30, 36]}, index=["A", "B", "C", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    assert shown["n"].tolist() == ["<5", "X", "X", 36]
    assert_safe(table, shown, row_sums=False, col_sums=True)


def test_a_small_total_is_hidden_and_protected():
    table = pd.DataFrame({"x": [3, 20, 23], "y": [0, 30, 30], "I alt": [3, 50, 53]}, index=["A", "B", "I alt"])
    shown = suppress_counts(table, total_row="I alt", total_col="I alt")
    assert shown.loc["A", "x"] == "<5" and shown.loc["A", "I alt"] == "<5"
    assert_safe(table, shown, row_sums=True, col_sums=True)


def test_zero_cells_are_shown_and_never_hidden_as_secondary():
    table = pd.DataFrame({"n": [3, 0, 0, 9, 12]}, index=["A", "B", "C", "D", "I alt"])
    shown = suppress_counts(table, total_row="I alt")
    assert shown["n"].tolist() == ["<5", 0, 0, "X", 12]


def test_a_total_of_distinct_persons_is_audited_as_an_inequality():
    # 12 + 13 persons by type but 20 distinct: the total is not the sum. As an equation the
    # audit would be infeasible; as the inequalities it is, the small cell still gets a partner.
    table = pd.DataFrame({"H1": [3, 12, 13, 20]}, index=["§ 85", "§ 107", "§ 108", "I alt (unikke personer)"])
    shown = suppress_counts(table, total_row="I alt (unikke personer)", additive=False)
    assert shown["H1"].tolist() == ["<5", "X", 13, 20]


def test_the_same_figure_in_two_tables_is_hidden_in_both():
    # Tabel 4 hides tilbud B (12) to protect A; Tabel 9 shows B's contacts too: they must go there as well.
    t4 = pd.DataFrame({"2019H1": [3, 12, 40, 55]}, index=["A", "B", "C", "I alt"])
    t9 = pd.DataFrame({"Kontakter": [12, 40]}, index=["B, 2019H1", "C, 2019H1"])
    links = [(("t4", "B", "2019H1"), ("t9", "B, 2019H1", "Kontakter")),
             (("t4", "C", "2019H1"), ("t9", "C, 2019H1", "Kontakter"))]
    shown = suppress_tables({"t4": CountTable(t4, total_row="I alt"), "t9": t9}, links=links)
    assert shown["t4"]["2019H1"].tolist() == ["<5", "X", 40, 55]
    assert shown["t9"]["Kontakter"].tolist() == ["X", 40]


def test_a_total_shown_elsewhere_is_hidden_everywhere_when_it_must_go():
    # Tabel 3's 'Kontakter' is Tabel 4's 'I alt'. With 1 + 5 under a total of 6, the only
    # protection left is to hide the total — then Tabel 3 must not show it either.
    t4 = pd.DataFrame({"H1": [1, 5, 6]}, index=["A", "B", "I alt"])
    t3 = pd.DataFrame({"H1": [6, 5]}, index=["Kontakter", "Unikke borgere"])
    shown = suppress_tables({"t3": t3, "t4": CountTable(t4, total_row="I alt")},
                            links=same_row("t3", "Kontakter", "t4", "I alt", ["H1"]))
    assert shown["t4"]["H1"].tolist() == ["<5", "X", "X"]
    assert shown["t3"].loc["Kontakter", "H1"] == "X"


def test_parts_of_a_cell_in_another_table_are_a_relation():
    # Tabel 5 breaks 'Uoplyst tilbud' of Tabel 4 down by name; when Uoplyst is the secondary
    # cell, Tabel 5 would give it back (here the names add up to it exactly).
    t4 = pd.DataFrame({"H1": [2, 8, 30, 40]}, index=["A", "Uoplyst tilbud", "C", "I alt"])
    t5 = pd.DataFrame({"H1": [8]}, index=["Yoga"])
    shown = suppress_tables(
        {"t4": CountTable(t4, total_row="I alt"), "t5": t5},
        relations=[Relation((("t5", "Yoga", "H1"),), ("t4", "Uoplyst tilbud", "H1"), "eq")],
    )
    assert shown["t4"]["H1"].tolist() == ["<5", "X", 30, 40]
    assert shown["t5"]["H1"].tolist() == ["X"]


def test_links_between_different_figures_are_refused():
    with pytest.raises(ValueError, match="forskellige værdier"):
        suppress_tables({"a": pd.DataFrame({"n": [3]}), "b": pd.DataFrame({"n": [4]})},
                        links=[(("a", 0, "n"), ("b", 0, "n"))])
    with pytest.raises(ValueError, match="holder ikke"):
        suppress_tables({"a": pd.DataFrame({"n": [3, 9]})}, relations=[Relation((("a", 0, "n"),), ("a", 1, "n"))])


# --- shares -------------------------------------------------------------------------------------


@pytest.mark.parametrize("successes,n,hidden", [
    (20, 40, False), (0, 40, False), (40, 40, False),
    (3, 40, True), (37, 40, True), (2, 4, True), (4, 4, True), (0, 0, True), (5, 9, True), (5, 10, False),
])
def test_share_rule(successes, n, hidden):
    assert share_hidden(successes, n) is hidden


def _outcomes(rows):
    frame = pd.DataFrame(rows, columns=["period", "group", "n", "successes", "national_successes"])
    frame["share"] = frame["successes"] / frame["n"]
    frame["national_share"] = frame["national_successes"] / frame["n"]
    for prefix in ("", "national_"):
        frame[f"{prefix}ci_low"], frame[f"{prefix}ci_high"] = 0.1, 0.9
    return frame


def test_a_year_does_not_give_back_a_hidden_half_year():
    # 2019H1 has 3 episodes: hidden. 2019 (43) minus 2019H2 (40) would give it back.
    half = _outcomes([("2019H1", "Stof", 3, 1, 2), ("2019H2", "Stof", 40, 20, 30)])
    year = _outcomes([("2019", "Stof", 43, 21, 32)])
    half_p, year_p = rusmiddel_report.protect_outcomes([half, year])
    assert half_p["n_shown"].tolist()[0] == "<5"
    assert "X" in [half_p["n_shown"].tolist()[1], year_p["n_shown"].tolist()[0]]
    assert half_p["share_hidden"].tolist()[0]
    assert half_p["share_hidden"].tolist()[1] or year_p["share_hidden"].tolist()[0]
    table = rusmiddel_report.share_display_table(half_p, "Stof")
    assert table.iloc[0].tolist()[0] == "<5" and table.iloc[0].tolist()[1] == "–"


def test_chart_and_table_hide_the_same_shares():
    # n ≥ 5 but only 3 successes: the table hides the share, so the chart must not draw it.
    rows = _outcomes([("2019H1", "Stof", 40, 3, 20), ("2019H2", "Stof", 40, 20, 20)])
    table = rusmiddel_report.share_display_table(rows, "Stof")
    assert table.iloc[0, 1] == "–"
    fig = rusmiddel_report.shares_chart(rows, "Stof", title="t", source="s", period="p")
    drawn = fig.axes[0].lines[0].get_xdata()
    assert list(drawn) == [1]
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_conclusion_does_not_state_a_share_the_table_hides():
    episodes = pd.DataFrame({
        "rusmiddel": ["Stof"] * 50,
        "end_date": pd.to_datetime(["2018-01-10"] * 20 + ["2020-06-01"] * 30),
        "afslutningsstatus": ["Ophørt"] * 3 + ["Uændret"] * 17 + ["Ophørt"] * 15 + ["Uændret"] * 15,
    })
    text = rusmiddel_report.conclusion(episodes, "Stof", ("2017-12-01", "2018-05-31"), ("2020-01-01", "2021-12-31"))
    assert "kan ikke vises" in text and "%" not in text


# --- properties ---------------------------------------------------------------------------------


@st.composite
def count_tables(draw):
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    cells = draw(st.lists(st.lists(st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 9, 30]),
                                   min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    table = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)], columns=[f"c{j}" for j in range(n_cols)])
    shape = draw(st.sampled_from(["row", "col", "both"]))
    if shape in ("col", "both"):
        table.loc["I alt"] = table.sum(axis=0)
    if shape in ("row", "both"):
        table["I alt"] = table.sum(axis=1)
    return table, shape


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_property_random_tables_are_safe(drawn):
    """For random tables: no shown 1-4, no line with a total hiding exactly one cell, nothing pinned."""
    table, shape = drawn
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shown = suppress_counts(table, total_row="I alt" if shape in ("col", "both") else None,
                                total_col="I alt" if shape in ("row", "both") else None)
    pinned = assert_safe(table, shown, row_sums=shape in ("row", "both"), col_sums=shape in ("col", "both"))
    warned = any(issubclass(w.category, DisclosureWarning) for w in caught)
    assert warned == bool(pinned)


def test_a_line_of_ones_with_a_small_total_cannot_be_protected_and_says_so():
    # 1 + 1 + 1 + 1 = 4 (<5): every cell is hidden, yet each must be 1 (zeros are shown).
    table = pd.DataFrame({"a": [1], "b": [1], "c": [1], "d": [1], "I alt": [4]})
    with pytest.warns(DisclosureWarning, match="slå kategorier"):
        shown = suppress_counts(table, total_col="I alt")
    assert shown.loc[0].tolist() == ["<5"] * 5


def _report_02_one_half_year(nada: int, kreativ: int, contacts: int, citizens: int) -> dict:
    """Report 02's shown tables for one half-year with two tilbud (contacts) and their visits."""
    from analyse import fremmoede

    rows = [
        ("kontakter_pr_tilbud", "NADA", "2019H1", nada), ("kontakter_pr_tilbud", "Kreativ", "2019H1", kreativ),
        ("kontakter_psykiatriens_hus", "I alt", "2019H1", contacts),
        ("unikke_borgere_psykiatriens_hus", "I alt", "2019H1", citizens),
        ("besoeg_pr_tilbud", "NADA", "2019H1", 30), ("besoeg_pr_tilbud", "Kreativ", "2019H1", 50),
    ]
    indicators = pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])
    visits = pd.DataFrame(columns=["date", "tilbud", "tilbud_kendt", "pseudonym", "anonymous", "antal"])
    out = fremmoede.report_tables(indicators, visits, ["2019H1"], known=["NADA", "Kreativ", "Uoplyst tilbud"])
    return {name: table["2019H1"] for name, table in out["shown"].items() if name in ("tabel3", "tabel4")}


def test_report_02_tables_are_suppressed_together():
    """Tabel 4 must hide its total; Tabel 3 shows the same figure, so it must hide it too."""
    shown = _report_02_one_half_year(nada=1, kreativ=5, contacts=6, citizens=6)
    assert shown["tabel4"].tolist() == ["<5", "X", 0, "X"]
    # (Unikke borgere is hidden too: with Kreativ at most the house's 6 citizens, Kontakter = 6
    # would pin NADA to 1, and the audit takes the smallest candidate.)
    assert shown["tabel3"].loc["Kontakter"] == "X"


def test_report_02_knows_that_no_tilbud_has_more_citizens_than_the_house():
    """4 + 4 contacts, 8 citizens: shown, the 8 tells that I alt is at least 8, so both <5 are 4.

    Only the relation 'each tilbud's citizens <= the house's' lets the audit hide the 8 (it is in
    no other relation with the small cells); without it the line could not be protected at all.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", DisclosureWarning)
        shown = _report_02_one_half_year(nada=4, kreativ=4, contacts=8, citizens=8)
    assert shown["tabel4"].tolist() == ["<5", "<5", 0, "X"]
    assert shown["tabel3"].loc["Kontakter"] == "X" and shown["tabel3"].loc["Unikke borgere"] == "X"


def test_a_distinct_person_total_that_happens_to_add_up_is_audited_as_a_sum():
    # 1 + 1 + 5 = 7 distinct persons: nobody has two types, and a reader who assumes so is right.
    t2 = pd.DataFrame({"H1": [1, 1, 5, 7]}, index=["§ 107", "§ 85 døgn", "§ 85 time", "I alt (unikke personer)"])
    t1 = pd.DataFrame({"H1": [7]}, index=["I alt"])
    shown = suppress_tables(
        {"t1": t1, "t2": CountTable(t2, total_row="I alt (unikke personer)", additive=False)},
        links=same_row("t1", "I alt", "t2", "I alt (unikke personer)", ["H1"]),
    )
    assert shown["t2"]["H1"].tolist() == ["<5", "<5", "X", "X"]
    assert shown["t1"]["H1"].tolist() == ["X"]


def test_an_unpublished_figure_is_protected_but_never_shown():
    # 12 contacts of 10 persons: 2 extra contacts, so 1-2 persons used two tilbud. The report does
    # not show the 2, but a reader subtracts: one of the two shown figures must go.
    t3 = pd.DataFrame({"H1": [12, 10]}, index=["Kontakter", "Unikke borgere"])
    extra = pd.DataFrame({"H1": [2]}, index=["Flere tilbud"])
    shown = suppress_tables(
        {"t3": t3, "extra": CountTable(extra, published=False)},
        relations=[Relation((("t3", "Unikke borgere", "H1"), ("extra", "Flere tilbud", "H1")),
                            ("t3", "Kontakter", "H1"))],
    )
    assert list(shown) == ["t3"]
    assert shown["t3"]["H1"].tolist() == [12, "X"]


def test_an_unpublished_figure_that_is_not_small_is_unknown_to_the_reader_not_known():
    # Tabel 4 must hide its total (1 + 5 = 6), so Kontakter goes too. The unpublished difference
    # (0 here) does not give Kontakter back from Unikke borgere: nothing more is hidden, no warning.
    t4 = pd.DataFrame({"H1": [1, 5, 6]}, index=["A", "B", "I alt"])
    t3 = pd.DataFrame({"H1": [6, 6]}, index=["Kontakter", "Unikke borgere"])
    extra = pd.DataFrame({"H1": [0]}, index=["Flere tilbud"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", DisclosureWarning)
        shown = suppress_tables(
            {"t3": t3, "t4": CountTable(t4, total_row="I alt"), "extra": CountTable(extra, published=False)},
            links=same_row("t3", "Kontakter", "t4", "I alt", ["H1"]),
            relations=[Relation((("t3", "Unikke borgere", "H1"), ("extra", "Flere tilbud", "H1")),
                                ("t3", "Kontakter", "H1"))],
        )
    assert shown["t4"]["H1"].tolist() == ["<5", "X", "X"]
    assert shown["t3"]["H1"].tolist() == ["X", 6]


def test_a_hidden_figure_that_still_pins_the_unpublished_one_cascades():
    # 6 contacts of 5 persons: hiding the 5 is not enough (X is at least 5, so it is 5 and the
    # difference 1), so Kontakter goes as well, and with it Tabel 4's total and then a tilbud.
    t4 = pd.DataFrame({"H1": [6, 0, 6]}, index=["A", "B", "I alt"])
    t3 = pd.DataFrame({"H1": [6, 5]}, index=["Kontakter", "Unikke borgere"])
    extra = pd.DataFrame({"H1": [1]}, index=["Flere tilbud"])
    shown = suppress_tables(
        {"t3": t3, "t4": CountTable(t4, total_row="I alt"), "extra": CountTable(extra, published=False)},
        links=same_row("t3", "Kontakter", "t4", "I alt", ["H1"]),
        relations=[Relation((("t3", "Unikke borgere", "H1"), ("extra", "Flere tilbud", "H1")),
                            ("t3", "Kontakter", "H1"))],
    )
    assert shown["t3"]["H1"].tolist() == ["X", "X"]
    assert shown["t4"]["H1"].tolist() == ["X", 0, "X"]


def overlap_indicators() -> pd.DataFrame:
    """Two tilbud over three half-years; contacts − unique citizens is 2, 0 and 7."""
    rows = []
    for period, nada, kreativ, unique in (("2018H2", 20, 30, 48), ("2019H1", 25, 15, 40), ("2019H2", 30, 27, 50)):
        rows += [("kontakter_pr_tilbud", "NADA", period, nada), ("kontakter_pr_tilbud", "Kreativ", period, kreativ),
                 ("kontakter_psykiatriens_hus", "I alt", period, nada + kreativ),
                 ("unikke_borgere_psykiatriens_hus", "I alt", period, unique),
                 ("besoeg_pr_tilbud", "NADA", period, 10 * nada), ("besoeg_pr_tilbud", "Kreativ", period, 10 * kreativ)]
    return pd.DataFrame(rows, columns=["indicator", "group", "period", "value"])


OVERLAP_PERIODS = ["2018H2", "2019H1", "2019H2"]


def test_report_02_does_not_let_a_reader_subtract_1_to_4_persons_in_several_tilbud():
    """50 contacts of 48 citizens in 2018H2: 1-2 persons used both tilbud. A figure must go."""
    from analyse import fremmoede

    visits = pd.DataFrame(columns=["date", "tilbud", "tilbud_kendt", "pseudonym", "anonymous", "antal"])
    out = fremmoede.report_tables(overlap_indicators(), visits, OVERLAP_PERIODS,
                                  known=["NADA", "Kreativ", "Uoplyst tilbud"])
    t3, t4 = out["shown"]["tabel3"], out["shown"]["tabel4"]
    contacts, unique = t3.at["Kontakter", "2018H2"], t3.at["Unikke borgere", "2018H2"]
    # Contacts are known to a reader if Tabel 3 or Tabel 4 shows them, or Tabel 4's tilbud add up to them.
    tilbud = t4.loc[["NADA", "Kreativ", "Uoplyst tilbud"], "2018H2"]
    contacts_known = not is_hidden(contacts) or not any(map(is_hidden, tilbud))
    assert not (contacts_known and not is_hidden(unique))
    assert t4.at["I alt", "2018H2"] == contacts  # the same figure, hidden or not, in both tables

    # Where the difference is 0 or 7, nothing changes: every cell is shown as counted.
    for name in ("tabel3", "tabel4", "tabel6"):
        raw, shown = out["raw"][name], out["shown"][name]
        for period in ("2019H1", "2019H2"):
            assert shown[period].tolist() == raw[period].tolist(), (name, period)
    assert set(out["shown"]) == {"tabel3", "tabel4", "tabel5", "tabel6", "tabel9"}  # the difference is not shown


def test_report_00_hides_the_psykiatriens_hus_figures_report_02_hides():
    from analyse import fremmoede, summary

    indicators = overlap_indicators()
    visits = pd.DataFrame(columns=["date", "tilbud", "tilbud_kendt", "pseudonym", "anonymous", "antal"])
    shown_02 = fremmoede.report_tables(indicators, visits, OVERLAP_PERIODS)["shown"]["tabel3"]
    figures = summary.key_figures(indicators, None, "2018H2", "2019H2", 5)
    by_key = {f.key: f for f in figures}
    rows = {"kontakter_psykiatriens_hus": "Kontakter", "borgere_psykiatriens_hus": "Unikke borgere"}
    for key, row in rows.items():
        assert list(by_key[key].published) == shown_02.loc[row].tolist()
    hidden = [key for key, row in rows.items() if is_hidden(shown_02.at[row, "2018H2"])]
    assert hidden  # else 50 − 48 = 2 could be read off report 00

    # Table (first half-year is 2018H2), chart and sentence show the marker, not the count.
    table = summary.key_figures_table(figures, 5)
    chart = summary.figure_table(figures, list(rows))
    raw = {"kontakter_psykiatriens_hus": 50, "borgere_psykiatriens_hus": 48}
    for key in hidden:
        figure = by_key[key]
        first = table.at[figure.label, "Første halvår"]
        assert first.startswith("X (") and str(raw[key]) not in first
        assert chart.at[figure.label, "2018H2"] == "X"
        assert str(raw[key]) not in figure.sentence
    # The half-years with a difference of 0 or 7 are shown as counted.
    assert chart.loc["Kontakter i Psykiatriens Hus", ["2019H1", "2019H2"]].tolist() == [40, 57]
    assert chart.loc["Unikke borgere i Psykiatriens Hus", ["2019H1", "2019H2"]].tolist() == [40, 50]
