"""Danish formatting, the synthetic banner, tables (HTML + spreadsheet) and charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display in tests

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analyse import formatting
from analyse.exceptions import ConfigError
from analyse.formatting import (
    danish_headers,
    format_date,
    format_half_year,
    format_number,
    format_percent,
    format_period_span,
    period_chart,
    quality_summary,
    show_table,
    style_table,
    synthetic_banner,
    table_name,
    write_table_xlsx,
)


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234, 0, "1.234"),
        (1234567.891, 2, "1.234.567,89"),
        (0, 0, "0"),
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (-2.5, 0, "-3"),
        (-1234.5, 1, "-1.234,5"),
        (np.int64(610), 0, "610"),
        (3.14159, 1, "3,1"),
        (float("nan"), 0, "–"),
        (None, 0, "–"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_format_percent():
    assert format_percent(0.471) == "47 %"
    assert format_percent(0.4715, 1) == "47,2 %"
    assert format_percent(1) == "100 %"
    assert format_percent(None) == "–"


@pytest.mark.parametrize(
    "value", [dt.date(2019, 9, 2), dt.datetime(2019, 9, 2, 14, 30), "2019-09-02", pd.Timestamp("2019-09-02")]
)
def test_format_date_accepts_common_types(value):
    assert format_date(value) == "2. september 2019"


def test_format_date_month_names_are_danish_lower_case():
    assert format_date("2020-01-01") == "1. januar 2020"
    assert format_date("2021-05-17") == "17. maj 2021"


def test_half_year_texts():
    assert format_half_year("2019H1") == "1. halvår 2019"
    assert format_half_year("2018H2") == "2. halvår 2018"
    assert format_period_span("2016H1", "2019H1") == "1. halvår 2016 – 1. halvår 2019"
    with pytest.raises(ConfigError):
        format_half_year("2019H3")


def test_synthetic_banner(tmp_path, monkeypatch):
    assert synthetic_banner(tmp_path) is None
    (tmp_path / "SYNTETISKE_DATA.txt").write_text("syntetisk")
    banner = synthetic_banner(tmp_path)
    assert "Syntetiske data – tallene er ikke rigtige borgere" in banner
    assert banner.startswith("<div") and "style=" in banner
    # Blank means the project's processed folder.
    monkeypatch.setattr("analyse.config.PROCESSED_DIR", tmp_path)
    assert synthetic_banner("") == banner
    assert synthetic_banner(None) == banner


def test_danish_headers_only_renames_half_years():
    table = pd.DataFrame({"2016H1": [1], "2016H2": [2], "Note": ["x"]})
    table.columns.name = "period"
    shown = danish_headers(table)
    assert shown.columns.tolist() == ["1. halvår 2016", "2. halvår 2016", "Note"]
    assert shown.columns.name is None
    assert table.columns.tolist()[0] == "2016H1"  # input untouched


def _display_table() -> pd.DataFrame:
    table = pd.DataFrame(
        {"2019H1": [1234, "<5", "X", 1300], "2019H2": [1100, 0, 45, 1150]},
        index=["§ 85 bostøtte timetakst", "§ 97 Ledsagerordning", "§ 104 <script>", "I alt"],
        dtype=object,
    )
    table.index.name = "Ydelsestype"
    return table


def test_style_table_html():
    out = style_table(_display_table(), "Tabel 2: Personer & ydelser", "AS2007",
                      "1. halvår 2019 – 2. halvår 2019", note="Små tal er skjult (<5).")
    assert "Tabel 2: Personer &amp; ydelser" in out
    assert "1.234" in out and "1.300" in out
    assert "&lt;5" in out and ">X<" in out
    assert "1. halvår 2019" in out and "2019H1" not in out
    assert "Kilde: AS2007 · Periode: 1. halvår 2019 – 2. halvår 2019" in out
    assert "Note: Små tal er skjult (&lt;5)." in out
    assert "<script>" not in out  # labels are escaped
    assert "Ydelsestype" in out


def test_style_table_decimals():
    out = style_table(pd.DataFrame({"andel": [47.123]}), "T", "K", "P", decimals=1)
    assert "47,1" in out


def test_table_name():
    assert table_name("Tabel 1: Unikke personer – ÆØÅ") == "tabel-1-unikke-personer-aeoeaa"
    assert table_name("!!!") == "tabel"


def test_show_table_displays_html_and_the_published_cells(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    assert show_table(_display_table(), "Tabel 2: Test", "AS2007", "1. halvår 2019",
                      note="En note", name="01_tabel_2") is None
    (bundle,), kwargs = shown[0]
    assert kwargs == {"raw": True} and len(shown) == 1
    assert "Tabel 2: Test" in bundle["text/html"] and "&lt;5" in bundle["text/html"]
    payload = bundle[formatting.TABLE_MIMETYPE]
    assert payload["name"] == "01_tabel_2" and payload["note"] == "En note"
    assert payload["columns"] == ["1. halvår 2019", "2. halvår 2019"]
    assert payload["index_name"] == "Ydelsestype"
    assert payload["rows"][0] == ["§ 85 bostøtte timetakst", 1234, 1100]  # numbers stay numbers
    assert payload["rows"][1] == ["§ 97 Ledsagerordning", "<5", 0]


def test_show_table_writes_no_file_itself(tmp_path, monkeypatch):
    """The runner writes one workbook per report from the outputs (analyse.workbook)."""
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: None)
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    show_table(pd.DataFrame({"n": [7]}), "Tabel 9: Prøve", "K", "P")
    assert not (tmp_path / "tabeller").exists()


def test_style_table_puts_the_index_name_in_the_corner():
    out = style_table(_display_table(), "T", "K", "P")
    assert "Ydelsestype" in out and 'class="index_name level0"' in out
    assert '<th class="blank col0"' not in out  # no second, empty header row


def test_write_table_xlsx_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "t.xlsx"
    write_table_xlsx(pd.DataFrame({"n": [1]}), path, "Gammel", "K", "P")
    before = path.read_bytes()

    def half_then_fail(self, filename):
        Path(filename).write_bytes(b"PK half a file")
        raise RuntimeError("disk fuld")

    monkeypatch.setattr(openpyxl.Workbook, "save", half_then_fail)
    with pytest.raises(RuntimeError):
        write_table_xlsx(pd.DataFrame({"n": [2]}), path, "Ny", "K", "P")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


def test_period_chart_labels_and_masks_small_counts():
    table = pd.DataFrame(
        {"2018H2": [408, 3], "2019H1": [372, 12]},
        index=["§ 85 bostøtte timetakst", "§ 85 øvrige udgifter"],
    )
    fig = period_chart(table, "Figur 1", "Personer", "AS2007", "2. halvår 2018 – 1. halvår 2019")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2. halvår\n2018", "1. halvår\n2019"]
    footer = " ".join(t.get_text() for t in fig.texts)
    assert "Kilde: AS2007 · Periode: 2. halvår 2018 – 1. halvår 2019" in footer
    assert "Tal under 5 er ikke vist" in footer
    plotted = np.concatenate([line.get_ydata() for line in ax.get_lines()])
    assert 3 not in plotted and 408 in plotted
    assert ax.get_ylim()[0] == 0
    matplotlib.pyplot.close(fig)


def test_period_chart_without_small_counts_has_plain_footer():
    fig = period_chart(pd.DataFrame({"2019H1": [610], "2019H2": [600]}, index=["I alt"]),
                       "Figur", "Personer", "AS2007", "P")
    assert "ikke vist" not in " ".join(t.get_text() for t in fig.texts)
    assert fig.axes[0].get_legend() is None
    matplotlib.pyplot.close(fig)


def test_quality_summary(tmp_path):
    assert quality_summary(tmp_path, "as2007", "AS2007") is None
    (tmp_path / "kvalitet.json").write_text(
        '{"as2007": {"files": ['
        '{"file": "a.csv", "rows_in": 1000, "rows_clean": 990, "rows_rejected": 6,'
        ' "duplicates_removed": 4, "rejected_by_reason": {"ugyldigt CPR-nummer": 2, "slut før start": 4}},'
        '{"file": "b.xlsx", "rows_in": 500, "rows_clean": 500, "rows_rejected": 0,'
        ' "duplicates_removed": 0, "rejected_by_reason": {}}]}}',
        encoding="utf-8",
    )
    text = quality_summary(tmp_path, "as2007", "AS2007")
    assert text == (
        "Datagrundlaget er 1.500 rækker i 2 filer fra AS2007. 1.490 rækker indgår; 6 blev afvist "
        "ved kontrollen (slut før start: 4, ugyldigt CPR-nummer: 2), og 4 dubletter blev fjernet."
    )
    assert quality_summary(tmp_path, "rusmiddel", "Rusmiddel") is None


def test_tables_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path))
    assert formatting.tables_dir() == tmp_path


def test_show_chart_publishes_one_png_with_danish_alt_text(monkeypatch):
    import base64

    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append((a, k)))
    formatting.show_chart(pd.DataFrame({"2019H1": [610], "2019H2": [600]}, index=["I alt"]),
                          "Figur 1: Personer", "Personer", "AS2007", "2019")
    assert len(shown) == 1
    (data,), kwargs = shown[0]
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert kwargs["raw"] is True
    assert kwargs["metadata"]["image/png"]["alt"] == "Linjediagram. Figur 1: Personer. Kilde: AS2007 · Periode: 2019"
    assert matplotlib.pyplot.get_fignums() == []  # closed, so the inline backend draws nothing more
