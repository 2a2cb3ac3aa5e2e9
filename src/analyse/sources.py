"""Every source the suite knows, by name and in report order (see PRODUCT.md, "data/raw/").

A new source adds its :class:`~analyse.cleaning.SourceSpec` here (and its name to
``config.SOURCES``). Kept apart from :mod:`analyse.pipeline`, which loads pandera to
validate: deciding what to rebuild (``analyse build``) needs the specs, not the validator.
"""

from __future__ import annotations

from analyse import as2007, fremmoede, rusmiddel
from analyse.cleaning import SourceSpec

SPECS: dict[str, SourceSpec] = {
    "as2007": as2007.SPEC,
    "fremmoede": fremmoede.SPEC,
    "rusmiddel": rusmiddel.SPEC,
}
