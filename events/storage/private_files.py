"""Files under the data directory are the service's alone: directories 0700,
files 0600. The process's umask (set at start, intranet/cli.py and
intranet/app.py) covers what is created later; these set the modes explicitly
as well, and correct files an earlier version left readable to others."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Create the file if it is missing (empty: SQLite fills it), and make it
    and its SQLite companions (WAL, shared memory, journal) private."""
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for companion in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        if companion.exists():
            os.chmod(companion, 0o600)
    return path
