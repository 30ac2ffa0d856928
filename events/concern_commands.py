"""The commands on concerns, mixed into the one application (`Bekymring`).

Every change names the version the user saw. If the concern changed since, the
command raises `ConcernChanged` with what changed, so the web can tell the user
and give them back their text. Nothing is lost: no event is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events.concerns import Concern
from events.errors import DomainError


@dataclass(frozen=True)
class Change:
    """One change another user made: what kind, by whom, when."""

    kind: str
    actor_id: UUID | None
    at: datetime


def _change(event) -> Change:
    return Change(type(event).__name__, getattr(event, "actor_id", None), event.timestamp)


class ConcernChanged(DomainError):
    """Raised when a concern changed after the user loaded it."""

    def __init__(self, changes: list[Change]):
        super().__init__("concern.changed")
        self.changes = changes


class ConcernCommands:
    def open_concern(
        self,
        child_id: UUID,
        author_id: UUID,
        observed_on: date,
        observation: str,
        child_words: str,
        categories: list[str],
        worry: int,
    ) -> UUID:
        child = self.get_child(child_id)  # type: ignore[attr-defined]
        concern = Concern.new(
            child_id, child.unit_id, author_id, observed_on, observation, child_words,
            categories, worry,
        )
        self.save(concern)  # type: ignore[attr-defined]
        return concern.id

    def get_concern(self, concern_id: UUID) -> Concern:
        return self._get(Concern, concern_id)  # type: ignore[attr-defined]

    def concern_with_history(self, concern_id: UUID) -> tuple[Concern, list[Change]]:
        """The concern and every change to it, from one read of its events
        (the page shows both; reading twice would double the store's work)."""
        history: list[Change] = []

        def project(concern: Concern | None, events) -> Concern | None:
            for event in events:
                concern = event.mutate(concern)  # an erased concern's tombstone raises here
                history.append(_change(event))
            return concern

        concern = self._get(Concern, concern_id, projector_func=project)  # type: ignore[attr-defined]
        return concern, history

    def changes_since(self, concern_id: UUID, version: int) -> list[Change]:
        events = self.events.get(concern_id, gt=version)  # type: ignore[attr-defined]
        return [_change(e) for e in events]

    def change_concern(
        self,
        concern_id: UUID,
        seen_version: int,
        actor_id: UUID,
        change: Callable[[Concern], None],
    ) -> int:
        """Apply `change` unless someone else changed the concern after the user
        saw it at `seen_version`; return the new version.

        The user's own changes since then do not count: one page has several
        forms, and saving one must not make the others stale.
        """
        concern = self.get_concern(concern_id)
        self._check_unchanged_by_others(concern_id, seen_version, actor_id)
        change(concern)
        try:
            self.save(concern)  # type: ignore[attr-defined]
        except VersionConflict:
            # Someone saved between our read and our write; nothing of ours was stored.
            raise ConcernChanged(self.changes_since(concern_id, seen_version)) from None
        return concern.version

    def _check_unchanged_by_others(self, concern_id: UUID, seen: int, actor_id: UUID) -> None:
        others = [c for c in self.changes_since(concern_id, seen) if c.actor_id != actor_id]
        if others:
            raise ConcernChanged(others)
