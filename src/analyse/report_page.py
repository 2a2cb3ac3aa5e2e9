"""The finished report page around nbconvert's output: header, contents, provenance, banners.

A report is one HTML file that is mailed and opened offline, so this module

- moves the notebook's title (its first ``#`` heading) and its period line (a
  Markdown output starting ``**Periode:**``, the house style of the notebooks)
  into a header with the data sources and the newest date in their data;
- gives every ``##``/``###`` heading an ASCII id and builds the table of
  contents from them;
- adds a provenance footer: each raw file's name, SHA-256 and row counts (from
  ``kvalitet.json``), the parameters used, the package version, the git commit
  and the build time;
- replaces the notebooks' own synthetic-data banners by one at the top and one
  at the bottom, and repeats the warning on every printed page;
- refuses a page that would fetch anything (script, style sheet, font, image)
  from the network or from a file beside it: :func:`external_references`.

Nothing here is specific to one notebook; the runner calls :func:`prepare`
before nbconvert and :func:`finish` after it.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from analyse import __version__, config
from analyse.exceptions import AnalyseError
from analyse.formatting import (
    SYNTHETIC_TEXT,
    format_date,
    format_datetime,
    format_number,
    format_period_span,
    is_synthetic,
    synthetic_banner,
)

BANNER_CLASS = "analyse-syntetisk"
UNKNOWN = "ukendt"
TOC_ID = "indhold"
FOOTER_ID = "datagrundlag-og-koersel"
_RESERVED_IDS = {TOC_ID, FOOTER_ID, "top"}
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_PERIOD_LINE = re.compile(r"^\s*\*\*Periode:\*\*")
_SECRET_NAME = re.compile(r"key|secret|password|passwd|token|n(ø|oe)gle|kodeord", re.IGNORECASE)
_DATE_KEY = re.compile(r"^(first|last)_(date|start|end)$")


def _file_name(name) -> str:
    """A raw file's name as the page shows it: a CPR-like number in it is masked."""
    from analyse.values import hide_cprs

    return hide_cprs(str(name), "[skjult tal]")


class ReportPageError(AnalyseError):
    """The finished page would not be self-contained."""


