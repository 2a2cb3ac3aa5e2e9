"""The index tells reports with the same title apart, and a renamed variant's old report is not listed as current.

A parameters file whose variant name has a typo (``slutstatus_2202``) beside an earlier
``slutstatus_2022`` report gave two index entries with one title. Real builds of a tiny notebook.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analyse.build import build
from tests.conftest import write_csv
from tests.test_build_incremental import AS2007

pytestmark = pytest.mark.slow


def status_notebook(path: Path) -> Path:
    nb = new_notebook(
        cells=[
            new_code_cell('processed_dir: str = ""\nreport_type: str = "slutstatus"  # midtvejsstatus eller slutstatus',
                          metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Status"),
            new_code_cell("print(report_type)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                  "analyse": {"sources": ["as2007"]}},
    )
    nbformat.write(nb, path)
    return path


def params(path: Path, *variants: str) -> Path:
    lines = ["varianter:"]
    for name in variants:
        lines += [f"  {name}:", "    titel: Slutstatus 2022", "    parametre: {report_type: slutstatus}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(tmp_path: Path, params_file: Path) -> tuple[str, str]:
    build(tmp_path / "raw", tmp_path / "processed", tmp_path / "reports", params_file=params_file,
          notebooks=[tmp_path / "status.ipynb"], say=lambda _: None, progress=False)
    index = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    current, _, older = index.partition("<h2>Ældre rapporter</h2>")
    return current, older


def entries(html: str) -> list[str]:
    return re.findall(r"<li>.*?</li>", html)


def test_a_renamed_variant_leaves_its_old_report_under_older_reports_named_apart(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "bevillinger.csv", AS2007)
    status_notebook(tmp_path / "status.ipynb")
    run(tmp_path, params(tmp_path / "status.yaml", "slutstatus_2022"))

    current, older = run(tmp_path, params(tmp_path / "status.yaml", "slutstatus_2202"))  # the typo
    assert [e for e in entries(current) if "status__" in e] == [e for e in entries(current) if "2202" in e]
    assert len(entries(current)) == 1 and len(entries(older)) == 1
    (new,), (old,) = entries(current), entries(older)
    assert "Status – Slutstatus 2022</a>" in new and "Status – Slutstatus 2022</a>" in old  # one title
    assert "status__slutstatus_2202.html" in new and "status__slutstatus_2022.html" in old
    assert "ikke med i de nuværende parametre; status__slutstatus_2202.html har samme titel" in old
    assert (tmp_path / "reports" / "status__slutstatus_2022.html").is_file()  # never deleted

    # Both in the parameters file (same title twice): both current, told apart by their file names.
    current, older = run(tmp_path, params(tmp_path / "status.yaml", "slutstatus_2022", "slutstatus_2202"))
    assert older == "" and len(entries(current)) == 2
    assert all(re.search(r'<span class="tid">Dannet [^<]* · status__slutstatus_2(022|202)\.html', e)
               for e in entries(current))
