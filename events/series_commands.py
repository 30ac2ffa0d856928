"""Commands for meeting series, mixed into the one application."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from events import clock
from events.commands import CommandMixin
from events.meetings import Meeting
from events.series import Series, meeting_kind


class SeriesCommands(CommandMixin):
    def _check_attendees(self, unit_ids: list[UUID], invitee_ids: list[UUID]) -> None:
        """The units and people named exist (a series' plan and its changes)."""
        for unit_id in unit_ids:
            self.check_unit(unit_id)
        for user_id in invitee_ids:
            self.get_user(user_id)

    def plan_series(self, kind: str, rule: str, first_on: date, starts_at: str, place: str, leader_id: UUID,
                    unit_ids: list[UUID], services: list[str], invitee_ids: list[UUID]) -> UUID:
        """A series of one arena's meetings; who may plan it is the policy's (events/policy.py)."""
        self._check_attendees(unit_ids, invitee_ids)
        series = Series.new(kind, rule, first_on, starts_at, place, leader_id, list(dict.fromkeys(unit_ids)),
                            list(dict.fromkeys(services)), list(dict.fromkeys(invitee_ids)))
        self.save(series)
        return series.id

    def get_series(self, series_id: UUID) -> Series:
        return self._get(Series, series_id)

    def change_series(self, series_id: UUID, from_on: date, starts_at: str, place: str, unit_ids: list[UUID],
                      services: list[str], invitee_ids: list[UUID]) -> None:
        """The series' time, place and who attends, from `from_on` on; who may is the policy's."""
        self._check_attendees(unit_ids, invitee_ids)
        series = self.get_series(series_id)
        series.change(from_on, starts_at, place, list(dict.fromkeys(unit_ids)), list(dict.fromkeys(services)),
                      list(dict.fromkeys(invitee_ids)), clock.today())
        self.save(series)

    def end_series(self, series_id: UUID, last_on: date, reason: str) -> None:
        """No date of the series after `last_on`; who may is the policy's."""
        series = self.get_series(series_id)
        series.end(last_on, reason, clock.today())
        self.save(series)

    def plan_series_meeting(self, series_id: UUID, on: date) -> UUID:
        """The series' meeting on one of its dates, planned now if it is not yet: the
        time, place and attendees the series has on that date, and its leader.
        Planned once; asked again, the same meeting."""
        series = self.get_series(series_id)
        if on in series.planned:
            return series.planned[on]
        series.check_generated(on)
        settings = series.settings_on(on)
        meeting = Meeting.new(meeting_kind(series.kind, on), on, list(settings.unit_ids), list(settings.services),
                              series.leader_id, settings.place, settings.starts_at, list(settings.invitee_ids),
                              series.id)
        series.meeting_planned(on, meeting.id)
        self.save(series, meeting)
        return meeting.id
