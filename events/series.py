"""Meeting series: every arena of the seeds (events/arenas.py) meets by a rule —
every 6th week, monthly, the last Thursday of the month, spring and autumn. A
series holds the rule and who attends; it generates its dates, and one of its
meetings is planned (a `Meeting`, events/meetings.py) when its leader opens that
date. No child's data: system key.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import event

from events import recurrence
from events.arenas import ARENAS
from events.base import Record
from events.directory import SERVICES as USER_SERVICES
from events.meetings import TIME, InvalidMeeting

SERVICES = (*USER_SERVICES, "unit_leader")


def meeting_kind(arena: str, on: date) -> str:
    """The kind of the series' meeting on day `on`: the resource team's spring or
    autumn meeting, else the arena's own."""
    if arena == "resource_team":
        return "spring" if on.month <= 6 else "autumn"
    return arena


class Series(Record):
    """A recurring meeting of one arena: its rule, first date, time, place, leader and who attends."""

    def __init__(self, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
                 unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]):
        self.kind = kind
        self.rule = rule
        self.first_on = first_on
        self.starts_at = starts_at
        self.place = place
        self.leader_id = leader_id
        self.unit_ids = list(unit_ids)
        self.services = list(services)
        self.invitee_ids = list(invitee_ids)
        self.planned: dict[date, UUID] = {}  # a generated date -> its meeting

    @classmethod
    def new(cls, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
            unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]) -> Series:
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
        if any(s not in SERVICES for s in services) or (kind == "resource_team" and not services):
            # The resource team is its services (as a single meeting of it is, events/meetings.py).
            raise InvalidMeeting("meeting.services_required", "services")
        if arena.modes and not unit_ids:
            # Cases come from units: a series that takes cases needs the units bringing them.
            raise InvalidMeeting("meeting.units_required", "unit_ids")
        if not (unit_ids or services or invitee_ids):
            raise InvalidMeeting("series.nobody_attends", "services")
        return cls(kind, rule, first_on, starts_at, place, leader_id, unit_ids, services, invitee_ids)

    def dates(self, start: date, end: date) -> list[date]:
        return recurrence.dates(self.rule, self.first_on, start, end)

    def next_dates(self, since: date, count: int) -> list[date]:
        return recurrence.next_dates(self.rule, self.first_on, since, count)

    def check_generated(self, on: date) -> None:
        if self.dates(on, on) != [on]:
            raise InvalidMeeting("series.not_a_date", "on")

    @event("MeetingPlanned")
    def meeting_planned(self, on: date, meeting_id: UUID) -> None:
        self.planned[on] = meeting_id
