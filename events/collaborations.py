"""Interdisciplinary collaboration (tverrfaglig samarbeid) around one child.

When a unit cannot help a child alone (BTI level 2 or 3, or earlier when the
guardians ask), its leader opens a collaboration from the concern: member
services work on one plan, led by one coordinator (stafettholder), with the
guardians and the child as participants (not users). The legal basis is the
guardians' consent, scoped to services and kinds of information; barnevernet
takes part on its own statutory basis. Whether a service may see the
collaboration today is the consent's say at each request (events/policy.py);
this record keeps only what was decided and done.

The rules are checked in the methods that raise, never in the event bodies, so
stored events always replay.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from events.base import SubjectRecord
from events.consents import INFORMATION, SERVICES, Consent
from events.errors import DomainError

# Services that take part on their own statutory basis, not on the consent
# (barnevernloven: barnevernet's duty to investigate and help).
STATUTORY_SERVICES = ("barnevern",)
# The kind of information a collaboration always shares: its plan.
PLAN_INFORMATION = "action_plan"
OPEN_AT_LEVELS = (2, 3)
DECISIONS = ("continue", "change", "end")  # after an evaluation
CLOSING_REASONS = ("goals_reached", "individual_plan", "consent_withdrawn", "child_moved")
# The plan's status: drafted, then active, under evaluation (and back), ended when
# the collaboration closes. The first three are set by hand; "ended" only by closing.
PLAN_STATUSES = ("draft", "active", "evaluation", "ended")
SETTABLE_PLAN_STATUSES = ("draft", "active", "evaluation")
# Why a member service's access ended, in the Coverage shape the consent's refusals have.
REMOVED = "collaboration.removed"
MAX_TEXT = 20_000


class InvalidCollaboration(DomainError):
    """Raised when a collaboration, or a step in it, breaks a rule."""


def _text(value: str, field: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidCollaboration("text.required", field)
    if len(value) > MAX_TEXT:
        raise InvalidCollaboration("text.too_long", field, max=MAX_TEXT)
    return value


def check_covered(consent: Consent, services: list[str], information: list[str], on: date) -> None:
    """The consent must cover every member service (but barnevernet) and every kind
    of information shared, on `on`; raises naming the first service not covered."""
    if not information or any(i not in INFORMATION for i in information):
        raise InvalidCollaboration("collaboration.information_required", "information")
    if PLAN_INFORMATION not in information:
        raise InvalidCollaboration("collaboration.plan_not_shared", "information")
    not_consented = [i for i in information if i not in consent.information]
    if consent.decision == "given" and not_consented:
        raise InvalidCollaboration("collaboration.information_not_covered", "information", information=not_consented)
    for service in services:
        if service in STATUTORY_SERVICES:
            continue
        coverage = consent.covers(service, on)
        if not coverage.ok:
            raise InvalidCollaboration("collaboration.consent_missing", "services", service=service,
                                       refusals=coverage.refusals)


class Collaboration(SubjectRecord):
    """One child's collaboration across services: members, coordinator, plan, history."""

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        return kwargs["child_id"]

    def __init__(self, child_id: UUID, unit_id: UUID, concern_id: UUID, consent_id: UUID, opened_by: UUID,
                 coordinator_id: UUID, members: list[dict[str, Any]], information: list[str], guardians: list[str],
                 child_takes_part: bool, early_reason: str, opened_on: date):
        # Applies the Created event: the rules are checked in `new`.
        self.child_id = child_id
        self.unit_id = unit_id  # the opening unit (the child's, by its concern)
        self.concern_id = concern_id
        self.consent_id = consent_id
        self.opened_by = opened_by
        self.coordinator_id = coordinator_id
        # Member services: {"service": code, "unit_id": a unit of the directory of that
        # kind, or None for the municipality's resource team of the service}.
        self.members = [dict(m) for m in members]
        self.information = list(information)
        self.guardians = list(guardians)
        self.child_takes_part = child_takes_part
        self.early_reason = early_reason  # why before level 2: the guardians asked
        self.opened_on = opened_on
        self.goals: list[dict[str, Any]] = []  # "what should be better for the child", in the family's words
        self.measures: list[dict[str, Any]] = []
        # The coordinator role's history: who, from when; a handover waits for acceptance.
        self.coordinators: list[dict[str, Any]] = [{"user_id": coordinator_id, "from": opened_on}]
        self.handover: dict[str, Any] | None = None
        self.status = "open"
        self.closing: dict[str, Any] | None = None
        self.plan_status = "draft"
        self.plan_statuses: list[dict[str, Any]] = []  # the history: status, on, by
        # Logbook entries of the concern shared into the collaboration, by entry number:
        # {"no", "information", "on", "by"}; unsharing removes one (its events stay).
        self.shared_entries: list[dict[str, Any]] = []

    @classmethod
    def new(cls, child_id: UUID, unit_id: UUID, concern_id: UUID, concern_level: int, consent: Consent,
            opened_by: UUID, coordinator_id: UUID, members: list[tuple[str, UUID | None]], information: list[str],
            guardians: list[str], child_takes_part: bool, early_reason: str, today: date) -> Collaboration:
        """`members`: (service, unit id or None), each unit already checked to be of its service's kind."""
        members = list(dict.fromkeys(members))
        services = list(dict.fromkeys(s for s, _ in members))
        if not services or any(s not in SERVICES for s in services) or any(u == unit_id for _, u in members):
            raise InvalidCollaboration("collaboration.services_required", "services")
        if concern_level not in OPEN_AT_LEVELS and not early_reason.strip():
            raise InvalidCollaboration("collaboration.level_too_low", "early_reason")
        _text(early_reason, "early_reason", required=False)
        if consent.child_id != child_id:
            raise InvalidCollaboration("collaboration.consent_of_other_child", "consent_id")
        check_covered(consent, services, information, today)
        return cls(child_id, unit_id, concern_id, consent.id, opened_by, coordinator_id,
                   [{"service": s, "unit_id": u} for s, u in members],
                   list(dict.fromkeys(information)), [g.strip() for g in guardians if g.strip()],
                   child_takes_part, early_reason.strip(), today)

    # -- queries -------------------------------------------------------------------------
    @property
    def services(self) -> list[str]:
        """Every service that has been a member (a removed one too: its measures stay)."""
        return list(dict.fromkeys(m["service"] for m in self.members))

    @property
    def current_members(self) -> list[dict[str, Any]]:
        return [m for m in self.members if not m.get("removed_on")]

    @property
    def current_services(self) -> list[str]:
        return list(dict.fromkeys(m["service"] for m in self.current_members))

    def shared_entry(self, no: int) -> dict[str, Any] | None:
        return next((e for e in self.shared_entries if e["no"] == no), None)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def shares(self, information: str) -> bool:
        return information in self.information

    def evaluations_due(self, on: date) -> list[dict[str, Any]]:
        return [m for m in self.measures if m["status"] == "active" and m["evaluate_on"] <= on]

    def check_is_open(self) -> None:
        if not self.is_open:
            raise InvalidCollaboration("collaboration.closed")

    # -- the plan --------------------------------------------------------------------------
    def add_goal(self, text: str, by: UUID) -> None:
        self.check_is_open()
        self._goal_added(_text(text, "goal"), by)

    @event("GoalAdded")
    def _goal_added(self, text: str, by: UUID) -> None:
        self.goals.append({"no": len(self.goals) + 1, "text": text, "by": by})

    def add_measure(self, what: str, service: str, responsible: str, starts_on: date, deadline: date,
                    evaluate_on: date, by: UUID, goal: int | None = None) -> None:
        """A measure, towards one of the plan's goals if it names one (`goal`: its number)."""
        self.check_is_open()
        if goal is not None and not 1 <= goal <= len(self.goals):
            raise InvalidCollaboration("collaboration.no_such_goal", "goal")
        what = _text(what, "what")
        responsible = _text(responsible, "responsible")
        if service not in self.current_services and service not in ("", "own_unit"):
            raise InvalidCollaboration("collaboration.service_not_member", "service")
        if deadline < starts_on:
            raise InvalidCollaboration("collaboration.deadline_before_start", "deadline")
        if evaluate_on < starts_on:
            raise InvalidCollaboration("collaboration.evaluation_before_start", "evaluate_on")
        self._measure_added(what, service or "own_unit", responsible, starts_on, deadline, evaluate_on, by, goal)

    @event("MeasureAdded")
    def _measure_added(self, what: str, service: str, responsible: str, starts_on: date, deadline: date,
                       evaluate_on: date, by: UUID, goal: int | None = None) -> None:
        self.measures.append({"no": len(self.measures) + 1, "goal": goal, "what": what, "service": service,
                              "responsible": responsible, "starts_on": starts_on, "deadline": deadline,
                              "evaluate_on": evaluate_on, "by": by, "status": "active", "evaluations": []})

    def evaluate_measure(self, no: int, evaluated_on: date, what_happened: str, guardians_view: str,
                         child_view: str, decision: str, next_evaluation: date | None, today: date,
                         by: UUID) -> None:
        """What happened, the guardians' and the child's view, and continue, change or end."""
        self.check_is_open()
        measure = self._measure(no)
        if measure["status"] != "active":
            raise InvalidCollaboration("collaboration.measure_ended")
        if evaluated_on > today:
            raise InvalidCollaboration("date.in_future", "evaluated_on")
        what_happened = _text(what_happened, "what_happened")
        guardians_view = _text(guardians_view, "guardians_view", required=False)
        child_view = _text(child_view, "child_view", required=False)
        if decision not in DECISIONS:
            raise InvalidCollaboration("collaboration.decision_required", "decision")
        if decision != "end" and (next_evaluation is None or next_evaluation <= evaluated_on):
            raise InvalidCollaboration("collaboration.next_evaluation_required", "next_evaluation")
        self._measure_evaluated(no, evaluated_on, what_happened, guardians_view, child_view, decision,
                                next_evaluation if decision != "end" else None, by)

    @event("MeasureEvaluated")
    def _measure_evaluated(self, no: int, evaluated_on: date, what_happened: str, guardians_view: str,
                           child_view: str, decision: str, next_evaluation: date | None, by: UUID) -> None:
        measure = self.measures[no - 1]
        measure["evaluations"].append({"evaluated_on": evaluated_on, "what_happened": what_happened,
                                       "guardians_view": guardians_view, "child_view": child_view,
                                       "decision": decision, "by": by})
        if decision == "end":
            measure["status"] = "ended"
        else:
            measure["evaluate_on"] = next_evaluation

    def _measure(self, no: int) -> dict[str, Any]:
        if not 1 <= no <= len(self.measures):
            raise InvalidCollaboration("collaboration.no_such_measure")
        return self.measures[no - 1]

    # -- the coordinator (stafettholder) ------------------------------------------------------
    def propose_handover(self, to_user_id: UUID, on: date, by: UUID) -> None:
        """Hand the coordinator role on: it passes when the person proposed accepts."""
        self.check_is_open()
        if to_user_id == self.coordinator_id:
            raise InvalidCollaboration("collaboration.already_coordinator", "to_user_id")
        self._handover_proposed(to_user_id, on, by)

    @event("HandoverProposed")
    def _handover_proposed(self, to_user_id: UUID, on: date, by: UUID) -> None:
        self.handover = {"to": to_user_id, "proposed_on": on, "by": by}

    def accept_handover(self, on: date, by: UUID) -> None:
        self.check_is_open()
        if self.handover is None or self.handover["to"] != by:
            raise InvalidCollaboration("collaboration.no_handover_for_you")
        self._handover_accepted(on, by)

    @event("HandoverAccepted")
    def _handover_accepted(self, on: date, by: UUID) -> None:
        self.coordinator_id = by
        self.coordinators.append({"user_id": by, "from": on, "proposed_on": self.handover["proposed_on"],
                                  "proposed_by": self.handover["by"]})
        self.handover = None

    # -- the plan's status --------------------------------------------------------------------
    def set_plan_status(self, status: str, on: date, by: UUID) -> None:
        """Drafted, active or under evaluation; a plan is active only with a goal and a measure."""
        self.check_is_open()
        if status not in SETTABLE_PLAN_STATUSES:
            raise InvalidCollaboration("collaboration.plan_status_unknown", "plan_status")
        if status == self.plan_status:
            raise InvalidCollaboration("collaboration.plan_status_unchanged", "plan_status")
        if status != "draft" and not (self.goals and self.measures):
            raise InvalidCollaboration("collaboration.plan_incomplete", "plan_status")
        self._plan_status_set(status, on, by)

    @event("PlanStatusSet")
    def _plan_status_set(self, status: str, on: date, by: UUID) -> None:
        self.plan_status = status
        self.plan_statuses.append({"status": status, "on": on, "by": by})

    # -- members -----------------------------------------------------------------------------
    def remove_member(self, service: str, unit_id: UUID | None, reason: str, on: date, by: UUID,
                      handover_lapses: bool = False) -> None:
        """Take a member service out: its access ends at its next request. The last
        member is not removed: the collaboration is closed instead. A handover
        proposed to someone of that service lapses with it (`handover_lapses`)."""
        self.check_is_open()
        member = next((m for m in self.current_members if m["service"] == service and m["unit_id"] == unit_id),
                      None)
        if member is None:
            raise InvalidCollaboration("collaboration.not_a_member", "member")
        if len(self.current_members) == 1:
            raise InvalidCollaboration("collaboration.last_member", "member")
        self._member_removed(service, unit_id, _text(reason, "removal_reason"), on, by,
                             handover_lapses and self.handover is not None)

    @event("MemberRemoved")
    def _member_removed(self, service: str, unit_id: UUID | None, reason: str, on: date, by: UUID,
                        handover_lapsed: bool = False) -> None:
        for m in self.members:
            if m["service"] == service and m["unit_id"] == unit_id and not m.get("removed_on"):
                m.update(removed_on=on, removed_by=by, removal_reason=reason)
        if handover_lapsed:
            self.handover = None

    # -- the concern's logbook, shared entry by entry ---------------------------------------------
    def share_entry(self, no: int, information: str, consent: Consent, entries: int, on: date, by: UUID) -> None:
        """Share the concern's logbook entry `no` (of `entries`) as `information`:
        only a kind the collaboration shares and the consent covers."""
        self.check_is_open()
        if not 1 <= no <= entries:
            raise InvalidCollaboration("collaboration.no_such_entry", "entry")
        if self.shared_entry(no):
            raise InvalidCollaboration("collaboration.entry_already_shared", "entry")
        if information == PLAN_INFORMATION or information not in self.information:
            raise InvalidCollaboration("collaboration.information_not_shared", "information")
        if consent.decision != "given" or information not in consent.information:
            raise InvalidCollaboration("collaboration.information_not_covered", "information",
                                       information=[information])
        self._entry_shared(no, information, on, by)

    @event("EntryShared")
    def _entry_shared(self, no: int, information: str, on: date, by: UUID) -> None:
        self.shared_entries.append({"no": no, "information": information, "on": on, "by": by})

    def unshare_entry(self, no: int, on: date, by: UUID) -> None:
        if not self.shared_entry(no):
            raise InvalidCollaboration("collaboration.entry_not_shared", "entry")
        self._entry_unshared(no, on, by)

    @event("EntryUnshared")
    def _entry_unshared(self, no: int, on: date, by: UUID) -> None:
        self.shared_entries = [e for e in self.shared_entries if e["no"] != no]

    # -- ending ------------------------------------------------------------------------------
    def close(self, reason: str, summary: str, on: date, by: UUID, plan_coordinator: str = "") -> None:
        """With a closing summary; into an individuell plan, naming who coordinates it
        (the hand-off: the plan as it stands when closed, which the print page shows)."""
        self.check_is_open()
        if reason not in CLOSING_REASONS:
            raise InvalidCollaboration("collaboration.closing_reason_required", "reason")
        summary = _text(summary, "summary")
        plan_coordinator = _text(plan_coordinator, "plan_coordinator", required=reason == "individual_plan")
        self._closed(reason, summary, on, by, plan_coordinator if reason == "individual_plan" else "")

    @event("Closed")
    def _closed(self, reason: str, summary: str, on: date, by: UUID, plan_coordinator: str = "") -> None:
        self.status = "closed"
        self.closing = {"reason": reason, "summary": summary, "on": on, "by": by,
                        "plan_coordinator": plan_coordinator}
        self.plan_status = "ended"


def member_coverage(collaboration: Collaboration, consent: Consent, on: date) -> list[tuple[dict[str, Any], Any]]:
    """Each member (a removed one too) with its Coverage on `on`: a removed member's
    ends with its removal, whatever the consent says."""
    from events.consents import Coverage

    coverage = coverage_on(collaboration, consent, on)
    return [(m, Coverage.refused(REMOVED, m["service"], m["removed_on"]) if m.get("removed_on")
             else coverage[m["service"]]) for m in collaboration.members]


def coverage_on(collaboration: Collaboration, consent: Consent, on: date) -> dict[str, Any]:
    """Each member service -> its Coverage on `on`: the consent's, or always for a
    service on its statutory basis. A closed collaboration admits no one new to act,
    but its record stays readable to those admitted."""
    from events.consents import Coverage

    return {s: Coverage(True) if s in STATUTORY_SERVICES else consent.covers(s, on) for s in collaboration.services}
