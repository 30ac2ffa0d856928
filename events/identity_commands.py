"""The commands that keep one child per national identity number (events/identity.py),
mixed into the one application: claiming a number with a registration or a
correction, and claiming the numbers of children registered before claims existed.
The claims live in a table beside the event store (events/storage/national_ids.py),
so that erasing a child removes its claim."""

from __future__ import annotations

import time
from functools import cached_property
from uuid import UUID

from eventsourcing.utils import get_topic

from events.children import Child
from events.commands import CommandMixin
from events.errors import DomainError, RecordErased
from events.identity import DuplicateChild
from events.storage.national_ids import IN_FLIGHT_SECONDS, NationalIdClaims

_CHILD_CREATED = get_topic(Child.Created)
_ATTEMPTS = 3  # a claim that moves under us this often is refused, not fought over


class IdentityCommands(CommandMixin):
    @cached_property
    def national_ids(self) -> NationalIdClaims:
        return NationalIdClaims(self.side_store("national_ids"))

    def _number_index(self, national_id: str) -> str:
        return self.blind_index("nin-claim:" + national_id)

    def _save_claimed(self, child: Child, national_id: str, claimed: bool) -> None:
        """Save the child; if that fails, give back the claim made for it (`claimed`)."""
        try:
            self.save(child)
        except BaseException:
            if claimed:
                self._release(national_id, child.id)
            raise

    def _claim(self, national_id: str, child_id: UUID) -> bool:
        """Claim the number for the child: True if claimed now, False if it held it
        already. A holder that lost the number (erased, its number corrected, or a
        registration that died before its save) is replaced."""
        index = self._number_index(national_id)
        holder = None
        for _ in range(_ATTEMPTS):
            if self.national_ids.claim(index, child_id):
                return True
            held = self.national_ids.holder(index)
            if held is None:  # given back meanwhile: claim again
                continue
            holder, claimed_at = held
            if holder == child_id:
                return False
            if self._holds(holder, national_id, claimed_at):
                break
            if self.national_ids.take_over(index, holder, child_id):
                return True
        raise DuplicateChild("child.already_registered", "national_id", child_id=holder)

    def _holds(self, holder: UUID, national_id: str, claimed_at: float) -> bool:
        """Whether the child holding a claim still has the number. A child not found
        may be one being registered this moment (its save follows its claim)."""
        try:
            child = self.get_child(holder)
        except RecordErased:
            return False
        except DomainError:  # not found
            return time.time() - claimed_at < IN_FLIGHT_SECONDS
        return child.national_id == national_id

    def _release(self, national_id: str, child_id: UUID) -> None:
        """Give back the child's claim of `national_id`, if it holds it."""
        self.national_ids.release(self._number_index(national_id), child_id)

    def claim_registered_numbers(self, page: int = 500) -> tuple[int, list[tuple[UUID, UUID]]]:
        """Claim the numbers of children registered before the claims table existed
        (an upgrade step, safe to run again): (claims made, the pairs of children
        found to share a number, for a person to look at; neither is changed)."""
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
                    made += self._claim(child.national_id, child.id)
                except DuplicateChild as e:
                    shared.append((e.params["child_id"], child.id))
            if len(created) < page:
                return made, shared
            start = created[-1].id + 1
