"""The demo municipality, built once per test run and store kind, copied per test.

Loading the demo (plus the concerns, consent, referrals, meeting and transfers
the web tests share) is the slow part of a web test; copying a store is not.
SQLite: the data directory's files are copied. PostgreSQL: the build lives in a
database of its own, and each test gets `CREATE DATABASE ... TEMPLATE` of it.
A copy is made from the store as it was before any sign-in, so each test starts
with unused recovery codes, empty sessions and login throttles.
"""

from __future__ import annotations

import gc
import shutil
import sqlite3
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from events import clock
from events.kek import Kek


class DemoStores:
    def __init__(self, kek: Kek, workdir: Callable[[str], Path], sqlite_env, postgres_env, pg_connect):
        self.kek = kek
        self.workdir = workdir  # a fresh directory per call (pytest's tmp_path_factory.mktemp)
        self.sqlite_env, self.postgres_env, self.pg_connect = sqlite_env, postgres_env, pg_connect
        self._builds: dict[str, Build] = {}

    def build(self, kind: str) -> Build:
        """The build for `kind` ("sqlite" or "postgres"), made on first use, and
        made again if the day has changed since (the demo's data is dated)."""
        current = self._builds.get(kind)
        if current is not None and current.day != clock.today():
            current.discard()
            current = None
        if current is None:
            current = self._builds[kind] = Build(self, kind)
        return current

    @contextmanager
    def copy(self, kind: str, data_dir: Path) -> Iterator[tuple[dict[str, str], dict]]:
        """A private copy of the demo store: its environment (on `data_dir`) and
        the ids the build's `Web` held. The copy is removed afterwards."""
        build = self.build(kind)
        with build.copy(data_dir) as env:
            yield env, build.state

    def close(self) -> None:
        for build in self._builds.values():
            build.discard()
        self._builds.clear()


class Build:
    def __init__(self, stores: DemoStores, kind: str):
        from tests.webclient import Web

        self.stores, self.kind = stores, kind
        self.day: date = clock.today()
        self.data_dir = stores.workdir(f"demo-{kind}")
        self.schema = f"demo_{uuid.uuid4().hex[:12]}"
        self.template = f"bek_tpl_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            env = stores.sqlite_env(self.data_dir, stores.kek)
        else:
            with stores.pg_connect(autocommit=True) as c:
                c.execute(f"CREATE DATABASE {self.template}")
            env = self._pg_env(self.data_dir, self.template)
        try:
            if kind == "postgres":
                with stores.pg_connect(dbname=self.template, autocommit=True) as c:
                    c.execute(f"CREATE SCHEMA {self.schema}")
            with Web(env) as web:
                self.state = web.built_state()
        except BaseException:
            self.discard()  # no template database left behind by a failed build
            raise
        # The app is closed; what it left for the collector may still hold files or connections.
        gc.collect()
        if kind == "sqlite":
            checkpoint_all(self.data_dir)

    def _pg_env(self, data_dir: Path, dbname: str) -> dict[str, str]:
        return {**self.stores.postgres_env(data_dir, self.stores.kek, self.schema), "POSTGRES_DBNAME": dbname}

    @contextmanager
    def copy(self, data_dir: Path) -> Iterator[dict[str, str]]:
        # The data directory is copied on PostgreSQL too: whatever the app keeps there stays with the store.
        shutil.copytree(self.data_dir, data_dir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*-shm"))
        if self.kind == "sqlite":
            yield self.stores.sqlite_env(data_dir, self.stores.kek)
            return
        dbname = f"t_{uuid.uuid4().hex[:12]}"
        with self.stores.pg_connect(autocommit=True) as c:
            c.execute(f"CREATE DATABASE {dbname} TEMPLATE {self.template}")
        try:
            yield self._pg_env(data_dir, dbname)
        finally:
            with self.stores.pg_connect(autocommit=True) as c:
                c.execute(f"DROP DATABASE {dbname} WITH (FORCE)")

    def discard(self) -> None:
        if self.kind == "postgres":
            with self.stores.pg_connect(autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


def checkpoint_all(data_dir: Path) -> None:
    """Move every SQLite file's WAL into the file itself, so that the files
    alone are the whole store. Fails if a connection still holds a file."""
    for path in sorted(data_dir.rglob("*.sqlite")):
        with sqlite3.connect(path) as c:
            busy, _, _ = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        c.close()
        if busy:
            raise RuntimeError(f"{path} is still in use: the demo build did not close it")
