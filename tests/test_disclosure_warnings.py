"""A table line suppression cannot protect is told to the analyst, never shown to the readers.

The notebooks hide warnings from the report, so a :class:`DisclosureWarning` raised while a
report is made would otherwise go unseen. A real papermill run of a small notebook with the
shipped notebooks' setup lines must bring it to the build's summary.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analyse.build import run_reports
from analyse.cli import _print_report_summary
from analyse.params import ReportJob

ROOT = Path(__file__).resolve().parents[1]
SETUP = [line for line in (ROOT / "notebooks" / "01_visiterede_ydelser.py").read_text(encoding="utf-8").splitlines()
         if "warnings" in line or "DisclosureWarning" in line]

pytestmark = pytest.mark.slow


def _notebook(path: Path) -> Path:
    nb = new_notebook(
        cells=[
            new_code_cell("\n".join(SETUP)),
            new_markdown_cell("# Lille tabel"),
            new_code_cell(
                "import pandas as pd\n"
                "from analyse.suppression import suppress_counts\n"
                "table = pd.DataFrame({'a': [1], 'b': [1], 'c': [1], 'd': [1], 'I alt': [4]}, index=['NADA'])\n"
                "suppress_counts(table, total_col='I alt')"
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


def test_every_shipped_notebook_quiets_warnings_the_way_that_lets_disclosure_warnings_through():
    for script in sorted((ROOT / "notebooks").glob("0*.py")):
        text = script.read_text(encoding="utf-8")
        assert "quiet_warnings()" in text and "filterwarnings(" not in text, script.name


def test_an_unprotectable_line_reaches_the_build_summary_but_not_the_report(tmp_path, capsys):
    assert "quiet_warnings()" in SETUP
    notebook = _notebook(tmp_path / "lille.ipynb")
    _, results = run_reports([ReportJob(notebook, {})], tmp_path / "reports", tmp_path, say=lambda _: None,
                             progress=False)
    [result] = results
    assert result.ok, result.error
    assert len(result.warnings) == 1 and "slå kategorier" in result.warnings[0] and "NADA" in result.warnings[0]

    page = result.html.read_text(encoding="utf-8")
    assert "slå kategorier" not in page and "DisclosureWarning" not in page

    _print_report_summary(results)
    printed = capsys.readouterr().out
    assert "ADVARSEL om diskretion i lille.html" in printed and "slå kategorier" in printed
