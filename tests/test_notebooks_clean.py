"""The committed notebooks: no outputs, no execution counts, and a .py pair (jupytext percent) in step.

Fix a failure with ``python3 make.py notebooks`` (strips outputs, syncs the pairs).
"""

from __future__ import annotations

import ast

import nbformat
import pytest

from analyse import config
from analyse.notebook_files import notebooks, output_problems, pair_problems, strip_outputs

NOTEBOOKS = notebooks()


def test_there_are_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"01_visiterede_ydelser", "02_psykiatriens_hus", "03_rusmiddel"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(notebook):
    problems = output_problems(nbformat.read(notebook, as_version=4))
    assert not problems, f"{notebook.name}: {problems}; kør `python3 make.py notebooks`"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_and_its_py_pair_hold_the_same_cells(notebook):
    problems = pair_problems(notebook)
    assert not problems, f"{notebook.name}: {problems}; kør `python3 make.py notebooks`"


def test_strip_outputs(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    path = tmp_path / "x.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("1", execution_count=3, outputs=[
        new_output("execute_result", data={"text/plain": "1"}, execution_count=3)])]), path)
    assert output_problems(nbformat.read(path, as_version=4)) == ["celle 1 har output", "celle 1 har et kørselsnummer"]
    assert strip_outputs(path) is True
    assert output_problems(nbformat.read(path, as_version=4)) == []
    assert strip_outputs(path) is False


@pytest.mark.parametrize("notebook", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_notebook_checks_its_parameters_under_its_own_name(notebook):
    # In JupyterLab nobody runs 'analyse run''s checks: the set-up cell does them (notebook_setup).
    from analyse.notebook_setup import check_parameters, declared_in

    source = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    assert f'check_parameters("{notebook.stem}", globals())' in source
    defaults = {name: ast.literal_eval(info["default"]) for name, info in declared_in(notebook).items()}
    check_parameters(notebook.stem, defaults)  # the shipped defaults pass their own checks


def test_stripping_an_executed_notebook_leaves_no_run_details(tmp_path):
    committed = config.NOTEBOOKS_DIR / "02_psykiatriens_hus.ipynb"
    nb = nbformat.read(committed, as_version=4)
    for i, cell in enumerate(nb.cells):  # as a run in JupyterLab or Papermill leaves it
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="x")]
            cell.execution_count = i
            cell.metadata["execution"] = {"iopub.execute_input": "2026-11-23T16:08:29.1Z"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7", "codemirror_mode": {"name": "ipython"}}
    nb.metadata["papermill"] = {"duration": 1.0}
    copy = tmp_path / committed.name
    nbformat.write(nb, copy)
    assert strip_outputs(copy)
    assert output_problems(nbformat.read(copy, as_version=4)) == []
    assert nbformat.read(copy, as_version=4) == nbformat.read(committed, as_version=4)
