"""Mainland China working days: weekends and public holidays off, make-up days on.

Backed by `chinese-calendar`, which knows each year's State Council arrangement. A year
it does not know raises `UnknownYear`: we never guess a holiday calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar


class UnknownYear(ValueError):
    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset, frozenset, int, int]:
    """The holidays and make-up workdays as sets (chinese_calendar's own `is_workday`
    scans every known date for its range check: 30 µs a call)."""
    holidays, workdays = frozenset(chinese_calendar.holidays), frozenset(chinese_calendar.workdays)
    days = holidays | workdays
    return holidays, workdays, min(days).year, max(days).year


def known_years() -> tuple[int, int]:
    _, _, first, last = _calendar()
    return first, last


def is_workday(day: dt.date) -> bool:
    holidays, workdays, first, last = _calendar()
    if not first <= day.year <= last:
        raise UnknownYear(day.year)
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def nth_workday(start: dt.date, count: int) -> dt.date:
    """The date of the `count`-th working day from `start`, counting `start` itself."""
    day, seen = start, 0
    while True:
        if is_workday(day):
            seen += 1
            if seen >= count:
                return day
        day += dt.timedelta(days=1)


def count_workdays(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end`, both included."""
    total, day = 0, start
    while day <= end:
        total += is_workday(day)
        day += dt.timedelta(days=1)
    return total


def workdays_taken(start: dt.date, end: dt.date) -> int | None:
    """Working days a reply took: from the day after `start` to `end` (开始之日不计入).
    None when `end` is before `start` or the calendar lacks a year."""
    if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
        return None
    try:
        return count_workdays(start + dt.timedelta(days=1), end)
    except UnknownYear:
        return None
