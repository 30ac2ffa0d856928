"""The one domain application. Its methods are the commands; queries return aggregates
or plain data. It knows nothing of the web."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError as VersionConflict
from eventsourcing.persistence import JSONTranscoder

from events.blind_index import BlindIndex
from events.children import Child
from events.directory import Unit, User
from events.envelope import DateAsISO, EnvelopeMapper
from events.erasure import Erasure
from events.errors import DomainError, RecordErased
from events.kek import load_kek
from events.keystore import KeyStore
from events.sqlite_store import DurableSQLiteDatastore

DEFAULT_PERSISTENCE = "events.sqlite_store"
POSTGRES_PERSISTENCE = "eventsourcing.postgres"


class NotFound(DomainError):
    """Raised when a record does not exist (or the caller may not know it does)."""


def is_demo(env) -> bool:
    return str(env.get("BEKYMRING_DEMO", "")).lower() in ("1", "true", "yes", "on")


def data_dir_of(env) -> Path:
    return Path(env.get("BEKYMRING_DATA_DIR") or "data")


def uses_postgres(env) -> bool:
    return env.get("PERSISTENCE_MODULE") == POSTGRES_PERSISTENCE


class Bekymring(Application):
    """Concerns about children, from the first worry to the right action."""

    name = "bekymring"  # pinned: it names the tables and the notification log

    def construct_env(self, name, env=None):
        environment = super().construct_env(name, env)
        environment.setdefault("PERSISTENCE_MODULE", DEFAULT_PERSISTENCE)
        if not uses_postgres(environment):
            data_dir = data_dir_of(environment)
            data_dir.mkdir(parents=True, exist_ok=True)
            environment.setdefault("SQLITE_DBNAME", str(data_dir / "bekymring.sqlite"))
        return environment

    def construct_mapper(self):
        kek = load_kek(self.env, data_dir_of(self.env), is_demo(self.env))
        if uses_postgres(self.env):
            keystore = KeyStore(self.factory.datastore, kek, "postgres")
        else:
            keys_file = data_dir_of(self.env) / "keys.sqlite"
            keystore = KeyStore(DurableSQLiteDatastore(str(keys_file)), kek, "sqlite")
        self.keystore = keystore
        self.blind_index = BlindIndex(keystore)
        return EnvelopeMapper(self.construct_transcoder(), keystore)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- reading -------------------------------------------------------------
    def _get(self, cls: type, record_id: UUID) -> Any:
        try:
            record = self.repository.get(record_id)
        except AggregateNotFoundError:
            raise NotFound(f"no record {record_id}") from None
        if not isinstance(record, cls):
            raise NotFound(f"no {cls.__name__} {record_id}")
        return record

    def get_unit(self, unit_id: UUID) -> Unit:
        return self._get(Unit, unit_id)

    def get_user(self, user_id: UUID) -> User:
        return self._get(User, user_id)

    def get_child(self, child_id: UUID) -> Child:
        """The child, or RecordErased if the child's key was shredded."""
        return self._get(Child, child_id)

    def position(self) -> int:
        """The newest position in the notification log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    # -- directory ------------------------------------------------------------
    def register_unit(self, name: str, kind: str) -> UUID:
        unit = Unit(name=name, kind=kind)
        self.save(unit)
        return unit.id

    def register_user(
        self,
        username: str,
        name: str,
        title: str,
        role: str,
        unit_id: UUID | None,
        service: str | None,
        password_hash: str,
    ) -> UUID:
        if unit_id is not None:
            self.get_unit(unit_id)
        user = User(username, name, title, role, unit_id, service, password_hash)
        self.save(user)
        return user.id

    def assign_role(
        self, user_id: UUID, role: str, unit_id: UUID | None, service: str | None
    ) -> None:
        user = self.get_user(user_id)
        user.assign_role(role, unit_id, service)
        self.save(user)

    def deactivate_user(self, user_id: UUID) -> None:
        user = self.get_user(user_id)
        user.deactivate()
        self.save(user)

    # -- children ---------------------------------------------------------------
    def register_child(
        self,
        first_name: str,
        last_name: str,
        birth_date: date,
        unit_id: UUID,
        national_id: str = "",
        guardians: list[dict[str, Any]] | None = None,
    ) -> UUID:
        self.get_unit(unit_id)
        child = Child(first_name, last_name, birth_date, unit_id, national_id, guardians or [])
        self.save(child)
        return child.id

    def correct_child_details(
        self,
        child_id: UUID,
        first_name: str,
        last_name: str,
        birth_date: date,
        national_id: str,
        reason: str,
    ) -> None:
        child = self.get_child(child_id)
        child.correct_details(first_name, last_name, birth_date, national_id, reason)
        self.save(child)

    def record_guardians(
        self, child_id: UUID, guardians: list[dict[str, Any]], reason: str
    ) -> None:
        child = self.get_child(child_id)
        child.record_guardians(guardians, reason)
        self.save(child)

    def move_child(self, child_id: UUID, unit_id: UUID) -> None:
        self.get_unit(unit_id)
        child = self.get_child(child_id)
        child.move_to_unit(unit_id)
        self.save(child)

    # -- erasure ------------------------------------------------------------------
    def shred_subject(self, child_id: UUID, reason: str) -> None:
        """Erase a child: record the erasure, then destroy the child's data key.

        Every event about the child then reads as a tombstone. The erasure event
        comes first so that read models purge even if the process dies before the
        key is gone; repeating the command finishes the job. The approval
        workflow (privacy officer requests, admin confirms) is built on top.
        """
        try:
            self.save(Erasure(child_id=child_id, reason=reason))
        except VersionConflict:
            pass  # erased before; make sure the key is gone too
        self.keystore.shred(child_id)

    def is_erased(self, child_id: UUID) -> bool:
        return self.keystore.is_shredded(child_id)


__all__ = ["Bekymring", "NotFound", "RecordErased"]
