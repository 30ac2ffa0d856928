"""The embedded SQLite store: the library's recorders on connections that are
durable (WAL, synchronous=FULL) and that overwrite deleted content.

Selected with PERSISTENCE_MODULE=events.sqlite_store (the default).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

# Import the module, not its classes: the library finds a persistence module's
# factory by scanning it for exactly one factory class.
from eventsourcing import sqlite


class DurableSQLiteConnectionPool(sqlite.SQLiteConnectionPool):
    synchronous = "FULL"

    def _create_connection(self) -> sqlite.SQLiteConnection:
        connection = super()._create_connection()
        c = connection._sqlite_conn  # noqa: SLF001 - no public accessor
        # FULL: a commit is on disk before it is acknowledged, even in WAL mode.
        c.execute(f"PRAGMA synchronous={self.synchronous}")
        # Shredded keys and purged rows must not linger in free pages.
        c.execute("PRAGMA secure_delete=ON")
        c.execute("PRAGMA foreign_keys=ON")
        return connection


class ReadModelConnectionPool(DurableSQLiteConnectionPool):
    # Read models can be rebuilt, and their tracking records say where they got
    # to: NORMAL (still crash-safe in WAL mode) may lose the last batches on a
    # power cut, which are then simply applied again. Five times fewer fsyncs.
    synchronous = "NORMAL"


class RebuildConnectionPool(ReadModelConnectionPool):
    """Building a read model from zero (`rebuild`). Used by the rebuild only,
    never by the server.

    - No WAL, when no other connection has the file open: in WAL mode every
      page was written twice, into the WAL and then by the checkpoint, and
      every read looked the page up in a WAL of up to a gigabyte first. The
      access log's 640 MB, written anew on this machine: rows 7.8–8.9 s in WAL
      against 6.6 s, indexes and checkpoint 8.5–11.5 s against 5.2 s.
      A rollback journal (DELETE) still survives the process being killed:
      the next opener rolls the last group back, and the library switches the
      file back to WAL then.
    - synchronous=OFF in that mode: the rebuild syncs the file once, at the end
      (`SQLiteView.finish_rebuild`). A power cut during a rebuild can leave the
      file corrupt; delete it and rebuild again (nothing else is lost: the
      events are elsewhere).
    - If the file is open elsewhere (a running server, or a test's runner), it
      stays in WAL, as before: a WAL file cannot leave WAL mode while another
      connection uses it. Then a WAL checkpoint only every 1 GiB.
    - A big page cache: inserts land in random places of large indexes. The
      server's connections keep the defaults, so its memory stays small.
    """

    cache_kib = 256 * 1024
    checkpoint_pages = 262_144  # about 1 GiB of WAL between checkpoints, if in WAL

    def _create_connection(self) -> sqlite.SQLiteConnection:
        connection = super()._create_connection()
        c = connection._sqlite_conn  # noqa: SLF001
        c.execute(f"PRAGMA cache_size=-{self.cache_kib}")
        try:
            (mode,) = c.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError as e:
            if e.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
                raise
            mode = "wal"  # open elsewhere
        if mode.lower() == "wal":
            c.execute(f"PRAGMA wal_autocheckpoint={self.checkpoint_pages}")
        else:
            c.execute("PRAGMA synchronous=OFF")
        return connection


class DurableSQLiteDatastore(sqlite.SQLiteDatastore):
    pool_class = DurableSQLiteConnectionPool

    def __init__(self, db_name: str, **kwargs):
        super().__init__(db_name, **kwargs)
        self.pool = self.pool_class(
            db_name=db_name,
            lock_timeout=kwargs.get("lock_timeout"),
        )

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Cursor]:
        """A cursor for reads that need no common snapshot: each statement is a
        transaction of its own (the connections autocommit). The library's
        read transaction adds a BEGIN and a ROLLBACK, which cost as much again
        as a short SELECT (11 µs of 22), and a page makes several such reads."""
        with self.get_connection(commit=False) as connection, connection.cursor() as c:
            yield c


class ReadModelDatastore(DurableSQLiteDatastore):
    pool_class = ReadModelConnectionPool


class RebuildDatastore(DurableSQLiteDatastore):
    pool_class = RebuildConnectionPool


class Factory(sqlite.SQLiteFactory):
    def __init__(self, env):
        super().__init__(env)
        old = self.datastore
        self.datastore = DurableSQLiteDatastore(
            db_name=old.pool.db_name,
            lock_timeout=old.pool.lock_timeout,
            single_row_tracking=old.single_row_tracking,
            originator_id_type=old.originator_id_type,
        )
        old.close()
