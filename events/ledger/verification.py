"""Verifying the event log: its rows' tree recomputed and held against the
signed checkpoints (`intranet audit verify`, projections/ledger.py).

Pure code: the rows come from the caller.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from events.ledger.checkpoints import Checkpoint, check_checkpoint_signature
from events.ledger.tree import MerkleLog, row_leaf_hash

__all__ = ["VerificationReport", "verify_log"]

_MAX_GAP_RANGES = 10_000


@dataclass
class VerificationReport:
    """The outcome of verify_log.

    `problems` are English sentences naming rows (by notification id) or
    checkpoints (by size). `gaps` lists the missing id ranges (inclusive),
    reported as problems only when gaps are errors. `size`/`root` are the
    recomputed tree over all rows read.
    """

    ok: bool
    problems: list[str]
    size: int
    root: bytes
    last_id: int | None = None
    checkpoints_matched: list[int] = field(default_factory=list)
    gaps: list[tuple[int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is worth knowing but is no fault

    def __str__(self) -> str:
        head = (
            f"{'OK' if self.ok else 'FAILED'}: {self.size} rows, root "
            f"{base64.b64encode(self.root).decode()}, "
            f"{len(self.checkpoints_matched)} checkpoints match"
        )
        return "\n".join([head, *(f"- {p}" for p in self.problems), *(f"  note: {n}" for n in self.notes)])


def _row_fields(row: Any) -> tuple[int, Any, int, str, bytes]:
    if isinstance(row, (tuple, list)):
        nid, oid, version, topic, state = row
        return nid, oid, version, topic, state
    # An eventsourcing Notification (or anything with the same attributes).
    return (row.id, row.originator_id, row.originator_version, row.topic, row.state)


def _ids(lo: int, hi: int) -> str:
    return f"row {lo}" if lo == hi else f"rows {lo}..{hi}"


def verify_log(
    rows: Iterable[Any],
    checkpoints: Sequence[Checkpoint],
    public_key: Ed25519PublicKey | bytes,
    *,
    origin: str,
    key_name: str | None = None,
    expected_leaves: Callable[[int], bytes | None] | None = None,
    first_id: int = 1,
    gaps_are_errors: bool = True,
) -> VerificationReport:
    """Recompute the tree over `rows` and check it against `checkpoints`.

    rows: (id, originator_id, originator_version, topic, state) tuples, or
      eventsourcing Notifications, in notification-id order. Streamed: only
      the tree frontier and the open id gaps are kept in memory.
    checkpoints: in any order. Each must be for `origin` and signed by
      (`key_name`, `public_key`); key_name defaults to origin. Checkpoints that
      fail these checks are reported and otherwise ignored.
    expected_leaves: optional; called with each row's notification id, in
      order, returns the leaf hash recorded for it earlier (or None if none):
      a difference is reported as "row N altered".
    first_id: the id the log starts at; ids below it, and missing ids from
      it on, are reported.
    gaps_are_errors: missing ids are problems (True, for SQLite), or only
      listed in `report.gaps` (False, for PostgreSQL, whose sequences skip
      ids on rollback; a deletion is still caught by the checkpoints).
    """
    key_name = key_name or origin
    problems: list[str] = []

    # Which checkpoints to trust, by size.
    trusted: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        label = f"checkpoint at size {cp.size}"
        if cp.origin != origin:
            problems.append(f"{label} is for origin {cp.origin!r}, not {origin!r}")
            continue
        why = check_checkpoint_signature(cp, key_name, public_key)
        if why is not None:
            problems.append(f"{label} {why}")
            continue
        trusted.setdefault(cp.size, []).append(cp)
    pending_sizes = sorted(trusted)
    next_cp = 0

    log = MerkleLog()
    matched: list[int] = []
    last_good_size = 0  # the largest checkpoint size that matched (0: empty tree)
    first_id_after_good: int | None = None  # id of the row at position last_good_size+1
    last_id: int | None = None
    max_id = first_id - 1
    open_gaps: list[list[int]] = []  # [lo, hi] ids not seen (yet)
    gaps_overflow = False

    def check_at(size: int, last_row_id: int | None) -> None:
        nonlocal last_good_size, first_id_after_good
        root = log.root()
        good = True
        for cp in trusted[size]:
            if cp.root == root:
                continue
            good = False
            if size == 0:
                problems.append("checkpoint at size 0 does not have the empty tree's root")
                continue
            where = f"positions {last_good_size + 1}..{size}"
            if first_id_after_good is not None and last_row_id is not None:
                where += f", ids {first_id_after_good}..{last_row_id}"
            since = (
                f"the checkpoint at size {last_good_size} matches"
                if last_good_size
                else "no earlier checkpoint matches"
            )
            # Ids missing within the stretch name the likely deletion, where
            # gaps are not errors of their own (PostgreSQL).
            lo_id = first_id_after_good if first_id_after_good is not None else first_id
            hi_id = last_row_id if last_row_id is not None else max_id
            missing = [_ids(lo, hi) for lo, hi in open_gaps if lo <= hi_id and hi >= lo_id]
            problems.append(
                f"checkpoint at size {size} does not match the log: a row among {where} "
                f"was altered, removed, inserted or reordered ({since})"
                + (f"; missing there: {', '.join(missing[:20])}" if missing else "")
            )
        if good:
            matched.append(size)
            last_good_size = size
            first_id_after_good = None

    while next_cp < len(pending_sizes) and pending_sizes[next_cp] == 0:
        check_at(0, None)
        next_cp += 1

    for row in rows:
        nid, oid, version, topic, state = _row_fields(row)
        if isinstance(nid, bool) or not isinstance(nid, int):
            raise TypeError(f"notification id must be an int, not {type(nid).__name__}")
        # Order and gaps.
        if nid > max_id:
            if nid > max_id + 1:
                if len(open_gaps) < _MAX_GAP_RANGES:
                    open_gaps.append([max_id + 1, nid - 1])
                else:
                    gaps_overflow = True
            max_id = nid
        elif nid < first_id:
            problems.append(f"row {nid} has an id below the first id {first_id}")
        else:
            for i, (lo, hi) in enumerate(open_gaps):
                if lo <= nid <= hi:
                    problems.append(f"row {nid} is out of order: it comes after row {last_id}")
                    pieces = [[lo, nid - 1]] if lo < nid else []
                    if nid < hi:
                        pieces.append([nid + 1, hi])
                    open_gaps[i : i + 1] = pieces
                    break
            else:
                problems.append(f"row {nid} appears more than once (again after row {last_id})")
        last_id = nid
        if first_id_after_good is None:
            first_id_after_good = nid

        h = row_leaf_hash(nid, oid, version, topic, state)
        if expected_leaves is not None:
            want = expected_leaves(nid)
            if want is not None and bytes(want) != h:
                problems.append(f"row {nid} altered: its leaf hash differs from the one recorded")
        log.append(h)

        while next_cp < len(pending_sizes) and pending_sizes[next_cp] == log.size:
            check_at(log.size, nid)
            next_cp += 1

    for size in pending_sizes[next_cp:]:
        # Ids missing after the last matching checkpoint are where rows went.
        after = first_id_after_good if first_id_after_good is not None else max_id + 1
        missing = [_ids(lo, hi) for lo, hi in open_gaps if hi >= after]
        problems.append(
            f"log truncated: checkpoint at size {size} covers {size} rows, but the log "
            f"has only {log.size}" + (f" (last row id {last_id})" if last_id is not None else "")
            + (f"; missing: {', '.join(missing[:20])}" if missing else "")
        )

    gaps = [(lo, hi) for lo, hi in open_gaps]
    if gaps_are_errors:
        for lo, hi in gaps:
            after = f"row {lo - 1}" if lo > first_id else "the start"
            problems.append(
                f"{_ids(lo, hi)} {'is' if lo == hi else 'are'} missing "
                f"(ids jump from {after} to row {hi + 1})"
            )
        if gaps_overflow:
            problems.append(f"more than {_MAX_GAP_RANGES} gaps in ids; only the first are listed")

    return VerificationReport(
        ok=not problems,
        problems=problems,
        size=log.size,
        root=log.root(),
        last_id=last_id,
        checkpoints_matched=matched,
        gaps=gaps,
    )
