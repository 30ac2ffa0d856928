"""Results: the machine, a JSON file per run, a markdown table, and an SVG chart."""

from __future__ import annotations

import json
import math
import os
import platform
import sqlite3
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

TARGETS = {
    "ratio": (">=", 0.30, "concern page ≥ 0.30× the bare page's throughput"),
    "concern_p99_ms": ("<", 50, "concern page p99 < 50 ms"),
    "write_overhead_pct": ("<=", 15, "encryption overhead on writes ≤ 15 %"),
    "query_p99_ms": ("<", 50, "who-saw-this-child and queue p99 < 50 ms"),
    "rebuild_events_per_s": (">=", 30_000, "rebuild ≥ 30,000 events/s"),
    "server_rss_mb": ("<", 200, "server peak RSS < 200 MB"),
}


def python_speed_ms() -> float:
    """The best of three timings of a fixed pure-Python loop. Machines with the
    same CPU name differ in speed, and absolute figures such as events/s move
    with it (ratios much less), so each run records it."""
    def loop() -> float:
        t0, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        return time.perf_counter() - t0
    return round(min(loop() for _ in range(3)) * 1000)


def machine(pg_version: str | None) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        mem = round(int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
        "python": platform.python_version(), "python_loop_ms": python_speed_ms(),
        "sqlite": sqlite3.sqlite_version, "postgres": pg_version,
        "eventsourcing": version("eventsourcing"), "starlette": version("starlette"),
        "uvicorn": version("uvicorn"), "jinja2": version("jinja2"), "cryptography": version("cryptography"),
    }


def headline(result: dict[str, Any]) -> dict[str, Any]:
    """The figures the targets are about (None where not measured)."""
    web, writes, q, rb = (result.get(k) or {} for k in ("web", "writes", "queries", "rebuild"))
    overheads = [v["overhead_pct"] for v in writes.values() if isinstance(v, dict) and "overhead_pct" in v]
    return {
        "ratio": web.get("ratio"),
        "concern_p99_ms": (web.get("concern_page") or {}).get("p99_ms"),
        "write_overhead_pct": max(overheads) if overheads else None,
        "query_p99_ms": max(q["by_child"]["p99_ms"], q["queue"]["p99_ms"]) if q else None,
        "rebuild_events_per_s": rb.get("events_per_s"),
        "server_rss_mb": web.get("server_peak_rss_mb"),
    }


def met(key: str, value: Any) -> str:
    if value is None:
        return "–"
    op, limit, _ = TARGETS[key]
    ok = {"<": value < limit, "<=": value <= limit, ">=": value >= limit}[op]
    return "met" if ok else "missed"


def _n(v: Any, digits: int = 0) -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and digits:
        return f"{v:,.{digits}f}"
    return f"{round(v):,}" if isinstance(v, (int, float)) else str(v)


