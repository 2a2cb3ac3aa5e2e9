"""Papermill execution and HTML reports: the slow tests run real kernels and nbconvert."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from analyse.exceptions import ConfigError
from analyse.published import load_published
from analyse.runner import NotebookError, notebook_title, report_html, run_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_01 = ROOT / "notebooks" / "01_visiterede_ydelser.ipynb"


def _processed_fixture(folder: Path) -> Path:
    """indikatorer.csv with the published Tabel 1 and 2 (2016H1–2019H1, all types, small counts),
    the synthetic-data marker and a quality report, as ``analyse clean`` would write them."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = pd.concat([load_published("Tabel 1"), load_published("Tabel 2")])
    rows = figures[["indicator", "group", "period", "value"]].copy()
    rows["value"] = rows["value"].astype(int)
    rows.to_csv(folder / "indikatorer.csv", sep=";", index=False, encoding="utf-8")
    (folder / "SYNTETISKE_DATA.txt").write_text("Syntetiske data fra analyse sample\n", encoding="utf-8")
    quality = {"as2007": {"files": [{
        "file": "as2007_udtraek.csv", "rows_in": 2100, "rows_clean": 2080, "rows_rejected": 15,
        "duplicates_removed": 5, "rejected_by_reason": {"ukendt ydelsestype": 15}}]}}
    (folder / "kvalitet.json").write_text(json.dumps(quality), encoding="utf-8")
    return folder


def _visible_text(page: str) -> str:
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", body)


def test_notebook_01_declares_annotated_parameters():
    import papermill

    declared = papermill.inspect_notebook(str(NOTEBOOK_01))
    assert list(declared) == ["processed_dir", "first_period", "last_period", "suppression_threshold"]
    assert all(p["help"] for p in declared.values())
    nb = nbformat.read(NOTEBOOK_01, as_version=4)
    assert nb.cells[0].metadata["tags"] == ["parameters"]
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert notebook_title(nb, "x") == "Visiterede ydelser (AS2007)"


def test_report_html_hides_code_parameters_prompts_and_stderr():
    nb = new_notebook(cells=[
        new_code_cell('processed_dir = ""', metadata={"tags": ["parameters"]}),
        new_code_cell('processed_dir = "/hemmelig/sti"', metadata={"tags": ["injected-parameters"]}),
        new_markdown_cell("# Min rapport"),
        new_code_cell(
            "import pandas as pd\nprint('hej')",
            execution_count=3,
            outputs=[
                new_output("stream", name="stderr", text="UserWarning: noget teknisk\n"),
                new_output("display_data", data={"text/html": "<p>Tabel med tal</p>"}),
            ],
        ),
    ])
    page = report_html(nb, "Min rapport")
    assert "<title>Min rapport</title>" in page
    assert 'lang="da"' in page
    assert "Tabel med tal" in page
    for hidden in ("import pandas", "/hemmelig/sti", "processed_dir", "noget teknisk", "In&nbsp;[", "[3]:"):
        assert hidden not in page
    assert "<script src=" not in page  # no require.js / MathJax from a CDN


def test_secret_looking_parameters_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="hemmelighed"):
        run_notebooks([NOTEBOOK_01], parameters={"pseudonym_key": "abc"}, reports_dir=tmp_path)
    assert not any(tmp_path.iterdir())


def test_unknown_parameters_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="ukendte parametre: frist_period"):
        run_notebooks([NOTEBOOK_01], parameters={"frist_period": "2017H1"}, reports_dir=tmp_path)


def test_missing_notebook_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="findes ikke"):
        run_notebooks([tmp_path / "nope.ipynb"], reports_dir=tmp_path)


