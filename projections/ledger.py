"""The tamper-evidence read model: a Merkle tree over the stored rows, leaf
hashes to name an altered row, and signed checkpoints (events/ledger/), each
also appended to the witness file outside the database as it is signed.

It reads the raw notifications (ciphertext), not decrypted events, so shredding
a child's key never breaks the proof.

It also keeps each child's access chain (events/ledger/access_chain.py): the
access events (and break-the-glass grants), which are under the system key,
decrypted in log order, one link per child they name, and each checkpoint
commits to the heads of all the chains (the children's map, keyed by a blind
key per child: an HMAC of the child's id under a key of its own, never
shredded, so the map names no child and erasing one breaks no chain).

A checkpoint is signed every `checkpoint_every` rows, and once rows have
arrived and `checkpoint_seconds` have passed since the last one (the runner
asks after each poll, `tick`), and at shutdown (`at_stop`): a row is covered
by a signed checkpoint outside the database within about a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import orjson
from eventsourcing.utils import get_topic

from events.audit import Access, BreakGlass
from events.errors import IntegrityError
from events.ledger.access_chain import (
    CHAIN_START, MAP_LINE, ChildrenMap, MapLeaf, b64, extension_lines, inclusion_proof, map_commitment, map_root, next_link,
)
from events.ledger.checkpoints import (
    Checkpoint, CheckpointError, check_checkpoint_signature, parse_checkpoint, sign_checkpoint, verifier_key,
)
from events.ledger.report_check import REPORT_FORMAT
from events.ledger.tree import MerkleLog, row_leaf_hash
from events.ledger.verification import VerificationReport, verify_log
from events.ledger.witness import WITNESS_NAME, append_checkpoint, read_witness, start_witness
from events.application import data_dir_of, uses_postgres
from events.policy import BREAK_GLASS
from events.storage.keystore import KeyStore
from projections.access_log import ACCESS_TOPIC, ACCESS_VERSION
from projections.config import DEFAULTS, ReadModelConfig
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

LEDGER_KEY_ID = UUID(int=2)  # the Ed25519 seed, wrapped by the KEK like every data key
CHILD_KEY_ID = UUID(int=3)  # the HMAC key of the children's blind keys in the map: never shredded
READ_BATCH = 5000
ACCESS_TOPICS = frozenset({ACCESS_TOPIC, get_topic(BreakGlass.Created)})  # the rows the chains take


def signing_key(keystore: KeyStore) -> Ed25519PrivateKey:
    seed = keystore.data_key(LEDGER_KEY_ID, create=True)
    assert seed is not None  # never shredded
    return Ed25519PrivateKey.from_private_bytes(seed)


def origin_of(app: Any, config: ReadModelConfig = DEFAULTS) -> str:
    return config.origin_of(app.name)


def witness_path(app: Any, config: ReadModelConfig = DEFAULTS) -> Path:
    return Path(config.witness_file) if config.witness_file else data_dir_of(app.env) / WITNESS_NAME


def child_key_secret(keystore: KeyStore) -> bytes:
    secret = keystore.data_key(CHILD_KEY_ID, create=True)
    assert secret is not None  # never shredded
    return secret


def blind_child_key(secret: bytes, child_id: UUID) -> bytes:
    """The child's key in the map: HMAC-SHA256 of the id's 16 bytes."""
    return hmac.new(secret, child_id.bytes, hashlib.sha256).digest()


def access_entries(event: Any) -> list[tuple[UUID, dict]]:
    """Each child an access event (or a break-the-glass grant) names, once, with
    the entry its chain takes (access_chain.ENTRY_FIELDS): that child's basis,
    never the other children. `at` is the event's timestamp as the access log
    stores it. A grant's entry names no records: its record ids include the
    children's ids. A version 1 access names no basis: its entry has none."""
    if isinstance(event, BreakGlass.Created):
        return _entries(event.originator_id, event.timestamp.isoformat(), event.user_id, event.role, None,
                        "break_glass", [], event.subject_ids, [(BREAK_GLASS, event.originator_id)] * len(event.subject_ids))
    return _entries(event.originator_id, event.timestamp.isoformat(), event.user_id, event.role, event.unit_id,
                    event.action, event.records, event.subject_ids, event.bases)


