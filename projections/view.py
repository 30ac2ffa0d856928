"""Read-model tables with tracking records, on SQLite or PostgreSQL.

A view is the library's tracking recorder plus the read model's own tables, so
a batch of events and the position they bring the view to commit together:
each event is applied exactly once. Queries are written once, with `?`
placeholders and `{name}` table references; `sql()` adapts them to the store.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import contextmanager, nullcontext, suppress
from typing import Any, ContextManager, Iterator

from eventsourcing.persistence import IntegrityError as TrackingConflict
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from events.storage.postgres_recorder import creating_tables
from events.storage.sqlite_store import held_elsewhere
from events.storage.wal import empty_wal

log = logging.getLogger(__name__)

# `{key}` is text compared byte by byte, for ids and ISO times: SQLite's default,
# while PostgreSQL compares TEXT by the database's locale (C.UTF-8 included),
# which has no fast path and made building the access log's indexes about
# twice as slow. Human text (names, titles) stays TEXT.
SQLITE_TYPES = {"blob": "BLOB", "bigint": "INTEGER", "bool": "INTEGER", "key": "TEXT"}
POSTGRES_TYPES = {"blob": "BYTEA", "bigint": "BIGINT", "bool": "INTEGER", "key": 'TEXT COLLATE "C"'}


class ViewTables:
    """What a read model declares: its tables (name -> column DDL) and indexes."""

    name: str = ""
    tables: dict[str, str] = {}
    indexes: tuple[str, ...] = ()  # "CREATE INDEX IF NOT EXISTS <name> ON {table} (...)"
    # Indexes that only the pages use, not the read model while it applies events:
    # a rebuild creates them at the end, in one sort each, instead of filling them
    # row by row.
    built_after_rebuild: tuple[str, ...] = ()
    dialect: str = ""
    # The version of the tables and of what the read model derives into them: bump
    # it when either changes, and a store built by an older version is dropped and
    # built again from event 1 as it is opened (`construct_view`).
    version: int = 1

    def qualify(self, table: str) -> str:
        raise NotImplementedError

    def sql(self, statement: str) -> str:
        """Adapt a statement: `{table}` names become qualified, `?` fits the driver."""
        cache = self.__dict__.setdefault("_sql_cache", {})  # every event runs a few statements
        adapted = cache.get(statement)
        if adapted is None:
            adapted = statement.format(**{t: self.qualify(t) for t in self.tables})
            if self.dialect == "postgres":
                adapted = adapted.replace("?", "%s")
            cache[statement] = adapted
        return adapted

    def pipelined(self, c: Any) -> ContextManager[Any]:
        """Within a transaction: a cursor that sends statements without waiting for
        each reply (PostgreSQL's pipeline mode; SQLite is in-process and needs nothing)."""
        return nullcontext(c)

    def insert_rows(self, c: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Insert many rows into one of the view's tables, the fastest way `c` allows."""
        c.executemany(self.sql(f"INSERT INTO {{{table}}} ({', '.join(columns)}) "
                               f"VALUES ({', '.join('?' * len(columns))})"), rows)

    def ddl(self) -> list[str]:
        types = POSTGRES_TYPES if self.dialect == "postgres" else SQLITE_TYPES
        statements = [
            f"CREATE TABLE IF NOT EXISTS {self.qualify(t)} ({cols.format(**types)})"
            for t, cols in self.tables.items()
        ]
        version = f"CREATE TABLE IF NOT EXISTS {self.version_table()} (version INTEGER NOT NULL)"
        stops = f"CREATE TABLE IF NOT EXISTS {self.stops_table()} (undecodable INTEGER NOT NULL, reason TEXT NOT NULL)"
        return statements + [version, stops] + [self.sql(i) for i in self.indexes]

    def version_table(self) -> str:
        return self.qualify_index(f"{self.name}_version")

    def stops_table(self) -> str:
        """Where the read model's follower says it stopped (one row, or none), so
        that every process, `intranet projections status` and `/health` see it."""
        return self.qualify_index(f"{self.name}_stops")

    def record_stop(self, reason: str, undecodable: bool) -> None:
        with self.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self.stops_table()}")
            c.execute(self.sql(f"INSERT INTO {self.stops_table()} (undecodable, reason) VALUES (?, ?)"),
                      (int(undecodable), reason))

    def clear_stop(self) -> None:
        with self.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self.stops_table()}")

    def progress(self, application_name: str) -> tuple[int, tuple[bool, str] | None]:
        """The position recorded, and the stop recorded (undecodable, reason) if
        any, in one statement: another process follows the read model."""
        return read_progress(self.fetchone(self.sql(self.progress_statement()), (application_name,)))

    def progress_statement(self) -> str:
        """`progress`'s statement, one row (with `?` for the application's name)."""
        return (f"SELECT (SELECT notification_id FROM {self.tracking_table()} WHERE application_name = ?) AS position, "
                f"(SELECT undecodable FROM {self.stops_table()} LIMIT 1) AS undecodable, "
                f"(SELECT reason FROM {self.stops_table()} LIMIT 1) AS reason")

    def built_by_another_version(self) -> bool:
        """Whether the tables hold what another version of the read model built. One
        built before versions were kept has no version but a position: version 1."""
        row = self.fetchone(f"SELECT version FROM {self.version_table()}")
        if row is not None:
            return row["version"] != self.version
        # The library marks a new tracking table with a `__migration__` row: no position.
        started = self.fetchone(f"SELECT 1 AS started FROM {self.tracking_table()} "
                                "WHERE application_name <> '__migration__' LIMIT 1")
        return started is not None and self.version != 1

    def versioning(self) -> ContextManager[Any]:
        """Held while the version is checked and the tables perhaps dropped: a
        process starting meanwhile waits, then finds them current."""
        return nullcontext()

    def record_version(self) -> None:
        """Say which version built the tables (once; a no-op when it is said)."""
        with self.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self.version_table()} WHERE version <> {int(self.version)}")
            c.execute(f"INSERT INTO {self.version_table()} (version) SELECT {int(self.version)} "
                      f"WHERE NOT EXISTS (SELECT 1 FROM {self.version_table()})")

    @contextmanager
    def transaction(self, commit: bool = False) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as c:  # type: ignore[attr-defined]
            yield c

    def record_position(self, c: Any, application_name: str, position: int, expected: int | None = None) -> None:
        """Record `position` in the caller's transaction `c`. With `expected`, only
        if the view is still where this process last left it: otherwise another
        process applied events meanwhile (it took the read model over), and
        TrackingConflict rolls the batch back instead of applying events twice."""
        if expected is None:
            self._insert_tracking(c, Tracking(application_name, position))  # type: ignore[attr-defined]
            return
        c.execute(self.sql(f"UPDATE {self.tracking_table()} SET notification_id = ? "
                           "WHERE application_name = ? AND notification_id = ? RETURNING notification_id"),
                  (position, application_name, expected))
        if c.fetchone() is not None:
            return
        if expected == 0:  # nothing recorded yet
            c.execute(self.sql(f"INSERT INTO {self.tracking_table()} (application_name, notification_id) "
                               "VALUES (?, ?) ON CONFLICT (application_name) DO NOTHING RETURNING notification_id"),
                      (application_name, position))
            if c.fetchone() is not None:
                return
        raise TrackingConflict(f"read model {self.name}: moved on from {expected} by another process")

    def position(self, application_name: str) -> int:
        return self.max_tracking_id(application_name) or 0  # type: ignore[attr-defined]

    def reading(self) -> ContextManager[Any]:
        """A cursor for one read-only statement, outside a transaction: a single
        statement is atomic on its own, and a read transaction costs a BEGIN
        and a ROLLBACK (round trips, on PostgreSQL)."""
        raise NotImplementedError

    def fetchall(self, statement: str, params: tuple = ()) -> list[Any]:
        with self.reading() as c:
            c.execute(self.sql(statement), params)
            return c.fetchall()

    def _rows(self, statement: str, params: tuple = ()) -> list[dict]:
        """The rows as plain dicts (both drivers' row types read alike)."""
        return [dict(r) for r in self.fetchall(statement, params)]

    def fetchone(self, statement: str, params: tuple = ()) -> Any:
        with self.reading() as c:
            c.execute(self.sql(statement), params)
            return c.fetchone()

    def start_rebuild(self) -> None:
        with self.transaction(commit=True) as c:
            for name in self.built_after_rebuild:
                c.execute(f"DROP INDEX IF EXISTS {self.qualify_index(name)}")

    def finish_rebuild(self) -> None:
        with self.transaction(commit=True) as c:
            for statement in self.indexes:
                c.execute(self.sql(statement))

    def qualify_index(self, name: str) -> str:
        return name

    def drop(self) -> None:
        """Remove the read model and its tracking, to rebuild it from zero."""
        with self.transaction(commit=True) as c:
            for table in self.tables:
                c.execute(f"DROP TABLE IF EXISTS {self.qualify(table)}")
            c.execute(f"DROP TABLE IF EXISTS {self.version_table()}")
            c.execute(f"DROP TABLE IF EXISTS {self.stops_table()}")
            c.execute(f"DROP TABLE IF EXISTS {self.tracking_table()}")

    def tracking_table(self) -> str:
        raise NotImplementedError

    def scrub(self) -> None:
        """After rows were purged for an erasure: leave no copy of them in the files.
        PostgreSQL keeps dead rows until (auto)vacuum; its tables no longer show them."""


