"""Report variants in parallel processes and on a Dask cluster; one failure never stops the rest."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analyse import cli, config
from analyse.batch import execute_jobs
from analyse.params import ReportJob

pytestmark = pytest.mark.slow


def variant_notebook(path: Path) -> Path:
    """Prints a line that depends on its parameters; the variant 'fejl' raises in its third cell."""
    nb = new_notebook(
        cells=[
            new_code_cell('processed_dir: str = ""\nlabel: str = "standard"\nfactor: int = 1',
                          metadata={"tags": ["parameters"]}),
            new_markdown_cell("# Variantrapport"),
            new_code_cell("from IPython.display import Markdown\nMarkdown(f'Variant **{label}**: {6 * factor}')"),
            new_code_cell("if label == 'fejl':\n    raise ValueError('bevidst fejl for 010203-1234')"),
            new_code_cell("import os\nprint('nøgle' if os.environ.get('ANALYSE_PSEUDONYM_KEY') else 'ingen nøgle')"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    nbformat.write(nb, path)
    return path


def outputs(executed: Path) -> list:
    nb = nbformat.read(executed, as_version=4)
    return [[o.get("data", {}).get("text/markdown") for o in c.get("outputs", [])]
            for c in nb.cells if c.cell_type == "code"]


def jobs_for(notebook: Path, variants: dict[str, dict]) -> list[ReportJob]:
    return [ReportJob(notebook, params, name) for name, params in variants.items()]


VARIANTS = {"a": {"label": "a", "factor": 1}, "b": {"label": "b", "factor": 2},
            "c": {"label": "c", "factor": 3}, "d": {"label": "d", "factor": 4}}


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_two_at_a_time_make_the_same_reports_as_one(tmp_path, monkeypatch, executor):
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    notebook = variant_notebook(tmp_path / "rapport.ipynb")
    one = execute_jobs(jobs_for(notebook, VARIANTS), tmp_path / "seq", workers=1, progress=False)
    two = execute_jobs(jobs_for(notebook, VARIANTS), tmp_path / "par", workers=2, executor=executor, progress=False)
    assert [r.ok for r in one] == [True] * 4 and [r.ok for r in two] == [True] * 4
    assert [r.html.name for r in two] == [f"rapport__{v}.html" for v in VARIANTS]
    for variant in VARIANTS:
        seq = tmp_path / "seq" / "notebooks" / f"rapport__{variant}.ipynb"
        par = tmp_path / "par" / "notebooks" / f"rapport__{variant}.ipynb"
        assert outputs(seq) == outputs(par)
        executed = nbformat.read(par, as_version=4)
        assert executed.cells[-1].outputs[0]["text"].strip() == "ingen nøgle"  # the kernel never sees the key
        page = (tmp_path / "par" / f"rapport__{variant}.html").read_text(encoding="utf-8")
        assert f"Variant <strong>{variant}</strong>: {6 * VARIANTS[variant]['factor']}" in page
        assert f"Variantrapport – {variant}" in page  # the variant is in the title
    import os

    assert os.environ.get("ANALYSE_PSEUDONYM_KEY")  # put back after the run


def test_one_failing_variant_others_finish_and_the_summary_names_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    variant_notebook(notebooks / "rapport.ipynb")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    params = tmp_path / "varianter.yaml"
    params.write_text("varianter:\n  god: {parametre: {label: god}}\n  fejl: {parametre: {label: fejl}}\n"
                      "  ogsaa_god: {parametre: {label: ogsaa_god, factor: 2}}\n", encoding="utf-8")
    reports = tmp_path / "reports"
    (tmp_path / "indikatorer.csv").write_text("indicator;group;period;value\n", encoding="utf-8")  # cleaned data

    status = cli.main(["run", "--params", str(params), "--jobs", "2", "--reports", str(reports),
                       "--processed", str(tmp_path)])

    out, err = capsys.readouterr()
    assert status == 2
    assert (reports / "rapport__god.html").is_file() and (reports / "rapport__ogsaa_god.html").is_file()
    assert not (reports / "rapport__fejl.html").exists()
    assert (reports / "notebooks" / "rapport__fejl.ipynb").is_file()  # kept for debugging
    failure = next(line for line in out.splitlines() if line.startswith("FEJL:"))
    assert "rapport.ipynb (variant fejl)" in failure
    assert re.search(r"kodecelle \d+", failure) and "ValueError: bevidst fejl" in failure
    assert "2 rapporter dannet" in out and "1 fejlede" in out
    assert "010203-1234" not in out + err
    assert "variant fejl" in err and len(err.strip().splitlines()) == 1
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert "rapport__god.html" in index and "kunne ikke dannes" in index


def test_dask_local_cluster_runs_the_variants(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setenv("ANALYSE_TABLES_DIR", str(tmp_path / "tabeller"))
    notebook = variant_notebook(tmp_path / "rapport.ipynb")
    variants = {"a": {"label": "a"}, "fejl": {"label": "fejl"}, "c": {"label": "c", "factor": 3}}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        results = execute_jobs(jobs_for(notebook, variants), tmp_path / "reports", executor="dask",
                               scheduler=cluster.scheduler_address, progress=False)
    assert [r.ok for r in results] == [True, False, True]
    assert "rapport.ipynb (variant fejl)" in results[1].error and "kodecelle" in results[1].error
    page = (tmp_path / "reports" / "rapport__c.html").read_text(encoding="utf-8")
    assert "Variant <strong>c</strong>: 18" in page


def test_unreachable_dask_scheduler_is_one_clear_line(tmp_path, capsys):
    (tmp_path / "indikatorer.csv").write_text("indicator;group;period;value\n", encoding="utf-8")  # cleaned data
    status = cli.main(["run", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9",
                       "--reports", str(tmp_path / "r"), "--processed", str(tmp_path)])
    _, err = capsys.readouterr()
    assert status == 2 and "Dask-scheduleren tcp://127.0.0.1:9" in err
