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

import re
from datetime import date, timedelta
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
MAX_TEXT = 20_000
PLAN_STATUSES = ("draft", "agreed", "under_review")  # being made, agreed with the family, being revised
PLAN_ENDED = "ended"  # not chosen: the plan ends when the collaboration closes
# Why a member service's access ended, in the Coverage shape the consent's refusals have.
REMOVED = "collaboration.removed"
OWN_UNIT = "own_unit"  # the opening unit, as a member of the group beside the services
MEETING_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
MEETINGS_A_YEAR = 2  # the ansvarsgruppe meets spring and autumn


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
        self.consent_id = consent_id  # the current consent: the basis of every access from its day on
        # Each consent the collaboration has rested on, from which day: the earlier
        # ones stay the basis of the accesses made under them.
        self.consents: list[dict[str, Any]] = [{"consent_id": consent_id, "from": opened_on}]
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
        # The ansvarsgruppe: a named person per member where known, the guardians'
        # chosen contact person (its history, the latest last), the meetings.
        self.plan_status = "draft"
        self.group: dict[str, str] = {}
        self.contacts: list[dict[str, Any]] = []
        self.meetings: list[dict[str, Any]] = []
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
    def current_members(self) -> list[dict[str, Any]]:
        """The members not taken out. A service taken out and admitted again is two
        entries: the one taken out (its history) and the one admitted again."""
        return [m for m in self.members if not m.get("removed_on")]

    @property
    def current_services(self) -> list[str]:
        return list(dict.fromkeys(m["service"] for m in self.current_members))

    def shared_entry(self, no: int) -> dict[str, Any] | None:
        return next((e for e in self.shared_entries if e["no"] == no), None)

    @property
    def services(self) -> list[str]:
        """Every service that has been a member (a removed one too: its measures stay)."""
        return list(dict.fromkeys(m["service"] for m in self.members))

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

    # -- the ansvarsgruppe: members, contact person, meetings -------------------------------------
    @property
    def group_services(self) -> list[str]:
        """The group's members that are services: the opening unit, then each member service."""
        return [OWN_UNIT, *self.current_services]

    @property
    def group_members(self) -> list[dict[str, str]]:
        """Each member service with its named person ("" where not known). The
        guardians (and the child) take part as participants, not as users."""
        return [{"service": s, "person": self.group.get(s, "")} for s in self.group_services]

    @property
    def contact(self) -> dict[str, Any] | None:
        """The guardians' chosen contact person today."""
        return self.contacts[-1] if self.contacts else None

    @property
    def next_meeting(self) -> dict[str, Any] | None:
        """The earliest meeting planned and not yet minuted (its day may have passed)."""
        planned = [m for m in self.meetings if m["status"] == "planned"]
        return min(planned, key=lambda m: (m["on"], m["at"])) if planned else None

    def meetings_held(self, on: date) -> int:
        """Meetings minuted as held in the 12 months up to `on`."""
        return sum(1 for m in self.meetings if m["status"] == "held" and on - timedelta(days=365) < m["on"] <= on)

    def meeting_warnings(self, on: date) -> list[str]:
        """What the group lacks on day `on`, by code: no meeting planned, the minutes of
        a meeting whose day has passed, fewer than two meetings in the last 12 months
        (in the first year: one after six months)."""
        if not self.is_open:
            return []
        warnings = []
        following = self.next_meeting
        if following is None:
            warnings.append("no_next_meeting")
        elif following["on"] < on:
            warnings.append("minutes_missing")
        age = (on - self.opened_on).days
        expected = MEETINGS_A_YEAR if age >= 365 else MEETINGS_A_YEAR * age // 365
        if self.meetings_held(on) < expected:
            warnings.append("too_few_meetings")
        return warnings

    def _check_in_group(self, service: str, field: str) -> None:
        if service not in self.group_services:
            raise InvalidCollaboration("collaboration.not_in_group", field)

    def name_group_member(self, service: str, person: str, by: UUID) -> None:
        """Who comes for a member service ("": not known)."""
        self.check_is_open()
        self._check_in_group(service, "service")
        self._group_member_named(service, _text(person, "person", required=False), by)

    @event("GroupMemberNamed")
    def _group_member_named(self, service: str, person: str, by: UUID) -> None:
        self.group[service] = person

    def choose_contact(self, service: str, person: str, chosen_on: date, today: date, by: UUID) -> None:
        """The contact person the guardians chose among the group, from `chosen_on`."""
        self.check_is_open()
        self._check_in_group(service, "contact_service")
        person = _text(person, "contact_person")
        if chosen_on > today:
            raise InvalidCollaboration("date.in_future", "chosen_on")
        self._contact_chosen(service, person, chosen_on, by)

    @event("ContactChosen")
    def _contact_chosen(self, service: str, person: str, chosen_on: date, by: UUID) -> None:
        self.contacts.append({"service": service, "person": person, "chosen_on": chosen_on, "by": by})

    def change_plan_status(self, status: str, by: UUID) -> None:
        self.check_is_open()
        if status not in PLAN_STATUSES:
            raise InvalidCollaboration("collaboration.plan_status_unknown", "plan_status")
        self._plan_status_changed(status, by)

    @event("PlanStatusChanged")
    def _plan_status_changed(self, status: str, by: UUID) -> None:
        self.plan_status = status

    @staticmethod
    def _check_meeting_time(on: date, at: str, place: str, today: date, prefix: str = "") -> tuple[str, str]:
        """(time, place) checked; the fields named with `prefix` (the next meeting's in the minutes)."""
        if on < today:
            raise InvalidCollaboration("collaboration.meeting_in_past", prefix + "on")
        at = at.strip()
        if not MEETING_TIME.match(at):
            raise InvalidCollaboration("collaboration.time_invalid", prefix + "at")
        return at, _text(place, prefix + "place")

    def plan_meeting(self, on: date, at: str, place: str, today: date, by: UUID) -> None:
        """Convene the group: a day, a time (hh:mm) and a place."""
        self.check_is_open()
        at, place = self._check_meeting_time(on, at, place, today)
        self._meeting_planned(on, at, place, by)

    @event("MeetingPlanned")
    def _meeting_planned(self, on: date, at: str, place: str, by: UUID, proposed_at: int | None = None) -> None:
        self.meetings.append({"no": len(self.meetings) + 1, "on": on, "at": at, "place": place, "planned_by": by,
                              "proposed_at": proposed_at, "status": "planned"})

    def minute_meeting(self, no: int, attendees: list[str], guardians_present: bool, minutes: str, today: date,
                       by: UUID, goal: str = "", measure: dict[str, Any] | None = None,
                       evaluation: dict[str, Any] | None = None, plan_status: str = "",
                       next_meeting: tuple[date, str, str] | None = None) -> None:
        """The minutes of a meeting held: who came, what was said, and how the plan
        changes (a goal, a measure, an evaluation, the plan's status), each as the
        collaboration's own event; the next meeting proposed unless one is planned.
        A refusal anywhere leaves nothing changed: the application saves only after."""
        self.check_is_open()
        if not 1 <= no <= len(self.meetings):
            raise InvalidCollaboration("collaboration.no_such_meeting")
        meeting = self.meetings[no - 1]
        if meeting["status"] != "planned":
            raise InvalidCollaboration("collaboration.meeting_minuted")
        if meeting["on"] > today:
            raise InvalidCollaboration("collaboration.meeting_not_held_yet")
        attendees = list(dict.fromkeys(attendees))
        if not attendees:
            raise InvalidCollaboration("collaboration.attendees_required", "attendees")
        for service in attendees:
            self._check_in_group(service, "attendees")
        minutes = _text(minutes, "minutes")
        following = None
        if next_meeting is not None:
            on, at, place = next_meeting
            following = (on, *self._check_meeting_time(on, at, place, today + timedelta(days=1), "next_"))
        elif not any(m["status"] == "planned" and m["no"] != no for m in self.meetings):
            raise InvalidCollaboration("collaboration.next_meeting_required", "next_on")
        if plan_status and plan_status not in PLAN_STATUSES:
            raise InvalidCollaboration("collaboration.plan_status_unknown", "plan_status")
        changes: dict[str, Any] = {}
        if goal.strip():
            try:
                self.add_goal(goal, by)
            except InvalidCollaboration as e:  # the minutes' field for the goal's text
                raise InvalidCollaboration(e.code, "new_goal", **e.params) from e
            changes["goal"] = len(self.goals)
        if measure is not None:
            self.add_measure(by=by, **measure)
            changes["measure"] = len(self.measures)
        if evaluation is not None:
            self.evaluate_measure(today=today, by=by, **evaluation)
            changes["evaluation"] = evaluation["no"]
        if plan_status and plan_status != self.plan_status:
            self.change_plan_status(plan_status, by)
            changes["plan_status"] = plan_status
        self._meeting_minuted(no, attendees, guardians_present, minutes, changes, today, by)
        if following is not None:
            self._meeting_planned(*following, by, proposed_at=no)

    @event("MeetingMinuted")
    def _meeting_minuted(self, no: int, attendees: list[str], guardians_present: bool, minutes: str,
                         changes: dict[str, Any], minuted_on: date, by: UUID) -> None:
        self.meetings[no - 1].update(status="held", attendees=list(attendees), guardians_present=guardians_present,
                                     minutes=minutes, changes=dict(changes), minuted_on=minuted_on, minuted_by=by)

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

    def admit_member(self, service: str, unit_id: UUID | None, consent: Consent, on: date, by: UUID,
                     today: date | None = None) -> None:
        """Take a service in, on `on` (a service taken out earlier: again), on the
        collaboration's consent as it reads on `on` and on `today`: it must cover
        the service (barnevernet: its statutory basis) and every kind of
        information shared, as when the collaboration was opened. `unit_id`: a unit
        already checked to be of the service's kind, or None for its resource team."""
        self.check_is_open()
        today = today or on
        if service not in SERVICES:
            raise InvalidCollaboration("collaboration.services_required", "service")
        if unit_id is not None and unit_id == self.unit_id:  # it takes part as the opening unit
            raise InvalidCollaboration("collaboration.unit_of_other_service", "unit")
        if any(m["service"] == service and m["unit_id"] == unit_id for m in self.current_members):
            raise InvalidCollaboration("collaboration.already_member", "service")
        if on > today:
            raise InvalidCollaboration("date.in_future", "admitted_on")
        removed = [m["removed_on"] for m in self.members
                   if m["service"] == service and m["unit_id"] == unit_id and m.get("removed_on")]
        if on < self.opened_on or (removed and on < max(removed)):
            raise InvalidCollaboration("collaboration.admitted_too_early", "admitted_on")
        for day in dict.fromkeys((on, today)):
            try:
                check_covered(consent, [service], self.information, day)
            except InvalidCollaboration as e:  # beside the admission form's service, saying why
                code = "collaboration.admission_not_consented" if e.code == "collaboration.consent_missing" else e.code
                raise InvalidCollaboration(code, "service", **e.params) from e
        self._member_admitted(service, unit_id, on, by)

    @event("MemberAdmitted")
    def _member_admitted(self, service: str, unit_id: UUID | None, on: date, by: UUID) -> None:
        # A new entry, so the one taken out keeps its date and reason.
        again = any(m["service"] == service and m["unit_id"] == unit_id for m in self.members)
        self.members.append({"service": service, "unit_id": unit_id, "admitted_on": on, "admitted_by": by,
                             "again": again})

    # -- the consent -------------------------------------------------------------------------
    def change_consent(self, consent: Consent, on: date, by: UUID, today: date | None = None) -> None:
        """Put the collaboration on a new consent from day `on` (the guardians signed a
        new one, or one that covers more): of the same child, given, in force on `on`
        and on `today`, covering every current member service and every kind of
        information shared, as when it was opened. The plan, group and history stay."""
        self.check_is_open()
        today = today or on
        if consent.child_id != self.child_id:
            raise InvalidCollaboration("collaboration.consent_of_other_child", "consent_id")
        if consent.id == self.consent_id:
            raise InvalidCollaboration("collaboration.consent_unchanged", "consent_id")
        if consent.decision != "given":
            raise InvalidCollaboration("collaboration.consent_not_given", "consent_id")
        if on > today:
            raise InvalidCollaboration("date.in_future", "changed_on")
        if on < self.consents[-1]["from"]:
            raise InvalidCollaboration("collaboration.consent_change_too_early", "changed_on")
        for day in dict.fromkeys((on, today)):
            if day < consent.valid_from:
                raise InvalidCollaboration("collaboration.consent_not_yet_valid", "consent_id", on=consent.valid_from)
            if day > consent.valid_until:
                raise InvalidCollaboration("collaboration.consent_expired", "consent_id", on=consent.valid_until)
            if not consent.services_valid_on(day):
                raise InvalidCollaboration("collaboration.consent_withdrawn", "consent_id")
            try:
                check_covered(consent, self.current_services, self.information, day)
            except InvalidCollaboration as e:  # beside the form's choice of consent
                raise InvalidCollaboration(e.code, "consent_id", **e.params) from e
        self._consent_changed(consent.id, on, by, today)

    @event("ConsentChanged")
    def _consent_changed(self, consent_id: UUID, on: date, by: UUID, changed_on: date) -> None:
        self.consent_id = consent_id
        self.consents.append({"consent_id": consent_id, "from": on, "by": by, "changed_on": changed_on})

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
        self.plan_status = PLAN_ENDED


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
