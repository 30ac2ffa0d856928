"""The library's PostgreSQL recorder, reading stored events faster.

The library reads each row in text format, as a dict: an event's state (bytea)
then crosses as hex text to decode. Here the two reads that matter are in
binary format, as tuples:
- the notification log in batches after a position, as the read models
  (projections/batches.py), a rebuild and `audit verify` read it;
- a record's events, as every page reads its records (a concern page reads
  three records).
A write is one round trip (`insert_events`): the library's takes five (a
BEGIN, the lock and the insert, a Sync, the COMMIT, another Sync), with the
events' table locked across three of them. Every other call goes to the
library unchanged, except that a write sends no NOTIFY (`_notify_channel`).

`Bekymring.construct_env` names this class in APPLICATION_RECORDER_TOPIC, the
library's own setting for it.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator, Sequence
from uuid import UUID

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.errors import LockNotAvailable, QueryCanceled
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier


# The events of some records, read ahead with a page's other reads in one round
# trip (`read_together`): this thread hop's reads of them are answered from here.
_read_ahead: ContextVar[dict[UUID, list[StoredEvent]] | None] = ContextVar("read_ahead", default=None)


def read_together(datastore: Any, *queries: tuple[Any, Sequence[Any], bool]) -> list[list[Any]]:
    """The rows of each `(statement, params, binary)`, sent in one pipeline on
    one pooled connection: one round trip for them all. A binary query's rows
    are tuples (events' states cross as bytes), the others' dicts."""
    with datastore.get_connection() as conn:
        cursors = []
        with conn.pipeline():
            for statement, params, binary in queries:
                curs = conn.cursor(row_factory=tuple_row, binary=True) if binary else conn.cursor()
                curs.execute(statement, params, prepare=True)
                cursors.append(curs)
        return [curs.fetchall() if curs.description else [] for curs in cursors]


@contextmanager
def reading_ahead(rows: Sequence[tuple]) -> Iterator[None]:
    """While this runs, reads of the records whose events `rows` hold (every one
    of them, as `PostgresRecorder.events_of` selects them) are answered from
    `rows`: the same answer as the store gave a moment ago, in the same round
    trip as the page's other reads. A record not in `rows` is read as usual,
    so a read-ahead that missed (a read model's hint that was wrong) costs a
    round trip, never a wrong answer."""
    ahead: dict[UUID, list[StoredEvent]] = {}
    for o, v, t, state in rows:
        ahead.setdefault(o, []).append(StoredEvent(originator_id=o, originator_version=v, topic=t, state=state))
    token = _read_ahead.set({**(_read_ahead.get() or {}), **ahead})
    try:
        yield
    finally:
        _read_ahead.reset(token)


def _read_from(events: list[StoredEvent], gt: int | None, lte: int | None, desc: bool,
               limit: int | None) -> list[StoredEvent]:
    """`select_events`'s answer, from all of a record's events (in version order)."""
    chosen = [e for e in events if (gt is None or e.originator_version > gt)
              and (lte is None or e.originator_version <= lte)]
    if desc:
        chosen.reverse()
    return chosen[:limit] if limit is not None else chosen


def tables_lock_key(schema: str) -> str:
    """The advisory lock every process holds while it creates tables in `schema`."""
    return f"bekymring: creating tables in {schema}"


@contextmanager
def creating_tables(datastore: Any) -> Iterator[None]:
    """Held while this process creates tables, over several transactions (the
    library makes its types and tables in separate ones): processes starting
    together on one database take turns, since PostgreSQL's `CREATE … IF NOT
    EXISTS` run at the same moment in two sessions fails in one of them
    (`pg_type_typname_nsp_index`). Without a lock timeout: a server's
    connections have a short one, and the turn ahead may take longer. Never
    nested within another table creation of this process (it would wait for itself)."""
    key = tables_lock_key(datastore.schema)
    with datastore.get_connection() as conn:
        conn.execute("SET lock_timeout = 0")
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
            conn.execute("RESET lock_timeout")


def lock_tables_in_transaction(c: Any, schema: str) -> None:
    """The same turn for tables made in one transaction (`c`'s), until it ends."""
    c.execute("SET LOCAL lock_timeout = 0")
    c.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (tables_lock_key(schema),))


class PostgresRecorder(PostgresApplicationRecorder):
    def create_table(self) -> None:
        with creating_tables(self.datastore):
            super().create_table()

    def _notify_channel(self, curs: Any) -> None:
        """No NOTIFY with each write: nothing listens (the read models poll,
        projections/live.py), and a NOTIFY costs a round trip while the events'
        table is locked, and PostgreSQL's one notification-queue lock at commit,
        across every process."""

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's transaction (BEGIN, its lock statements, the insert, COMMIT)
        sent as one pipeline with one Sync: one round trip, and the events' table
        is locked only while the server runs it, not across the client's waits.
        The lock stays: it is what makes the notification log's order the commit
        order, which every write into the log needs (the read models and the
        ledger follow the log, and must never pass over a gap filled later)."""
        if not stored_events:
            return None
        # A failed statement leaves the transaction aborted: the pool rolls the
        # connection back when it returns. The error is the library's to map and
        # retry, as for its own insert.
        with self.datastore.get_connection() as conn:
            inserted = conn.cursor()
            with conn.pipeline():
                conn.execute("BEGIN")
                with conn.cursor() as curs:
                    self._insert_events(curs, stored_events, **kwargs)
                    self._lock_table(curs)
                self._insert_rows(inserted, stored_events)
                conn.execute("COMMIT")
            # The pipeline's one Sync has fetched every result.
            return self._fetch_ids_after_insert_events(inserted, stored_events, **kwargs)

    def _insert_rows(self, curs: Any, stored_events: Sequence[StoredEvent]) -> None:
        """The library's insert statement, without its lock statements (sent before)."""
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._after_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {0}.{1} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        self._events_statements: dict[tuple[bool, bool, bool, bool], Composed] = {}

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        ahead = _read_ahead.get()
        if ahead is not None and originator_id in ahead:
            return _read_from(ahead[originator_id], gt, lte, desc, limit)
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._events_statements.get(shape)
        if statement is None:
            statement = self._events_statements[shape] = self._events_statement(*shape)
        params = [originator_id, *(p for p in (gt, lte, limit) if p is not None)]
        return [StoredEvent(originator_id=o, originator_version=v, topic=t, state=s)
                for o, v, t, s in self._rows(statement, params)]

    def events_of(self, ids: str, params: Sequence[Any]) -> tuple[Any, Sequence[Any], bool]:
        """A query for `read_together`: every event of the records whose ids the SQL
        expression `ids` (an array of uuid, with `params`) names, in version order."""
        statement = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {0}.{1} "
            "WHERE originator_id = ANY(" + ids + ") ORDER BY originator_id, originator_version"
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))
        return statement, params, True

    def _events_statement(self, gt: bool, lte: bool, desc: bool, limit: bool) -> Composed:
        """The library's statement for these arguments, naming the columns."""
        return SQL(
            "SELECT originator_id, originator_version, topic, state FROM {0}.{1} WHERE originator_id = %s"
            + (" AND originator_version > %s" if gt else "")
            + (" AND originator_version <= %s" if lte else "")
            + (" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
            + (" LIMIT %s" if limit else "")
        ).format(Identifier(self.datastore.schema), Identifier(self.events_table_name))

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        if start is None or stop is not None or topics:
            return super().select_notifications(start, limit, stop, topics, inclusive_of_start=inclusive_of_start)
        return self._select_after(start - 1 if inclusive_of_start else start, limit)  # positions are integers

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
    def _select_after(self, position: int, limit: int) -> list[Notification]:
        return [Notification(id=i, originator_id=o, originator_version=v, topic=t, state=s)
                for i, o, v, t, s in self._rows(self._after_statement, [position, limit])]

    def _rows(self, statement: Composed, params: list[Any]) -> list[tuple]:
        """The statement's rows in binary format, as tuples (see the module's docstring)."""
        try:
            with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=True) as curs:
                curs.execute(statement, params, prepare=True)
                return curs.fetchall()
        except OperationalError as e:
            raise_if_busy(e)
            raise


def raise_if_busy(error: BaseException) -> None:
    """A lock or statement timeout is not retried (the library retries its
    OperationalError ten times): the lock is held elsewhere, and the page should
    say so now."""
    if is_busy(error):
        raise StoreBusy(str(error)) from error


def is_busy(error: BaseException) -> bool:
    """Whether the error is PostgreSQL's lock or statement timeout (as the
    library wraps it, or already as StoreBusy)."""
    return isinstance(error, StoreBusy) or isinstance(error.__cause__, (LockNotAvailable, QueryCanceled))


def lock_held_elsewhere(error: BaseException) -> bool:
    """Whether the error, or one it was raised from, is a lock timeout: a table
    held by another connection, which passes (unlike a statement that ran too long)."""
    while error is not None:
        if isinstance(error, LockNotAvailable):
            return True
        error = error.__cause__
    return False


class StoreBusy(Exception):
    """The store did not answer within its lock or statement timeout."""
