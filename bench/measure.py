"""The measurements that do not need the web: writes, queries, rebuild, audit verify."""

from __future__ import annotations

import random
import shutil
import sqlite3
import statistics
import time
from contextlib import nullcontext
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from uuid import UUID, uuid4

from eventsourcing.application import Application

from events import clock
from events.application import Bekymring
from events.base import acting_as
from events.policy import Basis
from projections.access_log import AccessLogProjection
from projections.ledger import LedgerProjection, verify
from projections.batches import Follower
from projections.rebuild import rebuild
from projections.registry import construct_view

from bench import stores
from bench.build import child_ids, log
from bench.stores import Scale


def _ms(seconds: list[float]) -> dict[str, float]:
    s = sorted(seconds)
    pick = lambda p: s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))] * 1000  # noqa: E731
    return {"n": len(s), "median_ms": round(statistics.median(s) * 1000, 3), "p90_ms": round(pick(90), 3),
            "p99_ms": round(pick(99), 3), "max_ms": round(s[-1] * 1000, 3)}


# -- queries -------------------------------------------------------------------------
def queries(app: Bekymring, scale: Scale, n: int = 300) -> dict[str, Any]:
    """Who saw this child (by_child) and the privacy officer's queue (its groups,
    and a group's anomalies), at scale."""
    view = construct_view(AccessLogProjection, app)
    now = datetime.now(timezone.utc)
    start, end = (now - timedelta(days=366)).isoformat(), (now + timedelta(days=1)).isoformat()
    children = child_ids(scale, n + 20, seed="queries")
    rng = random.Random("queue")
    rows = []

    def timed(fn: Callable[[], list]) -> float:
        t0 = time.perf_counter()
        rows.append(len(fn()))
        return time.perf_counter() - t0

    by_child = [timed(lambda c=c: view.by_child(c, start, end, 0, 50)) for c in children]
    by_child_rows = rows[20:]
    rows.clear()
    # The queue as the page reads it: a page of groups, then one group's anomalies.
    groups = view.groups(0, 1000)
    picks = [groups[rng.randrange(len(groups))] for _ in range(n + 20)] if groups else []
    queue = [timed(lambda o=rng.randrange(20) * 50: view.groups(o, 50)) for _ in range(n + 20)]
    queue += [timed(lambda g=g: view.group_rows(UUID(g["user_id"]), g["rule"], 0, 50)) for g in picks]
    queue_rows = rows[20:]
    counts = view.fetchone("SELECT (SELECT COUNT(*) FROM {accesses}) AS accesses, "
                           "(SELECT COUNT(*) FROM {anomalies}) AS anomalies")
    if view.datastore is not app.factory.datastore:
        view.datastore.close()
    return {
        "by_child": {**_ms(by_child[20:]), "mean_rows": round(statistics.mean(by_child_rows), 1)},
        "queue": {**_ms(queue[20:]), "mean_rows": round(statistics.mean(queue_rows), 1)},
        "access_rows": counts["accesses"], "anomaly_rows": counts["anomalies"],
    }


# -- the write path: our envelope encryption against the library's plain mapper --------
class PlainBekymring(Bekymring):
    """The same application with the library's default mapper: no cipher at all."""

    def construct_mapper(self):  # type: ignore[override]
        return Application.construct_mapper(self)

    def new_child_id(self):  # type: ignore[override]
        return nullcontext(uuid4())  # no key store: the library's kind of id

    def close(self) -> None:
        Application.close(self)


def scratch_env(kind: str, root: Path, tag: str) -> tuple[dict[str, str], Callable[[], None]]:
    """A fresh, empty store of the same kind; and how to remove it."""
    if kind == "sqlite":
        d = root / f"scratch-{tag}-{uuid4().hex[:8]}"
        return stores.env_for("sqlite", d), lambda: shutil.rmtree(d, ignore_errors=True)
    schema = stores.pg_schema_name(f"w{uuid4().hex[:10]}")
    stores.create_schema(schema)
    d = root / f"scratch-{schema}"
    return stores.env_for("postgres", d, schema), lambda: (stores.drop_schema(schema),
                                                           shutil.rmtree(d, ignore_errors=True))


