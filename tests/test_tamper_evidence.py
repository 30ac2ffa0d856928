"""Tamper evidence over the raw store: alter, delete, reorder or truncate rows
in SQLite and PostgreSQL, and `audit verify` names what changed."""

from __future__ import annotations

import gc
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from events.ledger.checkpoints import read_checkpoints, sign_checkpoint
from events.ledger.tree import row_leaf_hash
from intranet import demo
from intranet.settings import Settings
from projections.config import ReadModelConfig
from projections.ledger import LedgerProjection, verify
from projections.live import ProjectionRunner
from tests.conftest import pg_connect
from tests.rawstore import events_table


@pytest.fixture
def logged(domain):
    """The demo in the store, the ledger up to date, and a checkpoint signed."""
    demo.load(domain)
    runner = ProjectionRunner(domain, [LedgerProjection])
    runner.catch_up()
    projection = runner["ledger"]
    checkpoint = projection.checkpoint_now()
    assert checkpoint.size == domain.position()
    return domain, projection


def execute(env, sql, params=()):
    table = events_table(env)
    sql = sql.replace("{events}", table)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        with pg_connect() as c:
            c.execute(sql.replace("?", "%s").replace("rowid", "notification_id"), params)
    else:
        with sqlite3.connect(Path(env["BEKYMRING_DATA_DIR"]) / "bekymring.sqlite") as c:
            c.execute(sql, params)


def state_of(domain, nid: int) -> bytes:
    return bytes(domain.recorder.select_notifications(nid, 1)[0].state)


def test_an_intact_log_verifies(logged):
    domain, projection = logged
    report = verify(domain, projection.view)
    assert report.ok, report
    assert report.size == domain.position() and report.checkpoints_matched == [domain.position()]


def test_an_altered_row_is_named(logged, env):
    domain, projection = logged
    state = bytearray(state_of(domain, 7))
    state[-1] ^= 0x01
    execute(env, "UPDATE {events} SET state = ? WHERE rowid = ?", (bytes(state), 7))
    report = verify(domain, projection.view)
    assert not report.ok
    assert "row 7 altered: its leaf hash differs from the one recorded" in report.problems


def test_a_deleted_row_is_named(logged, env):
    domain, projection = logged
    execute(env, "DELETE FROM {events} WHERE rowid = ?", (12,))
    report = verify(domain, projection.view)
    assert not report.ok
    assert any("row 12 is missing" in p for p in report.problems), report.problems


def test_reordered_rows_are_named(logged, env):
    domain, projection = logged
    a, b = state_of(domain, 3), state_of(domain, 4)
    execute(env, "UPDATE {events} SET state = ? WHERE rowid = ?", (b, 3))
    execute(env, "UPDATE {events} SET state = ? WHERE rowid = ?", (a, 4))
    report = verify(domain, projection.view)
    assert {"row 3 altered: its leaf hash differs from the one recorded",
            "row 4 altered: its leaf hash differs from the one recorded"} <= set(report.problems)


def test_truncation_after_a_checkpoint_is_detected(logged, env):
    domain, projection = logged
    last = domain.position()
    execute(env, "DELETE FROM {events} WHERE rowid > ?", (last - 3,))
    report = verify(domain, projection.view)
    assert any(p.startswith(f"log truncated: checkpoint at size {last}") for p in report.problems)
    assert any(f"row {last} is missing" in p for p in report.problems)


def test_an_exported_checkpoint_catches_a_rewritten_ledger(logged, env, tmp_path):
    """Someone with database access rewrites a row and the ledger's own tables:
    the exported, signed checkpoint still catches it."""
    domain, projection = logged
    exported = projection.view.checkpoints()
    state = bytearray(state_of(domain, 9))
    state[-2] ^= 0x10
    execute(env, "UPDATE {events} SET state = ? WHERE rowid = ?", (bytes(state), 9))
    projection.view.drop()
    projection.view.create_table()
    report = verify(domain, projection.view, exported)
    assert not report.ok
    assert any(p.startswith(f"checkpoint at size {exported[-1].size} does not match") for p in report.problems)


