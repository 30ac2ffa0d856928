"""The witness: an append-only file outside the database that receives each
signed checkpoint as it is signed (in the checkpoint-file format of
events/ledger/checkpoints.py), so that someone who can rewrite the database
cannot rewrite what was signed before. Keep it on another volume.

Each checkpoint is one `write` of its note and a blank line, on a file opened
with O_APPEND (several processes may append; a note is far below the size a
local file system writes whole), then fsynced: a checkpoint acknowledged is
on disk.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from events.ledger.checkpoints import Checkpoint, dump_checkpoints, read_checkpoints

log = logging.getLogger("bekymring.ledger.witness")

WITNESS_NAME = "ledger-witness.txt"  # in the data directory, unless configured elsewhere


class WitnessError(OSError):
    """Raised when the witness file cannot be written safely."""


def append_checkpoint(path: Path, cp: Checkpoint) -> None:
    """Append `cp` to the witness file (made 0600, its directory 0700, if new),
    and say so in the log (a journal or syslog line is a second witness)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        mode = os.fstat(fd).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise WitnessError(f"witness file {path} is open to group or others; run: chmod 600 {path}")
        data = (cp.note + "\n").encode("utf-8")
        if os.write(fd, data) != len(data):
            raise WitnessError(f"witness file {path}: a checkpoint was written only in part")
        os.fsync(fd)
    finally:
        os.close(fd)
    log.info("ledger checkpoint %s size %d root %s", cp.origin, cp.size, cp.text.split("\n")[2])


def start_witness(path: Path, checkpoints: list[Checkpoint]) -> bool:
    """Create the witness file (0600) holding `checkpoints`, unless it exists:
    a store whose checkpoints were signed before it kept a witness. Returns
    whether it was created."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        data = dump_checkpoints(checkpoints).encode("utf-8")
        if data and os.write(fd, data) != len(data):
            raise WitnessError(f"witness file {path}: written only in part")
        os.fsync(fd)
    finally:
        os.close(fd)
    log.warning("witness file %s started with the store's %d checkpoints", path, len(checkpoints))
    return True


def read_witness(path: Path) -> list[Checkpoint] | None:
    """The checkpoints in the witness file (not verified), or None if there is none."""
    if not path.exists():
        return None
    return read_checkpoints(path)
