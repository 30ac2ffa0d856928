"""One child per national identity number.

A claim is a small record whose id is derived from a keyed hash (blind index)
of the number, so the store holds neither the number nor a plain hash of it
that could be guessed (there are only a few million valid numbers). Saving a
new child and its claim in one transaction makes the rule hold under
concurrent registrations too: the second claim conflicts and is refused.
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
    """The claim's id for a blind index of the number."""
    return uuid5(NAMESPACE, index)


class IdentityClaim(Record):
    """The child a national identity number belongs to (None once released)."""

    def __init__(self, child_id: UUID):
        self.child_id: UUID | None = child_id

    @classmethod
    def new(cls, index: str, child_id: UUID) -> IdentityClaim:
        return cls._create(cls.Created, id=claim_id(index), child_id=child_id)  # noqa: SLF001

    @event("Claimed")
    def claim(self, child_id: UUID) -> None:
        self.child_id = child_id

    @event("Released")
    def release(self) -> None:
        self.child_id = None
