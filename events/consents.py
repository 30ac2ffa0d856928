"""Guardians' consent (samtykke) to interdisciplinary cooperation about one child.

A consent covers services (not persons), categories of information, a purpose
and a period. Everyone with parental responsibility signs; the child too from 15
for the services where the law gives the child the say. Oral consent is valid
when minuted. Withdrawal, partial or full, takes effect at once. A refusal is
recorded too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events.base import SubjectRecord
from events.errors import DomainError

SERVICES = (
    "barnevern", "helsestasjon", "ppt", "bup", "fastlege", "skole", "barnehage", "sfo",
    "familievern", "psykisk_helse", "nav", "tannhelse",
)
INFORMATION = (
    "observations",  # observasjoner og bekymringer
    "action_plan",  # tiltak og evaluering
    "health",  # helseopplysninger
    "development",  # utvikling og læring
    "family",  # familiens situasjon
)
# Services where a child of 15 or more must also consent (the child's own say
# over health and child-welfare matters grows with age).
CHILD_CONSENTS_FROM_15 = ("barnevern", "ppt", "bup", "fastlege", "helsestasjon", "psykisk_helse")
EXPIRY_WARNING_DAYS = 30
MAX_MONTHS = 36


class InvalidConsent(DomainError):
    """Raised when a consent is incomplete or does not fit the child's guardians."""


# Why a consent does not cover a service on a day: code -> English text for logs.
# The web shows each in the user's language (intranet/labels.py).
REFUSALS: dict[str, str] = {
    "consent.refused": "consent was refused",
    "consent.service_not_covered": "the consent does not cover {service}",
    "consent.withdrawn": "the consent for {service} was withdrawn on {on}",
    "consent.not_yet_valid": "the consent is valid from {on}",
    "consent.expired": "the consent expired on {on}",
    "consent.none_recorded": "no consent is recorded for the child",
    # Not the consent's: a collaboration took the service out (events/collaborations.py).
    "collaboration.removed": "{service} was removed from the collaboration on {on}",
}


@dataclass(frozen=True)
class Refusal:
    """One reason a consent does not cover a service: its code and what it names."""

    code: str
    service: str = ""
    on: date | None = None


@dataclass(frozen=True)
class Coverage:
    """Whether a consent lets information go to a service on a day, and if not, why."""

    ok: bool
    refusals: tuple[Refusal, ...] = ()

    @classmethod
    def refused(cls, code: str, service: str = "", on: date | None = None) -> Coverage:
        return cls(False, (Refusal(code, service, on),))

    @property
    def reason(self) -> str:
        """Why not, in English, for logs."""
        return "; ".join(REFUSALS[r.code].format(service=r.service, on=r.on) for r in self.refusals)


NO_CONSENT = Coverage.refused("consent.none_recorded")


