"""`analyse build` runs what an analyst edited in a notebook's `.py` pair (README: review and diff the `.py`).

Real builds of a tiny notebook paired with a `.py` by the project's own jupytext.toml; the kernels are real.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from jupytext.cli import jupytext as jupytext_cli

from analyse import config
from analyse.build import MANIFEST
from analyse.notebook_files import pair_problems
from tests.conftest import write_csv
from tests.test_build_incremental import AS2007, run_build, tiny_notebook

pytestmark = pytest.mark.slow


def printed(reports: Path, stem: str) -> str:
    executed = nbformat.read(reports / "notebooks" / f"{stem}.ipynb", as_version=4)
    return executed.cells[-1].outputs[0]["text"].strip()


def later(path: Path, seconds: int = 10) -> None:
    """As an editor saving the file a little later would leave it."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 10**9))


@pytest.fixture
def project(tmp_path):
    write_csv(tmp_path / "raw" / "as2007" / "bevillinger.csv", AS2007)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(config.NOTEBOOKS_DIR / "jupytext.toml", folder)
    notebook = tiny_notebook(folder / "a_visiterede.ipynb", "as2007")
    jupytext_cli(["--sync", "--quiet", str(notebook)])  # writes the .py pair, as `make.py notebooks`
    assert notebook.with_suffix(".py").is_file() and not pair_problems(notebook)
    return {"raw": tmp_path / "raw", "processed": tmp_path / "processed", "reports": tmp_path / "reports",
            "notebooks": [notebook]}


def test_an_edit_in_the_py_pair_updates_the_notebook_and_reruns_its_report(project):
    notebook = project["notebooks"][0]
    paired = notebook.with_suffix(".py")
    run_build(project)
    assert printed(project["reports"], "a_visiterede") == "2.0"

    paired.write_text(paired.read_text(encoding="utf-8").replace("print(sum(", "print(100 + sum("),
                      encoding="utf-8")
    later(paired)
    result, said = run_build(project)
    assert "notebook a_visiterede.ipynb opdateret fra a_visiterede.py" in said
    assert "a_visiterede.ipynb: køres (notebook ændret" in said
    assert printed(project["reports"], "a_visiterede") == "102.0"
    assert "print(100 + sum(" in notebook.read_text(encoding="utf-8") and not pair_problems(notebook)
    assert paired.stat().st_mtime_ns >= notebook.stat().st_mtime_ns  # the .py stays the newer (jupytext's rule)
    assert nbformat.read(notebook, as_version=4).metadata["analyse"] == {"sources": ["as2007"]}

    again, said = run_build(project)
    assert again.reports_run == [] and "opdateret" not in said
    assert str(notebook.resolve()) in json.loads((project["reports"] / MANIFEST).read_text())["pairs"]


def test_a_newer_notebook_is_run_as_it_is_and_its_py_is_left_alone(project):
    notebook = project["notebooks"][0]
    paired = notebook.with_suffix(".py")
    run_build(project)
    py_before = paired.read_text(encoding="utf-8")
    tiny_notebook(notebook, "as2007", extra="\nprint('ny linje')")  # edited without jupytext
    later(notebook)
    result, said = run_build(project)
    assert "bemærk: a_visiterede.py afviger fra a_visiterede.ipynb, som er nyere og køres som den er" in said
    assert [Path(j.notebook).stem for j in result.reports_run] == ["a_visiterede"]
    assert paired.read_text(encoding="utf-8") == py_before


def test_a_py_file_that_is_not_a_pair_is_not_read(project):
    notebook = project["notebooks"][0]
    paired = notebook.with_suffix(".py")
    run_build(project)
    paired.write_text("print('et hjælpescript')\n", encoding="utf-8")
    later(paired)
    result, said = run_build(project)
    assert result.reports_run == [] and "opdateret" not in said and "bemærk" not in said
