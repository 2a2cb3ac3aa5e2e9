"""make.py, the README's entry point: it runs on a bare Python, before pandas is installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def make():
    spec = importlib.util.spec_from_file_location("make_under_test", ROOT / "make.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["a.csv", "a.TXT", "a.tsv", "a.xlsx", "a.xlsm", "a.xls", "a.ods"])
def test_every_file_the_readers_list_counts_as_an_extract(make, tmp_path, name):
    """Otherwise `make.py reports` would write the sample beside real extracts (which `sample` refuses)."""
    (tmp_path / "rusmiddel").mkdir()
    (tmp_path / "rusmiddel" / name).write_bytes(b"x")
    assert make._has_extracts(tmp_path)


@pytest.mark.parametrize("name", ["README.md", ".a.csv", "~$a.xlsx", "noter.docx"])
def test_other_files_do_not(make, tmp_path, name):
    (tmp_path / "as2007").mkdir()
    (tmp_path / "as2007" / name).write_bytes(b"x")
    assert not make._has_extracts(tmp_path)


def test_the_check_needs_no_pandas(tmp_path):
    (tmp_path / "as2007").mkdir()
    (tmp_path / "as2007" / "a.xlsm").write_bytes(b"x")
    code = ("import importlib.util, sys; from pathlib import Path; sys.modules['pandas'] = None; "
            f"spec = importlib.util.spec_from_file_location('m', {str(ROOT / 'make.py')!r}); "
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
            "print(m._has_extracts(Path(sys.argv[1])))")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr
