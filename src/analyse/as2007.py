"""The AS2007 cleaner: granted services (visiterede ydelser).

Contract: PRODUCT.md, "as2007/". Each step below is a pure ``DataFrame ->
DataFrame`` function; :func:`clean_as2007` chains them. Rows that cannot be used
are kept with a reason (see :func:`analyse.cleaning.reject`), never dropped.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from analyse import published
from analyse.cleaning import CleanContext, SourceSpec, reject
from analyse.mappings import load_mapping, warn_about
from analyse.pseudonym import pseudonymise
from analyse.readers import Column
from analyse.values import blank_open_end, parse_cprs, parse_dates, parse_numbers, spread

CPR_ALIASES = ("cpr", "cpr-nr", "cprnr", "personnummer", "cpr nr", "cpr-nummer")
START_ALIASES = ("start", "startdato", "bevilget fra", "fra dato")
END_ALIASES = ("slut", "slutdato", "bevilget til", "til dato")

COLUMNS = (
    Column("cpr", "CPR", CPR_ALIASES),
    Column("ydelsestype_raw", "Ydelsestype", ("ydelse", "ydelsestype", "paragraf og ydelse")),
    Column("start_raw", "Startdato", START_ALIASES),
    Column("end_raw", "Slutdato", END_ALIASES),
    Column("leverandoer", "Leverandør", ("leverandoer", "leverandør", "udfører"), required=False),
    Column("hours_raw", "Timer pr. uge", ("timer", "timer pr. uge"), required=False),
    Column("amount_raw", "Beløb", ("beløb", "beloeb", "pris"), required=False),
)

OUTPUT_COLUMNS = (
    "pseudonym",
    "birth_year",
    "sex",
    "ydelsestype",
    "start_date",
    "end_date",
    "leverandoer",
    "hours_per_week",
    "amount",
    "source_file",
    "source_row",
)

# Reasons as they appear in kvalitet.json and the rejected-rows file.
R_CPR = "ugyldigt CPR-nummer"
R_START = "ugyldig eller manglende startdato"
R_END = "ugyldig slutdato"
R_TYPE = "ukendt ydelsestype"
R_END_BEFORE_START = "slutdato før startdato"
R_HOURS = "ugyldigt antal timer"
R_AMOUNT = "ugyldigt beløb"


def add_person(frame: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """Normalise CPR, derive birth year and sex, add the pseudonym; reject invalid CPR.

    The raw ``cpr`` column is left for the caller to drop; the pseudonym of an
    invalid CPR is taken of the text as written, so rejected rows can still be
    grouped without showing the number.

    >>> df = add_person(pd.DataFrame({"cpr": ["010203-1234", "310299-1234"]}), b"k" * 32)
    >>> df["birth_year"].tolist(), df["sex"].tolist(), df["_reason"].tolist()
    ([1903, <NA>], ['K', <NA>], [None, 'ugyldigt CPR-nummer'])
    """
    # Everything per distinct text (sixty thousand persons, not a million rows), then spread out.
    codes, uniques = pd.factorize(frame["cpr"], use_na_sentinel=True)
    texts = pd.Series(uniques, dtype=object)
    person = parse_cprs(texts)
    valid = person["cpr"].notna()
    identifiers = person["cpr"].astype(object)
    identifiers[~valid] = texts[~valid].str.replace(r"\s", "", regex=True)
    person["pseudonym"] = pseudonymise(identifiers, key)
    person = spread(person, codes, frame.index)
    out = frame.copy(deep=False)  # copy-on-write: columns are shared until changed
    out["pseudonym"] = person["pseudonym"]
    out["birth_year"] = person["birth_year"]
    out["sex"] = person["sex"]
    return reject(out, person["cpr"].isna(), R_CPR, "CPR")


def add_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Parse start and end dates; a blank end date means ongoing. Reject bad or reversed dates.

    >>> df = pd.DataFrame({"start_raw": ["01-02-2018", "2018-02-01", "31-02-2018"], "end_raw": ["", "01.01.2018", ""]})
    >>> add_dates(df)["_reason"].tolist()
    [None, 'slutdato før startdato', 'ugyldig eller manglende startdato']
    """
    out = frame.copy(deep=False)  # copy-on-write: columns are shared until changed
    out["start_date"] = parse_dates(frame["start_raw"])
    out["end_date"] = parse_dates(frame["end_raw"])
    out = reject(out, out["start_date"].isna(), R_START, "Startdato")
    out = reject(out, out["end_date"].isna() & (frame["end_raw"] != ""), R_END, "Slutdato")
    return reject(out, out["end_date"] < out["start_date"], R_END_BEFORE_START, "Slutdato")