def read_progress(row: Any) -> tuple[int, tuple[bool, str] | None]:
    stop = None if row["reason"] is None else (bool(row["undecodable"]), row["reason"])
    return row["position"] or 0, stop


def progress_of(views: list[ViewTables], application_name: str) -> list[tuple[int, tuple[bool, str] | None]]:
    """`progress` of several views: on PostgreSQL in one statement (they share the
    database), as a process that follows none of them asks at every poll."""
    if not views:
        return []
    if views[0].dialect != "postgres":
        return [view.progress(application_name) for view in views]
    statement = " UNION ALL ".join(f"SELECT {i} AS i, * FROM ({v.progress_statement()}) AS p{i}"
                                   for i, v in enumerate(views))
    with views[0].reading() as c:
        c.execute(statement.replace("?", "%s"), [application_name] * len(views))
        rows = sorted(c.fetchall(), key=lambda r: r["i"])
    return [read_progress(row) for row in rows]


class SQLiteView(ViewTables, SQLiteTrackingRecorder):
    dialect = "sqlite"

    def qualify(self, table: str) -> str:
        return table

    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + self.ddl()

    def tracking_table(self) -> str:
        return "tracking"

    def scrub(self) -> None:
        """Leave no copy of purged rows in the WAL or the file's old pages (events/storage/wal.py)."""
        empty_wal(self.datastore, f"read model {self.name}")

    def drop(self) -> None:
        """As for any view; but a read model's SQLite file holds nothing else, so a
        rebuild that has the file alone (out of WAL, see RebuildConnectionPool)
        deletes it instead: dropping the access log's million rows made SQLite
        walk every page before the rebuild's helper could apply anything."""
        pool = self.datastore.pool
        if getattr(pool, "journal", None) != "delete":  # open elsewhere too, or not for a rebuild
            super().drop()
            return
        with self.datastore.get_connection(commit=True) as connection:
            c = connection._sqlite_conn  # noqa: SLF001
            c.execute("BEGIN EXCLUSIVE")  # nobody reads or writes it while it goes
            try:
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with suppress(FileNotFoundError):
                        os.remove(pool.db_name + suffix)
            finally:
                c.execute("ROLLBACK")

    def reading(self) -> ContextManager[Any]:
        return self.datastore.reading()  # type: ignore[attr-defined]

    def finish_rebuild(self) -> None:
        super().finish_rebuild()
        # Back into WAL, as the server's connections want it (a rebuild that had
        # the file alone wrote it with a rollback journal: RebuildConnectionPool),
        # or the long-kept WAL into the file. Outside a transaction: a journal
        # mode cannot change inside one.
        with self.datastore.get_connection(commit=True) as connection, connection.cursor() as c:
            try:
                c.execute("PRAGMA journal_mode=WAL")
                (mode,) = c.fetchone()
                c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as e:  # held elsewhere: its next opener switches it
                if not held_elsewhere(e):
                    raise
                mode = str(e)
        if mode != "wal":
            log.warning("read model %s left out of WAL after its rebuild (%s); "
                        "its next opener switches it", self.name, mode)


