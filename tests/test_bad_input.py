"""The bad-input corpus (tests/data/bad/): every file through the command line, alone.

For each file the outcome must match ``expected.yaml``: either a stop (exit 2)
with one line naming the file (and row/column where given), or a successful run
(exit 0) with exactly the expected clean and rejected rows. Never a traceback,
never a CPR number in a message, and the row accounting always adds up.

Speed: each case runs in a process of its own, forked from one interpreter that
has already imported the package (``python -m analyse clean`` would spend a
second per case importing pandas and friends). The child runs the same
``analyse.cli.main`` as ``python -m analyse`` and exits with its status; one case
also runs through a plain ``python -m analyse`` subprocess to keep that path honest.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "bad"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
CPR_IN_TEXT = re.compile(r"(?<!\d)\d{6}[- ]?\d{4}(?!\d)|(?<!\d)\d{9}(?!\d)")

# Forks one child per job from an interpreter that has imported the command line already.
WORKER = r"""
import json, os, sys, traceback
from analyse import cli
import analyse.pipeline  # noqa: F401 - what 'analyse clean' imports, loaded once

for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 98
        try:
            out = os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            err = os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1), os.dup2(err, 2)
            sys.stdout = os.fdopen(1, "w", closefd=False)
            sys.stderr = os.fdopen(2, "w", closefd=False)
            os.chdir(job["cwd"])
            try:
                code = cli.main(job["argv"])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
                code = 99
            sys.stdout.flush(), sys.stderr.flush()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)
"""


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANALYSE_")}
    env.update(
        HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
        ANALYSE_PSEUDONYM_KEY="korpus-testnoegle-" + "7" * 32,
        ANALYSE_MAPPINGS=str(home / "ingen-brugermapninger"),
    )
    return env


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every corpus file cleaned on its own: {file: (returncode, stdout, stderr, out_dir)}."""
    base = tmp_path_factory.mktemp("bad")
    worker = subprocess.Popen([sys.executable, "-c", WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, env=_env(base / "home"), cwd=ROOT)
    results = {}
    try:
        for i, name in enumerate(EXPECTED):
            source_file = CORPUS / name
            case = base / f"case{i:02d}"
            raw = case / "raw" / source_file.parent.name
            raw.mkdir(parents=True)
            shutil.copyfile(source_file, raw / source_file.name)
            job = {"argv": ["clean", "--raw", str(case / "raw"), "--out", str(case / "out")],
                   "stdout": str(case / "stdout.txt"), "stderr": str(case / "stderr.txt"), "cwd": str(ROOT)}
            worker.stdin.write(json.dumps(job) + "\n")
            worker.stdin.flush()
            returncode = json.loads(worker.stdout.readline())["returncode"]
            results[name] = (returncode, (case / "stdout.txt").read_text(encoding="utf-8"),
                             (case / "stderr.txt").read_text(encoding="utf-8"), case / "out")
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    return results


def test_the_corpus_is_big_enough_and_every_file_has_an_expected_outcome():
    files = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.parent != CORPUS)
    assert sorted(EXPECTED) == files
    assert len(files) >= 25
    assert {f.split("/")[0] for f in files} == {"as2007", "fremmoede", "rusmiddel"}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_bad_input(outcomes, name):
    expected = EXPECTED[name]
    returncode, stdout, stderr, out = outcomes[name]
    file_name = Path(name).name
    assert "Traceback" not in stdout + stderr
    assert not CPR_IN_TEXT.search(stdout + stderr), stdout + stderr
    if "error" in expected:
        assert returncode == 2, (stdout, stderr)
        lines = [ln for ln in stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, stderr
        line = lines[0]
        assert f"fil {file_name}" in line
        assert expected["error"] in line
        if "row" in expected:
            assert f"række {expected['row']}" in line
        if "column" in expected:
            assert f"kolonne {expected['column']!r}" in line
        assert not (out / "kvalitet.json").exists()  # a stopped run writes nothing
        return
    assert returncode == 0, stderr
    source = Path(name).parts[0]
    account = json.loads((out / "kvalitet.json").read_text(encoding="utf-8"))[source]["files"]
    assert [a["file"] for a in account] == [file_name]
    account = account[0]
    assert account["rows_clean"] == expected["clean"]
    assert account["rejected_by_reason"] == expected["rejected"]
    assert account["duplicates_removed"] == expected.get("duplicates", 0)
    assert account["rows_in"] == account["rows_clean"] + account["rows_rejected"] + account["duplicates_removed"]
    rejected = (out / f"{source}_afviste.csv").read_text(encoding="utf-8-sig")
    assert not CPR_IN_TEXT.search(rejected)
    assert len(rejected.strip().splitlines()) == 1 + account["rows_rejected"]


def test_one_case_through_a_plain_python_m_analyse_process(tmp_path):
    raw = tmp_path / "raw" / "as2007"
    raw.mkdir(parents=True)
    shutil.copyfile(CORPUS / "as2007" / "semicolon_in_unquoted_field.csv", raw / "x.csv")
    result = subprocess.run([sys.executable, "-m", "analyse", "clean", "--raw", str(tmp_path / "raw"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True,
                            env=_env(tmp_path / "home"), cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "fil x.csv, række 3" in result.stderr
