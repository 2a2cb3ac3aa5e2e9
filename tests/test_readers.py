"""Reading extracts: encodings, separators, XLSX, header aliases, title rows, clear errors."""

from __future__ import annotations

import datetime as dt
import re

import openpyxl
from hypothesis import example, given, settings
from hypothesis import strategies as st
import pytest

from analyse.as2007 import COLUMNS
from analyse.exceptions import ConfigError, InputFileError, MissingColumnError
from analyse.pipeline import clean_all
from analyse.readers import _read_csv_fast, detect_separator, ignored_files, list_extracts, read_extract
from tests.conftest import ROOT, write_csv

BAD_CORPUS = ROOT / "tests" / "data" / "bad"

HEADER = "CPR-nr;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb"
ROW = "010203-1234;§ 85 bostøtte døgntakst;01-02-2016;;Bostedet Engen;;1.234,50"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_every_encoding_and_separator_reads_the_same(tmp_path, encoding, sep):
    row = ROW if sep != "," else ROW.replace("1.234,50", '"1.234,50"')
    path = write_csv(tmp_path / "x.csv", [HEADER, row], encoding=encoding, sep=sep)
    table = read_extract(path, COLUMNS)
    assert table.encoding == encoding
    assert table.data.loc[0, "ydelsestype_raw"] == "§ 85 bostøtte døgntakst"
    assert table.data.loc[0, "leverandoer"] == "Bostedet Engen"
    assert table.data.loc[0, "amount_raw"] == "1.234,50"
    assert table.data.loc[0, "source_row"] == 2


def test_headers_match_aliases_case_and_spaces_insensitively(tmp_path):
    header = "  PERSONNUMMER ;Paragraf  og ydelse;Bevilget fra;Bevilget til;UDFØRER;timer;pris;Sagsbehandler"
    path = write_csv(tmp_path / "x.csv", [header, ROW + ";Jens"])
    table = read_extract(path, COLUMNS)
    assert table.data.loc[0, "cpr"] == "010203-1234"
    assert table.ignored_columns == ["sagsbehandler"]


def test_optional_columns_may_be_missing(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["cpr;ydelse;start;slut", "0102031234;x;01-01-2016;"])
    table = read_extract(path, COLUMNS)
    assert table.data.loc[0, "hours_raw"] == ""


def test_missing_required_column_names_file_column_and_aliases(tmp_path):
    path = write_csv(tmp_path / "bevillinger.csv", ["CPR;Ydelsestype;Slutdato", "0102031234;x;"])
    with pytest.raises(MissingColumnError) as err:
        read_extract(path, COLUMNS)
    message = str(err.value)
    assert "bevillinger.csv" in message and "'Startdato'" in message
    assert "'bevilget fra'" in message and "'fra dato'" in message


def test_title_rows_above_the_header_and_blank_lines_are_skipped(tmp_path):
    lines = ["Udtræk fra AS2007;;;", "Dannet 02-09-2019;;;", "", HEADER, ROW, "", ROW.replace("1234", "1236")]
    table = read_extract(write_csv(tmp_path / "x.csv", lines), COLUMNS)
    assert table.header_row == 4
    assert table.data["source_row"].tolist() == [5, 7]


