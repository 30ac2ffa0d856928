"""Server-side sessions: revocable, with idle and absolute timeouts.

The cookie holds a random token; the table holds only its SHA-256, so a copy of
the database cannot be used to take over a session. The session's CSRF token is
derived from the cookie's token (an HMAC under it), so it is never stored
either: the table keeps only its SHA-256, as for the session token. A session is created (with
a fresh id) at sign-in, which rotates away any id an attacker planted.

A session begun at the OpenID provider keeps keyed hashes (blind indexes) of the
provider's session id and subject, so that the provider's sign-out can find and
end it (back-channel logout); neither is kept in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Callable
from uuid import UUID

from events.storage.sidestore import SideStore

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 10 * 3600
TOUCH_EVERY = 60  # write last_seen at most once a minute per session

# Stages: a password was accepted but a second factor is still needed, or is
# still to be set up; or the session is fully signed in.
NEEDS_CODE = "needs_code"
NEEDS_ENROLMENT = "needs_enrolment"
ACTIVE = "active"


@dataclass
class Session:
    token_hash: str
    user_id: UUID
    stage: str
    csrf_token: str
    created_at: float
    last_seen: float

    @property
    def audit_id(self) -> str:
        """A short id for audit records that cannot be turned back into the cookie."""
        return self.token_hash[:16]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _csrf_of(token: str) -> str:
    """The session's CSRF token: only someone holding the cookie can compute it."""
    return hmac.new(token.encode(), b"bekymring csrf", hashlib.sha256).hexdigest()


class SessionStore:
    def __init__(self, store: SideStore, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock
        self.table = store.table("web_sessions")
        with store.creating() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                "token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, stage TEXT NOT NULL, "
                f"csrf_token TEXT NOT NULL, created_at {store.double} NOT NULL, "
                f"last_seen {store.double} NOT NULL)"
            )
            c.execute(
                f"CREATE INDEX IF NOT EXISTS web_sessions_user ON {self.table} (user_id)"
            )
            store.add_column(c, self.table, "provider_sid", "TEXT")
            store.add_column(c, self.table, "provider_sub", "TEXT")
            c.execute(f"CREATE INDEX IF NOT EXISTS web_sessions_provider_sid ON {self.table} (provider_sid)")
            c.execute(f"CREATE INDEX IF NOT EXISTS web_sessions_provider_sub ON {self.table} (provider_sub)")
            # Sessions from before the CSRF token was hashed kept it in clear
            # (43 characters; a SHA-256 is 64): end them.
            c.execute(f"DELETE FROM {self.table} WHERE length(csrf_token) <> 64")

    def _execute(self, statement: str, params: tuple = (), fetch: bool = False, cursor=None):
        """Run one statement (a read on `SideStore.reading`, a write in its own
        transaction), or in the caller's `cursor`."""
        if cursor is None:
            with self.store.reading() if fetch else self.store.datastore.transaction(commit=True) as c:
                return self._execute(statement, params, fetch, c)
        cursor.execute(self.store.sql(statement.replace("{t}", self.table)), params)
        return cursor.fetchone() if fetch else None

    def create(self, user_id: UUID, stage: str, provider: tuple[str | None, str | None] = (None, None)
               ) -> tuple[str, Session]:
        """A new session; returns the cookie token (shown once) and the session.
        `provider`: the blind indexes of the OpenID provider's session id and
        subject, for a session begun there."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(_hash(token), user_id, stage, _csrf_of(token), now, now)
        self._execute(
            "INSERT INTO {t} (token_hash, user_id, stage, csrf_token, created_at, last_seen, "
            "provider_sid, provider_sub) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session.token_hash, str(user_id), stage, _hash(session.csrf_token), now, now, *provider),
        )
        return token, session

    def get(self, token: str | None, cursor=None) -> Session | None:
        """The live session for a cookie token; expired sessions are deleted.
        `cursor`: a cursor on this store that the caller has open (`SideStore.reading`)."""
        if not token:
            return None
        return self.from_row(token, self._execute(*self.select(token), fetch=True, cursor=cursor))

    def select(self, token: str) -> tuple[str, tuple]:
        """The statement `get` reads a session's row with (`{t}` for the table), and its parameters."""
        return ("SELECT token_hash, user_id, stage, csrf_token, created_at, last_seen "
                "FROM {t} WHERE token_hash = ?", (_hash(token),))

    def user_of(self, token: str) -> tuple[str, tuple]:
        """An SQL expression for the id of the session's user (text), and its parameters:
        to read the user's records in the same round trip as the session."""
        return f"(SELECT user_id FROM {self.table} WHERE token_hash = ?)", (_hash(token),)

    def from_row(self, token: str, row) -> Session | None:
        """The live session of the row `select` read (None: no row); an expired one is deleted."""
        if row is None:
            return None
        session = Session(
            row["token_hash"], UUID(row["user_id"]), row["stage"], _csrf_of(token),
            row["created_at"], row["last_seen"],
        )
        now = self.clock()
        if now - session.last_seen > IDLE_SECONDS or now - session.created_at > ABSOLUTE_SECONDS:
            self.delete(session)
            return None
        if now - session.last_seen > TOUCH_EVERY:
            self._execute(
                "UPDATE {t} SET last_seen = ? WHERE token_hash = ?", (now, session.token_hash)
            )
            session.last_seen = now
        return session

    def set_stage(self, session: Session, stage: str) -> None:
        self._execute(
            "UPDATE {t} SET stage = ? WHERE token_hash = ?", (stage, session.token_hash)
        )
        session.stage = stage

    def delete(self, session: Session) -> None:
        self._execute("DELETE FROM {t} WHERE token_hash = ?", (session.token_hash,))

    def revoke_user(self, user_id: UUID) -> None:
        """End every session of a user (deactivation, password reset)."""
        self._execute("DELETE FROM {t} WHERE user_id = ?", (str(user_id),))

    def end_provider_sessions(self, sid: str | None, sub: str | None) -> list[tuple[str, UUID]]:
        """End the sessions the provider signed out (blind indexes of its session
        id and subject): with a session id, that session (of that subject, if
        given); with only a subject, every session of the subject. Returns the
        ended sessions' (audit id, user id)."""
        if sid is None and sub is None:
            return []
        where, params = ("provider_sid = ?", (sid,)) if sid else ("provider_sub = ?", (sub,))
        if sid and sub:
            where, params = where + " AND provider_sub = ?", (sid, sub)
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"SELECT token_hash, user_id FROM {self.table} WHERE {where}"), params)
            ended = [(row["token_hash"][:16], UUID(row["user_id"])) for row in c.fetchall()]
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE {where}"), params)
        return ended

    def purge_expired(self) -> None:
        now = self.clock()
        self._execute(
            "DELETE FROM {t} WHERE last_seen < ? OR created_at < ?",
            (now - IDLE_SECONDS, now - ABSOLUTE_SECONDS),
        )
