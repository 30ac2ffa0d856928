"""A small, bounded HTTP/1.1 load client on raw sockets with keep-alive.

Run as its own process (so the load does not share the server's interpreter):
    python -m bench.load '{"port": 8123, "paths": ["/x"], "cookie": "...", "seconds": 10}'
It prints one JSON object: requests, errors, seconds, req/s, p50/p90/p99 latency (ms), bytes.
Loopback only, bounded in time and count, stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

MAX_REQUESTS = 200_000


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("server closed the connection")
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run(port: int, paths: list[str], cookie: str, seconds: float, warmup: float,
              connections: int, max_requests: int, host: str = "127.0.0.1", keep_latencies: bool = False,
              server_pid: int | None = None) -> dict:
    """`server_pid`: also report the server's CPU time over the measured seconds."""
    assert host.startswith("127.") or host == "localhost", "loopback only"
    latencies: list[float] = []
    state = {"errors": 0, "bytes": 0, "i": 0, "measuring": False, "statuses": {}}
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + seconds

    def request(path: str) -> bytes:
        return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                "Accept: text/html\r\nConnection: keep-alive\r\n\r\n").encode()

    requests = [request(p) for p in paths]

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                now = time.perf_counter()
                if now >= deadline or len(latencies) >= max_requests:
                    return
                i = state["i"]
                state["i"] += 1
                writer.write(requests[i % len(requests)])
                t0 = time.perf_counter()
                status, size = await _read_response(reader)
                t1 = time.perf_counter()
                if t0 >= measure_from:
                    latencies.append(t1 - t0)
                    state["bytes"] += size
                    state["statuses"][status] = state["statuses"].get(status, 0) + 1
                    if status != 200:
                        state["errors"] += 1
        finally:
            writer.close()

    async def server_cpu_at_start() -> None:
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        state["cpu"] = process_cpu_seconds(server_pid)

    await asyncio.gather(*(worker() for _ in range(connections)),
                         *([server_cpu_at_start()] if server_pid else []))
    server_cpu = round(process_cpu_seconds(server_pid) - state["cpu"], 2) if server_pid else None
    elapsed = min(time.perf_counter(), deadline) - measure_from
    return {
        **summary(latencies, elapsed, connections, state["errors"], state["statuses"], state["bytes"]),
        **({"server_cpu_s": server_cpu} if server_pid else {}),
        **({"latencies": latencies} if keep_latencies else {}),
    }


def summary(latencies: list[float], seconds: float, connections: int, errors: int,
            statuses: dict, total_bytes: int) -> dict:
    """The figures of a load: requests, throughput, latency percentiles (also of
    several loads of one page pooled, see bench/web.py)."""
    lat = sorted(latencies)
    n = len(lat)
    return {
        "requests": n, "errors": errors, "statuses": statuses,
        "seconds": round(seconds, 3), "connections": connections,
        "rps": round(n / seconds, 1) if seconds > 0 else 0.0,
        **{f"p{p}_ms": round(percentile(lat, p) * 1000, 2) for p in (50, 90, 99)},
        "max_ms": round(lat[-1] * 1000, 2) if lat else None,
        "mean_bytes": round(total_bytes / n) if n else 0,
    }


def main(argv: list[str]) -> int:
    args = json.loads(argv[0])
    result = asyncio.run(run(
        port=int(args["port"]), paths=args["paths"], cookie=args.get("cookie", ""),
        seconds=min(float(args.get("seconds", 10)), 300), warmup=min(float(args.get("warmup", 2)), 30),
        connections=min(int(args.get("connections", 4)), 64),
        max_requests=min(int(args.get("max_requests", MAX_REQUESTS)), MAX_REQUESTS),
        keep_latencies=bool(args.get("keep_latencies", False)),
        server_pid=args.get("server_pid"),
    ))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