def test_xlsx_first_sheet_with_native_dates_serials_and_numeric_cpr(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Visiterede ydelser"])
    sheet.append(["CPR", "Ydelsestype", "Fra dato", "Til dato", "Timer"])
    sheet.append([102031234, "§ 85 bostøtte timetakst", dt.datetime(2016, 2, 1), 42735, 3.5])
    sheet.append(["0102031234", "§ 85 bostøtte timetakst", "01.02.2016", None, 4])
    book.create_sheet("Andet ark").append(["ignored"])
    path = tmp_path / "x.xlsx"
    book.save(path)
    table = read_extract(path, COLUMNS)
    first = table.data.iloc[0]
    assert (first["cpr"], first["start_raw"], first["end_raw"], first["hours_raw"]) == (
        "102031234", "2016-02-01", "42735", "3,5")  # a decimal comma, as a Danish CSV export writes it
    assert table.data.iloc[1]["hours_raw"] == "4"
    assert table.data["source_row"].tolist() == [3, 4]


def test_xlsx_numbers_with_three_decimals_are_not_read_as_thousands(tmp_path):
    # 7.333 stored as a number is seven and a third: only text follows the Danish "1.234" rule.
    book = openpyxl.Workbook()
    book.active.append(["CPR", "Ydelsestype", "Startdato", "Slutdato", "Timer pr. uge", "Beløb"])
    book.active.append(["010203-1234", "§ 85 bostøtte timetakst", "01-02-2018", None, 7.333, 123.456])
    book.active.append(["010203-1234", "§ 85 bostøtte døgntakst", "01-02-2018", None, 2, "1.234"])
    (tmp_path / "raw" / "as2007").mkdir(parents=True)
    book.save(tmp_path / "raw" / "as2007" / "x.xlsx")
    summary = clean_all(tmp_path / "raw", tmp_path / "out", mappings_dir=tmp_path / "ingen")
    clean = summary.results["as2007"].clean
    assert clean["hours_per_week"].tolist() == [7.333, 2.0]
    assert clean["amount"].tolist() == [123.456, 1234.0]


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "tom"),
        (b"\n\n", "tom"),
        (b"\x00\x01\x02binary\x00", "tekstfil"),
        (b"\x81\x8d\x8f\x90\x9d" * 3, "tegnsæt"),
    ],
)
def test_unreadable_files_are_clear_errors(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        read_extract(path, COLUMNS)
    assert "bad.csv" in str(err.value) and expected in str(err.value)


def test_damaged_xlsx_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputFileError, match="bad.xlsx.*XLSX"):
        read_extract(path, COLUMNS)


def test_row_with_too_many_fields_names_the_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", [HEADER, ROW, ROW + ";extra;more"])
    with pytest.raises(InputFileError) as err:
        read_extract(path, COLUMNS)
    assert "række 3" in str(err.value)


def test_separator_detection_respects_quoted_separators():
    assert detect_separator(['a,b,c', '"x, y",2,3', '"z, w",5,6']) == ","
    assert detect_separator(["a\tb", "1,5\t2,5"]) == "\t"


def test_list_extracts_skips_hidden_lock_and_other_files(tmp_path):
    for name in ["b.csv", "a.XLSX", ".hidden.csv", "~$a.xlsx", "notes.docx", "c.xlsm", "old.xls", "d.ods"]:
        (tmp_path / name).write_text("x")
    # Spreadsheets that cannot be read are listed, so that reading them says what to do.
    assert [p.name for p in list_extracts(tmp_path)] == ["a.XLSX", "b.csv", "c.xlsm", "d.ods", "old.xls"]
    assert [p.name for p in ignored_files(tmp_path)] == ["notes.docx"]
    with pytest.raises(InputFileError, match=r"fil old.xls: .*gamle Excel-format.*\.xlsx"):
        read_extract(tmp_path / "old.xls", COLUMNS)


def test_files_that_are_not_extracts_are_named_when_cleaning(tmp_path, caplog):
    raw = tmp_path / "raw"
    write_csv(raw / "as2007" / "a.csv", [HEADER, ROW])
    (raw / "as2007" / "noter.docx").write_text("x")
    write_csv(raw / "b.csv", [HEADER, ROW])  # beside the source folders, not in one
    with caplog.at_level("WARNING"):
        summary = clean_all(raw, tmp_path / "out", mappings_dir=tmp_path / "ingen")
    assert summary.results["as2007"].quality["rows_in"] == 1
    assert "noter.docx er sprunget over" in caplog.text
    assert "b.csv ligger direkte i" in caplog.text


