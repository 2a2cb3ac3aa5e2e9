"""The whole chain on the synthetic sample: sample → clean → notebooks → HTML, as real processes.

One build per test session (the ``build`` fixture in conftest.py, shared with the
report-page, workbook and browser tests); the assertions read what it wrote. The
search for CPR numbers and names in everything written is tests/test_leak_scan.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_index_and_reports_are_written(build):
    reports = build["reports"]
    assert (reports / "index.html").exists()
    html = (reports / "01_visiterede_ydelser.html").read_text(encoding="utf-8")
    assert "Syntetiske data" in html
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "01_visiterede_ydelser.html" in index and "Syntetiske data" in index


def test_no_key_file_is_created_for_synthetic_data(build):
    assert not (build["base"] / "never-created.key").exists()


def test_executed_notebooks_hold_no_secret_parameters(build):
    for notebook in (build["reports"] / "notebooks").glob("*.ipynb"):
        text = notebook.read_text(encoding="utf-8")
        assert "PSEUDONYM_KEY" not in text and "pseudonym.key" not in text


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")))
def test_notebook_runs_top_to_bottom_with_its_defaults(build, name):
    """As in JupyterLab: the committed notebook, no injected parameters, the project's data folder."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    os.environ.update({k: build["env"][k] for k in ("ANALYSE_PROCESSED", "ANALYSE_TABLES_DIR")})
    try:
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    finally:
        for k in ("ANALYSE_PROCESSED", "ANALYSE_TABLES_DIR"):
            os.environ.pop(k, None)
    outputs = [o for c in notebook.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    # Every figure carries a Danish alt text, also outside the runner (formatting.install_figure_alt_text).
    figures = [o for o in outputs if "image/png" in o.get("data", {})]
    assert all(o.get("metadata", {}).get("image/png", {}).get("alt") for o in figures), name
