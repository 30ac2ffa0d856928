"""Several processes on one fresh PostgreSQL database, started at the same moment.

Each test gets a database of its own (`CREATE DATABASE bekymring_mp_…`, dropped
afterwards), in its default schema, as the README's production setup has it.
The processes are real: `python -c` scripts, or `intranet serve` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from events.application import Bekymring
from events.kek import Kek
from projections.ledger import LedgerProjection
from projections.ledger import verify as verify_ledger
from projections.live import ProjectionRunner
from projections.registry import construct_view
from projections.verify import verify
from tests.conftest import PG, pg_connect, postgres_env

REPO = Path(__file__).resolve().parent.parent



@pytest.fixture
def fresh_db(postgres_up):
    """A new, empty database, dropped afterwards (with any connection left to it)."""
    name = f"bekymring_mp_{uuid.uuid4().hex[:10]}"
    with pg_connect(autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    yield name
    with pg_connect(autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def db_env(tmp_path: Path, dbname: str, kek: Kek) -> dict[str, str]:
    """The environment of a process on `dbname`, in its default schema."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BEKYMRING_", "POSTGRES_", "PERSISTENCE_"))}
    env.update(postgres_env(tmp_path, kek, "public"))
    env["POSTGRES_DBNAME"] = dbname
    del env["POSTGRES_SCHEMA"]
    return env


# What a server process does as it starts, from the moment given on its command
# line: open the store and every table the app keeps (the app's lifespan).
STARTS = """
import sys, time
from starlette.testclient import TestClient
from intranet.app import create_app
app = create_app()
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
with TestClient(app):
    pass
print("started")
"""


def start_together(env: dict[str, str], count: int, script: str = STARTS) -> list[subprocess.CompletedProcess]:
    """`count` processes running `script`, each told to begin its work at the
    same moment (after their imports), and waited for."""
    at = time.time() + 4.0  # time enough for each to import the app
    processes = [subprocess.Popen([sys.executable, "-c", script, str(at)], cwd=REPO, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(count)]
    results = []
    for p in processes:
        out, err = p.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(p.args, p.returncode, out, err))
    return results


@pytest.mark.postgres
def test_processes_starting_together_on_a_fresh_database_all_start(tmp_path, fresh_db):
    """The README's production command on an empty database: every process creates
    the tables at the same moment, and none may fail for it."""
    env = db_env(tmp_path, fresh_db, Kek.generate())
    for round_ in range(2):  # the second round finds every table made
        results = start_together(env, 3)
        failed = [r.stderr[-3000:] for r in results if r.returncode != 0 or "started" not in r.stdout]
        assert not failed, f"round {round_}: " + "\n----\n".join(failed)


# -- read models followed from several processes -------------------------------------
def write_from(app: Bekymring, unit, user, children: list, rounds: int) -> None:
    """What pages do: a child registered now and then, access events all the time."""
    for i in range(rounds):
        if i % 10 == 0:
            children.append(app.register_child(f"Barn{i}", "Strand", date(2016, 5, 1), unit))
        app.record_access(user, "staff", unit, [children[-1]], ["child.name"], "view", "", "race")


def test_read_models_followed_by_several_processes_never_stop(env):
    """Three apps on one store (as three server processes), each following the
    read models while all of them write: no read model stops, none applies an
    event twice (each equals a rebuild), and the ledger verifies."""
    apps = [Bekymring(env=env) for _ in range(3)]
    runners = []
    try:
        unit = apps[0].register_unit("Fjordvik skole", "skole")
        user = apps[0].register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
        runners = [ProjectionRunner(app, poll_seconds=0.02).start() for app in apps]
        writers = [threading.Thread(target=write_from, args=(app, unit, user, [], 60)) for app in apps]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        for runner in runners:
            runner.wait(timeout=20)
        for runner in runners:
            stopped = {name: s for name, s in runner.status().items() if not s["ok"]}
            assert not stopped
        for runner in runners:
            runner.stop()
        runners = []
        assert not any(verify(apps[0]).values())
        report = verify_ledger(apps[0], construct_view(LedgerProjection, apps[0]))
        assert report.ok, str(report)
    finally:
        for runner in runners:
            runner.stop()
        for app in apps:
            app.close()
