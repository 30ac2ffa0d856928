"""Emptying a SQLite file's write-ahead log after something was deleted for good.

secure_delete (set on every connection, events/storage/sqlite_store.py) zeroes
deleted content in the page it writes, but that page goes to the WAL, and the
database file keeps the old page (the WAL older frames) until a checkpoint.
A TRUNCATE checkpoint copies the pages into the file and empties the WAL.
Erasures are rare, so this is done at once after each.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def empty_wal(datastore: Any, what: str) -> bool:
    """Checkpoint the file of `datastore` (a SQLite datastore) and empty its WAL;
    False, with a warning naming `what`, if a reader held it past the busy timeout
    (the next checkpoint then overwrites what was deleted)."""
    with datastore.get_connection(commit=True) as connection, connection.cursor() as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, _log, _done = c.fetchone()
    if busy:
        log.warning("%s: deleted content stays in the WAL until the next checkpoint", what)
    return not busy
