"""A second process for `rebuild`: it builds the read models the first one feeds it.

The helper is a fresh interpreter (`python -P -m projections.rebuild_helper FD`),
not a multiprocessing child: it imports nothing of the caller's main module and
inherits none of its connections or threads, and it imports this same copy of
the project (PYTHONPATH), not whatever the working directory holds. Its stdin is
the feed, pickled messages framed by `multiprocessing.connection`: first the
environment and the read models' names (the environment can hold the KEK, so
never the command line), then one `(items, last position)` per batch, then None.
It answers in JSON lines on the pipe FD: {"ready": true} once it has opened the
store, then {"timings": ...}; or {"error": traceback} instead of either.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import subprocess
import sys
import time
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Iterator, Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # holds this `projections` package


class HelperProcess:
    """The first process's side: start the helper, feed it, take its answers."""

    def __init__(self, env: Mapping[str, str], names: list[str]):
        feed_read, feed_write = os.pipe()
        _widen(feed_write)
        answer_read, answer_write = os.pipe()
        path = os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-P", "-m", "projections.rebuild_helper", str(answer_write)],
                stdin=feed_read, pass_fds=(answer_write,), env={**os.environ, "PYTHONPATH": path})
        except BaseException:
            os.close(feed_write)
            os.close(answer_read)
            raise
        finally:
            os.close(feed_read)
            os.close(answer_write)
        self._feed = Connection(feed_write, readable=False)
        self._answer = os.fdopen(answer_read, "rb")
        try:
            self._send({"env": dict(env), "names": names})
            self._read_answer()  # ready: it opened the store (else it says why, and nothing was dropped)
        except BaseException:
            self.stop()
            raise

    def send(self, items: list[Any], last: int) -> float:
        """One batch: what the read models take of it, and its last position.
        Returns the seconds spent waiting for the helper to take it (it is still
        busy with the batch before, if that is more than a moment)."""
        return self._send((items, last))

    def _send(self, message: Any) -> float:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)  # what Connection.recv reads
        started = time.perf_counter()
        try:
            self._feed.send_bytes(data)
        except OSError:  # it stopped: say why
            self._feed.close()
            self._read_answer()
            raise RuntimeError("the rebuild helper stopped reading") from None
        return time.perf_counter() - started

    def finish(self) -> dict[str, float]:
        """Tell the helper the feed is over; wait for its indexes and its timings."""
        self._send(None)
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
        if not self._feed.closed:  # the first process failed: the helper's work is void
            self._feed.close()
            self._process.kill()
        self._process.wait()
        self._answer.close()


PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """A 1 MiB pipe instead of 64 KiB (Linux): while the helper drops the old
    read model, the first process goes on with the log's first batches (few of
    them are for the helper) instead of waiting for it."""
    try:
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (AttributeError, OSError):  # not Linux, or above the system's limit
        pass


def _batches(feed: Connection, timings: dict[str, float]) -> Iterator[tuple[list[Any], int]]:
    """The feed's batches; in `timings["idle"]`, the seconds spent waiting for
    them (with `waited` in the first process's: how well the two kept busy)."""
    idle = 0.0
    try:
        while True:
            started = time.perf_counter()
            feed.poll(None)
            idle += time.perf_counter() - started
            if (message := feed.recv()) is None:
                return
            yield message
    finally:
        timings["idle"] = round(idle, 2)


def main(fd: int) -> None:
    from events.application import Bekymring
    from projections.runner import PROJECTIONS, rebuild_from_feed

    feed = Connection(0, writable=False)
    with os.fdopen(fd, "w", buffering=1) as out:
        app = None
        try:
            request = feed.recv()
            app = Bekymring(env=request["env"])
            out.write(json.dumps({"ready": True}) + "\n")
            timings: dict[str, float] = {}
            rebuild_from_feed(app, [c for c in PROJECTIONS if c.name in request["names"]], _batches(feed, timings),
                              timings)
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


if __name__ == "__main__":
    main(int(sys.argv[1]))