def access_entries_from_state(originator_id: UUID, state: dict) -> list[tuple[UUID, dict]]:
    """`access_entries` of an `Access.Created` read straight from its decrypted JSON
    (the fields `Access.__init__` stores), as the access log reads it: decoding the
    event through the library cost several times more, for every access."""
    def uuid(value: Any) -> UUID | None:
        return None if value is None else UUID(value["_data_"])

    return _entries(originator_id, state["timestamp"]["_data_"], uuid(state["user_id"]), state["role"],
                    uuid(state["unit_id"]), state["action"], state["records"],
                    [uuid(child) for child in state["subject_ids"]],
                    [(code, uuid(ref)) for code, ref in state["bases"]])


def _entries(access_id: UUID, at: str, user_id: UUID, role: str, unit_id: UUID | None, action: str,
             records: list[str], subject_ids: list[UUID], bases: list) -> list[tuple[UUID, dict]]:
    common = {"id": str(access_id), "at": at, "user": str(user_id), "role": role,
              "unit": None if unit_id is None else str(unit_id), "action": action, "records": [str(r) for r in records]}
    entries: dict[UUID, dict] = {}
    for i, child in enumerate(subject_ids):
        if child not in entries:  # the basis it was first named with, as the access log keeps
            code, ref = bases[i] if i < len(bases) else (None, None)
            entries[child] = {**common, "basis": code, "basis_ref": None if ref is None else str(ref)}
    return list(entries.items())


def decode_access(app: Any, notification: Any) -> list[tuple[UUID, dict]]:
    """The entries of an access row; none if it cannot be read (its key gone, or
    the row altered: `audit verify` names that row on its own)."""
    try:
        plaintext = app.mapper.decrypt(notification)
    except (IntegrityError, ValueError):
        return []
    if plaintext is None:
        return []
    if notification.topic == ACCESS_TOPIC:
        state = orjson.loads(plaintext)
        if state.get("class_version", 1) == ACCESS_VERSION:
            return access_entries_from_state(_uuid(notification.originator_id), state)
    event = app.mapper.from_plaintext(notification.originator_id, notification.originator_version,
                                      notification.topic, plaintext)
    return access_entries(event) if isinstance(event, (Access.Created, BreakGlass.Created)) else []


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class Chains:
    """Every child's chain head (blind key -> (count, head, last row id)), kept
    as rows arrive in log order: by the ledger, and by `verify` from the raw store."""

    def __init__(self, app: Any, heads: dict[bytes, tuple[int, bytes, int]] | None = None):
        self.app = app
        self.secret = child_key_secret(app.keystore)
        self.heads = heads if heads is not None else {}
        self.map = ChildrenMap(MapLeaf(key, count, head) for key, (count, head, _row) in self.heads.items())
        self._keys: dict[UUID, bytes] = {}

    def key(self, child_id: UUID) -> bytes:
        key = self._keys.get(child_id)
        if key is None:
            key = self._keys[child_id] = blind_child_key(self.secret, child_id)
        return key

    def add(self, notification: Any, leaf: bytes | None = None) -> list[tuple]:
        """The links an access row adds: (key, n, row id, entry, previous, link).
        `leaf`: the row's leaf hash, if the caller has it."""
        if notification.topic not in ACCESS_TOPICS:
            return []
        entries = decode_access(self.app, notification)
        if not entries:
            return []
        if leaf is None:
            leaf = row_leaf_hash(notification.id, notification.originator_id, notification.originator_version,
                                 notification.topic, bytes(notification.state))
        added = []
        for child_id, entry in entries:
            key = self.key(child_id)
            count, previous, _row = self.heads.get(key, (0, CHAIN_START, 0))
            link = next_link(previous, leaf, entry)
            self.heads[key] = (count + 1, link, notification.id)
            self.map.set(MapLeaf(key, count + 1, link))
            added.append((key, count + 1, notification.id, entry, previous, link))
        return added