def test_folders_that_are_no_source_and_outputs_removed_are_named_when_cleaning(tmp_path, caplog):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "as2007" / "a.csv", [HEADER, ROW])
    write_csv(raw / "fremmoede" / "f.csv", ["Dato;Tilbud;Deltager", "05-02-2018;NADA;"])
    clean_all(raw, out, mappings_dir=tmp_path / "ingen")
    (raw / "fremmoede").rename(raw / "arkiv")
    with caplog.at_level("WARNING"):
        summary = clean_all(raw, out, mappings_dir=tmp_path / "ingen")
    assert list(summary.results) == ["as2007"] and not (out / "fremmoede.parquet").exists()
    assert f"mappen arkiv/ i {raw} er sprunget over" in caplog.text
    assert (f"fremmoede: ingen udtræk i {raw / 'fremmoede'} længere; renset data fjernes: "
            "fremmoede.parquet, fremmoede_afviste.csv") in caplog.text


@pytest.mark.parametrize("spelt, source", [("AS2007", "as2007"), ("fremmøde", "fremmoede"), ("Fremmøde", "fremmoede"),
                                           ("FREMMOEDE", "fremmoede"), ("Rusmiddel", "rusmiddel")])
def test_a_source_folder_spelt_otherwise_stops_cleaning_before_its_data_are_removed(tmp_path, spelt, source):
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_csv(raw / "as2007" / "a.csv", [HEADER, ROW])
    write_csv(raw / "fremmoede" / "f.csv", ["Dato;Tilbud;Deltager", "05-02-2018;NADA;"])
    write_csv(raw / "rusmiddel" / "r.csv", ["CPR;Rusmiddel;Startdato;Slutdato;Status", "0102031234;alkohol;01-02-2018;;"])
    clean_all(raw, out, mappings_dir=tmp_path / "ingen")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (raw / source).rename(raw / spelt)
    with pytest.raises(ConfigError, match=re.escape(f"mappen {spelt}/ i {raw} skal hedde {source}/")):
        clean_all(raw, out, mappings_dir=tmp_path / "ingen")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("first, second, row", [
    ("utf-8", "cp1252", 3),   # a Windows-1252 line pasted into a UTF-8 file
    ("cp1252", "utf-8", 3),   # and the other way round
])
def test_mixed_encodings_are_an_error_naming_the_rows(tmp_path, first, second, row):
    path = tmp_path / "x.csv"
    path.write_bytes(f"{HEADER}\n{ROW}\n".encode(first) + f"{ROW}\n".encode(second))
    with pytest.raises(InputFileError, match=rf"række {row}: blandet tegnsæt") as raised:
        read_extract(path, COLUMNS)
    assert "010203" not in str(raised.value)


