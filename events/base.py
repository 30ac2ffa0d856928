"""Base aggregates: every event records who acted, and events about a child
carry that child's id so the mapper can encrypt them under the child's key."""

from __future__ import annotations

import inspect
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import field
from datetime import datetime
from typing import Any, Iterable, Iterator
from uuid import UUID

from eventsourcing.domain import Aggregate

from events import clock

# Set once per request (or CLI command); read by every event. Modelled on the
# eventsourcing contentmanagement example.
current_actor: ContextVar[UUID | None] = ContextVar("current_actor", default=None)


@contextmanager
def acting_as(user_id: UUID | None) -> Iterator[None]:
    """Attribute the events triggered inside the block to `user_id`."""
    token = current_actor.set(user_id)
    try:
        yield
    finally:
        current_actor.reset(token)


def apply_events(record: Any, events: Iterable[Any]) -> Any:
    """A record rebuilt from its events. The library's default does the same
    after checking each event with isinstance() against a runtime-checkable
    Protocol, which on Python 3.11 costs more than applying the event
    (on every page that reads a record)."""
    for event in events:
        record = event.mutate(record)
    return record


class Record(Aggregate):
    """An aggregate whose events name the user who caused them."""

    class Event(Aggregate.Event):
        actor_id: UUID | None = field(default_factory=current_actor.get, init=False)

        @staticmethod
        def create_timestamp() -> datetime:
            """Stamped by the domain's clock (events/clock.py), which the demo's history sets back."""
            return clock.now()


class SubjectRecord(Record):
    """An aggregate about one child (the data subject).

    Every event carries `subject_id`; the envelope mapper encrypts the event
    under that subject's data key, so shredding the key erases the record.
    """

    subject_id: UUID

    class Event(Record.Event):
        subject_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.subject_id = self.subject_id

    @classmethod
    def subject_of(cls, id: UUID, kwargs: dict[str, Any]) -> UUID:
        """The child a new record is about; subclasses say how to find it."""
        raise NotImplementedError

    @classmethod
    def _create(cls, event_class, *, id=None, **kwargs):  # type: ignore[override]
        if id is None:  # the id is needed now: a child is its own subject
            params = inspect.signature(cls.create_id).parameters
            id = cls.create_id(**{k: v for k, v in kwargs.items() if k in params})
        kwargs["subject_id"] = cls.subject_of(id, kwargs)
        return super()._create(event_class, id=id, **kwargs)

    def trigger_event(self, event_class, **kwargs):  # type: ignore[override]
        kwargs["subject_id"] = self.subject_id
        super().trigger_event(event_class, **kwargs)
