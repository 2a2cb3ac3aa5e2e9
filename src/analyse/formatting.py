"""Danish presentation: numbers, dates, half-years, tables and charts for the reports.

Readers are managers and politicians, so numbers are written the Danish way
(``1.234``, ``47 %``, ``2. september 2019``) and every table and chart carries
its source and period. Tables are shown in the notebook *and* written as a
spreadsheet, because the reports promise that every table can be reused.
"""

from __future__ import annotations

import html
import json
import numbers
import os
import re
import sys
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from os import PathLike
from pathlib import Path

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.lists import format_list as _babel_list
from babel.numbers import format_decimal

from analyse import config
from analyse.periods import parse_half_year
from analyse.suppression import shown_count

LOCALE = "da_DK"
MISSING = "–"
SYNTHETIC_TEXT = "Syntetiske data – tallene er ikke rigtige borgere"
TABLES_ENV_VAR = "ANALYSE_TABLES_DIR"
# show_table publishes the table itself beside its HTML under this media type;
# the runner gathers them into one workbook per report (analyse.workbook).
# Renderers (nbconvert, JupyterLab) skip a type they do not know.
TABLE_MIMETYPE = "application/vnd.analyse.table+json"
# One colour-blind-safe palette for every chart the library draws.
PALETTE = "colorblind"

# Inline styles, not a stylesheet: the banner must look the same in JupyterLab,
# in the HTML report and in a mail client that strips <style>.
_BANNER_STYLE = (
    "background:#fff3cd;border:2px solid #d39e00;color:#5c4400;padding:0.6em 1em;"
    "margin:0 0 1em 0;font-weight:bold;font-size:1.1em;border-radius:4px;"
)


# A float is rounded to this many significant digits before a half is rounded up: it stands for
# a decimal it may miss in its last binary places (113/200 × 100 is 56.49999999999999), and the
# 56.5 it stands for is written 57, as the agreement writes it.
SIGNIFICANT_DIGITS = 10


