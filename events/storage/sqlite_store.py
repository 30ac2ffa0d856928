"""The embedded SQLite store: the library's recorders on connections that are
durable (WAL, synchronous=FULL) and that overwrite deleted content.

Selected with PERSISTENCE_MODULE=events.storage.sqlite_store (the default).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# Import the module, not its classes: the library finds a persistence module's
# factory by scanning it for exactly one factory class.
from eventsourcing import sqlite
from eventsourcing.persistence import DatabaseError, OperationalError

from events.storage.private_files import private_file


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
    # power cut, which are then simply applied again. Far fewer fsyncs.
    synchronous = "NORMAL"


class RebuildConnectionPool(ReadModelConnectionPool):
    """Building a read model from zero (`rebuild`). Used by the rebuild only,
    never by the server.

    - No WAL, when no other connection has the file open: in WAL mode every
      page was written twice, into the WAL and then by the checkpoint, and
      every read looked the page up in a WAL of up to a gigabyte first.
      A rollback journal (DELETE) with synchronous=FULL is as safe as WAL:
      killed or cut off mid-batch, the next opener rolls the batch back from
      the journal. The rebuild puts the file back into WAL at its end
      (`SQLiteView.finish_rebuild`).
    - The first connection decides for the pool; a rollback journal is each
      connection's own setting (DELETE by default), so later ones follow it.
    - If the file is open elsewhere (a running server, a test's runner), it
      stays in WAL, as before: a WAL file cannot leave WAL mode while another
      connection uses it. Then a WAL checkpoint only every 1 GiB. The other
      way round, a process that opens the file during the rebuild switches it
      to WAL between two batches (the rebuild goes on in WAL, slower), or
      fails with "database is locked" within one: stop the server first.
    - A big page cache: inserts land in random places of large indexes. The
      server's connections keep the defaults, so its memory stays small.
    """

    cache_kib = 256 * 1024
    checkpoint_pages = 262_144  # about 1 GiB of WAL between checkpoints, if in WAL
    journal: str | None = None  # "delete" or "wal", as the first connection found

    def _create_connection(self) -> sqlite.SQLiteConnection:
        connection = super()._create_connection()
        c = connection._sqlite_conn  # noqa: SLF001
        c.execute(f"PRAGMA cache_size=-{self.cache_kib}")
        if self.journal is None:
            self.journal = self._leave_wal(c)
        if self.journal == "wal":
            c.execute(f"PRAGMA wal_autocheckpoint={self.checkpoint_pages}")
        else:
            c.execute("PRAGMA synchronous=FULL")
        return connection

    @staticmethod
    def _leave_wal(c: sqlite3.Connection) -> str:
        try:
            (mode,) = c.execute("PRAGMA journal_mode=DELETE").fetchone()
        except sqlite3.OperationalError as e:
            if not held_elsewhere(e):
                raise
            return "wal"  # open elsewhere
        return mode.lower()


class DurableSQLiteDatastore(sqlite.SQLiteDatastore):
    pool_class = DurableSQLiteConnectionPool

    def __init__(self, db_name: str, **kwargs):
        if db_name != ":memory:" and not db_name.startswith("file:"):
            private_file(Path(db_name))  # before SQLite creates it with the umask's mode
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
        as a short SELECT, and a page makes several such reads."""
        with self.get_connection(commit=False) as connection, connection.cursor() as c, library_errors():
            yield c


def held_elsewhere(error: BaseException) -> bool:
    """Whether a sqlite3 error says another connection holds the file (BUSY or
    LOCKED, whatever the extended code): trying again later may succeed."""
    return isinstance(error, sqlite3.Error) and (error.sqlite_errorcode & 0xFF) in (
        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


@contextmanager
def library_errors() -> Iterator[None]:
    """sqlite3's errors as the library's own, as its transactions raise them
    (the driver's error chained): what `projections.live.worth_retrying` reads."""
    try:
        yield
    except sqlite3.OperationalError as e:
        raise OperationalError(e) from e
    except sqlite3.DatabaseError as e:
        raise DatabaseError(e) from e


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
