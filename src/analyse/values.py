"""Text cells → typed values: CPR numbers, dates, Danish numbers and labels.

Each parser works on the distinct values of a column and maps the result back:
extracts repeat the same few thousand dates and CPR numbers many times, and
parsing each distinct value once is what keeps a million-row extract fast.
Invalid values become missing (NA/NaT); the caller decides which reason to give.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Callable

import numpy as np
import pandas as pd
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError

_CPR_STRIP = re.compile(r"[\s\-]")
# A CPR number as it may be written anywhere, to be hidden: the date part as 6 digits (5 when
# Excel dropped the leading zero) or as a date with dots, dashes or spaces (13.06.77), then a
# dash of any kind (-, ‐, –, —), a dot, spaces or nothing, then 4 digits; no digit on either side.
CPR_LIKE = re.compile(
    r"(?<!\d)(?:\d{5,6}|\d{1,2}[./ -]\d{1,2}[./ -]\d{2})[ \t\u00a0]*[-\u2010\u2011\u2012\u2013\u2014.]?[ \t\u00a0]*\d{4}(?!\d)"
)


def hide_cprs(text: str, marker: str = "[CPR skjult]") -> str:
    """``text`` with every CPR-like number (:data:`CPR_LIKE`) replaced by ``marker``.

    >>> hide_cprs("Samtale 120588–1232, 13.06.77-2344, 1306772344 og 506775555; 01-02-2018, 1.234.567")
    'Samtale [CPR skjult], [CPR skjult], [CPR skjult] og [CPR skjult]; 01-02-2018, 1.234.567'
    """
    return CPR_LIKE.sub(marker, text)
# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials for 1950-01-01 .. 2099-12-31: anything else in a date column is not a date.
_EXCEL_SERIAL_RANGE = (18264, 73050)
# Dates written as text: years outside this range are typos or placeholders (9999), not dates.
_TEXT_YEAR_RANGE = (1900, 2099)
_DMY = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4})(?:[ T]00:00(?::00)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_DANISH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
# With a decimal comma, dots may only group thousands before it: "1,234.50" (English) is not Danish.
_DANISH_DECIMAL = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+),\d+$")


def map_distinct(values: pd.Series, parse: Callable[[str], object], dtype: str | None = None) -> pd.Series:
    """Apply ``parse`` once per distinct value and map the results back onto ``values``.

    >>> map_distinct(pd.Series(["a", "b", "a"]), str.upper).tolist()
    ['A', 'B', 'A']
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = [parse(u) for u in uniques]
    lookup = pd.Series(parsed, dtype=dtype if dtype else None)
    result = lookup.reindex(codes).set_axis(values.index)
    return result if dtype is None else result.astype(dtype)


def spread(distinct: pd.Series | pd.DataFrame, codes, index: pd.Index):
    """Results computed per distinct value, laid out again row by row (code -1 → missing).

    ``codes`` are :func:`pandas.factorize` codes into ``distinct``'s rows. Works column by
    column on the arrays (pyarrow ``take`` for strings), so a million rows cost little.

    >>> spread(pd.Series(["a", "b"], dtype="string"), [1, 0, -1, 1], pd.RangeIndex(4)).tolist()
    ['b', 'a', <NA>, 'b']
    """
    if isinstance(distinct, pd.DataFrame):
        return pd.DataFrame({name: spread(column, codes, index) for name, column in distinct.items()}, index=index)
    array = distinct.array
    if isinstance(array, pd.arrays.NumpyExtensionArray):  # object, bool, plain numbers: reindex as before
        return pd.Series(distinct.reset_index(drop=True).reindex(codes).to_numpy(), index=index, name=distinct.name)
    return pd.Series(array.take(codes, allow_fill=True), index=index, name=distinct.name)


def normalise_cpr_text(text: str, today: dt.date | None = None) -> str | None:
    """A CPR number as 10 digits, or None when it cannot be one.

    Accepts ``DDMMYY-SSSS``, ``DDMMYYSSSS``, stray spaces, and 9 digits from an
    Excel export that dropped the leading zero. The date part must be a real
    date with the century the 7th digit gives (python-stdnum applies the rules);
    modulus 11 is deliberately not checked (not required since 2007).

    >>> normalise_cpr_text(" 010203 -1234")
    '0102031234'
    >>> normalise_cpr_text("10203-1234")  # 9 digits: leading zero lost in Excel
    '0102031234'
    >>> normalise_cpr_text("310299-1234") is None  # 31 February
    True
    """
    digits = _CPR_STRIP.sub("", str(text))
    if len(digits) == 9 and digits.isascii() and digits.isdigit():
        digits = "0" + digits
    if len(digits) != 10 or not (digits.isascii() and digits.isdigit()):
        return None
    born = _birth_date(digits[:7])
    if born is None or born > (today or dt.date.today()):
        return None
    return digits


