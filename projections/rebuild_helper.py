"""A second process for `rebuild` (projections/rebuild.py): it builds the read
models the first one feeds it. This module does not import rebuild.py.

The helper is a fresh interpreter (`python -P -c ... ROOT FD ACKS`), not a
multiprocessing child: it imports nothing of the caller's main module and
inherits none of its connections or threads, and it imports this same copy of
the project (ROOT first on its path), not whatever the working directory holds.
Its stdin is the feed, pickled messages framed by `multiprocessing.connection`:
first the domain environment, the read models' names and their
`ReadModelConfig` (the environment can hold the KEK, so never the command
line), then one `(items, last position)` per batch, then None.
It answers in JSON lines on the pipe FD: {"ready": true} once it has opened the
store, then {"timings": ...}; or {"error": traceback} instead of either. On the
pipe ACKS it writes one byte for each batch it has applied.

In the first process a thread writes the batches, so that the first process
goes on with its own read models while the helper reads; the acknowledgements
tell it when the helper is about to run out (`wants_more`).
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
import traceback
from contextlib import ExitStack
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from events.application import Bekymring, uses_postgres
from projections.from_zero import rare_collections, rebuilding
from projections.registry import PROJECTIONS

from projections.config import DEFAULTS, ReadModelConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # holds this `projections` package
# The helper's entry: this project's root first on its path, then `main(FD, ACKS)`.
HELPER_MAIN = ("import sys; sys.path.insert(0, sys.argv[1]); "
               "from projections.rebuild_helper import main; main(int(sys.argv[2]), int(sys.argv[3]))")


class HelperProcess:
    """The first process's side: start the helper, feed it, take its answers."""

    def __init__(self, env: Mapping[str, str], names: list[str], config: ReadModelConfig = DEFAULTS):
        feed_read, feed_write = os.pipe()
        _widen(feed_write)
        answer_read, answer_write = os.pipe()
        acks_read, acks_write = os.pipe()
        os.set_blocking(acks_read, False)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-c", HELPER_MAIN, str(PROJECT_ROOT), str(answer_write), str(acks_write)],
                stdin=feed_read, pass_fds=(answer_write, acks_write))
        except BaseException:
            os.close(feed_write)
            os.close(answer_read)
            os.close(acks_read)
            raise
        finally:
            os.close(feed_read)
            os.close(answer_write)
            os.close(acks_write)
        self._feed = Connection(feed_write, readable=False)
        self._answer = os.fdopen(answer_read, "rb")
        self._acks = acks_read
        self._sent = self._applied = 0  # batches
        # A batch being written (the helper reads it when it is done with the one
        # before) and at most one more waiting here.
        self._queue: queue.Queue[bytes | object] = queue.Queue(maxsize=1)
        self._broken = False  # the helper stopped reading: `_check` says why
        self._sender: threading.Thread | None = None
        try:
            try:
                self._feed.send_bytes(_pickled({"env": dict(env), "names": names, "config": config}))
            except OSError:  # it stopped already: say why
                self._broken = True
                self._check()
            self._read_answer()  # ready: it opened the store (else it says why, and nothing was dropped)
        except BaseException:
            self.close()
            raise
        self._sender = threading.Thread(target=self._write_queued, name="rebuild-feed", daemon=True)
        self._sender.start()

    def send(self, items: list[Any], last: int) -> float:
        """Queue one batch: what the read models take of it, and its last position.
        Returns the seconds spent waiting for room in the queue (the helper is
        then still busy with the batches before)."""
        self._sent += 1
        return self._put(_pickled((items, last)))

    def wants_more(self) -> bool:
        """Whether the helper has less than two batches left to apply (it would
        soon wait for one)."""
        try:
            while acks := os.read(self._acks, 4096):
                self._applied += len(acks)
        except BlockingIOError:  # none since the last look
            pass
        return self._sent - self._applied < 2

    def _put(self, data: bytes | object) -> float:
        self._check()
        started = time.perf_counter()
        self._queue.put(data)
        return time.perf_counter() - started

    def _write_queued(self) -> None:
        """The sender thread: write each queued batch (the write waits, without the
        GIL, while the helper works); after a broken pipe, drop the rest."""
        while (data := self._queue.get()) is not _END:
            if self._broken:
                continue
            try:
                self._feed.send_bytes(data)  # type: ignore[arg-type]
            except OSError:
                self._broken = True

    def _check(self) -> None:
        if self._broken:  # it stopped reading: wait for it to say why
            self._end_sender()
            self._feed.close()
            self._read_answer()
            raise RuntimeError("the rebuild helper stopped reading")

    def _end_sender(self) -> None:
        if self._sender is not None and self._sender.is_alive():
            self._queue.put(_END)  # after the batches queued before it (dropped if the pipe broke)
            self._sender.join()

    def finish(self) -> dict[str, float]:
        """Tell the helper the feed is over; wait for its indexes and its timings."""
        self._put(_pickled(None))
        self._end_sender()
        self._check()
        self._feed.close()
        return self._read_answer()["timings"]

    def _read_answer(self) -> dict[str, Any]:
        line = self._answer.readline()
        if not line:
            raise RuntimeError(f"the rebuild helper stopped (exit code {self._process.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the rebuild helper failed:\n{answer['error']}")
        return answer

    def stop(self) -> None:
        """End the feed, killing the helper unless the feed was finished (the first
        process failed: the helper's work is void)."""
        if not self._feed.closed:
            self._process.kill()  # a write in flight fails at once
            self._end_sender()
            self._feed.close()
        self._process.wait()

    def close(self) -> None:
        self.stop()
        self._answer.close()
        os.close(self._acks)


