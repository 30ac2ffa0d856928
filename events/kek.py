"""Loading the key-encryption key (KEK): from the environment or a 0600 key file,
never from the database. A development key is made only in demo mode."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from events.errors import KeyConfigurationError

KEK_ENV = "BEKYMRING_KEK"
KEK_FILE_ENV = "BEKYMRING_KEK_FILE"
DEV_KEK_NAME = "dev-kek.key"


@dataclass(frozen=True)
class Kek:
    """A 256-bit key-encryption key and a short id that names it without revealing it."""

    key: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(b"bekymring-kek-id" + self.key).hexdigest()[:16]

    @classmethod
    def generate(cls) -> Kek:
        return cls(secrets.token_bytes(32))

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.key).decode()

    @classmethod
    def decode(cls, text: str, source: str) -> Kek:
        try:
            key = base64.urlsafe_b64decode(text.strip().encode())
        except (ValueError, TypeError):
            key = b""
        if len(key) != 32:
            raise KeyConfigurationError(
                f"{source} must hold 32 random bytes in URL-safe base64 "
                "(make one with: intranet keys new-kek FILE)"
            )
        return cls(key)


def write_kek_file(path: Path, kek: Kek) -> None:
    """Write a key file readable by its owner only (0600), refusing to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(kek.encode() + "\n")


def read_kek_file(path: Path) -> Kek:
    """Read a key file, refusing one that others than its owner can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise KeyConfigurationError(f"KEK file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyConfigurationError(
            f"KEK file {path} is readable by group or others; run: chmod 600 {path}"
        )
    return Kek.decode(path.read_text(), f"KEK file {path}")


def load_kek(env: Mapping[str, str], data_dir: Path, demo: bool) -> Kek:
    """The configured KEK; in demo mode a generated one under the data directory."""
    if env.get(KEK_ENV):
        return Kek.decode(env[KEK_ENV], KEK_ENV)
    if env.get(KEK_FILE_ENV):
        return read_kek_file(Path(env[KEK_FILE_ENV]))
    if demo:
        path = data_dir / DEV_KEK_NAME
        if not path.exists():
            write_kek_file(path, Kek.generate())
        return read_kek_file(path)
    raise KeyConfigurationError(
        "No key-encryption key (KEK) is configured. Set BEKYMRING_KEK to 32 random "
        "bytes in URL-safe base64, or BEKYMRING_KEK_FILE to a key file with mode 0600 "
        "(make one with: intranet keys new-kek /path/to/kek.key). "
        "Only demo mode (BEKYMRING_DEMO=1) generates a development key."
    )
