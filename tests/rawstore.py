"""Reading the stores as an attacker with a copy of the disk would: raw bytes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import PG, pg_connect


def sqlite_bytes(data_dir: Path) -> bytes:
    """Every byte of every database file (and WAL) under the data directory."""
    return b"".join(
        p.read_bytes() for p in sorted(Path(data_dir).rglob("*")) if ".sqlite" in p.name
    )


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
