"""Break-the-glass grants that are still valid, for the policy to consult on
every request. The grant itself is an event (`BreakGlass`); this table is only
the fast look-up of what is open right now."""

from __future__ import annotations

import time
from uuid import UUID

from events.storage.sidestore import SideStore

GRANT_MINUTES = 60


class GrantStore:
    def __init__(self, store: SideStore):
        self.store = store
        self.table = store.table("glass_grants")
        with store.creating() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (user_id TEXT NOT NULL, record_id TEXT NOT NULL, "
                f"expires_at {store.double} NOT NULL, PRIMARY KEY (user_id, record_id))"
            )

    def grant(self, user_id: UUID, record_ids: list[UUID], minutes: int = GRANT_MINUTES) -> None:
        expires = time.time() + minutes * 60
        with self.store.datastore.transaction(commit=True) as c:
            for record_id in record_ids:
                c.execute(
                    self.store.sql(
                        f"INSERT INTO {self.table} (user_id, record_id, expires_at) VALUES (?, ?, ?) "
                        "ON CONFLICT (user_id, record_id) DO UPDATE SET expires_at = excluded.expires_at"
                    ),
                    (str(user_id), str(record_id), expires),
                )

    def open_until(self, user_id: UUID, cursor=None) -> dict[UUID, float]:
        """The records open to the user right now, each with when its grant ends
        (seconds since the epoch): a page shown by a grant says until when.
        `cursor`: a cursor on this store that the caller has open (`SideStore.reading`)."""
        if cursor is None:
            with self.store.reading() as c:
                return self.open_until(user_id, c)
        cursor.execute(
            self.store.sql(f"SELECT record_id, expires_at FROM {self.table} WHERE user_id = ? AND expires_at > ?"),
            (str(user_id), time.time()),
        )
        return {UUID(r["record_id"]): float(r["expires_at"]) for r in cursor.fetchall()}
