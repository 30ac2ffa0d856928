"""A stored row that cannot be decrypted or decoded (altered, moved, or written
by code that no longer reads it).

Such a row stops only the read models that must have it: those that handle its
event class, or all that take events if its topic names no class. They stop
there on purpose, with everything before it applied, and say which row and
which read model; the others, and the ledger (which hashes the ciphertext and
never decrypts), go on. Nothing is guessed: a read model that skipped a row it
needs would show a wrong picture without saying so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import resolve_topic

from events.errors import IntegrityError


@dataclass(frozen=True)
class Undecodable:
    """In place of a decoded event: the stored row that did not decode, and why."""

    id: int  # its position in the store
    originator_id: str
    originator_version: int
    topic: str
    reason: str

    def describe(self) -> str:
        return (f"row {self.id} (originator {self.originator_id} version {self.originator_version}, "
                f"topic {self.topic}): {self.reason}")

    def fields(self) -> dict[str, Any]:
        """As a read model's status names it (`stopped_at`)."""
        return {"row": self.id, "originator_id": self.originator_id, "version": self.originator_version,
                "topic": self.topic, "reason": self.reason}


class UndecodableRow(Exception):
    """A read model stopped at a row it must have and cannot read."""

    def __init__(self, row: Undecodable, read_model: str):
        super().__init__(f"read model {read_model} stopped at {row.describe()}")
        self.row = row
        self.read_model = read_model


class RebuildStopped(Exception):
    """A rebuild finished, except for read models that stopped at rows they cannot read."""

    def __init__(self, stops: list[UndecodableRow]):
        super().__init__("; ".join(str(s) for s in stops))
        self.stops = stops


def is_store_away(error: BaseException) -> bool:
    """A failure to reach the store or the key store while decoding: not the row's
    fault, so it is not reported as an undecodable row (the runner retries)."""
    return isinstance(error, (PersistenceError, sqlite3.Error, psycopg.Error))


def undecodable(notification: Any, error: BaseException) -> Undecodable:
    """The row and a reason that holds no decoded content: an error from decoding
    (a date that does not parse, say) may quote the plaintext, so only its kind is kept."""
    reason = str(error) if isinstance(error, IntegrityError) else f"does not decode ({type(error).__name__})"
    return Undecodable(notification.id, str(notification.originator_id), notification.originator_version,
                       notification.topic, reason)


def taken_by(handler: Any, row: Undecodable) -> bool:
    """Whether a read model (its handler lookup, projections/batches.py) must have `row`."""
    try:
        cls = resolve_topic(row.topic)
    except Exception:  # the topic names no class: no read model can tell it needs none
        return True
    return handler(cls) is not None
