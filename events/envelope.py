"""Per-subject envelope encryption of stored events (DESIGN.md §3).

A stored event's state is: version byte, key id (16 bytes), nonce (12 bytes),
then AES-GCM ciphertext. The key id is the child's id for events about a child,
else the system key id. The associated data binds the ciphertext to its row
(originator id, version, topic), so ciphertexts cannot be swapped between rows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Iterable
from uuid import UUID, SafeUUID

from cryptography.exceptions import InvalidTag
from eventsourcing.persistence import Mapper, StoredEvent, Transcoding
from eventsourcing.utils import get_topic

from events.errors import IntegrityError, RecordErased
from events.storage.keystore import SYSTEM_KEY_ID, KeyStore, MissingKey

FORMAT_V1 = b"\x01"
KEY_ID_END = 1 + 16  # the format byte, then the data key's id
HEADER_LEN = KEY_ID_END + 12  # then the nonce


@dataclass(frozen=True)
class Tombstone:
    """What an event about an erased child reads as: its position, not its content.

    Projections purge on it; the repository refuses to rebuild from it.
    """

    originator_id: UUID
    originator_version: int
    topic: str
    key_id: UUID

    def mutate(self, aggregate: Any) -> Any:
        raise RecordErased(self.originator_id)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_UNKNOWN_SAFETY = SafeUUID.unknown  # an enum member's lookup is slow


class UUIDAsHex(Transcoding):
    """The library's `uuid_hex` format (32 hex digits), decoded without
    `UUID.__init__`'s general parsing: an event holds up to five UUIDs, and
    building them was a large part of decoding an event. The text comes from our own
    encoder and is authenticated by AES-GCM before it is decoded."""

    type = UUID
    name = "uuid_hex"

    def encode(self, obj: UUID) -> str:
        return obj.hex

    def decode(self, data: str) -> UUID:
        raw = bytes.fromhex(data)  # hex digits only (no sign, prefix or underscores)
        if len(raw) != 16 or len(data) != 32:
            raise ValueError(f"not a UUID in hex: {data!r}")
        uuid = object.__new__(UUID)
        object.__setattr__(uuid, "int", int.from_bytes(raw))
        object.__setattr__(uuid, "is_safe", _UNKNOWN_SAFETY)
        return uuid


def associated_data(stored: StoredEvent, key_id: UUID) -> bytes:
    return _associated_data(stored, key_id.bytes)


def _associated_data(stored: StoredEvent, key_bytes: bytes) -> bytes:
    return b"|".join(
        [
            FORMAT_V1,
            key_bytes,
            str(stored.originator_id).encode(),
            str(stored.originator_version).encode(),
            stored.topic.encode(),
        ]
    )


def key_id_of(state: bytes) -> UUID:
    """The data key id named by a stored event's header."""
    if state[:1] != FORMAT_V1 or len(state) < HEADER_LEN + 16:
        raise IntegrityError("stored event has no envelope header")
    return _uuid_of(bytes(state[1:KEY_ID_END]))


@lru_cache(maxsize=8192)
def _uuid_of(raw: bytes) -> UUID:
    # Every event read names its key, and a million share a few thousand keys:
    # UUID(bytes=...) was a large part of decrypting an event.
    return UUID(bytes=raw)


