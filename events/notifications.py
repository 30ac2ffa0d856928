"""Notifications without content: what was e-mailed to whom.

What waits for a user (a handover proposed to her, evaluations due, meetings
coming, a consent running out) is read from the read models when asked
(intranet/notifications.py); only the sending of the daily digest is recorded
here, so that no item is e-mailed to the same user twice. An item is named by a
hash of its key, never by what it is about.
"""

from __future__ import annotations

import hashlib
from datetime import date
from uuid import UUID

from events.base import Record


def item_hash(user_id: UUID, key: str) -> str:
    """The name an item sent to a user is recorded under: its key (ids and a date)
    hashed with the user's id, so the record says nothing of the collaboration."""
    return hashlib.sha256(f"{user_id}|{key}".encode()).hexdigest()[:32]


class Digest(Record):
    """One e-mail sent to one user, telling of new items (by their hashes)."""

    def __init__(self, user_id: UUID, items: list[str], sent_on: date):
        self.user_id = user_id
        self.items = list(items)
        self.sent_on = sent_on
