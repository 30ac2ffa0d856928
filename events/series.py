"""Meeting series: every arena of the seeds (events/arenas.py) meets by a rule —
every 6th week, monthly, the last Thursday of the month, spring and autumn. A
series holds the rule and who attends; it generates its dates, and one of its
meetings is planned (a `Meeting`, events/meetings.py) when its leader opens that
date. Its leader may change the time, place and who attends from a date on, and
end it on a last date. No child's data: system key.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events import recurrence
from events.arenas import ARENAS
from events.base import Record
from events.directory import SERVICES as USER_SERVICES
from events.meetings import TIME, InvalidMeeting

SERVICES = (*USER_SERVICES, "unit_leader")
MAX_REASON = 500  # why a series ended: a sentence or two
MAX_PLACE = 200
ATTENDANCE = ("unit_ids", "services", "invitee_ids")  # who attends a series' meetings


def meeting_kind(arena: str, on: date) -> str:
    """The kind of the series' meeting on day `on`: the resource team's spring or
    autumn meeting, else the arena's own."""
    if arena == "resource_team":
        return "spring" if on.month <= 6 else "autumn"
    return arena


@dataclass(frozen=True)
class Settings:
    """The time, place and who attends, for the series' dates from `from_on` on."""

    from_on: date
    starts_at: str
    place: str
    unit_ids: tuple[UUID, ...]
    services: tuple[str, ...]
    invitee_ids: tuple[UUID, ...]

    def differs_in(self, other: Settings) -> tuple[str, ...]:
        """The fields that differ (who attends compared as sets: the order is the form's)."""
        changed = tuple(name for name in ("starts_at", "place") if getattr(self, name) != getattr(other, name))
        return changed + tuple(name for name in ATTENDANCE if set(getattr(self, name)) != set(getattr(other, name)))


