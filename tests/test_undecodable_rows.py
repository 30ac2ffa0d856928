"""A stored row that cannot be decrypted stops only the read models that must
have it, on purpose and said plainly; the others, and the ledger, go on
(projections/undecodable.py). The row is corrupted in the real SQLite file or
PostgreSQL table, one ciphertext byte flipped, as an attacker or a bad disk would."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest
from eventsourcing.utils import resolve_topic

from events.base import acting_as
from events import clock
from intranet import demo
from projections.batches import handler_lookup
from projections.live import ProjectionRunner
from projections.registry import PROJECTIONS, construct_view
from tests.test_tamper_evidence import execute, state_of


def corrupt(env, domain, nid: int) -> None:
    state = bytearray(state_of(domain, nid))
    state[-1] ^= 0x01  # the GCM tag's last byte
    execute(env, "UPDATE {events} SET state = ? WHERE rowid = ?", (bytes(state), nid))


def takers(domain, topic: str) -> set[str]:
    """The read models that handle a topic's events (the ledger takes every row)."""
    cls = resolve_topic(topic)
    names = set()
    for p in PROJECTIONS:
        if getattr(p, "raw", False):
            continue
        view = construct_view(p, domain)
        if handler_lookup(p(view, domain))(cls) is not None:
            names.add(p.name)
    return names


@pytest.fixture
def corrupted(domain, env):
    """The demo and a new concern in the store; the concern's first row corrupted."""
    ids = demo.load(domain)
    author = ids["users"]["pedleder"]
    with acting_as(author):
        concern_id = domain.open_concern(ids["children"][0], author, clock.today(),
                                         "Kom uten matpakke.", "", ["neglect"], 2)
    row = next(n for n in domain.recorder.select_notifications(1, domain.position())
               if n.originator_id == concern_id and n.originator_version == 1)
    corrupt(env, domain, row.id)
    return domain, row, concern_id


def settled(runner: ProjectionRunner, newest: int, timeout: float = 20.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = runner.status()
        if all(s["position"] == newest or "stopped_at" in s for s in status.values()):
            return status
        time.sleep(0.05)
    return runner.status()


def test_only_the_read_models_that_need_the_row_stop_there(corrupted, caplog):
    domain, row, concern_id = corrupted
    newest = domain.position()
    stopping = takers(domain, row.topic)
    assert "concerns" in stopping and "directory" not in stopping
    runner = ProjectionRunner(domain)
    with caplog.at_level(logging.ERROR):
        runner.start()
        try:
            status = settled(runner, newest)
            runner.wait(newest, timeout=1)  # a write's page is not held up by a read model stopped on purpose
        finally:
            runner.stop()
    for name, s in status.items():
        if name in stopping:
            assert not s["ok"], name
            assert s["position"] == row.id - 1, name  # everything before it applied
            assert s["stopped_at"]["row"] == row.id
            assert s["stopped_at"]["originator_id"] == str(concern_id)
            assert s["stopped_at"]["version"] == 1
        else:  # the ledger included: it hashes the ciphertext
            assert s["ok"] and s["position"] == newest, (name, s)
    stops = [r for r in caplog.records if r.name == "projections.batches"]
    assert {name for name in stopping if any(f"read model {name} stopped at row {row.id}" in r.getMessage()
                                              for r in stops)} == stopping
    assert all(r.exc_info is None for r in stops)  # said plainly, no traceback


def test_projections_status_names_the_row_and_the_read_model(corrupted, env, tmp_path):
    domain, row, concern_id = corrupted
    stopping = takers(domain, row.topic)
    domain.close()
    full_env = {k: v for k, v in __import__("os").environ.items()
                if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    result = subprocess.run([sys.executable, "-m", "intranet.cli", "projections", "status"],
                            cwd=tmp_path, env={**full_env, **env}, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stdout.splitlines()
    for name in stopping:
        at = lines.index(next(line for line in lines if line.startswith(f"{name}:")))
        assert (f"STOPPER ved rad som ikke kan leses: row {row.id} (originator {concern_id} version 1"
                in lines[at + 1]), result.stdout
    assert not any("STOPPER" in line for line in lines[lines.index(
        next(line for line in lines if line.startswith("directory:"))) + 1:][:1])


def test_health_and_the_admins_page_say_which_read_model_stopped(corrupted, env):
    from tests.webclient import Web

    domain, row, concern_id = corrupted
    stopping = takers(domain, row.topic)
    domain.close()
    web = Web(env, built={})
    web._main.__enter__()
    try:
        newest = web.domain.position()
        settled(web.projections, newest)
        stranger = web.client().get("/health")  # up, but degraded; which row is not a stranger's
        assert (stranger.status_code, stranger.json()) == (200, {"status": "degraded"})
        admin = web.login("admin")
        health = admin.get("/health")
        assert health.status_code == 200, health.text
        body = health.json()
        assert body["status"] == "degraded"
        assert body["projections"]["concerns"]["stopped_at"] == row.id
        assert body["projections"]["directory"]["ok"] and body["projections"]["ledger"]["ok"]
        page = admin.get("/admin/lesemodeller")
        assert page.status_code == 200
        text = page.text
        for name in stopping:
            assert f"<td>{name}</td>" in text
        assert f"Stoppet ved rad {row.id} som ikke kan leses" in text
        assert str(concern_id) in text
        assert text.count("I drift") == len(PROJECTIONS) - len(stopping)
    finally:
        web.__exit__(None, None, None)


def test_a_rebuild_builds_the_others_and_names_the_row(corrupted, env, tmp_path):
    domain, row, concern_id = corrupted
    stopping = takers(domain, row.topic)
    newest = domain.position()
    domain.close()
    full_env = {k: v for k, v in __import__("os").environ.items()
                if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    result = subprocess.run([sys.executable, "-m", "intranet.cli", "projections", "rebuild"],
                            cwd=tmp_path, env={**full_env, **env}, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for name in stopping:
        assert f"read model {name} stopped at row {row.id} (originator {concern_id} version 1" in result.stderr
    from events.application import Bekymring

    app = Bekymring(env=env)
    try:
        runner = ProjectionRunner(app)
        for name, s in runner.status().items():
            assert s["position"] == (row.id - 1 if name in stopping else newest), name
    finally:
        app.close()