def utc_now_text(now: float) -> str:
    return datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class LedgerTables(ViewTables):
    name = "ledger"
    tables = {
        "leaves": "id {bigint} PRIMARY KEY, hash {blob} NOT NULL",
        "tree": "k TEXT PRIMARY KEY, state TEXT NOT NULL",
        "checkpoints": "size {bigint} PRIMARY KEY, note TEXT NOT NULL, created_at TEXT NOT NULL",
        # The children's access chains: a link per child an access row names (the
        # entry as JSON: no child's id), each child's head, and the map each
        # checkpoint signed with the last row it covers (a head as of a checkpoint
        # is the child's last link up to that row).
        "links": "child_key {blob} NOT NULL, n {bigint} NOT NULL, row_id {bigint} NOT NULL, entry TEXT NOT NULL, "
        "leaf {blob} NOT NULL, previous {blob} NOT NULL, link {blob} NOT NULL, PRIMARY KEY (child_key, n)",
        "heads": "child_key {blob} PRIMARY KEY, count {bigint} NOT NULL, head {blob} NOT NULL, row_id {bigint} NOT NULL",
        "maps": "size {bigint} PRIMARY KEY, last_row {bigint} NOT NULL, map_size {bigint} NOT NULL, "
        "map_root {blob} NOT NULL",
    }
    version = 2  # 2: the children's access chains (built from row 1: a chain cannot start midway)

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

    def heads(self, c: Any = None) -> dict[bytes, tuple[int, bytes, int]]:
        """Every child's chain head as the ledger last recorded it."""
        statement = "SELECT child_key, count, head, row_id FROM {heads}"
        if c is not None:
            c.execute(self.sql(statement))
        rows = c.fetchall() if c is not None else self.fetchall(statement)
        return {bytes(r["child_key"]): (r["count"], bytes(r["head"]), r["row_id"]) for r in rows}

    def last_row(self, c: Any = None) -> int:
        statement = "SELECT MAX(id) AS id FROM {leaves}"
        if c is not None:
            c.execute(self.sql(statement))
        row = c.fetchone() if c is not None else self.fetchone(statement)
        return row["id"] or 0 if row else 0

    def newest_checkpoint(self) -> tuple[Checkpoint, int | None] | None:
        """The newest checkpoint, and the last row its map covers (None: it has no map)."""
        row = self.fetchone("SELECT k.note, m.last_row FROM {checkpoints} k LEFT JOIN {maps} m ON m.size = k.size "
                            "ORDER BY k.size DESC LIMIT 1")
        return (parse_checkpoint(row["note"]), row["last_row"]) if row else None

    def map_as_of(self, last_row: int) -> list[MapLeaf]:
        """Every child's leaf in the map as it stood at row `last_row`: the head,
        unless the chain has moved on since, then its last link up to that row."""
        leaves = []
        for key, (count, head, row_id) in self.heads().items():  # one statement: one moment's heads
            if row_id <= last_row:
                leaves.append(MapLeaf(key, count, head))
                continue
            before = self.fetchone("SELECT n, link FROM {links} WHERE child_key = ? AND row_id <= ? "
                                   "ORDER BY n DESC LIMIT 1", (key, last_row))
            if before is not None:
                leaves.append(MapLeaf(key, before["n"], bytes(before["link"])))
        return leaves

    def links_of(self, key: bytes, last_row: int) -> list[dict]:
        """A child's links up to row `last_row`, in chain order."""
        return [{"n": r["n"], "row_id": r["row_id"], "entry": json.loads(r["entry"]), "leaf": bytes(r["leaf"]),
                 "previous": bytes(r["previous"]), "link": bytes(r["link"])}
                for r in self.fetchall("SELECT * FROM {links} WHERE child_key = ? AND row_id <= ? ORDER BY n",
                                       (key, last_row))]

    def all_links(self) -> list[tuple]:
        """Every link (key, n, row id, entry, leaf, previous, link), in row order: for tests and checks."""
        return [(bytes(r["child_key"]), r["n"], r["row_id"], json.loads(r["entry"]), bytes(r["leaf"]),
                 bytes(r["previous"]), bytes(r["link"]))
                for r in self.fetchall("SELECT * FROM {links} ORDER BY row_id, child_key")]


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
        self.chains = Chains(self.app, self.view.heads())
        self._links: list[tuple] = []  # likewise
        self._moved: set[bytes] = set()  # the children whose heads moved in this batch
        self.last_row = self.view.last_row()
        last = self.view.last_checkpoint()
        self.signed_size, self.signed_at = last if last else (0, 0.0)

    def process(self, notification: Any, c: Any) -> None:
        h = row_leaf_hash(notification.id, notification.originator_id,
                          notification.originator_version, notification.topic,
                          bytes(notification.state))
        self.log.append(h)
        self._leaves.append((notification.id, h))
        self.last_row = notification.id
        for key, n, row_id, entry, previous, link in self.chains.add(notification, h):
            self._links.append((key, n, row_id, entry_json(entry), h, previous, link))
            self._moved.add(key)
        if self.log.size % self.checkpoint_every == 0:
            self._checkpoint(c)

    def batch_done(self, c: Any) -> None:
        # All of a batch's leaves at once (COPY on PostgreSQL): one statement per
        # row made the leaves a large part of a rebuild on PostgreSQL.
        self.view.insert_rows(c, "leaves", ("id", "hash"), self._leaves)
        self._leaves.clear()
        if self._links:
            self.view.insert_rows(c, "links", ("child_key", "n", "row_id", "entry", "leaf", "previous", "link"),
                                  self._links)
            self._links.clear()
        upsert = self.view.sql("INSERT INTO {heads} (child_key, count, head, row_id) VALUES (?, ?, ?, ?) "
                               "ON CONFLICT (child_key) DO UPDATE SET count = excluded.count, "
                               "head = excluded.head, row_id = excluded.row_id")
        for key in self._moved:
            c.execute(upsert, (key, *self.chains.heads[key]))
        self._moved.clear()
        state = json.dumps(self.log.state())
        c.execute(self.view.sql("DELETE FROM {tree} WHERE k = 'frontier'"))
        c.execute(self.view.sql("INSERT INTO {tree} (k, state) VALUES ('frontier', ?)"), (state,))

    def _checkpoint(self, c: Any) -> Checkpoint:
        """Sign the tree and the children's map as they are (`sign_and_record`)."""
        now = time.time()
        cp = sign_and_record(self.app, self.view, c, self.origin, self.witness, self.log, self.last_row,
                             self.chains.map, now)
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