def test_mixed_encodings_are_found_by_the_euro_sign_too(tmp_path):
    # No æ, ø, å or § in the UTF-8 part: its "€" (three bytes) is what gives it away.
    path = tmp_path / "x.csv"
    path.write_bytes(f"{HEADER}\n{ROW.replace('Engen', 'Engen €')}\n".encode("utf-8").replace("ø".encode(), b"o").replace("§".encode(), b"P")
                     + f"{ROW}\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"række 3: blandet tegnsæt"):
        read_extract(path, COLUMNS)


def test_windows_1252_text_that_looks_like_utf8_letters_only_by_chance_is_read(tmp_path):
    # "Ã" and "Â" followed by plain letters are no UTF-8 sequence: the file is Windows-1252 throughout.
    path = write_csv(tmp_path / "x.csv", [HEADER, ROW.replace("Engen", "ÃÂ Ørsted")], encoding="cp1252")
    assert read_extract(path, COLUMNS).data.loc[0, "leverandoer"] == "Bostedet ÃÂ Ørsted"


def test_xlsm_is_read_and_a_formula_reads_as_its_stored_result():
    table = read_extract(BAD_CORPUS / "as2007" / "formula_with_result.xlsx", COLUMNS)
    assert table.data["end_raw"].tolist() == ["01-03-2019", ""]
    assert read_extract(BAD_CORPUS / "as2007" / "macro_workbook.xlsm", COLUMNS).data["cpr"].tolist() == ["290200-4012"]
    with pytest.raises(InputFileError, match=r"række 2: cellen D2 er en formel, hvis resultat ikke er gemt"):
        read_extract(BAD_CORPUS / "as2007" / "formula_without_result.xlsx", COLUMNS)


# Cells of Danish extracts: ASCII, the Danish letters and the other Windows-1252 characters
# an export can hold (§, €, ½, NBSP), plus separators and quotes that csv quoting must protect.
_CP1252_TEXT = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 -.,;\"'§€½æøåÆØÅéü\u00a0")), max_size=12
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(_CP1252_TEXT, min_size=7, max_size=7), min_size=1, max_size=30),
    encoding=st.sampled_from(["cp1252", "utf-8", "utf-8-sig"]),
)
# Found by this test: more commas than semicolons in the only row once made "," the separator.
@example(rows=[["", "", "", ",", ",,", ",,", ",,"]], encoding="cp1252")
def test_fast_reader_gives_the_cells_the_c_engine_gives(tmp_path_factory, rows, encoding):
    """The pyarrow path (Windows-1252 split as bytes, decoded per distinct value) must agree
    cell for cell with pandas' C engine reading the same file, whatever the cells hold."""
    import csv
    import io

    import pandas as pd

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER.split(";"))
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("fast") / "x.csv"
    path.write_bytes(buffer.getvalue().encode(encoding))

    table = read_extract(path, COLUMNS)
    # The fast path was taken (every line is one row of the header's width), so it is what is compared.
    fast = _read_csv_fast(path.read_bytes(), encoding, ";", len(COLUMNS))
    assert fast is not None

    expected = pd.read_csv(path, sep=";", encoding=encoding, dtype=str, keep_default_na=False, engine="c")
    expected = expected.apply(lambda column: column.str.strip())
    expected = expected[(expected != "").any(axis=1)].reset_index(drop=True)
    got = table.data[[c.name for c in COLUMNS]]
    assert got.to_numpy().tolist() == expected.to_numpy().tolist()
    assert table.encoding == encoding


def test_a_separator_inside_an_unquoted_cell_near_the_top_is_an_error_not_a_shift(tmp_path):
    """``Bostedet; Engen`` without quotes adds a field; with empty last fields nothing overflows,
    so the values right of it would move one column on. The reader names the row instead."""
    lines = [HEADER + ";", ROW + ";", "010203-1236;§ 85 bostøtte døgntakst;01-02-2016;;Bostedet; Engen;3;;",
             ROW.replace("1234", "1238") + ";"]
    with pytest.raises(InputFileError) as err:
        read_extract(write_csv(tmp_path / "x.csv", lines), COLUMNS)
    assert err.value.row == 3 and "flere felter end de andre rækker" in str(err.value)


@pytest.mark.parametrize("header_end", [";", ""])
def test_rows_ending_with_a_separator_are_not_mistaken_for_extra_fields(tmp_path, header_end):
    lines = [HEADER + header_end, ROW + ";", ROW.replace("1234", "1236") + ";"]
    table = read_extract(write_csv(tmp_path / "x.csv", lines), COLUMNS)
    assert table.data["amount_raw"].tolist() == ["1.234,50", "1.234,50"]


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(_CP1252_TEXT, max_size=20), cut=st.tuples(st.integers(0, 20), st.integers(0, 20)),
       split=st.integers(0, 20))
