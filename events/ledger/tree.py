"""An RFC 9162 Merkle tree over the event log's rows, as stored.

Pure code: no database, no files.

The tree is computed over the rows exactly as stored (ciphertext), so
shredding a child's data key later erases the record without breaking the
proof that nothing else changed.

Leaves are positional: leaf i (0-based) is the i-th row in notification-id
order, and each leaf commits to its row's id. A checkpoint of size N therefore
covers "the first N rows of the log", whatever their ids (PostgreSQL sequences
may skip ids when a transaction rolls back; the tree does not mind, and a row
deleted later changes every root that covered it).

Reference: RFC 9162 §2.1.1 (Merkle Tree Hash), https://www.rfc-editor.org/rfc/rfc9162
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any, Iterable
from uuid import UUID

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


def check_hash(value: Any, what: str = "hash") -> bytes:
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
        h = check_hash(leaf_hash, "leaf hash")
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
                frontier.append(check_hash(bytes.fromhex(value), "frontier hash"))
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