def test_a_forged_checkpoint_is_refused(logged):
    domain, projection = logged
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    forged = sign_checkpoint(projection.origin, 3, b"\0" * 32, projection.origin, Ed25519PrivateKey.generate())
    report = verify(domain, projection.view, [forged])
    assert not report.ok and any("checkpoint at size 3" in p for p in report.problems)


def test_shredding_a_child_keeps_the_proof(logged):
    domain, projection = logged
    child = domain.register_child("Slett", "Meg", date(2019, 1, 1), domain.register_unit("Enhet", "skole"))
    domain.shred_subject(child, "oppbevaringstiden er ute")
    ProjectionRunner(domain, [LedgerProjection]).catch_up()
    report = verify(domain, projection.view)
    assert report.ok, report


def test_the_command_exits_non_zero_naming_the_row(tmp_path):
    env = {"BEKYMRING_DEMO": "1", "PATH": "/usr/bin:/bin"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "intranet.cli", *args], cwd=tmp_path,
                                       env=env, capture_output=True, text=True, timeout=120)
    assert run("demo", "--load-only").returncode == 0
    assert run("audit", "checkpoint").returncode == 0
    assert run("audit", "export-checkpoints", "cps.txt").returncode == 0
    (tmp_path / "pub.txt").write_text(run("audit", "public-key").stdout)
    ok = run("audit", "verify", "--checkpoints", "cps.txt", "--public-key", "pub.txt")
    assert ok.returncode == 0 and ok.stdout.startswith("OK:")
    with sqlite3.connect(tmp_path / "data" / "bekymring.sqlite") as c:
        state = bytearray(c.execute("SELECT state FROM stored_events WHERE rowid = 2").fetchone()[0])
        state[-1] ^= 1
        c.execute("UPDATE stored_events SET state = ? WHERE rowid = 2", (bytes(state),))
    bad = run("audit", "verify", "--checkpoints", "cps.txt", "--public-key", "pub.txt")
    assert bad.returncode == 1
    assert "row 2 altered" in bad.stdout


# --------------------------------------------------------------------------
# The tamper suite: the real CLI on a real store, as the running app leaves it
# (the demo loaded by `intranet demo --load-only`, then the read models
# following it and stopped, as the server's lifespan does). Each case tampers
# with the events table, once alone and once with the ledger rewritten to
# match (its `leaves` and `tree`, and its stored checkpoints deleted: all an
# attacker can do in the database without the KEK), then runs
# `intranet audit verify` with its defaults and wants the row named.
# --------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[1]  # the checkout under test, whatever is installed


def cli(env: dict, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "intranet.cli", *args], cwd=cwd,
                          env={**env, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=180)


class Built:
    """One store per kind, built once: the demo loaded and the app run over it."""

    def __init__(self, kind: str, root: Path, kek):
        from tests.conftest import postgres_env, sqlite_env
        from tests.demostore import checkpoint_all

        self.kind, self.kek = kind, kek
        self.data_dir = root / "built"
        self.data_dir.mkdir()
        self.schema = f"tamper_{uuid.uuid4().hex[:12]}"
        self.template = f"bek_tamper_{uuid.uuid4().hex[:12]}"
        if kind == "sqlite":
            self.env = sqlite_env(self.data_dir, kek)
        else:
            with pg_connect(autocommit=True) as c:
                c.execute(f"CREATE DATABASE {self.template}")
            with pg_connect(dbname=self.template, autocommit=True) as c:
                c.execute(f"CREATE SCHEMA {self.schema}")
            self.env = {**postgres_env(self.data_dir, kek, self.schema), "POSTGRES_DBNAME": self.template}
        # Without the casework history: a PostgreSQL store below 1,000 rows had no checkpoint
        loaded = cli(self.env, "demo", "--load-only", "--no-history", cwd=root)
        assert loaded.returncode == 0, loaded.stderr
        settings = Settings.from_env(self.env)
        app = settings.open_domain()
        try:  # the server's lifespan: follow the store, then stop
            runner = ProjectionRunner(app, config=settings.read_models).start()
            runner.wait()
            runner.stop()
            self.rows = app.position()
        finally:
            app.close()
        gc.collect()
        if kind == "sqlite":
            checkpoint_all(self.data_dir)

    @contextmanager
    def copy(self, data_dir: Path):
        shutil.copytree(self.data_dir, data_dir, ignore=shutil.ignore_patterns("*-shm", "*-wal"))
        if self.kind == "sqlite":
            yield {**self.env, "BEKYMRING_DATA_DIR": str(data_dir)}
            return
        dbname = f"t_{uuid.uuid4().hex[:12]}"
        with pg_connect(autocommit=True) as c:
            c.execute(f"CREATE DATABASE {dbname} TEMPLATE {self.template}")
        try:
            yield {**self.env, "BEKYMRING_DATA_DIR": str(data_dir), "POSTGRES_DBNAME": dbname}
        finally:
            with pg_connect(autocommit=True) as c:
                c.execute(f"DROP DATABASE {dbname} WITH (FORCE)")

    def discard(self) -> None:
        if self.kind == "postgres":
            with pg_connect(autocommit=True) as c:
                c.execute(f"DROP DATABASE IF EXISTS {self.template} WITH (FORCE)")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def built(request, tmp_path_factory):
    from events.kek import Kek

    if request.param == "postgres":
        request.getfixturevalue("postgres_up")
    store = Built(request.param, tmp_path_factory.mktemp(f"tamper-{request.param}"), Kek.generate())
    yield store
    store.discard()


