"""What every report notebook does first, in one place instead of repeated in each notebook.

    from analyse.notebook_setup import processed_folder, quiet_warnings
    quiet_warnings()
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
