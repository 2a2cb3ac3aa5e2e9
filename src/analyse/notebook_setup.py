"""What every report notebook does first, in one place instead of repeated in each notebook.

    from analyse.notebook_setup import check_parameters, processed_folder, quiet_warnings
    quiet_warnings()
    check_parameters("01_visiterede_ydelser", globals())
    processed = processed_folder(processed_dir)
"""

from __future__ import annotations

import warnings
from pathlib import Path

from analyse import config
from analyse.suppression import DisclosureWarning


def quiet_warnings() -> None:
    """Keep warnings out of the report, except a :class:`DisclosureWarning`.

    A report's readers should see results, not library warnings. A table line the
    disclosure control cannot protect is different: its warning goes to the executed
    notebook's stderr, which the report leaves out and the build reads, so the analyst
    is told (see :func:`analyse.runner.disclosure_warnings`).

    >>> quiet_warnings()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.warn("støj", DeprecationWarning)
    ...     warnings.warn("tabellinje", DisclosureWarning)
    >>> [str(w.message) for w in caught]
    ['tabellinje']
    """
    warnings.filterwarnings("ignore")
    warnings.filterwarnings("always", category=DisclosureWarning)


def processed_folder(processed_dir: str) -> Path:
    """The clean data a report reads: the ``processed_dir`` parameter, or the project's own folder.

    >>> processed_folder("/data/kommune") == Path("/data/kommune")
    True
    >>> processed_folder("") == config.PROCESSED_DIR
    True
    """
    return Path(processed_dir) if processed_dir else config.PROCESSED_DIR


def declared_in(notebook: Path) -> dict[str, dict]:
    """The parameters a notebook's ``parameters`` cell declares, as :func:`papermill.inspect_notebook`
    describes them (name, type, default, the trailing comment as help), read without papermill.

    >>> info = declared_in(config.NOTEBOOKS_DIR / "04_maalopfoelgning.ipynb")["report_type"]
    >>> info["inferred_type_name"], info["default"], info["help"]
    ('str', "'slutstatus'", 'midtvejsstatus eller slutstatus')
    """
    import ast
    import io
    import json
    import tokenize

    cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    source = next(("".join(c["source"]) for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), "")
    comments = {tok.start[0]: tok.string.lstrip("#").strip()
                for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT}
    declared = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            declared[node.target.id] = {"name": node.target.id, "inferred_type_name": ast.unparse(node.annotation),
                                        "default": ast.unparse(node.value), "help": comments.get(node.lineno, "")}
    return declared


def check_parameters(notebook: str, namespace: dict) -> None:
    """Check the parameters as they are now, as ``analyse run`` checks a parameters file's.

    In JupyterLab an analyst edits the ``parameters`` cell by hand; a Danish date where
    ``ÅÅÅÅ-MM-DD`` belongs would otherwise be read month first without a word. ``notebook``
    is the notebook's name (its file in the notebooks folder declares the parameters).

    >>> check_parameters("03_rusmiddel", {"baseline_start": "01-12-2017"})
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: parameter 'baseline_start' = '01-12-2017': ugyldig dato '01-12-2017': skriv ÅÅÅÅ-MM-DD, fx '2021-12-31'
    >>> check_parameters("03_rusmiddel", {"baseline_start": "2017-12-01", "suppression_threshold": 10})
    """
    from analyse.exceptions import ConfigError
    from analyse.params import check_value

    path = config.NOTEBOOKS_DIR / f"{notebook}.ipynb"
    if not path.is_file():  # a copy elsewhere: nothing to check against
        return
    for name, info in declared_in(path).items():
        if name in namespace and name != "processed_dir":
            try:
                check_value(name, namespace[name], info)
            except ConfigError as exc:
                raise ConfigError(f"parameter {name!r} = {namespace[name]!r}: {exc}") from None