class Raw:
    """The events table and the ledger's tables, as an attacker with database
    access (and no KEK) sees them."""

    def __init__(self, env: dict):
        self.env = env
        self.postgres = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
        if self.postgres:
            self.c = pg_connect(dbname=env["POSTGRES_DBNAME"], autocommit=True)
            schema = env["POSTGRES_SCHEMA"]
            self.events = f"{schema}.bekymring_events"
            self.id = "notification_id"
            self.ledger = lambda t: f"{schema}.ledger_{t}"
            self.ledger_c = self.c
        else:
            data_dir = Path(env["BEKYMRING_DATA_DIR"])
            self.c = sqlite3.connect(data_dir / "bekymring.sqlite", isolation_level=None)
            self.ledger_c = sqlite3.connect(data_dir / "views" / "ledger.sqlite", isolation_level=None)
            self.events, self.id = "stored_events", "rowid"
            self.ledger = lambda t: t

    def _run(self, c, sql: str, params=()):
        if self.postgres:
            sql = sql.replace("?", "%s")
        return c.execute(sql, params)

    def sql(self, sql: str, params=()):
        return self._run(self.c, sql.format(events=self.events, id=self.id), params)

    def ledger_sql(self, sql: str, params=()):
        return self._run(self.ledger_c, sql.format(leaves=self.ledger("leaves"), tree=self.ledger("tree"),
                                                     checkpoints=self.ledger("checkpoints")), params)

    def row(self, nid: int) -> tuple:
        oid, version, topic, state = self.sql(
            "SELECT originator_id, originator_version, topic, state FROM {events} WHERE {id} = ?", (nid,)).fetchone()
        return nid, UUID(str(oid)), version, topic, bytes(state)

    def last_id(self) -> int:
        return self.sql("SELECT MAX({id}) FROM {events}").fetchone()[0]

    def insert(self, nid: int, oid, version: int, topic: str, state: bytes) -> None:
        """A row; `oid` as the table holds it (or a UUID, for a new record)."""
        if isinstance(oid, UUID) and not self.postgres:
            oid = oid.hex  # as the library stores it
        self.sql("INSERT INTO {events} ({id}, originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?, ?)",
                 (nid, oid, version, topic, state))

    def set_leaf(self, nid: int) -> None:
        """The leaf the ledger would have recorded for the row as it is now."""
        self.ledger_sql("DELETE FROM {leaves} WHERE id = ?", (nid,))
        self.ledger_sql("INSERT INTO {leaves} (id, hash) VALUES (?, ?)", (nid, row_leaf_hash(*self.row(nid))))

    def rewrite_ledger(self, changed=(), deleted=()) -> None:
        for nid in deleted:
            self.ledger_sql("DELETE FROM {leaves} WHERE id = ?", (nid,))
        for nid in changed:
            self.set_leaf(nid)
        self.ledger_sql("DELETE FROM {tree}")
        self.ledger_sql("DELETE FROM {checkpoints}")

    def close(self) -> None:
        self.c.close()
        if self.ledger_c is not self.c:
            self.ledger_c.close()


