"""Forgotten-registration gaps: found where planted, never in regular data, never in holidays."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analyse import gaps
from analyse.gaps import find_gaps, gaps_by_period, is_holiday_week


def weekly(tilbud, first, last, weekdays=(0, 3), antal=1, skip_weeks=(), every=1):
    """Registrations on ``weekdays`` of every ``every``-th week, minus ``skip_weeks`` (ISO (year, week))."""
    rows = []
    day = pd.Timestamp(first)
    while day <= pd.Timestamp(last):
        monday = day - pd.Timedelta(days=day.weekday())
        year, week, _ = monday.isocalendar()
        if day.weekday() in weekdays and (year, week) not in skip_weeks and ((monday - pd.Timestamp("2018-01-01")).days // 7) % every == 0:
            rows.append({"date": day, "tilbud": tilbud, "antal": antal, "anonymous": False})
        day += pd.Timedelta(days=1)
    return pd.DataFrame(rows)


def test_planted_gaps_are_found_with_an_estimate():
    visits = pd.concat([
        weekly("NADA", "2018-08-13", "2019-06-28", antal=2, skip_weeks={(2018, 47), (2018, 48)}),
        weekly("Kreativ", "2018-08-13", "2019-06-28", weekdays=(1,), antal=5, skip_weeks={(2019, 10), (2019, 11), (2019, 12)}),
    ])
    found = find_gaps(visits)
    assert found[["tilbud", "first_week", "last_week", "weeks"]].values.tolist() == [
        ["Kreativ", "2019-W10", "2019-W12", 3],
        ["NADA", "2018-W47", "2018-W48", 2],
    ]
    # NADA: 2 days x 2 visits = 4 a week; Kreativ: 1 day x 5 = 5 a week.
    assert found["estimated_visits"].tolist() == [15, 8]
    assert found["median_weekly_visits"].tolist() == [5.0, 4.0]
    assert found.loc[1, "first_day"] == pd.Timestamp("2018-11-19")
    assert found.loc[1, "last_day"] == pd.Timestamp("2018-12-02")
    assert found["period"].tolist() == ["2019H1", "2018H2"]
    assert (found["active_share"] == 1.0).all()


def test_no_gap_in_a_regular_tilbud_with_single_missed_weeks():
    # Every week but a few single ones (a cancelled session is not a forgotten list).
    visits = weekly("Pilates", "2018-01-01", "2019-06-30", weekdays=(4,),
                    skip_weeks={(2018, 10), (2018, 20), (2018, 40), (2019, 5)})
    assert find_gaps(visits).empty


def test_holiday_weeks_are_never_gaps():
    holidays = {(2018, w) for w in range(27, 34)}  # summer, and the weeks touching it
    holidays |= {(2018, 51), (2018, 52), (2019, 1), (2019, 2)}  # Christmas, and the weeks touching it
    holidays |= {(2019, 16)}  # Easter week 2019 (Easter Sunday 21 April)
    holidays |= {(2018, 13)}  # Easter week 2018 (Easter Sunday 1 April)
    visits = weekly("Samvær", "2018-01-01", "2019-06-30", weekdays=(0, 1, 2, 3, 4), skip_weeks=holidays)
    assert find_gaps(visits).empty
    assert all(is_holiday_week(d) for d in [dt.date(2018, 7, 9), dt.date(2018, 12, 24), dt.date(2018, 12, 31),
                                            dt.date(2019, 4, 15), dt.date(2018, 3, 26)])
    assert not any(is_holiday_week(d) for d in [dt.date(2018, 7, 2), dt.date(2019, 4, 22), dt.date(2019, 3, 4)])


def test_irregular_tilbud_is_not_judged():
    # Every other week, and once three weeks in a row: not "registers every week".
    visits = weekly("Kostvejledning", "2018-08-13", "2019-06-28", weekdays=(1,), every=2,
                    skip_weeks={(2018, 44)})
    assert find_gaps(visits).empty


def test_long_pause_and_too_little_context_are_not_gaps():
    # 12 silent weeks: a pause, not forgetting.
    pause = {(2019, w) for w in range(8, 20)}
    assert find_gaps(weekly("A", "2018-08-13", "2019-06-28", skip_weeks=pause)).empty
    # A tilbud that only ran four weeks around its silence has too little history to call regular.
    short = weekly("B", "2019-02-11", "2019-03-24", skip_weeks={(2019, 8), (2019, 9)})
    assert len(short["date"].dt.isocalendar().week.unique()) < gaps.MIN_CONTEXT_WEEKS
    assert find_gaps(short).empty


def test_an_anonymous_tally_is_a_registration():
    visits = weekly("NADA", "2018-08-13", "2019-06-28", skip_weeks={(2018, 47), (2018, 48)})
    tally = pd.DataFrame([{"date": pd.Timestamp("2018-11-21"), "tilbud": "NADA", "antal": 5, "anonymous": True}])
    assert len(find_gaps(visits)) == 1
    assert find_gaps(pd.concat([visits, tally])).empty  # week 48 alone is silent now


def test_gaps_by_period_splits_a_gap_across_half_years():
    visits = weekly("A", "2019-01-07", "2019-09-27", weekdays=(2,), antal=3, skip_weeks={(2019, 26), (2019, 27)})
    found = find_gaps(visits)
    assert found[["first_week", "last_week"]].values.tolist() == [["2019-W26", "2019-W27"]]
    per_period = gaps_by_period(found)
    assert per_period.values.tolist() == [["A", "2019H1", 1, 3], ["A", "2019H2", 1, 3]]


def test_empty_input_gives_an_empty_table_with_the_columns():
    empty = pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "tilbud": [], "antal": []})
    assert list(find_gaps(empty).columns) == gaps.GAP_COLUMNS
