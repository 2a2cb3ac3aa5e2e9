"""Reading raw extracts: CSV in any of the contract's encodings and separators, or XLSX.

Every cell is read as text: typing happens later in the source's cleaner, where a
bad value can be rejected with a reason instead of silently turning into NaN.
Headers are matched to the contract's aliases case-insensitively, ignoring
surrounding and repeated spaces. Title rows above the header (a common sight in
spreadsheets exported by hand) are skipped by looking for the header row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

# Which files are extracts (read, or named as unreadable spreadsheets) is set in config, where
# make.py can ask it before pandas is installed.
from analyse.config import READABLE_SUFFIXES, UNREADABLE_SPREADSHEETS
from analyse.exceptions import InputFileError, MissingColumnError
from analyse.values import hide_cprs

SEPARATORS = (";", "\t", ",")
# Header rows are looked for this far down: enough for a few title lines above the table.
HEADER_SEARCH_ROWS = 15
# The byte values Windows-1252 does not define (Python's cp1252 codec rejects them).
CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


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


# In :attr:`RawTable.data`, when the file has columns outside the contract: their cells of
# each row joined, for telling duplicates apart only. Never written anywhere (it may hold names).
OTHER_CELLS = "_other_cells"


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


def shown_name(path: Path) -> str:
    """A raw file's name as outputs and messages give it: a CPR-like number in it hidden.

    (Files are sometimes named after the person they concern; the name goes into the clean
    table's ``source_file``, ``kvalitet.json``, the rejected rows and messages.)

    >>> shown_name(Path("udtræk 190211-8908.csv")), shown_name(Path("as2007_2016.csv"))
    ('udtræk [CPR skjult].csv', 'as2007_2016.csv')
    """
    return hide_cprs(Path(path).name)


def normalise_header(text: object) -> str:
    """Header text as compared with aliases.

    >>> normalise_header("  Timer   pr. UGE ")
    'timer pr. uge'
    >>> normalise_header("\\ufeffCPR-nr")
    'cpr-nr'
    """
    return re.sub(r"\s+", " ", str(text).replace("\ufeff", "")).strip().casefold()


def _visible_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))


def list_extracts(folder: Path) -> list[Path]:
    """The extracts of one source folder, sorted by name (hidden files and lock files skipped).

    Spreadsheets in a format that cannot be read (.xls, .ods, …) are included: reading one
    stops with a message saying how to save it (see :func:`read_extract`).
    """
    return [p for p in _visible_files(folder) if p.suffix.lower() in (*READABLE_SUFFIXES, *UNREADABLE_SPREADSHEETS)]


def ignored_files(folder: Path) -> list[Path]:
    """Files in a source folder that are not extracts at all (a PDF, a Word note): left out, to be named."""
    return [p for p in _visible_files(folder) if p not in list_extracts(folder)]


def detect_encoding(data: bytes, file: str) -> str:
    """UTF-8 with BOM, UTF-8, or cp1252 — the encodings Danish systems export.

    >>> detect_encoding("Beløb".encode("cp1252"), "x.csv")
    'cp1252'
    >>> detect_encoding("\\ufeffBeløb".encode("utf-8"), "x.csv")
    'utf-8-sig'
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFileError(file, "filen er gemt som UTF-16 (Unicode-tekst); gem den som CSV (UTF-8) eller XLSX")
    if data.startswith(b"PK\x03\x04"):
        raise InputFileError(file, "filen er et regneark (XLSX), men hedder ikke .xlsx; omdøb den til .xlsx")
    if b"\x00" in data[:4096]:
        raise InputFileError(file, "filen ligner ikke en tekstfil (CSV); gem den som CSV eller XLSX")
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        # The beginning first: decoding sizes its result by the whole input, so a Windows-1252
        # file failing at its first æ, ø or å would still cost a full-size allocation.
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536], final=False)
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start
    _check_not_mixed(data, file, not_utf8)
    # Windows-1252 leaves five byte values undefined; any of them means neither encoding fits.
    # (Searching for them is much faster than decoding the whole file, which the reader avoids.)
    undefined = [i for i in (data.find(b) for b in CP1252_UNDEFINED) if i >= 0]
    if undefined:
        first = min(undefined)
        raise InputFileError(
            file, f"ukendt tegnsæt (hverken UTF-8 eller Windows-1252) ved byte {first}",
            row=data.count(b"\n", 0, first) + 1,
        )
    return "cp1252"