K, A, B = 40, 50, 51  # rows in the middle of the log


def delete(raw: Raw, ledger: bool) -> str:
    raw.sql("DELETE FROM {events} WHERE {id} = ?", (K,))
    if ledger:
        raw.rewrite_ledger(deleted=[K])
    return rf"\brow {K}\b"


def insert(raw: Raw, ledger: bool) -> str:
    """A new row written by someone else than the app: a record of their own."""
    new = raw.last_id() + 1
    _, _, _, topic, state = raw.row(K)
    raw.insert(new, uuid.uuid4(), 1, topic, state[:17] + os.urandom(len(state) - 17))
    if ledger:
        raw.rewrite_ledger(changed=[new])
    return rf"\brow {new}\b"


def forge(raw: Raw, ledger: bool) -> str:
    """A copy of another row with a new version: the record seems to go on."""
    new = raw.last_id() + 1
    oid, top = raw.sql("SELECT originator_id, MAX(originator_version) FROM {events} WHERE originator_id = "
                       "(SELECT originator_id FROM {events} WHERE {id} = ?) GROUP BY originator_id", (K,)).fetchone()
    _, _, _, topic, state = raw.row(K)
    raw.insert(new, oid, top + 1, topic, state)
    if ledger:
        raw.rewrite_ledger(changed=[new])
    return rf"\brow {new}\b"


def reorder(raw: Raw, ledger: bool) -> str:
    """Two whole rows change places (each keeps its own content)."""
    raw.sql("UPDATE {events} SET {id} = ? WHERE {id} = ?", (-1, A))
    raw.sql("UPDATE {events} SET {id} = ? WHERE {id} = ?", (A, B))
    raw.sql("UPDATE {events} SET {id} = ? WHERE {id} = ?", (B, -1))
    if ledger:
        raw.rewrite_ledger(changed=[A, B])
        # Nothing outside the database holds single leaves: the witness's
        # checkpoint names the stretch of rows it covers.
        return r"ids 1\.\.\d+ was altered, removed, inserted or reordered"
    return rf"\brow {A} altered"


def truncate(raw: Raw, ledger: bool) -> str:
    last = raw.last_id()
    raw.sql("DELETE FROM {events} WHERE {id} > ?", (last - 3,))
    if ledger:
        raw.rewrite_ledger(deleted=range(last - 2, last + 1))
        return rf"log truncated: checkpoint at size \d+ covers \d+ rows, but the log has only \d+ \(last row id {last - 3}\)"
    return rf"\brow {last}\b"


def alter(raw: Raw, ledger: bool) -> str:
    state = bytearray(raw.row(K)[4])
    state[-1] ^= 0x01
    raw.sql("UPDATE {events} SET state = ? WHERE {id} = ?", (bytes(state), K))
    if ledger:
        raw.rewrite_ledger(changed=[K])
    return rf"\brow {K}\b"


CASES = {f.__name__: f for f in (delete, insert, forge, reorder, truncate, alter)}


