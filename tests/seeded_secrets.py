"""Known CPR numbers and names planted in the shared sample build, so the leak scan knows what to look for.

:func:`seed` writes one small extra extract per source into the sample's raw
folder (before ``analyse build``), with clean rows *and* rows that get rejected
(an invalid CPR date, an unknown label, a bad date), with CPR numbers in every
written form (dash, no dash, stray spaces, 9 digits as Excel leaves them) and
names in odd case and spacing. The few clean rows add a handful of persons to
the sample's figures, nothing a test of the build depends on. All numbers are
synthetic.
"""

from __future__ import annotations

from pathlib import Path

# 10-digit form of every planted CPR number (clean and rejected rows alike).
CPRS = (
    "1212843457",  # 12-12-1984
    "0506074321",  # 05-06-2007, written with 9 digits (leading zero lost)
    "2309612468",  # 23-09-1961
    "1711552580",  # 17-11-1955, in a row rejected for its label
    "3104881357",  # 31-04-1988 does not exist: rejected as CPR
    "0102964711",  # 01-02-1996, rusmiddel only, rejected for its status
)
NAMES = (
    "Margrethe Vestergaard-Lind",
    "Østen Ærbødig",
    "Rigmor Kjærsgaard",  # in a row rejected for its date
    "Bjørn-Ove Qvist",  # in a row rejected for its Antal
)


def seed(raw: Path) -> dict[str, tuple[str, ...]]:
    """Write the extra extracts under ``raw``; returns the planted CPR numbers and names."""
    files = {
        "as2007/zz_plantet.csv": [
            "CPR;Ydelsestype;Startdato;Slutdato",
            "121284-3457;§ 85 bostøtte timetakst;01-02-2018;",
            "506074321;§ 85 bostøtte timetakst;01-03-2018;30-09-2018",
            " 230961 2468 ;§ 107 Midlertidigt botilbud;01-02-2018;30-06-2018",
            "171155-2580;Ukendt plantet ydelse;01-02-2018;",
            "310488-1357;§ 85 bostøtte timetakst;01-02-2018;",
        ],
        "rusmiddel/zz_plantet.csv": [
            "CPR;Rusmiddel;Startdato;Slutdato;Afslutningsstatus",
            "1212843457;Alkohol;01-02-2018;01-05-2018;Ophørt",
            "010296-4711;Stof;01-02-2018;01-05-2018;plantet ukendt status",
            "310488-1357;Stof;01-02-2018;;",
        ],
        "fremmoede/zz_plantet.csv": [
            "Dato;Tilbud;Deltager;Antal",
            "02-01-2019;NADA;Margrethe Vestergaard-Lind;1",
            "09-01-2019;NADA;  MARGRETHE   vestergaard-lind ;1",
            "03-01-2019;Kreativ;østen ærbødig;1",
            "31-02-2019;Kreativ;Rigmor Kjærsgaard;1",
            "04-01-2019;Kreativ;Bjørn-Ove Qvist;-1",
        ],
    }
    for name, lines in files.items():
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"cprs": CPRS, "names": NAMES}
