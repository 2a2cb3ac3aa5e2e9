"""Presenting the drug and alcohol treatment outcomes (notebook 03): goals, tables, chart, text.

The definitions live in :mod:`analyse.rusmiddel` and the statistics in
:mod:`analyse.stats`; this module puts them in the form a report shows: the
published baseline and targets (from ``published_figures.csv``), a table per
substance with small cells suppressed, a chart with the baseline and target
drawn in, and the Danish conclusions.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analyse.formatting import format_date, format_half_year, format_number, format_percent
from analyse.published import load_published
from analyse.rusmiddel import SUBSTANCES, outcome_table, period_bounds
from analyse.suppression import Relation, primary_marker, share_hidden, shown_count, suppress_tables

# Rows of published_figures.csv (source 004: the agreement with the city council,
# source 000: the 2023 strategy) that describe the treatment outcomes.
_LOCAL_GOAL = {
    "Alkohol": "Alkohol: reduktion eller afholdenhed efter endt behandling",
    "Stof": "Stof: reduktion eller afholdenhed efter endt behandling",
}
_NATIONAL_GOAL = {
    "Alkohol": "Alkoholbehandling afsluttet alkoholfri/reduceret/relevant henvist",
    "Stof": "Stofbehandling afsluttet stoffri/reduceret/stabiliseret",
}
_INTAKE = {"Alkohol": "Alkoholbehandling", "Stof": "Stofmisbrugsbehandling"}

_MONTHS = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")


def published_goals() -> pd.DataFrame:
    """Baseline, target and later published figures per substance, from ``published_figures.csv``.

    Columns: ``baseline`` and ``baseline_n`` (Dec 2017 – May 2018), ``target``
    (2020), ``national_baseline``/``national_target`` (the national goals,
    measured nationally and not directly comparable), ``share_2020_2021`` (the
    2023 strategy) and ``intake_2022`` (episodes started in 2022).

    >>> goals = published_goals()
    >>> goals[["baseline", "baseline_n", "target", "share_2020_2021", "intake_2022"]].to_dict("index")
    {'Alkohol': {'baseline': 0.47, 'baseline_n': 106, 'target': 0.5, 'share_2020_2021': 0.71, 'intake_2022': 243}, 'Stof': {'baseline': 0.57, 'baseline_n': 98, 'target': 0.6, 'share_2020_2021': 0.53, 'intake_2022': 363}}
    """
    figures = load_published()

    def value(source: str, indicator: str, group: str) -> pd.Series:
        rows = figures[(figures["source"] == source) & (figures["indicator"] == indicator)
                       & (figures["group"] == group)]
        if len(rows) != 1:
            raise LookupError(f"published_figures.csv: fandt {len(rows)} rækker for {source}/{indicator}/{group}")
        return rows.iloc[0]

    records = {}
    for group in SUBSTANCES:
        baseline = value("004", "baseline", _LOCAL_GOAL[group])
        n = re.search(r"N\s*=\s*(\d+)", baseline["note"])
        records[group] = {
            "baseline": float(baseline["value"]),
            "baseline_n": int(n.group(1)) if n else None,
            "target": float(value("004", "maalsaetning", _LOCAL_GOAL[group])["value"]),
            "national_baseline": float(value("004", "baseline", _NATIONAL_GOAL[group])["value"]),
            "national_target": float(value("004", "maalsaetning", _NATIONAL_GOAL[group])["value"]),
            "share_2020_2021": float(value("000", "andel_reduktion_eller_ophoer", group)["value"]),
            "intake_2022": int(value("000", "antal", _INTAKE[group])["value"]),
        }
    table = pd.DataFrame.from_dict(records, orient="index")
    table["baseline_n"] = table["baseline_n"].astype("int64")
    table["intake_2022"] = table["intake_2022"].astype("int64")
    return table


def period_label(period) -> str:
    """A period as the report writes it.

    >>> [period_label(p) for p in ["2018H1", "2018", "2020-2021", ("2017-12-01", "2018-05-31")]]
    ['1. halvår 2018', '2018', '2020–2021', 'dec. 2017–maj 2018']
    >>> period_label(("2020-01-01", "2021-12-31"))
    '2020–2021'
    >>> period_label(("2018-01-15", "2018-02-20"))
    '15. januar 2018 – 20. februar 2018'
    """
    if isinstance(period, tuple):
        start, end = period_bounds(period)
        whole_months = start.day == 1 and (end + pd.Timedelta(days=1)).day == 1
        if whole_months and start.month == 1 and end.month == 12:
            return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"
        if whole_months:
            return f"{_MONTHS[start.month - 1]} {start.year}–{_MONTHS[end.month - 1]} {end.year}"
        return f"{format_date(start)} – {format_date(end)}"
    text = str(period)
    if re.fullmatch(r"\d{4}\s*[-–]\s*\d{4}", text):
        return re.sub(r"\s*[-–]\s*", "–", text)
    if re.fullmatch(r"\d{4}", text):
        return text
    return format_half_year(text)


def _interval_text(low: float, high: float) -> str:
    return f"{format_number(low * 100)}–{format_number(high * 100)} %"


_DISCLOSURE_COLUMNS = ("n_shown", "share_hidden", "national_hidden")

# Report 03's default baseline and comparison periods (its parameters cell holds the same;
# a test says so). The summary report 00 protects its shares as 03 does with them.
DEFAULT_BASELINE = ("2017-12-01", "2018-05-31")
DEFAULT_COMPARISON = ("2020-01-01", "2021-12-31")


def _report_03_tables(episodes: pd.DataFrame) -> list[pd.DataFrame]:
    """The outcome tables report 03 shows with its default periods: baseline and comparison
    period, years, half-years (as in its notebook, which protects them in one call)."""
    from analyse.rusmiddel import episode_periods

    half_years, years = episode_periods(episodes)
    return [outcome_table(episodes, [DEFAULT_BASELINE, DEFAULT_COMPARISON]), outcome_table(episodes, years),
            outcome_table(episodes, half_years)]


def protected_half_years(episodes: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """The half-year outcome table as report 03 publishes it (with its default periods).

    So that report 00, showing the same half-years' shares and episode counts, hides what 03
    hides: a count shown in one and hidden in the other could be worked out from a year's total.
    """
    return protect_outcomes(_report_03_tables(episodes), threshold)[2]


def protected_periods(episodes: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """Every outcome cell report 03 publishes (with its default periods), as :func:`protect_outcomes`
    decides it: baseline and comparison period, years and half-years in one table.

    Reports 04 and 00 show the same figures as goal values (:func:`goal_cells`, :func:`window_hidden`).
    Empty where no episode has ended (report 03 has no periods then).
    """
    if episodes["end_date"].dropna().empty:
        return pd.DataFrame(columns=["period", "group", "n", *_DISCLOSURE_COLUMNS])
    return pd.concat(protect_outcomes(_report_03_tables(episodes), threshold), ignore_index=True)


# Goal indicators (analyse.goals) that are figures report 03 publishes per period, and the
# column of protect_outcomes saying that 03 hides the figure (n_hidden: the episodes).
GOAL_INDICATORS = {
    "andel_reduktion_eller_ophoer": "share_hidden",
    "andel_national_maal": "national_hidden",
    "antal_afsluttede_forloeb": "n_hidden",
}


def goal_cells(protected: pd.DataFrame, indicator: str, group: str) -> list[tuple]:
    """Report 03's cells for the figure a goal shows: ``(period, hidden, hides_any)`` per period.

    ``protected`` is :func:`protected_periods`. ``hidden``: 03 hides this figure for the period
    (the share, or for a count goal the number of episodes); ``hides_any``: 03 hides some count
    of the period (either measure). A period without episodes hides nothing: its share is
    missing, not suppressed. Empty for a goal that is not a figure of report 03.

    >>> p = pd.DataFrame({"period": ["2021", "2021", "2022"], "group": ["Alkohol", "Stof", "Alkohol"],
    ...                   "n": [30, 40, 0], "n_shown": [30, 40, 0], "share_hidden": [True, False, True],
    ...                   "national_hidden": [False, False, True]})
    >>> goal_cells(p, "andel_national_maal", "Alkohol")
    [('2021', False, True), ('2022', False, False)]
    >>> goal_cells(p, "antal_afsluttede_forloeb", "Stof"), goal_cells(p, "kontakter_pr_tilbud", "Stof")
    ([('2021', False, False)], [])
    """
    column = GOAL_INDICATORS.get(indicator)
    if column is None or protected.empty:
        return []
    rows = protected[protected["group"] == group]
    cells = []
    for r in rows.itertuples(index=False):
        some = r.n > 0
        n_hidden = isinstance(r.n_shown, str)
        flags = {"share_hidden": bool(r.share_hidden) and some, "national_hidden": bool(r.national_hidden) and some,
                 "n_hidden": n_hidden}
        cells.append((r.period, flags[column], any(flags.values())))
    return cells


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _is_half_year(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    return start.day == 1 and start.month in (1, 7) and end == start + pd.DateOffset(months=6) - pd.Timedelta(days=1)


def _on_half_years(start: pd.Timestamp, end: pd.Timestamp) -> bool:
    """True for a period of whole half-years (a half-year, a year, 2020–2021)."""
    after = end + pd.Timedelta(days=1)
    return start.day == 1 and start.month in (1, 7) and after.day == 1 and after.month in (1, 7)


def window_hidden(window, cells: list[tuple]) -> bool:
    """True where a goal's value for ``window`` must not be shown beside report 03's tables.

    ``window`` is the goal's period (:func:`analyse.goals.current_window`: ``'2021'``,
    ``'2021H2'`` or a pair of dates); ``cells`` are 03's cells for the same figure
    (:func:`goal_cells`). The value (and its N) is shown only where it adds nothing a reader
    could combine with 03's figures to work out a cell 03 hides:

    1. the window is a period 03 publishes: 03's decision (a share 03 hides as a secondary
       cell must not reappear here, with 2020–2021 it gives the hidden 2020 away);
    2. the window is a run of periods 03 shows (12 months from July = two half-years): it is
       their sum, which a reader has already;
    3. otherwise the window tells something 03 does not, about parts of half-years. It is
       hidden where it overlaps a half-year that a hidden cell of 03 overlaps ("touched"), or
       that the baseline period (which cuts 2017H2 and 2018H1) links to one: a window of
       Jul.–Nov. 2017 and one of June 2018 (another goal, another status date) take both
       halves off a hidden baseline. A window that touches only untouched half-years is
       shown: every half-year it overlaps is shown in 03, so what it tells about their parts
       cannot be carried over to a hidden cell (every 03 period that reaches a hidden cell
       meets untouched half-years only as whole half-years, whose totals 03 shows).

    >>> cells = [("2020H1", True, True), ("2020H2", True, True), ("2021H1", False, False),
    ...          ("2021H2", False, False), ("2020", False, False), ("2021", False, False),
    ...          ("2020-2021", False, False)]
    >>> window_hidden("2020H2", cells), window_hidden("2020", cells)  # 03's own decision
    (True, False)
    >>> window_hidden(("2021-01-01", "2021-12-31"), cells)  # the year 2021, as 12 months
    False
    >>> window_hidden(("2020-07-01", "2021-06-30"), cells)  # 2020H2 + 2021H1: minus 2021H1 is 2020H2
    True
    >>> window_hidden(("2020-10-01", "2021-09-30"), cells)  # a part of the hidden 2020H2
    True
    >>> window_hidden(("2021-04-01", "2022-03-31"), cells)  # parts of 2021's shown half-years only
    False

    A hidden half-year under the baseline period reaches the other half-year the baseline cuts:

    >>> cells = [("2017H2", True, True), ("2018H1", False, False), ("2018H2", False, False),
    ...          (("2017-12-01", "2018-05-31"), False, False)]
    >>> window_hidden(("2018-06-01", "2018-06-30"), cells)  # baseline − (2018H1 − June) = Dec. 2017
    True
    >>> window_hidden(("2018-08-01", "2019-01-31"), cells)
    False
    >>> window_hidden("2021", [])  # not a figure of report 03
    False
    """
    from analyse.rusmiddel import period_bounds

    if not cells:
        return False
    span = period_bounds(window)
    bounds = [(period, period_bounds(period), hidden, hides_any) for period, hidden, hides_any in cells]
    for _, cell, hidden, _ in bounds:
        if cell == span:
            return hidden
    if _tilings(window, [period for period, _, hidden, _ in bounds if not hidden]):
        return False
    halves = [cell for _, cell, _, _ in bounds if _is_half_year(*cell)]
    hiding = [cell for _, cell, _, hides_any in bounds if hides_any]
    touched = {h for h in halves if any(_overlap(h, cell) for cell in hiding)}
    across = [cell for _, cell, _, _ in bounds if not _on_half_years(*cell)]  # the baseline period
    grown = True
    while grown:
        grown = False
        for cell in across:
            if any(_overlap(cell, h) for h in touched):
                more = {h for h in halves if _overlap(cell, h)} - touched
                touched |= more
                grown = grown or bool(more)
    return any(_overlap(span, cell) for cell in [*touched, *hiding])


def _with_disclosure(rows: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """``rows`` with the disclosure columns of :func:`protect_outcomes`; computed row by row when absent."""
    if all(c in rows for c in _DISCLOSURE_COLUMNS):
        return rows
    out = rows.copy()
    out["n_shown"] = [shown_count(int(n), threshold) for n in out["n"]]
    out["share_hidden"] = [share_hidden(int(s), int(n), threshold) for s, n in zip(out["successes"], out["n"])]
    out["national_hidden"] = [
        share_hidden(int(s), int(n), threshold) for s, n in zip(out["national_successes"], out["n"])
    ]
    return out


def _tilings(period, others: list) -> list[list]:
    """Ways to write ``period`` as consecutive other published periods (e.g. 2020 = 2020H1 + 2020H2)."""
    start, end = period_bounds(period)
    inside = [(p, *period_bounds(p)) for p in others if p != period]
    inside = [(p, a, b) for p, a, b in inside if start <= a and b <= end and (a, b) != (start, end)]
    found: list[list] = []

    def extend(at, chain):
        if len(found) >= 32:
            return
        if at == end + pd.Timedelta(days=1):
            found.append(chain)
            return
        for p, a, b in inside:
            if a == at:
                extend(b + pd.Timedelta(days=1), [*chain, p])

    extend(start, [])
    return found


def protect_outcomes(tables: list[pd.DataFrame], threshold: int = 5) -> list[pd.DataFrame]:
    """Disclosure control for every outcome table a report shows, decided together.

    ``tables`` are :func:`analyse.rusmiddel.outcome_table` results (any periods,
    both substances). Each period's episodes are counted as reached / not reached
    (local and national measure) with the completed episodes as their total, and
    a period that is the sum of other periods shown (a year = its two half-years,
    2020–2021 = 2020 + 2021) is declared as such, so a hidden half-year cannot be
    worked out from the year. Returns copies with ``n_shown`` (count or marker),
    ``share_hidden`` and ``national_hidden``; :func:`share_display_table` and
    :func:`shares_chart` use them.
    """
    def key(period):
        return period if isinstance(period, str) else tuple(str(x) for x in period)

    out = [t.copy() for t in tables]
    every = pd.concat(out, ignore_index=True)
    decided: dict[tuple, dict] = {}
    for group, rows in every.groupby("group", sort=False):
        periods = list(dict.fromkeys(key(p) for p in rows["period"]))
        first = rows.assign(_key=[key(p) for p in rows["period"]]).drop_duplicates("_key").set_index("_key")
        counts = pd.DataFrame({
            "s": first["successes"].astype(int), "f": (first["n"] - first["successes"]).astype(int),
            "ns": first["national_successes"].astype(int),
            "nf": (first["n"] - first["national_successes"]).astype(int), "n": first["n"].astype(int),
        }).loc[periods]
        counts.index = range(len(periods))
        position = {p: i for i, p in enumerate(periods)}
        relations = []
        for i in range(len(periods)):
            relations.append(Relation((("c", i, "s"), ("c", i, "f")), ("c", i, "n")))
            relations.append(Relation((("c", i, "ns"), ("c", i, "nf")), ("c", i, "n")))
        for p in periods:
            for tiling in _tilings(p, periods):
                for column in counts.columns:
                    relations.append(Relation(tuple(("c", position[q], column) for q in tiling),
                                              ("c", position[p], column)))
        shown = suppress_tables({"c": counts}, threshold, relations=relations)["c"]
        hidden = shown.map(lambda v: isinstance(v, str))
        for p, i in position.items():
            decided[(group, p)] = {
                "n_shown": shown.at[i, "n"],
                "share_hidden": bool(hidden.at[i, "s"] or hidden.at[i, "f"] or counts.at[i, "n"] == 0),
                "national_hidden": bool(hidden.at[i, "ns"] or hidden.at[i, "nf"] or counts.at[i, "n"] == 0),
            }
    for table in out:
        for column in _DISCLOSURE_COLUMNS:
            table[column] = [decided[(g, key(p))][column] for g, p in zip(table["group"], table["period"])]
    return out


def share_display_table(outcomes: pd.DataFrame, group: str, threshold: int = 5) -> pd.DataFrame:
    """One substance's rows of :func:`analyse.rusmiddel.outcome_table` as a published table.

    A row per period; columns: completed episodes, share with reduction or
    abstinence and its 95 % interval, and the share counting the national
    goal's statuses. Disclosure control (:mod:`analyse.suppression`): a count
    from 1 to ``threshold − 1`` is shown as ``<5``; a share is not shown when
    :func:`~analyse.suppression.share_hidden` says so. When ``outcomes`` comes
    from :func:`protect_outcomes`, its decisions are used instead, so figures
    the report shows in other tables cannot undo the suppression.

    >>> t = pd.DataFrame({"period": ["2018H1", "2018H2"], "group": ["Stof", "Stof"], "n": [40, 3],
    ...                   "successes": [20, 1], "share": [0.5, 1 / 3], "ci_low": [0.35, 0.06],
    ...                   "ci_high": [0.65, 0.79], "national_successes": [38, 1],
    ...                   "national_share": [0.95, 1 / 3], "national_ci_low": [0.8, 0.1],
    ...                   "national_ci_high": [0.99, 0.8]})
    >>> share_display_table(t, "Stof").values.tolist()
    [[40, '50 %', '35–65 %', '–'], ['<5', '–', '–', '–']]
    """
    rows = _with_disclosure(outcomes[outcomes["group"] == group], threshold)

    def shown_share(hidden, share, low, high) -> tuple[str, str]:
        if hidden:
            return "–", "–"
        return format_percent(share), _interval_text(low, high)

    records = []
    for r in rows.itertuples(index=False):
        share, interval = shown_share(r.share_hidden, r.share, r.ci_low, r.ci_high)
        national, _ = shown_share(r.national_hidden, r.national_share, r.national_ci_low, r.national_ci_high)
        records.append({
            "Periode": period_label(r.period),
            "Afsluttede forløb": r.n_shown,
            "Reduktion eller ophør": share,
            "95 %-konfidensinterval": interval,
            "Andel opgjort som det nationale mål": national,
        })
    return pd.DataFrame(records).set_index("Periode")


def share_note(threshold: int = 5) -> str:
    """The note under every outcome table: definition, interval and disclosure control."""
    return (
        "Andelen er beregnet af de forløb, der er afsluttet i perioden; forløb afsluttet, fordi "
        "borgeren er flyttet eller død, tæller ikke med. Konfidensintervallet (Wilson) viser, hvor "
        "meget andelen kunne svinge alene ved tilfældigheder. "
        f"{primary_marker(threshold)}: 1-{threshold - 1} forløb. –: andelen vises ikke, fordi den "
        f"bygger på under {threshold} forløb eller ville afsløre et tal under {threshold}."
    )


def shares_chart(
    outcomes: pd.DataFrame,
    group: str,
    title: str,
    source: str,
    period: str,
    baseline: float | None = None,
    target: float | None = None,
    threshold: int = 5,
):
    """Shares per period with their 95 % intervals, the national goal's share beside them,
    and the baseline and target drawn as horizontal lines.

    Shares on fewer than ``threshold`` episodes are left out (the footer says so).
    """
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    from analyse import stats

    rows = _with_disclosure(outcomes[outcomes["group"] == group].reset_index(drop=True), threshold)
    x = np.arange(len(rows))
    labels = [period_label(p) for p in rows["period"]]
    crowded = len(labels) > 8
    # The chart shows what the tables show, no more (a share hidden there is left out here).
    shown = ~rows["share_hidden"].astype(bool) & rows["share"].notna()
    national_shown = shown & ~rows["national_hidden"].astype(bool)
    # Error bars never negative (a bound a hair past the share) and 0 where the interval is missing.
    errors = [stats.error_bar(v, lo, hi) or (0.0, 0.0)
              for v, lo, hi in zip(rows["share"], rows["ci_low"], rows["ci_high"])]
    below = pd.Series([e[0] for e in errors], index=rows.index)
    above = pd.Series([e[1] for e in errors], index=rows.index)
    with matplotlib.rc_context({"axes.formatter.use_locale": False}):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
        local = rows["share"].where(shown)
        bars = ax.errorbar(
            x[shown], local[shown] * 100,
            yerr=[below[shown] * 100, above[shown] * 100],
            fmt="o-", color="#1f5f8b", ecolor="#8fb3cc", capsize=3, label="Reduktion eller ophør (95 %-interval)",
        )
        national = rows["national_share"].where(national_shown)
        ax.plot(x[national_shown], national[national_shown] * 100, "s--", color="#8a8a8a", markersize=4,
                label="Opgjort som det nationale mål")
        if baseline is not None:
            ax.axhline(baseline * 100, color="#b5651d", linestyle=":", linewidth=1.5,
                       label=f"Baseline {format_percent(baseline)}")
        if target is not None:
            ax.axhline(target * 100, color="#2e7d32", linestyle="-.", linewidth=1.5,
                       label=f"Mål {format_percent(target)}")
        ax.set_xticks(x)
        ax.set_xticklabels(labels, rotation=40 if crowded else 0, ha="right" if crowded else "center",
                           fontsize=9)
        ax.set_ylim(0, 100)
        ax.set_ylabel("Andel af afsluttede forløb")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{format_number(v)} %"))
        ax.set_title(title, loc="left", fontweight="bold")
        ax.grid(axis="y", alpha=0.3)
        handles, names = ax.get_legend_handles_labels()
        first = handles.index(bars)  # the local share first, then the references
        order = [first] + [i for i in range(len(handles)) if i != first]
        ax.legend([handles[i] for i in order], [names[i] for i in order], frameon=False, fontsize=8,
                  loc="lower left")
        footer = f"Kilde: {source} · Periode: {period}"
        if (~shown & (rows["n"] > 0)).any():
            footer += f" · Andele på under {threshold} forløb, eller som ville afsløre et tal under {threshold}, er ikke vist."
        fig.text(0.01, 0.01, footer, fontsize=9, ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def show_shares_chart(*args, **kwargs) -> None:
    """Draw :func:`shares_chart` once in the notebook (embedded PNG) and free it."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = shares_chart(*args, **kwargs)
    display(fig)
    plt.close(fig)


