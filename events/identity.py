"""One child per national identity number.

Which child holds a number is kept in a table beside the event store, under a
keyed hash (blind index) of the number (events/storage/national_ids.py): the
store holds neither the number nor a plain hash of it that could be guessed
(there are only a few million valid numbers), and erasing a child deletes its
row. The table's key makes the rule hold under concurrent registrations too:
the second claim finds the first and is refused.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError

NAMESPACE = UUID("5b0c1f0e-8f7a-4c2e-9a51-3c3f4f6d2a10")


class DuplicateChild(DomainError):
    """Raised when a national identity number is registered for another child already;
    `params["child_id"]` names that child (for the web to link to it, or not, by policy)."""


def claim_id(index: str) -> UUID:
    """The id an `IdentityClaim` had for a blind index of the number."""
    return uuid5(NAMESPACE, index)


class IdentityClaim(Record):
    """Retired: claims were records in the event store, whose ids (derived from
    the number's blind index) outlived an erasure. Kept so that a store that has
    them still loads; `intranet children claim-numbers` fills the claims table."""

    def __init__(self, child_id: UUID):
        self.child_id: UUID | None = child_id

    @event("Claimed")
    def claim(self, child_id: UUID) -> None:
        self.child_id = child_id

    @event("Released")
    def release(self) -> None:
        self.child_id = None
