"""The child (the data subject): who the child is, where, and who the guardians are."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events import clock, national_id
from events.base import SubjectRecord
from events.errors import DomainError

RELATIONS = ("mor", "far", "medmor", "fosterforelder", "verge", "annen")


class InvalidChild(DomainError):
    """Raised when a child's details are incomplete or inconsistent."""


def check_details(first_name: str, last_name: str, birth_date: date, nin: str) -> None:
    if not first_name.strip() or not last_name.strip():
        raise InvalidChild("child.name_required", "first_name")
    if birth_date > clock.today():
        raise InvalidChild("date.in_future", "birth_date")
    if nin:
        if not national_id.is_valid(nin):
            raise InvalidChild("child.national_id_invalid", "national_id")
        if national_id.birth_date_of(nin) != birth_date:
            raise InvalidChild("child.national_id_mismatch", "national_id")


def check_guardians(guardians: list[dict[str, Any]]) -> None:
    for guardian in guardians:
        if not str(guardian.get("name", "")).strip():
            raise InvalidChild("child.guardian_name_required", "guardians")
        if guardian.get("relation") not in RELATIONS:
            raise InvalidChild("child.relation_unknown", "guardians", relation=guardian.get("relation"))
    if guardians and not any(g.get("parental_responsibility") for g in guardians):
        raise InvalidChild("child.no_parental_responsibility", "guardians")


class Child(SubjectRecord):
    """A child in one unit. Guardians are plain dicts: name, relation,
    parental_responsibility, phone, email, address."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return id

    def __init__(
        self,
        first_name: str,
        last_name: str,
        birth_date: date,
        unit_id: UUID,
        national_id: str,
        guardians: list[dict[str, Any]],
    ):
        # Applies the Created event: the rules are checked in `new`, so old events always replay.
        self.first_name = first_name
        self.last_name = last_name
        self.birth_date = birth_date
        self.home_unit_id = unit_id
        self.national_id = national_id
        self.guardians = list(guardians)
        self.restricted = False
        self.restriction_reason = ""

    @classmethod
    def new(cls, first_name: str, last_name: str, birth_date: date, unit_id: UUID, national_id: str,
            guardians: list[dict[str, Any]], id: UUID | None = None) -> Child:
        """A new child, after the rules are checked; `id` when the data key was made first."""
        check_details(first_name, last_name, birth_date, national_id)
        check_guardians(guardians)
        return cls._create(cls.Created, id=id, first_name=first_name, last_name=last_name,  # noqa: SLF001
                           birth_date=birth_date, unit_id=unit_id, national_id=national_id,
                           guardians=guardians)

    # A move accepted for a later date (a transfer's effective date): (unit, date).
    # The child belongs to the new unit from that day, computed when read, so no
    # job has to run at midnight for the move to happen.
    moving: tuple[UUID, date] | None = None

    @property
    def unit_id(self) -> UUID:
        """The unit the child belongs to today."""
        if self.moving is not None and clock.today() >= self.moving[1]:
            return self.moving[0]
        return self.home_unit_id

    @property
    def moves_on(self) -> date | None:
        """The day a scheduled move takes effect, while it is still ahead."""
        if self.moving is not None and clock.today() < self.moving[1]:
            return self.moving[1]
        return None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def guardians_with_responsibility(self) -> list[dict[str, Any]]:
        return [g for g in self.guardians if g.get("parental_responsibility")]

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    # Commands check the rules, then trigger an event; the private event
    # methods only apply, so old events always replay.
    def correct_details(
        self, first_name: str, last_name: str, birth_date: date, national_id: str, reason: str
    ) -> None:
        check_details(first_name, last_name, birth_date, national_id)
        if not reason.strip():
            raise InvalidChild("child.correction_reason_required", "reason")
        self._details_corrected(first_name, last_name, birth_date, national_id, reason)

    @event("DetailsCorrected")
    def _details_corrected(
        self, first_name: str, last_name: str, birth_date: date, national_id: str, reason: str
    ) -> None:
        self.first_name = first_name
        self.last_name = last_name
        self.birth_date = birth_date
        self.national_id = national_id

    def record_guardians(self, guardians: list[dict[str, Any]], reason: str) -> None:
        check_guardians(guardians)
        self._guardians_recorded(guardians, reason)

    @event("GuardiansRecorded")
    def _guardians_recorded(self, guardians: list[dict[str, Any]], reason: str) -> None:
        self.guardians = list(guardians)

    @event("MovedToUnit")
    def move_to_unit(self, unit_id: UUID) -> None:
        self.home_unit_id = unit_id
        self.moving = None

    def schedule_move(self, unit_id: UUID, effective_on: date) -> None:
        """Move the child to `unit_id` on `effective_on`; today or earlier moves now."""
        if effective_on <= clock.today():
            self.move_to_unit(unit_id)
        else:
            self._move_scheduled(unit_id, effective_on)

    @event("MoveScheduled")
    def _move_scheduled(self, unit_id: UUID, effective_on: date) -> None:
        self.moving = (unit_id, effective_on)

    # Restriction (sperring): only the privacy officer may then see the child's records.
    def restrict(self, reason: str) -> None:
        if not reason.strip():
            raise InvalidChild("child.restriction_reason_required", "reason")
        if self.restricted:
            raise InvalidChild("child.already_restricted")
        self._restricted(reason)

    @event("Restricted")
    def _restricted(self, reason: str) -> None:
        self.restricted = True
        self.restriction_reason = reason

    def lift_restriction(self, reason: str) -> None:
        if not self.restricted:
            raise InvalidChild("child.not_restricted")
        if not reason.strip():
            raise InvalidChild("child.lifting_reason_required", "reason")
        self._restriction_lifted(reason)

    @event("RestrictionLifted")
    def _restriction_lifted(self, reason: str) -> None:
        self.restricted = False
        self.restriction_reason = ""
