"""The projection runner on both stores: follows, rebuilds, applies exactly once."""

from __future__ import annotations

import sqlite3
import time
import uuid
from datetime import date
from uuid import UUID

import pytest

from events import clock
from events.application import Bekymring, uses_postgres
from events.policy import Basis
from intranet import demo
from projections.access_log import AccessLogProjection
from projections.batches import catch_up_together
from projections.live import ProjectionRunner
from projections.rebuild import RebuildSizes, rebuild
from projections.rebuild_helper import rebuild_from_feed
from projections.registry import construct_view


def rows(view) -> dict:
    """Every table's rows as value tuples (a PostgreSQL row is a dict: tuple() would give its keys)."""
    return {t: sorted(tuple(dict(r).values()) for r in view.fetchall(f"SELECT * FROM {{{t}}}"))
            for t in view.tables}


def without_sealed(tables: dict) -> dict:
    return {
        t: [tuple(x for x in row if not isinstance(x, (bytes, memoryview))) for row in v]
        for t, v in tables.items()
    }


def test_a_running_projection_shows_a_write_to_the_writer(domain):
    runner = ProjectionRunner(domain).start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        # Read-your-own-writes: wait for the position just written, then read.
        runner.wait()
        assert [u["name"] for u in runner["directory"].view.units()] == ["Fjordvik skole"]
        child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        runner.wait()
        assert runner["directory"].view.children_in_unit(unit) == [child]
        assert runner["directory"].child_name(child) == "Liv Strand"
        assert runner.status()["directory"]["behind"] == 0
    finally:
        runner.stop()


def test_search_by_name_uses_the_blind_index(domain):
    unit = domain.register_unit("Fjordvik skole", "skole")
    a = domain.register_child("Liv Marie", "Strand", date(2015, 6, 1), unit)
    b = domain.register_child("Jonas", "Strand-Olsen", date(2016, 1, 2), unit)
    runner = ProjectionRunner(domain)
    runner.catch_up()
    view = runner["directory"].view
    assert view.child_ids_by_token(domain.blind_index("strand")) == sorted([a, b])
    assert view.child_ids_by_token(domain.blind_index("LIV  marie strand")) == [a]
    assert view.child_ids_by_token(domain.blind_index("olsen")) == [b]
    domain.correct_child_details(b, "Jonas", "Berg", date(2016, 1, 2), "", "navneendring")
    runner.catch_up()
    assert view.child_ids_by_token(domain.blind_index("olsen")) == []
    assert view.child_ids_by_token(domain.blind_index("berg")) == [b]


def test_a_rebuild_from_zero_equals_the_live_read_model(domain, env):
    demo.load(domain)
    runner = ProjectionRunner(domain)
    runner.catch_up()
    live = rows(runner["directory"].view)
    progress = []
    counts = rebuild(domain, progress=lambda name, done, total: progress.append((done, total)))
    assert counts == {name: domain.position() for name in runner.followers}
    assert progress[-1] == (domain.position(), domain.position())
    fresh = ProjectionRunner(domain)
    rebuilt = rows(fresh["directory"].view)
    # Sealed names use fresh nonces, so compare everything else and the names opened.
    assert without_sealed(rebuilt) == without_sealed(live)
    child_ids = [row["id"] for row in fresh["directory"].view.fetchall("SELECT id FROM {children}")]
    assert len(child_ids) == 20
    for child_id in map(UUID, child_ids):
        assert fresh["directory"].child_name(child_id) == runner["directory"].child_name(child_id)


