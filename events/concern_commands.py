"""The commands on concerns, mixed into the one application (`Bekymring`).

Every change names the version the user saw. If the concern changed since, the
command raises `ConcernChanged` with what changed, so the web can tell the user
and give them back their text. Nothing is lost: no event is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events import clock
from events.concerns import Concern, InvalidConcern
from events.errors import DomainError
from events.commands import CommandMixin


@dataclass(frozen=True)
class Change:
    """One change to a concern: what kind, by whom, when, and what it changed
    (`details`: the event's data a reader needs, e.g. the level from and to and
    the reason; the web puts it into words)."""

    kind: str
    actor_id: UUID | None
    at: datetime
    details: dict[str, Any] = field(default_factory=dict, compare=False)


def _details(event, before: Concern | None) -> dict[str, Any]:
    """What the event changed, read before it is applied (`before`: the concern
    as it was, None for the first event): a level change names the old level."""
    kind = type(event).__name__
    if kind == "LevelSet":
        return {"from": before.level if before is not None else 0, "to": event.level, "reason": event.reason}
    if kind == "MeasureEvaluated":
        measure = before.measures[event.no - 1]["measure"] if before is not None else ""
        return {"measure": measure, "outcome": event.outcome}
    names = {
        "ObservationLogged": ("observed_on",),
        "EntryCorrected": ("no", "reason"),
        "StepMarked": ("step", "done"),
        "GuardianTalkRecorded": ("held_on",),
        "GuardianTalkCorrected": ("no", "reason"),
        "MeasureAdded": ("measure",),
        "Shared": ("user_id",),
        "Unshared": ("user_id",),
        "Closed": ("reason",),
        "Reopened": ("reason",),
    }.get(kind, ())
    return {name: getattr(event, name) for name in names}


def _change(event, details: dict[str, Any]) -> Change:
    return Change(type(event).__name__, getattr(event, "actor_id", None), event.timestamp, details)


class ConcernChanged(DomainError):
    """Raised when a concern changed after the user loaded it."""

    def __init__(self, changes: list[Change]):
        super().__init__("concern.changed")
        self.changes = changes


class ConcernCommands(CommandMixin):
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
        child = self.get_child(child_id)
        concern = Concern.new(
            child_id, child.unit_id, author_id, observed_on, observation, child_words,
            categories, worry,
        )
        self.save(concern)
        return concern.id

    def file_concern(self, unit_id: UUID, author_id: UUID, child_id: UUID | None = None,
                     new_child: dict[str, Any] | None = None, **concern: Any) -> UUID:
        """File a concern (`open_concern`'s fields) about a child of the unit, or
        about a child the unit registers now (`new_child`: first_name, last_name, birth_date,
        and national_id if known)."""
        if child_id is None:
            if new_child is None:
                raise InvalidConcern("concern.child_required", "child_id")
            child_id = self.register_child(new_child["first_name"], new_child["last_name"],
                                           new_child["birth_date"], unit_id, new_child.get("national_id", ""))
        return self.open_concern(child_id, author_id, **concern)

    def get_concern(self, concern_id: UUID) -> Concern:
        return self._get(Concern, concern_id)

    def concern_with_history(self, concern_id: UUID, after: int = 0) -> tuple[Concern, list[Change]]:
        """The concern and every change to it (after version `after`), from one
        read of its events (the page shows both; reading twice would double the
        store's work)."""
        history: list[Change] = []

        def project(concern: Concern | None, events) -> Concern | None:
            for event in events:
                details = _details(event, concern)  # before the event changes the concern
                concern = event.mutate(concern)  # an erased concern's tombstone raises here
                if event.originator_version > after:
                    history.append(_change(event, details))
            return concern

        concern = self._get(Concern, concern_id, projector_func=project)
        return concern, history

    def changes_since(self, concern_id: UUID, version: int) -> list[Change]:
        """The changes after `version`, described. A level change names the
        level before it, so the concern is read from its start (only on a conflict)."""
        return self.concern_with_history(concern_id, after=version)[1]

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
            self.save(concern)
        except VersionConflict:
            # Someone saved between our read and our write; nothing of ours was stored.
            raise ConcernChanged(self.changes_since(concern_id, seen_version)) from None
        return concern.version

    def _check_unchanged_by_others(self, concern_id: UUID, seen: int, actor_id: UUID) -> None:
        if any(getattr(e, "actor_id", None) != actor_id for e in self.events.get(concern_id, gt=seen)):
            raise ConcernChanged([c for c in self.changes_since(concern_id, seen) if c.actor_id != actor_id])

    # -- the changes, by name. Each names the version the user saw and who acts. ----------
    def log_observation(self, concern_id: UUID, seen_version: int, actor_id: UUID,
                        observed_on: date, text: str, child_words: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id,
                                   lambda c: c.log_observation(observed_on, text, child_words, actor_id))

    def correct_observation(self, concern_id: UUID, seen_version: int, actor_id: UUID,
                            no: int, text: str, child_words: str, reason: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id,
                                   lambda c: c.correct_entry(no, text, child_words, reason, actor_id))

    def set_concern_level(self, concern_id: UUID, seen_version: int, actor_id: UUID, level: int, reason: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.set_level(level, reason))

    def mark_guide_step(self, concern_id: UUID, seen_version: int, actor_id: UUID, step: str, done: bool) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.mark_step(step, done))

    def record_guardian_talk(self, concern_id: UUID, seen_version: int, actor_id: UUID, held_on: date,
                             participants: str, summary: str, child_heard: bool) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.record_guardian_talk(
            held_on, participants, summary, child_heard, actor_id))

    def correct_guardian_talk(self, concern_id: UUID, seen_version: int, actor_id: UUID,
                              no: int, summary: str, reason: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id,
                                   lambda c: c.correct_guardian_talk(no, summary, reason, actor_id))

    def add_measure(self, concern_id: UUID, seen_version: int, actor_id: UUID, measure: str,
                    responsible: str, deadline: date, evaluate_on: date) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.add_measure(
            measure, responsible, deadline, evaluate_on, actor_id))

    def evaluate_measure(self, concern_id: UUID, seen_version: int, actor_id: UUID, no: int, outcome: str) -> int:
        """Evaluated today."""
        return self.change_concern(concern_id, seen_version, actor_id,
                                   lambda c: c.evaluate_measure(no, outcome, clock.today()))

    def share_concern(self, concern_id: UUID, seen_version: int, actor_id: UUID, user_id: UUID) -> int:
        """Only with a colleague in the concern's unit, who is still active."""
        concern = self.get_concern(concern_id)
        try:
            colleague = self.get_user(user_id)
        except DomainError:
            colleague = None
        if colleague is None or not colleague.active or colleague.unit_id != concern.unit_id:
            raise InvalidConcern("concern.not_a_colleague", "user_id")
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.share_with(user_id))

    def unshare_concern(self, concern_id: UUID, seen_version: int, actor_id: UUID, user_id: UUID) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.unshare(user_id))

    def close_concern(self, concern_id: UUID, seen_version: int, actor_id: UUID, reason: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.close(reason))

    def reopen_concern(self, concern_id: UUID, seen_version: int, actor_id: UUID, reason: str) -> int:
        return self.change_concern(concern_id, seen_version, actor_id, lambda c: c.reopen(reason))
