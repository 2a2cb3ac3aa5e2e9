"""Tables as spreadsheets: one workbook per report, one sheet per table, the same numbers as the HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analyse.formatting import TABLE_MIMETYPE, format_number, table_payload
from analyse.workbook import HEADER_ROW, notebook_tables, sheet_name, write_report_workbook, write_workbook


class Tables(HTMLParser):
    """Every <table> of a page: its class, caption and rows of cell texts (th and td alike)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._table: dict | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = {"class": dict(attrs).get("class") or "", "caption": "", "rows": []}
        elif self._table is None:
            return
        elif tag == "caption":
            self._caption = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if self._table is None:
            return
        if tag == "caption" and self._caption is not None:
            self._table["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table["rows"].append(self._row)
            self._row = None
        elif tag == "table":
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._caption is not None:
            self._caption.append(data)


def _same(shown: str, stored) -> bool:
    """A shown cell and a stored one agree: a number shown with as many decimals as the page shows."""
    if stored is None:
        return shown in ("", "–")
    if isinstance(stored, (int, float)) and not isinstance(stored, bool):
        if not re.fullmatch(r"-?\d{1,3}(\.\d{3})*(,\d+)?", shown):
            return False
        decimals = len(shown.split(",")[1]) if "," in shown else 0
        return format_number(stored, decimals) == shown
    return shown == str(stored)


def _sheet_rows(sheet) -> list[list]:
    """The table part of a sheet: header row and body rows, up to the first empty row."""
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True):
        if all(v is None for v in row):
            break
        rows.append(list(row))
    return rows


# --- fast ---------------------------------------------------------------------------------


def test_sheet_names_are_readable_unique_and_short():
    taken: set[str] = set()
    names = [sheet_name(c, taken) for c in [
        "Tabel 1: Afslutning med reduktion eller ophør i alkoholbehandling",
        "Tabel 1: Afslutning med reduktion eller ophør i stofbehandling",
        "Tabel 2: [Kontakter]/borgere? *",
    ]]
    assert all(len(n) <= 31 for n in names) and len({n.casefold() for n in names}) == 3
    assert names[0].startswith("Tabel 1 Afslutning") and names[1].endswith("(2)")
    assert names[2] == "Tabel 2 Kontakter borgere"


def test_workbook_layout_and_atomic_write(tmp_path):
    table = pd.DataFrame({"2019H1": [1234, "<5", 0], "2019H2": [1100, 7, "X"]},
                         index=pd.Index(["§ 85 bostøtte timetakst", "§ 97 Ledsagerordning", "I alt"], name="Ydelsestype"))
    payload = table_payload(table, "Tabel 2: Test", "AS2007", "1. halvår 2019", note="En note")
    path = write_workbook([payload, payload], tmp_path / "01_rapport.xlsx", synthetic=True)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Tabel 2 Test", "Tabel 2 Test (2)"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "Tabel 2: Test"
    assert rows[1][0] == "Periode: 1. halvår 2019 · Kilde: AS2007"
    assert rows[2][0].startswith("Syntetiske data")
    assert rows[3] == ("Ydelsestype", "1. halvår 2019", "2. halvår 2019")
    assert rows[4] == ("§ 85 bostøtte timetakst", 1234, 1100)  # numbers stay numbers
    assert rows[5] == ("§ 97 Ledsagerordning", "<5", 7)  # markers stay as published
    assert "Note: En note" in [r[0] for r in rows]
    assert book.worksheets[0]["B5"].number_format == "#,##0"
    assert [p.name for p in tmp_path.iterdir()] == ["01_rapport.xlsx"]  # no temp file left


def test_report_workbook_comes_from_the_notebook_outputs(tmp_path):
    payload = table_payload(pd.DataFrame({"n": [7]}), "Tabel 1: Prøve", "K", "P")
    nb = new_notebook(cells=[
        new_code_cell("x", outputs=[new_output("display_data", data={"text/html": "<table></table>",
                                                                     TABLE_MIMETYPE: payload})]),
        new_code_cell("y", metadata={"tags": ["remove-cell"]}, outputs=[new_output(
            "display_data", data={"text/html": "", TABLE_MIMETYPE: {**payload, "caption": "Skjult"}})]),
    ])
    assert [t["caption"] for t in notebook_tables(nb)] == ["Tabel 1: Prøve"]
    path = tmp_path / "r.xlsx"
    write_report_workbook(nb, path)
    assert openpyxl.load_workbook(path).sheetnames == ["Tabel 1 Prøve"]
    write_report_workbook(new_notebook(cells=[]), path)  # no tables any more: no stale workbook
    assert not path.exists()


# --- every report of the sample build ------------------------------------------------------


@pytest.mark.slow
def test_each_report_has_its_workbook_with_the_numbers_of_its_html_tables(build):
    reports = sorted(p for p in build["reports"].glob("*.html") if p.name != "index.html")
    tables_dir = build["reports"] / "tabeller"
    checked = 0
    for report in reports:
        shown = [t for t in Tables(report.read_text(encoding="utf-8")).tables
                 if t["caption"] and "analyse-proveniens" not in t["class"]]
        book_path = tables_dir / f"{report.stem}.xlsx"
        if not shown:
            assert not book_path.exists(), report.name
            continue
        book = openpyxl.load_workbook(book_path)
        assert len(book.worksheets) == len(shown), report.name
        for table, sheet in zip(shown, book.worksheets):
            assert len(sheet.title) <= 31
            assert sheet["A1"].value == table["caption"], (report.name, sheet.title)
            assert sheet["A2"].value.startswith("Periode: ") and " · Kilde: " in sheet["A2"].value
            stored = _sheet_rows(sheet)
            assert len(stored) == len(table["rows"]), (report.name, sheet.title)
            for html_row, sheet_row in zip(table["rows"], stored):
                assert len(html_row) == len(sheet_row), (report.name, sheet.title, html_row)
                for text, value in zip(html_row, sheet_row):
                    assert _same(text, value), (report.name, sheet.title, text, value)
            checked += 1
    assert checked >= 10
    assert sorted(p.name for p in tables_dir.glob("*.xlsx")) == sorted(
        f"{r.stem}.xlsx" for r in reports if (tables_dir / f"{r.stem}.xlsx").exists())