def _first_utf8_letter(data: bytes) -> int:
    """Where the first UTF-8-encoded letter or sign of an export's range (æ, ø, å, é, §, €, –) is; -1 if none.

    Such a letter is two bytes, ``\\xc2`` or ``\\xc3`` and one in ``\\x80``–``\\xbf``; the
    signs Windows-1252 adds (€, –, ’) are three, ``\\xe2`` and two of them. Read as
    Windows-1252 they are "Ã¸", "Â§" or "â€“", which Danish text never holds, so finding one
    in a file that is not UTF-8 throughout means two encodings are mixed.

    >>> _first_utf8_letter("Beløb".encode("utf-8")), _first_utf8_letter("Beløb".encode("cp1252"))
    (3, -1)
    >>> _first_utf8_letter("5 € – x".encode("utf-8")), _first_utf8_letter("5 € – x".encode("cp1252"))
    (2, -1)
    >>> _first_utf8_letter("Ã and Â alone, â too".encode("cp1252"))
    -1
    """
    first = -1
    for lead, length in ((b"\xc2", 2), (b"\xc3", 2), (b"\xe2", 3)):
        # (bytes.find runs at memory speed; a regular expression would scan a large file slowly.)
        at = data.find(lead)
        while at >= 0 and (first < 0 or at < first):
            tail = data[at + 1 : at + length]
            if len(tail) == length - 1 and all(0x80 <= byte <= 0xBF for byte in tail):
                first = at
                break
            at = data.find(lead, at + 1)
    return first


def _check_not_mixed(data: bytes, file: str, not_utf8: int) -> None:
    """Stop on a file with UTF-8 letters and bytes that are not UTF-8 (two encodings mixed).

    Read as either encoding, part of its letters would come out wrong ("SÃ¸ren" or "S?ren"),
    silently: the same person would get two pseudonyms and a tilbud or ydelsestype an unknown
    name. Typically lines were pasted from another file or program.
    """
    utf8 = _first_utf8_letter(data)
    if utf8 < 0:
        return
    utf8_row, other_row = data.count(b"\n", 0, utf8) + 1, data.count(b"\n", 0, not_utf8) + 1
    raise InputFileError(
        file,
        f"blandet tegnsæt: række {utf8_row} er skrevet som UTF-8, men række {other_row} (byte {not_utf8}) "
        "som Windows-1252 eller et andet tegnsæt; ret rækkerne, og gem filen igen som CSV (UTF-8)",
        row=max(utf8_row, other_row),
    )


def _check_utf8_after_bom(data: bytes, file: str) -> None:
    """A file that starts with a UTF-8 BOM must be UTF-8 throughout (not BOM + Windows-1252)."""
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            file, f"filen begynder som UTF-8 (med BOM), men byte {exc.start} er ikke UTF-8 (blandet tegnsæt); "
            "gem filen igen som CSV (UTF-8)", row=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def detect_separator(lines: Sequence[str]) -> str:
    """The separator that splits the first lines most consistently into several fields.

    For each candidate, the most common field count over the lines (quotes respected)
    and how many lines have it: the true separator gives the header and the rows one
    count, a false one (the commas of Danish decimals) counts that vary with the
    content. The most consistent candidate wins, then the one with more fields.

    >>> detect_separator(["CPR;Ydelse;Start", "x;y;z"])
    ';'
    >>> detect_separator(['cpr,ydelse,start', '1,"§ 84 midlertidig botilbud, aflastning",2'])
    ','
    >>> detect_separator(["a;b;c;d", ";,,;,,,;,,"])  # more commas than semicolons in one row
    ';'
    >>> detect_separator(["a;b;c", '1;"x;2,5', "3;y;4,5", '5;"z;6,5'])  # quotes left open: still ';'
    ';'

    A line whose quotes do not pair up within it (a quote left open by mistake, or a
    cell holding a line break) is counted without regard to quotes: read with them,
    its fields after the quote would be one.
    """

    def width(line: str, sep: str) -> int:
        try:
            return len(next(csv.reader([line], delimiter=sep, strict=True), []))
        except csv.Error:
            return line.count(sep) + 1

    best, best_key = ";", (0, 1)
    for sep in SEPARATORS:
        widths = Counter(width(line, sep) for line in lines if line.strip())
        if not widths:
            continue
        # The most common width (a tie: the wider), so one odd title line does not decide.
        typical, lines_with_it = max(widths.items(), key=lambda item: (item[1], item[0]))
        if typical > 1 and (lines_with_it, typical) > best_key:
            best, best_key = sep, (lines_with_it, typical)
    return best


