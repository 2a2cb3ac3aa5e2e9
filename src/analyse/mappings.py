"""Label mappings (variant → canonical label) that users extend without touching code.

The package ships defaults in ``src/analyse/mappings/<name>.csv``; a file of the same
name in the user's mapping folder (``data/mappings/`` by default) adds to them and wins
where both define a variant. Canonical labels always map to themselves. Variants are
compared by :func:`analyse.values.label_key`, so case, punctuation and spacing never
need their own line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analyse import config
from analyse.exceptions import ConfigError
from analyse.values import label_key


@dataclass(frozen=True)
class LabelMapping:
    """Maps label keys to canonical labels."""

    name: str
    by_key: dict[str, str]
    canonical: tuple[str, ...]
    files: tuple[str, ...] = ()

    def lookup(self, values: pd.Series) -> pd.Series:
        """Canonical label per value; NA where the label is unknown.

        >>> m = LabelMapping("demo", {"85 bostøtte timetakst": "§ 85 bostøtte timetakst"}, ("§ 85 bostøtte timetakst",))
        >>> m.lookup(pd.Series(["SEL §85 Bostøtte - timetakst", "§ 999"])).tolist()
        ['§ 85 bostøtte timetakst', None]
        """
        codes, uniques = pd.factorize(values)
        mapped = pd.Series([self.by_key.get(label_key(u)) for u in uniques], dtype=object)
        return mapped.reindex(codes).set_axis(values.index)


def _read_mapping_file(path: Path) -> pd.DataFrame:
    try:
        table = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise ConfigError(f"mappingfil {path}: kan ikke læses ({type(exc).__name__})") from None
    table.columns = [c.strip().casefold() for c in table.columns]
    if not {"variant", "kanonisk"} <= set(table.columns):
        raise ConfigError(f"mappingfil {path}: skal have kolonnerne 'variant;kanonisk'")
    blank = table.index[(table["variant"].str.strip() == "") | (table["kanonisk"].str.strip() == "")]
    if len(blank):
        raise ConfigError(f"mappingfil {path}, række {blank[0] + 2}: tom variant eller tomt kanonisk navn")
    return table


def load_mapping(name: str, canonical: list[str], user_dir: Path | None = None) -> LabelMapping:
    """The shipped mapping ``name`` merged with the user's, keyed for lookup.

    ``canonical`` are the labels the contract knows; a user's mapping may add new
    canonical labels (a new ydelsestype, a new tilbud) by mapping to them.
    """
    user_dir = config.USER_MAPPINGS_DIR if user_dir is None else user_dir
    by_key = {label_key(label): label for label in canonical}
    files = []
    for path in (config.DEFAULT_MAPPINGS_DIR / f"{name}.csv", Path(user_dir) / f"{name}.csv"):
        if path.exists():
            table = _read_mapping_file(path)
            by_key.update({label_key(v): k.strip() for v, k in zip(table["variant"], table["kanonisk"])})
            files.append(str(path))
    targets = tuple(dict.fromkeys([*canonical, *by_key.values()]))
    return LabelMapping(name=name, by_key=by_key, canonical=targets, files=tuple(files))
