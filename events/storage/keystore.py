"""Per-subject data keys, stored wrapped by the KEK.

One data key per child (key id = the child's id) and one system key for events
that are not about a child. Shredding deletes the wrapped key for good and
leaves a row that says when, so readers can tell "erased" from "missing".
"""

from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator
from uuid import UUID, uuid4

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from events.errors import IntegrityError, KeyConfigurationError
from events.kek import Kek
from events.storage.sidestore import SideStore

log = logging.getLogger(__name__)

SYSTEM_KEY_ID = UUID(int=0)
INDEX_KEY_ID = UUID(int=1)  # HMAC key for blind indexes (search by name)

# Other processes may shred a key; a cached key is re-checked after this long.
CACHE_SECONDS = 30.0

# New subjects' keys are stored this many at a time (see `new_subject_id`): one
# commit per 64 registrations. Larger batches save little, since wrapping and
# inserting each key costs little beside the commit, and leave more unused keys.
BATCH_SIZE = 64
# With this few left, the next batch is stored in a thread of its own, so that
# a registration does not wait for its commit (an fsync on SQLite).
STORE_AHEAD_AT = 16

# Ready AES-GCM objects for this many data keys (then the cache starts over):
# making one is a real part of decoding an event, and each takes some memory.
CIPHER_CACHE = 8192

# Keys read by one statement in `preload` (SQLite allows 32,766 parameters).
PRELOAD_CHUNK = 500

_SHREDDED = b""


def _fresh(cached: tuple[bytes, float] | None, now: float) -> bool:
    return cached is not None and (cached[0] is _SHREDDED or now - cached[1] < CACHE_SECONDS)


class MissingKey(IntegrityError):
    """Raised when an event names a data key that was never stored."""