def markdown(results: list[dict[str, Any]]) -> str:
    """One table per run, plus the targets."""
    if not results:
        return "No results.\n"
    m = results[0]["machine"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gib')} GiB; Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m.get('postgres') or '–'}; eventsourcing {m['eventsourcing']}, "
        f"Starlette {m['starlette']}, uvicorn {m['uvicorn']} (h11; one worker, except where a row says 2 workers).",
        "",
    ]
    for r in results:
        s, b = r["scale"], r.get("build") or {}
        out.append(f"### {r['store']}: {s['children']:,} children, {s['concerns']:,} concerns, "
                   f"{s['accesses']:,} access events ({_n(r.get('events'))} events in the store)")
        out.append("")
        if r["machine"].get("python_loop_ms"):
            out.append(f"Speed of this run's machine: a 5M-step Python loop took {r['machine']['python_loop_ms']} ms.")
            if r.get("rerun_python_loop_ms"):
                out.append(f"Measured again in a later run ({', '.join(r['steps_rerun'])}), whose loop took "
                           f"{r['rerun_python_loop_ms']} ms.")
            out.append("")
        if r.get("load_average_before"):
            out.append(f"Load average (1, 5, 15 min) before: {r['load_average_before']}, after: "
                       f"{r.get('load_average_after')} — on {m['cores']} cores; above {m['cores']} other "
                       "processes were competing for the CPU.")
            out.append("")
        built = b.get("seconds") or {}
        if built:
            out.append("Build: " + ", ".join(f"{k} {v:,.0f} s" for k, v in built.items()) +
                       f" (total {sum(built.values()):,.0f} s).")
            out.append("")
        out += ["| measure | figure |", "|---|---|"]
        web = r.get("web")
        if web:
            c, bare, one = web["concern_page"], web["bare_page"], web.get("concern_page_1conn") or {}
            out += [
                f"| concern page (GET /bekymringer/{{id}}, audited), {c['connections']} connections | "
                f"{c['rps']:,.0f} req/s, p50 {c['p50_ms']} ms, p99 {c['p99_ms']} ms ({c['requests']:,} requests, "
                f"{c['errors']} errors) |",
                f"| bare Jinja2 page, same size ({web['bare_bytes']:,} vs {web['page_bytes']:,} bytes) | "
                f"{bare['rps']:,.0f} req/s, p50 {bare['p50_ms']} ms, p99 {bare['p99_ms']} ms |",
                *([f"| in-app page without child data ({web['app_page_path']}, {web['app_page_bytes']:,} bytes) | "
                   f"{web['app_page']['rps']:,.0f} req/s, p50 {web['app_page']['p50_ms']} ms, "
                   f"p99 {web['app_page']['p99_ms']} ms |",
                   f"| **ratio concern / in-app page** | **{web['ratio_app_page']:.2f}×** |"]
                  if web.get("app_page") else []),
                f"| **ratio concern / bare** | **{web['ratio']:.2f}×**" + (
                    " (median of turns: " + ", ".join(
                        f"{t['ratio']:.2f} ({t['concern_rps']:,.0f}/{t['bare_rps']:,.0f})" for t in web["rounds"]) + ")"
                    if web.get("rounds") else "") + " |",
                *([f"| server CPU per page, concern / bare | {c['server_cpu_ms']} ms / {bare['server_cpu_ms']} ms |"]
                  if "server_cpu_ms" in c and "server_cpu_ms" in bare else []),
                f"| read models caught up, after the concern page's load | "
                f"{web.get('read_models_settled_s', '–')} s |",
                f"| concern page, 1 connection | {one.get('rps', 0):,.0f} req/s, p50 {one.get('p50_ms')} ms, "
                f"p99 {one.get('p99_ms')} ms |",
                f"| server peak RSS (VmHWM) | {web['server_peak_rss_mb']} MB |",
            ]
        for row in r.get("scaling") or []:
            out.append(f"| concern page, {row['workers']} worker{'s' if row['workers'] > 1 else ''}, "
                       f"{row['connections']} connection{'s' if row['connections'] > 1 else ''} | "
                       f"{row['concern_rps']:,.0f} req/s, p50 {row['concern_p50_ms']} ms, p99 {row['concern_p99_ms']} ms; "
                       f"in-app page {row['app_page_rps']:,.0f} req/s; ratio {_n(row['ratio_app_page'], 2)}× |")
        w = r.get("writes")
        if w:
            for op, label in (("register_child", "register a child (new data key)"),
                              ("log_observation", "log an observation"), ("record_access", "record an access")):
                if op in w:
                    v = w[op]
                    out.append(f"| write: {label} | encrypted {v['encrypted_per_s']:,} ev/s, plain "
                               f"{v['plain_per_s']:,} ev/s, **overhead {v['overhead_pct']} %** |")
        q = r.get("queries")
        if q:
            for k, label in (("by_child", "who saw this child (by_child, 1 year, 50 rows)"),
                             ("queue", "anomaly queue (50 groups, pages 1–20; a group's first 50 rows)")):
                v = q[k]
                out.append(f"| {label} | median {v['median_ms']} ms, p99 {v['p99_ms']} ms ({v['n']} queries) |")
            out.append(f"| access-log rows / anomalies | {q['access_rows']:,} / {q['anomaly_rows']:,} |")
        rb = r.get("rebuild")
        if rb:
            if "seconds_by_part" in rb:  # one pass, each event decrypted once
                # All seconds, but `held`: the most events read ahead of the first process's read models.
                parts = ", ".join(f"{k} {v:,} events" if k == "held" else f"{k} {v:,} s"
                                  for k, v in rb["seconds_by_part"].items())
                detail = f"one pass; seconds spent: {parts}"
            else:  # older results: each read model rebuilt on its own
                detail = "per read model: " + ", ".join(f"{k} {v['events_per_s']:,}/s" for k, v in rb["projections"].items())
            out.append(f"| rebuild all read models (decrypting) | **{rb['events_per_s']:,} events/s** "
                       f"({rb['events']:,} events in {rb['seconds']:,} s; {detail}) |")
            one = rb.get("one_read_model")
            if one:
                out.append(f"| rebuild one read model ({one['name']}) over the whole log | "
                           f"{one['events_per_s']:,} events/s ({one['seconds']:,} s; events it ignores "
                           "are not decrypted) |")
        v = r.get("verify")
        if v:
            out.append(f"| audit verify | {v['events_per_s']:,} rows/s ({v['rows']:,} rows in {v['seconds']} s, "
                       f"{'OK' if v['ok'] else 'FAILED'}, {v['checkpoints']} checkpoints) |")
        out += ["", "| target | figure | |", "|---|---|---|"]
        for key, value in headline(r).items():
            out.append(f"| {TARGETS[key][2]} | {_n(value, 2) if isinstance(value, float) else _n(value)} | "
                       f"{met(key, value)} |")
        out.append("")
    return "\n".join(out)


