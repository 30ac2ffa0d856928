"""Commands on consents and referrals, mixed into the one application.

A child's consents are listed in a `ConsentRegister` (one per child, saved in
the same transaction as each consent), so the consent gate on a referral needs
no read model: the domain finds every consent itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import event

from events.base import SubjectRecord, apply_events
from events import bekymringsmelding
from events.consents import Consent, best_consent_for
from events.referrals import Referral
from events.commands import CommandMixin


class ConsentRegister(SubjectRecord):
    """The ids of every consent recorded for one child."""

    @staticmethod
    def create_id(child_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"bekymring:consents:{child_id}")

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, child_id: UUID):
        self.child_id = child_id
        self.consent_ids: list[UUID] = []

    @event("ConsentAdded")
    def add(self, consent_id: UUID) -> None:
        self.consent_ids.append(consent_id)


class ReferralCommands(CommandMixin):
    # -- consents --------------------------------------------------------------------------
    def record_consent(
        self,
        child_id: UUID,
        decision: str,
        services: list[str],
        information: list[str],
        purpose: str,
        valid_from: date,
        valid_until: date,
        signatories: list[dict[str, Any]],
        exclusions: str,
        oral: bool,
        minutes: str,
        recorded_by: UUID,
    ) -> UUID:
        child = self.get_child(child_id)
        Consent.check(
            decision, services, information, purpose, valid_from, valid_until, signatories,
            oral, minutes,
            required_signers=[g["name"] for g in child.guardians_with_responsibility],
            child_name=child.name,
            child_age=child.age_on(valid_from),
        )
        consent = Consent(
            child_id, child.unit_id, decision, services, information, purpose, valid_from,
            valid_until, signatories, exclusions, oral, minutes, recorded_by,
        )
        register = self._consent_register(child_id)
        register.add(consent.id)
        self.save(consent, register)
        return consent.id

    def _consent_register(self, child_id: UUID) -> ConsentRegister:
        try:
            return self.repository.get(
                ConsentRegister.create_id(child_id), projector_func=apply_events)
        except AggregateNotFoundError:  # the child's first consent
            return ConsentRegister(child_id=child_id)

    def get_consent(self, consent_id: UUID) -> Consent:
        return self._get(Consent, consent_id)

    def consents_of(self, child_id: UUID) -> list[Consent]:
        register = self._consent_register(child_id)
        return [self.get_consent(i) for i in register.consent_ids]

    def withdraw_consent(self, consent_id: UUID, services: list[str], reason: str, on: date, by: UUID) -> None:
        consent = self.get_consent(consent_id)
        consent.withdraw(services, reason, on, by)
        self.save(consent)

    # -- referrals -------------------------------------------------------------------------
    def open_referral(self, concern_id: UUID, kind: str, author_id: UUID, fields: dict[str, Any]) -> UUID:
        concern = self.get_concern(concern_id)
        referral = Referral.new(concern.child_id, concern.id, concern.unit_id, kind, author_id, fields)
        self.save(referral)
        return referral.id

    def draft_referral(self, concern_id: UUID, kind: str, author_id: UUID) -> UUID:
        """Start a report or referral from a concern, filled in from its record."""
        concern = self.get_concern(concern_id)
        return self.open_referral(concern_id, kind, author_id, self._prefilled(concern, author_id, kind))

    def _prefilled(self, concern, author_id: UUID, kind: str) -> dict[str, Any]:
        """What the record already says. This is the document's text, for a
        Norwegian recipient: it stays in Norwegian whatever the interface language."""
        child = self.get_child(concern.child_id)
        author = self.get_user(author_id)
        if kind == "barnevern":
            return bekymringsmelding.draft_fields(concern, child, author, self.get_unit(concern.unit_id))
        history = "\n".join(f"{e['observed_on']:%d.%m.%Y}: {e['text']}" for e in concern.entries)
        return {
            "reason": concern.entries[0]["text"], "history": history,
            "tried": "\n".join(f"{m['measure']} ({m['outcome'] or 'ikke evaluert'})" for m in concern.measures),
            "guardians_view": "\n".join(t["summary"] for t in concern.talks), "child_view": "",
        }

    def get_referral(self, referral_id: UUID) -> Referral:
        return self._get(Referral, referral_id)

    def report_document(self, referral_id: UUID, at: datetime) -> dict[str, Any]:
        """A report to barnevernet in KS' format (offentlig.bekymringsmelding.v2), as of `at`;
        `bekymringsmelding.problems` says whether it is complete."""
        referral = self.get_referral(referral_id)
        return bekymringsmelding.build(referral, self.get_child(referral.child_id),
                                       self.get_unit(referral.unit_id), self.municipality(), at)

    def update_referral(self, referral_id: UUID, fields: dict[str, Any]) -> None:
        referral = self.get_referral(referral_id)
        referral.update_draft(fields)
        self.save(referral)

    def send_referral(self, referral_id: UUID, on: date, channel: str) -> None:
        """Send a referral; for PPT and BUP the aggregate checks the child's consents."""
        referral = self.get_referral(referral_id)
        coverage, consent_id = None, None
        if referral.needs_consent:
            consent, coverage = best_consent_for(self.consents_of(referral.child_id), referral.kind, on)
            consent_id = consent.id if consent else None
        referral.send(on, channel, coverage, consent_id)
        self.save(referral)

    def confirm_referral_receipt(self, referral_id: UUID, on: date) -> None:
        referral = self.get_referral(referral_id)
        referral.confirm_receipt(on)
        self.save(referral)

    def record_referral_feedback(self, referral_id: UUID, on: date, opened: bool | None, feedback: str) -> None:
        referral = self.get_referral(referral_id)
        referral.record_feedback(on, opened, feedback)
        self.save(referral)

    def close_referral(self, referral_id: UUID, reason: str) -> None:
        referral = self.get_referral(referral_id)
        referral.close(reason)
        self.save(referral)
