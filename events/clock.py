"""The municipality's clock: a day is a day in Oslo, whatever the server's zone.

A server's clock often runs in UTC. There `date.today()` is still yesterday for
an hour or two after Oslo's midnight: a consent that ended yesterday would still
look valid, and an observation dated today would be refused as one from the
future. Every "today" in the app comes from here, and so does the day of an
event's timestamp, and the timestamps themselves (`now`).

`set_to(moment)` turns the clock back for what runs inside it, in this thread
only: the demo's generated history is dated in the past this way, through the
same clock the domain's rules and events read.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

_set_to: ContextVar[datetime | None] = ContextVar("clock_set_to", default=None)


def now() -> datetime:
    """The moment, in UTC (an event's timestamp)."""
    moment = _set_to.get()
    return moment if moment is not None else datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Oslo."""
    return now().astimezone(OSLO).date()


@contextmanager
def set_to(moment: datetime) -> Iterator[None]:
    """Inside the block, it is `moment` (timezone-aware) for this thread."""
    if moment.tzinfo is None:
        raise ValueError("the clock is set to a moment with a time zone")
    token = _set_to.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _set_to.reset(token)


def day_of(moment: datetime) -> date:
    """The Oslo date of a moment (an event's timestamp, stamped in UTC)."""
    return moment.astimezone(OSLO).date()
