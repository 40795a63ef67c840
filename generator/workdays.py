"""Mainland China working days: weekends and public holidays off, make-up days on.

Backed by `chinese-calendar`, which knows each year's State Council arrangement. A year
it does not know raises `UnknownYear`: we never guess a holiday calendar.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


class UnknownYear(ValueError):
    def __init__(self, year: int):
        super().__init__(year)
        self.year = year


def known_years() -> tuple[int, int]:
    days = chinese_calendar.holidays.keys() | chinese_calendar.workdays.keys()
    return min(days).year, max(days).year


def is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise UnknownYear(day.year) from None


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
