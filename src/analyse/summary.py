"""The evaluation report for Socialudvalget (notebook 00): key figures, what moved, caveats.

Everything the summary says is computed here from the library's definitions
(indicators, treatment outcomes, trend models, goals) so that the summary and the
source reports (notebooks 01–04) cannot disagree. Each source is shown for the
half-years it actually covers inside the report's period: extracts end at
different times, and a source with no data in the period is said to have none
rather than failing the report. A last half-year a source's extract covers only
partly (:mod:`analyse.completeness`) is left out of its key figures and trend, with a
sentence; where ``last_period`` names it explicitly, it is shown, marked, and still
left out of the trend.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import pandas as pd

from analyse.formatting import (
    MISSING, format_half_year, format_list, format_n, format_number, format_percent, format_period_span, format_signed,
    quality_summary, visible_decimals,
)
from analyse.periods import half_year_range
from analyse.suppression import primary_marker, share_hidden, shown_count

SOURCE_LABELS = {
    "as2007": "AS2007 (visiterede ydelser)",
    "fremmoede": "Fremmøderegistreringer, Psykiatriens Hus",
    "rusmiddel": "Rusmiddelcenter Randers (behandlingsforløb)",
}
# (key, label, source, indicator, group, subject of the trend sentence)
KEY_COUNTS = (
    ("personer_visiteret_ydelse", "Unikke personer med en visiteret ydelse", "as2007",
     "unikke_personer_visiteret_ydelse", "I alt", "antallet af unikke personer med en visiteret ydelse"),
    ("personer_85_timetakst", "Personer med § 85 bostøtte (timetakst)", "as2007",
     "unikke_personer_pr_ydelsestype", "§ 85 bostøtte timetakst",
     "antallet af personer med § 85 bostøtte (timetakst)"),
    ("kontakter_psykiatriens_hus", "Kontakter i Psykiatriens Hus", "fremmoede",
     "kontakter_psykiatriens_hus", "I alt", "antallet af kontakter i Psykiatriens Hus"),
    ("borgere_psykiatriens_hus", "Unikke borgere i Psykiatriens Hus", "fremmoede",
     "unikke_borgere_psykiatriens_hus", "I alt", "antallet af unikke borgere i Psykiatriens Hus"),
)
# (key, label, rusmiddel group)
KEY_SHARES = (
    ("alkohol_reduktion_eller_ophoer", "Alkoholbehandling afsluttet med reduktion eller ophør", "Alkohol"),
    ("stof_reduktion_eller_ophoer", "Stofbehandling afsluttet med reduktion eller ophør", "Stof"),
)
TIMETAKST = "§ 85 bostøtte timetakst"
# A trend needs stats.MIN_TREND_PERIODS half-years (four; for a share, four with episodes), as in
# the source reports; with fewer, the first and last value are given (stats.count_trend), or for a
# share a sentence saying so (stats.share_trend).

UP, DOWN, FLAT, UNKNOWN = "Steget", "Faldet", "Ingen sikker udvikling", "Kan ikke vurderes"


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of a source over the half-years it covers in the report's period."""

    key: str
    label: str
    source: str
    unit: str  # "antal" or "andel"
    periods: tuple[str, ...]
    values: tuple[float, ...]
    totals: tuple[int, ...] = ()  # denominators of shares
    trend: object | None = None  # stats.TrendResult or stats.ShareTrendResult
    sentence: str = ""
    # Per half-year, the cell as the source's own report publishes it: for a count the number
    # or "<5"/"X"; for a share (episodes shown, share hidden). Empty: this report's own rule.
    published: tuple = ()
    # The last half-year when the source's data cover it only partly and it is shown anyway
    # (asked for); it is not in the trend. ``last_date``: how far the source's data go.
    partial: str | None = None
    last_date: object = None
    note: str = ""  # the sentence on an incomplete half-year left out or shown marked
    left_out: tuple = ()  # the incomplete last half-year(s) left out

    @property
    def direction(self) -> str:
        """Steget / Faldet where the trend is statistically clear, else no clear change or unknown."""
        if self.trend is None:
            return UNKNOWN
        if not self.trend.significant:
            return FLAT
        ratio = getattr(self.trend, "rate_ratio", None) or getattr(self.trend, "odds_ratio")
        return UP if ratio > 1 else DOWN

    @property
    def first(self) -> float | None:
        return self.values[0] if self.values else None

    @property
    def last(self) -> float | None:
        return self.values[-1] if self.values else None


