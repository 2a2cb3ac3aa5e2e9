"""The finished report pages: self-contained, no code, contents that resolve, header, provenance, banner.

The fast tests build a page from a hand-made executed notebook; the slow ones
parse every report of the shared sample build (conftest ``build``) with the
standard library's HTML parser, independently of analyse.report_page's own check.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analyse.report_page import (
    ReportContext,
    ReportPageError,
    effective_parameters,
    external_references,
    slug,
    toc_html,
)
from analyse.runner import report_html

HASH = "ab" * 32


class Page(HTMLParser):
    """What the tests need to know about a page: resource references, ids, links, headings, classes."""

    RESOURCE = {"src", "srcset", "poster", "data", "background"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.resources: list[str] = []
        self.ids: dict[str, str] = {}
        self.toc_links: list[str] = []
        self.classes: list[str] = []
        self.css: list[str] = []
        self.text_parts: list[str] = []
        self._stack: list[str] = []
        self._in_toc = 0
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for name, value in attrs:
            if name in self.RESOURCE or (name == "href" and tag in ("link", "script", "image", "use", "base")):
                self.resources.append(f"{tag}[{name}]={value}")
            if name == "style":
                self.css.append(value or "")
        if "id" in a:
            self.ids[a["id"]] = tag
        cls = a.get("class") or ""
        self.classes.append(cls)
        if tag == "nav" and "analyse-toc" in cls:
            self._in_toc += 1
        if self._in_toc and tag == "a":
            self.toc_links.append(a.get("href", ""))
        if tag not in ("img", "br", "meta", "link", "input", "hr"):
            self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "nav" and self._in_toc:
            self._in_toc -= 1
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_data(self, data):
        if self._stack and self._stack[-1] == "style":
            self.css.append(data)
        elif not (self._stack and self._stack[-1] == "script"):
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def external(self) -> list[str]:
        bad = [r for r in self.resources if not r.split("=", 1)[1].startswith(("data:", "#"))]
        for css in self.css:
            css = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)
            bad += [f"@import {m}" for m in re.findall(r"@import[^;]*", css)]
            bad += [u for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css) if not u.startswith("data:")]
        return bad


def _executed_notebook(banner: bool = True):
    outputs_top = [new_output("display_data", data={"text/html": '<div class="analyse-syntetisk">⚠ Syntetiske data</div>'})] if banner else []
    return new_notebook(cells=[
        new_code_cell('processed_dir: str = ""\nfirst_period = "2016H1"\napi_token = "x"',
                      metadata={"tags": ["parameters"]}),
        new_code_cell('processed_dir = "/hjem/bruger/hemmelig/processed"', metadata={"tags": ["injected-parameters"]}),
        new_code_cell("vis_banner()", outputs=outputs_top),
        new_markdown_cell("# Min rapport\n\nIndledning."),
        new_code_cell("periode()", outputs=[new_output(
            "display_data", data={"text/markdown": "**Periode:** 1. halvår 2019. **Kilde:** as2007."})]),
        new_markdown_cell("## Første afsnit\n\nTekst.\n\n### Et underafsnit"),
        new_code_cell("tabel()", execution_count=4, outputs=[new_output(
            "display_data", data={"text/html": "<table><caption>Tabel 1: Test</caption><tr><td>1.234</td></tr></table>"})]),
        new_markdown_cell("## Første afsnit"),  # same title twice: ids must still differ
        new_code_cell("vis_banner()", outputs=outputs_top),
    ])


def _processed(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "SYNTETISKE_DATA.txt").write_text("x", encoding="utf-8")
    (folder / "kvalitet.json").write_text(json.dumps({"as2007": {
        "title": "Visiterede ydelser (AS2007)", "first_start": "2012-01-01", "last_start": "2019-06-16",
        "files": [{"file": "as2007_2019.csv", "sha256": HASH, "rows_in": 1500, "rows_clean": 1480,
                   "rows_rejected": 12, "duplicates_removed": 8}]}}), encoding="utf-8")
    return folder


def test_page_has_header_contents_footer_and_one_banner_top_and_bottom(tmp_path):
    nb = _executed_notebook()
    context = ReportContext(name="01_test", processed_dir=_processed(tmp_path / "p"),
                            parameters=effective_parameters(nb), synthetic=True, sources=("as2007",))
    page = report_html(nb, "Min rapport", context)
    parsed = Page(page)

    assert parsed.external() == [] and external_references(page) == []
    header = page[page.index('class="analyse-header"'):page.index("</header>")]
    assert "<h1>Min rapport</h1>" in header
    assert "Periode:</strong> 1. halvår 2019" in header
    assert "Visiterede ydelser (AS2007)" in header and "nyeste dato i data 16. juni 2019" in header
    assert page.count("<h1") == 1  # the notebook's own title moved into the header
    assert page.count("Periode:</strong>") == 1  # the period line moved, not copied
    # Contents: every link lands on a heading, ids unique and ASCII.
    assert parsed.toc_links == ["#foerste-afsnit", "#et-underafsnit", "#foerste-afsnit-2", "#datagrundlag-og-koersel"]
    assert all(parsed.ids[link[1:]] in ("h2", "h3") for link in parsed.toc_links)
    # Footer: file, hash, counts, parameters without secrets or absolute paths, version, commit.
    footer = page[page.index('class="analyse-footer"'):]
    assert "as2007_2019.csv" in footer and HASH in footer and "1.480" in footer
    assert "first_period" in footer and "2016H1" in footer
    assert "api_token" not in page and "/hjem/bruger" not in page and "…/processed" in footer
    assert "git-commit" in footer and "analyse 0.1.0" in footer
    # The notebook's two banners are replaced by one on top and one at the bottom, and one for print.
    assert parsed.classes.count("analyse-syntetisk") == 2
    assert page.index('class="analyse-syntetisk"') < page.index('class="analyse-header"')
    assert page.rindex('class="analyse-syntetisk"') > page.index('class="analyse-footer"')
    assert "@top-center" in page
    assert "vis_banner" not in page and "tabel()" not in page


def test_real_data_has_no_banner(tmp_path):
    processed = _processed(tmp_path / "p")
    (processed / "SYNTETISKE_DATA.txt").unlink()
    page = report_html(_executed_notebook(banner=False), "Min rapport",
                       ReportContext(processed_dir=processed, synthetic=False))
    assert 'class="analyse-syntetisk"' not in page and "Syntetiske data" not in page
    assert "@top-center" not in page


def test_a_page_that_would_fetch_something_is_refused():
    nb = _executed_notebook()
    nb.cells.append(new_code_cell("x", outputs=[new_output(
        "display_data", data={"text/html": '<img src="https://example.org/logo.png">'})]))
    with pytest.raises(ReportPageError, match="example.org"):
        report_html(nb, "Min rapport")


def test_a_cpr_number_in_a_file_name_is_not_shown(tmp_path):
    processed = _processed(tmp_path / "p")
    quality = json.loads((processed / "kvalitet.json").read_text(encoding="utf-8"))
    quality["as2007"]["files"][0]["file"] = "udtraek_010203-1234.csv"
    (processed / "kvalitet.json").write_text(json.dumps(quality), encoding="utf-8")
    page = report_html(_executed_notebook(), "R", ReportContext(processed_dir=processed, sources=("as2007",)))
    assert "010203-1234" not in page and "udtraek_[skjult tal].csv" in page


def test_slugs_and_nested_contents():
    assert slug("Besøg og anonyme registreringer") == "besoeg-og-anonyme-registreringer"
    toc = toc_html([(2, "a", "A"), (3, "b", "B & C"), (2, "c", "C")])
    assert re.sub(r"\s", "", toc).count("<ol>") == 2
    assert '<li><a href="#a">A</a><ol><li><a href="#b">B &amp; C</a></li></ol></li>' in toc


# --- every report of the sample build ------------------------------------------------------


def _reports(build) -> list[Path]:
    return sorted(p for p in build["reports"].glob("*.html") if p.name != "index.html")


@pytest.mark.slow
def test_every_report_is_self_contained_and_has_no_code(build):
    reports = _reports(build)
    assert {p.stem for p in reports} >= {"01_visiterede_ydelser", "02_psykiatriens_hus", "03_rusmiddel"}
    for path in [*reports, build["reports"] / "index.html"]:
        page = path.read_text(encoding="utf-8")
        parsed = Page(page)
        assert parsed.external() == [], path.name
        assert "<script" not in page, path.name
        code_cells = [c for c in parsed.classes if "jp-CodeCell" in c]
        assert all("jp-mod-noInput" in c for c in code_cells), path.name  # nbconvert left out every input
        assert not any(c in ("highlight", "jp-InputPrompt", "jp-CodeMirrorEditor") or "jp-Editor" in c
                       for c in parsed.classes), path.name
        assert "import " not in parsed.text, path.name


@pytest.mark.slow
def test_every_report_has_contents_header_footer_and_banner(build):
    quality = json.loads((build["processed"] / "kvalitet.json").read_text(encoding="utf-8"))
    expected_sources = {"01_visiterede_ydelser": "as2007", "02_psykiatriens_hus": "fremmoede",
                        "03_rusmiddel": "rusmiddel"}
    for path in _reports(build):
        page = path.read_text(encoding="utf-8")
        parsed = Page(page)
        assert len(parsed.toc_links) >= 2, path.name
        for link in parsed.toc_links:
            assert link.startswith("#") and parsed.ids.get(link[1:]) in ("h2", "h3"), (path.name, link)
        assert len(parsed.ids) == len(set(parsed.ids)), path.name
        assert "analyse-header" in page and "Datakilder" in parsed.text and "Dannet" in parsed.text, path.name
        assert "analyse-footer" in page and "Datagrundlag og kørsel" in parsed.text, path.name
        assert re.search(r"git-commit <code>([0-9a-f]{40}|ukendt)", page), path.name
        assert parsed.classes.count("analyse-syntetisk") == 2, path.name  # top and bottom
        shown = set(re.findall(r"\b[0-9a-f]{64}\b", page))
        known = {f["sha256"] for entry in quality.values() for f in entry["files"]}
        assert shown and shown <= known, path.name
        source = expected_sources.get(path.stem)
        if source:
            for f in quality[source]["files"]:
                assert f["file"] in page and f["sha256"] in page, (path.name, f["file"])