def _cell_text(value: object) -> str:
    """An XLSX cell as the text a Danish CSV export would have held.

    >>> [_cell_text(v) for v in [7.333, 2.0, -0.5, "7.333", None, dt.datetime(2018, 2, 1, 13, 5)]]
    ['7,333', '2', '-0,5', '7.333', '', '2018-02-01']
    """
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # With a decimal comma, as a Danish export writes it: "7.333" would read as 7333 (thousands).
        return repr(value).replace(".", ",")
    return str(value).strip()


def _line_count(data: bytes) -> int:
    """Lines up to the last non-blank byte (``\\n``-separated; blank lines at the end not counted).

    >>> _line_count(b"a;b\\r\\n1;2\\r\\n\\r\\n"), _line_count(b"a;b\\n\\n1;2"), _line_count(b"")
    (2, 3, 0)
    """
    end = len(data)
    while end and data[end - 1] in b" \t\r\n":
        end -= 1
    return data.count(b"\n", 0, end) + 1 if end else 0


_POOL_CHOSEN = False


def _prefer_fast_memory_pool() -> None:
    """Use jemalloc (else the system allocator) for pyarrow's buffers, unless the user chose one.

    pyarrow's default here, mimalloc, hands fresh memory back and forth so often that a
    1,000,000-row clean spent about 0.8 s of 3.2 s in page faults (measured: 2.4 s with
    jemalloc or the system allocator). Set ``ARROW_DEFAULT_MEMORY_POOL`` to override.
    """
    global _POOL_CHOSEN
    if _POOL_CHOSEN:
        return
    _POOL_CHOSEN = True
    import os

    import pyarrow as pa

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, AttributeError, pa.ArrowException):
        pa.set_memory_pool(pa.system_memory_pool())


