"""Where a benchmark's data lives: a SQLite data directory, or a PostgreSQL schema
(created by the bench, dropped on request), and the environment for each."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg

from events.kek import Kek, read_kek_file, write_kek_file
from intranet.settings import Settings
from projections.config import ReadModelConfig

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_DATA_DIR = BENCH_DIR / "data"

PG = {
    "host": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("POSTGRES_PORT", "5432"),
    "user": os.environ.get("POSTGRES_USER", "postgres"),
    "password": os.environ.get("POSTGRES_PASSWORD", "postgres"),
    "dbname": os.environ.get("POSTGRES_DBNAME", "test"),
}
SCHEMA_PREFIX = "bench_"


@dataclass(frozen=True)
class Scale:
    children: int
    concerns: int
    accesses: int

    @property
    def tag(self) -> str:
        return f"c{self.children}_k{self.concerns}_a{self.accesses}"

    @property
    def units(self) -> int:
        return max(2, self.children // 100)

    @property
    def staff(self) -> int:
        # About 200 caseworkers for 5,000 children (DESIGN.md §6), at least two per unit.
        return max(2 * self.units, self.children // 25)


def pg_connect(**kwargs):
    params = {k: v for k, v in PG.items() if v}
    return psycopg.connect(**params, connect_timeout=5, **kwargs)


def kek_of(data_dir: Path) -> Path:
    """The benchmark's own KEK, a 0600 file in the data directory (made once)."""
    path = data_dir / "bench-kek.key"
    if not path.exists():
        write_kek_file(path, Kek.generate())
    read_kek_file(path)  # checks the mode
    return path


def pg_schema_name(tag: str, suffix: str = "") -> str:
    name = f"{SCHEMA_PREFIX}{tag}{suffix}".lower()
    assert re.fullmatch(r"[a-z0-9_]{1,63}", name), name
    return name


def create_schema(schema: str) -> None:
    with pg_connect(autocommit=True) as c:
        c.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def drop_schema(schema: str) -> None:
    with pg_connect(autocommit=True) as c:
        c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def analyze_schema(schema: str) -> None:
    """Planner statistics for every table of a schema."""
    with pg_connect(autocommit=True) as c:
        tables = c.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)).fetchall()
        for (table,) in tables:
            c.execute(f'ANALYZE {schema}."{table}"')


def bench_schemas() -> list[str]:
    with pg_connect() as c:
        rows = c.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1", (SCHEMA_PREFIX + "%",)
        ).fetchall()
    return [r[0] for r in rows]


def read_models() -> ReadModelConfig:
    """The read models' values from the same variables the product reads, so
    that a measured rebuild builds what `intranet projections rebuild` would."""
    return Settings.from_env().read_models


def env_for(store: str, data_dir: Path, schema: str | None = None) -> dict[str, str]:
    """The domain environment for one store. `data_dir` holds the KEK (and, for
    SQLite, the event, key and read-model files)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        "BEKYMRING_DATA_DIR": str(data_dir),
        "BEKYMRING_KEK_FILE": str(kek_of(data_dir)),
        "BEKYMRING_DEMO": "0",
    }
    if store == "sqlite":
        env["PERSISTENCE_MODULE"] = "events.storage.sqlite_store"
        return env
    assert schema, "PostgreSQL needs a schema"
    env.update({
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": PG["password"],
        "POSTGRES_SCHEMA": schema,
    })
    return env


@dataclass
class Store:
    """One built municipality on one store."""

    kind: str  # "sqlite" or "postgres"
    scale: Scale
    root: Path  # the bench data directory

    @property
    def data_dir(self) -> Path:
        return self.root / f"{self.kind}-{self.scale.tag}"

    @property
    def schema(self) -> str | None:
        return pg_schema_name(self.scale.tag) if self.kind == "postgres" else None

    def env(self) -> dict[str, str]:
        if self.kind == "postgres":
            create_schema(self.schema)
        return env_for(self.kind, self.data_dir, self.schema)

    def drop(self) -> None:
        if self.kind == "postgres":
            drop_schema(self.schema)
        shutil.rmtree(self.data_dir, ignore_errors=True)
