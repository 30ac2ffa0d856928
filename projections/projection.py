"""What every read model shares.

A read model is a `Projection` with a `name`, its two `views` (SQLite and
PostgreSQL) and `process(event, c)`, usually a `singledispatchmethod`; the
runner (projections/live.py, projections/batches.py) applies events to it in batches.

A read model that keeps a child's data defines `purge_child(c, child_id)`.
The runner calls it for the child's erasure and for every tombstone (an
erased child's event, met again during a rebuild), so that no read model can
handle one of the two and forget the other.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.config import DEFAULTS, ReadModelConfig


class Projection:
    name: str = ""
    views: tuple[type, type]

    def __init__(self, view: Any, app: Any, config: ReadModelConfig = DEFAULTS):
        self.view = view
        self.app = app
        self.config = config

    def portable(self, originator_id: UUID, originator_version: int, topic: str, plaintext: bytes) -> Any:
        """What a rebuild's helper process applies for a stored event this read
        model takes, given decrypted (projections/rebuild.py: `Feeder` in the first
        process, `from_first_process` in the helper): by default the event,
        decoded. A read model may give something cheaper to make and to send
        between the processes, which its `process` also accepts."""
        return self.app.mapper.from_plaintext(originator_id, originator_version, topic, plaintext)

    def update_row(self, c: Any, table: str, event: Any, stamp: bool = True, **columns: Any) -> None:
        """Set columns of the row the event's aggregate owns (`id` = its originator
        id), and its `updated_at` to the event's time unless `stamp` is False."""
        if stamp:
            columns["updated_at"] = event.timestamp.isoformat()
        sets = ", ".join(f"{k} = ?" for k in columns)
        c.execute(self.view.sql(f"UPDATE {{{table}}} SET {sets} WHERE id = ?"),
                  (*columns.values(), str(event.originator_id)))
