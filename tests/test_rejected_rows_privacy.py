"""No CPR number or name in the rejected-rows file, wherever a shifted row put it.

Only the personal columns (CPR, Deltager) are left out of ``<source>_afviste.csv``;
a row with a stray separator or its values in the wrong columns can still carry a
CPR number or a name in another column. The file hides them
(:func:`analyse.cleaning.hide_misplaced_personal_data`) and still names the file,
row and reason, so the analyst can look the row up in the raw extract.

- The reported cases end to end through :func:`analyse.pipeline.clean_all`, on
  CSV files in UTF-8 and cp1252: the written bytes hold neither the number nor the
  name, the marker is there, and the row is there with its reason.
- Properties of the hiding itself (hypothesis): no CPR-like number is left, and a
  value with no CPR-like number and no letters to hide is written as it was.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyse import as2007, fremmoede, rusmiddel
from analyse.cleaning import (
    CPR_HIDDEN,
    CPR_LIKE,
    R_CPR_ELSEWHERE,
    TEXT_HIDDEN,
    SourceSpec,
    hide_misplaced_personal_data,
)
from analyse.pipeline import clean_all
from tests.conftest import write_csv

ENCODINGS = ["utf-8", "cp1252"]

# An independent look for a CPR number in any written form: separators between digits
# removed (as the leak scan does), then a run of 9 or 10 digits.
_SEPARATORS_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-.]+(?=\d)")


def _cpr_runs(text: str) -> list[str]:
    return [run for run in re.findall(r"\d+", _SEPARATORS_BETWEEN_DIGITS.sub("", text)) if len(run) in (9, 10)]


def _afviste(out, source: str) -> tuple[bytes, pd.DataFrame]:
    path = out / f"{source}_afviste.csv"
    return path.read_bytes(), pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _absent(data: bytes, *secrets: str) -> None:
    """None of the secrets in the written bytes, in either encoding, nor a CPR number in another form."""
    for secret in secrets:
        for encoding in ("utf-8", "cp1252"):
            assert secret.encode(encoding) not in data, secret
    runs = _cpr_runs(data.decode("utf-8-sig"))
    for secret in secrets:
        if re.fullmatch(r"[\d\s\-]+", secret):
            assert re.sub(r"\D", "", secret) not in runs, secret


# --- the reported cases, end to end ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_cpr_number_shifted_into_startdato_is_hidden(tmp_path, encoding):
    write_csv(tmp_path / "raw" / "as2007" / "leak.csv", [
        "Ydelsestype;CPR;Startdato;Slutdato;Leverandør",
        "§ 85 bostøtte timetakst;010203-1234;01-02-2018;;Engen",
        "§ 85; bostøtte timetakst;020203-1234;01-02-2018",   # a ";" inside Ydelsestype shifts the row
    ], encoding=encoding)
    clean_all(tmp_path / "raw", tmp_path / "out")
    data, rejected = _afviste(tmp_path / "out", "as2007")
    _absent(data, "020203-1234", "0202031234", "010203-1234")
    (row,) = rejected.to_dict("records")
    assert (row["source_file"], row["source_row"], row["column"]) == ("leak.csv", "3", "CPR")
    assert row["reason"] == as2007.R_CPR
    assert row["Startdato"] == CPR_HIDDEN
    assert row["Ydelsestype"] == "§ 85" and row["Slutdato"] == "01-02-2018"  # labels and dates stay
    assert re.fullmatch(r"[0-9a-f]{16}", row["pseudonym"])


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_cpr_number_in_slutdato_is_hidden(tmp_path, encoding):
    write_csv(tmp_path / "raw" / "as2007" / "slut.csv", [
        "CPR;Ydelsestype;Startdato;Slutdato;Leverandør",
        "020203-1234;§ 85 bostøtte timetakst;01-02-2018;030203-1234;Engen",
    ], encoding=encoding)
    clean_all(tmp_path / "raw", tmp_path / "out")
    data, rejected = _afviste(tmp_path / "out", "as2007")
    _absent(data, "030203-1234", "0302031234", "020203-1234", "0202031234")
    (row,) = rejected.to_dict("records")
    assert (row["source_file"], row["source_row"], row["column"]) == ("slut.csv", "2", "Slutdato")
    assert row["reason"] == as2007.R_END
    assert row["Slutdato"] == CPR_HIDDEN
    assert (row["Startdato"], row["Leverandør"]) == ("01-02-2018", "Engen")


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_name_shifted_into_antal_is_hidden(tmp_path, encoding):
    write_csv(tmp_path / "raw" / "fremmoede" / "fleak.csv", [
        "Dato;Tilbud;Deltager;Antal",
        "02-01-2019;Åbent Hus;Søren Hansen;1",
        "02-01-2019;Café; Bar;Anne Hansen",   # a ";" inside Tilbud shifts the name into Antal
    ], encoding=encoding)
    clean_all(tmp_path / "raw", tmp_path / "out")
    data, rejected = _afviste(tmp_path / "out", "fremmoede")
    _absent(data, "Anne", "Hansen", "Søren")
    (row,) = rejected.to_dict("records")
    assert (row["source_file"], row["source_row"], row["column"]) == ("fleak.csv", "3", "Antal")
    assert row["reason"].startswith("ugyldigt antal")
    assert row["Antal"] == TEXT_HIDDEN
    assert (row["Dato"], row["Tilbud"]) == ("02-01-2019", "Café")
    assert "Deltager" not in rejected.columns


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_name_or_cpr_number_in_a_rusmiddel_date_is_hidden(tmp_path, encoding):
    write_csv(tmp_path / "raw" / "rusmiddel" / "r.csv", [
        "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus",
        "020203-1234;Alkohol;Anne Hansen;01-05-2018;Ophørt",
        "020203-1234;Alkohol;01-02-2018;0302031234;Ophørt",
    ], encoding=encoding)
    clean_all(tmp_path / "raw", tmp_path / "out")
    data, rejected = _afviste(tmp_path / "out", "rusmiddel")
    _absent(data, "Anne", "Hansen", "0302031234", "020203-1234")
    assert rejected["Startdato"].tolist() == [TEXT_HIDDEN, "01-02-2018"]
    assert rejected["Slutdato"].tolist() == ["01-05-2018", CPR_HIDDEN]
    assert rejected["source_row"].tolist() == ["2", "3"]
    assert rejected["Afslutningsstatus"].tolist() == ["Ophørt", "Ophørt"]


@pytest.mark.parametrize("source, lines, column", [
    ("fremmoede", ["Dato;Tilbud;Deltager;Antal", "02-01-2019;NADA;Bo;1",
                   "02-01-2019;010203-1234;Anne;1"], "Tilbud"),        # an unknown tilbud is shown by name
    ("as2007", ["CPR;Ydelsestype;Startdato;Slutdato;Leverandør", "0102031234;§ 85 bostøtte timetakst;01-02-2018;;Engen",
                "0102031234;§ 85 bostøtte timetakst;01-02-2018;;0202031234"], "Leverandør"),
])
def test_a_cpr_number_in_a_label_column_rejects_the_row_and_reaches_no_output(tmp_path, source, lines, column):
    # A label goes on to the clean table, the indicators and the reports: such a row must not pass.
    write_csv(tmp_path / "raw" / source / "x.csv", lines)
    summary = clean_all(tmp_path / "raw", tmp_path / "out")
    assert len(summary.results[source].clean) == 1
    _, rejected = _afviste(tmp_path / "out", source)
    assert rejected[["source_row", "column", "reason"]].values.tolist() == [["3", column, R_CPR_ELSEWHERE]]
    assert rejected[column].tolist() == [TEXT_HIDDEN]  # the whole cell: it came from a shifted row
    for output in sorted((tmp_path / "out").iterdir()):
        if output.suffix == ".parquet":  # binary: its values as text
            _absent(pd.read_parquet(output).astype(str).to_csv().encode(), "010203-1234", "0202031234")
        else:
            _absent(output.read_bytes(), "010203-1234", "0202031234")


def test_bad_values_without_a_name_stay_readable_and_unknown_labels_are_still_counted(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "x.csv", [
        "CPR;Ydelsestype;Startdato;Slutdato;Leverandør;Timer pr. uge;Beløb",
        "0102031234;§ 85 bostøtte døgntakst;31-02-2018;;;;",       # no such date: shown as written
        "0102031234;§ 85 bostøtte timetakst;01-02-2018;;;7,5,5;",  # unreadable hours: shown as written
        "0102031234;§ 999 Ukendt;01-02-2018;;Bo Ærø;;",             # unknown label: kept for the mapping
        "0102031234;§ 999 Ukendt;01-02-2018;;;;",
        "0102031234;020203-1234;01-02-2018;;;;",                    # a CPR number as the label: hidden
    ])
    clean_all(tmp_path / "raw", tmp_path / "out")
    _, rejected = _afviste(tmp_path / "out", "as2007")
    assert rejected["Startdato"].tolist()[0] == "31-02-2018"
    assert rejected["Timer pr. uge"].tolist()[1] == "7,5,5"
    assert rejected["Ydelsestype"].tolist()[2:] == ["§ 999 Ukendt", "§ 999 Ukendt", CPR_HIDDEN]
    assert rejected["Leverandør"].tolist()[2] == "Bo Ærø"  # a label column keeps its text
    quality = json.loads((tmp_path / "out" / "kvalitet.json").read_text(encoding="utf-8"))
    assert quality["as2007"]["unknown_labels"] == {"§ 999 Ukendt": 2, CPR_HIDDEN: 1}
    assert "020203" not in (tmp_path / "out" / "kvalitet.json").read_text(encoding="utf-8")


def test_every_source_declares_its_date_and_number_columns():
    assert set(as2007.SPEC.date_and_number_columns) == {"start_raw", "end_raw", "hours_raw", "amount_raw"}
    assert set(rusmiddel.SPEC.date_and_number_columns) == {"start_raw", "end_raw"}
    assert set(fremmoede.SPEC.date_and_number_columns) == {"date_raw", "antal_raw"}


def test_a_misspelt_column_in_a_source_declaration_stops_at_once():
    with pytest.raises(ValueError, match="start_rå"):
        SourceSpec(name="x", title="x", columns=as2007.COLUMNS, clean=as2007.clean_as2007,
                   output_columns=(), personal_columns=("cpr",), date_and_number_columns=("start_rå",))


# --- properties of the hiding ---------------------------------------------------------------------

_day = st.integers(1, 28).map("{:02d}".format)
_month = st.integers(1, 12).map("{:02d}".format)
_year2 = st.integers(0, 99).map("{:02d}".format)
_serial = st.integers(0, 9999).map("{:04d}".format)


@st.composite
def written_cprs(draw) -> str:
    """A CPR number in one of the forms an extract writes it in."""
    ddmmyy = draw(_day) + draw(_month) + draw(_year2)
    if draw(st.booleans()) and ddmmyy.startswith("0"):
        ddmmyy = ddmmyy[1:]  # Excel dropped the leading zero
    separator = draw(st.sampled_from(["", "-", " ", " - ", ".", "\u00a0"]))
    return ddmmyy + separator + draw(_serial)


_filler = st.text(alphabet=st.characters(blacklist_categories=("Nd", "Cs")), max_size=6)
_plain = st.text(alphabet="0123456789-./,: ", max_size=14)
_any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


@st.composite
def cells_with_cprs(draw) -> str:
    """Text with CPR numbers among letters, punctuation and short digit runs."""
    parts = draw(st.lists(st.one_of(written_cprs(), _filler, _plain, _any_text), max_size=5))
    return "".join(parts)


def _frame(values: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"label": values, "number": values}, dtype="str")


@settings(max_examples=400, deadline=None)
@given(st.lists(cells_with_cprs(), min_size=1, max_size=5))
def test_property_no_cpr_like_number_is_left(values):
    hidden = hide_misplaced_personal_data(_frame(values), ("number",))
    for text in [*hidden["label"], *hidden["number"]]:
        assert not CPR_LIKE.search(text), text
        # The contract's forms (DDMMYY-SSSS, DDMMYYSSSS, 9 digits), looked for independently.
        assert not re.search(r"(?<!\d)\d{6}[- ]?\d{4}(?!\d)|(?<!\d)\d{9}(?!\d)", text), text


@settings(max_examples=200, deadline=None)
@given(written_cprs(), _filler, _filler)
def test_property_a_written_cpr_number_is_gone_from_every_column(cpr, before, after):
    digits = re.sub(r"\D", "", cpr)
    hidden = hide_misplaced_personal_data(_frame([before + cpr + after]), ("number",))
    for text in [*hidden["label"], *hidden["number"]]:
        assert digits not in re.sub(r"\D", "", text), (cpr, text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_plain, _any_text), min_size=1, max_size=5))
def test_property_nothing_else_changes(values):
    frame = _frame(values)
    before = frame.copy()
    hidden = hide_misplaced_personal_data(frame, ("number",))
    pd.testing.assert_frame_equal(frame, before)  # the input is not changed
    assert list(hidden.columns) == list(frame.columns) and hidden.index.equals(frame.index)
    for value, label, number in zip(values, hidden["label"], hidden["number"]):
        has_cpr = bool(CPR_LIKE.search(value))
        letters = sum(ch.isalpha() for ch in value)
        assert (label == value) == (not has_cpr), (value, label)  # labels: only CPR numbers go
        if not has_cpr and letters < 2:
            assert number == value
        if letters >= 2:
            assert number == TEXT_HIDDEN


def test_cpr_numbers_however_written_in_labels_file_names_and_headers_reach_no_output(tmp_path):
    from analyse.build import plan_clean, run_clean

    raw = tmp_path / "raw"
    write_csv(raw / "fremmoede" / "fremmøde 190211-8908.csv", [
        "Dato;Tilbud;Deltager;Antal;Kontakt 180122-7897",
        "02-01-2019;NADA;Bo;1;",
        "02-01-2019;Samtale 120588–1232;Anne;1;",      # an en dash, as a word processor writes it
        "03-01-2019;Vejleder 13.06.77-2344;Anne;1;",   # the date part written as a date
    ])
    plan = plan_clean(raw, tmp_path / "out", None, force=True)
    summary = run_clean(plan, raw, tmp_path / "out")
    assert len(summary.results["fremmoede"].clean) == 1
    for output in sorted((tmp_path / "out").iterdir()) + sorted((tmp_path / "out").glob(".*.json")):
        text = (pd.read_parquet(output).astype(str).to_csv() if output.suffix == ".parquet"
                else output.read_text(encoding="utf-8-sig"))
        for secret in ("190211", "8908", "180122", "7897", "120588", "1232", "13.06.77", "2344"):
            assert secret not in text, (output.name, secret)
    assert summary.results["fremmoede"].quality["files"][0]["file"] == "fremmøde [CPR skjult].csv"


def test_a_participant_name_shifted_into_tilbud_is_rejected_and_published_nowhere(tmp_path):
    write_csv(tmp_path / "raw" / "fremmoede" / "f.csv", [
        "Dato;Tilbud;Deltager;Antal",
        "06-02-2018;NADA;Ulrik J. Jensen;1",
        "07-02-2018;ulrik j.  jensen;1;",    # the row shifted one column left: the name is the tilbud
        "07-02-2018;Yoga;Bo;1",              # an unknown tilbud that is nobody's name stays
    ])
    summary = clean_all(tmp_path / "raw", tmp_path / "out")
    assert summary.results["fremmoede"].clean["tilbud"].tolist() == ["NADA", "Yoga"]
    _, rejected = _afviste(tmp_path / "out", "fremmoede")
    assert rejected[["source_row", "column", "reason"]].values.tolist() == [["3", "Tilbud", fremmoede.R_NAME_AS_TILBUD]]
    assert rejected["Tilbud"].tolist() == [TEXT_HIDDEN]
    for name in ("indikatorer.csv", "kvalitet.json"):
        assert "jensen" not in (tmp_path / "out" / name).read_text(encoding="utf-8").lower()