def round_half_up(x, decimals: int = 0) -> Decimal:
    """``x`` rounded to ``decimals`` places with halves away from 0 (2.5 → 3, −2.5 → −3): the
    package's one rounding rule, for every number it shows or compares as shown.

    An exact value (an int, a :class:`~decimal.Decimal`, a :class:`~fractions.Fraction` such as
    ``Fraction(113, 200) * 100``) is rounded exactly; where the successes and the total of a share
    are known, pass the fraction. A float is first rounded to :data:`SIGNIFICANT_DIGITS`
    significant digits (more for a large number, up to the 15 a float holds), so binary noise
    does not move a half below it.

    >>> round_half_up(113 / 200 * 100), round_half_up(Fraction(113, 200) * 100), round_half_up(-2.5)
    (Decimal('57'), Decimal('57'), Decimal('-3'))
    >>> round_half_up(56.4999), round_half_up(1.005, 2), round_half_up(4315328.49)
    (Decimal('56'), Decimal('1.01'), Decimal('4315328'))
    """
    with localcontext() as context:
        context.prec = 60
        if isinstance(x, Fraction):
            value = Decimal(x.numerator) / Decimal(x.denominator)
        elif isinstance(x, numbers.Integral):
            value = Decimal(int(x))
        elif isinstance(x, Decimal):
            value = x
        else:
            value = Decimal(float(x))  # exact: the binary value itself
            if value.is_finite() and value:
                # More digits for a large number (one place beyond ``decimals``), but never more
                # than the 15 a float carries faithfully.
                digits = max(SIGNIFICANT_DIGITS, min(15, value.adjusted() + decimals + 2))
                value = Context(prec=digits, rounding=ROUND_HALF_EVEN).plus(value)
        if not value.is_finite():
            raise ValueError(f"{x} er ikke et endeligt tal")
        context.prec = max(context.prec, value.adjusted() + decimals + 2)
        return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(x: float | int | None, decimals: int = 0) -> str:
    """A number with Danish separators; halves round up as readers expect (:func:`round_half_up`).

    >>> format_number(1234)
    '1.234'
    >>> format_number(1234.5678, 2)
    '1.234,57'
    >>> format_number(0.5), format_number(-2.5)
    ('1', '-3')
    >>> format_number(float("nan")), format_number(113 / 200 * 100)
    ('–', '57')
    """
    if x is None or (isinstance(x, float) and x != x) or x is pd.NA:
        return MISSING
    # Babel rounds half-to-even (2.5 → 2); a report reader expects 3.
    rounded = round_half_up(x, decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(rounded, format=pattern, locale=LOCALE)


def visible_decimals(x: float, decimals: int = 0, most: int = 4) -> int:
    """The decimals (from ``decimals`` up to ``most``) at which ``x``, if not 0, does not round to 0.

    An interval bound of 0.3 % written "0 %" next to "statistisk sikkert" reads as if
    the interval touched 0; one more decimal shows which side of 0 it lies on. Up to four:
    a Newcombe bound of −0.0039 procentpoint written "0,00" read the same way.

    >>> visible_decimals(0.3), visible_decimals(-0.04), visible_decimals(4.2), visible_decimals(0.0)
    (1, 2, 0, 0)
    >>> visible_decimals(0.5), visible_decimals(0.001), visible_decimals(0.02, 2), visible_decimals(-0.0039)
    (0, 3, 2, 3)
    """
    while decimals < most and x != 0 and round_half_up(x, decimals) == 0:
        decimals += 1
    return decimals


def format_signed(x: float, decimals: int = 0, plus: bool = False) -> str:
    """A difference in Danish: a real minus sign (−), ``+`` with ``plus``, no sign on a shown 0.

    >>> format_signed(-5.6), format_signed(22.4, plus=True), format_signed(-0.3, 1), format_signed(-0.2)
    ('−6', '+22', '−0,3', '0')
    """
    text = format_number(abs(x), decimals)
    if not text.strip("0,."):
        return text
    return ("−" if x < 0 else "+" if plus else "") + text


def format_points(difference: float, plus: bool = False) -> str:
    """A difference of two shares (−0.0562) in signed percentage points ('−6'), with the decimals
    that keep a difference that is not 0 from reading as 0 (e.g. an interval bound that leaves out 0).

    >>> format_points(-0.0562), format_points(0.24, plus=True), format_points(0.003), format_points(-0.0004)
    ('−6', '+24', '0,3', '−0,04')
    >>> format_points(-0.000039)
    '−0,004'
    """
    value = difference * 100
    return format_signed(value, visible_decimals(value), plus)


def format_n(n: int, threshold: int = 5) -> str:
    """The number of persons or episodes beside a share: ``N=1.234``, or ``N<5`` for 1 to ``threshold - 1``.

    The N is itself a published count, so the small-count rule of
    :func:`analyse.suppression.shown_count` applies to it; 0 is shown, as in the tables.

    >>> format_n(1234), format_n(2), format_n(0), format_n(3, threshold=3)
    ('N=1.234', 'N<5', 'N=0', 'N=3')
    """
    shown = shown_count(n, threshold)
    return f"N{shown}" if isinstance(shown, str) else f"N={format_number(shown)}"


def format_percent(share: float | Fraction | None, decimals: int = 0) -> str:
    """A share (0.471) as a Danish percentage with a space before the sign. Where the counts
    are known, ``Fraction(successes, n)`` rounds the exact share.

    >>> format_percent(0.471), format_percent(Fraction(113, 200))
    ('47 %', '57 %')
    >>> format_percent(0.4715, 1)
    '47,2 %'
    """
    if share is None or (isinstance(share, float) and share != share):
        return MISSING
    return f"{format_number(share * 100, decimals)} %"


def format_date(value: date | datetime | str | pd.Timestamp) -> str:
    """A date in long Danish form.

    >>> format_date("2019-09-02")
    '2. september 2019'
    """
    return _babel_date(pd.Timestamp(value).date(), format="d. MMMM y", locale=LOCALE)


def format_datetime(value: datetime | pd.Timestamp) -> str:
    """A moment in Danish, to the minute.

    >>> format_datetime(datetime(2019, 9, 2, 9, 5))
    '2. september 2019 kl. 09:05'
    """
    return _babel_datetime(pd.Timestamp(value).to_pydatetime(), "d. MMMM y 'kl.' HH:mm", locale=LOCALE)


def format_list(items) -> str:
    """Items as a Danish sentence lists them (Babel).

    >>> format_list(["1. halvår 2018"]), format_list(["a", "b", "c"])
    ('1. halvår 2018', 'a, b og c')
    """
    return _babel_list([str(item) for item in items], locale=LOCALE)


def format_half_year(label: str) -> str:
    """A half-year label the way the documents write it.

    >>> format_half_year("2019H1")
    '1. halvår 2019'
    """
    year, half = parse_half_year(label)
    return f"{half}. halvår {year}"


def format_period_span(first: str, last: str) -> str:
    """A span of half-years for a 'Periode:' line.

    >>> format_period_span("2016H1", "2019H1")
    '1. halvår 2016 – 1. halvår 2019'
    >>> format_period_span("2019H1", "2019H1")
    '1. halvår 2019'
    """
    if parse_half_year(first) == parse_half_year(last):
        return format_half_year(first)
    return f"{format_half_year(first)} – {format_half_year(last)}"


def _processed(processed_dir: str | PathLike | None) -> Path:
    return Path(processed_dir) if processed_dir else config.PROCESSED_DIR


def is_synthetic(processed_dir: str | PathLike | None = None) -> bool:
    """True when the processed data was built from ``analyse sample`` output."""
    return (_processed(processed_dir) / config.SYNTHETIC_MARKER).exists()


def synthetic_banner(processed_dir: str | PathLike | None = None) -> str | None:
    """An HTML banner when the processed data is synthetic, else None.

    Blank ``processed_dir`` means the project's ``data/processed``. The HTML
    renders both in a notebook (``display(HTML(...))``) and inside Markdown.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> synthetic_banner(d) is None
    True
    >>> _ = (d / "SYNTETISKE_DATA.txt").write_text("x")
    >>> "Syntetiske data" in synthetic_banner(d)
    True
    """
    if not is_synthetic(processed_dir):
        return None
    return (
        f'<div class="analyse-syntetisk" role="alert" style="{_BANNER_STYLE}">'
        f"⚠ {html.escape(SYNTHETIC_TEXT)}</div>"
    )


def danish_headers(table: pd.DataFrame) -> pd.DataFrame:
    """A copy whose half-year column labels read '1. halvår 2016'; other labels unchanged.

    >>> danish_headers(pd.DataFrame({"2016H1": [1], "Type": ["a"]})).columns.tolist()
    ['1. halvår 2016', 'Type']
    """

    def rename(label):
        try:
            return format_half_year(label)
        except Exception:  # not a half-year label: leave it
            return label

    out = table.rename(columns=rename)
    out.columns.name = None
    return out


def _cell_text(value, decimals: int) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        return MISSING if value is None or value is pd.NA else str(value)
    return format_number(value, decimals)


def style_table(
    table: pd.DataFrame,
    caption: str,
    source: str,
    period: str,
    note: str | None = None,
    decimals: int = 0,
) -> str:
    """The HTML a report shows for a table: caption, Danish numbers, source line, note.

    Strings in cells (``'<5'``, ``'X'``) are shown as they are, escaped.

    >>> out = style_table(pd.DataFrame({"2019H1": [1234, "<5"]}, index=["A", "B"]),
    ...                   "Tabel 1: Test", "AS2007", "1. halvår 2019")
    >>> "1.234" in out and "&lt;5" in out and "Kilde: AS2007 · Periode: 1. halvår 2019" in out
    True
    """
    shown = danish_headers(table)
    # The index name goes in the empty top-left header cell rather than a
    # header row of its own (pandas' default), which reads as a blank row.
    shown.columns.name, shown.index.name = shown.index.name or None, None
    styles = [
        {"selector": "caption", "props": "caption-side:top;text-align:left;"
         "font-weight:bold;font-size:1.05em;padding-bottom:0.4em;"},
        {"selector": "th", "props": "text-align:left;padding:0.2em 0.6em;"},
        {"selector": "td", "props": "text-align:right;padding:0.2em 0.6em;"},
    ]
    if len(shown.index) > 1 and str(shown.index[-1]).startswith("I alt"):
        styles.append({"selector": "tbody tr:last-child", "props": "font-weight:bold;"})
    styler = (
        shown.style.format(lambda v: _cell_text(v, decimals), escape="html")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
        .set_caption(html.escape(caption))
        .set_table_styles(styles)
    )
    parts = [styler.to_html()]
    parts.append(
        f'<p class="analyse-kilde" style="font-size:0.9em;margin-top:0.3em;">'
        f"Kilde: {html.escape(source)} · Periode: {html.escape(period)}</p>"
    )
    if note:
        parts.append(
            f'<p class="analyse-note" style="font-size:0.9em;">Note: {html.escape(note)}</p>'
        )
    return "\n".join(parts)


def tables_dir() -> Path:
    """Where spreadsheets go: ``$ANALYSE_TABLES_DIR``, else ``reports/tabeller``.

    Read at call time. The runner writes each report's workbook to the same
    place (relative to its own reports folder when the variable is unset).
    """
    value = os.environ.get(TABLES_ENV_VAR)
    return Path(value).expanduser() if value else config.REPORTS_DIR / "tabeller"


def table_name(caption: str) -> str:
    """A file-name stem from a caption.

    >>> table_name("Tabel 2: Unikke personer pr. ydelsestype, 1. halvår 2019 (§ 85)")
    'tabel-2-unikke-personer-pr-ydelsestype-1-halvaar-2019-85'
    """
    text = caption.lower()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(danish, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "tabel"


def _sheet_value(value):
    """A cell value openpyxl can store: numbers stay numbers, markers stay text."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return str(value)


def table_payload(
    table: pd.DataFrame,
    caption: str,
    source: str,
    period: str,
    note: str | None = None,
    name: str | None = None,
    decimals: int = 0,
) -> dict:
    """The table as published, as plain JSON: what a report's workbook sheet is made from.

    >>> p = table_payload(pd.DataFrame({"2019H1": [1234, "<5"]}, index=pd.Index(["A", "B"], name="Type")),
    ...                   "Tabel 1: Test", "AS2007", "1. halvår 2019")
    >>> p["columns"], p["index_name"], p["rows"]
    (['1. halvår 2019'], 'Type', [['A', 1234], ['B', '<5']])
    """
    shown = danish_headers(table)
    return {
        "caption": caption,
        "source": source,
        "period": period,
        "note": note or None,
        "name": name or table_name(caption),
        "decimals": int(decimals),
        "index_name": str(shown.index.name or ""),
        "columns": [str(c) for c in shown.columns],
        "rows": [[str(label), *(_sheet_value(v) for v in values)]
                 for label, values in zip(shown.index, shown.itertuples(index=False, name=None))],
    }


def write_table_xlsx(
    table: pd.DataFrame,
    path: str | PathLike,
    caption: str,
    source: str,
    period: str,
    note: str | None = None,
) -> Path:
    """Write one table as a one-sheet spreadsheet (layout: :mod:`analyse.workbook`).

    Written to a temporary file in the same folder and moved into place, so a
    reader never opens a half-written file and a failed run leaves the old one.
    Reports get one workbook each from the runner; this is for a single table.
    """
    from analyse.workbook import write_workbook

    return write_workbook([table_payload(table, caption, source, period, note)], path)


def show_table(
    table: pd.DataFrame,
    caption: str,
    source: str,
    period: str,
    note: str | None = None,
    name: str | None = None,
    *,
    decimals: int = 0,
) -> None:
    """Show a table in the notebook, with the published cells attached for the report's workbook.

    One display output carries both the HTML and the table as JSON
    (:data:`TABLE_MIMETYPE`); ``analyse run`` writes every table of a report as a
    sheet of ``reports/tabeller/<report>.xlsx``, after the notebook has run, so
    the workbook always matches the HTML. ``name`` is a stable identifier kept in
    the payload (e.g. ``"01_tabel_1"``); it defaults to a stem made from the
    caption. Returns None so the cell shows the table once.
    """
    from IPython.display import display

    display(
        {
            "text/html": style_table(table, caption, source, period, note, decimals),
            TABLE_MIMETYPE: table_payload(table, caption, source, period, note, name, decimals),
        },
        raw=True,
    )


def period_chart(
    table: pd.DataFrame,
    title: str,
    ylabel: str,
    source: str,
    period: str,
    threshold: int | None = 5,
    marks: dict[str, str] | None = None,
):
    """A seaborn line chart of a rows-are-series, columns-are-half-years table.

    ``marks`` puts a note under a half-year's label, e.g. ``{"2019H2": "til 2. sep."}`` for a
    half-year the data cover only partly (:func:`analyse.completeness.chart_marks`), and the
    footer says what it means.

    Counts from 1 to ``threshold - 1`` are left out (a chart must not show what
    the tables suppress) and the footer says so. Pass the *suppressed* table
    (:func:`analyse.suppression.suppress_tables`): its ``<5``/``X`` cells are left
    out too, so a secondary cell hidden in a table is not drawn either. The y axis starts at 0 so a
    small change does not look like a collapse.
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    periods = list(table.columns)
    long = (
        table.rename_axis(index="serie", columns="period")
        .stack()
        .rename("value")
        .reset_index()
    )
    # Suppressed cells ('<5', 'X' from analyse.suppression) are not drawn; the footer says so.
    hidden_cells = bool(long["value"].map(lambda v: isinstance(v, str) and (v == "X" or v.startswith("<"))).any())
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long["x"] = long["period"].map({p: i for i, p in enumerate(periods)})
    masked = hidden_cells
    if threshold is not None:
        small = long["value"].between(1, threshold - 1)
        masked = masked or bool(small.any())
        long = long[~small]

    # Context managers, not sns.set_theme: a library call must not restyle the analyst's other plots.
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook"):
        fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
        sns.lineplot(data=long, x="x", y="value", hue="serie", style="serie", markers=True,
                     dashes=False, palette=PALETTE, ax=ax, legend=len(table.index) > 1)
        ax.set_xticks(range(len(periods)))
        # '1. halvår' over the year keeps seven or more labels readable.
        marks = dict(marks or {})
        ax.set_xticklabels(["\n".join(format_half_year(p).rsplit(" ", 1))
                            + (f"\n({marks[p]})" if p in marks else "") for p in periods])
        ax.set_xlabel("Halvår")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 2.5, 5, 10]))  # whole persons, round steps
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
        ax.set_title(title, loc="left", fontweight="bold")
        if ax.get_legend() is not None:
            ax.legend(title=None, frameon=False)
        footer = f"Kilde: {source} · Periode: {period}"
        if masked:
            footer += f" · Tal under {threshold} er ikke vist."
        if any(p in marks for p in periods):
            footer += " · (til …): data dækker kun halvåret til den dato."
        fig.text(0.01, 0.01, footer, fontsize=9, ha="left", va="bottom")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def show_chart(
    table: pd.DataFrame,
    title: str,
    ylabel: str,
    source: str,
    period: str,
    threshold: int | None = 5,
    marks: dict[str, str] | None = None,
) -> None:
    """Show :func:`period_chart` once, as an embedded PNG with a Danish alt text.

    The PNG is published directly (not via the inline backend) so the report's
    image carries a description for screen readers, and the figure is closed so
    it is not drawn a second time.
    """
    import base64
    import io

    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = period_chart(table, title, ylabel, source, period, threshold, marks)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    alt = f"Linjediagram. {title}. Kilde: {source} · Periode: {period}"
    display(
        {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": alt},
        raw=True,
        metadata={"image/png": {"alt": alt}},
    )


def figure_alt(fig) -> str:
    """A Danish alt text for any matplotlib figure: its titles and its footer lines.

    >>> import matplotlib; matplotlib.use("Agg"); import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(); _ = ax.set_title("Figur 2: Kontakter", loc="left")
    >>> _ = fig.text(0, 0, "Kilde: Fremmøde · Periode: 2019"); figure_alt(fig)
    'Diagram. Figur 2: Kontakter. Kilde: Fremmøde · Periode: 2019'
    >>> plt.close(fig)
    """
    parts = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            text = ax.get_title(loc=loc).strip()
            if text and text not in parts:
                parts.append(text)
    parts += [t.get_text().strip() for t in fig.texts if t.get_text().strip()]
    return ". ".join(["Diagram", *(p.rstrip(".") for p in parts)]) if parts else "Diagram uden titel"


def _figure_png_with_alt(fig):
    """IPython's PNG for a figure, plus ``alt`` metadata the report template puts on the <img>."""
    from IPython.core.pylabtools import print_figure

    return print_figure(fig, "png", bbox_inches="tight", base64=True), {"alt": figure_alt(fig)}


def install_figure_alt_text(shell=None) -> bool:
    """Make every matplotlib figure displayed in this kernel carry a Danish alt text.

    Charts drawn by other modules with a plain ``display(fig)`` get their titles
    and source line as the image's description. Done once, on import of this
    module in a kernel (after the inline backend, which registers its own PNG
    formatter when pyplot is first imported). Returns whether it was installed.
    """
    if shell is None:
        ipython = sys.modules.get("IPython")  # not imported: not in a kernel, and no cost
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    import matplotlib.pyplot  # noqa: F401 - loads the inline backend and its formatter first
    from matplotlib.figure import Figure

    shell.display_formatter.formatters["image/png"].for_type(Figure, _figure_png_with_alt)
    return True


def quality_summary(processed_dir: str | PathLike | None, source: str, label: str) -> str | None:
    """A Danish sentence on how many rows a source had and what was rejected.

    Reads ``kvalitet.json``; None when the file or the source is absent.

    >>> import tempfile, pathlib, json
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "kvalitet.json").write_text(json.dumps({"as2007": {"files": [
    ...     {"file": "a.csv", "rows_in": 1500, "rows_clean": 1480, "rows_rejected": 12,
    ...      "duplicates_removed": 8, "rejected_by_reason": {"ukendt ydelsestype": 12}}]}}))
    >>> print(quality_summary(d, "as2007", "AS2007"))
    Datagrundlaget er 1.500 rækker i 1 fil fra AS2007. 1.480 rækker indgår; 12 blev afvist ved kontrollen (ukendt ydelsestype: 12), og 8 dubletter blev fjernet.
    """
    path = _processed(processed_dir) / "kvalitet.json"
    try:
        files = json.loads(path.read_text(encoding="utf-8"))[source]["files"]
    except (OSError, KeyError, TypeError, ValueError):
        return None
    total = {k: sum(int(f.get(k, 0)) for f in files)
             for k in ("rows_in", "rows_clean", "rows_rejected", "duplicates_removed")}
    reasons: dict[str, int] = {}
    for f in files:
        for reason, n in (f.get("rejected_by_reason") or {}).items():
            reasons[reason] = reasons.get(reason, 0) + int(n)
    n_files = len(files)
    text = (
        f"Datagrundlaget er {format_number(total['rows_in'])} rækker i {n_files} "
        f"{'fil' if n_files == 1 else 'filer'} fra {label}. "
        f"{format_number(total['rows_clean'])} rækker indgår; "
        f"{format_number(total['rows_rejected'])} blev afvist ved kontrollen"
    )
    if reasons:
        listed = ", ".join(f"{r}: {format_number(n)}" for r, n in
                           sorted(reasons.items(), key=lambda item: -item[1]))
        text += f" ({listed})"
    text += f", og {format_number(total['duplicates_removed'])} dubletter blev fjernet."
    return text


install_figure_alt_text()