@pytest.mark.slow
def test_notebook_01_end_to_end(tmp_path, monkeypatch):
    processed = _processed_fixture(tmp_path / "processed")
    reports, tables = tmp_path / "reports", tmp_path / "tabeller"
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tables))

    results = run_notebooks([NOTEBOOK_01], reports_dir=reports, processed_dir=processed)

    assert [r.ok for r in results] == [True]
    page = (reports / "01_visiterede_ydelser.html").read_text(encoding="utf-8")
    text = _visible_text(page)
    assert "Syntetiske data" in text
    assert "Visiterede ydelser (AS2007)" in text
    assert "Tabel 1: Unikke personer" in text and "Tabel 2: Unikke personer" in text
    assert "1. halvår 2016" in text and "§ 85 bostøtte timetakst" in text
    assert "Kilde: AS2007" in text and "Periode: 1. halvår 2016 – 1. halvår 2019" in text
    assert "faldet med ca." in text  # the trend sentence
    assert "Om tallene" in text
    assert page.count("data:image/png;base64,") >= 2  # both charts embedded
    assert 'alt="Linjediagram. Figur 1: Unikke personer med en visiteret ydelse.' in page
    assert "No description has been provided" not in page
    # Small counts: § 97 Ledsagerordning had 1 person in 2016H1 → shown as <5.
    row_97 = re.search(r"§ 97 Ledsagerordning</th>(.*?)</tr>", page, re.DOTALL).group(1)
    assert "&lt;5" in row_97
    assert re.search(r">\s*[1-4]\s*<", row_97) is None
    # No code: neither source nor prompts nor injected parameters.
    assert "import " not in page
    assert "periods.period_table" not in page
    assert str(processed) not in page
    assert "<script src=" not in page

    index = (reports / "index.html").read_text(encoding="utf-8")
    assert 'href="01_visiterede_ydelser.html"' in index
    assert "Visiterede ydelser (AS2007)" in index and "Syntetiske data" in index
    assert "Bygget" in index

    executed = nbformat.read(reports / "notebooks" / "01_visiterede_ydelser.ipynb", as_version=4)
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in executed.cells)

    book = openpyxl.load_workbook(tables / "01_visiterede_ydelser.xlsx")  # one workbook per report
    assert book.sheetnames == ["Tabel 1 Unikke personer", "Tabel 2 Unikke personer"]
    assert book.worksheets[1]["A2"].value == "Periode: 1. halvår 2016 – 1. halvår 2019 · Kilde: AS2007 (visiterede ydelser)"
    rows = {r[0]: r[1:] for r in book.worksheets[1].iter_rows(values_only=True) if r[0]}
    assert rows["§ 97 Ledsagerordning"][0] == "<5"
    assert rows["§ 85 bostøtte timetakst"][0] == 474
    assert sorted(p.name for p in tables.iterdir()) == ["01_visiterede_ydelser.xlsx"]


def _tiny_notebook(path: Path, title: str, code: str) -> Path:
    nb = new_notebook(
        cells=[new_code_cell('processed_dir: str = ""  # mappe', metadata={"tags": ["parameters"]}),
               new_markdown_cell(f"# {title}"),
               new_code_cell(code)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_a_failing_notebook_is_reported_after_the_others_ran(tmp_path):
    failing = _tiny_notebook(tmp_path / "00_fejl.ipynb", "Fejlrapport",
                             "x = 1\nraise ValueError('ugyldig værdi 010203-1234')")
    fine = _tiny_notebook(tmp_path / "02_ok.ipynb", "Lille rapport",
                          "from IPython.display import Markdown\nMarkdown('Alt er **fint**')")
    reports = tmp_path / "reports"

    with pytest.raises(NotebookError) as info:
        run_notebooks([failing, fine], reports_dir=reports, processed_dir=tmp_path, jobs=2)

    message = str(info.value)
    assert "00_fejl.ipynb" in message and "kodecelle" in message
    assert "ValueError: ugyldig værdi" in message
    assert "010203-1234" not in message and "0102031234" not in message
    assert "02_ok" not in message
    assert [r.ok for r in info.value.results] == [False, True]
    assert (reports / "02_ok.html").is_file()
    assert not (reports / "00_fejl.html").exists()
    assert (reports / "notebooks" / "00_fejl.ipynb").is_file()  # kept for debugging
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "Lille rapport" in index and "Fejlrapport" in index and "kunne ikke dannes" in index
    assert "Syntetiske data" not in index  # no marker in this processed folder
