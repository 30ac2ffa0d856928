"""Settings, read once from the environment (or given by a test)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from starlette.config import Config

# The environment keys the domain application reads (eventsourcing's own and ours).
DOMAIN_KEYS = (
    "PERSISTENCE_MODULE",
    "SQLITE_DBNAME",
    "POSTGRES_DBNAME",
    "POSTGRES_HOST",
    "POSTGRES_PORT",
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_SCHEMA",
    "POSTGRES_POOL_SIZE",
    "POSTGRES_MAX_OVERFLOW",
    "BEKYMRING_DATA_DIR",
    "BEKYMRING_DEMO",
    "BEKYMRING_KEK",
    "BEKYMRING_KEK_FILE",
)


SQLITE_THREADS = 2
POSTGRES_THREADS = 40  # anyio's own default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    demo: bool
    municipality: str
    secure_cookies: bool = True
    domain_env: dict[str, str] = field(default_factory=dict)
    worker_threads: int | None = None  # None: by store, see `threads`

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        config = Config(environ=environ)
        data_dir = Path(config("BEKYMRING_DATA_DIR", default="data"))
        demo = config("BEKYMRING_DEMO", cast=bool, default=False)
        domain_env = {k: environ[k] for k in DOMAIN_KEYS if k in environ}
        domain_env["BEKYMRING_DATA_DIR"] = str(data_dir)
        domain_env["BEKYMRING_DEMO"] = "1" if demo else "0"
        return cls(
            data_dir=data_dir,
            demo=demo,
            municipality=config("BEKYMRING_MUNICIPALITY", default="Fjordvik kommune"),
            # Plain-http demo on localhost cannot use Secure cookies; production must.
            secure_cookies=config("BEKYMRING_SECURE_COOKIES", cast=bool, default=not demo),
            domain_env=domain_env,
            worker_threads=config("BEKYMRING_WORKER_THREADS", cast=int, default=None),
        )

    @property
    def store(self) -> str:
        module = self.domain_env.get("PERSISTENCE_MODULE", "")
        return "postgres" if module == "eventsourcing.postgres" else "sqlite"

    @property
    def threads(self) -> int:
        """How many requests may run store work (in threads) at once.

        SQLite's work is done in this process and holds the GIL, so more threads
        only take turns with it, and the hand-offs between many threads cost CPU
        per page. On
        PostgreSQL the threads mostly wait on the network, and fewer were slower."""
        if self.worker_threads is not None:
            return max(1, self.worker_threads)
        return SQLITE_THREADS if self.store == "sqlite" else POSTGRES_THREADS
