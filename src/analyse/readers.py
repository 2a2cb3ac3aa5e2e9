"""Reading raw extracts: CSV in any of the contract's encodings and separators, or XLSX.

Every cell is read as text: typing happens later in the source's cleaner, where a
bad value can be rejected with a reason instead of silently turning into NaN.
Headers are matched to the contract's aliases case-insensitively, ignoring
surrounding and repeated spaces. Title rows above the header (a common sight in
spreadsheets exported by hand) are skipped by looking for the header row.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from analyse.exceptions import InputFileError, MissingColumnError

READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx")
SEPARATORS = (";", "\t", ",")
# Header rows are looked for this far down: enough for a few title lines above the table.
HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Column:
    """One column of a source's contract: its processed name, its label and accepted headers."""

    name: str
    label: str
    aliases: tuple[str, ...]
    required: bool = True

    @property
    def accepted(self) -> list[str]:
        return list(self.aliases)


@dataclass
class RawTable:
    """One extract as text cells under the contract's column names.

    ``data`` has one column per contract column found (missing optional ones are
    blank), plus ``source_file`` and ``source_row`` (the row number a person sees
    in the file: header = row of the header line, first data row below it).
    """

    file: str
    data: pd.DataFrame
    encoding: str | None = None
    separator: str | None = None
    header_row: int = 1
    sha256: str = ""
    ignored_columns: list[str] = field(default_factory=list)


def normalise_header(text: object) -> str:
    """Header text as compared with aliases.

    >>> normalise_header("  Timer   pr. UGE ")
    'timer pr. uge'
    >>> normalise_header("\\ufeffCPR-nr")
    'cpr-nr'
    """
    return re.sub(r"\s+", " ", str(text).replace("\ufeff", "")).strip().casefold()


