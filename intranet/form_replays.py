"""A form posted twice (a double click, a resend after a timeout) files one
record: the form carries a key (the new-concern form: its draft's key), the
first post claims it, and a replay gets the first post's result."""

from __future__ import annotations

import time
from uuid import UUID

from events.storage.sidestore import SideStore

KEEP_SECONDS = 7 * 24 * 3600  # as long as a draft, which carries the key
WAIT_SECONDS = 10  # a replay waits this long for the first post to finish
ABANDONED_SECONDS = 60  # a claim unfinished this long was left by a process that died


class FormInFlight(Exception):
    """The first post of this form is still being filed."""


class FormReplays:
    def __init__(self, store: SideStore, clock=time.time):
        self.store = store
        self.clock = clock
        self.table = store.table("form_replays")
        with store.creating() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (form_key TEXT PRIMARY KEY, user_id TEXT NOT NULL, "
                f"result TEXT, claimed_at {store.double} NOT NULL)"
            )

    def claim(self, key: UUID, user_id: UUID) -> UUID | None:
        """None: this post is the first and is to file the record (then `done` or
        `release`). Else the record the first post filed. Raises FormInFlight if
        the first post has not finished within WAIT_SECONDS."""
        deadline = self.clock() + WAIT_SECONDS
        while True:
            with self.store.datastore.transaction(commit=True) as c:
                c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE claimed_at < ?"),
                          (self.clock() - KEEP_SECONDS,))
                # The key is scoped to its user: another user's key is a new form.
                c.execute(
                    self.store.sql(f"INSERT INTO {self.table} (form_key, user_id, result, claimed_at) "
                                   "VALUES (?, ?, NULL, ?) ON CONFLICT (form_key) DO NOTHING RETURNING form_key"),
                    (self._key(key, user_id), str(user_id), self.clock()),
                )
                if c.fetchone() is not None:
                    return None
                c.execute(self.store.sql(f"SELECT result, claimed_at FROM {self.table} WHERE form_key = ?"),
                          (self._key(key, user_id),))
                row = c.fetchone()
                if row is not None and not row["result"] and row["claimed_at"] < self.clock() - ABANDONED_SECONDS:
                    c.execute(self.store.sql(f"UPDATE {self.table} SET claimed_at = ? WHERE form_key = ?"),
                              (self.clock(), self._key(key, user_id)))
                    return None
            if row is not None and row["result"]:
                return UUID(row["result"])
            if self.clock() > deadline:
                raise FormInFlight()
            time.sleep(0.1)

    def done(self, key: UUID, user_id: UUID, result: UUID) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"UPDATE {self.table} SET result = ? WHERE form_key = ?"),
                      (str(result), self._key(key, user_id)))

    def release(self, key: UUID, user_id: UUID) -> None:
        """The post was refused: the same form may be sent again, corrected."""
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE form_key = ?"), (self._key(key, user_id),))

    @staticmethod
    def _key(key: UUID, user_id: UUID) -> str:
        return f"{user_id}:{key}"