@pytest.mark.parametrize("ledger", [False, True], ids=["rows-only", "ledger-rewritten"])
@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_detected_and_named_by_the_command(built, case, ledger, tmp_path):
    assert built.rows < 1000  # below the count at which a checkpoint used to be signed
    with built.copy(tmp_path / "data") as env:
        intact = cli(env, "audit", "verify", cwd=tmp_path)
        assert intact.returncode == 0, intact.stdout + intact.stderr
        raw = Raw(env)
        try:
            named = CASES[case](raw, ledger)
        finally:
            raw.close()
        result = cli(env, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 1, f"not detected: {result.stdout}{result.stderr}"
    assert result.stdout.startswith("FAILED"), result.stdout
    assert re.search(named, result.stdout), f"detected, not named ({named}): {result.stdout}"


# --------------------------------------------------------------------------
# No window: checkpoints after a short time and at shutdown, in the witness
# --------------------------------------------------------------------------


def signed_sizes(projection) -> set[int]:
    return {cp.size for cp in projection.view.checkpoints()}


def wait_for(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_checkpoint_is_signed_soon_after_rows_arrive(domain):
    """Far below `checkpoint_every` rows: a checkpoint still covers each row
    within `checkpoint_seconds`, while the app runs."""
    config = ReadModelConfig(checkpoint_seconds=0.3)
    runner = ProjectionRunner(domain, [LedgerProjection], poll_seconds=0.05, config=config).start()
    try:
        projection = runner["ledger"]
        for name in ("Første enhet", "Andre enhet"):
            domain.register_unit(name, "skole")
            size = domain.position()
            assert wait_for(lambda: size in signed_sizes(projection)), signed_sizes(projection)
    finally:
        runner.stop()


def test_stopping_signs_what_has_arrived_and_the_witness_holds_every_checkpoint(domain, env):
    runner = ProjectionRunner(domain, [LedgerProjection], poll_seconds=0.05).start()
    projection = runner["ledger"]
    domain.register_unit("Første enhet", "skole")
    first = domain.position()
    assert wait_for(lambda: first in signed_sizes(projection))  # none signed before: at once
    domain.register_unit("Andre enhet", "skole")
    runner.wait()
    assert domain.position() not in signed_sizes(projection)  # a minute has not passed
    runner.stop()
    assert domain.position() in signed_sizes(projection)  # signed as the app stopped

    witness = Path(env["BEKYMRING_DATA_DIR"]) / "ledger-witness.txt"
    assert stat.S_IMODE(witness.stat().st_mode) == 0o600
    assert read_checkpoints(witness) == projection.view.checkpoints()


def test_a_witness_that_cannot_be_written_stops_the_ledger_loudly(domain, tmp_path):
    config = ReadModelConfig(checkpoint_every=1, witness_file=str(tmp_path))  # a directory
    runner = ProjectionRunner(domain, [LedgerProjection], config=config)
    domain.register_unit("Enhet", "skole")
    with pytest.raises(OSError):
        runner.catch_up()
    assert runner["ledger"].view.checkpoints() == []


def test_the_command_reports_erased_rows_as_erased_not_altered(built, tmp_path):
    with built.copy(tmp_path / "data") as env:
        settings = Settings.from_env(env)
        app = settings.open_domain()
        try:
            unit = app.register_unit("Enhet", "skole")
            child = app.register_child("Slett", "Meg", date(2019, 1, 1), unit)
            app.shred_subject(child, "oppbevaringstiden er ute")
            runner = ProjectionRunner(app, config=settings.read_models).start()
            runner.wait()
            runner.stop()
        finally:
            app.close()
        result = cli(env, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"note: \d+ rows are erased \(their data key was shredded\)", result.stdout), result.stdout


def test_the_command_fails_without_the_witness_once_checkpoints_were_signed(built, tmp_path):
    with built.copy(tmp_path / "data") as env:
        (Path(env["BEKYMRING_DATA_DIR"]) / "ledger-witness.txt").unlink()
        result = cli(env, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 1
    assert "- no witness file at" in result.stdout


def test_a_store_signed_before_it_kept_a_witness_starts_one_with_its_checkpoints(logged, env):
    domain, projection = logged
    witness = Path(env["BEKYMRING_DATA_DIR"]) / "ledger-witness.txt"
    witness.unlink()  # as a store from before the witness
    started = LedgerProjection(projection.view, domain)
    assert read_checkpoints(started.witness) == projection.view.checkpoints() != []
    assert stat.S_IMODE(witness.stat().st_mode) == 0o600
    assert verify(domain, projection.view).ok


def test_the_command_names_an_altered_witness(built, tmp_path):
    with built.copy(tmp_path / "data") as env:
        witness = Path(env["BEKYMRING_DATA_DIR"]) / "ledger-witness.txt"
        witness.write_text(witness.read_text().replace("\u2014", "-"))
        result = cli(env, "audit", "verify", cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"- witness file .* is malformed \(line \d+: .*\): it was altered", result.stdout), result.stdout
