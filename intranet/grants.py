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
                f"expires_at {store.double} NOT NULL, grant_id TEXT, PRIMARY KEY (user_id, record_id))"
            )
            # The grant's id, which each access under it names as its basis: a table
            # made before that has no column for it (its rows end within the hour).
            if store.dialect == "postgres":
                c.execute(f"ALTER TABLE {self.table} ADD COLUMN IF NOT EXISTS grant_id TEXT")
            else:
                c.execute(f"PRAGMA table_info({self.table})")
                if "grant_id" not in {row["name"] for row in c.fetchall()}:
                    c.execute(f"ALTER TABLE {self.table} ADD COLUMN grant_id TEXT")

    def grant(self, user_id: UUID, record_ids: list[UUID], minutes: int = GRANT_MINUTES,
              grant_id: UUID | None = None) -> None:
        """Open `record_ids` to the user for `minutes`, by the grant (the `BreakGlass` record) `grant_id`."""
        expires = time.time() + minutes * 60
        with self.store.datastore.transaction(commit=True) as c:
            for record_id in record_ids:
                c.execute(
                    self.store.sql(
                        f"INSERT INTO {self.table} (user_id, record_id, expires_at, grant_id) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (user_id, record_id) DO UPDATE SET expires_at = excluded.expires_at, "
                        "grant_id = excluded.grant_id"
                    ),
                    (str(user_id), str(record_id), expires, str(grant_id) if grant_id else None),
                )

    def open_until(self, user_id: UUID, cursor=None) -> dict[UUID, float]:
        """The records open to the user right now, each with when its grant ends
        (seconds since the epoch): a page shown by a grant says until when.
        `cursor`: a cursor on this store that the caller has open (`SideStore.reading`)."""
        if cursor is None:
            with self.store.reading() as c:
                return self.open_until(user_id, c)
        return {record: until for record, (until, _grant) in self.open_grants(user_id, cursor).items()}

    def open_grants(self, user_id: UUID, cursor) -> dict[UUID, tuple[float, UUID | None]]:
        """The records open to the user right now, each with when its grant ends and the grant's id."""
        cursor.execute(*self.select_open("?", (str(user_id),)))
        return self.from_rows(cursor.fetchall())

    def select_open(self, user: str, params: tuple) -> tuple[str, tuple]:
        """The statement for the grants open now to the user the SQL expression `user` names."""
        return (self.store.sql(f"SELECT record_id, expires_at, grant_id FROM {self.table} "
                               f"WHERE user_id = {user} AND expires_at > ? ORDER BY expires_at"),
                (*params, time.time()))

    @staticmethod
    def from_rows(rows) -> dict[UUID, tuple[float, UUID | None]]:
        return {UUID(r["record_id"]): (float(r["expires_at"]), UUID(r["grant_id"]) if r["grant_id"] else None)
                for r in rows}
