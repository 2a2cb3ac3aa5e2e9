"""The processed tables' schemas, declared once at the raw → processed boundary (pandera).

Only :func:`analyse.cleaning.clean_source` (when it validates) and :mod:`analyse.pipeline`
import this module: the cleaners' modules are also imported by report notebooks, whose
kernels need not load pandera (about 0.15-0.4 s each).

A clean table that breaks its schema is a bug in a cleaner, not a user mistake:
:func:`validate` turns pandera's report into one :class:`SchemaViolation` line.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analyse import rusmiddel
from analyse.exceptions import AnalyseError

PSEUDONYM = pa.Column("string", pa.Check.str_matches(r"^[0-9a-f]{16}$"), nullable=False)
SOURCE_COLUMNS = {
    "source_file": pa.Column(str, nullable=False),
    "source_row": pa.Column("int64", pa.Check.ge(1)),
}


class SchemaViolation(AnalyseError):
    """A processed table does not satisfy its schema."""


AS2007 = pa.DataFrameSchema(
    {
        "pseudonym": PSEUDONYM,
        "birth_year": pa.Column("Int64", pa.Check.in_range(1858, 2100), nullable=False),
        "sex": pa.Column("string", pa.Check.isin(["K", "M"]), nullable=False),
        "ydelsestype": pa.Column("string", nullable=False),
        "start_date": pa.Column("datetime64[ns]", nullable=False),
        "end_date": pa.Column("datetime64[ns]", nullable=True),
        "leverandoer": pa.Column("string", nullable=True),
        "hours_per_week": pa.Column("Float64", pa.Check.ge(0), nullable=True),
        "amount": pa.Column("Float64", nullable=True),
        **SOURCE_COLUMNS,
    },
    checks=[
        pa.Check(
            lambda df: df["end_date"].isna() | (df["end_date"] >= df["start_date"]),
            error="slutdato før startdato",
        )
    ],
    strict=True,
    ordered=True,
    name="as2007",
)


FREMMOEDE = pa.DataFrameSchema(
    {
        "date": pa.Column("datetime64[ns]", nullable=False),
        "tilbud": pa.Column("string", pa.Check.str_length(min_value=1), nullable=False),
        "tilbud_kendt": pa.Column(bool, nullable=False),
        "pseudonym": pa.Column("string", pa.Check.str_matches(r"^[0-9a-f]{16}$"), nullable=True),
        "anonymous": pa.Column(bool, nullable=False),
        "antal": pa.Column("Int64", pa.Check.ge(1), nullable=False),
        **SOURCE_COLUMNS,
    },
    checks=[
        pa.Check(
            lambda df: df["anonymous"] == df["pseudonym"].isna(),
            error="anonym række uden pseudonym (og omvendt)",
        )
    ],
    strict=True,
    ordered=True,
    name="fremmoede",
)


RUSMIDDEL = pa.DataFrameSchema(
    {
        "pseudonym": PSEUDONYM,
        "birth_year": pa.Column("Int64", pa.Check.in_range(1858, 2100), nullable=False),
        "sex": pa.Column("string", pa.Check.isin(["K", "M"]), nullable=False),
        "rusmiddel": pa.Column("string", pa.Check.isin(list(rusmiddel.SUBSTANCES)), nullable=False),
        "start_date": pa.Column("datetime64[ns]", nullable=False),
        "end_date": pa.Column("datetime64[ns]", nullable=True),
        "afslutningsstatus": pa.Column("string", pa.Check.isin(list(rusmiddel.STATUSES)), nullable=True),
        **SOURCE_COLUMNS,
    },
    checks=[
        pa.Check(
            lambda df: df["end_date"].isna() | (df["end_date"] >= df["start_date"]),
            error="slutdato før startdato",
        ),
        pa.Check(
            lambda df: df["end_date"].isna() == df["afslutningsstatus"].isna(),
            error="afslutningsstatus skal findes netop når slutdato findes",
        ),
    ],
    strict=True,
    ordered=True,
    name="rusmiddel",
)


def validate(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate ``frame``; raise :class:`SchemaViolation` with a one-line summary."""
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases[["column", "check"]].drop_duplicates().head(5)
        summary = "; ".join(f"{c}: {k}" for c, k in cases.itertuples(index=False))
        raise SchemaViolation(f"tabellen {schema.name} overholder ikke skemaet ({summary})") from None


# Each source's schema by its name (analyse.sources.SPECS); analyse.cleaning applies it.
SCHEMAS = {"as2007": AS2007, "fremmoede": FREMMOEDE, "rusmiddel": RUSMIDDEL}


def validate_source(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Validate a source's clean table against its schema (see :func:`validate`)."""
    return validate(SCHEMAS[name], frame)