def test_cp1252_columns_decode_the_same_whatever_the_chunks(texts, cut, split):
    """Chunks are checked for non-ASCII bytes by their byte range: a slice of a chunk whose
    buffer holds æ elsewhere, or a chunk of ASCII beside one with æ, must still decode right."""
    import pyarrow as pa

    from analyse.readers import _cp1252_column

    whole = pa.array([t.encode("cp1252") for t in texts], pa.binary())
    start, stop = sorted(cut)
    part = whole.slice(start, stop - start)
    chunks = [part.slice(0, split), part.slice(split)]
    got = _cp1252_column(pa.chunked_array(chunks, pa.binary()))
    assert got.type == pa.string()
    assert got.to_pylist() == texts[start:stop]


# --- a quote opened and never closed --------------------------------------------------------------

UNCLOSED = re.escape('et anførselstegn (") er ikke lukket')


@pytest.mark.parametrize("encoding, sep", [("utf-8", ";"), ("cp1252", ";"), ("utf-8-sig", "\t"), ("utf-8", ",")])
def test_an_unclosed_quote_names_the_row_where_it_opens_and_its_column(tmp_path, encoding, sep):
    broken = ROW.replace("Bostedet Engen", '"Bostedet Engen')
    if sep == ",":
        broken, ok = broken.replace("1.234,50", "1234.50"), ROW.replace("1.234,50", "1234.50")
    else:
        ok = ROW
    path = write_csv(tmp_path / "as2007_2016.csv", [HEADER, ok, broken, ok, ok], encoding=encoding, sep=sep)
    with pytest.raises(InputFileError) as err:
        read_extract(path, COLUMNS)
    assert re.match(f"fil as2007_2016.csv, række 3, kolonne 'Leverandør': {UNCLOSED}", str(err.value))
    assert (err.value.row, err.value.column) == (3, "Leverandør")
    assert "010203" not in str(err.value)


def test_an_unclosed_quote_that_a_later_one_closes_is_found_where_it_opens(tmp_path):
    # Read leniently, rows 2 to 4 would be one row (the quote in row 4 "closes" the one in row 2).
    lines = [HEADER, ROW.replace("Bostedet", '"Bostedet'), ROW.replace("01-02", "02-02"), ROW.replace("Bostedet", '"Bostedet'), ROW]
    with pytest.raises(InputFileError, match=rf"række 2, kolonne 'Leverandør': {UNCLOSED}"):
        read_extract(write_csv(tmp_path / "x.csv", lines), COLUMNS)


def test_an_unclosed_quote_is_counted_in_lines_as_an_editor_shows_them(tmp_path):
    # Title lines above the header, a cell that rightly holds a line break, then the broken quote.
    lines = ["Udtræk af visiterede ydelser", "", HEADER, ROW.replace("Bostedet Engen", '"Bostedet\nEngen"'), ROW,
             ROW.replace("§ 85", '"§ 85')]
    path = write_csv(tmp_path / "x.csv", lines)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))  # and no line break at the end
    with pytest.raises(InputFileError, match=rf"række 7, kolonne 'Ydelsestype': {UNCLOSED}"):
        read_extract(path, COLUMNS)


def test_an_unclosed_quote_in_the_header_row_names_no_column(tmp_path):
    path = write_csv(tmp_path / "x.csv", [HEADER.replace("Leverandør", '"Leverandør'), ROW])
    with pytest.raises(InputFileError, match=rf"^fil x.csv, række 1: {UNCLOSED}.*\(felt nr. 5\)$"):
        read_extract(path, COLUMNS)


def test_quoted_cells_that_close_are_read_as_before(tmp_path):
    lines = [HEADER, ROW.replace("Bostedet Engen", '"Bostedet ""Engen"";\nafd. 2"'), ROW.replace("Bostedet Engen", '"Engen" Syd'),
             ROW.replace("Bostedet Engen", 'Bo "Engen')]
    table = read_extract(write_csv(tmp_path / "x.csv", lines), COLUMNS)
    assert table.data["leverandoer"].tolist() == ['Bostedet "Engen";\nafd. 2', "Engen Syd", 'Bo "Engen']
    assert table.data["source_row"].tolist() == [2, 3, 4]


