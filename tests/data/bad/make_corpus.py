"""Writes the bad-input corpus beside this file (run once; the files are committed).

    python tests/data/bad/make_corpus.py

Every CPR number here is synthetic: made-up serial numbers on dates chosen by
hand (e.g. 29-02-2000, a leap day), none taken from a real person. Expected
outcomes are in ``expected.yaml``; ``tests/test_bad_input.py`` runs each file
through the real command line.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# Synthetic CPR numbers (valid dates, made-up serials).
A = "290200-4012"  # 29-02-2000 (7th digit 4: born 2000)
B = "311299-1001"  # 31-12-1999
C = "010170-1111"  # 01-01-1970
D = "150590-2222"  # 15-05-1990

AS_HEADER = "CPR;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb"
RM_HEADER = "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus"
FM_HEADER = "Dato;Tilbud;Deltager;Antal"


def text(name: str, lines: list[str], encoding: str = "utf-8", newline: str = "\n", bom: bool = False) -> None:
    data = newline.join(lines) + newline
    raw = data.encode(encoding)
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)


def raw_bytes(name: str, data: bytes) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def xlsx(name: str, rows: list[list], merge: list[str] = (), **replace: tuple[bytes, bytes]) -> None:
    """A workbook of ``rows``; each ``replace`` value (old, new) is applied to the sheet's XML."""
    book = Workbook()
    # Fixed document dates too (openpyxl writes the time of saving), so the file is the same on every run.
    book.properties.created = book.properties.modified = dt.datetime(2020, 1, 1)
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for area in merge:
        sheet.merge_cells(area)
    buffer = io.BytesIO()
    book.save(buffer)
    # Fixed timestamps inside the zip so the file is the same on every run.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in sorted(source.infolist(), key=lambda i: i.filename):
            info = zipfile.ZipInfo(item.filename, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":  # openpyxl stamps the time of saving here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2020-01-01T00:00:00Z", content)
            if item.filename == "xl/worksheets/sheet1.xml":
                for old, new in replace.values():
                    assert old in content, old
                    content = content.replace(old, new)
            target.writestr(info, content)
    raw_bytes(name, out.getvalue())