def covered_periods(indicators: pd.DataFrame | None, indicator: str, first: str, last: str) -> list[str]:
    """The half-years from ``first`` to ``last`` that the indicator has rows for.

    >>> ind = pd.DataFrame({"indicator": ["n"] * 3, "group": ["I alt"] * 3,
    ...                     "period": ["2018H2", "2019H1", "2019"], "value": [1, 2, 3]})
    >>> covered_periods(ind, "n", "2016H1", "2022H2")
    ['2018H2', '2019H1']
    """
    if indicators is None:
        return []
    have = set(indicators.loc[indicators["indicator"] == indicator, "period"].astype(str))
    return [p for p in half_year_range(first, last) if p in have]


def unregistered_half_years(indicators: pd.DataFrame | None, periods: list[str]) -> list[str]:
    """The half-years of ``periods`` (in order) with no attendance registrations at all, no visit in any
    tilbud (``besoeg_pr_tilbud``), between half-years that have some.

    Such a half-year is missing data, not a half-year nobody came: the trend model leaves it out
    (:func:`count_figure`), so a 0 does not pass for a collapse. The indicator file keeps its rows.
    A half-year without registrations first or last in ``periods`` is left to the rule on covered
    half-years (:func:`covered_periods`).

    >>> ind = pd.DataFrame({"indicator": "besoeg_pr_tilbud", "group": ["NADA", "Yoga"] * 4,
    ...                     "period": ["2018H1", "2018H1", "2018H2", "2018H2", "2019H1", "2019H1", "2019H2", "2019H2"],
    ...                     "value": [40, 2, 0, 0, 38, 0, 0, 0]})
    >>> unregistered_half_years(ind, ["2018H1", "2018H2", "2019H1", "2019H2"])
    ['2018H2']
    """
    if indicators is None:
        return []
    rows = indicators[indicators["indicator"] == "besoeg_pr_tilbud"]
    visits = rows.groupby(rows["period"].astype(str))["value"].sum()
    known = [p for p in periods if p in visits.index]
    registered = [i for i, p in enumerate(known) if visits[p] > 0]
    if not registered:
        return []
    return [p for p in known[registered[0]:registered[-1]] if visits[p] == 0]


def _left_out_sentence(half_years: list[str]) -> str:
    """The sentence naming the half-years without registrations that the trend leaves out."""
    these = "det halvår" if len(half_years) == 1 else "de halvår"
    listed = format_list(format_half_year(p) for p in half_years)
    return (f"{listed} er ikke med i beregningen af udviklingen: der er ingen fremmøderegistreringer i noget "
            f"tilbud i {these}, så tallene mangler snarere end at være 0.")


def complete_periods(
    periods: list[str], source: str, last: str, ends: dict | None = None, keep: bool = False,
):
    """A source's covered half-years after :func:`analyse.completeness.split_periods`, and its sentence.

    ``ends`` is :func:`analyse.completeness.last_dates`; ``keep`` says that ``last_period``
    was given explicitly, so an incomplete last half-year that *is* ``last`` stays (marked).
    Returns ``(split, note)``.

    >>> import pandas as pd
    >>> split, note = complete_periods(["2019H1", "2019H2"], "fremmoede", "2022H2",
    ...                                {"fremmoede": pd.Timestamp("2019-09-02")})
    >>> split.shown, note
    (['2019H1'], 'Tallene for 2. halvår 2019 er ikke med, fordi fremmøderegistreringerne kun går til 2. september 2019.')
    >>> complete_periods(["2019H1", "2019H2"], "fremmoede", "2019H2",
    ...                  {"fremmoede": pd.Timestamp("2019-09-02")}, keep=True)[0].partial
    '2019H2'
    """
    from analyse import completeness

    end = (ends or {}).get(source)
    split = completeness.split_periods(periods, end, source, keep=keep and bool(periods) and periods[-1] == last)
    note = (completeness.kept_sentence(split.partial, end, source) if split.partial is not None
            else completeness.left_out_sentence(split.left_out, end, source))
    return split, note


