"""Which process follows each read model: one at a time, across every process on
the store.

A process that follows a read model holds its lock: on PostgreSQL a session-level
advisory lock on a connection of its own, on SQLite an exclusive `flock` on a
file beside the read model's. Both are released when the process ends, however
it ends (SIGKILL included: the server closes the session, the kernel the file),
and another process takes the read model over at its next poll. The others read
what the follower wrote (the tables are shared) and learn its position from the
tracking record.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Any

import psycopg

from events.application import data_dir_of, uses_postgres

log = logging.getLogger(__name__)


class AdvisoryLocks:
    """PostgreSQL: one connection, outside the pool, holding the locks of the read
    models this process follows. Its loss loses them all (`alive`)."""

    def __init__(self, datastore: Any):
        self.schema = datastore.schema
        self.params = {k: v for k, v in datastore.pool.kwargs.items() if k != "row_factory"}
        self.connection: psycopg.Connection | None = None
        self.held: set[str] = set()

    def key(self, name: str) -> str:
        return f"bekymring: follows {self.schema}.{name}"

    def claim(self, names: list[str]) -> set[str]:
        """Take the locks of those read models no other process holds (never waits),
        in one statement; return the names taken."""
        wanted = [n for n in names if n not in self.held]  # held already: given up after a race, taken again
        if wanted:
            if self.connection is None:
                self.connection = psycopg.connect(**self.params, autocommit=True, connect_timeout=5)
            columns = ", ".join(["pg_try_advisory_lock(hashtext(%s))"] * len(wanted))
            taken = self.connection.execute(f"SELECT {columns}", [self.key(n) for n in wanted]).fetchone()
            self.held |= {name for name, got in zip(wanted, taken) if got}
        return self.held & set(names)

    def alive(self) -> bool:
        """Whether the locks taken are still held: their connection still answers.
        False once: the caller gives up every read model it followed."""
        if self.connection is None:
            return False
        try:
            self.connection.execute("SELECT 1")
            return True
        except psycopg.Error:
            log.warning("the connection holding the read models' locks is lost; other processes may take them over")
            self.close()
            return False

    def close(self) -> None:
        self.held.clear()
        if self.connection is not None:
            try:
                self.connection.close()  # the server releases the locks with the session
            finally:
                self.connection = None


class FileLocks:
    """SQLite: an exclusive `flock` per read model, on `views/NAME.follower`."""

    def __init__(self, views_dir: Path):
        self.views_dir = views_dir
        self.held: dict[str, int] = {}

    def claim(self, names: list[str]) -> set[str]:
        return {name for name in names if self._claim(name)}

    def _claim(self, name: str) -> bool:
        if name in self.held:  # given up after a race, taken again
            return True
        fd = os.open(self.views_dir / f"{name}.follower", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.held[name] = fd
        return True

    def alive(self) -> bool:
        return True

    def close(self) -> None:
        for fd in self.held.values():
            os.close(fd)
        self.held.clear()


def lead_locks(app: Any) -> AdvisoryLocks | FileLocks:
    if uses_postgres(app.env):
        return AdvisoryLocks(app.factory.datastore)
    return FileLocks(data_dir_of(app.env) / "views")
