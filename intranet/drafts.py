"""Autosaved drafts of the new-concern form: one per user, sealed under the
system key, deleted when the concern is filed (and after a week untouched)."""

from __future__ import annotations

import json
import time
from uuid import UUID

from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from events.storage.sidestore import SideStore

KEEP_SECONDS = 7 * 24 * 3600
# Filled in on a fresh form: a draft with nothing else holds nothing of the user's.
PREFILLED = ("observed_on", "form_key")


def is_empty(values: dict) -> bool:
    """Whether the draft holds nothing the user wrote or chose."""
    return not any(v.strip() if isinstance(v, str) else v for k, v in values.items() if k not in PREFILLED)


class DraftStore:
    def __init__(self, store: SideStore, keystore):
        self.store = store
        self.keystore = keystore
        self.table = store.table("concern_drafts")
        with store.creating() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (user_id TEXT PRIMARY KEY, "
                f"sealed {store.blob} NOT NULL, saved_at {store.double} NOT NULL)"
            )

    def save(self, user_id: UUID, values: dict[str, str]) -> float:
        """Keep the draft; an emptied form leaves no draft to bring back."""
        now = time.time()
        if is_empty(values):
            self.delete(user_id)
            return now
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
        values = json.loads(text) if text else None
        return None if values is None or is_empty(values) else values

    def delete(self, user_id: UUID) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE user_id = ?"), (str(user_id),))