def count_figure(
    indicators: pd.DataFrame | None, key: str, label: str, source: str, indicator: str, group: str,
    what: str, first: str, last: str, threshold: int = 5, visits: pd.DataFrame | None = None,
    ends: dict | None = None, keep: bool = False,
) -> KeyFigure:
    """A count indicator over the covered half-years, with its Poisson trend and sentence
    (the same as report 01's: :func:`analyse.stats.count_trend`).

    ``ends`` and ``keep``: an incomplete last half-year (:func:`complete_periods`) is left
    out, or kept marked but out of the trend.

    A figure that is a row of report 01's Tabel 2 is published as 01 publishes it
    (:func:`analyse.as2007_report.grant_tables`), in the table, the chart and the sentence;
    one that is a row of report 02's Tabel 3 as 02 publishes it
    (:func:`analyse.fremmoede.published_overview`, with the attendance ``visits``).
    """
    from analyse import stats
    from analyse.periods import period_table

    periods = covered_periods(indicators, indicator, first, last)
    if not periods:
        return KeyFigure(key, label, source, "antal", (), (),
                         sentence=f"Der er ingen tal fra {SOURCE_LABELS[source]} i perioden.")
    split, note = complete_periods(periods, source, last, ends, keep)
    periods = split.shown
    series = period_table(indicators, indicator, periods, groups=[group]).loc[group]
    published = None
    if source == "as2007":
        from analyse.as2007_report import KEY_FIGURE_ROWS, grant_tables

        if key in KEY_FIGURE_ROWS:
            published = grant_tables(indicators, periods, threshold)["vist2"].loc[KEY_FIGURE_ROWS[key]]
    elif source == "fremmoede":
        from analyse.fremmoede import KEY_FIGURE_ROWS, published_overview

        if key in KEY_FIGURE_ROWS:
            published = published_overview(indicators, visits, periods, threshold).loc[KEY_FIGURE_ROWS[key]]
    # Attendance: a half-year with no registrations at all is missing, not 0, in the trend model.
    missing = unregistered_half_years(indicators, periods) if source == "fremmoede" else []
    trend, sentence = stats.count_trend(series.drop(missing), what, threshold, shown=published, partial=split.partial)
    if missing:
        sentence += " " + _left_out_sentence(missing)
    return KeyFigure(key, label, source, "antal", tuple(periods), tuple(float(v) for v in series),
                     trend=trend, sentence=sentence,
                     published=() if published is None else tuple(published.tolist()),
                     partial=split.partial, last_date=(ends or {}).get(source), note=note,
                     left_out=tuple(split.left_out))


def share_figure(episodes: pd.DataFrame | None, key: str, label: str, group: str, first: str, last: str,
                 threshold: int = 5, ends: dict | None = None, keep: bool = False) -> KeyFigure:
    """A treatment-outcome share per half-year the episodes cover, with its logistic trend
    (an incomplete last half-year as in :func:`count_figure`)."""
    from analyse import stats
    from analyse.rusmiddel import episode_periods, outcome_table
    from analyse.rusmiddel_report import SUBJECT

    half_years = episode_periods(episodes)[0] if episodes is not None else []
    wanted = set(half_year_range(first, last))
    periods = [p for p in half_years if p in wanted]
    if not periods:
        return KeyFigure(key, label, "rusmiddel", "andel", (), (),
                         sentence=f"Der er ingen afsluttede forløb fra {SOURCE_LABELS['rusmiddel']} i perioden.")
    split, note = complete_periods(periods, "rusmiddel", last, ends, keep)
    periods = split.shown
    table = outcome_table(episodes, periods)
    rows = table[table["group"] == group].set_index("period")
    # The count rule: four half-years with episodes (a half-year with none has no share); a part of a
    # half-year is no trend.
    model = rows.drop(split.partial) if split.partial is not None else rows
    trend, sentence = stats.share_trend(model["successes"], model["n"], SUBJECT[group], "halvår")
    if split.partial is not None:
        sentence += f" Udviklingen er vurderet uden {format_half_year(split.partial)}, som data kun dækker en del af."
    # Published as report 03 publishes these half-years: per half-year the number of episodes
    # (or its marker) and whether the share is hidden.
    from analyse.rusmiddel_report import protected_half_years

    protected = protected_half_years(episodes, threshold)
    protected = protected[protected["group"] == group].set_index("period")
    published = tuple((protected.at[p, "n_shown"], bool(protected.at[p, "share_hidden"])) for p in periods)
    return KeyFigure(key, label, "rusmiddel", "andel", tuple(periods), tuple(float(v) for v in rows["share"]),
                     totals=tuple(int(n) for n in rows["n"]), trend=trend, sentence=sentence, published=published,
                     partial=split.partial, last_date=(ends or {}).get("rusmiddel"), note=note,
                     left_out=tuple(split.left_out))


