"""Concurrent pages' access events: a commit each, against shared commits.

    python -m bench.access_commits [--store sqlite|postgres|both] [--threads 2,4,8] [--events 1200]

T threads each commit an access event and then do some Python holding the GIL
(a fixed loop, standing in for a page's rendering), as the server's worker
threads do. One application on a fresh store writes both ways in alternating
turns: `Bekymring.save_access` (events/group_commit.py) and `Application.save`
of the same kind of event, one commit each. Printed: this process's CPU (user
and system) and wall time per event, and their ratio, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path
from uuid import uuid4

from events.application import Bekymring
from events.audit import Access

from bench.measure import scratch_env

TURNS = 4  # per way and thread count, alternating
PAGE_WORK = 20_000  # steps of the stand-in for rendering


def an_access() -> Access:
    return Access(uuid4(), "staff", uuid4(), [uuid4()], ["concern", "child.name"], "view", "", "bench")


def turn(save, threads: int, events: int) -> tuple[float, float]:
    """CPU seconds and wall seconds for `events` accesses saved from `threads` threads."""
    def work() -> None:
        for _ in range(events // threads):
            save(an_access())
            sum(range(PAGE_WORK))

    workers = [threading.Thread(target=work) for _ in range(threads)]
    t0, w0 = os.times(), time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    t1 = os.times()
    return (t1.user - t0.user) + (t1.system - t0.system), time.perf_counter() - w0


def measure(kind: str, thread_counts: list[int], events: int) -> None:
    with tempfile.TemporaryDirectory() as root:
        env, cleanup = scratch_env(kind, Path(root), "commits")
        app = Bekymring(env=env)
        ways = {"shared": app.save_access, "own": app.save}
        try:
            turn(app.save_access, 2, 100)  # warm up: connections, keys, caches
            for threads in thread_counts:
                cpu = {w: 0.0 for w in ways}
                wall = {w: 0.0 for w in ways}
                for k in range(TURNS):
                    for way in ways if k % 2 == 0 else reversed(list(ways)):
                        c, w = turn(ways[way], threads, events // TURNS)
                        cpu[way] += c
                        wall[way] += w
                n = events // TURNS // threads * threads * TURNS
                us = {w: (1e6 * cpu[w] / n, 1e6 * wall[w] / n) for w in ways}
                print(f"{kind:8s} {threads} threads: shared commits {us['shared'][0]:6.0f} µs CPU "
                      f"{us['shared'][1]:6.0f} µs wall per event; a commit each {us['own'][0]:6.0f} µs CPU "
                      f"{us['own'][1]:6.0f} µs wall; CPU ratio {us['shared'][0] / us['own'][0]:.2f}", flush=True)
        finally:
            app.close()
            cleanup()


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.access_commits", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--threads", default="2,4,8")
    p.add_argument("--events", type=int, default=1200)
    args = p.parse_args()
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    for kind in kinds:
        measure(kind, [int(t) for t in args.threads.split(",")], args.events)


if __name__ == "__main__":
    main()
