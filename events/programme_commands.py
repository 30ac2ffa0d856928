"""Commands for the programme's follow-up, mixed into the one application.

Key persons and attendees are the unit's own active staff; the policy decides
who records (the unit's leader, the kommunalsjef), the domain what is valid.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events import clock
from events.binder import BinderPage, page_id_for
from events.commands import CommandMixin
from events.directory import UNIT_ROLES
from events.errors import DomainError, NotFound
from events.programme import (PLAN_QUESTIONS, GuideReading, InvalidProgramme, UnitProgramme, guide_reading_id_for,
                              plan_slug_for, programme_id_for)


class ProgrammeCommands(CommandMixin):
    def unit_programme(self, unit_id: UUID) -> UnitProgramme:
        """The unit's programme record; a blank, unsaved one until something is recorded."""
        self.check_unit(unit_id)
        try:
            return self._get(UnitProgramme, programme_id_for(unit_id))
        except NotFound:
            return UnitProgramme(unit_id=unit_id)

    def appoint_key_person(self, unit_id: UUID, user_id: UUID, on: date | None = None) -> None:
        programme = self.unit_programme(unit_id)
        self._check_in_unit(unit_id, [user_id], "user_id")
        programme.appoint(user_id, on or clock.today(), clock.today())
        self.save(programme)

    def end_key_person(self, unit_id: UUID, user_id: UUID, on: date | None = None) -> None:
        """Ended also for one who has left the unit or the municipality since."""
        programme = self.unit_programme(unit_id)
        programme.end(user_id, on or clock.today(), clock.today())
        self.save(programme)

    def record_training(self, unit_id: UUID, kind: str, held_on: date, attendee_ids: list[UUID]) -> None:
        programme = self.unit_programme(unit_id)
        self._check_in_unit(unit_id, attendee_ids, "attendees")
        programme.record_training(kind, held_on, attendee_ids, clock.today())
        self.save(programme)

    def _check_in_unit(self, unit_id: UUID, user_ids: list[UUID], field: str) -> None:
        for user_id in user_ids:
            try:
                user = self.get_user(user_id)
            except DomainError:
                user = None
            if user is None or not user.active or user.unit_id != unit_id or user.role not in UNIT_ROLES:
                raise InvalidProgramme("programme.not_in_unit", field)

    # -- the action guide, read --------------------------------------------------------
    def confirm_guide_read(self, user_id: UUID, version: str) -> None:
        try:
            reading = self._get(GuideReading, guide_reading_id_for(user_id))
        except NotFound:
            reading = GuideReading(user_id=user_id)
        reading.confirm(version)
        self.save(reading)

    def guide_version_read(self, user_id: UUID) -> str | None:
        try:
            return self._get(GuideReading, guide_reading_id_for(user_id)).confirmed
        except NotFound:
            return None

    # -- the unit's implementation plan ------------------------------------------------
    def start_unit_plan(self, unit_id: UUID) -> str:
        """The unit's plan page, created as a draft with the seed's questions as
        headings if it does not exist yet; its slug (for the binder's editor)."""
        unit = self.get_unit(unit_id)
        slug = plan_slug_for(unit_id)
        if self.recorder.select_events(page_id_for(slug), limit=1):
            return slug
        body = "\n\n".join(f"## {question}\n" for question in PLAN_QUESTIONS)
        page = BinderPage.new(slug, "unit_info", f"Tiltaksplan: {unit.name}", body, unit_id=unit_id)
        try:
            self.save(page)
        except VersionConflict:
            pass  # started by someone else at the same moment
        return slug
