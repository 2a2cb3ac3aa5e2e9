"""One spreadsheet per report: every table the report shows, as published, one sheet each.

:func:`analyse.formatting.show_table` attaches the published cells (``<5`` and
``X`` as text, numbers as numbers) to its display output. After a notebook has
run, the runner collects them with :func:`notebook_tables` and writes
``reports/tabeller/<report>.xlsx`` with :func:`write_workbook`, so the workbook
holds exactly the tables of the HTML report, in the same order.

Each sheet: the caption (row 1), ``Periode: … · Kilde: …`` (row 2), the
synthetic-data warning where it applies (row 3), the table with its header row
(from row 4), then the note.
"""

from __future__ import annotations

import os
import re
import uuid
from os import PathLike
from pathlib import Path

from analyse.formatting import SYNTHETIC_TEXT, TABLE_MIMETYPE

SHEET_NAME_MAX = 31  # Excel's limit
HEADER_ROW = 4
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_TRAILING_WORDS = frozenset(
    "i pr på af med for til om og eller der som at en et den det de fra ved under uden har efter".split()
)


def sheet_name(caption: str, taken: set[str]) -> str:
    """A readable, unique sheet name of at most 31 characters, cut at a word.

    ``taken`` is updated (compared case-insensitively, as Excel does).

    >>> taken = set()
    >>> sheet_name("Tabel 1: Unikke personer, der har modtaget en visiteret ydelse", taken)
    'Tabel 1 Unikke personer'
    >>> sheet_name("Tabel 1: Unikke personer, der har noget andet", taken)
    'Tabel 1 Unikke personer (2)'
    >>> sheet_name("Tabel 4: Kontakter pr. tilbud i Psykiatriens Hus", taken)
    'Tabel 4 Kontakter pr. tilbud'
    >>> sheet_name("'[Tabel]?'", set())
    'Tabel'
    """
    text = " ".join(_FORBIDDEN.sub(" ", caption).split()).strip("'").strip() or "Tabel"

    def cut(limit: int) -> str:
        if len(text) <= limit:
            return text
        words, out = text.split(" "), ""
        for word in words:
            if len(out) + len(word) + (1 if out else 0) > limit:
                break
            out = f"{out} {word}" if out else word
        # End on a content word: 'Tabel 4 Kontakter pr. tilbud i' reads better without the 'i'.
        words = (out or text[:limit]).rstrip(" ,;.–-").split(" ")
        while len(words) > 2 and words[-1].rstrip(",.").casefold() in _TRAILING_WORDS:
            words.pop()
        return " ".join(words).rstrip(" ,;.–-")

    name, n = cut(SHEET_NAME_MAX), 1
    while name.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f" ({n})"
        name = cut(SHEET_NAME_MAX - len(suffix)) + suffix
    taken.add(name)
    return name


def notebook_tables(nb) -> list[dict]:
    """The table payloads a notebook's outputs carry, in the order the report shows them.

    Cells the report hides (by tag) are skipped, as the HTML skips them.
    """
    from analyse.runner import HIDDEN_CELL_TAGS

    tables = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        if HIDDEN_CELL_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get(TABLE_MIMETYPE)
            if isinstance(payload, dict) and "rows" in payload:
                tables.append(payload)
    return tables


def _number_format(value, decimals: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) or decimals <= 0:
        return "#,##0" if isinstance(value, int) or float(value).is_integer() else "#,##0.0##"
    return "#,##0." + "0" * decimals


def _fill_sheet(sheet, table: dict, synthetic: bool) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append([table["caption"]])
    sheet.append([f"Periode: {table['period']} · Kilde: {table['source']}"])
    sheet.append([SYNTHETIC_TEXT] if synthetic else [])
    header = [table.get("index_name") or ""] + list(table["columns"])
    sheet.append(header)
    decimals = int(table.get("decimals") or 0)
    for row in table["rows"]:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row][1:]:
            fmt = _number_format(cell.value, decimals)
            if fmt:
                cell.number_format = fmt
            cell.alignment = Alignment(horizontal="right")
    if table.get("note"):
        sheet.append([])
        sheet.append([f"Note: {table['note']}"])

    sheet["A1"].font = Font(bold=True, size=12)
    if synthetic:
        sheet["A3"].font = Font(bold=True, color="9C5700")
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
        if cell.column > 1:
            cell.alignment = Alignment(horizontal="right", wrap_text=True)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=2)
    labels = [str(r[0]) for r in table["rows"]] + [header[0]]
    sheet.column_dimensions["A"].width = min(max([len(x) for x in labels] + [12]) + 2, 60)
    for i, title in enumerate(header[1:], start=2):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(len(str(title)), 8) + 2, 40)


def write_workbook(tables: list[dict], path: str | PathLike, synthetic: bool = False) -> Path:
    """Write the tables as one workbook, one sheet each; atomically (temp file + os.replace).

    A reader never opens a half-written file, and a failed write leaves the old
    workbook. The file gets the usual umask permissions (not mkstemp's 0600),
    so colleagues on a shared drive can open it.
    """
    from openpyxl import Workbook

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for table in tables:
        _fill_sheet(book.create_sheet(sheet_name(table["caption"], taken)), table, synthetic)
    if not tables:
        book.create_sheet("Ingen tabeller").append(["Rapporten viser ingen tabeller."])
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.xlsx")
    try:
        book.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def write_report_workbook(nb, path: str | PathLike, synthetic: bool = False) -> Path | None:
    """Write the workbook of an executed notebook's tables; remove a stale one if it shows none."""
    tables = notebook_tables(nb)
    if not tables:
        Path(path).unlink(missing_ok=True)
        return None
    return write_workbook(tables, path, synthetic=synthetic)