WRITES = ("register_child", "log_observation", "record_access")


class _Writer:
    """One application on a fresh, empty store, doing the three writes."""

    def __init__(self, app_class: type, kind: str, root: Path):
        self.env, self.cleanup = scratch_env(kind, root, "write")
        self.app = app_class(env=self.env)
        with acting_as(None):
            self.unit = self.app.register_unit("Enhet", "barnehage")
            self.author = uuid4()
            self.kids = [self.app.register_child("Ada", "Berg", date(2019, 1, 1), self.unit) for _ in range(20)]
            self.concerns = [
                self.app.get_concern(self.app.open_concern(k, self.author, clock.today(), "Første observasjon.", "",
                                                           ["neglect"], 2))
                for k in self.kids]
        self.done = 0

    def run(self, op: str, n: int) -> float:
        """Seconds for `n` writes of one kind."""
        app, text = self.app, "Kom uten matpakke og var sulten tre dager på rad. Sa at det ikke var mat hjemme. " * 3
        with acting_as(None):
            t0 = time.perf_counter()
            for i in range(self.done, self.done + n):
                if op == "register_child":  # one event; with encryption, a data key from the stored batch
                    app.register_child("Ada", "Berg", date(2019, 1, 1), self.unit)
                elif op == "log_observation":  # an open concern, its key known
                    concern = self.concerns[i % len(self.concerns)]
                    concern.log_observation(clock.today(), text, "«Jeg er sulten.»", self.author)
                    app.save(concern)
                else:  # an access event, as every page view commits
                    app.record_access(self.author, "staff", self.unit, [self.kids[i % len(self.kids)]],
                                      ["concern", "child.name"], "view", "", "bench-session", [Basis("own_unit")])
            seconds = time.perf_counter() - t0
        self.done += n
        return seconds

    def close(self) -> None:
        self.app.close()
        self.cleanup()