def list_extracts(folder: Path) -> list[Path]:
    """The readable files of one source folder, sorted by name (hidden files and lock files skipped)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in READABLE_SUFFIXES
        and not p.name.startswith((".", "~$"))
    )


def detect_encoding(data: bytes, file: str) -> str:
    """UTF-8 with BOM, UTF-8, or cp1252 — the encodings Danish systems export.

    >>> detect_encoding("Beløb".encode("cp1252"), "x.csv")
    'cp1252'
    >>> detect_encoding("\\ufeffBeløb".encode("utf-8"), "x.csv")
    'utf-8-sig'
    """
    if b"\x00" in data[:4096]:
        raise InputFileError(file, "filen ligner ikke en tekstfil (CSV); gem den som CSV eller XLSX")
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError as exc:
        raise InputFileError(
            file, f"ukendt tegnsæt (hverken UTF-8 eller Windows-1252) ved byte {exc.start}"
        ) from None


def detect_separator(lines: Sequence[str]) -> str:
    """The separator that splits the header-ish lines into the most fields, respecting quotes.

    >>> detect_separator(["CPR;Ydelse;Start", "x;y;z"])
    ';'
    >>> detect_separator(['cpr,ydelse,start', '1,"§ 84 midlertidig botilbud, aflastning",2'])
    ','
    """

    def width(line: str, sep: str) -> int:
        return len(next(csv.reader([line], delimiter=sep), []))

    best, best_width = ";", 1
    for sep in SEPARATORS:
        # The most common width over the first lines, so one odd title line does not decide.
        widths = [width(line, sep) for line in lines if line.strip()]
        if not widths:
            continue
        typical = max(set(widths), key=widths.count)
        if typical > best_width:
            best, best_width = sep, typical
    return best


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a CSV export would have held."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv_cells(path: Path) -> tuple[pd.DataFrame, str, str]:
    data = path.read_bytes()
    if not data.strip():
        raise InputFileError(path.name, "filen er tom")
    encoding = detect_encoding(data, path.name)
    head = data[:65536].decode(encoding, errors="ignore").splitlines()[:HEADER_SEARCH_ROWS]
    separator = detect_separator(head)
    # Title lines above the header may be narrower than the table: size the table by the
    # widest of the first lines, so only genuinely overlong data rows are errors.
    width = max(len(row) for row in csv.reader(head or [""], delimiter=separator))
    try:
        cells = pd.read_csv(
            path,
            sep=separator,
            encoding=encoding,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise InputFileError(
            path.name, "rækken har flere felter end overskriften (tjek separator og anførselstegn)", row=row
        ) from None
    except pd.errors.EmptyDataError:
        raise InputFileError(path.name, "filen er tom") from None
    return cells, encoding, separator


def _read_xlsx_cells(path: Path) -> pd.DataFrame:
    try:
        cells = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFileError(path.name, f"kan ikke læses som XLSX-regneark ({type(exc).__name__})") from None
    return cells.map(_cell_text)


def _find_header(cells: pd.DataFrame, columns: Sequence[Column]) -> int:
    """Index of the first row that holds the most contract headers (title rows above are skipped)."""
    alias_sets = [{normalise_header(a) for a in col.aliases} for col in columns]
    best_row, best_hits = 0, 0
    for i in range(min(HEADER_SEARCH_ROWS, len(cells))):
        found = {normalise_header(v) for v in cells.iloc[i]}
        hits = sum(bool(found & aliases) for aliases in alias_sets)
        if hits > best_hits:
            best_row, best_hits = i, hits
    return best_row


def _check_row_widths(file: str, headers: list[str], body: pd.DataFrame, row_numbers) -> None:
    """A CSV row with more fields than its header has shifted values: stop rather than guess."""
    width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
    if body.shape[1] <= width:
        return
    overlong = (body.iloc[:, width:].fillna("") != "").any(axis=1).to_numpy()
    if overlong.any():
        raise InputFileError(
            file, "rækken har flere felter end overskriften (tjek separator og anførselstegn)",
            row=int(row_numbers[overlong.argmax()]),
        )


def read_extract(path: Path, columns: Sequence[Column]) -> RawTable:
    """Read one extract and map its headers onto the contract's columns.

    Raises :class:`InputFileError` for an unreadable file and
    :class:`MissingColumnError` when a required column is absent.
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        cells, encoding, separator = _read_xlsx_cells(path), None, None
    else:
        cells, encoding, separator = _read_csv_cells(path)
    if cells.empty:
        raise InputFileError(path.name, "filen er tom")

    header_index = _find_header(cells, columns)
    headers = [normalise_header(v) for v in cells.iloc[header_index]]
    body = cells.iloc[header_index + 1 :]
    # Row numbers as a person sees them: CSV lines and spreadsheet rows count from 1.
    row_numbers = body.index.to_numpy() + 1
    if separator is not None:
        _check_row_widths(path.name, headers, body, row_numbers)

    data = pd.DataFrame(index=range(len(body)))
    used: dict[int, str] = {}
    for col in columns:
        aliases = {normalise_header(a) for a in col.aliases}
        positions = [i for i, h in enumerate(headers) if h in aliases]
        if not positions:
            if col.required:
                raise MissingColumnError(path.name, col.label, col.accepted)
            data[col.name] = ""
            continue
        if len(positions) > 1:
            names = ", ".join(repr(headers[i]) for i in positions)
            raise InputFileError(
                path.name, f"flere kolonner kan være {col.label!r} ({names}); fjern den ene", row=header_index + 1
            )
        used[positions[0]] = col.name
        data[col.name] = body.iloc[:, positions[0]].fillna("").astype(str).str.strip().to_numpy()

    # Blank lines are not rows: skip them rather than reject them.
    contract_cells = data[[c.name for c in columns]]
    nonblank = (contract_cells != "").any(axis=1).to_numpy()
    data = data[nonblank].reset_index(drop=True)
    data["source_file"] = path.name
    data["source_row"] = row_numbers[nonblank]
    ignored = [h for i, h in enumerate(headers) if i not in used and h]
    return RawTable(
        file=path.name,
        data=data,
        encoding=encoding,
        separator=separator,
        header_row=header_index + 1,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        ignored_columns=ignored,
    )
