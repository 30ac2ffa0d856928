"""Autosaved drafts of the new-concern form: one per user, sealed under the
system key, deleted when the concern is filed (and after a week untouched)."""

from __future__ import annotations

import json
import time
from uuid import UUID

from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from events.storage.sidestore import SideStore

KEEP_SECONDS = 7 * 24 * 3600


class DraftStore:
    def __init__(self, store: SideStore, keystore):
        self.store = store
        self.keystore = keystore
        self.table = store.table("concern_drafts")
        with store.datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (user_id TEXT PRIMARY KEY, "
                f"sealed {store.blob} NOT NULL, saved_at {store.double} NOT NULL)"
            )

    def save(self, user_id: UUID, values: dict[str, str]) -> float:
        now = time.time()
        sealed = seal(self.keystore, SYSTEM_KEY_ID, json.dumps(values), f"draft:{user_id}")
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(
                self.store.sql(
                    f"INSERT INTO {self.table} (user_id, sealed, saved_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, saved_at = excluded.saved_at"
                ),
                (str(user_id), sealed, now),
            )
        return now

    def load(self, user_id: UUID) -> dict[str, str] | None:
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT sealed, saved_at FROM {self.table} WHERE user_id = ?"),
                      (str(user_id),))
            row = c.fetchone()
        if row is None or time.time() - row["saved_at"] > KEEP_SECONDS:
            return None
        text = unseal(self.keystore, SYSTEM_KEY_ID, row["sealed"], f"draft:{user_id}")
        return json.loads(text) if text else None

    def delete(self, user_id: UUID) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE user_id = ?"), (str(user_id),))
