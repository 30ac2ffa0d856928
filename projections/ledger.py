"""The tamper-evidence read model: a Merkle tree over the stored rows, leaf
hashes to name an altered row, and signed checkpoints (events/ledger/), each
also appended to the witness file outside the database as it is signed.

It reads the raw notifications (ciphertext), not decrypted events, so shredding
a child's key never breaks the proof.

A checkpoint is signed every `checkpoint_every` rows, and once rows have
arrived and `checkpoint_seconds` have passed since the last one (the runner
asks after each poll, `tick`), and at shutdown (`at_stop`): a row is covered
by a signed checkpoint outside the database within about a minute.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.ledger.checkpoints import Checkpoint, CheckpointError, parse_checkpoint, sign_checkpoint
from events.ledger.tree import MerkleLog, row_leaf_hash
from events.ledger.verification import VerificationReport, verify_log
from events.ledger.witness import WITNESS_NAME, append_checkpoint, read_witness, start_witness
from events.application import data_dir_of, uses_postgres
from events.storage.keystore import KeyStore
from projections.config import DEFAULTS, ReadModelConfig
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

LEDGER_KEY_ID = UUID(int=2)  # the Ed25519 seed, wrapped by the KEK like every data key
READ_BATCH = 5000


def signing_key(keystore: KeyStore) -> Ed25519PrivateKey:
    seed = keystore.data_key(LEDGER_KEY_ID, create=True)
    assert seed is not None  # never shredded
    return Ed25519PrivateKey.from_private_bytes(seed)


def origin_of(app: Any, config: ReadModelConfig = DEFAULTS) -> str:
    return config.origin_of(app.name)


def witness_path(app: Any, config: ReadModelConfig = DEFAULTS) -> Path:
    return Path(config.witness_file) if config.witness_file else data_dir_of(app.env) / WITNESS_NAME


class LedgerTables(ViewTables):
    name = "ledger"
    tables = {
        "leaves": "id {bigint} PRIMARY KEY, hash {blob} NOT NULL",
        "tree": "k TEXT PRIMARY KEY, state TEXT NOT NULL",
        "checkpoints": "size {bigint} PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL",
    }

    def tree_state(self) -> dict | None:
        row = self.fetchone("SELECT state FROM {tree} WHERE k = 'frontier'")
        return json.loads(row["state"]) if row else None

    def checkpoints(self) -> list[Checkpoint]:
        rows = self.fetchall("SELECT note FROM {checkpoints} ORDER BY size")
        return [parse_checkpoint(r["note"]) for r in rows]

    def last_checkpoint(self) -> tuple[int, float] | None:
        """The size and the time (epoch seconds) of the newest checkpoint."""
        row = self.fetchone("SELECT size, created_at FROM {checkpoints} ORDER BY size DESC LIMIT 1")
        return (row["size"], datetime.fromisoformat(row["created_at"]).timestamp()) if row else None

    def leaves_from(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        rows = self.fetchall("SELECT id, hash FROM {leaves} WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
        return [(r["id"], bytes(r["hash"])) for r in rows]


class SQLiteLedgerView(LedgerTables, SQLiteView):
    pass


class PostgresLedgerView(LedgerTables, PostgresView):
    pass


class LedgerProjection(Projection):
    """Appends every stored row to the tree; signs a checkpoint every
    `config.checkpoint_every` rows, and when rows have waited
    `config.checkpoint_seconds` (see the module's docstring)."""

    name = "ledger"
    views = (SQLiteLedgerView, PostgresLedgerView)
    raw = True  # gets Notifications, not decrypted events

    def __init__(self, view: LedgerTables, app: Any, config: ReadModelConfig = DEFAULTS):
        super().__init__(view, app, config)
        self.origin = origin_of(app, config)
        self.checkpoint_every = config.checkpoint_every
        self.checkpoint_seconds = config.checkpoint_seconds
        self.witness = witness_path(app, config)
        self.reset()
        if self.signed_size and not self.witness.exists():
            # Checkpoints signed before the store kept a witness: it starts with them.
            start_witness(self.witness, self.view.checkpoints())

    def reset(self) -> None:
        """Reload the tree from the view (at start, and after a lost race)."""
        state = self.view.tree_state()
        self.log = MerkleLog.from_state(state) if state else MerkleLog()
        self._leaves: list[tuple[int, bytes]] = []  # inserted together at the end of a batch
        last = self.view.last_checkpoint()
        self.signed_size, self.signed_at = last if last else (0, 0.0)

    def process(self, notification: Any, c: Any) -> None:
        h = row_leaf_hash(notification.id, notification.originator_id,
                          notification.originator_version, notification.topic,
                          bytes(notification.state))
        self.log.append(h)
        self._leaves.append((notification.id, h))
        if self.log.size % self.checkpoint_every == 0:
            self._checkpoint(c)

    def batch_done(self, c: Any) -> None:
        # All of a batch's leaves at once (COPY on PostgreSQL): one statement per
        # row made the leaves a large part of a rebuild on PostgreSQL.
        self.view.insert_rows(c, "leaves", ("id", "hash"), self._leaves)
        self._leaves.clear()
        state = json.dumps(self.log.state())
        c.execute(self.view.sql("DELETE FROM {tree} WHERE k = 'frontier'"))
        c.execute(self.view.sql("INSERT INTO {tree} (k, state) VALUES ('frontier', ?)"), (state,))

    def _checkpoint(self, c: Any) -> Checkpoint:
        """Sign the tree as it is, append it to the witness, then record it. The
        witness first: if it cannot be written the transaction fails, and the
        read model stops, loudly (a checkpoint the witness lacks protects nothing
        from someone who can rewrite the database). A witness line whose
        transaction then fails is still true: it covers rows that were stored."""
        cp = sign_checkpoint(self.origin, self.log.size, self.log.root(), self.origin,
                             signing_key(self.app.keystore))
        append_checkpoint(self.witness, cp)
        now = time.time()
        # Another process may have signed the same size (the same note: Ed25519 is deterministic).
        c.execute(self.view.sql("INSERT INTO {checkpoints} (size, note, created_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (size) DO NOTHING"),
                  (cp.size, cp.note, datetime.fromtimestamp(now, timezone.utc).isoformat()))
        self.signed_size, self.signed_at = cp.size, now
        return cp

    def checkpoint_now(self) -> Checkpoint | None:
        """Sign a checkpoint of everything applied so far (if not already signed)."""
        if self.log.size == 0:
            return None
        with self.view.transaction(commit=True) as c:
            return self._checkpoint(c)

    def tick(self, now: float | None = None) -> Checkpoint | None:
        """After each poll: sign if rows arrived since the last checkpoint and
        `checkpoint_seconds` have passed since it."""
        now = time.time() if now is None else now
        if self.log.size > self.signed_size and now - self.signed_at >= self.checkpoint_seconds:
            return self.checkpoint_now()
        return None

    def at_stop(self) -> Checkpoint | None:
        """At shutdown (once caught up): sign whatever is not signed yet."""
        return self.checkpoint_now() if self.log.size > self.signed_size else None


class _RecordedLeaves:
    """Walks the recorded leaf hashes alongside the rows being verified, noting
    every recorded row that no longer exists (deleted, or truncated away), and
    every row the ledger should hold but does not (up to its position: inserted
    since) or does not hold yet (after it)."""

    def __init__(self, view: LedgerTables, position: int):
        self.view = view
        self.position = position
        self.buffer: list[tuple[int, bytes]] = []
        self.after = 0
        self.missing: list[int] = []  # leaves without rows
        self.unrecorded: list[int] = []  # rows up to the position without a leaf
        self.newer: list[int] = []  # the first and last row after the position
        self.newer_count = 0

    def _fill(self) -> None:
        if not self.buffer:
            self.buffer = self.view.leaves_from(self.after, READ_BATCH)
            self.buffer.reverse()

    def __call__(self, nid: int) -> bytes | None:
        while True:
            self._fill()
            if not self.buffer or self.buffer[-1][0] > nid:
                self._no_leaf(nid)
                return None
            lid, h = self.buffer.pop()
            self.after = lid
            if lid == nid:
                return h
            self.missing.append(lid)

    def _no_leaf(self, nid: int) -> None:
        if nid <= self.position:
            self.unrecorded.append(nid)
            return
        self.newer_count += 1
        self.newer = [self.newer[0] if self.newer else nid, nid]

    def rest(self) -> None:
        while True:
            self._fill()
            if not self.buffer:
                return
            lid, _ = self.buffer.pop()
            self.after = lid
            self.missing.append(lid)


# Why a row fails authentication (the verdicts of EnvelopeMapper.authenticator).
NOT_AUTHENTIC = {
    "no-header": "it has no envelope header: the app did not write it",
    "no-key": "it names a data key that was never stored: forged, or encrypted by someone else",
    "tag-fails": ("its AES-GCM tag fails under its data key with the data that binds it to its row: "
                  "altered, forged, re-encrypted or moved from another row"),
}


class _Authenticator:
    """Authenticates each row as it streams past (keys read a batch at a time)."""

    def __init__(self, app: Any):
        self.mapper = app.mapper
        self.problems: list[str] = []
        self.erased = 0

    def rows(self, batches: Iterator[list[Any]]) -> Iterator[Any]:
        mapper, problems = self.mapper, self.problems
        authenticate = mapper.authenticator()
        for batch in batches:
            mapper.preload_keys(n.state for n in batch)
            for n in batch:
                verdict = authenticate(n)
                if verdict != "authentic":
                    if verdict == "erased":
                        self.erased += 1
                    else:
                        problems.append(f"row {n.id} is not authentic: {NOT_AUTHENTIC[verdict]}")
                yield n


def raw_batches(app: Any) -> Iterator[list[Any]]:
    """Every stored row, in order, in batches read straight from the recorder."""
    position = 0
    while True:
        batch = app.recorder.select_notifications(start=position, limit=READ_BATCH, inclusive_of_start=False)
        if not batch:
            return
        yield batch
        position = batch[-1].id


def raw_rows(app: Any) -> Iterator[Any]:
    """Every stored row, in order."""
    for batch in raw_batches(app):
        yield from batch


def _ids(ids: list[int]) -> str:
    shown = ", ".join(map(str, ids[:20]))
    return shown + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")


def verify(app: Any, view: LedgerTables, extra_checkpoints: list[Checkpoint] = (),
           public_key=None, config: ReadModelConfig = DEFAULTS, witness: Path | None = None) -> VerificationReport:
    """Check the raw store against the ledger and the witness: recompute the tree
    and hold it against every checkpoint (the store's, the witness file's, any
    given); authenticate every row under its data key; name each row that was
    altered, removed, inserted, forged or moved, and each leaf without its row.
    `witness`: the witness file (default: the configured one)."""
    public_key = public_key or signing_key(app.keystore).public_key()
    witness = witness or witness_path(app, config)
    stored = view.checkpoints()
    notes: list[str] = []
    problems: list[str] = []
    try:
        witnessed = read_witness(witness)
    except CheckpointError as e:
        problems.append(f"witness file {witness} is malformed ({e}): it was altered")
        witnessed = []
    if witnessed is None:
        (problems if stored else notes).append(
            f"no witness file at {witness}" + (": the store has signed checkpoints, so it was removed or "
                                                "this is not its path" if stored else " (no checkpoint signed yet)"))
        witnessed = []
    checkpoints = list({cp.note: cp for cp in [*stored, *witnessed, *extra_checkpoints]}.values())
    recorded = _RecordedLeaves(view, view.position(app.name))
    authenticator = _Authenticator(app)
    report = verify_log(
        authenticator.rows(raw_batches(app)), checkpoints, public_key, origin=origin_of(app, config),
        expected_leaves=recorded, gaps_are_errors=not uses_postgres(app.env),
    )
    recorded.rest()
    report.problems[:0] = problems
    report.problems += authenticator.problems
    for nid in recorded.missing:
        report.problems.append(f"row {nid} is missing: it was recorded in the ledger but is no longer in the store")
    for nid in recorded.unrecorded:
        report.problems.append(f"row {nid} is not in the ledger, which has recorded every row up to row "
                               f"{recorded.position}: it was inserted since")
    report.ok = not report.problems
    if recorded.newer_count:
        first, last = recorded.newer[0], recorded.newer[-1]
        notes.append(f"{recorded.newer_count} rows ({first}..{last}) are newer than the ledger, which has "
                     f"recorded up to row {recorded.position}")
    if authenticator.erased:
        notes.append(f"{authenticator.erased} rows are erased (their data key was shredded): they cannot be "
                     "authenticated, and their leaf hashes still hold")
    if witnessed:
        in_store = {cp.note for cp in stored}
        newest = max(cp.size for cp in witnessed)
        notes.append(f"witness {witness}: {len({cp.note for cp in witnessed})} checkpoints, the newest at size "
                     f"{newest}; {len({cp.note for cp in witnessed} - in_store)} of them not in the store")
        if report.size > newest:
            notes.append(f"the last {report.size - newest} rows are covered by no checkpoint in the witness yet")
    not_witnessed = {cp.note for cp in stored} - {cp.note for cp in witnessed}
    if not_witnessed and witnessed:
        notes.append(f"{len(not_witnessed)} of the store's checkpoints are not in this witness "
                     "(signed by another host, or before the witness was kept)")
    report.notes = notes
    return report