# --- required columns missing: all of them at once, and a file in the wrong folder ---------------


def test_every_missing_required_column_is_named_at_once(tmp_path):
    path = write_csv(tmp_path / "as2007" / "x.csv", ["Personnr;Ydelsestype;Startdato;Til", "0102031234;x;01-01-2016;"])
    with pytest.raises(MissingColumnError) as err:
        read_extract(path, COLUMNS)
    message = str(err.value)
    assert message.startswith("fil x.csv: mangler de påkrævede kolonner 'CPR' (accepterede navne: 'cpr', ")
    assert " og 'Slutdato' (accepterede navne: 'slut', 'slutdato', 'bevilget til', 'til dato')" in message
    assert err.value.missing == ["CPR", "Slutdato"]
    assert "ligner" not in message


@pytest.mark.parametrize("header, folder, source", [
    ("CPR;Ydelsestype;Startdato;Slutdato", "fremmoede", "as2007"),       # the finding: AS2007 in fremmoede/
    ("cprnr;misbrugstype;startdato;slutdato;udfald", "as2007", "rusmiddel"),  # CPR and dates in common
    ("Dato;Hold;Borger", "rusmiddel", "fremmoede"),
])
def test_a_file_in_another_sources_folder_says_where_it_belongs(tmp_path, header, folder, source):
    from analyse.sources import SPECS

    path = write_csv(tmp_path / folder / "as2007_2018.csv", ["Udtræk 2018", header, "x" + ";x" * header.count(";")])
    with pytest.raises(MissingColumnError) as err:
        read_extract(path, SPECS[folder].columns)
    message = str(err.value)
    assert message.startswith("fil as2007_2018.csv")
    assert message.endswith(f"; filen ligger i mappen {folder}/, men ligner et udtræk fra {source}: "
                            f"læg den i mappen {source}/")
    required = [c.label for c in SPECS[folder].columns if c.required]
    assert all(f"'{label}'" in message for label in err.value.missing) and set(err.value.missing) <= set(required)


def test_the_cli_names_all_missing_columns_and_the_right_folder_in_one_line(tmp_path, capsys):
    from analyse import cli

    write_csv(tmp_path / "raw" / "fremmoede" / "as2007_2018.csv",
              ["CPR;Ydelsestype;Startdato;Slutdato", "0102031234;§ 85 bostøtte timetakst;01-02-2018;"])
    code = cli.main(["clean", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"),
                     "--mappings", str(tmp_path / "ingen")])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1
    assert lines[0] == (
        "analyse: fejl: fil as2007_2018.csv: mangler de påkrævede kolonner 'Dato' (accepterede navne: 'dato', 'date'), "
        "'Tilbud' (accepterede navne: 'tilbud', 'aktivitet', 'hold') og 'Deltager' (accepterede navne: 'deltager', "
        "'borger', 'navn', 'initialer'); filen ligger i mappen fremmoede/, men ligner et udtræk fra as2007: "
        "læg den i mappen as2007/"
    )


def test_a_misspelled_header_in_the_right_folder_gets_no_other_folder_suggested(tmp_path):
    from analyse.sources import SPECS

    # A rusmiddel extract missing its status column matches as2007 no better (both lack one column).
    path = write_csv(tmp_path / "rusmiddel" / "x.csv", ["CPR;Rusmiddel;Startdato;Slutdato;Afslutningstatus", ";;;;"])
    with pytest.raises(MissingColumnError) as err:
        read_extract(path, SPECS["rusmiddel"].columns)
    assert str(err.value) == ("fil x.csv, kolonne 'Afslutningsstatus': mangler den påkrævede kolonne 'Afslutningsstatus' "
                              "(accepterede navne: 'status', 'afslutningsstatus', 'udfald')")