def key_figures(
    indicators: pd.DataFrame | None, episodes: pd.DataFrame | None, first: str, last: str, threshold: int = 5,
    visits: pd.DataFrame | None = None, ends: dict | None = None, keep: bool = False,
) -> list[KeyFigure]:
    """Every source's key figures for the half-years from ``first`` to ``last``
    (``threshold``: the report's small-count limit, for counts the sentences give;
    ``visits``: the attendance registrations, :func:`read_visits`, which report 02 protects its tables with;
    ``ends``: how far each source's data go, :func:`analyse.completeness.last_dates`, so that a last
    half-year a source covers only partly is left out, or with ``keep`` (``last_period`` given
    explicitly) shown marked and left out of the trend)."""
    half_year_range(first, last)  # a wrong period stops the report here, with a clear message
    figures = [count_figure(indicators, key, label, source, indicator, group, what, first, last, threshold, visits,
                            ends, keep)
               for key, label, source, indicator, group, what in KEY_COUNTS]
    figures += [share_figure(episodes, key, label, group, first, last, threshold, ends, keep)
                for key, label, group in KEY_SHARES]
    return figures


def read_visits(processed_dir: str | PathLike) -> pd.DataFrame | None:
    """The clean attendance registrations of a processed folder; None where there are none
    (the report is then built without them, as without any other source)."""
    from analyse.fremmoede import SOURCE, load_visits

    folder = Path(processed_dir)
    return load_visits(folder) if (folder / f"{SOURCE}.parquet").is_file() else None


def _shown(figure: KeyFigure, i: int, threshold: int) -> str:
    """A value of a key figure for a published table (small counts and revealing shares hidden)."""
    value = figure.values[i]
    if figure.unit == "antal" and figure.published and isinstance(figure.published[i], str):
        return figure.published[i]  # hidden in the source's own report
    if figure.unit == "andel" and figure.published and figure.published[i][1]:
        return MISSING  # the source's own report hides this share
    if pd.isna(value):  # no count, or a share of no ended episodes: nothing to show
        return MISSING
    if figure.unit == "antal":
        shown = shown_count(value, threshold)  # the one rule: analyse.suppression
        return shown if isinstance(shown, str) else format_number(value)
    n = figure.totals[i]
    if not n:
        return MISSING
    hits = round(value * n)
    if share_hidden(hits, int(n), threshold):
        return MISSING
    return format_percent(value)


def _trend_text(figure: KeyFigure) -> str:
    trend = figure.trend
    if trend is None:
        return MISSING
    from analyse.stats import ratio_bound_text

    if figure.unit == "antal":
        # Per half-year, as the sentence below the table and report 01 say it ("−7 % pr. år"
        # beside "ca. 3 % pr. halvår" read as two different results).
        change = trend.rate_ratio - 1
        low, high = trend.ci_low - 1, trend.ci_high - 1
        # A bound that is not 0 keeps a decimal: "(−7 til 0)" beside "Faldet" would read as a contradiction.
        sign = lambda x: format_signed(x * 100, visible_decimals(x * 100))  # noqa: E731
        return f"{sign(change)} % pr. halvår ({sign(low)} til {sign(high)})"
    return (f"oddsratio {format_number(trend.odds_ratio, 2)} pr. {trend.unit} "
            f"({ratio_bound_text(trend.ci_low)} til {ratio_bound_text(trend.ci_high)})")


def _n_text(figure: KeyFigure, i: int, threshold: int) -> str:
    """The episodes beside a share: ", N=8", ", N<5", or nothing where the source's report hides the number."""
    if not figure.totals:
        return ""
    if figure.published:
        shown = figure.published[i][0]
        if isinstance(shown, str) and not shown.startswith("<"):
            return ""  # hidden in report 03 (not for being small): not shown here either
    return f", {format_n(figure.totals[i], threshold)}"


def _period_cell(figure: KeyFigure, i: int) -> str:
    """A half-year of a key figure as its cell names it; an incomplete one with how far the data go."""
    from analyse.completeness import short_date

    period = figure.periods[i]
    if period == figure.partial:
        return f"{format_half_year(period)}, til {short_date(figure.last_date)}"
    return format_half_year(period)