@lru_cache(maxsize=65536)
def _birth_date(first7: str) -> dt.date | None:
    """The birth date the first seven digits give (python-stdnum's rules), None if none.

    Cached: a municipality's persons share a few tens of thousands of birth dates.
    """
    try:
        return stdnum_cpr.get_birth_date(first7)
    except (ValidationError, ValueError):
        return None


def birth_year(cpr10: str) -> int:
    """Birth year from a normalised CPR number (century from the 7th digit).

    >>> birth_year("0102031234"), birth_year("0102034234")
    (1903, 2003)
    """
    born = _birth_date(cpr10[:7])
    return stdnum_cpr.get_birth_date(cpr10).year if born is None else born.year


def sex(cpr10: str) -> str:
    """'M' for an odd last digit, 'K' for an even one (the CPR rule).

    >>> sex("0102031233"), sex("0102031234")
    ('M', 'K')
    """
    return "M" if int(cpr10[-1]) % 2 else "K"


def parse_cprs(values: pd.Series) -> pd.DataFrame:
    """A text column of CPR numbers → normalised number, birth year and sex (NA where invalid).

    Each distinct text is validated once (python-stdnum), so a column with a
    million rows and sixty thousand persons costs sixty thousand checks.

    >>> parse_cprs(pd.Series(["010203-1234", "10203-1234", "310299-1234"])).values.tolist()
    [['0102031234', 1903, 'K'], ['0102031234', 1903, 'K'], [<NA>, <NA>, <NA>]]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    cprs, years = [], []
    today = dt.date.today()
    for text in uniques.tolist():  # (a list: iterating an Arrow-backed array item by item is slow)
        cpr10 = normalise_cpr_text(text, today)
        cprs.append(cpr10)
        years.append(_birth_date(cpr10[:7]).year if cpr10 else None)
    cpr = pd.Series(cprs, dtype="string")
    # The CPR rule: an odd last digit is a man, an even one a woman.
    sex_by_digit = {str(d): ("M" if d % 2 else "K") for d in range(10)}
    distinct = pd.DataFrame(
        {
            "cpr": cpr,
            "birth_year": pd.Series(years, dtype="Int64"),
            "sex": cpr.str[-1].map(sex_by_digit).astype("string"),
        }
    )
    return spread(distinct, codes, values.index)


def parse_date_text(text: str) -> pd.Timestamp | None:
    """One date in any of the contract's forms, or None.

    >>> [str(parse_date_text(s).date()) for s in ["02-09-2019", "2.9.2019", "02/09/2019", "2019-09-02", "43710"]]
    ['2019-09-02', '2019-09-02', '2019-09-02', '2019-09-02', '2019-09-02']
    >>> parse_date_text("31-02-2018") is None
    True

    Years outside 1900-2099 are not dates here (a typo such as 2918, or 9999 written
    for "no end"): they would not fit the nanosecond date type and are rejected.

    >>> parse_date_text("01-02-2918") is None, parse_date_text("31-12-9999") is None
    (True, True)
    """
    text = str(text).strip()
    try:
        if m := _DMY.match(text):
            day, month, year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        elif m := _YMD.match(text):
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
        else:
            year = None
        if year is not None:
            if not _TEXT_YEAR_RANGE[0] <= year <= _TEXT_YEAR_RANGE[1]:
                return None
            return pd.Timestamp(dt.date(year, month, day))
    except ValueError:  # a date that does not exist, like 31-02-2018
        return None
    if m := _SERIAL.match(text):
        serial = int(m.group(1))
        if _EXCEL_SERIAL_RANGE[0] <= serial <= _EXCEL_SERIAL_RANGE[1]:
            return pd.Timestamp(_EXCEL_EPOCH + dt.timedelta(days=serial))
    return None


# "No end" as many case systems write it: the last day of year 9999 (with midnight from Excel).
_OPEN_END = re.compile(r"^(31([-./])12\2\s*9999|9999-12-31)(?:[ T]00:00(?::00)?)?$")


def blank_open_end(values: pd.Series) -> pd.Series:
    """End dates with "no end" written as 31-12-9999 made blank, which is how the contract says "ongoing".

    Other dates in year 9999 (or 2918) are still no dates: they may be typos.

    >>> blank_open_end(pd.Series(["31-12-9999", "9999-12-31 00:00:00", "01-01-9999", "", "31-12-2030"])).tolist()
    ['', '', '01-01-9999', '', '31-12-2030']
    """
    opened = map_distinct(values.fillna(""), lambda text: bool(_OPEN_END.match(text.strip())), dtype=bool)
    return values.mask(opened, "") if opened.any() else values


def parse_dates(values: pd.Series) -> pd.Series:
    """A text column of dates → datetime64; blanks and invalid dates → NaT.

    >>> parse_dates(pd.Series(["01-01-2018", "", "bad"])).isna().tolist()
    [False, True, True]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    parsed = pd.to_datetime(pd.Series([parse_date_text(u) for u in uniques], dtype=object), errors="coerce")
    # One NaT at the end: code -1 (a missing value) picks it.
    lookup = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(lookup[codes], index=values.index, dtype="datetime64[ns]")


