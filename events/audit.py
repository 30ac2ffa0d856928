"""Audit records: every read of a child's data, and every sign-in.

Each record is an aggregate of its own (a stream of one event), never an event
on the record that was read, so reading can never conflict with writing. They
are encrypted under the system key, so erasing a child keeps who-saw-what.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError

ACTIONS = ("view", "print", "export", "search", "audit", "break_glass")
# An access under a break-the-glass grant says so first in its reason (stored
# in every such event: never change it).
GRANT_REASON = "nødtilgang"


def grant_reason(reason: str) -> str:
    """The reason of an access made under a break-the-glass grant."""
    return f"{GRANT_REASON}; {reason}" if reason else GRANT_REASON


def under_grant(reason: str) -> bool:
    return reason == GRANT_REASON or reason.startswith(GRANT_REASON + "; ")


# The review queue's rules (projections/access_log.py applies them).
ANOMALY_RULES = ("outside_unit", "after_hours", "many_children", "break_glass", "same_surname")
SIGN_IN_OUTCOMES = ("signed_in", "failed", "signed_out", "locked_out", "second_factor_failed")


class Access(Record):
    """Who saw which records of which children, how, why, in which session, and on
    what legal basis: `bases` holds one [code, ref] per subject (events/policy.py
    BASIS_CODES; ref is the consent's or the grant's id, else None)."""

    class Created(Record.Created):
        # 2: the legal basis of each subject. Version 1 events name none: they read
        # with no bases, and the access log works one out as it did before.
        class_version = 2
        user_id: UUID
        role: str
        unit_id: UUID | None
        subject_ids: list[UUID]
        records: list[str]
        action: str
        reason: str
        session: str
        bases: list[list[Any]]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["bases"] = []

    def __init__(
        self,
        user_id: UUID,
        role: str,
        unit_id: UUID | None,
        subject_ids: list[UUID],
        records: list[str],
        action: str,
        reason: str,
        session: str,
        bases: list[list[Any]],
    ):
        self.user_id = user_id
        self.role = role
        self.unit_id = unit_id
        self.subject_ids = list(subject_ids)
        self.records = list(records)
        self.action = action
        self.reason = reason
        self.session = session
        self.bases = [list(b) for b in bases]


class SignIn(Record):
    """A sign-in, a failed attempt, or a sign-out. The username is kept only as a
    blind index, so a mistyped password typed into the username field is not stored."""

    def __init__(
        self, outcome: str, user_id: UUID | None, username_index: str, client_index: str, session: str
    ):
        self.outcome = outcome
        self.user_id = user_id
        self.username_index = username_index
        self.client_index = client_index
        self.session = session


class SignInRequestRejected(Record):
    """An admin refused a first sign-in through the municipality's provider
    whose claims gave no role. The subject is kept only as the blind index of
    its username; the admin is the event's actor."""

    def __init__(self, username_index: str):
        self.username_index = username_index


class BreakGlass(Record):
    """Access outside the rules, granted on a typed reason for a limited time.
    Every one lands in the privacy officer's review queue."""

    def __init__(self, user_id: UUID, role: str, record_ids: list[UUID], subject_ids: list[UUID],
                 reason: str, minutes: int, session: str):
        self.user_id = user_id
        self.role = role
        self.record_ids = list(record_ids)
        self.subject_ids = list(subject_ids)
        self.reason = reason
        self.minutes = minutes
        self.session = session


class AnomalyReview(Record):
    """The privacy officer's review of one anomaly in the queue, with a comment.
    No longer made (a review takes a group: `AnomaliesReviewed`); stored ones still apply."""

    def __init__(self, anomaly_id: str, comment: str, reviewed_by: UUID):
        self.anomaly_id = anomaly_id
        self.comment = comment
        self.reviewed_by = reviewed_by


class AnomaliesReviewed(Record):
    """The privacy officer's review, with one comment, of one user's anomalies under
    one rule: those stamped up to `through` (the last one she was shown) and not
    yet reviewed. Later ones stay in the queue. Who reviewed is `reviewed_by`;
    when is the event's timestamp."""

    def __init__(self, user_id: UUID, rule: str, through: str, comment: str, reviewed_by: UUID):
        self.user_id = user_id
        self.rule = rule
        self.through = through
        self.comment = comment
        self.reviewed_by = reviewed_by


class ErasureRequest(Record):
    """Shredding needs two people: the privacy officer requests it, an admin confirms."""

    def __init__(self, child_id: UUID, unit_id: UUID, reason: str, requested_by: UUID):
        self.child_id = child_id
        self.unit_id = unit_id
        self.reason = reason
        self.requested_by = requested_by
        self.status = "requested"
        self.decided_by: UUID | None = None

    def confirm(self, admin_id: UUID) -> None:
        self._check_open(admin_id)
        self._confirmed(admin_id)

    def reject(self, admin_id: UUID, why: str) -> None:
        self._check_open(admin_id)
        self._rejected(admin_id, why)

    def _check_open(self, admin_id: UUID) -> None:
        if self.status != "requested":
            raise DomainError("erasure.already_decided")
        if admin_id == self.requested_by:
            raise DomainError("erasure.same_person")

    @event("Confirmed")
    def _confirmed(self, admin_id: UUID) -> None:
        self.status = "confirmed"
        self.decided_by = admin_id

    @event("Rejected")
    def _rejected(self, admin_id: UUID, why: str) -> None:
        self.status = "rejected"
        self.decided_by = admin_id
