"""Crash durability: a writer process is killed with SIGKILL many times mid-write.

The writer (this file, run as a script) saves events from three threads — access
events, which share commits as concurrent pages' do (events/group_commit.py),
and logbook entries — while its read models follow in threads, and prints each
request key once its save has returned. The test kills it at random moments,
restarts it with the keys left unacknowledged, and afterwards checks that:

- every acknowledged event is in the store, and no request was applied twice;
- the tamper-evidence ledger verifies (after its catch-up);
- every read model equals a rebuild from the events (sealed blobs compared by
  presence, since their nonces differ; checkpoint creation and signing times
  ignored, and only the checkpoints signed by count compared).

Retrying is safe. An access event's id is derived from the client's request key
(uuid5), so a retried save of a request that was committed before the crash
conflicts on (id, version 1) and is recognised as already done. A logbook entry
carries its request key; before retrying, the writer reloads the concern and
looks for it (the concern's version check makes that check-then-write safe
against a concurrent writer too). One extra round crashes the writer right
after a commit and before its acknowledgement, to show the retry deterministically.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.persistence import IntegrityError as AlreadyStored

from events import clock
from events.application import Bekymring
from events.audit import Access
from events.base import acting_as
from events.ledger.checkpoints import parse_checkpoint
from projections.config import DEFAULTS

REPO = Path(__file__).resolve().parent.parent
KILLS = 20
WRITER_THREADS = 3
REQUESTS = uuid5(NAMESPACE_URL, "bekymring:test:durability")


def access_id(key: str) -> UUID:
    """The id of the access event for one client request: the same on every retry."""
    return uuid5(REQUESTS, key)


def unacknowledged(acked: dict[int, Any], below: int) -> list[int]:
    """The request numbers below `below` never acknowledged (threads leave gaps)."""
    return sorted(set(range(below)) - set(acked))


def marker(key: str) -> str:
    return f"[forespørsel {key}]"


# -- the writer (runs in a subprocess) -------------------------------------------------
def write_access(app: Bekymring, cfg: dict, key: str) -> str:
    access = Access._create(  # noqa: SLF001 - the constructor only makes random ids
        Access.Created, id=access_id(key), user_id=UUID(cfg["user"]), role="staff",
        unit_id=UUID(cfg["unit"]), subject_ids=[UUID(cfg["child"])], records=["concern", "child.name"],
        action="view", reason="", session="durability", bases=[["own_unit", None]],
    )
    try:
        app.save_access(access)  # group-committed with the other threads' accesses, as pages are
    except AlreadyStored:
        return "retried"  # committed before the crash; the acknowledgement was lost
    return "new"


def write_observation(app: Bekymring, cfg: dict, key: str) -> str:
    while True:
        concern = app.get_concern(UUID(cfg["concern"]))
        if any(marker(key) in entry["text"] for entry in concern.entries):
            return "retried"
        concern.log_observation(clock.today(), f"Observasjon {marker(key)}", "", UUID(cfg["user"]))
        try:
            app.save(concern)
            return "new"
        except AlreadyStored:  # a version conflict: another thread wrote first; reload and check again
            continue


def writer(cfg: dict[str, Any]) -> None:
    """WRITER_THREADS threads take request numbers in turn: first those an earlier
    run left unacknowledged (`todo`), then on from `next`. Their access events
    share commits, as concurrent pages' do."""
    from projections.live import ProjectionRunner

    app = Bekymring(env=cfg["env"])
    runner = ProjectionRunner(app).start()  # kills land in the read models' batches too
    print("ready", flush=True)
    numbers = itertools.chain(cfg["todo"], range(cfg["next"], cfg["stop_at"]))
    taking, printing = threading.Lock(), threading.Lock()

    def work() -> None:
        with acting_as(UUID(cfg["user"])):  # a thread starts with a context of its own
            while True:
                with taking:
                    n = next(numbers, None)
                if n is None:
                    return
                kind = "obs" if n % 4 == 3 else "access"
                outcome = (write_observation if kind == "obs" else write_access)(app, cfg, f"r{n}")
                if cfg.get("crash_after_commit"):
                    os.kill(os.getpid(), signal.SIGKILL)  # committed, never acknowledged
                with printing:
                    print(f"ack {n} {kind} {outcome}", flush=True)

    threads = [threading.Thread(target=work) for _ in range(WRITER_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    runner.stop()
    app.close()


# -- the test ---------------------------------------------------------------------------
def start_writer(cfg: dict, stderr) -> subprocess.Popen:
    # Unbuffered: readline() on a raw pipe reads byte by byte, so no acknowledgement
    # is read ahead into a buffer that communicate() (which reads the fd) would skip.
    proc = subprocess.Popen(
        [sys.executable, __file__, json.dumps(cfg)], cwd=REPO, stdout=subprocess.PIPE, stderr=stderr,
        bufsize=0, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    while True:  # anything a library prints before "ready" is not ours
        line = proc.stdout.readline()
        assert line, "the writer died before it was ready"
        if line.strip() == b"ready":
            return proc


def output_of(proc: subprocess.Popen, already: bytes = b"") -> str:
    out, _ = proc.communicate(timeout=60)
    return (already + (out or b"")).decode()


ACK = re.compile(r"ack (\d+) (access|obs) (new|retried)\n")


def acks_of(output: str) -> list[tuple[int, str, str]]:
    """The acknowledged requests, in order (tolerant of other output on the same line)."""
    return [(int(m[1]), m[2], m[3]) for m in ACK.finditer(output)]


def table_rows(view: Any) -> dict[str, list[tuple]]:
    """Every row of a read model's tables, comparable across a rebuild."""
    out = {}
    for table in view.tables:
        with view.transaction() as c:
            c.execute(f"SELECT * FROM {view.qualify(table)}")
            rows = [dict(r) for r in c.fetchall()]
        if table in ("checkpoints", "maps"):  # those signed as time passed, or at a stop, a rebuild does not sign
            rows = [r for r in rows if r["size"] % DEFAULTS.checkpoint_every == 0]
        normalised = []
        for row in rows:
            for column in list(row):
                if column.endswith("_sealed"):
                    row[column] = row[column] is not None  # fresh nonce on every seal
                elif table == "checkpoints" and column == "created_at":
                    del row[column]  # wall-clock time of signing
                elif table == "checkpoints" and column == "note":
                    # The tree and the map it signs, not the time it was signed (nor so its signature).
                    row[column] = [line for line in parse_checkpoint(row[column]).text.split("\n")
                                   if not line.startswith("bekymring-signed ")]
                elif isinstance(row[column], memoryview):
                    row[column] = bytes(row[column])
            normalised.append(tuple(sorted(row.items())))
        out[table] = sorted(normalised, key=repr)
    return out


def test_killed_writer_loses_no_acknowledged_event(env, tmp_path):
    from projections.ledger import raw_rows, verify
    from projections.live import ProjectionRunner
    from projections.rebuild import rebuild

    app = Bekymring(env=env)
    with acting_as(None):
        unit = app.register_unit("Solsikken barnehage", "barnehage")
        user = app.register_user("pedleder", "Ingrid Solberg", "Pedagogisk leder", "staff", unit, None,
                                 "not-a-real-hash", False)
        child = app.register_child("Sofie", "Kvernmo", date(2021, 4, 12), unit)
    with acting_as(user):
        concern = app.open_concern(child, user, clock.today(), "Første observasjon.", "", ["neglect"], 2)
    app.close()
    cfg = {"env": env, "unit": str(unit), "user": str(user), "child": str(child), "concern": str(concern),
           "todo": [], "next": 0, "stop_at": 10**9}

    rng = random.Random()
    acked: dict[int, tuple[str, str]] = {}
    retried = 0
    started = time.monotonic()
    with open(tmp_path / "writer.stderr", "w") as stderr:
        for _ in range(KILLS):
            # Threads acknowledge out of order: retry the gaps, then go on.
            cfg["next"] = max(acked, default=-1) + 1
            cfg["todo"] = unacknowledged(acked, cfg["next"])
            proc = start_writer(cfg, stderr)
            first = proc.stdout.readline()  # at least one write per run, then a random moment
            time.sleep(rng.uniform(0.0, 0.6))
            proc.send_signal(signal.SIGKILL)
            output = output_of(proc, first)
            assert proc.returncode == -signal.SIGKILL
            for n, kind, outcome in acks_of(output):
                assert n not in acked, f"request {n} acknowledged twice"
                acked[n] = (kind, outcome)
                retried += outcome == "retried"

        # Deterministically: commit, crash before the acknowledgement, retry.
        crash_at = max(acked) + 1
        todo = unacknowledged(acked, crash_at)
        proc = start_writer({**cfg, "todo": [crash_at], "next": crash_at + 1, "stop_at": crash_at + 1,
                             "crash_after_commit": True}, stderr)  # that one request alone
        output = output_of(proc)
        assert proc.returncode == -signal.SIGKILL and not acks_of(output)
        proc = start_writer({**cfg, "todo": todo, "next": crash_at, "stop_at": crash_at + 8}, stderr)
        output = output_of(proc)
        assert proc.returncode == 0, (tmp_path / "writer.stderr").read_text()[-3000:]
        final = {n: (kind, outcome) for n, kind, outcome in acks_of(output)}
        assert final[crash_at] == ("access" if crash_at % 4 != 3 else "obs", "retried")
        acked.update(final)
    elapsed = time.monotonic() - started
    assert len(acked) > KILLS, f"too few writes between kills: {len(acked)}"
    missing = unacknowledged(acked, max(acked) + 1)
    assert not missing, f"requests never acknowledged: {missing[:20]}"

    app = Bekymring(env=env)
    try:
        # Every acknowledged event is in the store, exactly once.
        for n, (kind, _) in acked.items():
            if kind == "access":
                stored = app.recorder.select_events(access_id(f"r{n}"))
                assert len(stored) == 1, f"access r{n} missing"
                assert app.repository.get(access_id(f"r{n}")).session == "durability"
        entries = Counter(e["text"] for e in app.get_concern(concern).entries)
        for n, (kind, _) in acked.items():
            if kind == "obs":
                assert entries[f"Observasjon {marker(f'r{n}')}"] == 1, f"observation r{n}: {entries}"
        attempted = max(acked) + 1
        assert sum(1 for t in entries if "[forespørsel" in t) == sum(1 for n in range(attempted) if n % 4 == 3)

        # The ledger and every read model finish from where the crashes left them...
        runner = ProjectionRunner(app)
        runner.catch_up()
        report = verify(app, runner["ledger"].view)
        assert report.ok, str(report)
        # Every stored row is in the tree; on PostgreSQL a killed transaction leaves a gap in the ids.
        assert report.last_id == app.position()
        assert report.size == len(list(raw_rows(app)))
        before = {name: table_rows(f.view) for name, f in runner.followers.items()}
        positions = {name: f.view.position(app.name) for name, f in runner.followers.items()}
        assert set(positions.values()) == {app.position()}
        # ...and equal a rebuild from the events.
        rebuild(app)
        after = {name: table_rows(ProjectionRunner(app).followers[name].view) for name in before}
        for name in before:
            assert before[name] == after[name], f"read model {name} differs from its rebuild"
        assert before["access_log"]["accesses"], "the access log is empty"
    finally:
        app.close()
    print(f"{len(acked)} requests acknowledged across {KILLS} kills ({retried} retried) in {elapsed:.1f}s")


if __name__ == "__main__":
    writer(json.loads(sys.argv[1]))
