"""Synthetic persons shared by every source of the sample.

One pool of invented people (CPR number, name, sex) is made per seed, and every
source's generator draws from it, so the same person can appear in AS2007 and in
the drug-treatment extract and the two link through the CPR number, as they do
in real extracts.

CPR numbers follow the CPR rules where the cleaner relies on them: the first six
digits are a real birth date, the 7th digit agrees with the century, and the
last digit gives the sex (odd = male). The modulus-11 check is deliberately not
satisfied in general: numbers without it have been issued since 2007, and the
cleaner must not demand it.

>>> import numpy as np
>>> pool = make_persons(np.random.default_rng(1), 5)
>>> len({p.cpr for p in pool})
5
>>> all(p.sex == ("M" if int(p.cpr[-1]) % 2 else "K") for p in pool)
True
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from stdnum.dk import cpr as stdnum_cpr

# The 7th CPR digit encodes the century together with the two-digit year:
# 0-3 → 1900s; 4 and 9 → 1900s when YY >= 37, else 2000s; 5-8 → 2000s when YY < 58
# (1800s otherwise, not used here).
_CENTURY_DIGITS_1900 = {
    "low": "0123",  # valid for every YY in the 1900s
    "high": "012349",  # YY >= 37 also allows 4 and 9
}
_CENTURY_DIGITS_2000 = {
    "low": "456789",  # YY < 37: 4 and 9 mean 2000s, 5-8 too
    "mid": "5678",  # 37 <= YY < 58
}

MALE_FIRST_NAMES = (
    "Anders", "Bent", "Bo", "Carsten", "Christian", "Claus", "Erik", "Flemming", "Frederik",
    "Henrik", "Jakob", "Jan", "Jens", "Jesper", "Johannes", "Jørgen", "Kasper", "Kim",
    "Lars", "Mads", "Martin", "Michael", "Mikkel", "Morten", "Niels", "Ole", "Peter",
    "Poul", "Rasmus", "René", "Søren", "Thomas", "Torben", "Troels", "Ulrik", "Aage",
)
FEMALE_FIRST_NAMES = (
    "Anne", "Anna", "Bente", "Birgitte", "Camilla", "Charlotte", "Dorthe", "Emma", "Gitte",
    "Hanne", "Helle", "Ida", "Inge", "Jette", "Karen", "Kirsten", "Lene", "Line", "Lise",
    "Louise", "Maria", "Marianne", "Mette", "Nanna", "Pia", "Rikke", "Susanne", "Sofie",
    "Tina", "Trine", "Ulla", "Vibeke", "Åse", "Else", "Grethe", "Signe",
)
LAST_NAMES = (
    "Andersen", "Christensen", "Christiansen", "Frederiksen", "Hansen", "Henriksen",
    "Jakobsen", "Jensen", "Jeppesen", "Jørgensen", "Kristensen", "Larsen", "Lund",
    "Madsen", "Mikkelsen", "Mortensen", "Møller", "Nielsen", "Olsen", "Pedersen",
    "Petersen", "Poulsen", "Rasmussen", "Schmidt", "Sørensen", "Thomsen", "Østergaard",
    "Bøgh", "Dalsgaard", "Kjær", "Holm", "Vestergaard", "Søgaard", "Bach", "Krogh",
)


@dataclass(frozen=True)
class Person:
    """One invented person: a CPR number (10 digits, no dash), a name and a sex."""

    cpr: str
    first_name: str
    last_name: str
    sex: str  # "M" (mand) or "K" (kvinde), from the CPR number's last digit

    @property
    def birth_date(self) -> dt.date:
        """The birth date encoded in the CPR number (century per the CPR rules)."""
        return stdnum_cpr.get_birth_date(self.cpr)

    def age_on(self, day: dt.date) -> int:
        """Age in whole years on ``day``."""
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _random_date(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.date:
    """A uniformly drawn date in [first, last]."""
    return first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))


def _century_digits(year: int) -> str:
    """The 7th digits that make a CPR number's two-digit year mean ``year``."""
    yy = year % 100
    if 1900 <= year <= 1999:
        return _CENTURY_DIGITS_1900["high" if yy >= 37 else "low"]
    if 2000 <= year <= 2036:
        return _CENTURY_DIGITS_2000["low"]
    if 2037 <= year <= 2057:
        return _CENTURY_DIGITS_2000["mid"]
    raise ValueError(f"birth year {year} outside what the generator supports (1900-2057)")


def synthetic_cpr(
    rng: np.random.Generator,
    birth_year_range: tuple[int, int] = (1940, 2001),
    sex: str | None = None,
) -> str:
    """A synthetic 10-digit CPR number with a real birth date and a consistent century digit.

    ``birth_year_range`` is inclusive. ``sex`` ("M"/"K") fixes the parity of the last
    digit; by default it is drawn at random.

    >>> import numpy as np
    >>> number = synthetic_cpr(np.random.default_rng(7), (2000, 2001), sex="K")
    >>> len(number), int(number[-1]) % 2
    (10, 0)
    >>> stdnum_cpr.get_birth_date(number).year in (2000, 2001)
    True
    """
    born = _random_date(rng, dt.date(birth_year_range[0], 1, 1), dt.date(birth_year_range[1], 12, 31))
    century = str(rng.choice(list(_century_digits(born.year))))
    middle = f"{int(rng.integers(0, 100)):02d}"
    if sex is None:
        sex = "M" if rng.random() < 0.5 else "K"
    # Odd last digit = male, even = female.
    last = int(rng.choice([1, 3, 5, 7, 9] if sex == "M" else [0, 2, 4, 6, 8]))
    number = f"{born:%d%m%y}{century}{middle}{last}"
    # Guard the century logic against stdnum's reading of the same rules.
    assert stdnum_cpr.get_birth_date(number) == born, number
    return number


def make_persons(
    rng: np.random.Generator,
    n: int,
    birth_year_range: tuple[int, int] = (1940, 2001),
) -> list[Person]:
    """A pool of ``n`` distinct synthetic persons with Danish names."""
    persons: list[Person] = []
    seen: set[str] = set()
    while len(persons) < n:
        sex = "M" if rng.random() < 0.55 else "K"  # the target group has somewhat more men
        number = synthetic_cpr(rng, birth_year_range, sex=sex)
        if number in seen:
            continue
        seen.add(number)
        first_names = MALE_FIRST_NAMES if sex == "M" else FEMALE_FIRST_NAMES
        persons.append(
            Person(
                cpr=number,
                first_name=str(rng.choice(first_names)),
                last_name=str(rng.choice(LAST_NAMES)),
                sex=sex,
            )
        )
    return persons
