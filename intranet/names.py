"""Display names of users and units, kept for a minute.

Pages name people (a concern's author, the colleagues it can be shared with,
who changed what) and units. Reading each one from its events on every request
was most of the concern page's reads. A name is only shown, never used to
decide anything, so showing a renamed unit's old name for up to a minute is
harmless. Whether the signed-in user is still active, and their role, are read
afresh on every request (intranet/auth.py), never from here.
"""

from __future__ import annotations

import time
from typing import Callable, Iterable
from uuid import UUID

from events.application import NotFound
from intranet.i18n import _

SECONDS = 60.0
MAX_ENTRIES = 10_000  # a municipality's users and units, with room to spare


class DisplayNames:
    def __init__(self, domain, clock: Callable[[], float] = time.monotonic):
        self.domain = domain
        self.clock = clock
        # id -> (name, when it goes stale). Dict reads and writes are atomic, so
        # threadpool threads share it without a lock; a race only reads twice.
        self._names: dict[UUID, tuple[str, float]] = {}

    def users(self, ids: Iterable[UUID | None]) -> dict[UUID, str]:
        """The name of each user in `ids` (None skipped), or "unknown user"."""
        names = {}
        for user_id in {i for i in ids if i}:
            try:
                names[user_id] = self._name(user_id, self.domain.get_user)
            except NotFound:
                names[user_id] = _("ukjent bruker")
        return names

    def unit(self, unit_id: UUID) -> str:
        return self._name(unit_id, self.domain.get_unit)

    def _name(self, record_id: UUID, load: Callable[[UUID], object]) -> str:
        now = self.clock()
        cached = self._names.get(record_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        name = load(record_id).name  # type: ignore[attr-defined]
        if len(self._names) >= MAX_ENTRIES:
            self._names.clear()
        self._names[record_id] = (name, now + SECONDS)
        return name