def add_ydelsestype(frame: pd.DataFrame, mappings_dir) -> pd.DataFrame:
    """Map the raw ydelsestype to the canonical Tabel 2 label; reject unknown labels."""
    mapping = load_mapping("ydelsestype", published.ydelsestyper(), mappings_dir)
    warn_about(mapping)  # a new ydelsestype nearly like a known one: probably a typo in the mapping
    out = frame.copy(deep=False)  # copy-on-write: columns are shared until changed
    codes, uniques = pd.factorize(frame["ydelsestype_raw"], use_na_sentinel=True)
    labels = mapping.lookup(pd.Series(uniques, dtype=object)).astype("string")
    out["ydelsestype"] = spread(labels, codes, frame.index)
    return reject(out, out["ydelsestype"].isna(), R_TYPE, "Ydelsestype")


def parse_amounts(frame: pd.DataFrame) -> pd.DataFrame:
    """Hours per week and amount as numbers (Danish or plain), NA where unreadable: add_amounts' parsing.

    >>> parse_amounts(pd.DataFrame({"hours_raw": ["7,5", ""], "amount_raw": ["1.234,50", "x"]})).values.tolist()
    [[7.5, 1234.5], [<NA>, <NA>]]
    """
    return pd.DataFrame(
        {"hours_per_week": parse_numbers(frame["hours_raw"]), "amount": parse_numbers(frame["amount_raw"])},
        index=frame.index,
    )


def add_amounts(frame: pd.DataFrame, parsed: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hours per week and amount as numbers (Danish or plain); reject unreadable or negative hours.

    ``parsed`` is :func:`parse_amounts` of the same rows when it has been computed already.

    >>> df = add_amounts(pd.DataFrame({"hours_raw": ["7,5", "-1", ""], "amount_raw": ["100", "", "kr"]}))
    >>> df["_reason"].tolist()
    [None, 'ugyldigt antal timer', 'ugyldigt beløb']
    """
    parsed = parse_amounts(frame) if parsed is None else parsed
    out = frame.copy(deep=False)  # copy-on-write: columns are shared until changed
    out["hours_per_week"] = parsed["hours_per_week"]
    out["amount"] = parsed["amount"]
    bad_hours = (out["hours_per_week"].isna() & (frame["hours_raw"] != "")) | (out["hours_per_week"] < 0)
    out = reject(out, bad_hours, R_HOURS, "Timer pr. uge")
    return reject(out, out["amount"].isna() & (frame["amount_raw"] != ""), R_AMOUNT, "Beløb")


def clean_as2007(raw: pd.DataFrame, context: CleanContext) -> pd.DataFrame:
    """All AS2007 steps; one output row per input row, rejected ones carrying a reason."""
    # The numbers are parsed by pyarrow, which lets go of the GIL, while the CPR check is a
    # Python loop that holds it: side by side on two threads they save about 0.1 s of 1.5
    # on a million rows. The rules still apply in order (the first reason wins).
    raw = raw.assign(end_raw=blank_open_end(raw["end_raw"]))  # 31-12-9999: no end, i.e. ongoing
    with ThreadPoolExecutor(max_workers=1) as numbers:
        amounts = numbers.submit(parse_amounts, raw[["hours_raw", "amount_raw"]])
        out = add_person(raw, context.key)
        out = add_dates(out)
        out = add_ydelsestype(out, context.mappings_dir)
        out = add_amounts(out, amounts.result())
    out["leverandoer"] = out["leverandoer"].replace("", None).astype("string")
    return out


def describe_as2007(clean: pd.DataFrame, rejected: pd.DataFrame) -> dict:
    """Source-level quality facts: unknown labels (to add to the mapping) and the date span."""
    unknown = rejected.loc[rejected["reason"] == R_TYPE, "Ydelsestype"].value_counts()
    return {
        "unknown_labels": {str(k): int(v) for k, v in unknown.items()},
        "first_start": None if clean.empty else str(clean["start_date"].min().date()),
        "last_start": None if clean.empty else str(clean["start_date"].max().date()),
        "ongoing_grants": int(clean["end_date"].isna().sum()),
    }


SPEC = SourceSpec(
    name="as2007",
    title="Visiterede ydelser (AS2007)",
    columns=COLUMNS,
    clean=clean_as2007,
    output_columns=OUTPUT_COLUMNS,
    personal_columns=("cpr",),
    date_and_number_columns=("start_raw", "end_raw", "hours_raw", "amount_raw"),
    describe=describe_as2007,
    # One grant: the same person, type and start date in two files is one grant listed twice
    # (a re-export, or an old extract beside a refreshed one where the grant has since ended).
    identity_columns=("pseudonym", "ydelsestype", "start_date"),
    identity_date="start_date",
)