_END = object()  # the sender thread's last item


def _pickled(message: Any) -> bytes:
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)  # what Connection.recv reads


PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """A 1 MiB pipe instead of 64 KiB (Linux): while the helper drops the old
    read model, the first process goes on with the log's first batches (few of
    them are for the helper) instead of waiting for it."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above the system's limit
        pass


def _batches(feed: Connection, acks: int, timings: dict[str, float]) -> Iterator[tuple[list[Any], int]]:
    """The feed's batches, each acknowledged once applied (when the next is
    asked for); in `timings["idle"]`, the seconds spent waiting for them (with
    `waited` in the first process's: how well the two kept busy)."""
    idle = 0.0
    try:
        while True:
            started = time.perf_counter()
            feed.poll(None)
            idle += time.perf_counter() - started
            if (message := feed.recv()) is None:
                return
            yield message
            try:  # asked for the next: this one is applied
                os.write(acks, b".")
            except BlockingIOError:  # 64 KiB not read yet: the first process only guesses worse
                pass
    finally:
        timings["idle"] = round(idle, 2)


HELPER_GROUP = 50_000  # events the helper applies per transaction on SQLite (see `rebuild_from_feed`)


def rebuild_from_feed(app: Bekymring, chosen: list[type], feed: Iterable[tuple[list[Any], int]],
                      timings: dict[str, float], group: int = HELPER_GROUP,
                      config: ReadModelConfig = DEFAULTS) -> None:
    """In the helper: rebuild `chosen` from the batches the first process sends,
    each applied as it comes, `group` events or more to a transaction. A commit
    writes every page the transaction changed, and rows keyed by random ids (the
    access log's anomalies) change pages all over their index, so fewer, larger
    commits write far less."""
    decoding = committing = 0.0
    batches = iter(feed)
    # SQLite only: a PostgreSQL transaction must not wait on the feed, since the
    # library ends a connection idle in one for 5 s (and the rows go in by COPY).
    group = 0 if uses_postgres(app.env) else group
    with rare_collections(), rebuilding(app, chosen, timings, config) as followers:
        batch = next(batches, None)
        while batch is not None:
            applied = 0
            with ExitStack() as stack:
                cursors = [stack.enter_context(f.view.transaction(commit=True)) for f in followers]
                while batch is not None:
                    items, last = batch
                    app.mapper.preload_keys(i[3] for i in items if type(i) is tuple)
                    for follower, c in zip(followers, cursors):
                        started = time.perf_counter()
                        events = [from_first_process(app, follower.projection, i) if type(i) is tuple else i
                                  for i in items]
                        decoding += time.perf_counter() - started
                        started = time.perf_counter()
                        follower.apply_in(c, events, last)
                        follower.seconds += time.perf_counter() - started
                    applied += len(events)
                    if applied >= group:
                        break
                    batch = next(batches, None)  # waiting inside the transaction: SQLite only
                started = time.perf_counter()
            committing += time.perf_counter() - started
            if applied >= group:
                batch = next(batches, None)
    timings["decode"] = round(decoding, 2)
    timings["commit"] = round(committing, 2)
    for follower in followers:
        timings[follower.projection.name] = round(follower.seconds, 2)


def from_first_process(app: Bekymring, projection: Any, item: tuple[bytes, int, str, bytes]) -> Any:
    """In the helper: a stored event `to_helper` sent, decrypted and in the read
    model's `portable` form; a tombstone if its key was shredded meanwhile."""
    originator_id, version, topic, state = item
    stored = StoredEvent(originator_id=UUID(bytes=originator_id), originator_version=version, topic=topic, state=state)
    plaintext = app.mapper.decrypt(stored)
    if plaintext is None:
        return app.mapper.to_domain_event(stored)
    return projection.portable(stored.originator_id, version, topic, plaintext)


def main(fd: int, acks: int) -> None:
    feed = Connection(0, writable=False)
    os.set_blocking(acks, False)
    with os.fdopen(fd, "w", buffering=1) as out:
        app = None
        try:
            request = feed.recv()
            app = Bekymring(env=request["env"])
            out.write(json.dumps({"ready": True}) + "\n")
            timings: dict[str, float] = {}
            rebuild_from_feed(app, [c for c in PROJECTIONS if c.name in request["names"]], _batches(feed, acks, timings),
                              timings, config=request["config"])
            out.write(json.dumps({"timings": timings}) + "\n")
        except BaseException:
            # Stop reading first: the first process, blocked sending a batch, then
            # gets a broken pipe and reads this answer (a long traceback would not
            # fit in the pipe while both wait).
            feed.close()
            out.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        finally:
            if app is not None:
                app.close()