def writes(kind: str, root: Path, n: int = 1500, chunks: int = 10) -> dict[str, Any]:
    """Events/s for three writes, encrypted and plain (the library's own mapper).
    Both applications are open at once and write in alternating chunks, so a
    change in the machine's load falls on both alike; the overhead compares
    their total times."""
    encrypted, plain = _Writer(Bekymring, kind, root), _Writer(PlainBekymring, kind, root)
    try:
        out: dict[str, Any] = {"events_per_op": 1, "n": n, "chunks": chunks}
        for op in WRITES:
            seconds = {encrypted: 0.0, plain: 0.0}
            for k in range(chunks):
                for writer in (encrypted, plain) if k % 2 == 0 else (plain, encrypted):
                    seconds[writer] += writer.run(op, n // chunks)
            done = n // chunks * chunks
            out[op] = {"encrypted_per_s": round(done / seconds[encrypted]),
                       "plain_per_s": round(done / seconds[plain]),
                       "overhead_pct": round(100 * (seconds[encrypted] / seconds[plain] - 1), 1)}
        return out
    finally:
        encrypted.close()
        plain.close()


# -- rebuild on a copy, and audit verify -------------------------------------------------
def copy_store(app: Bekymring, kind: str, env: dict[str, str], root: Path) -> tuple[dict[str, str], Callable[[], None]]:
    """A copy of the event store and the key store (not the read models)."""
    if kind == "sqlite":
        src = Path(env["BEKYMRING_DATA_DIR"])
        dst = root / "rebuild-copy"
        shutil.rmtree(dst, ignore_errors=True)
        copy_env = stores.env_for("sqlite", dst)
        shutil.copy2(src / "bench-kek.key", dst / "bench-kek.key")
        for name in ("bekymring.sqlite", "keys.sqlite"):
            with sqlite3.connect(src / name) as a, sqlite3.connect(dst / name) as b:
                a.backup(b)
        return copy_env, lambda: shutil.rmtree(dst, ignore_errors=True)
    source = env["POSTGRES_SCHEMA"]
    schema = source + "_copy"
    stores.drop_schema(schema)
    stores.create_schema(schema)
    dst = root / f"rebuild-copy-{schema}"
    shutil.rmtree(dst, ignore_errors=True)
    copy_env = stores.env_for("postgres", dst, schema)
    shutil.copy2(Path(env["BEKYMRING_DATA_DIR"]) / "bench-kek.key", dst / "bench-kek.key")
    Bekymring(env=copy_env).close()  # creates the tables, types and functions
    with stores.pg_connect(autocommit=True) as c:
        c.execute(f"INSERT INTO {schema}.bekymring_events (originator_id, originator_version, topic, state, "
                  f"notification_id) SELECT originator_id, originator_version, topic, state, notification_id "
                  f"FROM {source}.bekymring_events ORDER BY notification_id")
        c.execute(f"SELECT setval(pg_get_serial_sequence('{schema}.bekymring_events', 'notification_id'), "
                  f"(SELECT MAX(notification_id) FROM {schema}.bekymring_events))")
        c.execute(f"INSERT INTO {schema}.data_keys SELECT * FROM {source}.data_keys")
    stores.analyze_schema(schema)  # a bulk load: statistics now, as for the store it copies
    return copy_env, lambda: (stores.drop_schema(schema), shutil.rmtree(dst, ignore_errors=True))


ONE_READ_MODEL = "concerns"


def rebuild_on_copy(app: Bekymring, kind: str, env: dict[str, str], root: Path,
                    profile_to: Path | None = None) -> dict[str, Any]:
    t0 = time.perf_counter()
    copy_env, cleanup = copy_store(app, kind, env, root)
    copy_seconds = time.perf_counter() - t0
    try:
        copy = Bekymring(env=copy_env)
        events = copy.position()
        timings: dict[str, float] = {}

        def run() -> None:
            rebuild(copy, timings=timings, config=stores.read_models())  # as `intranet projections rebuild`

        t1 = time.perf_counter()
        summary = None
        if profile_to:
            from bench.profiling import cprofile

            _, summary = cprofile(run, profile_to)
        else:
            run()
        seconds = time.perf_counter() - t1
        log(f"  rebuild: {events} events in {seconds:.1f}s ({timings})")
        # One read model alone, as after a fix to it: events it ignores are not decrypted.
        t2 = time.perf_counter()
        rebuild(copy, [ONE_READ_MODEL], config=stores.read_models())
        one_seconds = time.perf_counter() - t2
        log(f"  rebuild {ONE_READ_MODEL} alone: {one_seconds:.1f}s")
        copy.close()
        out = {"events": events, "seconds": round(seconds, 1), "events_per_s": round(events / seconds),
               "seconds_by_part": timings, "copy_seconds": round(copy_seconds, 1), "profiled": bool(profile_to),
               "one_read_model": {"name": ONE_READ_MODEL, "seconds": round(one_seconds, 1),
                                  "events_per_s": round(events / one_seconds)}}
        if summary:
            out["profile"] = summary
        return out
    finally:
        cleanup()


def audit_verify(app: Bekymring) -> dict[str, Any]:
    config = stores.read_models()
    view = construct_view(LedgerProjection, app)
    Follower(LedgerProjection(view, app, config), app).catch_up()
    t0, c0 = time.perf_counter(), time.process_time()
    report = verify(app, view, config=config)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    # CPU seconds too: on a shared machine the wall clock says as much about the neighbours.
    return {"ok": report.ok, "rows": report.size, "checkpoints": len(report.checkpoints_matched),
            "seconds": round(seconds, 2), "events_per_s": round(report.size / seconds),
            "cpu_seconds": round(cpu, 2), "events_per_cpu_s": round(report.size / cpu)}


def concern_ids_for_leader(app: Bekymring, unit_id: str, limit: int = 500) -> list[UUID]:
    from projections.concerns import ConcernProjection

    view = construct_view(ConcernProjection, app)
    rows = view.fetchall("SELECT id FROM {concerns} WHERE unit_id = ? ORDER BY id LIMIT ?", (unit_id, limit))
    return [UUID(r["id"]) for r in rows]
