"""Access events shown at the same moment share one commit.

Every page that shows a child's data first commits an access event. A commit
costs more than the event it carries (on SQLite with `synchronous=FULL`, the
fsync of the WAL; on PostgreSQL, the table lock and a round trip), so pages
being served at once hand their events to whichever of them is writing, and
one transaction carries them all (`Application.save(*events)`).

Nothing is weaker for it: each caller returns only once its own event is
committed, or raises, so "no event, no data" still holds page by page. If a
shared commit fails, each caller's events are tried again alone, so one bad
event cannot cost the others their pages. Callers hand over domain events, not
aggregates: saving an aggregate takes its pending events, so it could not be
saved again alone.

No thread of its own: the caller that takes the write lock writes for all who
queued meanwhile (a leader/follower group commit). With one caller at a time it
is a plain save.
"""

from __future__ import annotations

import threading
from typing import Any, Callable


class _Slot:
    __slots__ = ("events", "done", "error")

    def __init__(self, events: tuple[Any, ...]):
        self.events = events
        self.done = False
        self.error: BaseException | None = None


class GroupCommit:
    def __init__(self, save: Callable[..., Any]):
        self._save = save
        self._queue: list[_Slot] = []
        self._queue_lock = threading.Lock()
        self._write_lock = threading.Lock()

    @property
    def queued(self) -> int:
        """Callers waiting for the next commit."""
        return len(self._queue)

    def save(self, *events: Any) -> None:
        """Commit one caller's domain `events`, perhaps together with others';
        return once they are committed, or raise what their commit raised."""
        slot = _Slot(events)
        with self._queue_lock:
            self._queue.append(slot)
        with self._write_lock:
            if not slot.done:  # nobody wrote it while this caller waited: write the queue
                with self._queue_lock:
                    batch, self._queue = self._queue, []
                self._commit(batch)
        if slot.error is not None:
            raise slot.error

    def _commit(self, batch: list[_Slot]) -> None:
        try:
            self._save(*(e for s in batch for e in s.events))
        except BaseException as error:
            if len(batch) == 1:
                batch[0].error = error
            else:
                for s in batch:
                    try:
                        self._save(*s.events)
                    except BaseException as own:
                        s.error = own
        finally:
            for s in batch:
                s.done = True