def key_figures_table(figures: list[KeyFigure], threshold: int = 5) -> pd.DataFrame:
    """The key figures as a published table: first and last half-year, trend and verdict."""
    records = []
    for f in figures:
        if f.periods:
            start, end = (
                f"{_shown(f, i, threshold)} ({_period_cell(f, i)}" + _n_text(f, i, threshold) + ")"
                for i in (0, -1)
            )
        else:
            start = end = MISSING
        records.append({
            "Nøgletal": f.label,
            "Kilde": SOURCE_LABELS[f.source],
            "Første halvår": start,
            "Seneste halvår": end,
            "Udvikling (95 %-konfidensinterval)": _trend_text(f),
            "Vurdering": f.direction,
        })
    return pd.DataFrame(records).set_index("Nøgletal")


def key_figures_note(threshold: int = 5) -> str:
    return (
        "Udviklingen er for antal den gennemsnitlige ændring pr. halvår (log-lineær "
        "Poisson-regression), for andele oddsratioen pr. halvår (logistisk regression). "
        "'Steget' og 'Faldet' bruges kun, hvor udviklingen er statistisk sikker. Andele vises med antal "
        f"afsluttede forløb (N; N{primary_marker(threshold)}: 1-{threshold - 1} forløb); "
        f"{primary_marker(threshold)}: 1-{threshold - 1} personer; X: skjult som i rapporten med de detaljerede "
        "tal, så et lille tal ikke kan regnes ud; –: ingen tal, eller tallet vises ikke af hensyn til fortroligheden."
    )


def movement_bullets(figures: list[KeyFigure]) -> str:
    """Markdown bullets: what went up, what went down, what did not clearly move."""
    groups = {UP: [], DOWN: [], FLAT: [], UNKNOWN: []}
    for f in figures:
        groups[f.direction].append(f.label)
    lines = []
    for heading, key in (("Steget", UP), ("Faldet", DOWN), ("Ingen statistisk sikker udvikling", FLAT),
                         ("Kan ikke vurderes (for få halvår med tal)", UNKNOWN)):
        if groups[key]:
            lines.append(f"- **{heading}:** " + "; ".join(groups[key]) + ".")
    return "\n".join(lines)


def goal_bullets(results, threshold: int = 5) -> str:
    """Markdown bullets on the goals: the count per status and which goals are reached or not,
    with the statuses as report 04 shows them (none where the value is hidden)."""
    from analyse.goals import NOT_REACHED, NOT_SHOWN, ON_TRACK, REACHED
    from analyse.goals_report import names_by_status, status_sentence

    names = names_by_status(results, threshold)
    lines = [f"- {status_sentence(results, threshold)}"]
    for status, heading in ((REACHED, "Nået"), (ON_TRACK, "På vej"), (NOT_REACHED, "Ikke nået"),
                            (NOT_SHOWN, "Status ikke vist (for få borgere)")):
        if names[status]:
            lines.append(f"- **{heading}:** " + "; ".join(names[status]) + ".")
    return "\n".join(lines)


def coverage_lines(figures: list[KeyFigure]) -> list[str]:
    """Per source, the half-years its figures cover in the report (extracts end at different times),
    with an incomplete last half-year in brackets (:func:`analyse.completeness.short_note`).

    >>> f = KeyFigure("a", "A", "fremmoede", "antal", ("2019H1",), (670.0,), left_out=("2019H2",),
    ...               last_date=pd.Timestamp("2019-09-02"))
    >>> coverage_lines([f])[1]
    'Fremmøderegistreringer, Psykiatriens Hus: 1. halvår 2019 (2. halvår 2019 er ikke med: data kun til 2. september 2019)'
    """
    from analyse.completeness import short_note

    lines = []
    for source, label in SOURCE_LABELS.items():
        periods = sorted({p for f in figures if f.source == source for p in f.periods})
        if periods:
            line = f"{label}: {format_period_span(periods[0], periods[-1])}"
            found = list(dict.fromkeys(short_note(f.partial, f.left_out, f.last_date)
                                       for f in figures if f.source == source))
            if any(found):
                line += " (" + "; ".join(t for t in found if t) + ")"
            lines.append(line)
        else:
            lines.append(f"{label}: ingen tal i perioden")
    return lines


def notes(figures: list[KeyFigure]) -> list[str]:
    """The sentences on incomplete last half-years of ``figures``, each once."""
    return list(dict.fromkeys(f.note for f in figures if f.note))


