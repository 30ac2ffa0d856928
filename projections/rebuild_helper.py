"""A second process for `rebuild`: it builds some read models beside the first.

The helper is a fresh interpreter (`python -m projections.rebuild_helper FD`),
not a multiprocessing child: it imports nothing of the caller's main module and
inherits none of its connections or threads. It gets the environment on stdin
(it can hold the KEK, so never on the command line), reads the store itself and
writes JSON lines to the pipe FD: {"progress": n} per batch, then either
{"counts": ..., "timings": ...} or {"error": traceback}.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import traceback
from typing import Any, Callable, Mapping


class HelperProcess:
    """The caller's side: start the helper, follow its progress, take its result."""

    def __init__(self, env: Mapping[str, str], names: list[str]):
        read_end, write_end = os.pipe()
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "projections.rebuild_helper", str(write_end)],
                stdin=subprocess.PIPE, pass_fds=(write_end,))
        finally:
            os.close(write_end)
        self._pipe = os.fdopen(read_end, "rb", buffering=0)  # unbuffered: select() sees every line
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"env": dict(env), "names": names}).encode())
        self._process.stdin.close()
        self._done = 0
        self._result: tuple[dict[str, int], dict[str, float]] | None = None

    def _receive_one(self) -> None:
        line = self._pipe.readline()
        if not line:
            raise RuntimeError(f"the rebuild helper stopped (exit code {self._process.wait()})")
        message = json.loads(line)
        if "progress" in message:
            self._done = message["progress"]
        elif "error" in message:
            raise RuntimeError(f"the rebuild helper failed:\n{message['error']}")
        else:
            self._result = message["counts"], message["timings"]

    def done(self) -> int:
        """How many events the helper has read so far (without waiting)."""
        while self._result is None and _readable(self._pipe):
            self._receive_one()
        return self._done

    def result(self, progress: Callable[[int], None]) -> tuple[dict[str, int], dict[str, float]]:
        """Wait for the helper, reporting its progress; its counts and timings."""
        while self._result is None:
            self._receive_one()
            progress(self._done)
        return self._result

    def stop(self) -> None:
        if self._process.poll() is None and self._result is None:
            self._process.kill()  # the caller failed: the helper's work is void
        self._process.wait()
        self._pipe.close()


def _readable(pipe: Any) -> bool:
    return bool(select.select([pipe], [], [], 0)[0])


def main(fd: int) -> None:
    from events.application import Bekymring
    from projections.runner import PROJECTIONS, rebuild_in_this_process

    request = json.load(sys.stdin)
    with os.fdopen(fd, "w", buffering=1) as out:
        def send(message: dict[str, Any]) -> None:
            out.write(json.dumps(message) + "\n")

        app = None
        try:
            app = Bekymring(env=request["env"])
            chosen = [c for c in PROJECTIONS if c.name in request["names"]]
            timings: dict[str, float] = {}
            counts = rebuild_in_this_process(app, chosen, lambda done: send({"progress": done}), timings)
            send({"counts": counts, "timings": timings})
        except BaseException:
            send({"error": traceback.format_exc()})
        finally:
            if app is not None:
                app.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
