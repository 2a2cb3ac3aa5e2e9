"""Text cells → typed values: CPR numbers, dates, Danish numbers and labels.

Each parser works on the distinct values of a column and maps the result back:
extracts repeat the same few thousand dates and CPR numbers many times, and
parsing each distinct value once is what keeps a million-row extract fast.
Invalid values become missing (NA/NaT); the caller decides which reason to give.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import pandas as pd
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError

_CPR_STRIP = re.compile(r"[\s\-]")
# Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials for 1950-01-01 .. 2099-12-31: anything else in a date column is not a date.
_EXCEL_SERIAL_RANGE = (18264, 73050)
_DMY = re.compile(r"^(\d{1,2})([-./])(\d{1,2})\2(\d{4})(?:[ T]00:00(?::00)?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
_DANISH_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


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


def normalise_cpr_text(text: str) -> str | None:
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
    if len(digits) == 9 and digits.isdigit():
        digits = "0" + digits
    if len(digits) != 10 or not digits.isdigit():
        return None
    try:
        born = stdnum_cpr.get_birth_date(digits)
    except (ValidationError, ValueError):
        return None
    if born > dt.date.today():
        return None
    return digits


def birth_year(cpr10: str) -> int:
    """Birth year from a normalised CPR number (century from the 7th digit).

    >>> birth_year("0102031234"), birth_year("0102034234")
    (1903, 2003)
    """
    return stdnum_cpr.get_birth_date(cpr10).year


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
    for text in uniques:
        cpr10 = normalise_cpr_text(text)
        cprs.append(cpr10)
        years.append(birth_year(cpr10) if cpr10 else None)
    cpr = pd.Series(cprs, dtype="string").reindex(codes).set_axis(values.index)
    # The CPR rule: an odd last digit is a man, an even one a woman.
    sex_by_digit = {str(d): ("M" if d % 2 else "K") for d in range(10)}
    return pd.DataFrame(
        {
            "cpr": cpr,
            "birth_year": pd.Series(years, dtype="Int64").reindex(codes).set_axis(values.index),
            "sex": cpr.str[-1].map(sex_by_digit).astype("string"),
        }
    )


def parse_date_text(text: str) -> pd.Timestamp | None:
    """One date in any of the contract's forms, or None.

    >>> [str(parse_date_text(s).date()) for s in ["02-09-2019", "2.9.2019", "02/09/2019", "2019-09-02", "43710"]]
    ['2019-09-02', '2019-09-02', '2019-09-02', '2019-09-02', '2019-09-02']
    >>> parse_date_text("31-02-2018") is None
    True
    """
    text = str(text).strip()
    try:
        if m := _DMY.match(text):
            return pd.Timestamp(dt.date(int(m.group(4)), int(m.group(3)), int(m.group(1))))
        if m := _YMD.match(text):
            return pd.Timestamp(dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    except ValueError:  # a date that does not exist, like 31-02-2018
        return None
    if m := _SERIAL.match(text):
        serial = int(m.group(1))
        if _EXCEL_SERIAL_RANGE[0] <= serial <= _EXCEL_SERIAL_RANGE[1]:
            return pd.Timestamp(_EXCEL_EPOCH + dt.timedelta(days=serial))
    return None


def parse_dates(values: pd.Series) -> pd.Series:
    """A text column of dates → datetime64; blanks and invalid dates → NaT.

    >>> parse_dates(pd.Series(["01-01-2018", "", "bad"])).isna().tolist()
    [False, True, True]
    """
    parsed = map_distinct(values, parse_date_text)
    return pd.to_datetime(parsed, errors="coerce").astype("datetime64[ns]")


_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _number_text_to_plain(text: str) -> str:
    text = str(text).strip().replace("\u00a0", "").replace(" ", "")
    text = re.sub(r"(?i)^kr\.?|kr\.?$", "", text)
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if _DANISH_THOUSANDS.match(text):
        return text.replace(".", "")
    return text


def parse_number_text(text: str) -> float | None:
    """A number in Danish (``1.234,50``) or plain (``1234.5``) form, or None.

    A value like ``1.234`` (dots in groups of three, no comma) is read as Danish
    thousands, i.e. 1234: that is how Danish exports write amounts.

    >>> [parse_number_text(s) for s in ["1.234,50", "1234.5", "7,5", "1.234", "kr. 200", "-3"]]
    [1234.5, 1234.5, 7.5, 1234.0, 200.0, -3.0]
    >>> parse_number_text("abc") is None, parse_number_text("1e5") is None
    (True, True)
    """
    plain = _number_text_to_plain(text)
    return float(plain) if _PLAIN_NUMBER.match(plain) else None


def parse_numbers(values: pd.Series) -> pd.Series:
    """A text column of numbers → Float64; blanks and invalid numbers → NA.

    Vectorised over the distinct values (amounts are nearly all distinct), with the
    same rules as :func:`parse_number_text`.

    >>> parse_numbers(pd.Series(["1.234,50", "", "x", "2"])).tolist()
    [1234.5, <NA>, <NA>, 2.0]
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype(str)
    text = text.str.replace(r"[\s\u00a0]", "", regex=True).str.replace(r"(?i)^kr\.?|kr\.?$", "", regex=True)
    comma = text.str.contains(",", regex=False)
    thousands = text.str.match(_DANISH_THOUSANDS.pattern)
    undotted = text.str.replace(".", "", regex=False)
    text = undotted.str.replace(",", ".", regex=False).where(comma, undotted.where(thousands, text))
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
