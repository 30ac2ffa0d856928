"""The commands on collaborations across services, mixed into the one application."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from events import clock
from events.collaborations import Collaboration, InvalidCollaboration
from events.commands import CommandMixin


class CollaborationCommands(CommandMixin):
    def open_collaboration(self, concern_id: UUID, consent_id: UUID, members: list[tuple[str, UUID | None]],
                           information: list[str], coordinator_id: UUID, opened_by: UUID,
                           child_takes_part: bool = False, early_reason: str = "") -> UUID:
        """Open a collaboration from a concern, on the consent named. `members`:
        (service, unit of the directory of that kind, or None for the service's
        resource team). The guardians with parental responsibility take part; the
        child when `child_takes_part`."""
        concern = self.get_concern(concern_id)
        concern.check_is_open()
        consent = self.get_consent(consent_id)
        child = self.get_child(concern.child_id)
        coordinator = self.get_user(coordinator_id)
        for service, unit_id in members:
            self._check_member_unit(service, unit_id, "collaboration.services_required", "services")
        if not coordinator.active:
            raise InvalidCollaboration("collaboration.coordinator_inactive", "coordinator_id")
        collaboration = Collaboration.new(
            concern.child_id, concern.unit_id, concern.id, concern.level, consent, opened_by, coordinator_id,
            members, information, [g["name"] for g in child.guardians_with_responsibility], child_takes_part,
            early_reason, clock.today())
        self.save(collaboration)
        return collaboration.id

    def _check_member_unit(self, service: str, unit_id: UUID | None, code: str, field: str) -> None:
        """A member's unit, if it names one, is an open unit of the service's kind
        (refused by `code`, beside `field`)."""
        if unit_id is not None:
            unit = self.get_unit(unit_id)
            if unit.kind != service or unit.closed:
                raise InvalidCollaboration(code, field)

    def get_collaboration(self, collaboration_id: UUID) -> Collaboration:
        return self._get(Collaboration, collaboration_id)

    def add_collaboration_goal(self, collaboration_id: UUID, text: str, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.add_goal(text, by)
        self.save(collaboration)

    def add_collaboration_measure(self, collaboration_id: UUID, what: str, service: str, responsible: str,
                                  starts_on: date, deadline: date, evaluate_on: date, by: UUID,
                                  goal: int | None = None) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.add_measure(what, service, responsible, starts_on, deadline, evaluate_on, by, goal)
        self.save(collaboration)

    def evaluate_collaboration_measure(self, collaboration_id: UUID, no: int, evaluated_on: date,
                                       what_happened: str, guardians_view: str, child_view: str, decision: str,
                                       next_evaluation: date | None, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.evaluate_measure(no, evaluated_on, what_happened, guardians_view, child_view, decision,
                                       next_evaluation, clock.today(), by)
        self.save(collaboration)

    def propose_coordinator(self, collaboration_id: UUID, to_user_id: UUID, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        if not self.get_user(to_user_id).active:
            raise InvalidCollaboration("collaboration.coordinator_inactive", "to_user_id")
        collaboration.propose_handover(to_user_id, clock.today(), by)
        self.save(collaboration)

    def accept_coordinator(self, collaboration_id: UUID, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.accept_handover(clock.today(), by)
        self.save(collaboration)

    def close_collaboration(self, collaboration_id: UUID, reason: str, summary: str, by: UUID,
                            plan_coordinator: str = "") -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.close(reason, summary, clock.today(), by, plan_coordinator)
        self.save(collaboration)

    def remove_collaboration_member(self, collaboration_id: UUID, service: str, unit_id: UUID | None, reason: str,
                                    by: UUID) -> None:
        """Take a member service out. Not the coordinator's own: the role is handed
        over first, so the collaboration never loses the one who holds it together."""
        collaboration = self.get_collaboration(collaboration_id)

        def of_member(user_id: UUID) -> bool:
            user = self.get_user(user_id)
            return (unit_id is not None and user.unit_id == unit_id) or (
                unit_id is None and user.role == "resource_team" and user.service == service)

        if of_member(collaboration.coordinator_id):
            raise InvalidCollaboration("collaboration.coordinators_service", "member")
        proposed = (collaboration.handover or {}).get("to")
        collaboration.remove_member(service, unit_id, reason, clock.today(), by,
                                    handover_lapses=proposed is not None and of_member(proposed))
        self.save(collaboration)

    def admit_collaboration_member(self, collaboration_id: UUID, service: str, unit_id: UUID | None, on: date,
                                   by: UUID) -> None:
        """Take a service in (again), from day `on`: on the collaboration's consent as
        it reads then and today. Its people see the collaboration at their next request."""
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.check_is_open()
        self._check_member_unit(service, unit_id, "collaboration.unit_of_other_service", "unit")
        collaboration.admit_member(service, unit_id, self.get_consent(collaboration.consent_id), on, by,
                                   clock.today())
        self.save(collaboration)

    def change_collaboration_consent(self, collaboration_id: UUID, consent_id: UUID, on: date, by: UUID) -> None:
        """Put the collaboration on another consent of the child, from day `on`: the
        members' access follows the new one at their next request."""
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.check_is_open()
        collaboration.change_consent(self.get_consent(consent_id), on, by, clock.today())
        self.save(collaboration)

    def share_collaboration_entry(self, collaboration_id: UUID, no: int, information: str, by: UUID) -> None:
        """Share one entry of the concern's logbook into the collaboration, as a kind of
        information the consent covers."""
        collaboration = self.get_collaboration(collaboration_id)
        concern = self.get_concern(collaboration.concern_id)
        consent = self.get_consent(collaboration.consent_id)
        collaboration.share_entry(no, information, consent, len(concern.entries), clock.today(), by)
        self.save(collaboration)

    def unshare_collaboration_entry(self, collaboration_id: UUID, no: int, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.unshare_entry(no, clock.today(), by)
        self.save(collaboration)

    # -- the ansvarsgruppe ---------------------------------------------------------------------
    def name_group_member(self, collaboration_id: UUID, service: str, person: str, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.name_group_member(service, person, by)
        self.save(collaboration)

    def choose_contact(self, collaboration_id: UUID, service: str, person: str, chosen_on: date, by: UUID) -> None:
        """Record the contact person the guardians chose (foreldrenes valgte kontaktperson)."""
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.choose_contact(service, person, chosen_on, clock.today(), by)
        self.save(collaboration)

    def plan_meeting(self, collaboration_id: UUID, on: date, at: str, place: str, by: UUID) -> None:
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.plan_meeting(on, at, place, clock.today(), by)
        self.save(collaboration)

    def minute_meeting(self, collaboration_id: UUID, no: int, attendees: list[str], guardians_present: bool,
                       minutes: str, by: UUID, **plan_changes: Any) -> None:
        """The minutes and the plan's changes from them, in one save (see Collaboration.minute_meeting)."""
        collaboration = self.get_collaboration(collaboration_id)
        collaboration.minute_meeting(no, attendees, guardians_present, minutes, clock.today(), by, **plan_changes)
        self.save(collaboration)
