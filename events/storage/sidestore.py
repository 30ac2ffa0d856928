"""Tables beside the event store that are not events: wrapped keys, web sessions,
login throttles. On PostgreSQL they share the event store's database and pool;
on SQLite each gets a durable file of its own in the data directory."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from events.storage.sqlite_store import DurableSQLiteDatastore
from events.storage.wal import empty_wal

log = logging.getLogger(__name__)


@dataclass
class SideStore:
    datastore: Any  # an eventsourcing datastore: transaction(commit=...) -> cursor
    dialect: str  # "sqlite" or "postgres"

    def table(self, name: str) -> str:
        return f"{self.datastore.schema}.{name}" if self.dialect == "postgres" else name

    def sql(self, statement: str) -> str:
        """Statements use `?` placeholders; psycopg wants `%s`."""
        return statement.replace("?", "%s") if self.dialect == "postgres" else statement

    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A cursor for reads that need no common snapshot, outside a transaction
        (the pool's connections autocommit): a read transaction cost a BEGIN and
        a ROLLBACK, and on every ROLLBACK psycopg drops the connection's prepared
        statements (a DEALLOCATE ALL on its next use)."""
        if self.dialect == "postgres":
            with self.datastore.get_connection() as conn, conn.cursor() as c:
                yield c
        else:
            with self.datastore.reading() as c:
                yield c

    def scrub(self, table: str, what: str) -> None:
        """After rows of `table` (qualified) were deleted or blanked for an erasure:
        leave no copy of them in the files. On SQLite, empty the WAL (events/storage/wal.py);
        on PostgreSQL, VACUUM the table, which removes the dead row versions from
        its pages (it runs outside a transaction: the pool's connections autocommit)."""
        if self.dialect == "sqlite":
            empty_wal(self.datastore, what)
            return
        try:
            with self.datastore.get_connection() as conn, conn.cursor() as c:
                c.execute(f"VACUUM {table}")
        except Exception:  # what was deleted is gone from every query; autovacuum comes later
            log.warning("%s: deleted rows stay in the table's pages until the next (auto)vacuum",
                        what, exc_info=True)

    def add_column(self, cursor: Any, table: str, column: str, definition: str) -> None:
        """Add a column to a table made before the column existed (SQLite has no
        ADD COLUMN IF NOT EXISTS)."""
        if self.dialect == "postgres":
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {definition}")
            return
        cursor.execute(f"PRAGMA table_info({table})")
        if column not in {row["name"] for row in cursor.fetchall()}:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")

    @property
    def blob(self) -> str:
        return "BYTEA" if self.dialect == "postgres" else "BLOB"

    @property
    def double(self) -> str:
        # PostgreSQL's REAL is 4 bytes: too coarse for epoch seconds.
        return "DOUBLE PRECISION" if self.dialect == "postgres" else "REAL"


def sqlite_side_store(data_dir: Path, name: str) -> SideStore:
    return SideStore(DurableSQLiteDatastore(str(data_dir / f"{name}.sqlite")), "sqlite")
