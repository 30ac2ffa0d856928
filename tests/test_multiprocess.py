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
from events.base import acting_as
from events.kek import Kek
from projections.ledger import LedgerProjection
from projections.ledger import verify as verify_ledger
from projections.live import ProjectionRunner
from projections.registry import construct_view
from projections.verify import verify
from tests.conftest import pg_connect, postgres_env

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


def test_a_read_model_another_process_follows_is_taken_over_when_that_process_ends(env):
    first, second = Bekymring(env=env), Bekymring(env=env)
    leader = ProjectionRunner(first, poll_seconds=0.02).start()
    reader = None
    try:
        unit = first.register_unit("Fjordvik skole", "skole")
        leader.wait(timeout=10)
        reader = ProjectionRunner(second, poll_seconds=0.02).start()
        second.register_child("Liv", "Strand", date(2016, 5, 1), unit)
        reader.wait(timeout=10)  # applied by the leader; the reader sees it
        assert all(s["follows_here"] for s in leader.status().values())
        assert not any(s["follows_here"] for s in reader.status().values())
        leader.stop()  # its locks go with it, as with a process that ends
        second.register_child("Per", "Strand", date(2016, 5, 1), unit)
        reader.wait(timeout=10)
        assert all(s["follows_here"] and s["ok"] for s in reader.status().values())
        assert reader["directory"].view.count("children") == 2
    finally:
        leader.stop()
        if reader is not None:
            reader.stop()
        first.close()
        second.close()


def test_a_read_model_stopped_in_the_process_that_follows_it_is_seen_everywhere(env, demo_copy, capsys):
    """A read model that stops (here: its table dropped behind its back) stops in
    the process that follows it; every other process, `/health`, the admin's page
    and `intranet projections status` say so."""
    from intranet.cli import _projections
    from projections.config import DEFAULTS
    from tests.webclient import Web

    env = demo_copy[0]  # (the `env` fixture only chooses the store)
    first = Bekymring(env=env)
    leader = ProjectionRunner(first, poll_seconds=0.02).start()
    try:
        leader.wait(timeout=10)
        with Web(env, built=demo_copy[1]) as web:  # a second server process: it only reads
            assert not any(s["follows_here"] for s in web.projections.status().values())
            view = leader["directory"].view
            with view.transaction(commit=True) as c:
                c.execute(f"DROP TABLE {view.qualify('children')}")
            with acting_as(web.ids["users"]["admin"]):
                first.register_child("Liv", "Strand", date(2016, 5, 1), web.ids["units"]["solsikken"])
            deadline = time.monotonic() + 10
            while web.projections.status()["directory"]["ok"] and time.monotonic() < deadline:
                time.sleep(0.05)
            status = web.projections.status()["directory"]
            assert not status["ok"] and "children" in status["stopped"], status
            assert web.projections.status()["concerns"]["ok"]

            assert web.client().get("/health").status_code == 503
            admin = web.login("admin")
            body = admin.get("/health").json()
            assert body["projections"]["directory"]["stopped"] == status["stopped"]
            page = admin.get("/admin/lesemodeller").text
            assert "Stoppet" in page and status["stopped"].split(":")[0] in page

        cli_app = Bekymring(env=env)
        try:
            assert _projections("status", None, cli_app, DEFAULTS) == 1
        finally:
            cli_app.close()
        out = capsys.readouterr().out
        assert "directory: STOPPET" in out or "STOPPET" in out.split("directory:")[1].splitlines()[1], out
    finally:
        leader.stop()
        first.close()