def test_the_helper_applies_several_batches_per_transaction_and_loses_none(domain, monkeypatch):
    # The helper groups the batches it is fed (`group` events); the tail after
    # the last full group must be applied too, and the position must be the last one.
    demo.load(domain)
    rebuild(domain, ["access_log"], processes=1)
    one = without_sealed(rows(ProjectionRunner(domain, [AccessLogProjection])["access_log"].view))
    stored = list(domain.recorder.select_notifications(1, domain.position()))  # ids may have gaps
    head = stored[:-1]
    batches = [head[i:i + 5] for i in range(0, len(head), 5)] + [stored[-1:]]  # a tail shorter than a group
    pause = uses_postgres(domain.env)
    helper_side = Bekymring(env={**domain.env, "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "1"})
    # Count the transactions that write while the feed runs (not the rebuild's own set-up).
    commits, feeding = [], []
    view_class = type(construct_view(AccessLogProjection, domain))
    transaction = view_class.transaction

    def counted(self, commit=False):
        if feeding and commit:
            commits.append(1)
        return transaction(self, commit)

    monkeypatch.setattr(view_class, "transaction", counted)

    def feed():
        feeding.append(True)
        for batch in batches:
            yield [domain.mapper.to_domain_event(n) for n in batch], batch[-1].id
            if pause and batch is batches[0]:
                time.sleep(1.5)  # a slow feed: no PostgreSQL transaction may wait on it
        feeding.clear()

    try:
        rebuild_from_feed(helper_side, [AccessLogProjection], feed(), {}, group=7)
    finally:
        helper_side.close()
    fresh = ProjectionRunner(domain, [AccessLogProjection])
    assert fresh.followers["access_log"].position == domain.position()
    assert without_sealed(rows(fresh["access_log"].view)) == one
    # Two batches of five make a group of seven or more; on PostgreSQL each batch commits alone.
    assert len(commits) == (len(batches) if pause else (len(batches) + 1) // 2)


def test_a_rebuild_in_two_processes_equals_one_in_one(domain):
    demo.load(domain)
    home, other = domain.register_unit("Fjordvik skole", "skole"), domain.register_unit("Vik barnehage", "barnehage")
    children = [domain.register_child("Liv", f"Strand{i}", date(2015, 6, 1), other) for i in range(35)]
    for child in children:  # outside the user's unit, and more children in an hour than allowed
        domain.record_access(UUID(int=7), "staff", home, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
    for child in children[:2]:  # something for the concerns and meetings read models to compare
        domain.open_concern(child, UUID(int=7), date(2026, 11, 2), "Kom uten matpakke.", "", ["neglect"], 1)
    domain.shred_subject(children[0], "sletting godkjent")  # its events read as tombstones
    domain.break_glass(UUID(int=8), "staff", [], [children[1]], "akutt", 30, "s")
    rebuild(domain, processes=1)
    one = {name: without_sealed(rows(p.view)) for name, p in ProjectionRunner(domain).followers.items()
           for p in [p.projection]}
    assert {"outside_unit", "many_children", "break_glass"} <= {row[5] for row in one["access_log"]["anomalies"]}
    assert one["concerns"]["concerns"] and one["meetings"]["stats"]

    progress = []
    counts = rebuild(domain, processes=2, progress=lambda name, done, total: progress.append((done, total)))
    two = {name: without_sealed(rows(p.view)) for name, p in ProjectionRunner(domain).followers.items()
           for p in [p.projection]}
    assert two == one
    assert counts == {name: domain.position() for name in one}
    assert progress[-1] == (domain.position(), domain.position())

    # Small batches: the first process reads ahead of its own read models and
    # applies what it held in pieces, between feeding the helper.
    timings: dict[str, float] = {}
    rebuild(domain, processes=2, timings=timings, sizes=RebuildSizes(batch=30, held_piece=7))
    small = {name: without_sealed(rows(p.view)) for name, p in ProjectionRunner(domain).followers.items()
             for p in [p.projection]}
    assert small == one
    assert timings["held"] > 7  # it did read ahead


def test_a_rebuild_helper_that_fails_or_dies_fails_the_rebuild(domain):
    from projections.rebuild_helper import HelperProcess

    # It cannot open the store: the rebuild stops before anything is dropped.
    with pytest.raises(RuntimeError, match="(?s)failed.*BEKYMRING_KEK"):
        HelperProcess({**domain.env, "BEKYMRING_KEK": "not a key"}, ["access_log"])
    killed = HelperProcess(domain.env, ["access_log"])
    killed._process.kill()
    with pytest.raises(RuntimeError, match="stopped"):
        for last in range(1000):  # the feed finds out when the pipe breaks, or at the end
            killed.send([], last)
        killed.finish()
    killed.close()


def test_each_event_is_applied_once_even_when_two_runners_race(domain, env):
    unit = domain.register_unit("Fjordvik skole", "skole")
    for i in range(30):
        domain.register_child(f"Barn{i}", "Strand", date(2015, 6, 1), unit)
    first = ProjectionRunner(domain)
    second_app = Bekymring(env=env)
    try:
        second = ProjectionRunner(second_app)
        first.start()
        second.start()
        first.wait(timeout=10)
        second.wait(timeout=10)
        first.stop()
        second.stop()
        view = first["directory"].view
        assert view.count("children") == 30
        assert view.count("child_names") == 30 * 4  # whole name, first name, last name, name with birth date
    finally:
        second_app.close()


def test_a_runner_restarted_after_a_crash_continues_where_it_committed(domain):
    unit = domain.register_unit("Fjordvik skole", "skole")
    runner = ProjectionRunner(domain)
    runner.catch_up()
    position = runner.followers["directory"].position
    domain.register_child("Etter", "Krasjet", date(2015, 6, 1), unit)
    # A new runner (a restarted process) reads its position from the view.
    again = ProjectionRunner(domain)
    assert again.followers["directory"].position == position
    again.catch_up()
    assert again["directory"].view.count("children") == 1


# Run by the next test in a process of its own: rebuild in batches of fifty, with
# a page cache so small that a batch's changes reach the file before it commits,
# and die by SIGKILL in the middle of the third batch, its rows applied and
# written, its position not yet.
KILLED_REBUILD = """
import json, os, signal, sys
from events.application import Bekymring
from events.storage.sqlite_store import RebuildConnectionPool
from projections.access_log import SQLiteAccessLogView
from projections.rebuild import RebuildSizes, rebuild
env = json.loads(sys.argv[1])
app = Bekymring(env=env)
RebuildConnectionPool.cache_kib = 1
path = os.path.join(env["BEKYMRING_DATA_DIR"], "views", "access_log.sqlite")
batches = [0]
record_position = SQLiteAccessLogView.record_position
def die_before_the_third_commit(self, c, name, position, **fenced):
    batches[0] += 1
    if batches[0] == 3:
        records = 0  # pages the journal holds for rolling back: its header's count, once synced for a spill
        if os.path.exists(path + "-journal"):
            with open(path + "-journal", "rb") as journal:
                records = int.from_bytes(journal.read(12)[8:12], "big")
        print(json.dumps({"wal": os.path.exists(path + "-wal"), "journal_records": records}), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    record_position(self, c, name, position, **fenced)
SQLiteAccessLogView.record_position = die_before_the_third_commit
rebuild(app, processes=1, sizes=RebuildSizes(batch=50))
"""


def close_views(runner: ProjectionRunner) -> None:
    for follower in runner.followers.values():
        follower.view.datastore.close()


def test_a_rebuild_killed_mid_batch_leaves_read_models_that_go_on(tmp_path, kek):
    # SQLite: a rebuild that has a read model's file alone writes it with a
    # rollback journal, not the WAL (RebuildConnectionPool), and puts it back
    # into WAL at the end. Killed in the middle of a batch whose changes had
    # reached the file, the next opener rolls them back from the journal;
    # following goes on from what was committed, to the same rows as a whole
    # rebuild.
    import json
    import os
    import signal
    import subprocess
    import sys
    from contextlib import closing
    from pathlib import Path

    from tests.conftest import sqlite_env

    env = sqlite_env(tmp_path, kek)
    domain = Bekymring(env=env)
    try:
        demo.load(domain)
        unit = domain.register_unit("Fjordvik skole", "skole")
        children = [domain.register_child("Liv", f"Strand{i}", date(2015, 6, 1), unit) for i in range(5)]
        for i in range(120):
            domain.record_access(UUID(int=7 + i % 3), "staff", unit, children, ["child.name"], "view", "", "s",
                                 [Basis("own_unit")] * len(children))
        live = ProjectionRunner(domain)
        live.catch_up()  # the files exist, in WAL, as a server leaves them
        close_views(live)
        path = str(tmp_path / "views" / "access_log.sqlite")

        def journal_mode() -> str:
            with closing(sqlite3.connect(path)) as c:  # reading the mode changes nothing
                return c.execute("PRAGMA journal_mode").fetchone()[0]

        assert journal_mode() == "wal"
        repo = Path(__file__).resolve().parent.parent
        done = subprocess.run([sys.executable, "-c", KILLED_REBUILD, json.dumps(env)], cwd=repo,
                              env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True, timeout=120)
        assert done.returncode == -signal.SIGKILL, done.stderr
        killed = json.loads(done.stdout)
        assert killed["wal"] is False and killed["journal_records"] > 0  # a hot journal: the batch was in the file
        resumed = ProjectionRunner(domain)
        assert journal_mode() == "wal"
        with closing(sqlite3.connect(path)) as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert 0 < resumed.followers["access_log"].position < domain.position()
        resumed.catch_up()
        after_kill = {name: without_sealed(rows(f.view)) for name, f in resumed.followers.items()}
        close_views(resumed)
        during = []

        def mark() -> None:  # a table no read model drops: only a new file is without it
            with closing(sqlite3.connect(path)) as c, c:
                c.execute("CREATE TABLE marker (x)")

        def marked() -> bool:
            with closing(sqlite3.connect(path)) as c:
                return c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'marker'").fetchone()[0] == 1

        mark()
        rebuild(domain, processes=1, progress=lambda *_: during.append(os.path.exists(path + "-wal")))
        assert during and not any(during)  # no WAL while it wrote
        assert journal_mode() == "wal"  # and back in WAL after
        assert not marked()  # a new file, not the old one's tables dropped
        whole = {name: without_sealed(rows(f.view)) for name, f in ProjectionRunner(domain).followers.items()}
        assert after_kill["access_log"]["accesses"] and after_kill == whole

        # Open elsewhere (a server left running): the file stays, its tables are
        # dropped, and the rebuild goes on in WAL to the same rows.
        mark()
        with closing(sqlite3.connect(path)) as server:
            server.execute("SELECT count(*) FROM tracking").fetchone()  # holds the WAL's shared memory
            rebuild(domain, ["access_log"], processes=1)
        assert marked()
        again = {name: without_sealed(rows(f.view)) for name, f in ProjectionRunner(domain).followers.items()}
        assert again == whole
    finally:
        domain.close()


@pytest.mark.postgres
@pytest.mark.parametrize("outage", [0, 3], ids=["once", "3s"])
def test_following_goes_on_after_the_store_drops_its_connections(tmp_path, kek, pg_schema, monkeypatch, outage):
    # A PostgreSQL restart or failover closes every connection. The read models
    # must go on once the server is back, not stop until the process restarts:
    # at once (the library retries a read for about two seconds), or, for an
    # outage longer than that, after a pause.
    from tests.conftest import pg_connect, postgres_env

    name = f"bekymring-{pg_schema}"
    monkeypatch.setenv("PGAPPNAME", name)  # libpq names our connections: only they are closed
    domain = Bekymring(env=postgres_env(tmp_path, kek, pg_schema))
    runner = ProjectionRunner(domain, poll_seconds=0.05, retry_first=0.2, retry_max=1.0).start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        runner.wait()
        closed, deadline = 0, time.monotonic() + outage
        with pg_connect(autocommit=True) as c:
            while True:  # for an outage, every connection we open is closed again at once
                closed += c.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE application_name = %s AND pid <> pg_backend_pid()", (name,)).fetchone()[0]
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
        assert closed > 0
        time.sleep(0.3)  # polls meet the closed connections meanwhile
        # The writer's pool meets them too: the library retries on a new connection.
        child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        runner.wait(timeout=10)
        assert runner["directory"].view.children_in_unit(unit) == [child]
        assert all(status["ok"] for status in runner.status().values())
    finally:
        runner.stop()
        domain.close()


def test_following_goes_on_after_a_read_model_file_was_locked_for_a_while(tmp_path, kek, monkeypatch):
    # Another process (an sqlite3 shell, say) holds a read model's file locked
    # longer than a write waits for it: the read models pause and go on from
    # where they recorded; none is stopped for it. (On PostgreSQL a locked table
    # makes the write wait, with no error: see the outage test above.)
    from tests.conftest import sqlite_env

    monkeypatch.setattr("eventsourcing.sqlite.SQLITE3_DEFAULT_LOCK_TIMEOUT", 0.2)
    domain = Bekymring(env=sqlite_env(tmp_path, kek))
    runner = ProjectionRunner(domain, poll_seconds=0.05, retry_first=0.2, retry_max=1.0).start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        runner.wait()
        view = runner["directory"].view
        other = sqlite3.connect(view.datastore.pool.db_name, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
            time.sleep(1.5)  # the directory's writes time out meanwhile
            assert runner.followers["directory"].position < domain.position()
            paused = runner.status()["directory"]
            assert paused["paused_s"] > 0 and paused["ok"]  # ok until paused for a minute
            other.execute("ROLLBACK")
        finally:
            other.close()
        runner.wait(timeout=10)
        assert view.children_in_unit(unit) == [child]
        assert all(status["ok"] for status in runner.status().values())
    finally:
        runner.stop()
        domain.close()


@pytest.mark.postgres
def test_only_the_store_being_away_is_worth_retrying(tmp_path, postgres_up):
    # Real errors from both drivers, wrapped as the library wraps them.
    from eventsourcing.persistence import ConnectionUnavailableError, OperationalError

    from projections.live import worth_retrying
    from tests.conftest import pg_connect

    def caught(action):
        try:
            action()
        except Exception as e:
            try:
                raise OperationalError(str(e)) from e
            except OperationalError as wrapped:
                return wrapped
        raise AssertionError("no error")

    path = str(tmp_path / "x.sqlite")
    holder, other = (sqlite3.connect(path, timeout=0, isolation_level=None) for _ in range(2))
    holder.execute("BEGIN IMMEDIATE")
    assert worth_retrying(caught(lambda: other.execute("BEGIN IMMEDIATE")))  # database is locked
    assert not worth_retrying(caught(lambda: other.execute("SELECT * FROM missing")))  # no such table
    holder.close()
    other.close()
    with pg_connect(autocommit=True) as c:
        c.execute("SET statement_timeout = 1")
        assert not worth_retrying(caught(lambda: c.execute("SELECT pg_sleep(1)")))  # cancelled (57014)
    probe = f"public.lock_probe_{uuid.uuid4().hex[:8]}"
    with pg_connect(autocommit=True) as c:
        c.execute(f"CREATE TABLE {probe} (x int)")
        try:
            with pg_connect() as holder:
                holder.execute(f"LOCK TABLE {probe} IN ACCESS EXCLUSIVE MODE")
                c.execute("SET lock_timeout = 50")
                assert worth_retrying(caught(lambda: c.execute(f"SELECT * FROM {probe}")))  # lock timeout (55P03)
        finally:
            c.execute("SET lock_timeout = 0")
            c.execute(f"DROP TABLE {probe}")
    assert worth_retrying(ConnectionUnavailableError("no free connection"))
    assert not worth_retrying(ValueError("a bug"))


def test_a_sqlite_read_outside_a_transaction_raises_the_librarys_errors(tmp_path):
    # `reading()` runs without the library's transaction, whose exit turns
    # sqlite3's errors into the library's; `worth_retrying` reads those.
    from eventsourcing.persistence import OperationalError

    from events.storage.sqlite_store import DurableSQLiteDatastore
    from projections.live import worth_retrying

    store = DurableSQLiteDatastore(str(tmp_path / "x.sqlite"))
    try:
        with pytest.raises(OperationalError) as raised:
            with store.reading() as c:
                c.execute("SELECT * FROM missing")
        assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
        assert not worth_retrying(raised.value)  # no such table: a bug, not the store away
    finally:
        store.close()


def test_a_read_models_own_error_still_stops_it_not_pauses_all(domain):
    # A table missing from a read model's view (on SQLite an OperationalError
    # too) is a bug or damage, not the store being away: that read model stops,
    # loudly, and the others go on.
    runner = ProjectionRunner(domain).start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        runner.wait()
        view = runner["directory"].view
        with view.transaction(commit=True) as c:
            c.execute(f"DROP TABLE {view.qualify('children')}")
        domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        with pytest.raises(RuntimeError, match="projection directory failed"):
            runner.wait(timeout=5)
        runner.followers["access_log"].wait(domain.position(), timeout=5)
        status = runner.status()
        assert not status["directory"]["ok"]
        assert status["access_log"]["ok"] and status["access_log"]["behind"] == 0
    finally:
        runner.stop()


def test_a_rolled_back_batchs_caches_go_even_if_dropping_them_failed_at_first(domain, tmp_path, monkeypatch):
    # The ledger grows its tree in memory as it applies a batch, and reloads it
    # from its view when the batch is rolled back. If the store is away for the
    # reload too, the reload must come before the next batch, or the batch's
    # leaves would be added to the tree twice. Both failures are the store's
    # real "database is locked", raised where the store would raise it.
    from eventsourcing.persistence import OperationalError

    from events.ledger.tree import MerkleLog, row_leaf_hash
    from projections.ledger import LedgerProjection, raw_rows

    scratch = str(tmp_path / "locked.sqlite")
    holder, writer = (sqlite3.connect(scratch, timeout=0, isolation_level=None) for _ in range(2))
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError) as locked:
        writer.execute("BEGIN IMMEDIATE")
    busy = locked.value
    done, reload = LedgerProjection.batch_done, LedgerProjection.reset
    armed, failed = [], []

    def batch_done(self, c):
        if armed and "batch" not in failed:  # after `process` grew the tree
            failed.append("batch")
            raise OperationalError(str(busy)) from busy
        done(self, c)

    def reset(self):
        if failed == ["batch"]:
            failed.append("reload")
            raise OperationalError(str(busy)) from busy
        reload(self)

    monkeypatch.setattr(LedgerProjection, "batch_done", batch_done)
    monkeypatch.setattr(LedgerProjection, "reset", reset)
    runner = ProjectionRunner(domain, poll_seconds=0.05, retry_first=0.1, retry_max=0.2).start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        runner.wait()
        armed.append(True)
        domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        runner.wait(timeout=10)
        assert failed == ["batch", "reload"]
        expected = MerkleLog()
        for row in raw_rows(domain):
            expected.append(row_leaf_hash(row.id, row.originator_id, row.originator_version, row.topic,
                                                 bytes(row.state)))
        stored = MerkleLog.from_state(runner["ledger"].view.tree_state())
        assert (stored.size, stored.root()) == (expected.size, expected.root())
        assert all(status["ok"] for status in runner.status().values())
    finally:
        runner.stop()
        holder.close()
        writer.close()


def test_following_live_a_read_model_writes_nothing_for_events_it_ignores(domain):
    # Every page view adds an access event; most read models ignore it, and
    # writing their position for each one cost a transaction per read model.
    # The live passes are made here, one at a time, as the runner's thread makes
    # them: with the thread, an event written while its first pass (which records
    # every position) was still reading could land in that pass.
    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
    runner = ProjectionRunner(domain, idle_record_every=3)
    runner.catch_up()
    concerns = runner.followers["concerns"]
    stored = concerns.view.position(domain.name)
    assert stored == domain.position()
    staff = UUID(int=7)
    domain.record_access(staff, "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
    follow_live(runner)
    # Moved on in memory, nothing written; the access log did write.
    assert concerns.position == domain.position()
    assert concerns.view.position(domain.name) == stored
    assert runner.followers["access_log"].view.position(domain.name) == domain.position()
    # An idle read model still records its position now and then, so a
    # restart does not read a long run of ignored events again.
    for _ in range(3):
        domain.record_access(staff, "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
        follow_live(runner)
    assert stored < concerns.view.position(domain.name) <= domain.position()
    # A restarted runner goes on from what is recorded and agrees with a rebuild.
    domain.open_concern(child, staff, clock.today(), "Første observasjon.", "", ["neglect"], 1)
    again = ProjectionRunner(domain)
    again.catch_up()
    assert again["concerns"].view.fetchone("SELECT COUNT(*) AS n FROM {concerns}")["n"] == 1


def follow_live(runner: ProjectionRunner) -> None:
    """One pass of the runner's thread while it follows live: a read model with
    nothing to apply moves on in memory only (`Follower.apply`, lazy)."""
    catch_up_together(runner.app, list(runner.followers.values()), lazy=True)


def index_names(view) -> set[str]:
    if view.dialect == "sqlite":
        rows = view.fetchall("SELECT name FROM sqlite_master WHERE type = 'index'")
    else:
        rows = view.fetchall("SELECT indexname AS name FROM pg_indexes WHERE schemaname = ?",
                             (view.datastore.schema,))
    return {r["name"] for r in rows}


def test_a_rebuild_creates_the_page_indexes_once_the_rows_are_in(domain):
    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
    domain.record_access(UUID(int=7), "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
    runner = ProjectionRunner(domain)
    runner.catch_up()
    deferred = set(runner["access_log"].view.built_after_rebuild)
    assert deferred and deferred <= index_names(runner["access_log"].view)
    during = []
    rebuild(domain, ["access_log"], progress=lambda *_: during.append(index_names(runner["access_log"].view)))
    assert during and all(not (deferred & names) for names in during)
    assert deferred <= index_names(runner["access_log"].view)
    assert runner["access_log"].view.by_child(child, "2000", "9999", 0, 10)


def test_wait_times_out_rather_than_hanging(domain):
    runner = ProjectionRunner(domain)  # not started: nothing will apply
    domain.register_unit("Fjordvik skole", "skole")
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        runner.wait(timeout=0.2)
    assert time.monotonic() - started < 2


def test_a_failing_read_model_stops_alone_and_the_others_go_on(domain):
    # One thread follows the store for every read model: a bug in one must not
    # stop the rest, and waiting on it must say which one failed.
    runner = ProjectionRunner(domain)

    def fail(event, c):
        raise ValueError("a bug in one read model")

    runner.followers["meetings"].handler = lambda cls: fail
    runner.start()
    try:
        unit = domain.register_unit("Fjordvik skole", "skole")
        with pytest.raises(RuntimeError, match="projection meetings failed"):
            runner.wait(timeout=5)
        child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
        runner.followers["directory"].wait(domain.position(), timeout=5)
        assert runner["directory"].view.children_in_unit(unit) == [child]
        status = runner.status()
        assert not status["meetings"]["ok"] and status["directory"]["ok"] and status["directory"]["behind"] == 0
    finally:
        runner.stop()


def test_rebuilding_one_read_model_decrypts_only_what_it_handles(domain, monkeypatch):
    # The concerns read model ignores access events and most of a child's events:
    # rebuilding it alone must not decrypt them, except an erased child's, which
    # read as the tombstones every read model purges on.
    unit = domain.register_unit("Fjordvik skole", "skole")
    staff = UUID(int=7)
    kept = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
    erased = domain.register_child("Jonas", "Berg", date(2016, 1, 2), unit)
    for child in (kept, erased):
        domain.open_concern(child, staff, clock.today(), "Første observasjon.", "", ["neglect"], 1)
        for _ in range(5):
            domain.record_access(staff, "staff", unit, [child], ["concern"], "view", "", "s", [Basis("own_unit")])
    domain.shred_subject(erased, "sletting godkjent")
    runner = ProjectionRunner(domain)
    runner.catch_up()
    live = rows(runner["concerns"].view)
    assert [r["child_id"] for r in runner["concerns"].view.fetchall("SELECT child_id FROM {concerns}")] == [str(kept)]

    decoded = []
    to_domain_event = domain.mapper.to_domain_event
    monkeypatch.setattr(domain.mapper, "to_domain_event",
                        lambda n: decoded.append((n.topic.split(":")[1], UUID(str(n.originator_id))))
                        or to_domain_event(n))
    rebuild(domain, ["concerns"])
    assert sorted(t for t, _ in decoded) == ["Child.Created", "Concern.Created", "Concern.Created", "Erasure.Created"]
    assert ("Child.Created", erased) in decoded  # a tombstone; the kept child's is skipped
    assert rows(ProjectionRunner(domain)["concerns"].view) == live


def test_statistics_rows_take_the_unit_kind_and_only_the_first_action(domain):
    # The statistics row of a concern takes its unit's kind (remembered from
    # Unit.Created, or read from the view by a runner that did not see it
    # created) and the days to its first action only: a referral sent counts,
    # a later action does not move it, and an action dated before the concern
    # counts as day 0.
    unit = domain.register_unit("Fjordvik barnehage", "barnehage")
    child = domain.register_child("Liv", "Strand", date(2021, 6, 1), unit)
    staff = UUID(int=7)
    domain.open_concern(child, staff, date(2026, 11, 2), "Første observasjon.", "", ["neglect"], 1)
    ProjectionRunner(domain).catch_up()  # the unit is in the view; the next runner never sees it created
    second = domain.open_concern(child, staff, date(2026, 11, 10), "Andre observasjon.", "", ["neglect"], 1)
    third = domain.open_concern(child, staff, date(2026, 11, 20), "Tredje observasjon.", "", ["neglect"], 1)
    fields = {"reporter_name": "Kari", "reporter_role": "Styrer", "reporter_phone": "41234567",
              "reporter_email": "kari@example.no", "message": "Blåmerker",
              "child_address": {"street": "Strandveien 1", "postcode": "6412", "place": "Fjordvik"},
              "guardians": [{"name": "Mona Strand", "informed": True, "not_informed_reason": ""}]}
    domain.send_referral(domain.open_referral(second, "barnevern", staff, fields), date(2026, 11, 13), "fiks")
    domain.send_referral(domain.open_referral(second, "barnevern", staff, fields), date(2026, 11, 24), "fiks")
    domain.send_referral(domain.open_referral(third, "barnevern", staff, fields), date(2026, 11, 18), "fiks")
    runner = ProjectionRunner(domain)
    runner.catch_up()
    view = runner["meetings"].view
    rows = {row["opened_on"]: (row["unit_kind"], row["first_action_days"])
            for row in view.fetchall("SELECT opened_on, unit_kind, first_action_days FROM {stats}")}
    assert rows == {"2026-11-02": ("barnehage", None), "2026-11-10": ("barnehage", 3),
                    "2026-11-20": ("barnehage", 0)}


def test_days_to_first_action_count_oslo_days(domain, monkeypatch):
    # Events are stamped in UTC: a level set at 00:30 in Oslo is stamped the
    # day before. The leaders' "days to first action" counts Oslo days
    # (events/clock.py), as the concern's own date is one.
    from datetime import datetime, timezone

    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Liv", "Strand", date(2015, 6, 1), unit)
    staff = UUID(int=7)
    concern_id = domain.open_concern(child, staff, date(2026, 11, 23), "Første observasjon.", "", ["neglect"], 1)
    concern = domain.get_concern(concern_id)
    night = datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc)  # 24 November, 00:30 in Oslo
    from events import clock

    with clock.set_to(night):
        concern.set_level(2, "Tiltak vurdert i samråd med leder")
        domain.save(concern)
    runner = ProjectionRunner(domain)
    runner.catch_up()
    rows = runner["meetings"].view.fetchall("SELECT first_action_days FROM {stats}")
    assert [row["first_action_days"] for row in rows] == [1]


@pytest.mark.postgres
def test_the_access_logs_ids_and_times_compare_byte_by_byte_on_postgres(tmp_path, kek, pg_schema):
    # Compared by the database's locale (even C.UTF-8), building the access log's
    # indexes was much slower (projections/view.py).
    from tests.conftest import pg_connect, postgres_env

    app = Bekymring(env=postgres_env(tmp_path, kek, pg_schema))
    try:
        ProjectionRunner(app, [AccessLogProjection]).catch_up()
    finally:
        app.close()
    with pg_connect() as c:
        rows = c.execute("SELECT column_name, collation_name FROM information_schema.columns "
                         "WHERE table_schema = %s AND table_name = 'access_log_accesses'", (pg_schema,)).fetchall()
    collations = dict(rows)
    assert {name: collations[name] for name in ("access_id", "child_id", "at", "user_id")} == dict.fromkeys(
        ("access_id", "child_id", "at", "user_id"), "C")
    assert collations["records"] is None  # the database's default, as for any other text
