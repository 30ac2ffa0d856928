"""Commands for the binder's case bank, mixed into the one application."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from uuid import UUID

from events.anonymisation import anonymise
from events.binder import BinderPage
from events.case_bank import CaseProposal, InvalidCaseProposal
from events.commands import CommandMixin
from events.meeting_commands import people_of


class CaseBankCommands(CommandMixin):
    def draft_case_text(self, case_id: UUID, local_names: Iterable[str] = ()) -> str:
        """The proposal's starting point: the case as brought and the team's advice,
        anonymised once more (a named case never gets this far)."""
        case = self.get_meeting_case(case_id)
        child = self.get_child(case.child_id)
        text = case.text + ("\n\nRåd fra ressursteamet: " + case.advice_redacted if case.advice_redacted else "")
        return anonymise(text, people_of(child), local_names).text

    def propose_case(self, case_id: UUID, title: str, text: str, by: UUID, local_names: Iterable[str] = ()) -> UUID:
        case = self.get_meeting_case(case_id)
        if case.mode != "anonymous":
            raise InvalidCaseProposal("case_proposal.named_case")
        if not self.get_meeting(case.meeting_id).minutes_approved:
            raise InvalidCaseProposal("case_proposal.minutes_not_approved")
        proposal = CaseProposal.new(case.id, case.meeting_id, case.child_id, title, text, by)
        self._check_identifies_no_one(proposal, title, text, local_names)
        self.save(proposal)
        return proposal.id

    def get_case_proposal(self, proposal_id: UUID) -> CaseProposal:
        return self._get(CaseProposal, proposal_id)

    def revise_case_proposal(self, proposal_id: UUID, title: str, text: str, by: UUID,
                             local_names: Iterable[str] = ()) -> None:
        proposal = self.get_case_proposal(proposal_id)
        proposal.revise(title, text, by)
        self._check_identifies_no_one(proposal, title, text, local_names)
        self.save(proposal)

    def return_case_proposal(self, proposal_id: UUID, comment: str, by: UUID) -> None:
        proposal = self.get_case_proposal(proposal_id)
        proposal.return_to_proposer(comment, by)
        self.save(proposal)

    def withdraw_case_proposal(self, proposal_id: UUID, by: UUID) -> None:
        proposal = self.get_case_proposal(proposal_id)
        proposal.withdraw(by)
        self.save(proposal)

    def confirm_case_proposal(self, proposal_id: UUID, by: UUID, local_names: Iterable[str] = ()) -> str:
        """The second person's confirmation: the proposal is published as a new page of
        «Caser», in one save with the page; returns the page's slug (for the redirect only)."""
        proposal = self.get_case_proposal(proposal_id)
        proposal.check_confirmable(by)
        self._check_identifies_no_one(proposal, proposal.title, proposal.text, local_names)
        page = BinderPage.new(f"case-{secrets.token_hex(5)}", "case", proposal.title, proposal.text)
        page.publish()
        proposal.publish(by)
        self.save(proposal, page)
        return page.slug

    def _check_identifies_no_one(self, proposal: CaseProposal, title: str, text: str,
                                 local_names: Iterable[str]) -> None:
        """What the anonymiser would still replace (a name of the family, a date, the unit,
        a place) is refused, and named, before anything is stored."""
        child = self.get_child(proposal.child_id)
        found = anonymise(f"{title}\n{text}", people_of(child), local_names).replacements
        if found:
            raise InvalidCaseProposal("case_proposal.identifies", "text",
                                      words=sorted({original for original, _ in found}))
