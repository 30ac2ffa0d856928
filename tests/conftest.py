"""Fixtures: real stores (a SQLite file per test, a PostgreSQL schema per test;
for `web`, a copy of the demo store built once per run, see tests/demostore.py).

PostgreSQL tests skip when the server is down, unless BEKYMRING_REQUIRE_POSTGRES=1
(as in CI), where they fail instead. With BEKYMRING_REQUIRE_ALL=1, any skipped
test fails the run: CI must prove every part of the suite ran.
"""

from __future__ import annotations

import os
from datetime import date
import uuid
from pathlib import Path

import psycopg
import pytest

from events import clock
from events.application import Bekymring
from events.kek import Kek

PG = {
    "host": os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("TEST_POSTGRES_PORT", "5432"),
    "user": os.environ.get("TEST_POSTGRES_USER", "postgres"),
    "dbname": os.environ.get("TEST_POSTGRES_DBNAME", "test"),
}
REQUIRE_POSTGRES = os.environ.get("BEKYMRING_REQUIRE_POSTGRES") == "1"
REQUIRE_ALL = os.environ.get("BEKYMRING_REQUIRE_ALL") == "1"


def pg_connect(**kwargs):
    """A connection to the test server; `dbname=` for another database than PG's."""
    return psycopg.connect(**{**PG, **kwargs}, connect_timeout=3)


def postgres_available() -> bool:
    try:
        with pg_connect():
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_up() -> None:
    if postgres_available():
        return
    message = f"PostgreSQL is not reachable at {PG['host']}:{PG['port']}"
    if REQUIRE_POSTGRES:
        pytest.fail(message + " (required: BEKYMRING_REQUIRE_POSTGRES=1)")
    pytest.skip(message)


@pytest.fixture
def kek(request) -> Kek:
    if "web" in request.fixturenames:  # the demo store was built under the run's web KEK
        return request.getfixturevalue("demo_stores").kek
    return Kek.generate()


def sqlite_env(data_dir: Path, kek: Kek) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "events.storage.sqlite_store",
        "BEKYMRING_DATA_DIR": str(data_dir),
        "BEKYMRING_KEK": kek.encode(),
        "BEKYMRING_DEMO": "0",
    }


@pytest.fixture
def pg_schema(postgres_up, request):
    """A fresh schema in the test database, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with pg_connect(autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    yield schema
    with pg_connect(autocommit=True) as c:
        c.execute(f"DROP SCHEMA {schema} CASCADE")


def postgres_env(data_dir: Path, kek: Kek, schema: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": PG["dbname"],
        "POSTGRES_HOST": PG["host"],
        "POSTGRES_PORT": PG["port"],
        "POSTGRES_USER": PG["user"],
        "POSTGRES_PASSWORD": os.environ.get("TEST_POSTGRES_PASSWORD", "postgres"),
        "POSTGRES_SCHEMA": schema,
        "BEKYMRING_DATA_DIR": str(data_dir),
        "BEKYMRING_KEK": kek.encode(),
        "BEKYMRING_DEMO": "0",
    }


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request, tmp_path, kek) -> dict[str, str]:
    """The domain environment for one test, on each store in turn. With `web`,
    it is a private copy of the demo store (removed after the test)."""
    if request.param == "postgres":
        request.getfixturevalue("postgres_up")
    if "web" in request.fixturenames:
        return request.getfixturevalue("demo_copy")[0]
    if request.param == "sqlite":
        return sqlite_env(tmp_path, kek)
    return postgres_env(tmp_path, kek, request.getfixturevalue("pg_schema"))


@pytest.fixture
def domain(env):
    app = Bekymring(env=env)
    yield app
    app.close()


# -- make skips count as failures when everything is required -------------------
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if REQUIRE_ALL and _skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if REQUIRE_ALL and _skipped:
        terminalreporter.write_line(
            f"BEKYMRING_REQUIRE_ALL=1: {len(_skipped)} test(s) were skipped, which fails the run:",
            red=True,
        )
        for nodeid in _skipped:
            terminalreporter.write_line(f"  {nodeid}", red=True)


# -- the web app with the demo municipality -------------------------------------
@pytest.fixture(scope="session")
def demo_stores(tmp_path_factory):
    from tests.demostore import DemoStores

    stores = DemoStores(Kek.generate(), tmp_path_factory.mktemp, sqlite_env, postgres_env, pg_connect)
    yield stores
    stores.close()


@pytest.fixture
def demo_copy(request, demo_stores, tmp_path):
    """This test's copy of the demo store (on the store `env` is for): its
    environment and what the build's `Web` recorded."""
    with demo_stores.copy(request.node.callspec.params["env"], tmp_path) as copy:
        yield copy


@pytest.fixture
def web(env, demo_copy):
    """The app over a private copy of a store with the demo loaded (see
    tests/demostore.py); `web.client()` is a browser."""
    from tests.webclient import Web

    with Web(env, built=demo_copy[1]) as web:
        yield web


COLLECTED_ON = clock.today()


def today_of(value: object) -> object:
    """A module's TODAY taken from the clock at collection is today when a test
    starts (a run that passes midnight in Oslo would hold yesterday against the
    domain's today); a fixed date a module chose is kept."""
    return clock.today() if value == COLLECTED_ON else value


@pytest.fixture(autouse=True)
def _today_when_the_test_runs(request, monkeypatch):
    if isinstance(getattr(request.module, "TODAY", None), date):
        monkeypatch.setattr(request.module, "TODAY", today_of(request.module.TODAY))