def _quality(processed_dir) -> dict:
    path = Path(processed_dir) / "kvalitet.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def quality_caveats(processed_dir: str | PathLike) -> list[str]:
    """:func:`analyse.formatting.quality_summary` for every source the processed data has."""
    labels = {"as2007": "AS2007", "fremmoede": "fremmøderegistreringerne", "rusmiddel": "Rusmiddelcenter Randers"}
    texts = [quality_summary(processed_dir, source, label) for source, label in labels.items()]
    return [t for t in texts if t]


def gap_caveat(processed_dir: str | PathLike, first: str, last: str) -> str | None:
    """A Danish sentence on the likely forgotten attendance registrations in the period
    (the gaps ``analyse clean`` wrote to ``kvalitet.json``); None without attendance data."""
    quality = _quality(processed_dir).get("fremmoede")
    if not quality:
        return None
    wanted = set(half_year_range(first, last))
    gaps = [g for g in quality.get("gaps", []) if g.get("period") in wanted]
    if not gaps:
        return ("I fremmøderegistreringerne er der i perioden ingen uger, hvor et tilbud, der ellers registrerer "
                "hver uge, mangler registreringer.")
    weeks = sum(int(g["weeks"]) for g in gaps)
    visits = sum(int(g["estimated_visits"]) for g in gaps)
    tilbud = sorted({g["tilbud"] for g in gaps})
    return (
        f"I fremmøderegistreringerne er der {format_number(len(gaps))} "
        f"{'periode' if len(gaps) == 1 else 'perioder'} på i alt {format_number(weeks)} uger, hvor et tilbud, "
        f"der ellers registrerer hver uge, ikke har registreret noget ({', '.join(tilbud)}). Formentlig er "
        f"registreringerne glemt; skønnet mangler ca. {format_number(visits)} besøg. Skønnet er ikke lagt til "
        "tallene (se rapporten om Psykiatriens Hus)."
    )


def timetakst_its(
    indicators: pd.DataFrame | None, first: str, last: str, intervention: str = "2017H1",
    ends: dict | None = None,
):
    """The interrupted time series for § 85 bostøtte (timetakst) over the covered half-years.

    Returns ``(result, sentence)``; ``result`` is None (and the sentence says
    why) when the series does not have two half-years on each side. A last half-year
    the AS2007 extract covers only partly (``ends``: :func:`analyse.completeness.last_dates`)
    is never in the model; the sentence says so.
    """
    from analyse import completeness, stats
    from analyse.exceptions import AnalyseError
    from analyse.periods import period_table

    periods = covered_periods(indicators, "unikke_personer_pr_ydelsestype", first, last)
    if not periods:
        return None, "Der er ingen AS2007-tal i perioden, så den afbrudte tidsserie kan ikke beregnes."
    end = (ends or {}).get("as2007")
    left_out = [p for p in periods if not completeness.is_complete(p, end, "as2007")]
    note = completeness.left_out_sentence(left_out, end, "as2007")
    periods = [p for p in periods if p not in left_out]
    if not periods:
        return None, f"Den afbrudte tidsserie kan ikke beregnes: {note}"
    series = period_table(indicators, "unikke_personer_pr_ydelsestype", periods, groups=[TIMETAKST]).loc[TIMETAKST]
    try:
        result = stats.interrupted_time_series(series, intervention)
    except AnalyseError as exc:
        return None, " ".join(filter(None, [f"Den afbrudte tidsserie kan ikke beregnes: {exc}.", note]))
    return result, " ".join(filter(None, [
        stats.describe_its(result, "antallet af personer med § 85 bostøtte (timetakst)"), note]))


def its_table(result) -> pd.DataFrame:
    """The ITS estimates as a small table (ratios with intervals; a bound that is not 1 does not read as 1)."""
    from analyse.stats import ratio_bound_text

    level = format_number(result.confidence * 100, 0)

    def row(name, est, low, high):
        return {"Størrelse": name, "Estimat": format_number(est, 2),
                f"{level} %-konfidensinterval": f"{ratio_bound_text(low)} til {ratio_bound_text(high)}"}

    rows = [
        row("Udvikling pr. halvår før skiftet (faktor)", result.pre_ratio, result.pre_low, result.pre_high),
        row("Spring i niveau ved skiftet (faktor)", result.level_ratio, result.level_low, result.level_high),
        row("Knæk: ændring i udviklingen pr. halvår (faktor)", result.slope_ratio, result.slope_low, result.slope_high),
        row("Udvikling pr. halvår efter skiftet (faktor)", result.post_ratio, result.post_low, result.post_high),
    ]
    return pd.DataFrame(rows).set_index("Størrelse")


