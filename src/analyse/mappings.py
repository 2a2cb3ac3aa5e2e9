"""Label mappings (variant → canonical label) that users extend without touching code.

The package ships defaults in ``src/analyse/mappings/<name>.csv``; a file of the same
name in the user's mapping folder (``data/mappings/`` by default) adds to them and wins
where both define a variant. Canonical labels always map to themselves. Variants are
compared by :func:`analyse.values.label_key`, so case, punctuation and spacing never
need their own line; nor does the canonical label a line maps to (``ophørt`` is ``Ophørt``).

Where the canonical labels are a closed list (Afslutningsstatus, Rusmiddel: the outcome
definitions are written in terms of them), a line mapping to anything else stops with
the file, the row and the nearest known label. Where a user may add labels (a new
ydelsestype, a new tilbud), a new label that is nearly a known one is probably a typo:
it is kept, and :func:`warn_about` names it when a cleaner uses the mapping.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analyse import config
from analyse.exceptions import ConfigError
from analyse.values import label_key

log = logging.getLogger(__name__)

# What one label of each mapping is called in messages: (article, noun).
KINDS = {
    "afslutningsstatus": ("en", "afslutningsstatus"),
    "rusmiddel": ("et", "rusmiddel"),
    "ydelsestype": ("en", "ydelsestype"),
    "tilbud": ("et", "tilbud"),
}
# How alike (difflib's ratio of the label keys) a new label must be to a known one to be taken
# for a typo of it. Tabel 2's and Tabel 4's own labels are at most 0.86 alike ("samværstilbuddet
# dag" / "aften"); a letter missed or doubled in a label of ten letters or more is above 0.9.
NEAR_MISS = 0.9


@dataclass(frozen=True)
class LabelMapping:
    """Maps label keys to canonical labels."""

    name: str
    by_key: dict[str, str]
    canonical: tuple[str, ...]
    files: tuple[str, ...] = ()
    # New labels that are nearly known ones, worded for the analyst (see :func:`warn_about`).
    warnings: tuple[str, ...] = ()

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


def _nearest(target: str, known: dict[str, str], cutoff: float, within: bool = False) -> str | None:
    """The known label (``known``: key → label) whose key is most like ``target``'s, if any is ``cutoff`` alike.

    With ``within``, failing that, a known label whose words the target holds
    (``Afbrudt af borgeren`` → ``Afbrudt``), if there is exactly one.

    >>> known = {"ophørt": "Ophørt", "afbrudt": "Afbrudt"}
    >>> _nearest("ophrt", known, 0.6), _nearest("Afbrudt af borgeren", known, 0.6, within=True)
    ('Ophørt', 'Afbrudt')
    """
    key = label_key(target)
    match = difflib.get_close_matches(key, list(known), n=1, cutoff=cutoff)
    if match:
        return known[match[0]]
    if within:
        held = [label for k, label in known.items() if f" {k} " in f" {key} "]
        if len(held) == 1:
            return held[0]
    return None


def load_mapping(
    name: str, canonical: list[str], user_dir: Path | None = None, *, closed: bool = False
) -> LabelMapping:
    """The shipped mapping ``name`` merged with the user's, keyed for lookup.

    ``canonical`` are the labels the contract knows. A line whose canonical label
    matches one of them but for case, punctuation and spacing maps to it as the
    contract spells it. Otherwise, with ``closed``, the line is an error
    (:class:`ConfigError` naming the file and row, and the nearest known label);
    without, a user's mapping may add new canonical labels (a new ydelsestype, a new
    tilbud) by mapping to them, and one nearly like a known label is kept but listed
    in ``warnings``.

    >>> load_mapping("rusmiddel", ["Alkohol", "Stof"], "/ingen", closed=True).by_key["stoffer"]
    'Stof'
    >>> load_mapping("rusmiddel", ["Alkohol"], "/ingen", closed=True)
    Traceback (most recent call last):
    ...
    analyse.exceptions.ConfigError: mappingfil .../rusmiddel.csv, række ...: 'Stof' er ikke et kendt rusmiddel (kendte: Alkohol)
    """
    user_dir = config.USER_MAPPINGS_DIR if user_dir is None else user_dir
    article, noun = KINDS.get(name, ("en", name))
    known = {label_key(label): label for label in canonical}
    added: dict[str, str] = {}  # new labels by key: the first spelling a file gives is the label
    by_key = dict(known)
    files, warnings = [], []
    for path in (config.DEFAULT_MAPPINGS_DIR / f"{name}.csv", Path(user_dir) / f"{name}.csv"):
        if not path.exists():
            continue
        table = _read_mapping_file(path)
        for row, (variant, target) in enumerate(zip(table["variant"], table["kanonisk"]), start=2):
            target = target.strip()
            key = label_key(target)
            if key in known:
                by_key[label_key(variant)] = known[key]
                continue
            nearest = _nearest(target, known, 0.6, within=True) if closed else _nearest(target, known, NEAR_MISS)
            guess = f"; mente du {nearest!r}?" if nearest else ""
            if closed:
                raise ConfigError(
                    f"mappingfil {path}, række {row}: {target!r} er ikke {article} kendt {noun} "
                    f"(kendte: {', '.join(canonical)}){guess}"
                )
            if nearest and key not in added:
                new = "en ny" if article == "en" else "et nyt"
                warnings.append(f"mappingfil {path}, række {row}: {target!r} er ikke {article} kendt {noun} "
                                f"og bliver {new}{guess}")
            by_key[label_key(variant)] = added.setdefault(key, target)
        files.append(str(path))
    targets = tuple(dict.fromkeys([*canonical, *by_key.values()]))
    return LabelMapping(name=name, by_key=by_key, canonical=targets, files=tuple(files), warnings=tuple(warnings))


def warn_about(mapping: LabelMapping) -> None:
    """Log the mapping's warnings (new labels nearly like known ones): called by the cleaner that uses it.

    (Not by :func:`load_mapping` itself: reports and notebooks read mappings too, and the
    analyst should hear of a likely typo once, when cleaning, not in a report.)
    """
    for warning in mapping.warnings:
        log.warning("%s", warning)