class Series(Record):
    """A recurring meeting of one arena: its rule, first date, leader, and the time,
    place and who attends from each change on; its last date once ended."""

    class Event(Record.Event):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            # After the method body ran: who planned, changed or ended it, and when (the page's history).
            if aggregate.history and "at" not in aggregate.history[-1]:
                aggregate.history[-1].update(at=self.timestamp, by=self.actor_id)

    def __init__(self, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
                 unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]):
        self.kind = kind
        self.rule = rule
        self.first_on = first_on
        self.leader_id = leader_id
        self.versions = [Settings(first_on, starts_at, place, tuple(unit_ids), tuple(services), tuple(invitee_ids))]
        self.planned: dict[date, UUID] = {}  # a generated date -> its meeting
        self.ends_on: date | None = None  # the last date, once ended
        self.end_reason = ""
        self.history: list[dict[str, Any]] = [{"what": "planned"}]

    @staticmethod
    def check_rules(kind: str, rule: str, first_on: date, starts_at: str, place: str, unit_ids: list[UUID],
                    services: list[str], invitee_ids: list[UUID]) -> None:
        """The arena's rules for a series: when it is held, and who attends (planned or changed)."""
        arena = ARENAS.get(kind)
        if arena is None:
            raise InvalidMeeting("series.kind_unknown", "kind")
        if rule not in arena.rules:
            raise InvalidMeeting("series.rule_not_for_kind", "rule")
        if arena.weekday is not None and first_on.weekday() != arena.weekday:
            raise InvalidMeeting("series.wrong_weekday", "first_on")
        if rule == "last_thursday" and first_on != recurrence.last_thursday(first_on.year, first_on.month):
            raise InvalidMeeting("series.not_last_thursday", "first_on")
        if arena.months and first_on.month not in arena.months:
            raise InvalidMeeting("series.wrong_month", "first_on")
        if not TIME.match(starts_at):
            raise InvalidMeeting("meeting.time_invalid", "starts_at")
        if len(place) > MAX_PLACE:
            raise InvalidMeeting("text.too_long", "place", max=MAX_PLACE)
        if any(s not in SERVICES for s in services) or (kind == "resource_team" and not services):
            # The resource team is its services (as a single meeting of it is, events/meetings.py).
            raise InvalidMeeting("meeting.services_required", "services")
        if arena.modes and not unit_ids:
            # Cases come from units: a series that takes cases needs the units bringing them.
            raise InvalidMeeting("meeting.units_required", "unit_ids")
        if not (unit_ids or services or invitee_ids):
            raise InvalidMeeting("series.nobody_attends", "services")

    @classmethod
    def new(cls, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
            unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]) -> Series:
        cls.check_rules(kind, rule, first_on, starts_at, place, unit_ids, services, invitee_ids)
        return cls(kind, rule, first_on, starts_at, place, leader_id, unit_ids, services, invitee_ids)

    # -- queries -------------------------------------------------------------------------------
    def settings_on(self, on: date) -> Settings:
        """The time, place and who attends on day `on`: the last change from that day or before."""
        found = self.versions[0]
        for settings in self.versions[1:]:
            if settings.from_on <= on:
                found = settings
        return found

    @property
    def current(self) -> Settings:
        """The settings of the latest change (those of the dates from its day on)."""
        return self.versions[-1]

    # The latest settings, by their names: what a series was before it could change.
    starts_at = property(lambda self: self.current.starts_at)
    place = property(lambda self: self.current.place)
    unit_ids = property(lambda self: list(self.current.unit_ids))
    services = property(lambda self: list(self.current.services))
    invitee_ids = property(lambda self: list(self.current.invitee_ids))

    def attending_since(self, on: date | None = None) -> tuple[set[UUID], set[str], set[UUID]]:
        """The units, services and people who attend any date from `on` on (every date: None)."""
        start = self.settings_on(on) if on is not None else self.versions[0]
        versions = [v for v in self.versions if v is start or v.from_on > start.from_on]
        return ({u for v in versions for u in v.unit_ids}, {s for v in versions for s in v.services},
                {u for v in versions for u in v.invitee_ids})

    @property
    def ended(self) -> bool:
        return self.ends_on is not None

    def dates(self, start: date, end: date) -> list[date]:
        return recurrence.dates(self.rule, self.first_on, start, end, until=self.ends_on)

    def next_dates(self, since: date, count: int) -> list[date]:
        return recurrence.next_dates(self.rule, self.first_on, since, count, until=self.ends_on)

    def check_generated(self, on: date) -> None:
        if self.ends_on is not None and on > self.ends_on:
            raise InvalidMeeting("series.after_end", "on", last_on=self.ends_on)
        if self.dates(on, on) != [on]:
            raise InvalidMeeting("series.not_a_date", "on")

    def planned_after(self, day: date) -> list[tuple[date, UUID]]:
        """The meetings already planned on dates after `day`, by date."""
        return sorted((on, meeting_id) for on, meeting_id in self.planned.items() if on > day)

    # -- commands ------------------------------------------------------------------------------
    @event("MeetingPlanned")
    def meeting_planned(self, on: date, meeting_id: UUID) -> None:
        self.planned[on] = meeting_id

    def check_not_ended(self) -> None:
        if self.ends_on is not None:
            raise InvalidMeeting("series.ended")

    def check_from(self, day: date, today: date, field: str) -> None:
        """A change or an end takes effect from today or later, and not before the series starts."""
        if day < today:
            raise InvalidMeeting("series.before_today", field)
        if day < self.first_on:
            raise InvalidMeeting("series.before_first", field, first_on=self.first_on)

    def change(self, from_on: date, starts_at: str, place: str, unit_ids: list[UUID], services: list[str],
               invitee_ids: list[UUID], today: date) -> None:
        """From `from_on` on, the dates get this time, place and attendance; the meetings
        already planned keep theirs (each is its own record)."""
        self.check_not_ended()
        self.check_from(from_on, today, "from_on")
        self.check_rules(self.kind, self.rule, self.first_on, starts_at, place, unit_ids, services, invitee_ids)
        new = Settings(from_on, starts_at, place, tuple(unit_ids), tuple(services), tuple(invitee_ids))
        if not new.differs_in(self.settings_on(from_on)):
            raise InvalidMeeting("series.unchanged")
        self._changed(from_on, starts_at, place, list(unit_ids), list(services), list(invitee_ids))

    @event("Changed")
    def _changed(self, from_on: date, starts_at: str, place: str, unit_ids: list[UUID], services: list[str],
                 invitee_ids: list[UUID]) -> None:
        new = Settings(from_on, starts_at, place, tuple(unit_ids), tuple(services), tuple(invitee_ids))
        fields = new.differs_in(self.settings_on(from_on))
        # A change from a day replaces any made from that day or later.
        self.versions = [v for v in self.versions if v.from_on < from_on] + [new]
        self.history.append({"what": "changed", "from_on": from_on, "fields": fields})

    def end(self, last_on: date, reason: str, today: date) -> None:
        """No date after `last_on`. The meetings already planned after it are not
        cancelled here: each is cancelled on its own page, if it is not to be held."""
        self.check_not_ended()
        self.check_from(last_on, today, "last_on")
        if len(reason) > MAX_REASON:
            raise InvalidMeeting("text.too_long", "reason", max=MAX_REASON)
        self._ended(last_on, reason)

    @event("Ended")
    def _ended(self, last_on: date, reason: str) -> None:
        self.ends_on = last_on
        self.end_reason = reason
        self.history.append({"what": "ended", "last_on": last_on, "reason": reason})
