"""The resource team of Solsikken barnehage as a meeting series for the demo, led
by the styrer, relative to today through the domain's clock: planned four weeks
ago with its first meeting in term time, three weeks or more ahead, that meeting planned, and a
change a week ago that moves the later meetings to the town hall (the planned
one keeps its room, as the series page says)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from events import clock
from events.base import acting_as

WEDNESDAY = 2


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), clock.OSLO)


# The resource team meets spring and autumn, in term time: a half-yearly series
# whose first date is in one of these windows has every date in one of them.
TERMS = (((2, 20), (6, 15)), ((8, 20), (12, 15)))


def first_meeting(today: date) -> date:
    """A Wednesday three weeks or so ahead, or the first in term after that:
    never in the Christmas or summer holidays, nor six months after it."""
    soon = today + timedelta(days=21)
    for year in (soon.year, soon.year + 1):
        for start, end in TERMS:
            day = max(soon, date(year, *start))
            day += timedelta(days=(WEDNESDAY - day.weekday()) % 7)
            if day <= date(year, *end):
                return day
    raise AssertionError("a term starts within a year")


def load_series(app: Any, ids: dict[str, Any], today: date | None = None) -> UUID:
    """The series' id."""
    today = today or clock.today()
    styrer, teacher = ids["users"]["styrer"], ids["users"]["pedleder"]
    unit = ids["units"]["solsikken"]
    first_on = first_meeting(today)
    services = ["barnevern", "helsestasjon", "ppt", "unit_leader"]
    with acting_as(styrer):
        with clock.set_to(_at(today - timedelta(days=28))):
            series_id = app.plan_series("resource_team", "half_yearly", first_on, "13:00",
                                        "Solsikken barnehage, personalrommet", styrer, [unit], services, [teacher])
            app.plan_series_meeting(series_id, first_on)
        with clock.set_to(_at(today - timedelta(days=7))):
            app.change_series(series_id, first_on + timedelta(days=1), "13:00", "Fjordvik rådhus, møterom 2",
                              [unit], services, [teacher])
    return series_id