def svg_chart(results: list[dict[str, Any]], path: Path) -> None:
    """Throughput (req/s) of the concern page and the bare page against the number
    of events in the store, per store; log-scale x axis. Hand-written SVG."""
    series: dict[str, list[tuple[float, float]]] = {}
    for r in results:
        web = r.get("web")
        if not web or not r.get("events"):
            continue
        series.setdefault(f"{r['store']} concern page", []).append((r["events"], web["concern_page"]["rps"]))
        series.setdefault(f"{r['store']} bare page", []).append((r["events"], web["bare_page"]["rps"]))
    W, H, L, R, T, B = 640, 360, 70, 200, 30, 50
    colors = {"sqlite concern page": "#1f6feb", "sqlite bare page": "#8cb8f5",
              "postgres concern page": "#cf222e", "postgres bare page": "#f2a6ab"}
    points = [p for s in series.values() for p in s]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect width="{W}" height="{H}" fill="white"/>',
             f'<text x="{L}" y="18" font-size="13">Throughput against scale (req/s, one uvicorn worker, '
             f'2 cores)</text>']
    if points:
        xs = [math.log10(x) for x, _ in points]
        x0, x1 = math.floor(min(xs)), math.ceil(max(xs))
        x1 = x1 if x1 > x0 else x0 + 1
        ymax = max(y for _, y in points) * 1.1
        step = 10 ** math.floor(math.log10(ymax / 2))
        ymax = math.ceil(ymax / step) * step
        px = lambda x: L + (math.log10(x) - x0) / (x1 - x0) * (W - L - R)  # noqa: E731
        py = lambda y: H - B - y / ymax * (H - T - B)  # noqa: E731
        parts.append(f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="#333"/>')
        parts.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="#333"/>')
        for e in range(x0, x1 + 1):
            x = px(10 ** e)
            parts.append(f'<line x1="{x:.1f}" y1="{H - B}" x2="{x:.1f}" y2="{H - B + 4}" stroke="#333"/>')
            parts.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">10^{e}</text>')
        y = 0.0
        while y <= ymax + 1e-9:
            parts.append(f'<line x1="{L}" y1="{py(y):.1f}" x2="{W - R}" y2="{py(y):.1f}" stroke="#eee"/>')
            parts.append(f'<text x="{L - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:,.0f}</text>')
            y += step
        parts.append(f'<text x="{(L + W - R) / 2:.0f}" y="{H - 12}" text-anchor="middle">'
                     'events in the store (log scale)</text>')
        parts.append(f'<text x="16" y="{(T + H - B) / 2:.0f}" transform="rotate(-90 16 {(T + H - B) / 2:.0f})" '
                     'text-anchor="middle">requests per second</text>')
        for i, (name, pts) in enumerate(sorted(series.items())):
            color = colors.get(name, "#555")
            pts = sorted(pts)
            dash = ' stroke-dasharray="5 3"' if "bare" in name else ""
            if len(pts) > 1:
                d = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
                parts.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for x, y in pts:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{color}">'
                             f'<title>{name}: {y:,.0f} req/s at {x:,} events</title></circle>')
            ly = T + 10 + 18 * i
            parts.append(f'<line x1="{W - R + 12}" y1="{ly}" x2="{W - R + 36}" y2="{ly}" stroke="{color}" '
                         f'stroke-width="2"{dash}/>')
            parts.append(f'<text x="{W - R + 42}" y="{ly + 4}">{name}</text>')
    else:
        parts.append(f'<text x="{L}" y="{H / 2}">no web results yet</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def load_results(results_dir: Path) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text()) for p in sorted(results_dir.glob("*.json"))]
    return sorted(runs, key=lambda r: (r["store"] != "sqlite", r.get("events") or 0))


def write_all(results_dir: Path) -> None:
    runs = load_results(results_dir)
    (results_dir / "results.md").write_text("# Benchmark results\n\nWritten by `python -m bench`.\n\n"
                                            + markdown(runs))
    svg_chart(runs, results_dir / "throughput.svg")
