"""Transfers between units (overføring): barnehage → skole, and skole → skole
when a child moves.

The sending unit chooses which parts of the child's record go with the transfer
form (overgangsskjema). Nothing is sent without the guardians' approval of
exactly that content: recording the approval freezes a snapshot of the chosen
parts, and that snapshot is what the receiving unit sees. It lives in the
events, encrypted under the child's key, so erasing the child erases it too.

States: draft → approved → sent → viewed → accepted | returned. Every step is
an event naming who took it and when (`trail`), so the sender sees when the
transfer was opened.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events.base import SubjectRecord
from events.errors import DomainError

KINDS = ("kindergarten_to_school", "school_to_school")
# Unit kinds a transfer of each kind goes between: (from, to).
UNIT_KINDS = {"kindergarten_to_school": ("barnehage", "skole"), "school_to_school": ("skole", "skole")}
# What can go with the form, besides the child's name and birth date (always).
# Concern parts name the concern: "logbook:<id>", "plan:<id>".
WHOLE_PARTS = ("guardians", "consents")
CONCERN_PARTS = ("logbook", "plan")
FORM_FIELDS = ("strengths", "needs", "guardians_comments", "other")
APPROVAL_METHODS = ("skriftlig", "muntlig", "digitalt")
SCHOOL_START = (8, 1)  # 1 August: a child moves from barnehage to skole then
CHILD_APPROVES_FROM = 15  # a child of 15 or more approves the transfer too
MAX_TEXT = 20_000


class InvalidTransfer(DomainError):
    """Raised when a transfer is incomplete, or a step does not fit its state."""


class ApprovalMissing(DomainError):
    """Raised when a transfer would be sent without the guardians' recorded approval."""


def parse_part(part: str) -> tuple[str, UUID | None]:
    """("guardians", None) or ("logbook", concern_id); InvalidTransfer if unknown."""
    if part in WHOLE_PARTS:
        return part, None
    kind, _, concern = part.partition(":")
    try:
        if kind in CONCERN_PARTS:
            return kind, UUID(concern)
    except ValueError:
        pass
    raise InvalidTransfer("transfer.part_unknown", "parts", part=part)


def check_effective_date(effective_on: date | None, today: date) -> None:
    if effective_on is not None and effective_on < today:
        raise InvalidTransfer("transfer.effective_date_past", "effective_on")


def check_form(form: dict[str, str]) -> None:
    if set(form) - set(FORM_FIELDS):
        raise InvalidTransfer("transfer.form_field_unknown")
    if any(len(v) > MAX_TEXT for v in form.values()):
        raise InvalidTransfer("transfer.form_too_long")


def school_start_after(day: date) -> date:
    """The first school start on or after `day`."""
    start = date(day.year, *SCHOOL_START)
    return start if start >= day else date(day.year + 1, *SCHOOL_START)


def default_effective_date(kind: str, today: date) -> date | None:
    """Barnehage → skole: the coming school start; otherwise on acceptance (None)."""
    return school_start_after(today) if kind == "kindergarten_to_school" else None


