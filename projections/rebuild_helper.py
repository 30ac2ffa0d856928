"""A second process for `rebuild`: it builds the read models the first one feeds it.

The helper is a fresh interpreter (`python -m projections.rebuild_helper FD`),
not a multiprocessing child: it imports nothing of the caller's main module and
inherits none of its connections or threads. Its stdin is the feed, pickled
messages framed by `multiprocessing.connection`: first the environment and the
read models' names (the environment can hold the KEK, so never the command
line), then one `(items, last position)` per batch, then None. Its answer is
one JSON line on the pipe FD: {"timings": ...} or {"error": traceback}.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any, Iterator, Mapping


class HelperProcess:
    """The first process's side: start the helper, feed it, take its answer."""

    def __init__(self, env: Mapping[str, str], names: list[str]):
        feed_read, feed_write = os.pipe()
        answer_read, answer_write = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "projections.rebuild_helper", str(answer_write)],
                stdin=feed_read, pass_fds=(answer_write,))
        finally:
            os.close(feed_read)
            os.close(answer_write)
        self._feed = Connection(feed_write, readable=False)
        self._answer = os.fdopen(answer_read, "rb")
        self._send({"env": dict(env), "names": names})

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
        return self._read_answer()

    def _read_answer(self) -> dict[str, float]:
        line = self._answer.readline()
        if not line:
            raise RuntimeError(f"the rebuild helper stopped (exit code {self._process.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"the rebuild helper failed:\n{answer['error']}")
        return answer["timings"]

    def stop(self) -> None:
        if not self._feed.closed:  # the first process failed: the helper's work is void
            self._feed.close()
            self._process.kill()
        self._process.wait()
        self._answer.close()


def _batches(feed: Connection) -> Iterator[tuple[list[Any], int]]:
    while (message := feed.recv()) is not None:
        yield message


def main(fd: int) -> None:
    from events.application import Bekymring
    from projections.runner import PROJECTIONS, rebuild_from_feed

    feed = Connection(0, writable=False)
    with os.fdopen(fd, "w") as out:
        app = None
        try:
            request = feed.recv()
            app = Bekymring(env=request["env"])
            timings: dict[str, float] = {}
            rebuild_from_feed(app, [c for c in PROJECTIONS if c.name in request["names"]], _batches(feed), timings)
            out.write(json.dumps({"timings": timings}) + "\n")
        except BaseException:
            out.write(json.dumps({"error": traceback.format_exc()}) + "\n")
        finally:
            if app is not None:
                app.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
