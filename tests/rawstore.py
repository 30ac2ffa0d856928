"""Reading the stores as an attacker with a copy of the disk would: raw bytes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from tests.conftest import PG, pg_connect


def sqlite_bytes(data_dir: Path) -> bytes:
    """Every byte of every database file (and WAL) under the data directory."""
    return b"".join(
        p.read_bytes() for p in sorted(Path(data_dir).rglob("*")) if ".sqlite" in p.name
    )


def postgres_pages(table: str, dbname: str = PG["dbname"]) -> bytes:
    """Every byte of a table's heap pages (`schema.table`), dead row versions
    included: what a copy of the database's files would hold."""
    with pg_connect(dbname=dbname, autocommit=True) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        (pages,) = c.execute("SELECT pg_relation_size(%s) / 8192", (table,)).fetchone()
        return b"".join(bytes(c.execute("SELECT get_raw_page(%s, %s)", (table, p)).fetchone()[0])
                        for p in range(pages))


def gone_after_vacuum(gone: Callable[[], bool], erase_again: Callable[[], None], seconds: float = 30) -> bool:
    """Whether `gone()` holds on PostgreSQL, repeating the erasure (which VACUUMs
    again) while it does not: VACUUM keeps a dead row version that any open
    snapshot older than its deletion may still see, and other sessions on a
    shared server hold such snapshots for a while."""
    deadline = time.monotonic() + seconds
    while not gone():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
        erase_again()
    return True


def postgres_text(schema: str, dbname: str = PG["dbname"]) -> str:
    """Every row of every table in the schema, as PostgreSQL's text form."""
    parts = []
    with pg_connect(dbname=dbname) as c:
        tables = c.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,),
        ).fetchall()
        assert tables, "no tables in the test schema"
        for (table,) in tables:
            for (row,) in c.execute(f'SELECT t::text FROM {schema}."{table}" t'):
                parts.append(row)
    return "\n".join(parts)


def leaks(env: dict[str, str], secrets: list[str]) -> list[str]:
    """The secrets found in clear in the store (as text, or hex inside a bytea)."""
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        text = postgres_text(env["POSTGRES_SCHEMA"], env["POSTGRES_DBNAME"])
        return [s for s in secrets if s in text or s.encode().hex() in text]
    raw = sqlite_bytes(Path(env["BEKYMRING_DATA_DIR"]))
    found = []
    for s in secrets:
        if s.encode() in raw or s.encode("utf-16-le") in raw:
            found.append(s)
    return found


def events_table(env: dict[str, str]) -> str:
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        return f"{env['POSTGRES_SCHEMA']}.bekymring_events"
    return "stored_events"