def entry_json(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def sign_and_record(app: Any, view: LedgerTables, c: Any, origin: str, witness: Path, log: MerkleLog,
                    last_row: int, children: ChildrenMap, now: float) -> Checkpoint:
    """Sign the tree as it is, with the children's map as it is (its root and the
    time in the extension lines), append it to the witness, then record it and its
    map. The witness first: if it cannot be written the transaction fails, and the
    read model stops, loudly (a checkpoint the witness lacks protects nothing
    from someone who can rewrite the database). A witness line whose
    transaction then fails is still true: it covers rows that were stored."""
    root = children.root()
    cp = sign_checkpoint(origin, log.size, log.root(), origin, signing_key(app.keystore),
                         extension_lines(len(children), root, utc_now_text(now)))
    append_checkpoint(witness, cp)
    # Another process may have signed the same size (the same tree and map, another time):
    # the first stays, unless it was signed before checkpoints carried the map.
    c.execute(view.sql("INSERT INTO {checkpoints} AS k (size, note, created_at) VALUES (?, ?, ?) "
                       "ON CONFLICT (size) DO UPDATE SET note = excluded.note, created_at = excluded.created_at "
                       "WHERE k.note NOT LIKE ?"),
              (cp.size, cp.note, datetime.fromtimestamp(now, timezone.utc).isoformat(), f"%\n{MAP_LINE} %"))
    c.execute(view.sql("INSERT INTO {maps} (size, last_row, map_size, map_root) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (size) DO NOTHING"), (cp.size, last_row, len(children), root))
    return cp


def sign_committed(app: Any, view: LedgerTables, config: ReadModelConfig = DEFAULTS) -> Checkpoint | None:
    """Sign a checkpoint of what the ledger has committed (its tree, its heads and
    its last row are written together at the end of each batch), from any
    process: a report needs a checkpoint with a map, and the newest may have none."""
    with view.transaction(commit=True) as c:
        c.execute(view.sql("SELECT state FROM {tree} WHERE k = 'frontier'"))
        row = c.fetchone()
        if row is None:
            return None
        log = MerkleLog.from_state(json.loads(row["state"]))
        children = ChildrenMap(MapLeaf(key, count, head) for key, (count, head, _row) in view.heads(c).items())
        return sign_and_record(app, view, c, origin_of(app, config), witness_path(app, config), log,
                               view.last_row(c), children, time.time())


class NoCheckpoint(Exception):
    """The ledger has signed nothing yet (an empty store)."""


class NoAccess(Exception):
    """No access to the child up to the checkpoint: the child has no leaf in its
    map, and the map the store holds is the one the checkpoint signed (so it is
    not a leaf removed from the store). There is no chain to prove."""

    def __init__(self, checkpoint: Checkpoint):
        super().__init__(checkpoint.size)
        self.checkpoint = checkpoint


def chain_report(app: Any, view: LedgerTables, child_id: UUID, config: ReadModelConfig = DEFAULTS) -> dict:
    """What a guardians' access report proves (events/ledger/report_check.py), as
    the store holds it: the newest checkpoint with a children's map (signed now if
    the newest has none), the child's blind key, the child's leaf in that map and
    its inclusion proof, and every link of the child's chain up to the checkpoint,
    in chain order. A child with no leaf in the map: NoAccess, or where the map
    the store holds is not the one signed, a report with count 0, which does not
    verify."""
    newest = view.newest_checkpoint()
    if newest is None or newest[1] is None:
        sign_committed(app, view, config)
        newest = view.newest_checkpoint()
    if newest is None or newest[1] is None:
        raise NoCheckpoint()
    cp, last_row = newest
    key = blind_child_key(child_key_secret(app.keystore), child_id)
    leaves = view.map_as_of(last_row)
    try:
        index, proof = inclusion_proof(leaves, key)
        leaf = next(leaf for leaf in leaves if leaf.key == key)
    except KeyError:
        signed = map_commitment(cp.text)
        if signed is not None and (signed.size, signed.root) == (len(leaves), map_root(leaves)):
            raise NoAccess(cp) from None
        index, proof, leaf = 0, [], MapLeaf(key, 0, CHAIN_START)
    return {
        "format": REPORT_FORMAT,
        "checkpoint": cp.note,
        "verifier_key": verifier_key(origin_of(app, config), signing_key(app.keystore).public_key()),
        "child_key": b64(key),
        "map": {"index": index, "size": len(leaves), "count": leaf.count, "head": b64(leaf.head),
                "proof": [b64(p) for p in proof]},
        "accesses": [{"entry": link["entry"], "leaf": b64(link["leaf"]), "previous": b64(link["previous"]),
                      "link": b64(link["link"])} for link in view.links_of(key, last_row)],
    }


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


class _ChainCheck:
    """Recomputes every child's access chain from the raw rows as they stream
    past, and at each checkpoint that commits to a children's map, that map's
    root: a checkpoint whose map differs had an access event removed, altered or
    inserted before it (the tree check names the rows)."""

    def __init__(self, app: Any, checkpoints: list[Checkpoint], origin: str, public_key: Any):
        self.chains = Chains(app)
        self.maps: dict[int, list[Checkpoint]] = {}
        for cp in checkpoints:
            if cp.origin == origin and map_commitment(cp.text) is not None \
                    and check_checkpoint_signature(cp, origin, public_key) is None:
                self.maps.setdefault(cp.size, []).append(cp)
        self.size = 0
        self.matched: list[int] = []
        self.problems: list[str] = []

    def rows(self, rows: Iterator[Any]) -> Iterator[Any]:
        for n in rows:
            self.chains.add(n)
            self.size += 1
            if self.size in self.maps:
                self._check(self.maps.pop(self.size))
            yield n
        # Checkpoints beyond the log's end (rows removed): their maps against the chains as
        # the log leaves them, so an access event among the removed rows is named.
        for size in sorted(self.maps):
            self._check(self.maps.pop(size))

    def _check(self, checkpoints: list[Checkpoint]) -> None:
        size, root = len(self.chains.map), self.chains.map.root()
        for cp in checkpoints:
            signed = map_commitment(cp.text)
            if (signed.size, signed.root) == (size, root):
                self.matched.append(cp.size)
                continue
            self.problems.append(
                f"checkpoint at size {cp.size} (signed {signed.signed_at}) commits to a children's map of "
                f"{signed.size} access chains that the log's access events do not give ({size} chains, "
                "another root): an access event up to it was removed, altered or inserted")


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
    origin = origin_of(app, config)
    chains = _ChainCheck(app, checkpoints, origin, public_key)
    report = verify_log(
        chains.rows(authenticator.rows(raw_batches(app))), checkpoints, public_key, origin=origin,
        expected_leaves=recorded, gaps_are_errors=not uses_postgres(app.env),
    )
    recorded.rest()
    report.problems[:0] = problems
    report.problems += authenticator.problems
    report.problems += chains.problems
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
    if chains.matched:
        notes.append(f"{len(chains.matched)} checkpoints sign a children's map that the access events give")
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