_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _number_text_to_plain(text: str) -> str:
    text = str(text).strip().replace("\u00a0", "").replace(" ", "")
    text = re.sub(r"(?i)^kr\.?|kr\.?$", "", text)
    if "," in text:
        # (Anything else with a comma, e.g. "1,234.50", is left to fail: which is the decimal sign is a guess.)
        return text.replace(".", "").replace(",", ".") if _DANISH_DECIMAL.match(text) else text
    if _DANISH_THOUSANDS.match(text):
        return text.replace(".", "")
    return text


def parse_number_text(text: str) -> float | None:
    """A number in Danish (``1.234,50``) or plain (``1234.5``) form, or None.

    A value like ``1.234`` (dots in groups of three, no comma) is read as Danish
    thousands, i.e. 1234: that is how Danish exports write amounts.

    >>> [parse_number_text(s) for s in ["1.234,50", "1234.5", "7,5", "1.234", "kr. 200", "-3"]]
    [1234.5, 1234.5, 7.5, 1234.0, 200.0, -3.0]
    >>> parse_number_text("abc") is None, parse_number_text("1e5") is None, parse_number_text("1,234.50") is None
    (True, True, True)
    """
    plain = _number_text_to_plain(text)
    return float(plain) if _PLAIN_NUMBER.match(plain) else None


def parse_numbers(values: pd.Series) -> pd.Series:
    """A text column of numbers → Float64; blanks and invalid numbers → NA.

    Vectorised over the distinct values (amounts are nearly all distinct), with the
    same rules as :func:`parse_number_text`.

    >>> parse_numbers(pd.Series(["1.234,50", "", "x", "2", "1,234.50", "7.333"])).tolist()
    [1234.5, <NA>, <NA>, 2.0, <NA>, 7333.0]
    """
    # The common forms (``1234``, ``-1234,5``) straight to numbers in pyarrow; only the rest
    # (thousands dots, ``kr.``, spaces, plain decimals) goes through the text rules below.
    result = np.full(len(values), np.nan)
    missing = np.zeros(len(values), dtype=bool)
    rest = np.ones(len(values), dtype=bool)
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(values.array, pd.arrays.ArrowStringArray):
            text = pa.array(values.array)
        else:
            text = pa.array(values.astype(object).where(values.notna(), None).to_numpy(), type=pa.string())
        simple = pc.fill_null(pc.match_substring_regex(text, r"^-?[0-9]+(,[0-9]+)?$"), False)
        simple_np = simple.to_numpy(zero_copy_only=False)
        if simple_np.any():
            picked = pc.filter(text, simple)
            result[simple_np] = pc.cast(pc.replace_substring(picked, ",", "."), pa.float64()).to_numpy()
            rest = ~simple_np
        missing = pc.is_null(text).to_numpy(zero_copy_only=False)
        rest &= ~missing
    except Exception:  # noqa: BLE001 - pyarrow not usable for this column: the text rules do it all
        missing = values.isna().to_numpy()
        rest = ~missing
    if rest.any():
        result[rest] = _parse_numbers_by_rules(values[rest]).to_numpy(dtype=float, na_value=np.nan)
    out = pd.Series(result, index=values.index, dtype="Float64")
    out[missing] = pd.NA
    return out


def _parse_numbers_by_rules(values: pd.Series) -> pd.Series:
    """:func:`parse_numbers`' text rules over the distinct values (the same as :func:`parse_number_text`)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str)
    text = text.str.replace(r"[\s\u00a0]", "", regex=True).str.replace(r"(?i)^kr\.?|kr\.?$", "", regex=True)
    comma = text.str.contains(",", regex=False)
    danish_decimal = text.str.match(_DANISH_DECIMAL.pattern)
    thousands = text.str.match(_DANISH_THOUSANDS.pattern)
    undotted = text.str.replace(".", "", regex=False)
    text = (undotted.str.replace(",", ".", regex=False).where(danish_decimal, text)
            .where(comma, undotted.where(thousands, text)))
    numbers = pd.to_numeric(text.where(text.str.match(_PLAIN_NUMBER.pattern)), errors="coerce")
    return pd.Series(numbers.to_numpy(), dtype="Float64").reindex(codes).set_axis(values.index)


def label_key(text: str) -> str:
    """The comparison key for a label: case, punctuation and spacing do not matter.

    A leading ``SEL`` (Serviceloven) is dropped, so the many ways AS2007 users
    type a paragraph reduce to one key.

    >>> label_key("SEL §85 Bostøtte - timetakst") == label_key("§ 85 bostøtte timetakst")
    True
    >>> label_key("  Samværstilbuddet (Dag) ")
    'samværstilbuddet dag'
    """
    words = re.sub(r"[^\w]+|_", " ", str(text).casefold()).split()
    if words and words[0] == "sel":
        words = words[1:]
    return " ".join(words)