class Transfer(SubjectRecord):
    """One transfer of one child's record from one unit to another."""

    class Event(SubjectRecord.Event):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            # Who took each step, and when (after the method body ran).
            aggregate.trail.append((type(self).__name__, self.timestamp, self.actor_id))

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, child_id: UUID, from_unit_id: UUID, to_unit_id: UUID, kind: str, author_id: UUID,
                 effective_on: date | None = None):
        # Applies the Created event: the rules are checked in `new`, so old events always replay.
        # `effective_on`: the day the child moves to the receiving unit once accepted
        # (None: on acceptance; transfers stored before it existed have none).
        self.effective_on = effective_on
        self.child_id = child_id
        self.from_unit_id = from_unit_id
        self.to_unit_id = to_unit_id
        self.kind = kind
        self.author_id = author_id
        self.parts: list[str] = []
        self.form: dict[str, str] = {f: "" for f in FORM_FIELDS}
        self.status = "draft"
        self.approval: dict[str, Any] | None = None
        self.snapshot: dict[str, Any] | None = None
        self.return_reason = ""
        self.trail: list[tuple[str, datetime, UUID | None]] = []

    @classmethod
    def new(cls, child_id: UUID, from_unit_id: UUID, to_unit_id: UUID, kind: str, author_id: UUID,
            effective_on: date | None, today: date) -> Transfer:
        if kind not in KINDS:
            raise InvalidTransfer("transfer.kind_unknown", "kind", kind=kind)
        if from_unit_id == to_unit_id:
            raise InvalidTransfer("transfer.to_own_unit", "to_unit_id")
        check_effective_date(effective_on, today)
        return cls(child_id, from_unit_id, to_unit_id, kind, author_id,
                   effective_on or default_effective_date(kind, today))

    # -- queries ---------------------------------------------------------------------------
    def concern_ids(self) -> list[UUID]:
        ids = [parse_part(p)[1] for p in self.parts]
        return list(dict.fromkeys(i for i in ids if i is not None))

    def step(self, name: str) -> tuple[datetime, UUID | None] | None:
        """When, and by whom, a step was first taken (None if not yet)."""
        for kind, at, actor in self.trail:
            if kind == name:
                return at, actor
        return None

    @property
    def is_draft(self) -> bool:
        return self.status in ("draft", "approved")

    @property
    def is_sent(self) -> bool:
        """Sent: the receiving unit has a part in it from now on."""
        return self.status in ("sent", "viewed", "accepted", "returned")

    # -- the draft -------------------------------------------------------------------------
    def update_draft(self, to_unit_id: UUID, parts: list[str], form: dict[str, str],
                     effective_on: date | None, today: date) -> None:
        """Change what goes with the transfer, and when it takes effect (None keeps
        the date); a recorded approval no longer holds."""
        if not self.is_draft:
            raise InvalidTransfer("transfer.sent_cannot_change")
        if to_unit_id == self.from_unit_id:
            raise InvalidTransfer("transfer.to_own_unit", "to_unit_id")
        for part in parts:
            parse_part(part)
        check_form(form)
        check_effective_date(effective_on, today)
        self._draft_updated(to_unit_id, list(dict.fromkeys(parts)), {f: form.get(f, "") for f in FORM_FIELDS},
                            effective_on)

    @event("DraftUpdated")
    def _draft_updated(self, to_unit_id: UUID, parts: list[str], form: dict[str, str],
                       effective_on: date | None = None) -> None:
        if effective_on is not None:  # drafts stored before the date existed have none
            self.effective_on = effective_on
        self.to_unit_id = to_unit_id
        self.parts = parts
        self.form = form
        self.status = "draft"
        self.approval = None
        self.snapshot = None

    # -- the guardians' approval -------------------------------------------------------------
    def record_approval(
        self,
        approvers: list[str],
        method: str,
        approved_on: date,
        minutes: str,
        required: list[str],
        snapshot: dict[str, Any],
        today: date,
    ) -> None:
        """The guardians approved this content: `snapshot` is frozen as what will be sent.
        `required` names everyone whose approval is needed (see the application)."""
        if self.status != "draft":
            raise InvalidTransfer("transfer.not_awaiting_approval")
        if not any(v.strip() for v in self.form.values()) and not self.parts:
            raise InvalidTransfer("transfer.empty")
        if method not in APPROVAL_METHODS:
            raise InvalidTransfer("transfer.method_required", "method")
        if approved_on > today:
            raise InvalidTransfer("date.in_future", "approved_on")
        given = {a.strip().casefold() for a in approvers if a.strip()}
        missing = [n for n in required if n.strip().casefold() not in given]
        if missing:
            raise ApprovalMissing("transfer.approvals_missing", "approvers", names=missing)
        if not given:
            raise ApprovalMissing("transfer.approval_not_recorded", "approvers")
        if method == "muntlig" and not minutes.strip():
            raise InvalidTransfer("transfer.oral_without_minutes", "minutes")
        names = list(dict.fromkeys(a.strip() for a in approvers if a.strip()))
        self._approval_recorded(names, method, approved_on, minutes, snapshot)

    @event("ApprovalRecorded")
    def _approval_recorded(
        self, approvers: list[str], method: str, approved_on: date, minutes: str, snapshot: dict[str, Any]
    ) -> None:
        self.status = "approved"
        self.approval = {"approvers": approvers, "method": method, "approved_on": approved_on,
                         "minutes": minutes}
        self.snapshot = snapshot

    # -- sending and receiving --------------------------------------------------------------------
    def send(self) -> None:
        if self.status == "draft":
            raise ApprovalMissing("transfer.approval_not_recorded", "approvers")
        if self.status != "approved":
            raise InvalidTransfer("transfer.already_sent")
        self._sent()

    @event("Sent")
    def _sent(self) -> None:
        self.status = "sent"

    def mark_viewed(self) -> bool:
        """The receiving unit opened it; only the first opening is a step. True if recorded."""
        if self.status != "sent":
            return False
        self._viewed()
        return True

    @event("Viewed")
    def _viewed(self) -> None:
        self.status = "viewed"

    def accept(self) -> None:
        self.check_is_received()
        self._accepted()

    @event("Accepted")
    def _accepted(self) -> None:
        self.status = "accepted"

    def return_to_sender(self, reason: str) -> None:
        self.check_is_received()
        if not reason.strip():
            raise InvalidTransfer("transfer.return_reason_required", "reason")
        self._returned(reason)

    @event("Returned")
    def _returned(self, reason: str) -> None:
        self.status = "returned"
        self.return_reason = reason

    def check_is_received(self) -> None:
        if self.status != "viewed":
            raise InvalidTransfer("transfer.not_received")
