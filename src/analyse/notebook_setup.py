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


def injected_parameters() -> set[str]:
    """The names of the parameters Papermill gave this run (its ``# Parameters`` cell).

    Read from the kernel's cell history; empty outside a kernel or when the notebook
    runs with its defaults (e.g. in JupyterLab).
    """
    import ast

    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the notebooks
        return set()
    shell = get_ipython()
    if shell is None:
        return set()
    names: set[str] = set()
    for source in shell.user_ns.get("In", []):
        if not isinstance(source, str) or not source.lstrip().startswith("# Parameters"):
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        names |= {t.id for node in tree.body if isinstance(node, ast.Assign)
                  for t in node.targets if isinstance(t, ast.Name)}
    return names


def clamp_to_data(
    indicators, indicator: str, first: str, last: str, explicit=(),
    source: str = "data", last_date=None, source_key: str | None = None, trend: bool = True,
) -> tuple[str, str, str]:
    """A report's default half-years narrowed to those the indicator has data for.

    Returns ``(first, last, sentence)``. A bound not named in ``explicit`` (the
    parameters the run was given) that lies beyond the data is moved to the data's
    first or last half-year, and ``sentence`` says so (else it is empty). A bound given
    explicitly is kept: :func:`analyse.periods.period_table` then stops the report with
    its clear error, as it should when someone asked for half-years there are no data for.

    With the source's ``last_date`` and ``source_key`` (:mod:`analyse.completeness`), a last
    half-year the data cover only partly counts as beyond the data: a default period leaves it
    out, and the sentence names it and the date. Asked for explicitly (``last_period``), it is
    kept, and the sentence says that it is incomplete; the report marks it
    (:func:`analyse.completeness.mark`) and keeps it out of its trend (``trend``: the report
    has one, and the sentence says so).

    >>> import pandas as pd
    >>> ind = pd.DataFrame({"indicator": ["n"] * 3, "group": ["I alt"] * 3,
    ...                     "period": ["2016H1", "2016H2", "2017H1"], "value": [1, 2, 3]})
    >>> clamp_to_data(ind, "n", "2016H1", "2019H1", source="AS2007")[:2]
    ('2016H1', '2017H1')
    >>> clamp_to_data(ind, "n", "2016H1", "2019H1", explicit={"last_period"})
    ('2016H1', '2019H1', '')
    >>> first, last, text = clamp_to_data(ind, "n", "2016H1", "2017H1", source="fremmøderegistreringerne",
    ...                                   last_date="2017-02-03", source_key="fremmoede")
    >>> first, last
    ('2016H1', '2016H2')
    >>> print(text)
    Tallene for 1. halvår 2017 er ikke med, fordi fremmøderegistreringerne kun går til 3. februar 2017.
    >>> print(clamp_to_data(ind, "n", "2016H1", "2019H1", source="fremmøderegistreringerne",
    ...                     last_date="2017-02-03", source_key="fremmoede")[2])  # doctest: +NORMALIZE_WHITESPACE
    Rapportens standardperiode er 1. halvår 2016 – 1. halvår 2019, men fremmøderegistreringerne dækker
    1. halvår 2016 – 2. halvår 2016; rapporten viser derfor 1. halvår 2016 – 2. halvår 2016.
    Tallene for 1. halvår 2017 er ikke med, fordi fremmøderegistreringerne kun går til 3. februar 2017.
    >>> clamp_to_data(ind, "n", "2016H1", "2017H1", explicit={"last_period"}, last_date="2017-02-03",
    ...               source_key="fremmoede")[:2]
    ('2016H1', '2017H1')
    """
    from analyse import completeness
    from analyse.formatting import format_period_span
    from analyse.periods import half_year_index

    if indicators is None:
        return first, last, ""
    labels = indicators.loc[indicators["indicator"] == indicator, "period"].astype(str)
    have = sorted({p for p in labels if len(p) == 6 and p[4] == "H"}, key=half_year_index)
    if not have:
        return first, last, ""
    data_end = have[-1]
    inside = lambda p: half_year_index(first) <= half_year_index(p) <= half_year_index(last)  # noqa: E731
    note = ""
    if source_key is not None:
        split = completeness.split_periods(have, last_date, source_key)
        partial = [p for p in split.left_out if inside(p)]
        if partial:
            if "last_period" in explicit or not any(inside(p) for p in split.shown):
                note = completeness.kept_sentence(partial[0], last_date, source_key, trend=trend)
            else:
                note = completeness.left_out_sentence(partial, last_date, source_key)
                have = split.shown
    new_first, new_last = first, last
    if "first_period" not in explicit and half_year_index(first) < half_year_index(have[0]):
        new_first = have[0]
    if "last_period" not in explicit and half_year_index(last) > half_year_index(have[-1]):
        new_last = have[-1]
    if half_year_index(new_first) > half_year_index(new_last):
        return first, last, ""  # no overlap at all: period_table says so
    sentence = ""
    # Narrowed to the data (not only by leaving out an incomplete last half-year, which the note says).
    if new_first != first or new_last != last and half_year_index(last) > half_year_index(data_end):
        sentence = (
            f"Rapportens standardperiode er {format_period_span(first, last)}, men {source} dækker "
            f"{format_period_span(have[0], have[-1])}; rapporten viser derfor "
            f"{format_period_span(new_first, new_last)}."
        )
    return new_first, new_last, " ".join(filter(None, [sentence, note]))