class EnvelopeMapper(Mapper):
    """A Mapper that encrypts each event under its subject's data key."""

    def __init__(self, transcoder, keystore: KeyStore):
        super().__init__(transcoder=transcoder)
        self.keystore = keystore

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event_state = dict(vars(domain_event))
        key_id = event_state.get("subject_id") or SYSTEM_KEY_ID
        originator_id = event_state.pop("originator_id")
        originator_version = event_state.pop("originator_version")
        class_version = getattr(type(domain_event), "class_version", 1)
        if class_version > 1:
            event_state["class_version"] = class_version
        plaintext = self.transcoder.encode(event_state)
        stored = StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=get_topic(type(domain_event)),
            state=b"",
        )
        cipher = self.keystore.cipher(key_id, create=True)
        if cipher is None:
            raise RecordErased(key_id)
        nonce = os.urandom(12)
        ciphertext = cipher.encrypt(nonce, plaintext, associated_data(stored, key_id))
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=stored.topic,
            state=FORMAT_V1 + key_id.bytes + nonce + ciphertext,
        )

    def is_erased(self, stored_event: StoredEvent) -> bool:
        """Whether the event's data key was shredded (it reads as a Tombstone)."""
        return self.keystore.data_key(key_id_of(bytes(stored_event.state))) is None

    def preload_keys(self, states: Iterable[bytes]) -> None:
        """Read the data keys these stored states name in a few statements, not one
        each (see `KeyStore.preload`). A state without the header is left to
        `decrypt`, which says so."""
        heads = {bytes(state[:KEY_ID_END]) for state in states}
        self.keystore.preload(_uuid_of(head[1:]) for head in heads
                              if head[:1] == FORMAT_V1 and len(head) == KEY_ID_END)

    def erasure_check(self) -> Callable[[StoredEvent], bool]:
        """`is_erased`, asking once per data key: for one batch of events read
        together (a rebuild asks for a million events under a few thousand keys)."""
        answers: dict[bytes, bool] = {}

        def is_erased(stored_event: StoredEvent) -> bool:
            key = bytes(stored_event.state[:KEY_ID_END])
            erased = answers.get(key)
            if erased is None:
                erased = answers[key] = self.is_erased(stored_event)
            return erased

        return is_erased

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        plaintext = self.decrypt(stored_event)
        if plaintext is None:
            return Tombstone(
                originator_id=_as_uuid(stored_event.originator_id),
                originator_version=stored_event.originator_version,
                topic=stored_event.topic,
                key_id=key_id_of(bytes(stored_event.state)),
            )
        return self.from_plaintext(stored_event.originator_id, stored_event.originator_version,
                                   stored_event.topic, plaintext)

    def decrypt(self, stored_event: StoredEvent) -> bytes | None:
        """The stored event's plaintext, or None if its data key was shredded."""
        state = bytes(stored_event.state)
        key_id = key_id_of(state)
        cipher = self.keystore.cipher(key_id)
        if cipher is None:
            return None
        try:
            return cipher.decrypt(state[KEY_ID_END:HEADER_LEN], state[HEADER_LEN:], associated_data(stored_event, key_id))
        except InvalidTag:
            raise IntegrityError(
                f"stored event {stored_event.originator_id} "
                f"v{stored_event.originator_version} does not decrypt: "
                "it was altered or moved"
            ) from None

    def authenticator(self) -> Callable[[StoredEvent], str]:
        """A check of whether a stored event is what the app wrote under its data
        key, with the associated data that binds it to its row: "authentic",
        "erased" (its key was shredded: it cannot be checked, nor read),
        "no-header", "no-key" (it names a key never stored) or "tag-fails"
        (altered, forged, re-encrypted or moved from another row). AES-GCM checks
        its tag only by decrypting: the plaintext is dropped unread. Each key is
        looked up once (`audit verify` checks millions of rows under few keys)."""
        ciphers: dict[bytes, Any] = {}  # header -> AESGCM, None (shredded) or "no-key"

        def authenticate(stored_event: StoredEvent) -> str:
            state = bytes(stored_event.state)
            if state[:1] != FORMAT_V1 or len(state) < HEADER_LEN + 16:
                return "no-header"
            head = state[:KEY_ID_END]
            cipher = ciphers.get(head, ciphers)
            if cipher is ciphers:
                try:
                    cipher = ciphers[head] = self.keystore.cipher(_uuid_of(head[1:]))
                except MissingKey:
                    cipher = ciphers[head] = "no-key"
            if cipher is None:
                return "erased"
            if cipher == "no-key":
                return "no-key"
            try:
                cipher.decrypt(state[KEY_ID_END:HEADER_LEN], state[HEADER_LEN:], _associated_data(stored_event, head[1:]))
            except InvalidTag:
                return "tag-fails"
            return "authentic"

        return authenticate

    def from_plaintext(self, originator_id: UUID, originator_version: int, topic: str, plaintext: bytes) -> Any:
        """The domain event, decoded from a plaintext `decrypt` gave (by the
        library's own decoding path)."""
        return super().to_domain_event(StoredEvent(
            originator_id=originator_id, originator_version=originator_version, topic=topic, state=plaintext))


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


