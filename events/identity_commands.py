"""The commands that keep one child per national identity number (events/identity.py),
mixed into the one application: claiming a number with a registration or a
correction, and claiming the numbers of children registered before claims existed."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.utils import get_topic

from events.children import Child
from events.commands import CommandMixin
from events.errors import DomainError
from events.identity import DuplicateChild, IdentityClaim, claim_id

_CHILD_CREATED = get_topic(Child.Created)


class IdentityCommands(CommandMixin):
    def _claim(self, national_id: str, child_id: UUID) -> IdentityClaim:
        """The claim of `national_id` for `child_id`, to save with the child;
        DuplicateChild if another child holds it. An erased child's number is taken over."""
        index = self.blind_index("nin-claim:" + national_id)
        try:
            claim = self._get(IdentityClaim, claim_id(index))
        except DomainError:  # NotFound: never claimed
            return IdentityClaim.new(index, child_id)
        if claim.child_id == child_id:
            return claim  # claimed already: nothing new to save
        if claim.child_id is not None and self._child_exists(claim.child_id):
            raise DuplicateChild("child.already_registered", "national_id", child_id=claim.child_id)
        claim.claim(child_id)
        return claim

    def _released(self, national_id: str, child_id: UUID) -> list[IdentityClaim]:
        """The child's claim of `national_id`, released, to save; none if it holds none."""
        try:
            claim = self._get(IdentityClaim, claim_id(self.blind_index("nin-claim:" + national_id)))
        except DomainError:
            return []
        if claim.child_id != child_id:
            return []
        claim.release()
        return [claim]

    def claim_registered_numbers(self, page: int = 500) -> tuple[int, list[tuple[UUID, UUID]]]:
        """Claim the numbers of children registered before claims existed (an upgrade
        step, safe to run again): (claims made, the pairs of children found to share
        a number, for a person to look at; neither is changed)."""
        made, shared = 0, []
        start = 1
        while True:
            created = self.recorder.select_notifications(start, page, topics=[_CHILD_CREATED])
            for notification in created:
                try:
                    child = self.get_child(notification.originator_id)
                except DomainError:  # not found, or erased
                    continue
                if not child.national_id:
                    continue
                try:
                    claim = self._claim(child.national_id, child.id)
                except DuplicateChild as e:
                    shared.append((e.params["child_id"], child.id))
                    continue
                if claim.pending_events:  # a new claim, or an erased child's taken over
                    self.save(claim)
                    made += 1
            if len(created) < page:
                return made, shared
            start = created[-1].id + 1

    def _child_exists(self, child_id: UUID) -> bool:
        try:
            self.get_child(child_id)
        except DomainError:  # not found, or erased
            return False
        return True
