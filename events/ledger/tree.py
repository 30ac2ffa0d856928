"""Tamper evidence for the whole event log: an RFC 9162 Merkle tree over the
stored rows, and signed checkpoints of it in the C2SP tlog-checkpoint format.

Pure code: no database, no files except the two checkpoint-file helpers.

The tree is computed over the rows exactly as stored (ciphertext), so
shredding a child's data key later erases the record without breaking the
proof that nothing else changed.

Leaves are positional: leaf i (0-based) is the i-th row in notification-id
order, and each leaf commits to its row's id. A checkpoint of size N therefore
covers "the first N rows of the log", whatever their ids (PostgreSQL sequences
may skip ids when a transaction rolls back; the tree does not mind, and a row
deleted later changes every root that covered it).

References:
  * RFC 9162 §2.1.1 (Merkle Tree Hash), https://www.rfc-editor.org/rfc/rfc9162
  * c2sp.org/signed-note and c2sp.org/tlog-checkpoint
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "HASH_SIZE",
    "EMPTY_ROOT",
    "LEAF_FORMAT_V1",
    "leaf_bytes",
    "leaf_hash",
    "node_hash",
    "row_leaf_hash",
    "root_of",
    "MerkleLog",
    "Checkpoint",
    "CheckpointError",
    "key_id",
    "sign_checkpoint",
    "parse_checkpoint",
    "verify_checkpoint",
    "check_checkpoint_signature",
    "verifier_key",
    "parse_verifier_key",
    "dump_checkpoints",
    "load_checkpoints",
    "write_checkpoints",
    "read_checkpoints",
    "VerificationReport",
    "verify_log",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
LEAF_FORMAT_V1 = 0x01

_U32 = struct.Struct(">I")
_U64 = struct.Struct(">Q")
_U64_U32 = struct.Struct(">QI")
_LEAF_PREFIX = b"\x00"
_LEAF_HEAD = _LEAF_PREFIX + bytes((LEAF_FORMAT_V1,))
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


# --------------------------------------------------------------------------
# Leaves
# --------------------------------------------------------------------------


def _u64(value: int, what: str) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if not 0 <= value < 1 << 64:
        raise ValueError(f"{what} {value} is outside 0..2**64-1")
    return _U64.pack(value)


def _originator_bytes(originator_id: UUID | str) -> bytes:
    if isinstance(originator_id, UUID):
        return b"\x01" + originator_id.bytes
    if isinstance(originator_id, str):
        try:
            as_uuid = UUID(originator_id)
        except ValueError:
            as_uuid = None
        # Only the canonical text form counts as a UUID, so that any change to
        # a textual id in the store changes the leaf.
        if as_uuid is not None and str(as_uuid) == originator_id:
            return b"\x01" + as_uuid.bytes
        raw = originator_id.encode("utf-8")
        return b"\x02" + _U32.pack(len(raw)) + raw
    raise TypeError(f"originator_id must be a UUID or str, not {type(originator_id).__name__}")


def _topic_bytes(topic: str) -> bytes:
    if not isinstance(topic, str):
        raise TypeError(f"topic must be a str, not {type(topic).__name__}")
    raw = topic.encode("utf-8")
    if len(raw) >= 1 << 32:
        raise ValueError("topic is too long")
    return _U32.pack(len(raw)) + raw


def _state_len(state: bytes) -> bytes:
    if not isinstance(state, (bytes, bytearray, memoryview)):
        raise TypeError(f"state must be bytes, not {type(state).__name__}")
    return _U64.pack(memoryview(state).nbytes)


def leaf_bytes(
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The canonical serialisation of one stored row (format v1).

    All integers are unsigned big-endian; every variable-length field carries
    its length, so no byte can move from one field to another::

        0x01                              format version (LEAF_FORMAT_V1)
        u64  notification_id
        originator_id, one of:
          0x01 || 16 bytes                a UUID (or its canonical text form,
                                          lower-case with hyphens)
          0x02 || u32 length || UTF-8     any other text id
        u64  originator_version
        u32  length || UTF-8 topic
        u64  length || state              the stored bytes (ciphertext), as is

    Integers must lie in 0..2**64-1.
    """
    return b"".join(
        (
            bytes((LEAF_FORMAT_V1,)),
            _u64(notification_id, "notification_id"),
            _originator_bytes(originator_id),
            _u64(originator_version, "originator_version"),
            _topic_bytes(topic),
            _state_len(state),
            bytes(state),
        )
    )


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return _sha256(_LEAF_PREFIX + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def row_leaf_hash(
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """leaf_hash(leaf_bytes(...)), without copying the state: the fast path."""
    if (
        type(notification_id) is int
        and type(originator_version) is int
        and type(originator_id) is UUID
        and type(topic) is str
        and type(state) is bytes
    ):
        raw_topic = topic.encode("utf-8")
        try:
            head = b"".join(
                (
                    _LEAF_HEAD,
                    _U64.pack(notification_id),
                    b"\x01",
                    originator_id.bytes,
                    _U64_U32.pack(originator_version, len(raw_topic)),
                    raw_topic,
                    _U64.pack(len(state)),
                )
            )
        except struct.error:
            pass  # out of range: let the checked path below say which field
        else:
            h = _sha256(head)
            h.update(state)
            return h.digest()
    h = _sha256(_LEAF_PREFIX)
    h.update(bytes((LEAF_FORMAT_V1,)))
    h.update(_u64(notification_id, "notification_id"))
    h.update(_originator_bytes(originator_id))
    h.update(_u64(originator_version, "originator_version"))
    h.update(_topic_bytes(topic))
    h.update(_state_len(state))
    h.update(state)
    return h.digest()


def _check_hash(value: Any, what: str = "hash") -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes")
    return bytes(value)


# --------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """Reference RFC 9162 Merkle Tree Hash over already-hashed leaves.

    MTH({}) = SHA-256(); MTH of one leaf = its leaf hash; otherwise, with k
    the largest power of two smaller than n,
    MTH(D[n]) = node_hash(MTH(D[0:k]), MTH(D[k:n])). Recursive and in memory:
    for tests and small inputs only; use MerkleLog for the real log.
    """
    leaves = list(leaf_hashes)

    def mth(lo: int, hi: int) -> bytes:
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n == 1:
            return leaves[lo]
        k = 1 << ((n - 1).bit_length() - 1)
        return node_hash(mth(lo, lo + k), mth(lo + k, hi))

    return mth(0, len(leaves))


class MerkleLog:
    """An append-only RFC 9162 Merkle tree keeping O(log n) state.

    It keeps only the roots of the perfect subtrees that make up the tree
    (one per set bit of `size`, largest first: the "compact range" of
    [0, size)), so ten million leaves need 24 hashes.

    >>> log = MerkleLog()
    >>> log.append(leaf_hash(b"a")); log.size
    0
    1
    >>> MerkleLog.from_state(log.state()).root() == log.root()
    True
    """

    __slots__ = ("_size", "_frontier")

    STATE_VERSION = 1

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    def __len__(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> int:
        """Add one leaf (its leaf hash, not its data); return its 0-based index."""
        h = _check_hash(leaf_hash, "leaf hash")
        index = n = self._size
        frontier = self._frontier
        # Each trailing 1 bit of the old size is a perfect subtree that the new
        # leaf completes into one twice as large.
        while n & 1:
            h = _sha256(_NODE_PREFIX + frontier.pop() + h).digest()
            n >>= 1
        frontier.append(h)
        self._size = index + 1
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """RFC 9162 MTH of the leaves so far (SHA-256 of nothing when empty)."""
        frontier = self._frontier
        if not frontier:
            return EMPTY_ROOT
        r = frontier[-1]
        for h in reversed(frontier[:-1]):
            r = _sha256(_NODE_PREFIX + h + r).digest()
        return r

    def state(self) -> dict[str, Any]:
        """A JSON-able snapshot to persist: {"v": 1, "size": n, "frontier": [hex, ...]}."""
        return {
            "v": self.STATE_VERSION,
            "size": self._size,
            "frontier": [h.hex() for h in self._frontier],
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "MerkleLog":
        """Resume from `state()` (as is, or after a JSON round trip)."""
        if not isinstance(state, dict) or state.get("v") != cls.STATE_VERSION:
            raise ValueError("not a MerkleLog state (version 1)")
        size = state.get("size")
        hexes = state.get("frontier")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError("MerkleLog state: size must be a non-negative int")
        if not isinstance(hexes, list) or len(hexes) != size.bit_count():
            raise ValueError(
                f"MerkleLog state: a tree of size {size} has {size.bit_count()} "
                "subtree roots in its frontier"
            )
        frontier = []
        for value in hexes:
            try:
                frontier.append(_check_hash(bytes.fromhex(value), "frontier hash"))
            except (TypeError, ValueError):
                raise ValueError("MerkleLog state: frontier hashes must be 64 hex digits") from None
        log = cls()
        log._size = size
        log._frontier = frontier
        return log

    def copy(self) -> "MerkleLog":
        log = MerkleLog()
        log._size = self._size
        log._frontier = list(self._frontier)
        return log

    def __repr__(self) -> str:
        return f"MerkleLog(size={self._size}, root={self.root().hex()[:16]}...)"


# --------------------------------------------------------------------------
# Checkpoints (C2SP signed notes)
# --------------------------------------------------------------------------

_EM_DASH = "\u2014"
_SIG_PREFIX = _EM_DASH + " "
_ED25519_TYPE = b"\x01"
_MAX_SIGNATURES = 64
_MAX_NOTE_CHARS = 1 << 20
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")


class CheckpointError(ValueError):
    """A checkpoint or checkpoint file that is not well-formed."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head: `note` is the whole signed note, as signed."""

    origin: str
    size: int
    root: bytes
    note: str

    @property
    def text(self) -> str:
        """The signed note text (origin, size, root, and any extension lines)."""
        return _split_note(self.note)[0]

    def __str__(self) -> str:
        return self.note


def _public_bytes(public_key: Ed25519PublicKey | bytes) -> bytes:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    if isinstance(public_key, (bytes, bytearray)) and len(public_key) == 32:
        return bytes(public_key)
    raise TypeError("public_key must be an Ed25519PublicKey or its 32 raw bytes")


def _public_key(public_key: Ed25519PublicKey | bytes) -> Ed25519PublicKey:
    if isinstance(public_key, Ed25519PublicKey):
        return public_key
    return Ed25519PublicKey.from_public_bytes(_public_bytes(public_key))


def _check_key_name(key_name: str) -> None:
    if not isinstance(key_name, str) or not key_name:
        raise CheckpointError("key name must be a non-empty str")
    if "+" in key_name or any(c.isspace() for c in key_name) or _CONTROL_RE.search(key_name):
        raise CheckpointError(f"key name {key_name!r} must not contain spaces, '+' or controls")


def key_id(key_name: str, public_key: Ed25519PublicKey | bytes) -> bytes:
    """The signed-note key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    _check_key_name(key_name)
    return _sha256(
        key_name.encode("utf-8") + b"\n" + _ED25519_TYPE + _public_bytes(public_key)
    ).digest()[:4]


def _checkpoint_text(origin: str, size: int, root: bytes) -> str:
    if not isinstance(origin, str) or not origin:
        raise CheckpointError("origin must be a non-empty str")
    if "\n" in origin or _CONTROL_RE.search(origin):
        raise CheckpointError("origin must be one line without control characters")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointError("size must be a non-negative int")
    try:
        root = _check_hash(root, "root")
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    return f"{origin}\n{size}\n{base64.b64encode(root).decode('ascii')}\n"


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    key_name: str,
    private_key: Ed25519PrivateKey,
) -> Checkpoint:
    """Sign "<origin>\\n<size>\\n<base64 root>\\n" as a C2SP signed note.

    The key name SHOULD equal the origin (tlog-checkpoint §Signatures).
    """
    text = _checkpoint_text(origin, size, root)
    kid = key_id(key_name, private_key.public_key())
    signature = private_key.sign(text.encode("utf-8"))
    line = f"{_SIG_PREFIX}{key_name} {base64.b64encode(kid + signature).decode('ascii')}\n"
    return Checkpoint(origin=origin, size=size, root=bytes(root), note=f"{text}\n{line}")


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, key id || signature), ...]) of a signed note."""
    if not isinstance(note, str):
        raise CheckpointError("a note is text")
    if len(note) > _MAX_NOTE_CHARS:
        raise CheckpointError("note is too large")
    if _CONTROL_RE.search(note):
        raise CheckpointError("note contains control characters")
    if not note.endswith("\n"):
        raise CheckpointError("note does not end in a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise CheckpointError("note has no blank line before its signatures")
    text, block = note[: cut + 1], note[cut + 2 :]
    lines = block[:-1].split("\n") if block else []
    if not lines:
        raise CheckpointError("note has no signatures")
    if len(lines) > _MAX_SIGNATURES:
        raise CheckpointError("note has too many signatures")
    signatures = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise CheckpointError(f"malformed signature line {line!r}")
        name, sep, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not sep or not name or " " in b64:
            raise CheckpointError(f"malformed signature line {line!r}")
        try:
            raw = base64.b64decode(b64, validate=True)
        except ValueError:
            raise CheckpointError(f"signature by {name} is not base64") from None
        if len(raw) < 5:
            raise CheckpointError(f"signature by {name} is too short")
        signatures.append((name, raw))
    return text, signatures


def parse_checkpoint(note: str) -> Checkpoint:
    """Parse (not verify) a signed checkpoint note; CheckpointError if malformed.

    Extension lines after the root are allowed (and stay in `note`), as the
    spec allows them; this module never writes any.
    """
    text, _ = _split_note(note)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise CheckpointError("checkpoint text needs origin, size and root, none empty")
    origin, size_line, root_line = lines[0], lines[1], lines[2]
    if not _SIZE_RE.fullmatch(size_line):
        raise CheckpointError(f"checkpoint size {size_line!r} is not a decimal number")
    try:
        root = base64.b64decode(root_line, validate=True)
    except ValueError:
        raise CheckpointError("checkpoint root is not base64") from None
    if len(root) != HASH_SIZE or base64.b64encode(root).decode("ascii") != root_line:
        raise CheckpointError("checkpoint root is not the base64 of a SHA-256 hash")
    return Checkpoint(origin=origin, size=int(size_line), root=root, note=note)


def check_checkpoint_signature(
    cp: Checkpoint, key_name: str, public_key: Ed25519PublicKey | bytes
) -> str | None:
    """None if `cp` is validly signed by the key, else why not (English).

    Follows the signed-note rules: signatures by other keys (another name or
    key ID) are ignored; a signature by this key that fails rejects the note;
    no signature by this key rejects it too. Also rejects a Checkpoint whose
    fields disagree with its note.
    """
    try:
        parsed = parse_checkpoint(cp.note)
    except CheckpointError as e:
        return f"is malformed ({e})"
    if (parsed.origin, parsed.size, parsed.root) != (cp.origin, cp.size, bytes(cp.root)):
        return "has fields that differ from its signed note"
    kid = key_id(key_name, public_key)
    key = _public_key(public_key)
    text, signatures = _split_note(cp.note)
    found = False
    for name, raw in signatures:
        if name != key_name or raw[:4] != kid:
            continue
        found = True
        try:
            key.verify(raw[4:], text.encode("utf-8"))
        except InvalidSignature:
            return f"has an invalid signature by key {key_name}"
    if not found:
        return f"is not signed by key {key_name}"
    return None


def verify_checkpoint(
    cp: Checkpoint, key_name: str, public_key: Ed25519PublicKey | bytes
) -> bool:
    """True if the checkpoint carries a valid Ed25519 signature by this key."""
    return check_checkpoint_signature(cp, key_name, public_key) is None


def verifier_key(key_name: str, public_key: Ed25519PublicKey | bytes) -> str:
    """The one-line "<name>+<key id hex>+<base64(0x01 || key)>" form used by
    Go's golang.org/x/mod/sumdb/note, handy in configuration."""
    raw = _ED25519_TYPE + _public_bytes(public_key)
    return f"{key_name}+{key_id(key_name, public_key).hex()}+{base64.b64encode(raw).decode()}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """(key name, public key) from `verifier_key` output; CheckpointError if bad."""
    parts = vkey.strip().split("+", 2)  # the base64 may contain "+"
    if len(parts) != 3:
        raise CheckpointError("verifier key must be name+keyid+key")
    name, kid_hex, b64 = parts
    try:
        raw = base64.b64decode(b64, validate=True)
        kid = bytes.fromhex(kid_hex)
    except ValueError:
        raise CheckpointError("verifier key is not hex/base64") from None
    if len(raw) != 33 or raw[:1] != _ED25519_TYPE:
        raise CheckpointError("verifier key is not an Ed25519 key")
    if key_id(name, raw[1:]) != kid:
        raise CheckpointError("verifier key's key ID does not match its name and key")
    return name, Ed25519PublicKey.from_public_bytes(raw[1:])


# --------------------------------------------------------------------------
# Checkpoint files
# --------------------------------------------------------------------------


def dump_checkpoints(checkpoints: Iterable[Checkpoint]) -> str:
    """A checkpoint file: each signed note verbatim, each followed by one
    blank line. Appending a checkpoint is appending `cp.note + "\\n"`.

    Unambiguous because checkpoint text lines are never empty: within a
    record, the first blank line separates text from signatures, and the
    blank line after the signature lines ends the record.
    """
    return "".join(cp.note + "\n" for cp in checkpoints)


def load_checkpoints(text: str) -> list[Checkpoint]:
    """Parse a checkpoint file written by dump_checkpoints (not verified)."""
    checkpoints: list[Checkpoint] = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i, n = 0, len(lines)
    while i < n:
        start = i
        while i < n and lines[i] != "":
            i += 1
        if i == start:
            raise CheckpointError(f"line {i + 1}: unexpected blank line")
        if i == n:
            raise CheckpointError(f"line {start + 1}: checkpoint has no signatures")
        i += 1  # the blank line between text and signatures
        sig_start = i
        while i < n and lines[i].startswith(_SIG_PREFIX):
            i += 1
        if i == sig_start:
            raise CheckpointError(f"line {sig_start + 1}: expected a signature line")
        note = "\n".join(lines[start:i]) + "\n"
        try:
            checkpoints.append(parse_checkpoint(note))
        except CheckpointError as e:
            raise CheckpointError(f"line {start + 1}: {e}") from None
        if i < n:
            if lines[i] != "":
                raise CheckpointError(f"line {i + 1}: expected a blank line after signatures")
            i += 1
    return checkpoints


def write_checkpoints(path: str | Path, checkpoints: Iterable[Checkpoint]) -> None:
    Path(path).write_text(dump_checkpoints(checkpoints), encoding="utf-8", newline="\n")


def read_checkpoints(path: str | Path) -> list[Checkpoint]:
    with open(path, encoding="utf-8", newline="") as f:
        return load_checkpoints(f.read())


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------

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

    def __str__(self) -> str:
        head = (
            f"{'OK' if self.ok else 'FAILED'}: {self.size} rows, root "
            f"{base64.b64encode(self.root).decode()}, "
            f"{len(self.checkpoints_matched)} checkpoints match"
        )
        return "\n".join([head, *(f"- {p}" for p in self.problems)])


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
            problems.append(
                f"checkpoint at size {size} does not match the log: a row among {where} "
                f"was altered, removed, inserted or reordered ({since})"
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
        problems.append(
            f"log truncated: checkpoint at size {size} covers {size} rows, but the log "
            f"has only {log.size}" + (f" (last row id {last_id})" if last_id is not None else "")
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
