"""Audit records: every read of a child's data, and every sign-in.

Each record is an aggregate of its own (a stream of one event), never an event
on the record that was read, so reading can never conflict with writing. They
are encrypted under the system key, so erasing a child keeps who-saw-what.
"""

from __future__ import annotations

from uuid import UUID

from events.base import Record

ACTIONS = ("view", "print", "export", "search")
SIGN_IN_OUTCOMES = ("signed_in", "failed", "signed_out", "locked_out", "second_factor_failed")


class Access(Record):
    """Who saw which records of which children, how, why, and in which session."""

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
    ):
        self.user_id = user_id
        self.role = role
        self.unit_id = unit_id
        self.subject_ids = list(subject_ids)
        self.records = list(records)
        self.action = action
        self.reason = reason
        self.session = session


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
