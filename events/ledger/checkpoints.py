"""Signed checkpoints of the log's Merkle tree (events/ledger/tree.py), in the
C2SP tlog-checkpoint format: signed notes, their Ed25519 keys, checkpoint files.

Pure code: no database, no files except the two checkpoint-file helpers.

References: c2sp.org/signed-note and c2sp.org/tlog-checkpoint
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from events.ledger.tree import HASH_SIZE, check_hash

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "key_id",
    "sign_checkpoint",
    "parse_checkpoint",
    "verify_checkpoint",
    "check_checkpoint_signature",
    "verifier_key",
    "parse_verifier_key",
    "strict_b64decode",
    "dump_checkpoints",
    "load_checkpoints",
    "write_checkpoints",
    "read_checkpoints",
]

_EM_DASH = "\u2014"
_SIG_PREFIX = _EM_DASH + " "
_ED25519_TYPE = b"\x01"
_MAX_SIGNATURES = 64
_MAX_NOTE_CHARS = 1 << 20
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f]")
_B64_RE = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


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
    return hashlib.sha256(
        key_name.encode("utf-8") + b"\n" + _ED25519_TYPE + _public_bytes(public_key)
    ).digest()[:4]


def _checkpoint_text(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    if not isinstance(origin, str) or not origin:
        raise CheckpointError("origin must be a non-empty str")
    if "\n" in origin or _CONTROL_RE.search(origin):
        raise CheckpointError("origin must be one line without control characters")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise CheckpointError("size must be a non-negative int")
    try:
        root = check_hash(root, "root")
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    for line in extensions:
        if not line or "\n" in line or _CONTROL_RE.search(line):
            raise CheckpointError("an extension line must be one non-empty line without control characters")
    return "".join(f"{line}\n" for line in (origin, str(size), base64.b64encode(root).decode("ascii"), *extensions))


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    key_name: str,
    private_key: Ed25519PrivateKey,
    extensions: Sequence[str] = (),
) -> Checkpoint:
    """Sign "<origin>\\n<size>\\n<base64 root>\\n" and any extension lines
    as a C2SP signed note.

    The key name SHOULD equal the origin (tlog-checkpoint §Signatures).
    """
    text = _checkpoint_text(origin, size, root, extensions)
    kid = key_id(key_name, private_key.public_key())
    signature = private_key.sign(text.encode("utf-8"))
    line = f"{_SIG_PREFIX}{key_name} {base64.b64encode(kid + signature).decode('ascii')}\n"
    return Checkpoint(origin=origin, size=size, root=bytes(root), note=f"{text}\n{line}")


def strict_b64decode(text: str) -> bytes:
    """Base64 in its one padded form (as Go's StdEncoding and the browser's
    verifier read it); Python's own decoder takes stray padding after a whole
    group, and which it takes changes between versions. ValueError if not."""
    if not isinstance(text, str) or not _B64_RE.fullmatch(text):
        raise ValueError("not base64")
    return base64.b64decode(text, validate=True)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """(text, [(key name, key id || signature), ...]) of a signed note."""
    if not isinstance(note, str):
        raise CheckpointError("a note is text")
    if len(note) > _MAX_NOTE_CHARS:
        raise CheckpointError("note is too large")
    if _CONTROL_RE.search(note):
        raise CheckpointError("note contains control characters")
    if not _encodable(note):
        raise CheckpointError("note is not UTF-8 text")  # a lone surrogate: its signature could not be checked
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
            raw = strict_b64decode(b64)
        except ValueError:
            raise CheckpointError(f"signature by {name} is not base64") from None
        if len(raw) < 5:
            raise CheckpointError(f"signature by {name} is too short")
        signatures.append((name, raw))
    return text, signatures


def parse_checkpoint(note: str) -> Checkpoint:
    """Parse (not verify) a signed checkpoint note; CheckpointError if malformed.

    Extension lines after the root are allowed (and stay in `note`), as the
    spec allows them; events/ledger/access_chain.py defines the ones the
    ledger writes.
    """
    text, _ = _split_note(note)
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise CheckpointError("checkpoint text needs origin, size and root, none empty")
    origin, size_line, root_line = lines[0], lines[1], lines[2]
    if not _SIZE_RE.fullmatch(size_line):
        raise CheckpointError(f"checkpoint size {size_line!r} is not a decimal number")
    try:
        root = strict_b64decode(root_line)
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
        raw = strict_b64decode(b64)
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
