"""`python -m bench`: build a synthetic municipality (cached), measure, report.

    python -m bench                         # default scale, SQLite and PostgreSQL
    python -m bench --large                 # 100,000 children, 10,000,000 access events
    python -m bench --children 500 --concerns 2000 --accesses 50000 --store sqlite   # CI-sized
    python -m bench --clean                 # drop every bench schema and the data directory
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from events.application import Bekymring

from bench import measure, report, stores, web
from bench.build import build, catch_up, log
from bench.stores import DEFAULT_DATA_DIR, Scale, Store

STEPS = ("web", "scaling", "writes", "queries", "verify", "rebuild")
DEFAULT = Scale(5_000, 20_000, 1_000_000)
LARGE = Scale(100_000, 200_000, 10_000_000)


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--large", action="store_true", help="100,000 children, 200,000 concerns, 10M access events")
    p.add_argument("--children", type=int)
    p.add_argument("--concerns", type=int)
    p.add_argument("--accesses", type=int)
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="where built stores are cached")
    p.add_argument("--results", type=Path, default=Path(__file__).resolve().parent / "results")
    p.add_argument("--only", help=f"comma-separated steps among {','.join(STEPS)} (default: all)")
    p.add_argument("--seconds", type=float, default=15, help="measured seconds per web load (default 15)")
    p.add_argument("--connections", type=int, default=4, help="concurrent keep-alive connections (default 4)")
    p.add_argument("--writes", type=int, default=1500, help="events per write measurement (default 1500)")
    p.add_argument("--profile", action="store_true",
                   help="also sample the server with py-spy (if installed) and run the rebuild under cProfile")
    p.add_argument("--build-only", action="store_true", help="build (or finish building) and stop")
    p.add_argument("--drop", action="store_true", help="drop this scale's store (schema and files) afterwards")
    p.add_argument("--clean", action="store_true", help="drop every bench schema and the data directory, then stop")
    return p.parse_args(argv)


def pg_version() -> str | None:
    try:
        with stores.pg_connect() as c:
            return c.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - reported as unavailable
        return None


def run_store(store: Store, args: argparse.Namespace, steps: set[str], machine: dict[str, Any]) -> dict[str, Any]:
    log(f"== {store.kind}: {store.scale}")
    env = store.env()
    app = Bekymring(env=env)
    t0 = time.perf_counter()
    manifest = build(app, store.scale, store.data_dir)
    result: dict[str, Any] = {
        "store": store.kind, "scale": vars(store.scale), "machine": machine,
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build": {"seconds": manifest.get("seconds"), "seconds_this_run": round(time.perf_counter() - t0, 1)},
        "schema": store.schema,
    }
    if args.build_only:
        app.close()
        return result
    work = store.data_dir / "work"
    # Other processes on the machine skew every figure: say how busy it was.
    result["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    try:
        if steps & {"web", "scaling"}:
            ids = measure.concern_ids_for_leader(app, manifest["unit0"])
            log(f"  web: {len(ids)} concerns in the unit leader's unit")
            app.close()  # the server has its own application; this process only waits
            if "web" in steps:
                result["web"] = web.measure(env, ids, work, seconds=args.seconds, connections=args.connections,
                                            profile_seconds=12 if args.profile else 0)
                log(f"  web: {json.dumps({k: v for k, v in result['web'].items() if k != 'profile'})}")
            if "scaling" in steps:
                result["scaling"] = web.scaling(env, ids, work, seconds=args.seconds / 3)
                log(f"  scaling: {json.dumps(result['scaling'])}")
            app = Bekymring(env=env)
            catch_up(app)  # the access events the load wrote
        result["events"] = app.position()
        if "queries" in steps:
            result["queries"] = measure.queries(app, store.scale)
            log(f"  queries: {result['queries']}")
        if "writes" in steps:
            result["writes"] = measure.writes(store.kind, work, n=args.writes)
            log(f"  writes: {result['writes']}")
        if "verify" in steps:
            result["verify"] = measure.audit_verify(app)
            log(f"  verify: {result['verify']}")
        if "rebuild" in steps:
            result["rebuild"] = measure.rebuild_on_copy(
                app, store.kind, env, work, profile_to=work / "rebuild.cprofile.txt" if args.profile else None)
            log(f"  rebuild: {result['rebuild']['events_per_s']} events/s")
    finally:
        app.close()
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    if args.clean:
        if pg_version():
            for schema in stores.bench_schemas():
                stores.drop_schema(schema)
                log(f"dropped schema {schema}")
        shutil.rmtree(args.data_dir, ignore_errors=True)
        log(f"removed {args.data_dir}")
        return 0
    base = LARGE if args.large else DEFAULT
    scale = Scale(args.children or base.children, args.concerns or base.concerns, args.accesses or base.accesses)
    steps = set(STEPS) if not args.only else {s.strip() for s in args.only.split(",")}
    if steps - set(STEPS):
        raise SystemExit(f"unknown steps: {', '.join(steps - set(STEPS))}")
    kinds = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    pgv = pg_version()
    if "postgres" in kinds and pgv is None:
        raise SystemExit("PostgreSQL is not reachable (POSTGRES_HOST/PORT/USER/PASSWORD/DBNAME)")
    machine = report.machine(pgv)
    args.results.mkdir(parents=True, exist_ok=True)
    for kind in kinds:
        store = Store(kind, scale, args.data_dir)
        result = run_store(store, args, steps, machine)
        if not args.build_only:
            out = args.results / f"{kind}-{scale.tag}.json"
            if out.exists() and args.only:
                # Keep the steps not measured this time, and the machine's speed and
                # load they were measured at: only the steps rerun are replaced.
                previous = json.loads(out.read_text())
                result = {**previous, **{k: result[k] for k in (*steps, "events") if k in result},
                          "steps_rerun": sorted(steps), "rerun_python_loop_ms": result["machine"].get("python_loop_ms")}
            out.write_text(json.dumps(result, indent=1, default=str) + "\n")
            log(f"wrote {out}")
            print(report.markdown([result]))
        if args.drop:
            store.drop()
            log(f"dropped {kind} store {scale.tag}")
    if not args.build_only:
        report.write_all(args.results)
        log(f"wrote {args.results / 'results.md'} and {args.results / 'throughput.svg'}")
    return 0
