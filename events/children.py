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
        raise InvalidChild("first and last name are required")
    if birth_date > clock.today():
        raise InvalidChild("birth date is in the future")
    if nin:
        if not national_id.is_valid(nin):
            raise InvalidChild("national identity number is not valid")
        if national_id.birth_date_of(nin) != birth_date:
            raise InvalidChild("national identity number does not match the birth date")


def check_guardians(guardians: list[dict[str, Any]]) -> None:
    for guardian in guardians:
        if not str(guardian.get("name", "")).strip():
            raise InvalidChild("every guardian needs a name")
        if guardian.get("relation") not in RELATIONS:
            raise InvalidChild(f"unknown relation {guardian.get('relation')!r}")
    if guardians and not any(g.get("parental_responsibility") for g in guardians):
        raise InvalidChild("at least one guardian must have parental responsibility")


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
        check_details(first_name, last_name, birth_date, national_id)
        check_guardians(guardians)
        self.first_name = first_name
        self.last_name = last_name
        self.birth_date = birth_date
        self.unit_id = unit_id
        self.national_id = national_id
        self.guardians = list(guardians)
        self.restricted = False
        self.restriction_reason = ""

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
            raise InvalidChild("a correction needs a reason")
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
        self.unit_id = unit_id

    # Restriction (sperring): only the privacy officer may then see the child's records.
    def restrict(self, reason: str) -> None:
        if not reason.strip():
            raise InvalidChild("a restriction needs a reason")
        if self.restricted:
            raise InvalidChild("already restricted")
        self._restricted(reason)

    @event("Restricted")
    def _restricted(self, reason: str) -> None:
        self.restricted = True
        self.restriction_reason = reason

    def lift_restriction(self, reason: str) -> None:
        if not self.restricted:
            raise InvalidChild("not restricted")
        if not reason.strip():
            raise InvalidChild("lifting a restriction needs a reason")
        self._restriction_lifted(reason)

    @event("RestrictionLifted")
    def _restriction_lifted(self, reason: str) -> None:
        self.restricted = False
        self.restriction_reason = ""
