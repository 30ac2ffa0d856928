"""Per-child access chains and the children's map a checkpoint commits to.

Pure code: no database, no files. The report's verifiers (the CLI's
`audit verify-report` and the static page `/static/verify/`) recompute exactly
what is defined here, so every byte layout is written out.

- An access *entry* is what a report shows of one access to one child: who
  (user id, role, unit), when, how (action), which kinds of record, and the
  legal basis for this child (never the other children the access covered).
- A child's *chain*: link_0 = 32 zero bytes, and for the i-th access to the
  child, in log order,
      link_i = SHA-256(0x03 || link_{i-1} || leaf_i || SHA-256(entry_bytes_i))
  where leaf_i is the RFC 9162 leaf hash of the access event's stored row
  (events/ledger/tree.py), binding the entry to the ciphertext in the log.
- The *children's map*: one leaf per child that has any access,
      SHA-256(0x00 || 0x02 || key || u64 count || head)
  sorted by `key` (the child's blind key, 32 bytes: an HMAC of the child's id,
  so the map names no child), with the RFC 9162 Merkle Tree Hash over them.
- A checkpoint commits to the map by two extension lines after its root:
      bekymring-children <map size> <base64 map root>
      bekymring-signed <YYYY-MM-DDTHH:MM:SSZ>
  so its Ed25519 signature covers every child's head as of that tree size.

Reference: RFC 9162 §2.1.3 (inclusion proofs), c2sp.org/tlog-checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from typing import Iterable, Sequence

from events.ledger.checkpoints import strict_b64decode
from events.ledger.tree import HASH_SIZE, check_hash, node_hash, root_of

ENTRY_FORMAT = "bekymring-access-v1"
MAP_LINE = "bekymring-children"
SIGNED_LINE = "bekymring-signed"
CHAIN_START = bytes(HASH_SIZE)
ENTRY_FIELDS = ("id", "at", "user", "role", "unit", "action", "records", "basis", "basis_ref")

_LINK_PREFIX = b"\x03"
_MAP_LEAF_PREFIX = b"\x00\x02"
_U64 = struct.Struct(">Q")
# ASCII digits only, as the server writes them: the browser's verifier reads them the same way.
_SIGNED_RE = re.compile(r"[0-9]{4}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z")
_DIGITS_RE = re.compile(r"[0-9]+")
_sha256 = hashlib.sha256


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str = "hash") -> bytes:
    try:
        return check_hash(strict_b64decode(text), what)
    except (ValueError, TypeError):
        raise ValueError(f"{what} is not the base64 of {HASH_SIZE} bytes") from None


# --------------------------------------------------------------------------
# Entries and chains
# --------------------------------------------------------------------------


def entry_bytes(entry: dict) -> bytes:
    """The entry's canonical bytes: the format name, then each field of
    ENTRY_FIELDS on a line of its own, in that order, UTF-8. `records` is a
    list of record kinds joined by ","; a missing unit or basis_ref is "".
    No field may hold a newline, and no record kind a comma."""
    lines = [ENTRY_FORMAT]
    for name in ENTRY_FIELDS:
        value = entry.get(name)
        if name == "records":
            kinds = [str(k) for k in value or []]
            if any("," in k for k in kinds):
                raise ValueError("a record kind holds a comma")
            value = ",".join(kinds)
        value = "" if value is None else str(value)
        if "\n" in value or "\r" in value:
            raise ValueError(f"entry field {name} holds a line break")
        lines.append(value)
    return ("\n".join(lines) + "\n").encode("utf-8")


def entry_hash(entry: dict) -> bytes:
    return _sha256(entry_bytes(entry)).digest()


def next_link(previous: bytes, leaf: bytes, entry: dict) -> bytes:
    """The child's chain after one more access (see the module's docstring)."""
    return _sha256(_LINK_PREFIX + check_hash(previous, "link") + check_hash(leaf, "leaf") + entry_hash(entry)).digest()


# --------------------------------------------------------------------------
# The children's map
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class MapLeaf:
    key: bytes  # the child's blind key
    count: int  # accesses in the chain
    head: bytes  # the chain's last link


def map_leaf_hash(leaf: MapLeaf) -> bytes:
    return _sha256(_MAP_LEAF_PREFIX + check_hash(leaf.key, "key") + _U64.pack(leaf.count)
                   + check_hash(leaf.head, "head")).digest()


def sorted_leaves(leaves: Iterable[MapLeaf]) -> list[MapLeaf]:
    ordered = sorted(leaves, key=lambda leaf: leaf.key)
    for a, b in zip(ordered, ordered[1:]):
        if a.key == b.key:
            raise ValueError("two map leaves for one child")
    return ordered


def _mth(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    return root_of(hashes[lo:hi])


def map_root(leaves: Sequence[MapLeaf]) -> bytes:
    """The Merkle Tree Hash over the leaves, sorted by key."""
    hashes = [map_leaf_hash(leaf) for leaf in sorted_leaves(leaves)]
    return _mth(hashes, 0, len(hashes))


class ChildrenMap:
    """The children's map kept as chains move: a leaf hash per key, and the tree's
    levels, so that a root after some heads moved costs the changed leaves' paths,
    not the whole map (a checkpoint every thousand rows over every child made
    `audit verify` and a rebuild quadratic). A new child shifts the positions,
    and the levels are built again. The root is `map_root`'s: RFC 9162's tree is
    the bottom-up one that pairs neighbours and carries an odd last node up."""

    def __init__(self, leaves: Iterable[MapLeaf] = ()):
        self._hashes: dict[bytes, bytes] = {leaf.key: map_leaf_hash(leaf) for leaf in leaves}
        self._levels: list[list[bytes]] | None = None  # level 0: the leaf hashes in key order
        self._index: dict[bytes, int] = {}
        self._moved: set[bytes] = set()

    def __len__(self) -> int:
        return len(self._hashes)

    def set(self, leaf: MapLeaf) -> None:
        new_child = leaf.key not in self._hashes
        self._hashes[leaf.key] = map_leaf_hash(leaf)
        if new_child:
            self._levels = None
        elif self._levels is not None:
            self._moved.add(leaf.key)

    def root(self) -> bytes:
        if self._levels is None:
            self._build()
        elif self._moved:
            self._update()
        top = self._levels[-1]
        return top[0] if top else root_of([])

    def _build(self) -> None:
        keys = sorted(self._hashes)
        self._index = {key: i for i, key in enumerate(keys)}
        level = [self._hashes[key] for key in keys]
        self._levels = [level]
        while len(level) > 1:
            level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)] \
                + ([level[-1]] if len(level) % 2 else [])
            self._levels.append(level)
        self._moved.clear()

    def _update(self) -> None:
        levels = self._levels
        dirty = set()
        for key in self._moved:
            i = self._index[key]
            levels[0][i] = self._hashes[key]
            dirty.add(i // 2)
        self._moved.clear()
        for depth in range(1, len(levels)):
            below, level = levels[depth - 1], levels[depth]
            for j in dirty:
                level[j] = node_hash(below[2 * j], below[2 * j + 1]) if 2 * j + 1 < len(below) else below[2 * j]
            dirty = {j // 2 for j in dirty}


def inclusion_proof(leaves: Sequence[MapLeaf], key: bytes) -> tuple[int, list[bytes]]:
    """(index, RFC 9162 PATH) of the child's leaf in the sorted map; KeyError if absent."""
    ordered = sorted_leaves(leaves)
    hashes = [map_leaf_hash(leaf) for leaf in ordered]
    index = next((i for i, leaf in enumerate(ordered) if leaf.key == key), None)
    if index is None:
        raise KeyError("the child has no leaf in the map")

    def path(m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n <= 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m < k:
            return path(m, lo, lo + k) + [_mth(hashes, lo + k, hi)]
        return path(m - k, lo + k, hi) + [_mth(hashes, lo, lo + k)]

    return index, path(index, 0, len(hashes))


def root_from_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes | None:
    """RFC 9162 §2.1.3.2: the root the proof leads to, or None if the proof
    does not fit a tree of `size` leaves."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


# --------------------------------------------------------------------------
# Checkpoint extension lines
# --------------------------------------------------------------------------


def extension_lines(size: int, root: bytes, signed_at: str) -> list[str]:
    """The lines a checkpoint carries after its root to commit to the map."""
    if not _SIGNED_RE.fullmatch(signed_at):
        raise ValueError("signed_at must be YYYY-MM-DDTHH:MM:SSZ")
    return [f"{MAP_LINE} {int(size)} {b64(check_hash(root, 'map root'))}", f"{SIGNED_LINE} {signed_at}"]


@dataclass(frozen=True)
class MapCommitment:
    size: int
    root: bytes
    signed_at: str


def map_commitment(checkpoint_text: str) -> MapCommitment | None:
    """The map a checkpoint's signed text commits to (None if it names none,
    as checkpoints signed before the map existed do)."""
    lines = checkpoint_text.rstrip("\n").split("\n")[3:]
    found = {}
    for line in lines:
        name, _, rest = line.partition(" ")
        if name in (MAP_LINE, SIGNED_LINE) and name not in found:
            found[name] = rest
    if MAP_LINE not in found or SIGNED_LINE not in found:
        return None
    size, _, root = found[MAP_LINE].partition(" ")
    if not _DIGITS_RE.fullmatch(size) or not _SIGNED_RE.fullmatch(found[SIGNED_LINE]):
        return None
    try:
        return MapCommitment(int(size), unb64(root, "map root"), found[SIGNED_LINE])
    except ValueError:
        return None
