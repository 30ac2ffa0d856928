"""Commands for meeting series, mixed into the one application."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events.commands import CommandMixin
from events.meetings import Meeting
from events.series import Series, meeting_kind


class SeriesCommands(CommandMixin):
    def plan_series(self, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
                    unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]) -> UUID:
        """A series of one arena's meetings; who may plan it is the policy's (events/policy.py)."""
        for unit_id in unit_ids:
            self.check_unit(unit_id)
        for user_id in invitee_ids:
            self.get_user(user_id)
        series = Series.new(kind, rule, first_on, starts_at, place, leader_id, list(dict.fromkeys(unit_ids)),
                            list(dict.fromkeys(services)), list(dict.fromkeys(invitee_ids)))
        self.save(series)
        return series.id

    def get_series(self, series_id: UUID) -> Series:
        return self._get(Series, series_id)

    def plan_series_meeting(self, series_id: UUID, on: date) -> UUID:
        """The series' meeting on one of its dates, planned now if it is not yet: the
        series' time, place, leader and attendees. Planned once; asked again, the same meeting."""
        series = self.get_series(series_id)
        if on in series.planned:
            return series.planned[on]
        series.check_generated(on)
        meeting = Meeting.new(meeting_kind(series.kind, on), on, series.unit_ids, series.services, series.leader_id,
                              series.place, series.starts_at, series.invitee_ids, series.id)
        series.meeting_planned(on, meeting.id)
        self.save(series, meeting)
        return meeting.id