class Consent(SubjectRecord):
    """One consent (or refusal) for one child."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(
        self,
        child_id: UUID,
        unit_id: UUID,
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
    ):
        self.child_id = child_id
        self.unit_id = unit_id
        self.decision = decision
        self.services = list(services)
        self.information = list(information)
        self.purpose = purpose
        self.valid_from = valid_from
        self.valid_until = valid_until
        self.signatories = list(signatories)
        self.exclusions = exclusions
        self.oral = oral
        self.minutes = minutes
        self.recorded_by = recorded_by
        self.withdrawn: dict[str, date] = {}  # service -> from when
        self.withdrawals: list[dict[str, Any]] = []

    @staticmethod
    def check(
        decision: str,
        services: list[str],
        information: list[str],
        purpose: str,
        valid_from: date,
        valid_until: date,
        signatories: list[dict[str, Any]],
        oral: bool,
        minutes: str,
        required_signers: list[str],
        child_name: str,
        child_age: int,
    ) -> None:
        """The rules for a new consent; raises InvalidConsent naming what is missing."""
        if decision not in ("given", "refused"):
            raise InvalidConsent("consent.decision_unknown", "decision")
        if not services or any(s not in SERVICES for s in services):
            raise InvalidConsent("consent.services_required", "services")
        if decision == "refused":
            if not signatories:
                raise InvalidConsent("consent.refusers_required", "signers")
            return
        if not information or any(i not in INFORMATION for i in information):
            raise InvalidConsent("consent.information_required", "information")
        if not purpose.strip():
            raise InvalidConsent("consent.purpose_required", "purpose")
        if valid_until < valid_from:
            raise InvalidConsent("consent.period_reversed", "valid_until")
        if valid_until > valid_from + timedelta(days=31 * MAX_MONTHS):
            raise InvalidConsent("consent.period_too_long", "valid_until", months=MAX_MONTHS)
        signed = {s["name"].strip().casefold() for s in signatories}
        missing = [n for n in required_signers if n.strip().casefold() not in signed]
        child_signs = child_age >= 15 and any(s in CHILD_CONSENTS_FROM_15 for s in services)
        if child_signs and child_name.strip().casefold() not in signed:
            missing.append(child_name)
        if missing:
            code = "consent.signatures_missing_with_child" if child_signs else "consent.signatures_missing"
            raise InvalidConsent(code, "signers", names=missing)
        if oral and not minutes.strip():
            raise InvalidConsent("consent.oral_without_minutes", "minutes")

    # -- queries ---------------------------------------------------------------------
    def covers(self, service: str, on: date) -> Coverage:
        """May information go to `service` on day `on` under this consent?"""
        if self.decision == "refused":
            return Coverage.refused("consent.refused")
        if service not in self.services:
            return Coverage.refused("consent.service_not_covered", service)
        withdrawn_on = self.withdrawn.get(service)
        if withdrawn_on is not None and withdrawn_on <= on:
            return Coverage.refused("consent.withdrawn", service, withdrawn_on)
        if on < self.valid_from:
            return Coverage.refused("consent.not_yet_valid", service, self.valid_from)
        if on > self.valid_until:
            return Coverage.refused("consent.expired", service, self.valid_until)
        return Coverage(True)

    def services_valid_on(self, on: date) -> list[str]:
        return [s for s in self.services if self.covers(s, on).ok]

    def expires_soon(self, on: date) -> bool:
        return bool(self.services_valid_on(on)) and (self.valid_until - on).days <= EXPIRY_WARNING_DAYS

    # -- withdrawal ------------------------------------------------------------------------
    def withdraw(self, services: list[str], reason: str, on: date, by: UUID) -> None:
        """Withdraw the consent for some services (or all): effective at once."""
        if self.decision != "given":
            raise InvalidConsent("consent.not_given", "services")
        targets = services or [s for s in self.services if s not in self.withdrawn]
        if not targets or any(s not in self.services or s in self.withdrawn for s in targets):
            raise InvalidConsent("consent.withdrawal_services", "services")
        if not reason.strip():
            raise InvalidConsent("consent.withdrawal_reason_required", "reason")
        self._withdrawn(targets, reason, on, by)

    @event("Withdrawn")
    def _withdrawn(self, services: list[str], reason: str, on: date, by: UUID) -> None:
        for service in services:
            self.withdrawn[service] = on
        self.withdrawals.append({"services": list(services), "reason": reason, "on": on, "by": by})


def best_consent_for(consents: list[Consent], service: str, on: date) -> tuple[Consent | None, Coverage]:
    """The consent that covers `service` on `on`, or the most telling refusal reason."""
    if not consents:
        return None, NO_CONSENT
    refusals: list[Refusal] = []
    for consent in sorted(consents, key=lambda c: c.valid_until, reverse=True):
        coverage = consent.covers(service, on)
        if coverage.ok:
            return consent, coverage
        refusals.extend(coverage.refusals)
    return None, Coverage(False, tuple(dict.fromkeys(refusals)))