def _read_csv_fast(data: bytes, encoding: str, separator: str, width: int) -> pd.DataFrame | None:
    """The cells as the C engine reads them (see :func:`_read_csv_cells`), read by pyarrow.

    pyarrow is several times faster, but it skips empty lines, which would shift
    the row numbers of every row below one. So its result is used only when it
    has exactly one row per line of the file (no empty lines, no line breaks
    inside quoted cells), and every row has the table's width (no narrower title
    rows, no overlong rows). Otherwise, and on any pyarrow error, this returns
    None and the caller reads with the C engine, which also words the precise
    error. A pyarrow error is never shown: its text quotes row content (CPR numbers).

    A Windows-1252 file is split into cells as bytes (separators and quotes are
    ASCII, so that is safe) and only then decoded, column by column (see
    :func:`_cp1252_column`), rather than transcoding the whole file first.
    """
    _prefer_fast_memory_pool()
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = [f"f{i}" for i in range(width)]
        cell_type = pa.binary() if encoding == "cp1252" else pa.string()
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 22),
            parse_options=pacsv.ParseOptions(delimiter=separator, newlines_in_values=b'"' in data),
            convert_options=pacsv.ConvertOptions(
                column_types={name: cell_type for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        if table.num_rows != _line_count(data):
            return None
        if encoding == "cp1252":
            table = pa.table([_cp1252_column(table.column(i)) for i in range(width)], names=names)
    except Exception:  # noqa: BLE001 - any doubt: the C engine reads it (and words the error)
        return None
    text = pd.StringDtype(storage="pyarrow", na_value=float("nan"))
    cells = table.to_pandas(types_mapper={pa.string(): text}.get)
    cells.columns = range(width)
    return cells


def _cp1252_column(column):
    """A column of Windows-1252 bytes as text, decoding each distinct value once.

    Chunks of plain ASCII (CPR numbers, dates, amounts: most columns) are already valid
    UTF-8 and are only relabelled; the others (ydelsestype, tilbud, leverandør) hold few
    distinct values, so decoding those once each and spreading them out is cheap.

    >>> import pyarrow as pa
    >>> _cp1252_column(pa.chunked_array([["Beløb".encode("cp1252"), b"", b"12"]], pa.binary())).to_pylist()
    ['Beløb', '', '12']
    """
    import numpy as np
    import pyarrow as pa

    chunks = []
    for chunk in column.chunks:
        # (A view, not a cast: ASCII is valid UTF-8. Whether a chunk is all ASCII is read off
        # its bytes in one pass, which costs a fraction of a per-value check.)
        as_text = chunk.view(pa.string())
        offsets, data = chunk.buffers()[1:3]
        if data is None or not len(chunk):
            chunks.append(as_text)
            continue
        ends = np.frombuffer(offsets, np.int32)
        first, last = ends[chunk.offset], ends[chunk.offset + len(chunk)]
        if not (np.frombuffer(data, np.uint8)[first:last] >= 0x80).any():
            chunks.append(as_text)
            continue
        encoded = chunk.dictionary_encode()
        texts = pa.array([v.decode("cp1252") for v in encoded.dictionary.to_pylist()], pa.string())
        chunks.append(pa.DictionaryArray.from_arrays(encoded.indices, texts).dictionary_decode())
    return pa.chunked_array(chunks, pa.string())


UNCLOSED_QUOTE = 'et anførselstegn (") er ikke lukket; luk det efter cellens tekst, eller fjern det'


def _quote_left_open(record: str, separator: str) -> tuple[int, int] | None:
    """Where a quoted cell of one record opens that no quote closes: (offset, field index), else None.

    ``record`` is the text of one record as a CSV reader read it (several lines when a
    quoted cell holds a line break). A quote is special only at the start of a cell, as
    for the readers; a cell is closed by a quote followed by the separator, a line break or
    the end. A quoted cell that runs past a line break and is "closed" by a quote followed
    by anything else (the quote that opens a later cell, ``;"Team Syd;``) is left open too.

    >>> _quote_left_open('1;"Team Nord;2\\n3;4;5\\n', ";")
    (2, 1)
    >>> _quote_left_open('1;"Team\\nNord";2\\n', ";"), _quote_left_open('1;"Bo ""Engen"", Randers";2', ";")
    (None, None)
    >>> _quote_left_open('"Team Nord;1\\n2;"Team Syd;3\\n', ";")
    (0, 0)
    """
    stop = re.compile(rf"[{re.escape(separator)}\r\n]")
    pos, field, end = 0, 0, len(record)
    while pos < end:
        if record[pos] == '"':
            opened, at = pos, pos + 1
            while True:
                close = record.find('"', at)
                if close < 0:
                    return opened, field
                if record.startswith('"', close + 1):  # "" is a quote inside the cell
                    at = close + 2
                    continue
                break
            pos = close + 1
            if pos < end and record[pos] not in (separator, "\r", "\n"):
                if "\n" in record[opened:close]:
                    return opened, field
                # Text after the closing quote on the same line: read on as part of the cell, as the readers do.
                found = stop.search(record, pos)
                pos = found.start() if found else end
        else:
            found = stop.search(record, pos)
            pos = found.start() if found else end
        if pos < end and record[pos] == separator:
            field, pos = field + 1, pos + 1
        else:
            break  # the record's line break (or its end)
    return None


def _unclosed_quote(text: str, separator: str) -> tuple[int, int] | None:
    """The line (from 1, as an editor counts) and field index where a quoted cell opens and is never closed.

    A quote opened by mistake (``"Team Nord`` without its closing quote) makes a reader take
    the line breaks after it as part of the cell: it reads to the end of the file, or to the
    next quote, and either stops with a misleading message or silently makes one row of
    several. Only records that span lines (or end the file) are looked at closely, so a
    file whose quoted cells hold no line breaks costs one pass of the C-coded csv reader.

    >>> _unclosed_quote('a;b;c\\n1;2;3\\n4;"Team Nord;6\\n7;8;9\\n', ";")
    (3, 1)
    >>> _unclosed_quote('a;b;c\\n1;"to\\nlinjer";3\\n4;5;6', ";") is None
    True
    >>> _unclosed_quote('a;b;c\\r\\n1;2;3\\r\\n4;"Team Nord;6\\r\\n', ";")
    (3, 1)
    """
    lines = text.split("\n")  # (a line keeps a "\r" it ends with: the csv module reads it as the line's end)
    reader = csv.reader(lines, delimiter=separator)

    def left_open(first: int, last: int) -> tuple[int, int] | None:
        record = "\n".join(lines[first:last])
        found = _quote_left_open(record, separator)
        return None if found is None else (first + 1 + record.count("\n", 0, found[0]), found[1])

    first = 0  # the index in ``lines`` of the current record's first line
    try:
        for _ in reader:
            last = reader.line_num  # (lines read so far: the record is lines[first:last])
            if last - first > 1 and (found := left_open(first, last)) is not None:
                return found
            previous, first = first, last
    except csv.Error:  # a cell longer than the csv module allows: a quote left open is the likely cause
        return left_open(first, len(lines))
    # The file's last record may end inside a quote (a line of its own when the file ends in a line break).
    return left_open(previous, len(lines)) if first and '"' in lines[previous] else None


def _column_name(head: list[str], separator: str, columns: Sequence[Column], line: int, field: int) -> str | None:
    """The header of field ``field`` (from 0) for a problem on ``line`` (from 1), if a header lies above it."""
    records = [next(csv.reader([text], delimiter=separator), []) for text in head]
    if not records:
        return None
    widest = max(len(record) for record in records)
    cells = pd.DataFrame([record + [""] * (widest - len(record)) for record in records])
    header_index = _find_header(cells, columns) if columns else 0
    header = records[header_index]
    if line <= header_index + 1 or field >= len(header) or not header[field].strip():
        return None
    return hide_cprs(re.sub(r"\s+", " ", header[field].replace("\ufeff", "")).strip())


def _read_csv_cells(
    path: Path, data: bytes | None = None, columns: Sequence[Column] = ()
) -> tuple[pd.DataFrame, str, str]:
    data = path.read_bytes() if data is None else data
    if not data or data.isspace():  # (not data.strip(): that copies the whole file)
        raise InputFileError(shown_name(path), "filen er tom")
    encoding = detect_encoding(data, shown_name(path))
    head = data[:65536].decode(encoding, errors="ignore").splitlines()[:HEADER_SEARCH_ROWS]
    separator = detect_separator(head)
    # Title lines above the header may be narrower than the table: size the table by the
    # widest of the first lines, so only genuinely overlong data rows are errors.
    width = max(len(row) for row in csv.reader(head or [""], delimiter=separator))
    cells = _read_csv_fast(data, encoding, separator, width)
    if cells is not None:
        return cells, encoding, separator
    if encoding == "utf-8-sig":
        _check_utf8_after_bom(data, shown_name(path))
    try:
        cells = pd.read_csv(
            io.BytesIO(data),
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
        _check_quotes_closed(path, data, encoding, separator, head, columns)
        if "EOF inside string" in str(exc):  # (found above as a rule; this is a safety net)
            raise InputFileError(shown_name(path), UNCLOSED_QUOTE) from None
        match = re.search(r"line (\d+)", str(exc))
        row = int(match.group(1)) if match else None
        raise InputFileError(
            shown_name(path), "rækken har flere felter end overskriften (tjek separator og anførselstegn)", row=row
        ) from None
    except pd.errors.EmptyDataError:
        raise InputFileError(shown_name(path), "filen er tom") from None
    if len(cells) < _line_count(data):
        # Fewer rows than lines: some quoted cell holds a line break. Rightly, or because a quote
        # was left open, which reads leniently as one row where there were several.
        _check_quotes_closed(path, data, encoding, separator, head, columns)
    return cells, encoding, separator


def _check_quotes_closed(path: Path, data: bytes, encoding: str, separator: str, head: list[str],
                         columns: Sequence[Column]) -> None:
    """Stop at a quote left open (see :func:`_unclosed_quote`), naming the line where it opens and its column."""
    if b'"' not in data:
        return
    unclosed = _unclosed_quote(data.decode(encoding), separator)
    if unclosed is not None:
        line, field = unclosed
        column = _column_name(head, separator, columns, line, field)
        reason = UNCLOSED_QUOTE if column is not None else f"{UNCLOSED_QUOTE} (felt nr. {field + 1})"
        raise InputFileError(shown_name(path), reason, row=line, column=column)


def _read_xlsx_cells(path: Path) -> pd.DataFrame:
    try:
        cells = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl")
        unsaved = _formula_without_result(path)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise InputFileError(shown_name(path), f"kan ikke læses som XLSX-regneark ({type(exc).__name__})") from None
    if unsaved is not None:
        coordinate, row = unsaved
        raise InputFileError(
            shown_name(path), f"cellen {coordinate} er en formel, hvis resultat ikke er gemt i filen (den er skrevet af "
            "et program, ikke gemt fra et regneark); åbn filen i Excel eller LibreOffice, og gem den igen",
            row=row,
        )
    return cells.map(_cell_text)


_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _formula_without_result(path: Path) -> tuple[str, int] | None:
    """The first cell of the first sheet holding a formula whose result is not stored, if any.

    Excel and LibreOffice store each formula's last result, and that is what is read. A
    workbook written by a program may hold the formula alone: its cell would read as empty,
    and an empty end date means an ongoing grant, so the row would be wrong without a word.
    Workbooks without any formula (nearly every export) are recognised from their XML at once.
    """
    import zipfile

    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(_FORMULA_ELEMENT.search(book.read(n)) for n in sheets):
            return None
    formulas = load_workbook(path, read_only=True, data_only=False).worksheets[0]
    results = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    for formula_row, result_row in zip(formulas.iter_rows(), results.iter_rows()):
        for formula, result in zip(formula_row, result_row):
            if getattr(formula, "data_type", None) == "f" and result.value is None:
                return formula.coordinate, formula.row
    return None


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


def _check_field_counts(file: str, data: bytes, encoding: str, separator: str, header_index: int) -> None:
    """A row near the top with more fields than the others has a separator inside a cell: stop.

    ``Bostedet; Engen`` written without quotes splits into two cells and moves every
    value right of it one column on. Below the first lines the reader itself refuses
    such a row (the table is as wide as the first lines); among them, when the row's
    last fields are empty, nothing overflows and :func:`_check_row_widths` cannot see
    it, so the first lines' fields are counted here. Exports that end every line with
    a separator are fine: only a row longer than both the header and the typical row
    is an error.
    """
    lines = data[:65536].decode(encoding, errors="ignore").splitlines()[:HEADER_SEARCH_ROWS]
    records = list(csv.reader(lines, delimiter=separator))
    if len(records) != len(lines) or header_index >= len(records):
        return  # a quoted line break among them: lines are not rows; the reader's checks apply
    widths = [len(record) for record in records]
    below = [(i, w) for i, w in enumerate(widths) if i > header_index and lines[i].strip()]
    if not below:
        return
    counts = pd.Series([w for _, w in below]).value_counts()
    typical = int(counts[counts == counts.max()].index.min())  # a tie: the narrower is the norm
    for i, w in below:
        if w > max(typical, widths[header_index]):
            raise InputFileError(
                file, "rækken har flere felter end de andre rækker (et skilletegn i en celle uden "
                "anførselstegn?); ret cellen eller sæt den i anførselstegn", row=i + 1,
            )


def _missing_columns(headers: list[str], columns: Sequence[Column]) -> list[Column]:
    """The required columns none of whose aliases is among ``headers`` (normalised)."""
    found = set(headers)
    return [col for col in columns if col.required and not found & {normalise_header(a) for a in col.aliases}]


def _belongs_elsewhere(path: Path, cells: pd.DataFrame, columns: Sequence[Column]) -> str | None:
    """Where a file missing required columns seems to belong, when its header fits another source better.

    An extract dropped in the wrong source folder misses most of that source's columns,
    while another source finds fewer of its own missing (none, as a rule). Said only when
    one source is the clear best fit, so that a misspelled header in the right folder gets no
    other folder suggested (a rusmiddel file without its status column lacks one column
    for as2007 too).
    """
    # Each source's columns, from its module (named as the source), imported by name here: the
    # sources' modules import this one, and the build (analyse.build) need not count them among the
    # code or mappings a source's clean depends on. They only word this message, and a stopped
    # clean writes nothing.
    import importlib

    from analyse import config

    sources = {name: importlib.import_module(f"analyse.{name}").COLUMNS for name in config.SOURCES}
    own = [name for name, cols in sources.items() if tuple(cols) == tuple(columns)]
    if not own:
        return None
    header_of = lambda cols: [normalise_header(v) for v in cells.iloc[_find_header(cells, cols)]]  # noqa: E731
    missing = {name: len(_missing_columns(header_of(cols), cols)) for name, cols in sources.items()}
    fewest = min(n for name, n in missing.items() if name != own[0])
    best = [name for name, n in missing.items() if name != own[0] and n == fewest]
    if fewest >= missing[own[0]] or len(best) != 1:
        return None
    where = f"filen ligger i mappen {path.parent.name}/, men" if path.parent.name == own[0] else "filen"
    return f"{where} ligner et udtræk fra {best[0]}: læg den i mappen {best[0]}/"


def read_extract(path: Path, columns: Sequence[Column]) -> RawTable:
    """Read one extract and map its headers onto the contract's columns.

    Raises :class:`InputFileError` for an unreadable file and
    :class:`MissingColumnError` when a required column is absent.
    """
    path = Path(path)
    if path.suffix.lower() in UNREADABLE_SPREADSHEETS:
        raise InputFileError(
            shown_name(path), f"filen er {UNREADABLE_SPREADSHEETS[path.suffix.lower()]}, som ikke kan læses; "
            "åbn den, og gem den som Excel-projektmappe (.xlsx) eller CSV (UTF-8)",
        )
    raw_bytes = path.read_bytes()  # read once: the checksum comes from the same bytes
    # hashlib lets go of the GIL on large inputs, so the checksum is taken while the file is parsed.
    with ThreadPoolExecutor(max_workers=1) as hasher:
        checksum = hasher.submit(lambda: hashlib.sha256(raw_bytes).hexdigest())
        table = _read_table(path, raw_bytes, columns)
    table.sha256 = checksum.result()
    return table


def _read_table(path: Path, raw_bytes: bytes, columns: Sequence[Column]) -> RawTable:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        cells, encoding, separator = _read_xlsx_cells(path), None, None
    else:
        cells, encoding, separator = _read_csv_cells(path, raw_bytes, columns)
    if cells.empty:
        raise InputFileError(shown_name(path), "filen er tom")

    header_index = _find_header(cells, columns)
    headers = [normalise_header(v) for v in cells.iloc[header_index]]
    body = cells.iloc[header_index + 1 :]
    # Row numbers as a person sees them: CSV lines and spreadsheet rows count from 1.
    row_numbers = body.index.to_numpy() + 1
    # Missing columns first: with none of the source's headers found (a file in the wrong folder),
    # a title line is taken for the header, and every row would be "longer than the header".
    missing = _missing_columns(headers, columns)
    if missing:
        raise MissingColumnError(
            shown_name(path), {col.label: col.accepted for col in missing}, hint=_belongs_elsewhere(path, cells, columns)
        )
    if separator is not None:
        _check_row_widths(shown_name(path), headers, body, row_numbers)
        _check_field_counts(shown_name(path), raw_bytes, encoding, separator, header_index)

    data = pd.DataFrame(index=range(len(body)))
    used: dict[int, str] = {}
    for col in columns:
        aliases = {normalise_header(a) for a in col.aliases}
        positions = [i for i, h in enumerate(headers) if h in aliases]
        if not positions:
            data[col.name] = ""
            continue
        if len(positions) > 1:
            names = ", ".join(repr(headers[i]) for i in positions)
            raise InputFileError(
                shown_name(path), f"flere kolonner kan være {col.label!r} ({names}); fjern den ene", row=header_index + 1
            )
        used[positions[0]] = col.name
        data[col.name] = body.iloc[:, positions[0]].fillna("").astype(str).str.strip().array

    # Columns outside the contract are not kept, but two rows that differ only there (the time of
    # day of two visits) are not duplicates: their cells, joined, go along for that comparison only.
    others = [i for i in range(body.shape[1]) if i not in used]
    if others:
        other_cells = body.iloc[:, others].fillna("").astype(str)
        data[OTHER_CELLS] = other_cells.iloc[:, 0].str.strip().array
        for i in range(1, len(others)):
            data[OTHER_CELLS] = (data[OTHER_CELLS] + "\x1f" + other_cells.iloc[:, i].str.strip().array).array

    # Blank lines are not rows: skip them rather than reject them.
    contract_cells = data[[c.name for c in columns]]
    nonblank = (contract_cells != "").any(axis=1).to_numpy()
    data = data[nonblank].reset_index(drop=True)
    data["source_file"] = shown_name(path)
    data["source_row"] = row_numbers[nonblank]
    ignored = [hide_cprs(h) for i, h in enumerate(headers) if i not in used and h]
    return RawTable(
        file=shown_name(path),
        data=data,
        encoding=encoding,
        separator=separator,
        header_row=header_index + 1,
        ignored_columns=ignored,
    )