class StatementCursors:
    """A cursor for pipeline mode that gives every statement a cursor of its own.

    In pipeline mode a psycopg cursor keeps the result of each statement it sent,
    and a fetch reads the oldest one not yet read (psycopg issue #604). So a
    SELECT's fetchone() after an INSERT on the same cursor could meet the
    INSERT's result, or not, depending on when the replies had arrived (a rebuild
    failed now and then with "the last operation didn't produce records").
    Here a fetch always reads the statement just sent."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.last: Any = None

    def execute(self, statement: Any, params: Any = None) -> StatementCursors:
        self.last = self.connection.cursor()
        self.last.execute(statement, params)
        return self

    def executemany(self, statement: Any, rows: Any) -> StatementCursors:
        self.last = self.connection.cursor()
        self.last.executemany(statement, rows)
        return self

    def fetchone(self) -> Any:
        return self.last.fetchone()

    def fetchall(self) -> list[Any]:
        return self.last.fetchall()


class PostgresView(ViewTables, PostgresTrackingRecorder):
    dialect = "postgres"

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, tracking_table_name=f"{self.name}_tracking", **kwargs)
        self.sql_create_statements.extend(SQL(s) for s in self.ddl())  # type: ignore[arg-type]

    def qualify(self, table: str) -> str:
        return f"{self.datastore.schema}.{self.name}_{table}"

    def create_table(self) -> None:
        # In turn with other processes creating tables (creating_tables); the library
        # also looks for its tracking table first, which must see the one made
        # by a process ahead.
        with creating_tables(self.datastore):
            super().create_table()

    @contextmanager
    def pipelined(self, c: Any) -> Iterator[Any]:
        with c.connection.pipeline():
            yield StatementCursors(c.connection)

    def qualify_index(self, name: str) -> str:
        return f"{self.datastore.schema}.{name}"

    @contextmanager
    def versioning(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (self.version_table(),))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.version_table(),))

    def insert_rows(self, c: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        # COPY moves a batch's rows several times faster than an INSERT each, but
        # pipeline mode does not allow it: there (a flush in mid-batch) INSERT.
        if isinstance(c, StatementCursors):
            super().insert_rows(c, table, columns, rows)
            return
        with c.copy(f"COPY {self.qualify(table)} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def transaction(self, commit: bool = False) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as c:
            if commit:
                # As on SQLite (synchronous=NORMAL): a read model can be rebuilt, and
                # its tracking record commits with it, so a server crash may lose
                # the last batches, which are then applied again. Waiting for the
                # disk cost one flush per read model for every access event.
                c.execute("SET LOCAL synchronous_commit = off")
            yield c

    @contextmanager
    def reading(self) -> Iterator[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as c:  # type: ignore[attr-defined]
            yield c

    def finish_rebuild(self) -> None:
        super().finish_rebuild()
        # Fresh statistics for the planner at once, as after any bulk load: until
        # autovacuum gets to them (never, where it is off), it guesses row counts.
        with self.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            for table in self.tables:
                conn.execute(f"ANALYZE {self.qualify(table)}")

    def tracking_table(self) -> str:
        return f"{self.datastore.schema}.{self.tracking_table_name}"
