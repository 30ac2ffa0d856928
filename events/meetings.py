"""The resource team (ressursteam): interdisciplinary meetings where unit leaders
bring cases, anonymised by default, and general issues; advice is minuted,
approved by the meeting leader, and sent back to each case's concern.

A meeting holds no personal data of a child (system key). Each case brought is
its own aggregate about that child (`MeetingCase`, under the child's key), so
erasing the child erases the case from every meeting.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events import clock
from events.arenas import MEETING_ARENAS, arena_of
from events.base import Record, SubjectRecord
from events.concerns import MAX_TEXT
from events.consents import Coverage
from events.errors import DomainError

# The resource team's spring, autumn and extra meetings, and every other arena's (events/arenas.py).
KINDS = tuple(MEETING_ARENAS)
SERVICES = ("barnevern", "helsestasjon", "ppt", "unit_leader")
MODES = ("anonymous", "named")
AGE_BANDS = ((0, 2), (3, 5), (6, 9), (10, 12), (13, 15), (16, 18))
# The advice goes into the concern's log after this heading, and must fit there.
ADVICE_HEADING = "Råd fra ressursteamet ({:%d.%m.%Y}): "
MAX_ADVICE = MAX_TEXT - 100
# A meeting's time of day, "HH:MM" (stored as text: the transcoder has no time type).
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
MAX_CANCEL_REASON = 500  # why a meeting is cancelled: a sentence or two (as a series' end)


class InvalidMeeting(DomainError):
    """Raised when a meeting, a case or its minutes break a rule."""


class ConsentDoesNotCoverMeeting(DomainError):
    """Raised when a case is brought by name without consent for every attending service."""

    def __init__(self, missing: dict[str, Coverage]):
        super().__init__("meeting.named_without_consent", "mode", missing={s: c.reason for s, c in missing.items()},
                         refusals={s: c.refusals for s, c in missing.items()})
        self.missing = missing  # service -> why not


def age_band(age: int) -> str:
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}–{high} år"
    return "over 18 år"


class Meeting(Record):
    """One meeting of an arena (the resource team's, or one of a series): when, for
    which units, who attends (services and named people), what is on it."""

    def __init__(self, kind: str, held_on: date, unit_ids: list[UUID], services: list[str],
                 leader_id: UUID, place: str, starts_at: str = "", invitee_ids: list[UUID] | None = None,
                 series_id: UUID | None = None):
        # Applies the Created event: the rules are checked in `new`, so old events always replay
        # (those from before meetings had a time have none).
        self.kind = kind
        self.held_on = held_on
        self.starts_at = starts_at
        self.unit_ids = list(unit_ids)
        self.services = list(services)
        self.leader_id = leader_id
        self.place = place
        self.invitee_ids = list(invitee_ids or [])  # named people, beyond the units' leaders and the services
        self.series_id = series_id
        self.case_ids: list[UUID] = []
        self.general: list[dict[str, Any]] = []
        self.minutes_approved = False
        self.approved_by: UUID | None = None
        # The minutes beyond each case's advice: who attended, free text, the next meeting.
        self.attendee_ids: list[UUID] = []
        self.notes = ""
        self.next_on: date | None = None
        self.next_at = ""
        # Once cancelled: why, by whom and on which day (the page shows them).
        self.cancelled = False
        self.cancel_reason = ""
        self.cancelled_by: UUID | None = None
        self.cancelled_on: date | None = None

    @classmethod
    def new(cls, kind: str, held_on: date, unit_ids: list[UUID], services: list[str], leader_id: UUID,
            place: str, starts_at: str, invitee_ids: list[UUID] | None = None,
            series_id: UUID | None = None) -> Meeting:
        if not TIME.match(starts_at):
            raise InvalidMeeting("meeting.time_invalid", "starts_at")
        if kind not in KINDS:
            raise InvalidMeeting("meeting.kind_unknown", "kind")
        # Cases come from units: a meeting that takes them needs its units.
        if arena_of(kind).modes and not unit_ids:
            raise InvalidMeeting("meeting.units_required", "unit_ids")
        if any(s not in SERVICES for s in services) or not (services or invitee_ids or unit_ids):
            raise InvalidMeeting("meeting.services_required", "services")
        if MEETING_ARENAS[kind] == "resource_team" and not services:
            raise InvalidMeeting("meeting.services_required", "services")
        return cls(kind, held_on, unit_ids, services, leader_id, place, starts_at, list(invitee_ids or []), series_id)

    @property
    def modes(self) -> tuple[str, ...]:
        """How a child's case may be brought: () where a child never appears (SLT, lederforum)."""
        return arena_of(self.kind).modes

    @property
    def barnevern_attends(self) -> bool:
        return "barnevern" in self.services

    def check_open(self) -> None:
        if self.cancelled:
            raise InvalidMeeting("meeting.cancelled")
        if self.minutes_approved:
            raise InvalidMeeting("meeting.closed")

    @property
    def minuted(self) -> bool:
        """Minutes begun: attendees, notes, or advice on a general issue (a case's advice is on the case)."""
        return bool(self.attendee_ids or self.notes or any(g["advice"] for g in self.general))

    def cancellable(self, today: date) -> bool:
        """What `cancel` asks of the meeting itself: open, its day not past, no minutes."""
        return not (self.cancelled or self.minutes_approved or self.minuted) and self.held_on >= today

    def cancel(self, reason: str, by: UUID, today: date) -> None:
        """Not held after all: only before the day is past and before any minutes, by its
        leader, with a reason the attendees see. Nothing more is brought to it or minuted.
        The cases already brought stay on it, unminuted: a concern is not tied to a
        meeting, so its unit leader brings it to another."""
        self.check_open()
        if by != self.leader_id:
            raise InvalidMeeting("meeting.leader_only_cancel")
        if self.held_on < today:
            raise InvalidMeeting("meeting.already_held")
        if self.minuted:
            raise InvalidMeeting("meeting.minuted")
        reason = reason.strip()
        if not reason:
            raise InvalidMeeting("meeting.cancel_reason_required", "reason")
        if len(reason) > MAX_CANCEL_REASON:
            raise InvalidMeeting("text.too_long", "reason", max=MAX_CANCEL_REASON)
        self._cancelled(reason, by, today)

    @event("Cancelled")
    def _cancelled(self, reason: str, by: UUID, on: date) -> None:
        self.cancelled = True
        self.cancel_reason = reason
        self.cancelled_by = by
        self.cancelled_on = on

    @event("CaseAdded")
    def add_case(self, case_id: UUID) -> None:
        self.case_ids.append(case_id)

    def add_general_issue(self, title: str, text: str, brought_by: UUID) -> None:
        self.check_open()
        if not title.strip():
            raise InvalidMeeting("meeting.issue_title_required", "title")
        self._general_issue_added(title, text, brought_by)

    @event("GeneralIssueAdded")
    def _general_issue_added(self, title: str, text: str, brought_by: UUID) -> None:
        self.general.append({"no": len(self.general) + 1, "title": title, "text": text,
                             "brought_by": brought_by, "advice": ""})

    def minute_general(self, no: int, advice: str) -> None:
        self.check_open()
        if not 1 <= no <= len(self.general):
            raise InvalidMeeting("meeting.no_such_issue")
        if not advice.strip():
            raise InvalidMeeting("meeting.advice_required", "advice")
        self._general_minuted(no, advice)

    @event("GeneralIssueMinuted")
    def _general_minuted(self, no: int, advice: str) -> None:
        self.general[no - 1]["advice"] = advice

    def may_attend(self, user) -> bool:
        """The meeting's leader, its units' leaders, the attending services' people and those named."""
        return (user.id == self.leader_id or user.id in self.invitee_ids
                or (user.role == "unit_leader" and user.unit_id in self.unit_ids)
                or (user.role == "resource_team" and user.service in self.services))

    def write_minutes(self, attendees: list, notes: str, next_on: date | None, next_at: str) -> None:
        """Who attended (users who may attend), the free-text minutes and the next meeting."""
        self.check_open()
        if any(not self.may_attend(user) for user in attendees):
            raise InvalidMeeting("meeting.attendee_not_invited", "attendee_ids")
        if len(notes) > MAX_TEXT:
            raise InvalidMeeting("text.too_long", "notes", max=MAX_TEXT)
        if next_at and not TIME.match(next_at):
            raise InvalidMeeting("meeting.time_invalid", "next_at")
        if next_at and next_on is None:
            raise InvalidMeeting("meeting.next_date_required", "next_on")
        if next_on is not None and next_on <= self.held_on:
            raise InvalidMeeting("meeting.next_before_this", "next_on")
        self._minutes_written([u.id for u in attendees], notes, next_on, next_at)

    @event("MinutesWritten")
    def _minutes_written(self, attendee_ids: list[UUID], notes: str, next_on: date | None, next_at: str) -> None:
        self.attendee_ids = list(attendee_ids)
        self.notes = notes
        self.next_on = next_on
        self.next_at = next_at

    def approve_minutes(self, by: UUID) -> None:
        self.check_open()
        if by != self.leader_id:
            raise InvalidMeeting("meeting.leader_only")
        if self.held_on > clock.today():
            # The advice goes to each concern's logbook dated the meeting's day.
            raise InvalidMeeting("meeting.not_held_yet")
        self._minutes_approved(by)

    @event("MinutesApproved")
    def _minutes_approved(self, by: UUID) -> None:
        self.minutes_approved = True
        self.approved_by = by


class MeetingCase(SubjectRecord):
    """One concern brought to one meeting: anonymised (the default) or by name."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, meeting_id: UUID, concern_id: UUID, child_id: UUID, unit_id: UUID,
                 unit_kind: str, mode: str, age_band: str, text: str, brought_by: UUID,
                 review: dict[str, Any] | None = None):
        # Applies the Created event: the rules are checked in `new`, so old events always replay
        # (cases brought before the review existed have none).
        self.meeting_id = meeting_id
        self.concern_id = concern_id
        self.child_id = child_id
        self.unit_id = unit_id
        self.unit_kind = unit_kind
        self.mode = mode
        self.age_band = age_band
        self.text = text
        self.brought_by = brought_by
        # The unit leader's review of an anonymised text: {"kept": [words], "removed": count}.
        self.review = review
        self.advice = ""
        self.advice_redacted = ""
        self.returned_to_concern = False

    @classmethod
    def new(cls, meeting_id: UUID, concern_id: UUID, child_id: UUID, unit_id: UUID, unit_kind: str, mode: str,
            age_band: str, text: str, brought_by: UUID, review: dict[str, Any] | None = None) -> MeetingCase:
        if mode not in MODES:
            raise InvalidMeeting("meeting.mode_unknown", "mode")
        if not text.strip():
            raise InvalidMeeting("meeting.case_text_required", "text")
        return cls(meeting_id, concern_id, child_id, unit_id, unit_kind, mode, age_band, text, brought_by, review)

    @staticmethod
    def check_named_allowed(services: list[str], coverage: dict[str, Coverage]) -> None:
        """By name only when valid consent covers every service attending."""
        missing = {s: coverage[s] for s in services if s != "unit_leader" and not coverage[s].ok}
        if missing:
            raise ConsentDoesNotCoverMeeting(missing)

    def minute_advice(self, advice: str, advice_redacted: str) -> None:
        if not advice.strip():
            raise InvalidMeeting("meeting.advice_required", "advice")
        if len(advice) > MAX_ADVICE:
            raise InvalidMeeting("text.too_long", "advice", max=MAX_ADVICE)
        self._advice_minuted(advice, advice_redacted)

    @event("AdviceMinuted")
    def _advice_minuted(self, advice: str, advice_redacted: str) -> None:
        self.advice = advice
        self.advice_redacted = advice_redacted

    @event("ReturnedToConcern")
    def mark_returned(self) -> None:
        self.returned_to_concern = True