@dataclass
class ReportContext:
    """What the page says about where its numbers come from."""

    name: str = ""
    processed_dir: Path | None = None
    parameters: dict = field(default_factory=dict)
    built: datetime = field(default_factory=datetime.now)
    synthetic: bool = False
    sources: tuple[str, ...] | None = None  # None: every source in kvalitet.json

    @property
    def quality(self) -> dict:
        if self.processed_dir is None:
            return {}
        try:
            data = json.loads((Path(self.processed_dir) / "kvalitet.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}


@dataclass
class PageFacts:
    """What :func:`prepare` took out of the notebook for the header."""

    title: str | None = None
    period_markdown: str | None = None
    had_banner: bool = False


# --- before nbconvert ---------------------------------------------------------------------


def _is_banner(output) -> bool:
    text = output.get("data", {}).get("text/html", "")
    text = "".join(text) if isinstance(text, list) else str(text)
    return f'class="{BANNER_CLASS}"' in text


def _markdown_text(output) -> str | None:
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    text = output.get("data", {}).get("text/markdown")
    if text is None:
        return None
    return "".join(text) if isinstance(text, list) else str(text)


def prepare(nb) -> PageFacts:
    """Take the title, the period line and the banners out of ``nb`` (changed in place)."""
    facts = PageFacts()
    seen_section = False
    for cell in list(nb.cells):
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                if _is_banner(output):
                    facts.had_banner = True
                    continue
                text = _markdown_text(output)
                if (facts.period_markdown is None and not seen_section and text is not None
                        and _PERIOD_LINE.match(text)):
                    facts.period_markdown = text.strip()
                    continue
                kept.append(output)
            cell.outputs = kept
        elif cell.cell_type == "markdown":
            kept_lines = []
            for line in cell.source.splitlines():
                match = _HEADING.match(line)
                if match and facts.title is None and len(match.group(1)) == 1:
                    facts.title = match.group(2)
                    continue
                seen_section = seen_section or bool(match and len(match.group(1)) >= 2)
                kept_lines.append(line)
            cell.source = "\n".join(kept_lines).strip("\n")
        if cell.cell_type == "markdown" and not cell.source.strip():
            nb.cells.remove(cell)
    return facts


def effective_parameters(nb) -> dict[str, str]:
    """The notebook's parameters as the run used them: defaults, overridden by injected values.

    Read from the executed notebook's ``parameters`` and ``injected-parameters``
    cells; values are shown as written (strings without quotes).
    """
    values: dict[str, str] = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if cell.cell_type != "code" or tag not in cell.get("metadata", {}).get("tags", []):
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in tree.body:
                target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else (
                    node.target if isinstance(node, ast.AnnAssign) else None)
                if not isinstance(target, ast.Name) or node.value is None:
                    continue
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    value = ast.unparse(node.value)
                values[target.id] = value
    if values.get("goals_file") == "" and os.environ.get(config.GOALS_ENV_VAR, "").strip():
        # An empty goals_file means $ANALYSE_GOALS, else the shipped file: show the one the run read.
        # (This runs in the job's environment, where the setting is an absolute path: see
        # analyse.batch.job_environment. Not analyse.goals: the build would count it as read here.)
        values["goals_file"] = os.environ[config.GOALS_ENV_VAR].strip()
    return {name: _show_parameter(name, value) for name, value in values.items()
            if not _SECRET_NAME.search(name)}


def _show_parameter(name: str, value) -> str:
    """A parameter value fit to print: no absolute paths (they name users and shares)."""
    if isinstance(value, str) and (name.endswith(("_dir", "_path", "_file")) or "/" in value or "\\" in value):
        if not value:
            return "(standard)"
        path = Path(value)
        if path.is_absolute():
            try:
                return str(path.resolve().relative_to(config.PROJECT_ROOT))
            except ValueError:
                return f"…/{path.name}"
    return str(value)


# What a variant's title may be made of when it has no ``titel`` (and what never tells variants apart).
_TITLE_PARAMETERS = frozenset({"first_period", "last_period", "comparison_start", "comparison_end", "status_date",
                               "report_type", "processed_dir", "suppression_threshold"})


def variant_title(
    title: str, variant: str | None, variant_title: str | None = None, parameters: dict | None = None,
) -> str:
    """A report variant's title: the notebook's, then the variant's ``titel``, or else what the
    variant's parameters say (its period, comparison period or status date).

    A variant's name is an identifier for file names (``visiterede_ydelser_2016_2019``); a reader
    of the heading and the index should get Danish, so it is the last resort, with spaces.

    >>> variant_title("Visiterede ydelser (AS2007)", None)
    'Visiterede ydelser (AS2007)'
    >>> variant_title("Målopfølgning", "midt_2021", "Midtvejsstatus 2021", {"status_date": "2021-12-31"})
    'Målopfølgning – Midtvejsstatus 2021'
    >>> variant_title("Visiterede ydelser (AS2007)", "visiterede_ydelser_2016_2019", None,
    ...               {"first_period": "2016H1", "last_period": "2019H2", "processed_dir": "/data"})
    'Visiterede ydelser (AS2007), 1. halvår 2016 – 2. halvår 2019'
    >>> variant_title("Rusmiddel", "rusmiddel_2020", None,
    ...               {"comparison_start": "2020-01-01", "comparison_end": "2020-12-31"})
    'Rusmiddel, sammenligningsperiode 2020'
    >>> variant_title("Målopfølgning", "midt", None, {"report_type": "midtvejsstatus", "status_date": "2021-12-31"})
    'Målopfølgning, midtvejsstatus pr. 31. december 2021'
    >>> variant_title("Målopfølgning", "status_2021", None, {"status_date": "2021-12-31"})
    'Målopfølgning, status pr. 31. december 2021'
    >>> variant_title("Psykiatriens Hus", "graense_10", None, {"suppression_threshold": 10})
    'Psykiatriens Hus – graense 10'
    >>> variant_title("Psykiatriens Hus", "nada_2018", None, {"first_period": "2018H1", "last_period": "2018H2",
    ...                                                        "tilbud": "NADA"})
    'Psykiatriens Hus – nada 2018'
    """
    if variant is None:
        return title
    if variant_title:
        return f"{title} – {variant_title}"
    parameters = parameters or {}
    if set(parameters) - _TITLE_PARAMETERS:
        # Variants told apart by something else (one per tilbud) would share a title: keep the name.
        return f"{title} – {variant.replace('_', ' ')}"
    try:
        if parameters.get("first_period") and parameters.get("last_period"):
            return f"{title}, {format_period_span(str(parameters['first_period']), str(parameters['last_period']))}"
        if parameters.get("comparison_start") and parameters.get("comparison_end"):
            from analyse.rusmiddel_report import period_label

            span = period_label((str(parameters["comparison_start"]), str(parameters["comparison_end"])))
            return f"{title}, sammenligningsperiode {span}"
        if parameters.get("status_date"):
            kind = str(parameters.get("report_type") or "status").strip().lower()
            return f"{title}, {kind} pr. {format_date(str(parameters['status_date']))}"
    except Exception:  # noqa: BLE001 - a checked variant has valid values; a title must never stop a report
        pass
    return f"{title} – {variant.replace('_', ' ')}"


def sources_used(nb, quality: dict) -> tuple[str, ...]:
    """The sources a notebook reads: ``metadata.analyse.sources``, else the names its code mentions.

    Falls back to every source in ``kvalitet.json`` when the code names none.
    """
    declared = nb.metadata.get("analyse", {}).get("sources")
    if declared:
        return tuple(declared)
    known = list(dict.fromkeys([*config.SOURCES, *quality]))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    found = tuple(s for s in known if re.search(rf"\b{re.escape(s)}\b", code))
    return found or tuple(quality)


def context_for(notebook: Path, nb, parameters: dict, built: datetime | None = None) -> ReportContext:
    """The :class:`ReportContext` of an executed notebook (``parameters``: those injected)."""
    processed = Path(parameters["processed_dir"]) if parameters.get("processed_dir") else config.PROCESSED_DIR
    context = ReportContext(
        name=Path(notebook).stem,
        processed_dir=processed,
        parameters=effective_parameters(nb),
        built=built or datetime.now(),
    )
    banner_shown = any(_is_banner(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    context.synthetic = is_synthetic(processed) or banner_shown
    context.sources = sources_used(nb, context.quality)
    return context


# --- after nbconvert ----------------------------------------------------------------------


def slug(text: str) -> str:
    """An ASCII id for a heading.

    >>> slug("Unikke personer pr. halvår")
    'unikke-personer-pr-halvaar'
    >>> slug("§ 85 – Æøå!")
    '85-aeoeaa'
    """
    text = text.casefold()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u")):
        text = text.replace(danish, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "afsnit"


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


_HEADING_TAG = re.compile(r"<h([23])(\s[^>]*)?>(.*?)</h\1>", re.DOTALL | re.IGNORECASE)


def add_heading_ids(body: str) -> tuple[str, list[tuple[int, str, str]]]:
    """Give each h2/h3 a unique ASCII id; return the page and (level, id, text) in order."""
    used = set(_RESERVED_IDS)
    found: list[tuple[int, str, str]] = []

    def replace(match: re.Match) -> str:
        level, attrs, inner = int(match.group(1)), match.group(2) or "", match.group(3)
        attrs = re.sub(r'\s+id="[^"]*"', "", attrs)
        text = _text_of(inner)
        base = slug(text)
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        found.append((level, anchor, text))
        return f'<h{level} id="{anchor}"{attrs}>{inner}</h{level}>'

    return _HEADING_TAG.sub(replace, body), found


def toc_html(headings: list[tuple[int, str, str]]) -> str:
    """An ordered list of links; h3s nested under their h2."""
    if not headings:
        return ""
    sections: list[tuple[str, list[str]]] = []  # (h2 link, its h3 links)
    for level, anchor, text in headings:
        link = f'<a href="#{anchor}">{html.escape(text)}</a>'
        if level == 3 and sections:
            sections[-1][1].append(link)
        else:
            sections.append((link, []))
    items = [f"<li>{link}" + (f"<ol>{''.join(f'<li>{s}</li>' for s in subs)}</ol>" if subs else "") + "</li>"
             for link, subs in sections]
    return "\n".join([f'<nav class="analyse-toc" id="{TOC_ID}" aria-label="Indhold">',
                      '<p class="analyse-toc-titel">Indhold</p>', "<ol>", *items, "</ol>", "</nav>"])


def _as_date(text) -> date | None:
    try:
        return datetime.fromisoformat(str(text)[:10]).date()
    except (TypeError, ValueError):
        return None


def source_dates(entry: dict) -> tuple[date | None, date | None]:
    """The first and newest date kvalitet.json knows for a source (``first_*``/``last_*`` keys)."""
    firsts, lasts = [], []
    for key, value in entry.items():
        match = _DATE_KEY.match(key)
        parsed = _as_date(value) if match else None
        if parsed is not None:
            (firsts if match.group(1) == "first" else lasts).append(parsed)
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


def _sources_html(context: ReportContext) -> str:
    quality = context.quality
    items = []
    for source in context.sources or tuple(quality):
        entry = quality.get(source)
        if not isinstance(entry, dict):
            continue
        files = [_file_name(f.get("file", "?")) for f in entry.get("files", [])]
        _, newest = source_dates(entry)
        label = entry.get("title") or source
        text = f"<strong>{html.escape(label)}</strong>: {len(files)} {'fil' if len(files) == 1 else 'filer'}"
        if newest:
            text += f", nyeste dato i data {format_date(newest)}"
        if files:
            text += f' <span class="analyse-filnavne">({html.escape(", ".join(files))})</span>'
        items.append(f"<li>{text}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else "ikke oplyst"


def header_html(facts: PageFacts, title: str, context: ReportContext) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    parts = ['<header class="analyse-header" id="top">', f"<h1>{html.escape(title or facts.title or '')}</h1>"]
    if facts.period_markdown:
        parts.append(f'<div class="analyse-periode">{markdown2html_mistune(facts.period_markdown)}</div>')
    elif {"first_period", "last_period"} <= set(context.parameters):
        try:
            span = format_period_span(context.parameters["first_period"], context.parameters["last_period"])
            parts.append(f'<div class="analyse-periode"><p><strong>Periode:</strong> {html.escape(span)}.</p></div>')
        except Exception:  # noqa: BLE001 - a header without a period beats no report
            pass
    parts += [
        '<dl class="analyse-fakta">',
        f"<dt>Datakilder</dt><dd>{_sources_html(context)}</dd>",
        f"<dt>Dannet</dt><dd>{format_datetime(context.built)}</dd>",
        "</dl>", "</header>",
    ]
    return "\n".join(parts)


@lru_cache(maxsize=4)
def git_commit(root: Path | None = None) -> str:
    """``git rev-parse HEAD`` of the checkout, '(med lokale ændringer)' when it differs; else 'ukendt'."""
    root = root or config.PROJECT_ROOT
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}", head.stdout.strip()):
            return UNKNOWN
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return UNKNOWN
    commit = head.stdout.strip()
    return commit + (" (med lokale ændringer)" if dirty.returncode == 0 and dirty.stdout.strip() else "")


def footer_html(context: ReportContext) -> str:
    quality = context.quality
    rows = []
    for source in context.sources or tuple(quality):
        entry = quality.get(source)
        if not isinstance(entry, dict):
            continue
        files = entry.get("files", [])
        for i, f in enumerate(files):
            numbers = "".join(
                f'<td class="tal">{format_number(f[k]) if isinstance(f.get(k), (int, float)) else "–"}</td>'
                for k in ("rows_in", "rows_clean", "rows_rejected", "duplicates_removed"))
            label = (f'<th scope="rowgroup" rowspan="{len(files)}">{html.escape(str(entry.get("title") or source))}</th>'
                     if i == 0 else "")
            digest = html.escape(str(f.get("sha256") or UNKNOWN))
            rows.append(f"<tr>{label}<td>{html.escape(_file_name(f.get('file', '?')))}</td>{numbers}"
                        f'<td><code class="analyse-hash">{digest}</code></td></tr>')
    parts = [f'<footer class="analyse-footer"><h2 id="{FOOTER_ID}">Datagrundlag og kørsel</h2>']
    if rows:
        parts += [
            '<table class="analyse-proveniens"><caption>Rå udtræk bag rapporten</caption>',
            "<thead><tr><th>Kilde</th><th>Fil</th><th class=\"tal\">Rækker</th><th class=\"tal\">Indgår</th>"
            "<th class=\"tal\">Afvist</th><th class=\"tal\">Dubletter</th><th>SHA-256</th></tr></thead>",
            "<tbody>", *rows, "</tbody></table>",
            "<p>SHA-256 er filens fingeraftryk: den samme værdi betyder nøjagtig den samme fil.</p>",
        ]
    else:
        parts.append("<p>Oplysninger om de rå udtræk (kvalitet.json) findes ikke for denne kørsel.</p>")
    if context.parameters:
        parts += ['<table class="analyse-proveniens analyse-parametre"><caption>Parametre</caption>',
                  "<tbody>",
                  *(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>"
                    for k, v in context.parameters.items()),
                  "</tbody></table>"]
    parts.append(
        '<p class="analyse-version">'
        f"Dannet {format_datetime(context.built)} med analyse {html.escape(__version__)}, "
        f"git-commit <code>{html.escape(git_commit())}</code>"
        + (f", notebook <code>{html.escape(context.name)}.ipynb</code>" if context.name else "")
        + ".</p>"
    )
    parts.append("</footer>")
    return "\n".join(parts)


PAGE_CSS = """
<style type="text/css">
.analyse-header { border-bottom: 3px solid #1f4e79; margin: 0 0 1.2em 0; padding-bottom: 0.8em; }
.analyse-header h1 { margin: 0.2em 0 0.4em 0; font-size: 2em; line-height: 1.2; color: #1f2933; }
.analyse-header .analyse-periode p { margin: 0.2em 0; }
.analyse-fakta { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 0.6em 0 0 0; }
.analyse-fakta dt { font-weight: bold; }
.analyse-fakta dd { margin: 0; }
.analyse-fakta ul { margin: 0; padding-left: 1.1em; }
.analyse-filnavne { color: #555; font-size: 0.9em; }
.analyse-toc { background: #f4f6f8; border-left: 4px solid #1f4e79; padding: 0.6em 1.2em; margin: 0 0 1.5em 0; }
.analyse-toc-titel { font-weight: bold; margin: 0 0 0.3em 0; }
.jp-RenderedHTMLCommon .analyse-toc ol { margin: 0; padding-left: 1.2em; list-style: none; counter-reset: afsnit; }
.analyse-toc li { counter-increment: afsnit; }
.analyse-toc li::before { content: counters(afsnit, ".") ". "; color: #555; }
.analyse-toc a { color: #1f4e79; }
.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th { font-variant-numeric: tabular-nums; }
.jp-RenderedHTMLCommon table { table-layout: auto; }  /* nbconvert's 'fixed' squeezes row labels */
.jp-RenderedHTMLCommon tbody th { min-width: 5em; }
.jp-OutputArea-child + .jp-OutputArea-child { margin-top: 1.2em; }  /* two tables from one cell */
.analyse-footer { border-top: 3px solid #1f4e79; margin-top: 2.5em; padding-top: 0.5em; font-size: 0.9em; }
.analyse-footer table { border-collapse: collapse; margin: 0.5em 0 1em 0; }
.analyse-footer caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
.analyse-footer th, .analyse-footer td { border-bottom: 1px solid #ddd; padding: 0.2em 0.5em;
  text-align: left; vertical-align: top; }
.analyse-footer .tal { text-align: right; font-variant-numeric: tabular-nums; }
.analyse-hash { font-size: 0.85em; word-break: break-all; }
.analyse-version { color: #444; }
.analyse-syntetisk { break-inside: avoid; }
@media print {
  .analyse-toc { break-inside: avoid; }
  .analyse-footer { break-before: page; }
  h2, h3 { break-after: avoid; }
  .jp-OutputArea-output img { max-width: 100%; break-inside: avoid; }
  @page { margin: 18mm 15mm;
    @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #555; } }
}
</style>
"""


def _print_banner_css() -> str:
    """The synthetic-data warning in the top margin of every printed page (CSS page margin box)."""
    text = SYNTHETIC_TEXT.replace('"', "'")
    return ('<style type="text/css">@media print { @page { @top-center { content: "⚠ ' + text + '"; '
            "font: bold 10pt sans-serif; color: #5c4400; } } }</style>\n")


def _block(inner: str) -> str:
    """Wrapped like a Markdown cell, so it gets the report's fonts, sizes and margins."""
    if not inner:
        return ""
    return ('<div class="jp-Cell jp-MarkdownCell analyse-block"><div class="jp-RenderedHTMLCommon '
            f'jp-RenderedMarkdown">\n{inner}\n</div></div>')


def finish(body: str, facts: PageFacts, title: str, context: ReportContext | None = None) -> str:
    """The finished page: header, contents, footer and banners around nbconvert's ``body``.

    Raises :class:`ReportPageError` if the page would fetch anything.
    """
    context = context or ReportContext()
    synthetic = context.synthetic or facts.had_banner
    body = re.sub(r"(<style[^>]*>)(.*?)(</style>)",
                  lambda m: m.group(1) + re.sub(r"/\*.*?\*/", "", m.group(2), flags=re.DOTALL) + m.group(3),
                  body, flags=re.DOTALL)
    footer = footer_html(context)
    body, headings = add_heading_ids(body)
    headings.append((2, FOOTER_ID, "Datagrundlag og kørsel"))
    banner = (synthetic_banner(context.processed_dir) if context.processed_dir else None) or (
        f'<div class="{BANNER_CLASS}" role="alert" style="background:#fff3cd;border:2px solid #d39e00;'
        f'color:#5c4400;padding:0.6em 1em;margin:0 0 1em 0;font-weight:bold;font-size:1.1em;'
        f'border-radius:4px;">⚠ {html.escape(SYNTHETIC_TEXT)}</div>')
    banner = _block(banner) if synthetic else ""
    top = "\n".join(filter(None, [banner, _block(header_html(facts, title, context)), _block(toc_html(headings))]))
    bottom = "\n".join(filter(None, [_block(footer), banner]))
    css = PAGE_CSS + (_print_banner_css() if synthetic else "")
    body = body.replace("</head>", css + "</head>", 1)
    if "<main>" in body:
        body = body.replace("<main>", "<main>\n" + top + "\n", 1)
        head, sep, tail = body.rpartition("</main>")
        body = head + bottom + "\n" + sep + tail
    else:
        body = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + "\n" + top + "\n", body, count=1)
        head, sep, tail = body.rpartition("</body>")
        body = head + bottom + "\n" + sep + tail
    problems = external_references(body)
    if problems:
        raise ReportPageError("rapporten ville hente indhold udefra: " + ", ".join(problems[:5]))
    return body


# --- the offline check --------------------------------------------------------------------

_RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "background", "lowsrc", "dynsrc", "manifest"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)


def _embedded(value: str) -> bool:
    value = value.strip()
    return not value or value.startswith(("data:", "#"))


def _css_problems(css: str) -> list[str]:
    problems = ["@import i CSS" for _ in _CSS_IMPORT.finditer(css)]
    problems += [f"url({m.group(2)[:60]})" for m in _CSS_URL.finditer(css) if not _embedded(m.group(2))]
    return problems


class _Scanner(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = [(k.lower(), v or "") for k, v in attrs]
        for name, value in attrs:
            if name in _RESOURCE_ATTRS:
                values = [v.strip().split(" ")[0] for v in value.split(",")] if name == "srcset" else [value]
                self.problems += [f"<{tag} {name}={v[:60]}>" for v in values if not _embedded(v)]
            elif name in ("href", "xlink:href") and tag in ("link", "base", "image", "use", "script"):
                if not _embedded(value):
                    self.problems.append(f"<{tag} {name}={value[:60]}>")
            elif name == "style":
                self.problems += _css_problems(value)
            elif tag == "meta" and name == "http-equiv" and value.lower() == "refresh":
                self.problems.append("<meta http-equiv=refresh>")
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.problems += _css_problems(re.sub(r"/\*.*?\*/", "", data, flags=re.DOTALL))


def external_references(page: str) -> list[str]:
    """Everything in ``page`` a browser would fetch from outside the file; empty when self-contained.

    Only ``data:`` URLs and in-page ``#`` references count as inside. Links
    (``<a href>``) are not fetched and are allowed.

    >>> external_references('<img src="data:image/png;base64,AA"><a href="https://x.dk">x</a>')
    []
    >>> external_references('<script src="https://cdn/x.js"></script><style>@import url(http://f/a.css);</style>')
    ['<script src=https://cdn/x.js>', '@import i CSS', 'url(http://f/a.css)']
    >>> external_references('<link rel="stylesheet" href="x.css"><img src="fig.png"><div style="background:url(//a/b)">')
    ['<link href=x.css>', '<img src=fig.png>', 'url(//a/b)']
    """
    scanner = _Scanner()
    scanner.feed(page)
    scanner.close()
    return scanner.problems