class KeyStore:
    """Wrapped data keys in a table beside the event store (see `SideStore`)."""

    def __init__(self, store: SideStore, kek: Kek, table: str = "data_keys"):
        self.store = store
        self.datastore = store.datastore
        self.kek = kek
        self.table = store.table(table)
        self._cache: dict[UUID, tuple[bytes, float]] = {}
        self._ciphers: dict[UUID, tuple[bytes, AESGCM]] = {}  # for keys in _cache only
        self._lock = threading.Lock()
        self._unused: list[tuple[UUID, bytes, AESGCM]] = []  # stored keys no subject has yet
        self._unused_lock = threading.Lock()
        self._storing_ahead: threading.Thread | None = None
        self._released = False  # release_unused() ran: store no more ahead
        self.create_table()

    # -- SQL helpers ---------------------------------------------------------
    def _sql(self, statement: str) -> str:
        return self.store.sql(statement.replace("{table}", self.table))

    def create_table(self) -> None:
        blob = self.store.blob
        with self.store.creating() as c:
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {table} ("
                    "key_id TEXT PRIMARY KEY, "
                    f"wrapped {blob}, "
                    "kek_id TEXT, "
                    "created_at TEXT NOT NULL, "
                    "shredded_at TEXT)"
                )
            )

    # -- wrapping ------------------------------------------------------------
    @staticmethod
    def _wrap(kek: Kek, key_id: UUID, key: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + AESGCM(kek.key).encrypt(nonce, key, b"dek:" + key_id.bytes)

    @staticmethod
    def _unwrap(kek: Kek, key_id: UUID, wrapped: bytes) -> bytes:
        wrapped = bytes(wrapped)
        return AESGCM(kek.key).decrypt(wrapped[:12], wrapped[12:], b"dek:" + key_id.bytes)

    # -- reading and creating keys ---------------------------------------------
    def data_key(self, key_id: UUID, create: bool = False) -> bytes | None:
        """The data key, or None if it was shredded. Creates it if asked."""
        now = time.monotonic()
        cached = self._cache.get(key_id)
        if _fresh(cached, now):
            return cached[0] or None
        row = self._select(key_id)
        if row is None and create:
            self._insert(key_id, AESGCM.generate_key(256))
            row = self._select(key_id)
        if row is None:
            raise MissingKey(f"no data key {key_id}")
        return self._remember(key_id, row, now) or None

    def preload(self, key_ids: Iterable[UUID]) -> None:
        """Read the keys that are not cached, PRELOAD_CHUNK to a statement rather
        than one each: a rebuild's first batches name thousands of subjects."""
        now = time.monotonic()
        missing = [str(k) for k in set(key_ids) if not _fresh(self._cache.get(k), now)]
        for start in range(0, len(missing), PRELOAD_CHUNK):
            chunk = missing[start:start + PRELOAD_CHUNK]
            with self.datastore.transaction(commit=False) as c:
                c.execute(self._sql("SELECT key_id, wrapped, shredded_at FROM {table} WHERE key_id IN ("
                                    + ", ".join("?" * len(chunk)) + ")"), chunk)
                rows = c.fetchall()
            for row in rows:
                self._remember(UUID(row["key_id"]), row, now)

    def _remember(self, key_id: UUID, row: Any, now: float) -> bytes:
        """Cache the key a row holds; _SHREDDED if it was shredded."""
        if row["shredded_at"] is not None:
            key = _SHREDDED
        else:
            try:
                key = self._unwrap(self.kek, key_id, row["wrapped"])
            except InvalidTag:
                raise KeyConfigurationError(
                    f"the configured KEK ({self.kek.id}) does not open the stored data "
                    "keys: after a rotation, configure the new KEK"
                ) from None
        with self._lock:
            self._cache[key_id] = (key, now)
        return key

    def cipher(self, key_id: UUID, create: bool = False) -> AESGCM | None:
        """An AES-GCM object for the data key, or None if it was shredded. The
        objects are stateless, so threads share them; each goes with its cached key."""
        key = self.data_key(key_id, create)
        if key is None:
            self._ciphers.pop(key_id, None)
            return None
        cached = self._ciphers.get(key_id)
        if cached is None or cached[0] is not key:
            cached = self._keep_cipher(key_id, key, AESGCM(key))
        return cached[1]

    def _keep_cipher(self, key_id: UUID, key: bytes, cipher: AESGCM) -> tuple[bytes, AESGCM]:
        if len(self._ciphers) >= CIPHER_CACHE:
            self._ciphers.clear()
        kept = self._ciphers[key_id] = (key, cipher)
        return kept

    def _select(self, key_id: UUID):
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql("SELECT wrapped, shredded_at FROM {table} WHERE key_id = ?"),
                (str(key_id),),
            )
            return c.fetchone()

    def _insert(self, key_id: UUID, key: bytes) -> None:
        # Two processes may race to create the same subject's key: first one wins.
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "INSERT INTO {table} (key_id, wrapped, kek_id, created_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (key_id) DO NOTHING"
                ),
                (str(key_id), self._wrap(self.kek, key_id, key), self.kek.id, _now()),
            )

    # -- keys for new subjects ------------------------------------------------
    @contextmanager
    def new_subject_id(self) -> Iterator[UUID]:
        """The id for a new subject (a child), whose data key is already stored.

        Creating the key on the subject's first event would cost a commit of its
        own (a second fsync on SQLite, where the key file is separate). Instead
        keys are stored BATCH_SIZE at a time, in one durable commit, before any
        of their ids is handed out: a key is on disk before any event under it.
        The next batch is stored ahead, in a thread, when STORE_AHEAD_AT are
        left; only the first registration, or one that finds none left, stores
        a batch itself. The ids are fresh random UUIDs known only to this
        process until used, so no other process can take the same one.

        Build the aggregate inside the block and save it after: if the block
        raises (invalid details), no event names the id and it is used again.
        """
        with self._unused_lock:
            if not self._unused:
                self._unused = self._store_new_keys(BATCH_SIZE)
            key_id, key, cipher = self._unused.pop()
            if len(self._unused) < STORE_AHEAD_AT and self._storing_ahead is None and not self._released:
                self._start_storing_ahead()
        try:
            yield key_id
        except BaseException:
            with self._unused_lock:
                self._unused.append((key_id, key, cipher))
            raise
        with self._lock:
            self._cache[key_id] = (key, time.monotonic())
        self._keep_cipher(key_id, key, cipher)  # made with the batch: the subject's first event needs it next

    def _start_storing_ahead(self) -> None:
        """(With `_unused_lock` held.) A thread that cannot start leaves the
        next batch to the registration that finds none left."""
        thread = threading.Thread(target=self._store_ahead, name="keys-ahead", daemon=True)
        try:
            thread.start()
        except RuntimeError:
            log.exception("data keys cannot be stored ahead")
            return
        self._storing_ahead = thread

    def _store_ahead(self) -> None:
        try:
            keys = self._store_new_keys(BATCH_SIZE)
        except Exception:  # the registration that finds none left stores them, or says why
            log.exception("data keys could not be stored ahead")
            keys = []
        with self._unused_lock:
            self._unused[:0] = keys  # behind those still waiting: pop() takes from the end
            self._storing_ahead = None

    def _store_new_keys(self, count: int) -> list[tuple[UUID, bytes, AESGCM]]:
        keys = [(uuid4(), AESGCM.generate_key(256)) for _ in range(count)]
        kek, created_at = self.kek, _now()  # one KEK for the batch, even during a rewrap
        with self.datastore.transaction(commit=True) as c:
            c.executemany(
                self._sql(
                    "INSERT INTO {table} (key_id, wrapped, kek_id, created_at) "
                    "VALUES (?, ?, ?, ?)"
                ),
                [(str(i), self._wrap(kek, i, k), kek.id, created_at) for i, k in keys],
            )
        return [(i, k, AESGCM(k)) for i, k in keys]

    def release_unused(self) -> None:
        """Delete the stored keys no subject was given (on a clean shutdown).

        Nobody else knows their ids, so no event is encrypted under them. After
        a crash they stay behind: rows that encrypt nothing.
        """
        with self._unused_lock:
            self._released = True  # no thread starts after this one
            storing = self._storing_ahead
        if storing is not None:
            storing.join()  # its keys too
        with self._unused_lock:
            unused, self._unused = self._unused, []
        if unused:
            with self.datastore.transaction(commit=True) as c:
                c.executemany(
                    self._sql("DELETE FROM {table} WHERE key_id = ?"),
                    [(str(key_id),) for key_id, _, _ in unused],
                )

    # -- shredding -------------------------------------------------------------
    def shred(self, key_id: UUID) -> None:
        """Destroy a subject's data key: everything encrypted under it is gone."""
        if key_id in (SYSTEM_KEY_ID, INDEX_KEY_ID):
            raise ValueError("the system keys cannot be shredded")
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "UPDATE {table} SET wrapped = NULL, kek_id = NULL, shredded_at = ? "
                    "WHERE key_id = ?"
                ),
                (_now(), str(key_id)),
            )
        self.store.scrub(self.table, "data keys")  # no copy of the wrapped key left in the files
        with self._lock:
            self._cache[key_id] = (_SHREDDED, time.monotonic())
        self._ciphers.pop(key_id, None)

    def is_shredded(self, key_id: UUID) -> bool:
        row = self._select(key_id)
        return row is not None and row["shredded_at"] is not None

    # -- KEK rotation ----------------------------------------------------------
    def rewrap(self, new_kek: Kek) -> int:
        """Rewrap every live data key under `new_kek`, in one transaction.

        Events are never rewritten. Returns the number of keys rewrapped.
        """
        count = 0
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                self._sql(
                    "SELECT key_id, wrapped FROM {table} WHERE shredded_at IS NULL"
                )
            )
            rows = c.fetchall()
            for row in rows:
                key_id = UUID(row["key_id"])
                key = self._unwrap(self.kek, key_id, row["wrapped"])
                c.execute(
                    self._sql("UPDATE {table} SET wrapped = ?, kek_id = ? WHERE key_id = ?"),
                    (self._wrap(new_kek, key_id, key), new_kek.id, str(key_id)),
                )
                count += 1
        self.kek = new_kek
        return count

    def kek_ids(self) -> set[str]:
        """The ids of the KEKs that wrap live keys (one, after a finished rotation)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                self._sql("SELECT DISTINCT kek_id FROM {table} WHERE shredded_at IS NULL")
            )
            return {row["kek_id"] for row in c.fetchall()}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def seal(keystore: KeyStore, key_id: UUID, plaintext: str, context: str) -> bytes:
    """Encrypt a value for a read model under a subject's key (erased with it)."""
    cipher = keystore.cipher(key_id, create=True)
    if cipher is None:
        raise ValueError(f"key {key_id} was shredded")
    nonce = os.urandom(12)
    return nonce + cipher.encrypt(nonce, plaintext.encode(), context.encode())


def unseal(keystore: KeyStore, key_id: UUID, sealed: bytes, context: str) -> str | None:
    """The value sealed by `seal`, or None if the subject was erased."""
    cipher = keystore.cipher(key_id)
    if cipher is None:
        return None
    sealed = bytes(sealed)
    try:
        return cipher.decrypt(sealed[:12], sealed[12:], context.encode()).decode()
    except Exception:  # InvalidTag: altered, or sealed under another context
        raise IntegrityError("sealed value does not decrypt") from None
