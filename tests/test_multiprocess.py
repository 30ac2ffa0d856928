"""Several processes on one fresh PostgreSQL database, started at the same moment.

Each test gets a database of its own (`CREATE DATABASE bekymring_mp_…`, dropped
afterwards), in its default schema, as the README's production setup has it.
The processes are real: `python -c` scripts, or `intranet serve` itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from events.kek import Kek
from tests.conftest import PG, pg_connect, postgres_env

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres


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


def test_processes_starting_together_on_a_fresh_database_all_start(tmp_path, fresh_db):
    """The README's production command on an empty database: every process creates
    the tables at the same moment, and none may fail for it."""
    env = db_env(tmp_path, fresh_db, Kek.generate())
    for round_ in range(2):  # the second round finds every table made
        results = start_together(env, 3)
        failed = [r.stderr[-3000:] for r in results if r.returncode != 0 or "started" not in r.stdout]
        assert not failed, f"round {round_}: " + "\n----\n".join(failed)
