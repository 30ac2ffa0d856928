"""The embedded SQLite store: the library's recorders on connections that are
durable (WAL, synchronous=FULL) and that overwrite deleted content.

Selected with PERSISTENCE_MODULE=events.sqlite_store (the default).
"""

from __future__ import annotations

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
    """Building a read model from zero (`rebuild`): inserts land in random places
    of large indexes, so a big page cache saves reading them back, and
    checkpointing the WAL every 4 MB (the default) rewrote the same pages again
    and again. Used by the rebuild only, never by the server (its memory stays small)."""

    cache_kib = 256 * 1024
    checkpoint_pages = 262_144  # about 1 GiB of WAL between checkpoints

    def _create_connection(self) -> sqlite.SQLiteConnection:
        connection = super()._create_connection()
        c = connection._sqlite_conn  # noqa: SLF001
        c.execute(f"PRAGMA cache_size=-{self.cache_kib}")
        c.execute(f"PRAGMA wal_autocheckpoint={self.checkpoint_pages}")
        return connection


class DurableSQLiteDatastore(sqlite.SQLiteDatastore):
    pool_class = DurableSQLiteConnectionPool

    def __init__(self, db_name: str, **kwargs):
        super().__init__(db_name, **kwargs)
        self.pool = self.pool_class(
            db_name=db_name,
            lock_timeout=kwargs.get("lock_timeout"),
        )


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
