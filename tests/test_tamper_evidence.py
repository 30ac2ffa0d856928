"""Tamper evidence over the raw store: alter, delete, reorder or truncate rows
in SQLite and PostgreSQL, and `audit verify` names what changed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from events.ledger.checkpoints import sign_checkpoint
from intranet import demo
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
