"""The web measurement: uvicorn in its own process, load from another process.

Signs in as the unit leader through the real sign-in form (CSRF token from the
page, double-submit cookie), then loads the concern page (which commits an
access event before rendering) against two denominators: the bare page of the
same size, mounted outside the app, and a page of the app with no child data
(`APP_PAGE`). `scaling` runs the concern page at 1, 4 and 8 connections on
servers of 1 and 2 workers.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx2

from bench.build import BENCH_PASSWORD, BENCH_USERNAME
from bench.load import summary

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_kb(pid: int) -> int | None:
    """Peak resident set size of a process (VmHWM), in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Server:
    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 1):
        # The health token shows /health's read-model positions, which `settle` waits on.
        self.health_token = secrets.token_urlsafe(24)
        self.env = {**os.environ, **env, "BEKYMRING_SECURE_COOKIES": "0", "PYTHONPATH": str(ROOT),
                    "BEKYMRING_HEALTH_TOKEN": self.health_token}
        self.port = free_port()
        self.log_path = log_path
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bench.server:create", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--no-access-log", "--log-level", "warning", "--workers", str(self.workers)],
            env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx2.get(self.base + "/health", timeout=2).status_code == 200:
                    return self
            except httpx2.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not start")

    def __exit__(self, *exc: Any) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def peak_rss_mb(self) -> float | None:
        kb = vm_hwm_kb(self.proc.pid) if self.proc else None
        return round(kb / 1024, 1) if kb else None

    def sign_in(self, username: str = BENCH_USERNAME, password: str = BENCH_PASSWORD) -> str:
        """Sign in through the form; return the Cookie header value of the session."""
        with httpx2.Client(base_url=self.base, follow_redirects=False, timeout=30) as client:
            page = client.get("/logg-inn")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            response = client.post("/logg-inn", data={"csrf_token": token, "username": username,
                                                       "password": password},
                                   headers={"Origin": self.base})
            if response.status_code != 303 or response.headers.get("location") != "/":
                raise RuntimeError(f"sign-in failed: {response.status_code} {response.text[:300]}")
            return "; ".join(f"{k}={v}" for k, v in client.cookies.items())

    def get(self, path: str, cookie: str) -> httpx2.Response:
        return httpx2.get(self.base + path, headers={"Cookie": cookie}, timeout=30)

    def settle(self, timeout: float = 300) -> float:
        """Wait until the server's read models include every event (the concern
        page's access events) and return the seconds that took: a backlog left
        from one load would otherwise slow the next one measured."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            status = httpx2.get(self.base + "/health", timeout=30,
                                headers={"Authorization": f"Bearer {self.health_token}"}).json()
            if status["status"] != "ok":  # a read model failed, or the store is unreachable
                raise RuntimeError(f"server not healthy: {status}")
            if all(p["behind"] == 0 for p in status["projections"].values()):
                return round(time.monotonic() - started, 2)
            time.sleep(0.1)
        raise RuntimeError(f"read models still behind after {timeout} s")


def load(port: int, paths: list[str], cookie: str, seconds: float, warmup: float, connections: int,
         max_requests: int, keep_latencies: bool = False, server_pid: int | None = None) -> dict:
    """Run the load client in its own process and return its figures (with the
    server's CPU time over the measured seconds, given its `server_pid`)."""
    args = json.dumps({"port": port, "paths": paths, "cookie": cookie, "seconds": seconds, "warmup": warmup,
                       "connections": connections, "max_requests": max_requests, "keep_latencies": keep_latencies,
                       "server_pid": server_pid})
    out = subprocess.run([sys.executable, "-m", "bench.load", args], cwd=ROOT, capture_output=True, text=True,
                         timeout=seconds + warmup + 120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout)


def measure(env: dict[str, str], concern_ids: list[UUID], workdir: Path, seconds: float = 15,
            warmup: float = 3, connections: int = 4, max_requests: int = 50_000,
            profile_seconds: float = 0) -> dict[str, Any]:
    """Concern page against the bare page, on one server; peak RSS; optional py-spy profile."""
    workdir.mkdir(parents=True, exist_ok=True)
    with Server(env, workdir / "server.log") as server:
        cookie = server.sign_in()
        paths = [f"/bekymringer/{cid}" for cid in concern_ids]
        first = server.get(paths[0], cookie)
        if first.status_code != 200 or "Logg" not in first.text:
            raise RuntimeError(f"concern page not shown: {first.status_code}")
        sizes = [len(server.get(p, cookie).content) for p in paths[:20]]
        size = round(sum(sizes) / len(sizes))
        bare_path = f"/bench/bare?bytes={size}"
        bare = server.get(bare_path, cookie)
        assert bare.status_code == 200, bare.status_code
        in_app = server.get(APP_PAGE, cookie)
        assert in_app.status_code == 200, in_app.status_code
        result: dict[str, Any] = {"page_bytes": size, "bare_bytes": len(bare.content),
                                  "app_page_path": APP_PAGE, "app_page_bytes": len(in_app.content)}
        # The pages in turns, ROUNDS times: a shared machine's speed drifts
        # within minutes, so each ratio compares loads a few seconds apart.
        concern, plain, app_page, rounds, settled = [], [], [], [], []
        for i in range(ROUNDS):
            turn_warmup = warmup if i == 0 else min(warmup, 1)
            concern.append(load(server.port, paths, cookie, seconds / ROUNDS, turn_warmup,
                                connections, max_requests, keep_latencies=True, server_pid=server.proc.pid))
            settled.append(server.settle())
            plain.append(load(server.port, [bare_path], cookie, seconds / ROUNDS, turn_warmup,
                              connections, max_requests, keep_latencies=True, server_pid=server.proc.pid))
            app_page.append(load(server.port, [APP_PAGE], cookie, seconds / ROUNDS, turn_warmup,
                                 connections, max_requests, keep_latencies=True, server_pid=server.proc.pid))
            rounds.append({"concern_rps": concern[-1]["rps"], "bare_rps": plain[-1]["rps"],
                           "app_page_rps": app_page[-1]["rps"],
                           "ratio": round(concern[-1]["rps"] / plain[-1]["rps"], 3),
                           "ratio_app_page": round(concern[-1]["rps"] / app_page[-1]["rps"], 3)})
        result["concern_page"] = pooled(concern)
        result["read_models_settled_s"] = max(settled)  # after the longest-lagging turn
        result["bare_page"] = pooled(plain)
        result["app_page"] = pooled(app_page)
        result["ratio_app_page"] = statistics.median(r["ratio_app_page"] for r in rounds)
        result["rounds"] = rounds
        # Single-connection latency: what one user sees on a quiet server.
        result["concern_page_1conn"] = load(server.port, paths, cookie, min(seconds, 8), 1, 1, max_requests)
        server.settle()
        result["ratio"] = statistics.median(r["ratio"] for r in rounds)
        if profile_seconds and shutil.which("py-spy"):
            result["profile"] = profile(server, paths, cookie, profile_seconds, workdir)
        result["server_peak_rss_mb"] = server.peak_rss_mb()
    return result


ROUNDS = 3  # turns of concern page and bare page (see `measure`)
# The second denominator: a page of the app itself, through all its middleware
# (session, CSRF, security headers), that reads no child's data and writes no
# access event. The bare page skips the app's middleware altogether.
APP_PAGE = "/tilgjengelighet"


def scaling(env: dict[str, str], concern_ids: list[UUID], workdir: Path, seconds: float = 5,
            connections: tuple[int, ...] = (1, 4, 8), workers: tuple[int, ...] = (1, 2),
            max_requests: int = 50_000) -> list[dict[str, Any]]:
    """The concern page and the in-app page at each number of connections, on a
    server of each number of workers: one row per (workers, connections)."""
    workdir.mkdir(parents=True, exist_ok=True)
    paths = [f"/bekymringer/{cid}" for cid in concern_ids]
    rows = []
    for n in workers:
        with Server(env, workdir / f"server-{n}-workers.log", workers=n) as server:
            cookie = server.sign_in()
            # The CPU figure reads one process: the server's own with one worker only.
            pid = server.proc.pid if n == 1 else None
            for c in connections:
                concern = load(server.port, paths, cookie, seconds, 1, c, max_requests, server_pid=pid)
                settled = server.settle()
                app_page = load(server.port, [APP_PAGE], cookie, seconds, 1, c, max_requests, server_pid=pid)
                rows.append({"workers": n, "connections": c, "read_models_settled_s": settled,
                             **{f"concern_{k}": concern[k] for k in ("rps", "p50_ms", "p99_ms", "errors")},
                             **{f"app_page_{k}": app_page[k] for k in ("rps", "p50_ms", "p99_ms", "errors")},
                             "ratio_app_page": round(concern["rps"] / app_page["rps"], 3) if app_page["rps"] else None})
    return rows


def pooled(loads: list[dict]) -> dict:
    """One figure for several loads of the same page: their requests and
    seconds added up, percentiles over all their latencies."""
    latencies = [x for one in loads for x in one.pop("latencies")]
    statuses: dict[str, int] = {}
    for one in loads:
        for status, count in one["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    result = summary(latencies, sum(one["seconds"] for one in loads), loads[0]["connections"],
                     sum(one["errors"] for one in loads), statuses,
                     sum(one["mean_bytes"] * one["requests"] for one in loads))
    # The server's CPU per page (its threads and SQLite's work, not PostgreSQL's):
    # the server uses one core, so the two pages' CPU makes their ratio.
    if latencies and all(one.get("server_cpu_s") is not None for one in loads):
        result["server_cpu_ms"] = round(sum(one["server_cpu_s"] for one in loads) / len(latencies) * 1000, 2)
    return result


def profile(server: Server, paths: list[str], cookie: str, seconds: float, workdir: Path) -> dict[str, Any]:
    """Sample the server with py-spy while the concern page is under load."""
    out = workdir / "concern-page.pyspy.txt"
    spy = subprocess.Popen(["py-spy", "record", "--pid", str(server.proc.pid), "--duration", str(int(seconds)),
                            "--rate", "200", "--format", "raw", "--output", str(out), "--nonblocking"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    load(server.port, paths, cookie, seconds - 1, 0, 4, 100_000)
    spy.wait(seconds + 60)
    from bench.profiling import summarise_collapsed

    return summarise_collapsed(out) if out.exists() else {"error": "py-spy wrote nothing"}
