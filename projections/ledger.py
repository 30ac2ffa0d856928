"""The tamper-evidence read model: a Merkle tree over the stored rows, leaf
hashes to name an altered row, and signed checkpoints (events/ledger/).

It reads the raw notifications (ciphertext), not decrypted events, so shredding
a child's key never breaks the proof.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterator
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.ledger.checkpoints import Checkpoint, parse_checkpoint, sign_checkpoint
from events.ledger.tree import MerkleLog, row_leaf_hash
from events.ledger.verification import VerificationReport, verify_log
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

    def leaves_from(self, after: int, limit: int) -> list[tuple[int, bytes]]:
        rows = self.fetchall("SELECT id, hash FROM {leaves} WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
        return [(r["id"], bytes(r["hash"])) for r in rows]


class SQLiteLedgerView(LedgerTables, SQLiteView):
    pass


class PostgresLedgerView(LedgerTables, PostgresView):
    pass


class LedgerProjection(Projection):
    """Appends every stored row to the tree; signs a checkpoint every
    `config.checkpoint_every` rows."""

    name = "ledger"
    views = (SQLiteLedgerView, PostgresLedgerView)
    raw = True  # gets Notifications, not decrypted events

    def __init__(self, view: LedgerTables, app: Any, config: ReadModelConfig = DEFAULTS):
        super().__init__(view, app, config)
        self.origin = origin_of(app, config)
        self.checkpoint_every = config.checkpoint_every
        self.reset()

    def reset(self) -> None:
        """Reload the tree from the view (at start, and after a lost race)."""
        state = self.view.tree_state()
        self.log = MerkleLog.from_state(state) if state else MerkleLog()
        self._leaves: list[tuple[int, bytes]] = []  # inserted together at the end of a batch

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
        cp = sign_checkpoint(self.origin, self.log.size, self.log.root(), self.origin,
                             signing_key(self.app.keystore))
        c.execute(self.view.sql("DELETE FROM {checkpoints} WHERE size = ?"), (cp.size,))
        c.execute(self.view.sql("INSERT INTO {checkpoints} (size, note, created_at) VALUES (?, ?, ?)"),
                  (cp.size, cp.note, datetime.now(timezone.utc).isoformat()))
        return cp

    def checkpoint_now(self) -> Checkpoint | None:
        """Sign a checkpoint of everything applied so far (if not already signed)."""
        if self.log.size == 0:
            return None
        with self.view.transaction(commit=True) as c:
            return self._checkpoint(c)


class _RecordedLeaves:
    """Walks the recorded leaf hashes alongside the rows being verified, noting
    every recorded row that no longer exists (deleted, or truncated away)."""

    def __init__(self, view: LedgerTables):
        self.view = view
        self.buffer: list[tuple[int, bytes]] = []
        self.after = 0
        self.missing: list[int] = []

    def _fill(self) -> None:
        if not self.buffer:
            self.buffer = self.view.leaves_from(self.after, READ_BATCH)
            self.buffer.reverse()

    def __call__(self, nid: int) -> bytes | None:
        while True:
            self._fill()
            if not self.buffer or self.buffer[-1][0] > nid:
                return None
            lid, h = self.buffer.pop()
            self.after = lid
            if lid == nid:
                return h
            self.missing.append(lid)

    def rest(self) -> None:
        while True:
            self._fill()
            if not self.buffer:
                return
            lid, _ = self.buffer.pop()
            self.after = lid
            self.missing.append(lid)


def raw_rows(app: Any) -> Iterator[Any]:
    """Every stored row, in order, read in batches straight from the recorder."""
    position = 0
    while True:
        batch = app.recorder.select_notifications(start=position, limit=READ_BATCH, inclusive_of_start=False)
        if not batch:
            return
        yield from batch
        position = batch[-1].id


def verify(app: Any, view: LedgerTables, extra_checkpoints: list[Checkpoint] = (),
           public_key=None, config: ReadModelConfig = DEFAULTS) -> VerificationReport:
    """Recompute the tree from the raw store and check it against every checkpoint
    (those in the view and any given), naming each row that differs."""
    public_key = public_key or signing_key(app.keystore).public_key()
    recorded = _RecordedLeaves(view)
    origin = origin_of(app, config)
    report = verify_log(
        raw_rows(app), [*view.checkpoints(), *extra_checkpoints], public_key, origin=origin,
        expected_leaves=recorded, gaps_are_errors=False,
    )
    recorded.rest()
    for nid in recorded.missing:
        report.problems.append(f"row {nid} is missing: it was recorded in the ledger but is no longer in the store")
    report.ok = not report.problems
    return report
