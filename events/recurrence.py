"""The dates a meeting series falls on. Pure functions of the rule and the first date."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Iterator

RULES = ("every_6th_week", "monthly", "last_thursday", "half_yearly", "yearly")
THURSDAY = 3


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _same_day(first: date, months: int) -> date:
    """The first date's day of the month, `months` later (the month's last day if shorter)."""
    year, month = _add_months(first, months)
    return date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


def _same_weekday(first: date, months: int) -> date:
    """The same weekday of the month as the first date (the 2nd Tuesday, say), `months`
    later; a first date in the month's last week stays in the last week."""
    year, month = _add_months(first, months)
    last = calendar.monthrange(year, month)[1]
    nth = (first.day - 1) // 7
    if first.day + 7 > calendar.monthrange(first.year, first.month)[1]:  # the last such weekday
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - first.weekday()) % 7)
    day = date(year, month, 1)
    return day + timedelta(days=(first.weekday() - day.weekday()) % 7 + 7 * nth)


def last_thursday(year: int, month: int) -> date:
    day = date(year, month, calendar.monthrange(year, month)[1])
    return day - timedelta(days=(day.weekday() - THURSDAY) % 7)


def _all(rule: str, first: date) -> Iterator[date]:
    n = 0
    while True:
        if rule == "every_6th_week":
            yield first + timedelta(weeks=6 * n)
        elif rule == "monthly":
            yield _same_weekday(first, n)
        elif rule == "last_thursday":
            year, month = _add_months(first, n)
            day = last_thursday(year, month)
            if day >= first:
                yield day
        elif rule == "half_yearly":
            yield _same_day(first, 6 * n)
        elif rule == "yearly":
            yield _same_day(first, 12 * n)
        else:
            raise ValueError(rule)
        n += 1


def dates(rule: str, first: date, start: date, end: date, until: date | None = None) -> list[date]:
    """The series' dates from `start` to `end` (both included), none after `until`."""
    last = min(end, until) if until else end
    found = []
    for day in _all(rule, first):
        if day > last:
            return found
        if day >= start:
            found.append(day)
    return found  # never reached: the rules are endless


def next_dates(rule: str, first: date, since: date, count: int, until: date | None = None) -> list[date]:
    """The first `count` dates on or after `since`, none after `until`."""
    found: list[date] = []
    for day in _all(rule, first):
        if until is not None and day > until:
            return found
        if day >= since:
            found.append(day)
            if len(found) == count:
                return found
    return found
