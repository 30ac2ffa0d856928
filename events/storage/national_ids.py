"""Which child holds a national identity number: a table beside the event store.

A row holds a blind index of the number (a keyed hash: the number cannot be
guessed from it without the index key) and the child's id. It is not an event
because erasure must remove it: an event would keep the index, and anyone with
the index key could confirm that an erased child's number had been registered.
The primary key makes a second, concurrent claim of the same number fail.
"""

from __future__ import annotations

import time
from uuid import UUID

from events.storage.sidestore import SideStore

# A claim whose child does not exist is a registration in flight for this long
# (its save follows the claim at once); after it, one that died before saving.
IN_FLIGHT_SECONDS = 300.0


class NationalIdClaims:
    def __init__(self, store: SideStore, table: str = "national_id_claims"):
        self.store = store
        self.datastore = store.datastore
        self.table = store.table(table)
        with self.store.creating() as c:
            c.execute(self._sql(
                f"CREATE TABLE IF NOT EXISTS {{table}} (blind_index TEXT PRIMARY KEY, "
                f"child_id TEXT NOT NULL, claimed_at {store.double} NOT NULL)"))
            c.execute(self._sql(f"CREATE INDEX IF NOT EXISTS {table}_child ON {{table}} (child_id)"))

    def _sql(self, statement: str) -> str:
        return self.store.sql(statement.replace("{table}", self.table))

    def holder(self, index: str) -> tuple[UUID, float] | None:
        """The child holding the number and when it claimed it; None if nobody does."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._sql("SELECT child_id, claimed_at FROM {table} WHERE blind_index = ?"), (index,))
            row = c.fetchone()
        return None if row is None else (UUID(row["child_id"]), float(row["claimed_at"]))

    def claim(self, index: str, child_id: UUID) -> bool:
        """Claim a free number; False if someone holds it (maybe this child)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql("INSERT INTO {table} (blind_index, child_id, claimed_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (blind_index) DO NOTHING RETURNING child_id"), (index, str(child_id), time.time()))
            return c.fetchone() is not None

    def take_over(self, index: str, stale: UUID, child_id: UUID) -> bool:
        """Move the number from a holder that lost it (erased, or its number corrected)
        to `child_id`; False if it moved since it was read."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql("UPDATE {table} SET child_id = ?, claimed_at = ? "
                                "WHERE blind_index = ? AND child_id = ? RETURNING child_id"),
                      (str(child_id), time.time(), index, str(stale)))
            return c.fetchone() is not None

    def release(self, index: str, child_id: UUID) -> None:
        """Free the number if `child_id` holds it."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql("DELETE FROM {table} WHERE blind_index = ? AND child_id = ?"),
                      (index, str(child_id)))

    def forget_child(self, child_id: UUID) -> None:
        """An erased child's claims go, and with them every copy in the files."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(self._sql("DELETE FROM {table} WHERE child_id = ?"), (str(child_id),))
        self.store.scrub(self.table, "national identity number claims")
