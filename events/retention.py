"""Retention (oppbevaring og sletting): how long each kind of record is kept after
it ended, and the privacy officer's decisions on what is due.

The schedule's periods are the municipality's to set in its arkivplan (settings:
BEKYMRING_RETENTION_*); the defaults here are a starting point (README). The
clock of a record is its end: the day a concern was closed, a collaboration
ended, a transfer was sent, a consent expired or was withdrawn. A record still
open never falls due. Shredding is per child (the child's data key), so a child
is proposed only when every one of the child's records is past its time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from uuid import UUID

from events.base import Record, SubjectRecord
from events.errors import DomainError

# The kinds of record the schedule covers. The first five are the child's records
# (a child is erased as a whole); access events and sign-ins are the log's.
CHILD_KINDS = ("concern_closed", "concern_reported", "collaboration_ended", "transfer", "consent_expired")
LOG_KINDS = ("access_events", "sign_ins")
KINDS = CHILD_KINDS + LOG_KINDS

NEVER = "never"  # kept for good (e.g. handed to the archive depot instead)
PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")
MAX_YEARS = 100


@dataclass(frozen=True)
class Period:
    """Years, months and days after a record's end (ISO 8601: P3Y, P18M, P90D, P1Y6M)."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """The period `text` names; None for `never`. ValueError for anything else."""
        text = text.strip()
        if text.lower() == NEVER:
            return None
        match = PERIOD.match(text.upper())
        if not match or text.upper() == "P":
            raise ValueError("want an ISO 8601 period of years, months and days (P3Y, P18M, P90D) or 'never'")
        period = cls(*(int(g or 0) for g in match.groups()))
        if period.years + period.months // 12 + period.days // 365 > MAX_YEARS:
            raise ValueError(f"more than {MAX_YEARS} years: write 'never'")
        if period.years == period.months == period.days == 0:
            raise ValueError("a period of nothing would propose erasing a record the day it ends")
        return period

    def __str__(self) -> str:
        parts = [(self.years, "Y"), (self.months, "M"), (self.days, "D")]
        return "P" + "".join(f"{n}{unit}" for n, unit in parts if n)

    def after(self, day: date) -> date:
        """The day a record that ended on `day` falls due."""
        month = day.month - 1 + self.months
        year = day.year + self.years + month // 12
        month = month % 12 + 1
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        return date(year, month, min(day.day, last)) + timedelta(days=self.days)

    def before(self, day: date) -> date:
        """The latest end a record may have to be due on `day` (the inverse of `after`)."""
        month = day.month - 1 - self.months
        year = day.year - self.years + month // 12
        month = month % 12 + 1
        last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
        return date(year, month, min(day.day, last)) - timedelta(days=self.days)


@dataclass(frozen=True)
class Schedule:
    """A period per kind of record (None: kept for good). The defaults are argued
    in the README (Retention) and docs/decisions.md."""

    concern_closed: Period | None = Period(years=3)
    concern_reported: Period | None = Period(years=10)
    collaboration_ended: Period | None = Period(years=5)
    transfer: Period | None = Period(years=1)
    consent_expired: Period | None = Period(years=5)
    access_events: Period | None = Period(years=5)
    sign_ins: Period | None = Period(years=1)

    def period(self, kind: str) -> Period | None:
        return getattr(self, kind)

    def cutoffs(self, today: date) -> dict[str, str | None]:
        """Per kind, the latest end (ISO date) of a record due today; None: never due."""
        return {f.name: (p.before(today).isoformat() if (p := getattr(self, f.name)) else None)
                for f in fields(self)}


DEFAULT_SCHEDULE = Schedule()


class RetentionError(DomainError):
    """Raised when a retention decision is incomplete."""


class KeptLonger(SubjectRecord):
    """The privacy officer keeps a child's records past their time, until a new
    day, for a reason she typed. Under the child's key: the reason may say
    something about the child, and it goes with the child's erasure."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict) -> UUID:
        return kwargs["child_id"]

    def __init__(self, child_id: UUID, due_on: date, until: date, reason: str, decided_by: UUID):
        self.child_id = child_id
        self.due_on = due_on
        self.until = until
        self.reason = reason
        self.decided_by = decided_by


class ErasureApproved(Record):
    """The privacy officer approved erasing a child whose records are all past their
    time: the erasure request it made (events/audit.py ErasureRequest), which an
    admin confirms. Under the system key, so the decision outlives the child."""

    def __init__(self, child_id: UUID, due_on: date, request_id: UUID, decided_by: UUID):
        self.child_id = child_id
        self.due_on = due_on
        self.request_id = request_id
        self.decided_by = decided_by


def check_kept_longer(reason: str, until: date | None, today: date) -> None:
    """A reason, and a new day after today."""
    if not reason.strip():
        raise RetentionError("retention.reason_required", "reason")
    if until is None:
        raise RetentionError("retention.until_required", "until")
    if until <= today:
        raise RetentionError("retention.until_not_future", "until")
