"""Summaries of profiles: py-spy's collapsed stacks (server) and cProfile (rebuild)."""

from __future__ import annotations

import cProfile
import io
import pstats
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
OURS = ("events/", "projections/", "intranet/", "bench/")


def _short(frame: str) -> str:
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip()
    path = m["file"]
    root = str(Path(__file__).resolve().parent.parent) + "/"
    if path.startswith(root):
        path = path[len(root):]
    for marker in ("site-packages/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{m['func']}"


def summarise_collapsed(path: Path, top: int = 25) -> dict[str, Any]:
    """Self and inclusive sample shares per function, and per own-code function."""
    self_counts: Counter[str] = Counter()
    incl_counts: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_short(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        total += n
        self_counts[frames[-1]] += n
        for f in set(frames):
            incl_counts[f] += n

    def share(counter: Counter[str], keep: Callable[[str], bool] = lambda f: True) -> list[list[Any]]:
        return [[f, round(100 * c / total, 1)] for f, c in counter.most_common() if keep(f)][:top]

    return {
        "samples": total,
        "self_pct": share(self_counts),
        "inclusive_pct_own_code": share(incl_counts, lambda f: f.startswith(OURS)),
        "inclusive_pct_all": share(incl_counts),
    }


def cprofile(fn: Callable[[], Any], out: Path, top: int = 30) -> tuple[Any, dict[str, Any]]:
    """Run `fn` under cProfile; write the stats text to `out`; return (result, summary)."""
    profiler = cProfile.Profile()
    result = profiler.runcall(fn)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    out.write_text(text.getvalue())
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (cc, nc, tt, ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, ct, nc, _short(f"{func} ({file}:{line})")))
    by_self = sorted(rows, reverse=True)[:top]
    by_cum = sorted(((ct, tt, nc, f) for tt, ct, nc, f in rows if f.startswith(OURS)), reverse=True)[:top]
    return result, {
        "seconds": round(total, 2),
        "self_pct": [[f, round(100 * tt / total, 1), nc] for tt, ct, nc, f in by_self],
        "cumulative_pct_own_code": [[f, round(100 * ct / total, 1), nc] for ct, tt, nc, f in by_cum],
    }