SUBJECT = {
    "Alkohol": "andelen af afsluttede alkoholbehandlinger med reduktion eller ophør",
    "Stof": "andelen af afsluttede stofbehandlinger med reduktion eller ophør",
}


def trend_sentence(outcomes: pd.DataFrame, group: str) -> str:
    """The Danish sentence on the trend over the periods of ``outcomes`` (binomial GLM;
    :func:`analyse.stats.share_trend`).

    With fewer than four periods with episodes (the rule for counts too) it says so; where the shares give the model no estimate (0 % or 100 %
    throughout, outcomes that separate completely over time) it says that the development cannot
    be computed from these numbers, and why (:class:`analyse.stats.NotEstimable`).

    >>> t = pd.DataFrame({"period": ["2018H1", "2018H2"], "group": ["Stof", "Stof"],
    ...                   "successes": [20, 25], "n": [40, 41]})
    >>> trend_sentence(t, "Stof")
    'Udviklingen over tid kan ikke vurderes: der er for få perioder med afsluttede forløb.'
    """
    from analyse import stats

    rows = outcomes[outcomes["group"] == group].set_index("period")
    return stats.share_trend(rows["successes"], rows["n"], SUBJECT[group])[1]


def conclusion(
    episodes: pd.DataFrame,
    group: str,
    baseline_period,
    comparison_period,
    target: float | None = None,
    threshold: int = 5,
    protected: pd.DataFrame | None = None,
) -> str:
    """The Danish conclusion for one substance: baseline period against comparison period and target.

    ``protected`` (from :func:`protect_outcomes`) holds the report's decisions on
    which shares are hidden; without it the rule of
    :func:`~analyse.suppression.share_hidden` is applied to the two periods.
    """
    from analyse import stats  # statsmodels is slow to import; only reports need it

    table = outcome_table(episodes, [baseline_period, comparison_period])
    rows = _with_disclosure(table[table["group"] == group], threshold)
    first, second = rows.iloc[0], rows.iloc[1]
    # A share the tables hide is not given in words either (it would reveal a count under the threshold).
    if protected is not None:
        mine = _with_disclosure(protected[protected["group"] == group], threshold)
        hidden = dict(zip(mine["period"].map(str), mine["share_hidden"]))
        first_hidden = hidden.get(str(baseline_period), first["share_hidden"])
        second_hidden = hidden.get(str(comparison_period), second["share_hidden"])
    else:
        first_hidden, second_hidden = first["share_hidden"], second["share_hidden"]
    if first_hidden or second_hidden:
        where = period_label(baseline_period if first_hidden else comparison_period)
        subject = SUBJECT[group][:1].upper() + SUBJECT[group][1:]
        return (f"{subject} kan ikke vises for {where}: der er under {threshold} afsluttede forløb, "
                f"eller andelen ville afsløre et tal under {threshold}.")
    return stats.describe_share_change(
        int(first["successes"]), int(first["n"]), int(second["successes"]), int(second["n"]),
        first=period_label(baseline_period), second=period_label(comparison_period),
        what=SUBJECT[group], target=target, min_n=threshold,
    )
