"""The binder's case bank (seeds 001 and 002: «Caser»): resource-team cases
told again, anonymised, for training.

A case whose minutes are approved may be proposed for the binder by the one who
brought it or the meeting's leader. It is published only after a second person,
who did not write its text, confirms that the text identifies no one. Until then
the proposal is about the child and sealed under the child's key (erasing the
child shreds it). Once confirmed, the text becomes a binder page under the
system key with nothing that leads back: the proposal records that it was
published, not which page it became.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events.base import SubjectRecord
from events.errors import DomainError

STATES = ("proposed", "returned", "published", "withdrawn")
MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_COMMENT = 2_000


class InvalidCaseProposal(DomainError):
    """Raised when a proposal, or a step in it, breaks a rule."""


def check_text(title: str, text: str) -> None:
    if not title.strip():
        raise InvalidCaseProposal("case_proposal.title_required", "title")
    if len(title) > MAX_TITLE:
        raise InvalidCaseProposal("text.too_long", "title", max=MAX_TITLE)
    if not text.strip():
        raise InvalidCaseProposal("case_proposal.text_required", "text")
    if len(text) > MAX_TEXT:
        raise InvalidCaseProposal("text.too_long", "text", max=MAX_TEXT)


class CaseProposal(SubjectRecord):
    """One resource-team case proposed for the binder's «Caser», and its review."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, case_id: UUID, meeting_id: UUID, child_id: UUID, title: str, text: str, proposed_by: UUID):
        self.case_id = case_id
        self.meeting_id = meeting_id
        self.child_id = child_id
        self.title = title
        self.text = text
        self.proposed_by = proposed_by
        self.written_by = proposed_by  # who wrote the text as it stands: never its confirmer
        self.state = "proposed"
        self.comments: list[dict[str, Any]] = []
        self.confirmed_by: UUID | None = None

    @classmethod
    def new(cls, case_id: UUID, meeting_id: UUID, child_id: UUID, title: str, text: str,
            proposed_by: UUID) -> CaseProposal:
        check_text(title, text)
        return cls(case_id, meeting_id, child_id, title, text, proposed_by)

    @property
    def is_open(self) -> bool:
        return self.state in ("proposed", "returned")

    def _check_open(self) -> None:
        if not self.is_open:
            raise InvalidCaseProposal("case_proposal.closed")

    def return_to_proposer(self, comment: str, by: UUID) -> None:
        """The reviewer sends it back: what must change before she can confirm."""
        self._check_open()
        if self.state == "returned":
            raise InvalidCaseProposal("case_proposal.already_returned")
        if not comment.strip():
            raise InvalidCaseProposal("case_proposal.comment_required", "comment")
        if len(comment) > MAX_COMMENT:
            raise InvalidCaseProposal("text.too_long", "comment", max=MAX_COMMENT)
        if by == self.written_by:
            raise InvalidCaseProposal("case_proposal.own_text", "comment")
        self._returned(comment, by)

    @event("Returned")
    def _returned(self, comment: str, by: UUID) -> None:
        self.state = "returned"
        self.comments.append({"comment": comment, "by": by})

    def revise(self, title: str, text: str, by: UUID) -> None:
        self._check_open()
        if by != self.proposed_by:
            raise InvalidCaseProposal("case_proposal.proposer_only", "text")
        check_text(title, text)
        self._revised(title, text, by)

    @event("Revised")
    def _revised(self, title: str, text: str, by: UUID) -> None:
        self.title = title
        self.text = text
        self.written_by = by
        self.state = "proposed"

    def check_confirmable(self, by: UUID) -> None:
        self._check_open()
        if self.state == "returned":
            raise InvalidCaseProposal("case_proposal.waiting_for_revision")
        if by == self.written_by or by == self.proposed_by:
            raise InvalidCaseProposal("case_proposal.own_text", "confirmed")

    def publish(self, by: UUID) -> None:
        """Confirmed by `by` and published; the page it became is deliberately not recorded."""
        self.check_confirmable(by)
        self._published(by)

    @event("Published")
    def _published(self, by: UUID) -> None:
        self.state = "published"
        self.confirmed_by = by

    def withdraw(self, by: UUID) -> None:
        self._check_open()
        if by != self.proposed_by:
            raise InvalidCaseProposal("case_proposal.proposer_only")
        self._withdrawn(by)

    @event("Withdrawn")
    def _withdrawn(self, by: UUID) -> None:
        self.state = "withdrawn"
