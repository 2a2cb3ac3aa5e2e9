"""What loads pandera: cleaning does, report kernels and rebuild planning do not.

pandera (with pydantic) takes 0.15-0.45 s to import. Every report kernel would pay it
for nothing, and so would a no-change ``analyse build`` (which must stay under 2 s).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from analyse import build, config

CHECK = """
import json, sys
{body}
print(json.dumps(sorted(m for m in ("pandera", "pydantic") if m in sys.modules)))
"""


def loaded_after(body: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", CHECK.format(body=body)], capture_output=True, text=True,
                          check=True, cwd=config.PROJECT_ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("notebook", sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")), ids=lambda p: p.stem)
def test_a_report_kernel_does_not_load_pandera(notebook):
    modules = sorted(build.notebook_modules(notebook))
    assert modules, "the notebook imports nothing from analyse?"
    assert loaded_after("\n".join(f"import {m}" for m in modules)) == []


def test_planning_a_build_does_not_load_pandera(tmp_path):
    body = (f"from pathlib import Path\nfrom analyse import build\n"
            f"build.plan_clean(Path({str(tmp_path / 'raw')!r}), Path({str(tmp_path / 'processed')!r}))")
    assert loaded_after(body) == []


def test_the_cleaning_pipeline_loads_it_up_front():
    assert loaded_after("import analyse.pipeline") == ["pandera", "pydantic"]
