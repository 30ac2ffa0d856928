"""The programme's follow-up in each unit (seeds 000–002: implementation).

Every workplace has at least two key persons (nøkkelpersoner) who carry the
routines; its staff take the basic training, a follow-up day every six months,
and new staff get the information package once a year. A unit's record keeps
who was appointed and ended, when, and each training with its attendees.

A staff member also confirms having read the action guide as it stands; a new
version of the guide (any guide page published anew) asks again. The version
is a fingerprint of the published guide pages and their revision numbers.

Nothing here is about a child: the records use the system key (`Record`).
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any, Iterable
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError

MIN_KEY_PERSONS = 2  # seed 002: «minst to nøkkelpersoner … fra hver arbeidsplass»
TRAINING_KINDS = ("basic", "follow_up", "new_staff")
FOLLOW_UP_MONTHS = 6  # seed 001: «en halvårig oppfølgingsdag»
MAX_ATTENDEES = 500
# The headings of a new implementation plan (seed 000, «Lage en plan som er realistisk»).
PLAN_QUESTIONS = (
    "Hvordan skal kunnskapen spres og når?",
    "Felles plandager eller inn i den enkelte skole og barnehage?",
    "Hvordan får nyansatte opplæring?",
    "Hvem er nøkkelpersoner, og hva er oppgavene deres?",
    "Hvordan holder vi fokuset: temadager, personalmøter, loggbøker?",
)


class InvalidProgramme(DomainError):
    """Raised when an appointment, an ending or a training record breaks a rule."""


def programme_id_for(unit_id: UUID) -> UUID:
    """A unit has one programme record; its id follows from the unit's."""
    return uuid5(NAMESPACE_URL, f"bekymring:programme:{unit_id}")


def guide_reading_id_for(user_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"bekymring:guide-reading:{user_id}")


def plan_slug_for(unit_id: UUID) -> str:
    """The binder page holding a unit's implementation plan (one per unit)."""
    return f"tiltaksplan-{unit_id.hex}"


def guide_version(published: Iterable[tuple[str, int]]) -> str | None:
    """The guide's version: a fingerprint of its published pages (slug, revision
    number); None while nothing is published. Publishing any page anew changes it."""
    pairs = sorted(published)
    if not pairs:
        return None
    return hashlib.sha256(";".join(f"{slug}:{no}" for slug, no in pairs).encode()).hexdigest()[:16]


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def follow_up_due(last: date | None, today: date) -> bool:
    """Due when no follow-up day was held in the last six months."""
    return last is None or last <= months_before(today, FOLLOW_UP_MONTHS)


def new_staff_due(last: date | None, today: date) -> bool:
    """Due when new staff have had no information package this calendar year."""
    return last is None or last.year < today.year


class UnitProgramme(Record):
    """One unit's follow-up: its key persons over time and its trainings."""

    @staticmethod
    def create_id(unit_id: UUID) -> UUID:
        return programme_id_for(unit_id)

    def __init__(self, unit_id: UUID):
        self.unit_id = unit_id
        self.key_persons: dict[UUID, date] = {}  # the current ones, and since when
        self.history: list[dict[str, Any]] = []  # every appointment and ending, in order
        self.trainings: list[dict[str, Any]] = []

    # -- queries -------------------------------------------------------------
    @property
    def too_few_key_persons(self) -> bool:
        return len(self.key_persons) < MIN_KEY_PERSONS

    def last_training(self, kind: str) -> date | None:
        return max((t["held_on"] for t in self.trainings if t["kind"] == kind), default=None)

    # -- key persons ------------------------------------------------------------
    def appoint(self, user_id: UUID, on: date, today: date) -> None:
        if user_id in self.key_persons:
            raise InvalidProgramme("programme.already_key_person", "user_id")
        check_not_ahead(on, today)
        self._appointed(user_id, on)

    @event("KeyPersonAppointed")
    def _appointed(self, user_id: UUID, on: date) -> None:
        self.key_persons[user_id] = on
        self.history.append({"change": "appointed", "user_id": user_id, "on": on})

    def end(self, user_id: UUID, on: date, today: date) -> None:
        if user_id not in self.key_persons:
            raise InvalidProgramme("programme.not_key_person", "user_id")
        check_not_ahead(on, today)
        if on < self.key_persons[user_id]:
            raise InvalidProgramme("programme.ended_before_appointed", "on")
        self._ended(user_id, on)

    @event("KeyPersonEnded")
    def _ended(self, user_id: UUID, on: date) -> None:
        del self.key_persons[user_id]
        self.history.append({"change": "ended", "user_id": user_id, "on": on})

    # -- training ----------------------------------------------------------------
    def record_training(self, kind: str, held_on: date, attendee_ids: list[UUID], today: date) -> None:
        if kind not in TRAINING_KINDS:
            raise InvalidProgramme("programme.training_kind_unknown", "kind")
        check_not_ahead(held_on, today, "held_on")
        if not attendee_ids:
            raise InvalidProgramme("programme.attendees_required", "attendees")
        if len(attendee_ids) > MAX_ATTENDEES:
            raise InvalidProgramme("programme.attendees_required", "attendees")
        self._training_recorded(kind, held_on, sorted(set(attendee_ids), key=str))

    @event("TrainingRecorded")
    def _training_recorded(self, kind: str, held_on: date, attendee_ids: list[UUID]) -> None:
        self.trainings.append({"kind": kind, "held_on": held_on, "attendee_ids": list(attendee_ids)})


def check_not_ahead(day: date, today: date, field: str = "on") -> None:
    if day > today:
        raise InvalidProgramme("date.in_future", field)


class GuideReading(Record):
    """One staff member's confirmations that she has read the action guide."""

    @staticmethod
    def create_id(user_id: UUID) -> UUID:
        return guide_reading_id_for(user_id)

    def __init__(self, user_id: UUID):
        self.user_id = user_id
        self.versions: list[str] = []

    @property
    def confirmed(self) -> str | None:
        """The newest version of the guide she confirmed."""
        return self.versions[-1] if self.versions else None

    def confirm(self, version: str) -> None:
        if version == self.confirmed:
            raise InvalidProgramme("programme.guide_read_already")
        self._confirmed(version)

    @event("Confirmed")
    def _confirmed(self, version: str) -> None:
        self.versions.append(version)
