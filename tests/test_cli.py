"""The `intranet` command, run as a user would, in a fresh directory."""

from __future__ import annotations

import os
from datetime import timedelta
import subprocess
import sys

import pytest

from events import clock
from events.application import Bekymring
from events.kek import Kek, read_kek_file
from intranet import demo, demo_data
from events.statistics import DEFAULT_DELAY_DAYS
from intranet.cli import publish_statistics
from projections.config import DEFAULTS
from tests.conftest import sqlite_env


@pytest.fixture
def DEMO_EVENTS(tmp_path) -> int:
    """How many events `intranet demo` writes (loaded once into a scratch store)."""
    app = Bekymring(env=sqlite_env(tmp_path / "scratch", Kek.generate()))
    try:
        demo.load_with_casework(app)
        publish_statistics(app, DEFAULTS, DEFAULT_DELAY_DAYS)  # its past months' statistics
        return app.position()
    finally:
        app.close()


def run(args, cwd, env=None, check=True):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "intranet.cli", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_loads_the_municipality_once_and_prints_the_logins(tmp_path, DEMO_EVENTS):
    first = run(["demo", "--load-only"], tmp_path)
    assert "http://127.0.0.1:8000/" in first.stdout
    for user in demo_data.USERS:
        assert user["username"] in first.stdout
    assert demo_data.DEMO_PASSWORD in first.stdout
    assert "lastet inn" in first.stderr
    second = run(["demo", "--load-only"], tmp_path)
    assert "finnes allerede" in second.stderr
    app = Bekymring(env={"BEKYMRING_DATA_DIR": str(tmp_path / "data"), "BEKYMRING_DEMO": "1"})
    try:
        assert app.position() == DEMO_EVENTS
    finally:
        app.close()


def test_serve_refuses_to_start_without_a_kek(tmp_path):
    result = run(["serve", "--port", "1"], tmp_path, check=False)
    assert result.returncode == 2
    assert "No key-encryption key" in result.stderr


def test_projections_rebuild_shows_progress(tmp_path, DEMO_EVENTS):
    run(["demo", "--load-only"], tmp_path)
    result = run(["projections", "rebuild"], tmp_path, env={"BEKYMRING_DEMO": "1"})
    assert f"directory: {DEMO_EVENTS} hendelser" in result.stdout
    assert f"[##############################] {DEMO_EVENTS}/{DEMO_EVENTS}" in result.stderr


def test_statistics_publish_publishes_what_is_due_once(tmp_path):
    """The demo has published its past months; publishing again finds nothing new, and
    a day after next month has ended publishes that month (and nothing twice)."""
    run(["demo", "--load-only"], tmp_path)
    demo_env = {"BEKYMRING_DEMO": "1"}
    again = run(["statistics", "publish"], tmp_path, env=demo_env)
    assert "Ingen nye utgivelser er klare." in again.stderr
    today = clock.today()
    later = (today.replace(day=1) + timedelta(days=32)).replace(day=DEFAULT_DELAY_DAYS + 1)
    month = today.strftime("%Y-%m")
    published = run(["statistics", "publish", "--today", later.isoformat()], tmp_path, env=demo_env)
    assert f"Publisert: month {month}" in published.stderr
    assert "Publisert" not in run(["statistics", "publish", "--today", later.isoformat()], tmp_path,
                                  env=demo_env).stderr


def test_rotate_kek_rewraps_and_the_new_key_opens_the_data(tmp_path, DEMO_EVENTS):
    run(["demo", "--load-only"], tmp_path)
    demo_env = {"BEKYMRING_DEMO": "1"}
    result = run(["keys", "rotate-kek", "--new-kek-file", "new.key"], tmp_path, env=demo_env)
    assert "datanøkler pakket inn på nytt" in result.stdout
    new_kek = read_kek_file(tmp_path / "new.key")
    status = run(["keys", "status"], tmp_path, env={"BEKYMRING_KEK_FILE": "new.key"})
    assert f"KEK-er som pakker inn nøkler: {new_kek.id}" in status.stdout
    # The old dev key no longer opens anything.
    old = run(["keys", "status"], tmp_path, env=demo_env, check=False)
    assert old.returncode == 0  # status itself reads no data key
    rebuilt = run(["projections", "rebuild"], tmp_path, env=demo_env, check=False)
    assert rebuilt.returncode == 2 and "does not open" in rebuilt.stderr
    ok = run(["projections", "rebuild"], tmp_path, env={"BEKYMRING_KEK_FILE": "new.key"})
    assert f"directory: {DEMO_EVENTS} hendelser" in ok.stdout


def test_new_kek_writes_a_private_file(tmp_path):
    run(["keys", "new-kek", "k.key"], tmp_path)
    assert (tmp_path / "k.key").stat().st_mode & 0o777 == 0o600
