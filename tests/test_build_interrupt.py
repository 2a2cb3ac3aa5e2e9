"""A build stopped part-way (SIGTERM, Ctrl-C) says so in one line and leaves no report passed off as current.

Real builds on a copy of the built sample (the session's ``build`` fixture), as processes: new
extracts, then the build is signalled as soon as its first report is written again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def command(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyse", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, **kwargs)


def sample_copy(build, base: Path) -> dict:
    """The built sample's processed and reports folders, copied, and the environment to use them."""
    processed, reports = base / "processed", base / "reports"
    shutil.copytree(build["processed"], processed)
    shutil.copytree(build["reports"], reports)
    env = {**build["env"], "ANALYSE_PROCESSED": str(processed), "ANALYSE_REPORTS": str(reports),
           "ANALYSE_TABLES_DIR": str(reports / "tabeller"), "PYTHONUNBUFFERED": "1"}
    folders = ["--processed", str(processed), "--reports", str(reports)]
    return {"processed": processed, "reports": reports, "env": env, "raw": build["raw"], "folders": folders}


def start(env: dict, *args: str) -> subprocess.Popen:
    """``analyse ...`` in a session of its own, with Ctrl-C's default (not the shell's 'ignore')."""
    return subprocess.Popen([sys.executable, "-m", "analyse", *args], env=env, cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_until(condition, process: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def index_lists(reports: Path) -> tuple[str, str]:
    index = (reports / "index.html").read_text(encoding="utf-8")
    current, _, older = index.partition("<h2>Ældre rapporter</h2>")
    return current, older


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "Ctrl-C"])
def test_a_build_stopped_after_its_first_report_lists_the_others_as_older(build, tmp_path, sig, status):
    project = sample_copy(build, tmp_path)
    raw = tmp_path / "raw"
    assert command(project["env"], "sample", "--out", str(raw), "--seed", "7").returncode == 0  # new extracts
    first = project["reports"] / "00_samlet_rapport.html"
    before = first.stat().st_mtime_ns

    process = start(project["env"], "build", "--raw", str(raw), *project["folders"])
    wait_until(lambda: first.stat().st_mtime_ns != before, process)  # report 00 made from the new data
    if sig == signal.SIGINT:
        os.killpg(process.pid, sig)  # as a terminal's Ctrl-C: the whole foreground process group
    else:
        process.send_signal(sig)
    out, err = process.communicate(timeout=120)

    assert process.returncode == status, out + err
    # One Danish line: no kernel's traceback, no English log line.
    assert len(err.strip().splitlines()) == 1 and err.startswith("analyse: afbrudt"), err
    current, older = index_lists(project["reports"])
    assert "00_samlet_rapport.html" in current
    for stem in ("03_rusmiddel", "04_maalopfoelgning"):  # old reports: old data
        assert f"{stem}.html" not in current and f"{stem}.html" in older
    assert "ikke dannet igen, da kørslen blev afbrudt (data ændret" in older
    assert not list((project["reports"] / "notebooks").glob(".*.partial.ipynb"))

    if sig == signal.SIGINT:
        return
    # The next build finishes the job (report 00 is not made again): everything current again.
    done = command(project["env"], "build", "--raw", str(raw), *project["folders"], timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "00_samlet_rapport.ipynb: uændret, springes over" in done.stdout
    assert "Ældre rapporter" not in (project["reports"] / "index.html").read_text(encoding="utf-8")


def test_a_build_removes_the_partial_copies_a_killed_run_left(tmp_path):
    from tests.test_build_incremental import AS2007, FREMMOEDE, run_build, tiny_notebook
    from tests.conftest import write_csv

    write_csv(tmp_path / "raw" / "as2007" / "bevillinger.csv", AS2007)
    write_csv(tmp_path / "raw" / "fremmoede" / "fremmoede.csv", FREMMOEDE)
    project = {"raw": tmp_path / "raw", "processed": tmp_path / "processed", "reports": tmp_path / "reports",
               "notebooks": [tiny_notebook(tmp_path / "a_visiterede.ipynb", "as2007")]}
    run_build(project)
    executed = project["reports"] / "notebooks"
    left = executed / ".a_visiterede.partial.ipynb"
    left.write_text((executed / "a_visiterede.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    others = [executed / ".noter.ipynb", executed / "partial.ipynb", project["reports"] / ".x.partial.ipynb"]
    for path in others:
        path.write_text("{}", encoding="utf-8")

    result, _ = run_build(project)
    assert result.reports_run == []  # a no-change build does it too
    assert not left.exists()
    assert all(path.exists() for path in others)  # only what the runner makes


def test_the_build_removes_what_the_runner_names_a_partial_copy(tmp_path):
    from analyse import build, runner

    partial = runner.partial_path(tmp_path / "notebooks" / "01_x__v.ipynb")
    partial.parent.mkdir()
    partial.write_text("{}", encoding="utf-8")
    assert build.remove_partial_notebooks(tmp_path) == [partial]
