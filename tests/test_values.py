"""CPR numbers, dates and numbers: the contract's forms, and invariants under messy input."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyse.values import (
    parse_cprs,
    birth_year,
    label_key,
    normalise_cpr_text,
    parse_date_text,
    parse_dates,
    parse_number_text,
    parse_numbers,
    sex,
)


@pytest.mark.parametrize(
    "text",
    ["010203-1234", "0102031234", " 010203 -1234", "010203 1234", "10203-1234", "102031234", "\t0102031234 "],
)
def test_every_cpr_form_normalises_to_ten_digits(text):
    assert normalise_cpr_text(text) == "0102031234"


@pytest.mark.parametrize(
    "text",
    ["310299-1234", "300290-1234", "010203-123", "01020312345", "abcdef-1234", "", "0113031234", "010203-12X4"],
)
def test_invalid_cpr_is_rejected(text):
    assert normalise_cpr_text(text) is None


def test_modulus_11_is_not_required():
    # Numbers without modulus 11 have been issued since 2007.
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    assert sum(int(d) * w for d, w in zip("0102031235", weights)) % 11 != 0
    assert normalise_cpr_text("010203-1235") == "0102031235"


@pytest.mark.parametrize(
    "cpr, year",
    [("0102031234", 1903), ("0102034234", 2003), ("0102584234", 1958), ("0102039234", 2003),
     ("0102589234", 1958), ("0102035234", 2003), ("0102905234", 1890)],
)
def test_century_follows_the_seventh_digit(cpr, year):
    assert birth_year(cpr) == year


def test_cpr_born_in_the_future_is_rejected():
    # 7th digit 4 with year 30 means 2030.
    assert normalise_cpr_text("0101304234") is None


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)), st.integers(0, 999))
def test_any_real_birth_date_survives_every_written_form(born, serial):
    # 7th digit 0-3 means 1900s; 4 means 2000s for years 00-36.
    century_digit = "4" if born.year >= 2000 else "1"
    cpr = born.strftime("%d%m%y") + century_digit + f"{serial:03d}"
    for written in (cpr, f"{cpr[:6]}-{cpr[6:]}", f" {cpr[:6]} - {cpr[6:]} ", cpr.lstrip("0") if cpr[0] == "0" else cpr):
        assert normalise_cpr_text(written) == cpr
    assert birth_year(cpr) == born.year
    assert sex(cpr) in {"K", "M"}


@pytest.mark.parametrize(
    "text", ["02-09-2019", "2-9-2019", "02.09.2019", "02/09/2019", "2019-09-02", "43710", "43710.0", "2019-09-02 00:00:00"]
)
def test_every_date_form(text):
    assert parse_date_text(text) == pd.Timestamp("2019-09-02")


@pytest.mark.parametrize("text", ["31-02-2018", "2018-13-01", "02-09-19", "02-09.2019", "12345", "i går", "", "99999"])
def test_invalid_dates(text):
    assert parse_date_text(text) is None


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_date_forms_agree(day):
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [day.strftime("%d-%m-%Y"), day.strftime("%d.%m.%Y"), day.strftime("%d/%m/%Y"), day.isoformat(), str(serial)]
    assert {parse_date_text(f) for f in forms} == {pd.Timestamp(day)}


def test_parse_dates_keeps_length_and_index():
    values = pd.Series(["01-01-2018", "", "01-01-2018", "x"], index=[10, 11, 12, 13])
    parsed = parse_dates(values)
    assert parsed.index.tolist() == [10, 11, 12, 13]
    assert parsed.isna().tolist() == [False, True, False, True]
    assert str(parsed.dtype) == "datetime64[ns]"


@pytest.mark.parametrize(
    "text, value",
    [("1.234,50", 1234.5), ("1234,5", 1234.5), ("1234.5", 1234.5), ("1.234.567", 1234567.0),
     ("0,5", 0.5), ("-2,25", -2.25), ("1 234,50", 1234.5), ("12", 12.0), ("kr. 1.000", 1000.0)],
)
def test_danish_and_plain_numbers(text, value):
    assert parse_number_text(text) == value


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_danish_formatted_numbers_round_trip(amount):
    whole, frac = f"{amount:.2f}".split(".")
    danish = f"{int(whole):,}".replace(",", ".") + "," + frac
    assert parse_number_text(danish) == pytest.approx(float(amount))


def test_parse_numbers_blank_is_missing():
    assert parse_numbers(pd.Series(["", "x", "3"])).isna().tolist() == [True, True, False]


@given(st.text(max_size=40))
def test_label_key_ignores_case_spacing_and_punctuation(text):
    assert label_key(text) == label_key(f"  {text.upper()}  ") or text.upper().casefold() != text.casefold()
    assert label_key(text) == label_key(text.replace(" ", "  "))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    st.text(alphabet="0123456789.,- kr", max_size=12),
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False).map(str),
), min_size=1, max_size=20))
def test_vectorised_number_parsing_agrees_with_the_single_value_parser(texts):
    vectorised = parse_numbers(pd.Series(texts)).tolist()
    single = [parse_number_text(t) for t in texts]
    assert [None if pd.isna(v) else v for v in vectorised] == single


def test_parse_cprs_agrees_with_the_single_value_functions():
    texts = pd.Series(["010203-1234", "0102034233", "10203-1234", "310299-1234", "", "0102589234"])
    parsed = parse_cprs(texts)
    for text, (cpr, year, sex_) in zip(texts, parsed.itertuples(index=False)):
        expected = normalise_cpr_text(text)
        assert (None if pd.isna(cpr) else cpr) == expected
        if expected:
            assert (year, sex_) == (birth_year(expected), sex(expected))
