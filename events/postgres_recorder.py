"""The library's PostgreSQL recorder, reading the notification log faster.

The read models (projections/runner.py), a rebuild and `audit verify` read the
log in batches after a position. The library reads each row in text format, as
a dict: an event's state (bytea) then crosses as hex text to decode. In binary
format, as tuples, reading 300,000 events took 1.45 s instead of 2.4 s. Every
other call goes to the library unchanged.

`Bekymring.construct_env` names this class in APPLICATION_RECORDER_TOPIC, the
library's own setting for it.
"""

from __future__ import annotations

from typing import Sequence

from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier


class PostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._after_statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state FROM {0}.{1} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
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
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row, binary=True) as curs:
            curs.execute(self._after_statement, (position, limit), prepare=True)
            return [
                Notification(id=i, originator_id=o, originator_version=v, topic=t, state=s)
                for i, o, v, t, s in curs.fetchall()
            ]