def machine_summary(figures: list[KeyFigure], results, its=None) -> dict:
    """The report's figures as plain JSON-ready data (for the hidden summary cell tests read)."""
    from analyse.goals_report import machine_summary as goal_records

    return {
        "key_figures": {
            f.key: {
                "label": f.label, "source": f.source, "unit": f.unit, "periods": list(f.periods),
                "values": [None if pd.isna(v) else v for v in f.values],  # JSON has no NaN
                "totals": list(f.totals), "direction": f.direction,
                "partial": f.partial, "note": f.note,
            }
            for f in figures
        },
        "goals": goal_records(results),
        "its": None if its is None else {
            "intervention": its.intervention, "level_ratio": its.level_ratio, "slope_ratio": its.slope_ratio,
            "level_low": its.level_low, "level_high": its.level_high,
            "slope_low": its.slope_low, "slope_high": its.slope_high,
            "n_pre": its.n_pre, "n_post": its.n_post, "model": its.model,
        },
    }


def figure_table(figures: list[KeyFigure], keys: list[str]) -> pd.DataFrame:
    """Count figures as a chart table: a row per figure (its label), a column per half-year."""
    chosen = [f for f in figures if f.key in keys and f.periods]
    if not chosen:
        return pd.DataFrame()
    table = pd.DataFrame({f.label: pd.Series(f.values, index=f.periods) for f in chosen}).T
    table = table.reindex(columns=sorted(table.columns)).fillna(0).astype(object)
    for f in chosen:  # what the source's own report hides is not drawn either (show_chart leaves markers out)
        for period, cell in zip(f.periods, f.published):
            if isinstance(cell, str):
                table.loc[f.label, period] = cell
    return table


def chart_marks(figures: list[KeyFigure], keys: list[str]) -> dict[str, str]:
    """The marks :func:`analyse.formatting.show_chart` puts under an incomplete half-year of the figures."""
    from analyse.completeness import chart_marks as marks

    found = {}
    for f in figures:
        if f.key in keys and f.partial is not None:
            found.update(marks(f.partial, f.last_date))
    return found


def figures_for(figures: list[KeyFigure], source: str) -> list[KeyFigure]:
    return [f for f in figures if f.source == source]


def sentences(figures: list[KeyFigure]) -> list[str]:
    """The figures' sentences in order, each once (with no data, every figure of a source says the same),
    after the sentence on an incomplete last half-year (:func:`notes`).

    >>> f = KeyFigure("a", "A", "as2007", "antal", (), (), sentence="Ingen tal.")
    >>> sentences([f, f])
    ['Ingen tal.']
    """
    return notes(figures) + list(dict.fromkeys(f.sentence for f in figures if f.sentence))


def goal_for(results, indicator: str, group: str):
    """The goal result whose data source is ``indicator``/``group``, or None."""
    for r in results:
        s = r.goal.source
        if s is not None and s.indicator == indicator and s.group == group:
            return r
    return None


def caveat_bullets(processed_dir, figures: list[KeyFigure], first: str, last: str, its=None) -> str:
    """The summary page's short list of caveats (Markdown bullets); details follow in 'Forbehold'."""
    from analyse.formatting import is_synthetic

    lines = []
    if is_synthetic(processed_dir):
        lines.append("- **Syntetiske data:** rapporten er bygget på opdigtede eksempeldata, ikke på rigtige borgere.")
    covered = coverage_lines(figures)
    lines.append("- **Kilderne dækker forskellige perioder:** " + "; ".join(covered) + ".")
    partly = notes(figures)
    if partly:
        lines.append("- **Halvår, som data kun dækker en del af:** " + " ".join(partly))
    gaps = gap_caveat(processed_dir, first, last)
    if gaps and "ingen uger" not in gaps:
        lines.append("- **Fremmøderegistreringer kan være glemt:** " + gaps)
    if its is not None and its.too_short:
        lines.append(
            "- **Den nye støttemodel (2017):** tidsserien er for kort til en sikker konklusion om "
            "støttemodellens betydning for § 85 bostøtte (se metodebilaget)."
        )
    return "\n".join(lines)
