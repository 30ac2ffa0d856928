"""The municipality's clock: a day is a day in Oslo, whatever the server's zone.

A server's clock often runs in UTC. There `date.today()` is still yesterday for
an hour or two after Oslo's midnight: a consent that ended yesterday would still
look valid, and an observation dated today would be refused as one from the
future. Every "today" in the app comes from here, and so does the day of an
event's timestamp.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def today() -> date:
    """Today's date in Oslo."""
    return datetime.now(OSLO).date()


def day_of(moment: datetime) -> date:
    """The Oslo date of a moment (an event's timestamp, stamped in UTC)."""
    return moment.astimezone(OSLO).date()