def main() -> None:
    # --- as2007 -------------------------------------------------------------------------------
    raw_bytes("as2007/empty.csv", b"")
    text("as2007/header_only.csv", [AS_HEADER])
    raw_bytes("as2007/binary_garbage.csv", bytes((i * 37 + 11) % 256 for i in range(600)))
    text("as2007/utf16.csv", [AS_HEADER, f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;"], encoding="utf-16")
    raw_bytes("as2007/undefined_cp1252_bytes.csv",
              (AS_HEADER + "\n" + f"{A};§ 85 bost\x81tte timetakst;01-02-2018;;;;\n").encode("latin-1"))
    text("as2007/misspelled_header.csv", ["CPR;Ydelsestyp;Startdato;Slutdato", f"{A};§ 85 bostøtte timetakst;01-02-2018;"])
    text("as2007/two_required_columns_missing.csv", ["Personnr;Ydelsestype;Startdato;Til", f"{A};§ 85 bostøtte timetakst;01-02-2018;"])
    text("as2007/quoted_separator.csv", [
        "cpr,ydelse,start,slut,leverandør",
        f'{A},"§ 84 midlertidig botilbud, aflastning",01-02-2018,,"Bo, Støtte og Co"',
        f'{B},§ 85 bostøtte timetakst,01-03-2018,,',
    ])
    text("as2007/mixed_date_forms.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;",
        f"{B};§ 85 bostøtte timetakst;1.2.2018;28/02/2018;;;",
        f"{C};§ 85 bostøtte timetakst;2018-02-01;;;;",
        f"{D};§ 85 bostøtte timetakst;43132;43159;;;",
    ])
    text("as2007/feb31_dates.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;31-02-2018;;;;",
        f"{B};§ 85 bostøtte timetakst;01-02-2018;30-02-2018;;;",
        f"{C};§ 85 bostøtte timetakst;01-02-2018;;;;",
    ])
    text("as2007/future_dates.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;01-02-2018;31-12-2030;;;",  # a grant running for years: fine
        f"{B};§ 85 bostøtte timetakst;01-02-2030;;;;",  # a planned grant: fine
        f"{C};§ 85 bostøtte timetakst;01-02-2918;;;;",  # a typo for 2018: not a date
        f"{D};§ 85 bostøtte timetakst;01-02-2018;31-12-9999;;;",  # 'no end' written as 31-12-9999: ongoing
        f"{D};§ 85 bostøtte døgntakst;01-02-2018;01-01-9999;;;",  # any other day of 9999: not a date
    ])
    text("as2007/end_before_start.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;01-06-2018;01-02-2018;;;",
        f"{B};§ 85 bostøtte timetakst;01-02-2018;01-02-2018;;;",
    ])
    text("as2007/negative_hours.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;-3;",
        f"{B};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;2,5;1.234,50",
        f"{C};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;to;",
        f"{D};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;1;kr. x",
    ])
    xlsx("as2007/cpr_excel_number.xlsx", [
        ["CPR", "Ydelsestype", "Startdato", "Slutdato"],
        [int(C.replace("-", "")), "§ 85 bostøtte timetakst", "01-02-2018", None],  # 10 digits as a number
        [int("0" + "10203" + "1234"), "§ 85 bostøtte timetakst", "01-02-2018", None],  # leading 0 lost: 9 digits
        [float(D.replace("-", "")), "§ 85 bostøtte timetakst", 43132, None],  # a float, serial date
    ])
    xlsx("as2007/merged_title_rows.xlsx", [
        ["Udtræk af visiterede ydelser, Randers Kommune"],
        ["Dannet 02-01-2019 af AS2007"],
        [],
        ["CPR-nr", "Paragraf og ydelse", "Bevilget fra", "Bevilget til", "Udfører"],
        [A, "SEL §85 Bostøtte - timetakst", "01-02-2018", None, "Bostøtten"],
        [B, "85 Bostøtte timetakst", "01-03-2018", "30-06-2018", "Bostøtten"],
    ], merge=["A1:E1", "A2:E2"])
    text("as2007/trailing_total_rows.csv", [
        AS_HEADER,
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;;2;100",
        f"{B};§ 85 bostøtte timetakst;01-02-2018;;;3;200",
        "I alt;;;;;5;300",
        "Antal personer: 2;;;;;;",
    ])
    text("as2007/semicolon_in_unquoted_field.csv", [
        AS_HEADER,
        f"{B};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten;2;100",
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;Bo; Støtte ApS;2;100",
    ])
    # A quote opened by mistake and never closed: the reader takes the line breaks after it as part of
    # the cell (to the end of the file, or to the next quote, silently making one row of several).
    text("as2007/unclosed_quote.csv", [
        AS_HEADER,
        f"{B};§ 85 bostøtte timetakst;01-02-2018;;Team Syd;2;100",
        f'{A};§ 85 bostøtte timetakst;01-02-2018;;"Team Nord;2;100',
        f"{C};§ 85 bostøtte timetakst;01-02-2018;;Team Syd;2;100",
    ])
    text("as2007/unclosed_quotes_merge_rows.csv", [
        AS_HEADER,
        f'{A};§ 85 bostøtte timetakst;01-02-2018;;"Team Nord;;',
        f"{B};§ 85 bostøtte timetakst;01-02-2018;;Team Syd;;",
        f'{C};§ 85 bostøtte timetakst;01-02-2018;;"Team Nord;;',
        f"{D};§ 85 bostøtte timetakst;01-02-2018;;Team Syd;;",
    ])
    text("as2007/crlf_line_endings.csv", [AS_HEADER, f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;"], newline="\r\n")
    raw_bytes("as2007/bom_then_cp1252.csv",
              b"\xef\xbb\xbf" + (AS_HEADER + "\n" + f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;\n").encode("cp1252"))
    text("as2007/extra_unknown_columns.csv", [
        "CPR;Sagsbehandler;Ydelsestype;Startdato;Slutdato;Bemærkning",
        f"{A};XYZ;§ 85 bostøtte timetakst;01-02-2018;;ring tirsdag",
    ])
    text("as2007/duplicated_header_names.csv", [
        "CPR;Ydelsestype;Startdato;Slutdato;CPR",
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;{A}",
    ])
    text("as2007/whitespace_only_lines.csv", [
        AS_HEADER, "   ", f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;", "", "\t", f"{B};§ 85 bostøtte timetakst;01-02-2018;;;;", " ",
    ])
    xlsx("as2007/really_xlsx.csv", [["CPR", "Ydelsestype", "Startdato", "Slutdato"], [A, "§ 85 bostøtte timetakst", "01-02-2018", None]])
    raw_bytes("as2007/truncated.xlsx", b"PK\x03\x04" + b"\x14\x00\x00\x00" * 10)
    text("as2007/invalid_cpr_and_duplicates.csv", [
        AS_HEADER,
        "310299-1234;§ 85 bostøtte timetakst;01-02-2018;;;;",  # 31 February
        "290201-4012;§ 85 bostøtte timetakst;01-02-2018;;;;",  # 29 February 2001
        "12345;§ 85 bostøtte timetakst;01-02-2018;;;;",
        ";§ 85 bostøtte timetakst;01-02-2018;;;;",
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;",
        f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;",
        f"{A};Helt ukendt ydelse;01-02-2018;;;;",
    ])
    text("as2007/tab_separated_cp1252.tsv", [
        AS_HEADER.replace(";", "\t"), f"{A}\t§ 85 bostøtte døgntakst\t01-02-2018\t\tBostøtten Ærø\t\t",
    ], encoding="cp1252")

    # Lines pasted from a Windows-1252 file into a UTF-8 one: neither reading is right.
    raw_bytes("as2007/mixed_utf8_and_cp1252.csv", (
        (AS_HEADER + "\n" + f"{A};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten Ærø;;\n").encode("utf-8")
        + f"{B};§ 85 bostøtte timetakst;01-02-2018;;Bostøtten Ærø;;\n".encode("cp1252")
    ))
    raw_bytes("as2007/old_excel_format.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    xlsx("as2007/macro_workbook.xlsm", [["CPR", "Ydelsestype", "Startdato", "Slutdato"],
                                        [A, "§ 85 bostøtte timetakst", "01-02-2018", None]])
    # A formula written by a program with no stored result reads as an empty cell (an ongoing
    # grant); one whose result is stored, as Excel saves it, reads as that result.
    formula_rows = [["CPR", "Ydelsestype", "Startdato", "Slutdato"],
                    [A, "§ 85 bostøtte timetakst", "01-02-2018", "=C2"], [B, "§ 85 bostøtte timetakst", "01-03-2018", None]]
    xlsx("as2007/formula_without_result.xlsx", formula_rows)
    xlsx("as2007/formula_with_result.xlsx", formula_rows,
         patch=(b"<f>C2</f><v />", b'<f>C2</f><v>01-03-2019</v>'), cell_type=(b'<c r="D2">', b'<c r="D2" t="str">'))

    # --- fremmoede ----------------------------------------------------------------------------
    text("fremmoede/names_cp1252.csv", [
        FM_HEADER,
        "02-01-2018;NADA;Søren Ærø;1",
        "02-01-2018;NADA;SØREN  ÆRØ;",
        "03-01-2018;Kreativ;;4",
        "03-01-2018;;Åse Øster;1",
    ], encoding="cp1252")
    text("fremmoede/bad_antal_and_dates.csv", [
        FM_HEADER,
        "02-01-2018;NADA;Anne Hansen;-2",
        "02-01-2018;NADA;Bo Jensen;x",
        "02-01-2018;NADA;Carl Berg;1,5",
        "02-01-2018;NADA;Dorte Lund;0",
        "30-02-2018;NADA;Eva Holm;1",
        ";NADA;Finn Bak;1",
        "02-01-2018;NADA;Gitte Moe;2",
    ])
    text("fremmoede/future_date.csv", [
        FM_HEADER, "02-01-2018;NADA;Anne Hansen;1", "02-01-2918;NADA;Bo Jensen;1", "02-01-2090;NADA;Carl Berg;1",
    ])
    # An AS2007 extract dropped in the wrong folder (below a title line): not three errors in turn.
    text("fremmoede/as2007_extract_in_wrong_folder.csv", [
        "Visiterede ydelser 2018", AS_HEADER, f"{A};§ 85 bostøtte timetakst;01-02-2018;;;;",
    ])
    text("fremmoede/missing_deltager_column.csv", ["Dato;Tilbud;Antal", "02-01-2018;NADA;1"])
    text("fremmoede/bom_tab_trailing_total.csv", [
        FM_HEADER.replace(";", "\t"), "02-01-2018\tNADA\tAnne Hansen\t1", "03-01-2018\tFitness\tBo Jensen\t2",
        "I alt\t\t\t3",
    ], bom=True)
    text("fremmoede/unclosed_quote_last_row.csv", [
        FM_HEADER, "02-01-2018;NADA;Anne Hansen;1", '03-01-2018;"Kreativ værksted;Bo Jensen;1',
    ], newline="\r\n")
    text("fremmoede/quoted_newline_in_cell.csv", [
        FM_HEADER, '02-01-2018;"Kreativ\nværksted";Anne Hansen;1', "03-01-2018;NADA;Bo Jensen;1",
    ])

    # --- rusmiddel ----------------------------------------------------------------------------
    text("rusmiddel/status_rules.csv", [
        RM_HEADER,
        f"{A};Alkohol;01-02-2018;01-05-2018;Ophørt",
        f"{B};Alkohol;01-02-2018;01-05-2018;",
        f"{C};Stof;01-02-2018;;Reduceret",
        f"{D};Tobak;01-02-2018;;",
        f"{A};Stof;01-02-2018;01-05-2018;Måske",
        f"{B};ALKOHOL;01-06-2018;01-02-2018;Ophørt",
    ])
    text("rusmiddel/future_end_date.csv", [
        RM_HEADER,
        f"{A};Alkohol;01-02-2018;01-05-2018;Ophørt",
        f"{B};Alkohol;01-02-2018;01-05-2918;Reduceret",
        f"{C};Stof;01-02-2018;01-05-2090;Reduceret",
        f"{D};Stof;01-02-2090;;",  # a planned episode: kept
    ])
    xlsx("rusmiddel/excel_numbers_and_dates.xlsx", [
        ["Rusmiddelcenter Randers – behandlingsforløb"],
        [],
        ["cprnr", "misbrugstype", "startdato", "slutdato", "udfald"],
        [int("0" + "10203" + "1234"), "alkohol", 43132, 43221, "alkoholfri"],
        [int(C.replace("-", "")), "stof", 43132, None, None],
    ], merge=["A1:E1"])
    text("rusmiddel/misspelled_status_header.csv", [
        "CPR;Rusmiddel;Startdato;Slutdato;Afslutningstatus", f"{A};Alkohol;01-02-2018;;",
    ])


if __name__ == "__main__":
    main()
