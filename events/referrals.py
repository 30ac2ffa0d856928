"""Referrals: the report of concern to barnevernet (melding), and referrals to
PPT and BUP (henvisning).

A report to barnevernet needs no consent: the duty to report (bvl § 13-2,
bhgl § 46) overrides confidentiality. A referral to PPT or BUP is refused unless
a valid consent covers that service on the day it is sent — the check is here,
in the aggregate, not only in the web.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events import national_id
from events.base import SubjectRecord
from events.bekymringsmelding import reporter_pattern
from events.consents import NO_CONSENT, Coverage
from events.errors import DomainError

KINDS = ("barnevern", "ppt", "bup")
CONSENT_NEEDED = ("ppt", "bup")
CHANNELS = ("fiks", "post", "telefon", "personlig")
STATUSES = ("draft", "sent", "receipt_confirmed", "feedback_received", "closed")
REVIEW_DAYS = 7  # barnevernet reviews a report within a week
CONFIRMATION_DAYS = 21  # and confirms receipt to a public reporter within three weeks

# Fields each kind needs before it can be sent (Fiks bekymringsmelding v2 for barnevern).
REQUIRED = {
    "barnevern": ("reporter_name", "reporter_role", "reporter_phone", "reporter_email", "message"),
    "ppt": ("reason", "tried", "guardians_view"),
    "bup": ("reason", "tried", "guardians_view"),
}


class InvalidReferral(DomainError):
    """Raised when a referral is incomplete, or changed in a state that forbids it."""


class ConsentMissing(DomainError):
    """Raised when a referral that needs consent has none valid for its service."""

    def __init__(self, service: str, coverage: Coverage):
        super().__init__("referral.consent_missing", "consent", service=service, reason=coverage.reason,
                         refusals=coverage.refusals)
        self.service = service
        self.coverage = coverage


def check_report_fields(fields: dict[str, Any]) -> None:
    """What a draft report may not hold even half-written: a phone number or
    e-mail address KS' format refuses, a sibling without a name, or a national
    identity number that is not one. Empty fields wait until it is sent."""
    for key in ("reporter_phone", "reporter_email"):
        value = str(fields.get(key, "")).strip()
        if value and not reporter_pattern(key).match(value):
            raise InvalidReferral(f"referral.{key}_invalid", key)
    for i, sibling in enumerate(fields.get("siblings", [])):
        if not str(sibling.get("name", "")).strip():
            raise InvalidReferral("referral.sibling_name_required", f"s{i}_name")
        nin = str(sibling.get("national_id", "")).strip()
        if nin and not national_id.is_valid(nin):
            raise InvalidReferral("referral.sibling_national_id_invalid", f"s{i}_national_id")


class Referral(SubjectRecord):
    """One report or referral about one child, from one concern."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, child_id: UUID, concern_id: UUID, unit_id: UUID, kind: str,
                 author_id: UUID, fields: dict[str, Any]):
        # Applies the Created event: the rules are checked in `new`, so old events always replay.
        self.child_id = child_id
        self.concern_id = concern_id
        self.unit_id = unit_id
        self.kind = kind
        self.author_id = author_id
        self.fields = dict(fields)
        self.status = "draft"
        self.sent_on: date | None = None
        self.channel = ""
        self.consent_id: UUID | None = None
        self.receipt_on: date | None = None
        self.feedback_on: date | None = None
        self.feedback = ""
        self.investigation_opened: bool | None = None
        self.closing_reason = ""

    @classmethod
    def new(cls, child_id: UUID, concern_id: UUID, unit_id: UUID, kind: str, author_id: UUID,
            fields: dict[str, Any]) -> Referral:
        if kind not in KINDS:
            raise InvalidReferral("referral.kind_unknown", "kind", kind=kind)
        return cls(child_id, concern_id, unit_id, kind, author_id, fields)

    @property
    def needs_consent(self) -> bool:
        return self.kind in CONSENT_NEEDED

    @property
    def review_due(self) -> date | None:
        return self.sent_on + timedelta(days=REVIEW_DAYS) if self.sent_on and self.kind == "barnevern" else None

    @property
    def confirmation_due(self) -> date | None:
        return self.sent_on + timedelta(days=CONFIRMATION_DAYS) if self.sent_on and self.kind == "barnevern" else None

    def receipt_overdue(self, today: date) -> bool:
        due = self.confirmation_due
        return self.status == "sent" and due is not None and today > due

    def missing_fields(self) -> list[str]:
        missing = [f for f in REQUIRED[self.kind] if not str(self.fields.get(f, "")).strip()]
        if self.kind == "barnevern":
            if not (self.fields.get("child_address") or {}).get("street", "").strip():
                missing.append("child_address")
            for g in self.fields.get("guardians", []):
                if not g.get("informed") and not str(g.get("not_informed_reason", "")).strip():
                    missing.append("not_informed_reason")
                    break
        return missing

    # -- the draft ---------------------------------------------------------------------
    def update_draft(self, fields: dict[str, Any]) -> None:
        if self.status != "draft":
            raise InvalidReferral("referral.sent_cannot_change")
        if self.kind == "barnevern":
            check_report_fields(fields)
        self._draft_updated(fields)

    @event("DraftUpdated")
    def _draft_updated(self, fields: dict[str, Any]) -> None:
        self.fields = dict(fields)

    # -- sending ---------------------------------------------------------------------------
    def send(self, on: date, channel: str, coverage: Coverage | None, consent_id: UUID | None) -> None:
        """Send it. PPT and BUP need `coverage` from a consent valid for the service on `on`."""
        if self.status != "draft":
            raise InvalidReferral("referral.already_sent")
        if channel not in CHANNELS:
            raise InvalidReferral("referral.channel_required", "channel")
        missing = self.missing_fields()
        if missing:
            raise InvalidReferral("referral.fields_missing", fields=missing)
        if self.needs_consent:
            if coverage is None or not coverage.ok or consent_id is None:
                raise ConsentMissing(self.kind, coverage or NO_CONSENT)
        else:
            consent_id = None  # barnevern: no consent, by law
        self._sent(on, channel, consent_id)

    @event("Sent")
    def _sent(self, on: date, channel: str, consent_id: UUID | None) -> None:
        self.status = "sent"
        self.sent_on = on
        self.channel = channel
        self.consent_id = consent_id

    def confirm_receipt(self, on: date) -> None:
        if self.status != "sent":
            raise InvalidReferral("referral.not_sent")
        if self.sent_on and on < self.sent_on:
            raise InvalidReferral("referral.receipt_before_sending", "receipt_on")
        self._receipt_confirmed(on)

    @event("ReceiptConfirmed")
    def _receipt_confirmed(self, on: date) -> None:
        self.status = "receipt_confirmed"
        self.receipt_on = on

    def record_feedback(self, on: date, investigation_opened: bool | None, feedback: str) -> None:
        if self.status not in ("sent", "receipt_confirmed"):
            raise InvalidReferral("referral.feedback_before_sending")
        if not feedback.strip():
            raise InvalidReferral("referral.feedback_required")
        self._feedback_recorded(on, investigation_opened, feedback)

    @event("FeedbackRecorded")
    def _feedback_recorded(self, on: date, investigation_opened: bool | None, feedback: str) -> None:
        self.status = "feedback_received"
        self.feedback_on = on
        self.investigation_opened = investigation_opened
        self.feedback = feedback
        if self.receipt_on is None:
            self.receipt_on = on  # feedback implies it was received

    def close(self, reason: str) -> None:
        if self.status == "closed":
            raise InvalidReferral("referral.already_closed")
        if not reason.strip():
            raise InvalidReferral("referral.closing_reason_required")
        self._closed(reason)

    @event("Closed")
    def _closed(self, reason: str) -> None:
        self.status = "closed"
        self.closing_reason = reason
