"""The one domain application. Its methods are the commands; queries return aggregates
or plain data. It knows nothing of the web."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, Repository
from eventsourcing.persistence import IntegrityError as VersionConflict
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

from events import clock
from events.audit import (ANOMALY_RULES, Access, AnomaliesReviewed, BreakGlass, ErasureRequest, SignIn,
                          SignInRequestRejected)
from events.base import apply_events
from events.policy import BASIS_CODES, Basis
from events.blind_index import BlindIndex
from events.children import Child
from events.identity_commands import IdentityCommands
from events.binder_commands import BinderCommands
from events.case_bank_commands import CaseBankCommands
from events.collaboration_commands import CollaborationCommands
from events.concern_commands import ConcernCommands
from events.meeting_commands import MeetingCommands
from events.series_commands import SeriesCommands
from events.programme_commands import ProgrammeCommands
from events.notification_commands import NotificationCommands
from events.referral_commands import ReferralCommands
from events.statistics_commands import StatisticsCommands
from events.transfer_commands import TransferCommands
from events.wheel_commands import WheelCommands
from events.directory import Municipality, Unit, User
from events.envelope import DateAsISO, EnvelopeMapper, UUIDAsHex
from events.erasure import Erasure
from events.retention import ErasureApproved, KeptLonger, check_kept_longer
from events.group_commit import GroupCommit
from events.errors import DomainError, NotFound, RecordErased  # noqa: F401 - NotFound is imported from here too
from events.kek import load_kek
from events.storage.keystore import KeyStore
from events.storage.postgres_recorder import PostgresRecorder
from events.storage.private_files import private_dir
from events.storage.sidestore import SideStore, sqlite_side_store

DEFAULT_PERSISTENCE = "events.storage.sqlite_store"
POSTGRES_PERSISTENCE = "eventsourcing.postgres"
ACCOUNT_CACHE = 1000  # signed-in users kept for `signed_in_user`
_UNIT_CREATED = get_topic(Unit.Created)


def is_demo(env) -> bool:
    return str(env.get("BEKYMRING_DEMO", "")).lower() in ("1", "true", "yes", "on")


REQUEST_WORK = "serving_requests"  # set by the web server (not an operator setting): the timeouts below apply
DEFAULT_LOCK_TIMEOUT_MS = 1000
DEFAULT_STATEMENT_TIMEOUT_MS = 15000


def lock_timeout_ms(env) -> int:
    """BEKYMRING_DB_LOCK_TIMEOUT_MS: how long a PostgreSQL statement waits for a lock."""
    return int(env.get("BEKYMRING_DB_LOCK_TIMEOUT_MS") or DEFAULT_LOCK_TIMEOUT_MS)


def statement_timeout_ms(env) -> int:
    """BEKYMRING_DB_STATEMENT_TIMEOUT_MS: how long one PostgreSQL statement may run."""
    return int(env.get("BEKYMRING_DB_STATEMENT_TIMEOUT_MS") or DEFAULT_STATEMENT_TIMEOUT_MS)


def data_dir_of(env) -> Path:
    return Path(env.get("BEKYMRING_DATA_DIR") or "data")


def uses_postgres(env) -> bool:
    return env.get("PERSISTENCE_MODULE") == POSTGRES_PERSISTENCE


class Bekymring(ConcernCommands, ReferralCommands, MeetingCommands, BinderCommands, TransferCommands,
                StatisticsCommands, CollaborationCommands, CaseBankCommands, WheelCommands, ProgrammeCommands,
                IdentityCommands, NotificationCommands, SeriesCommands, Application):
    """Concerns about children, from the first worry to the right action."""

    name = "bekymring"  # pinned: it names the tables and the notification log

    def construct_env(self, name, env=None):
        environment = super().construct_env(name, env)
        environment.setdefault("PERSISTENCE_MODULE", DEFAULT_PERSISTENCE)
        if uses_postgres(environment):
            # The library's recorder, reading the log faster (events/storage/postgres_recorder.py).
            environment.setdefault("APPLICATION_RECORDER_TOPIC", get_topic(PostgresRecorder))
            if environment.get(REQUEST_WORK):
                # The library's own wait for its table lock when writing (seconds;
                # 0 would wait for ever behind a lock held elsewhere).
                environment.setdefault("POSTGRES_LOCK_TIMEOUT",
                                       str(max(1, round(lock_timeout_ms(environment) / 1000))))
        else:
            data_dir = data_dir_of(environment)
            private_dir(data_dir)
            environment.setdefault("SQLITE_DBNAME", str(data_dir / "bekymring.sqlite"))
        return environment

    def construct_factory(self, env):
        factory = super().construct_factory(env)
        if uses_postgres(env) and env.get(REQUEST_WORK):
            # Every connection waits at most this long for a lock or a statement,
            # so a page behind a lock held elsewhere fails soon (and says so)
            # instead of hanging. Set before the pool opens its first connection.
            factory.datastore.pool.kwargs["options"] = (
                f"-c lock_timeout={lock_timeout_ms(env)} -c statement_timeout={statement_timeout_ms(env)}")
        return factory

    def construct_mapper(self):
        kek = load_kek(self.env, data_dir_of(self.env), is_demo(self.env))
        keystore = KeyStore(self.side_store("keys"), kek)
        self.keystore = keystore
        self.blind_index = BlindIndex(keystore)
        return EnvelopeMapper(self.construct_transcoder(), keystore)

    @cached_property
    def _access_commits(self) -> GroupCommit:
        # Pages shown at once share a commit for their access events (events/group_commit.py).
        return GroupCommit(self.save)

    def close(self) -> None:
        try:  # while the store is open: keys stored for children never registered
            self.keystore.release_unused()
        finally:
            super().close()

    def side_store(self, name: str) -> SideStore:
        """Where non-event tables live: the event store's PostgreSQL database, or
        a SQLite file of their own named `name`."""
        if uses_postgres(self.env):
            return SideStore(self.factory.datastore, "postgres")
        return sqlite_side_store(data_dir_of(self.env), name)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(UUIDAsHex())  # replaces the library's, same format
        transcoder.register(DateAsISO())

    # -- reading -------------------------------------------------------------
    def _get(self, cls: type, record_id: UUID, repository: Repository | None = None, **options: Any) -> Any:
        """The record, rebuilt from its events (by default by the app's repository);
        `options` go to the repository (a `projector_func` can see each event as
        the record is rebuilt)."""
        options.setdefault("projector_func", apply_events)
        try:
            record = (repository or self.repository).get(record_id, **options)
        except AggregateNotFoundError:
            raise NotFound("record.not_found", kind="record", record_id=record_id) from None
        if not isinstance(record, cls):
            raise NotFound("record.not_found", kind=cls.__name__, record_id=record_id)
        return record

    def get_unit(self, unit_id: UUID) -> Unit:
        return self._get(Unit, unit_id)

    def check_unit(self, unit_id: UUID) -> None:
        """NotFound unless `unit_id` is a unit's. Reads the topic of its first
        stored event, which is in clear: nothing is decrypted, and nothing is
        kept of an id that turns out to be, say, a child's."""
        first = self.recorder.select_events(unit_id, limit=1)
        if not first or first[0].topic != _UNIT_CREATED:
            raise NotFound("record.not_found", kind="Unit", record_id=unit_id)

    def get_user(self, user_id: UUID) -> User:
        return self._get(User, user_id)

    @cached_property
    def _accounts(self) -> Repository:
        # Shares the event store; the fast-forwarded objects are handed out as they are.
        return Repository(self.repository.event_store, cache_maxsize=ACCOUNT_CACHE, deepcopy_from_cache=False)

    def signed_in_user(self, user_id: UUID) -> User:
        """The user as of now, for reading only (every request checks its signed-in
        user). Kept between calls and brought up to date with one read of any
        newer events, so a deactivation counts at once; never change or save it."""
        return self._get(User, user_id, self._accounts)

    def get_child(self, child_id: UUID) -> Child:
        """The child, or RecordErased if the child's key was shredded."""
        return self._get(Child, child_id)

    def position(self) -> int:
        """The newest position in the notification log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    # -- directory ------------------------------------------------------------
    def register_unit(self, name: str, kind: str) -> UUID:
        unit = Unit.new(name, kind)
        self.save(unit)
        return unit.id

    def set_unit_address(self, unit_id: UUID, street: str, postcode: str, place: str,
                         district_number: str = "", district_name: str = "") -> None:
        """The unit's postal address, and its city district where the municipality has them."""
        self.check_unit(unit_id)
        unit = self.get_unit(unit_id)
        unit.set_location(street, postcode, place, district_number, district_name)
        self.save(unit)

    def set_municipality(self, number: str, name: str) -> None:
        """The municipality's number (kommunenummer) and name, as a report to barnevernet names them."""
        municipality = self.municipality()
        if municipality is None:
            Municipality.check(number, name)
            municipality = Municipality(number=number.strip(), name=name.strip())
        else:
            municipality.change(number, name)
        self.save(municipality)

    def municipality(self) -> Municipality | None:
        """The municipality, or None until an administrator has set it."""
        try:
            return self._get(Municipality, Municipality.create_id())
        except NotFound:
            return None

    def register_user(
        self,
        username: str,
        name: str,
        title: str,
        role: str,
        unit_id: UUID | None,
        service: str | None,
        password_hash: str,
        password_is_temporary: bool = True,
    ) -> UUID:
        if unit_id is not None:
            self.check_unit(unit_id)
        user = User.new(
            username, name, title, role, unit_id, service, password_hash, password_is_temporary
        )
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
        """A new child; refused (DuplicateChild) if its national identity number is
        another child's already."""
        self.check_unit(unit_id)
        with self.new_child_id() as child_id:
            child = Child.new(first_name, last_name, birth_date, unit_id, national_id, guardians or [], id=child_id)
            claimed = bool(national_id) and self._claim(national_id, child.id)  # refused: the id stays unused
        self._save_claimed(child, national_id, claimed)
        return child.id

    def new_child_id(self) -> AbstractContextManager[UUID]:
        """A new child's id, whose data key is stored already: the save that
        registers the child then makes no key-store write of its own."""
        return self.keystore.new_subject_id()

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
        before = child.national_id
        child.correct_details(first_name, last_name, birth_date, national_id, reason)
        claimed = bool(national_id) and national_id != before and self._claim(national_id, child.id)
        self._save_claimed(child, national_id, claimed)
        if before and national_id != before:  # the number moved with the correction
            self._release(before, child.id)

    def record_guardians(
        self, child_id: UUID, guardians: list[dict[str, Any]], reason: str
    ) -> None:
        child = self.get_child(child_id)
        child.record_guardians(guardians, reason)
        self.save(child)

    def move_child(self, child_id: UUID, unit_id: UUID) -> None:
        self.check_unit(unit_id)
        child = self.get_child(child_id)
        child.move_to_unit(unit_id)
        self.save(child)

    # -- audit --------------------------------------------------------------------
    def record_access(
        self,
        user_id: UUID,
        role: str,
        unit_id: UUID | None,
        subject_ids: list[UUID],
        records: list[str],
        action: str,
        reason: str,
        session: str,
        bases: list[Basis],
    ) -> UUID:
        """Record a read of children's data, on the policy's basis for each child
        (`bases`, in the order of `subject_ids`). Call it before showing the data:
        if it raises, the data must not be shown."""
        if len(bases) != len(subject_ids) or any(b.code not in BASIS_CODES for b in bases):
            raise ValueError("an access names one legal basis of events.policy.BASIS_CODES per child")
        access = Access(user_id, role, unit_id, subject_ids, records, action, reason, session,
                        [[b.code, b.ref] for b in bases])
        self.save_access(access)
        return access.id

    def save_access(self, access: Access) -> None:
        """Commit a new access record, in one commit with the others being shown
        at the same moment (events/group_commit.py); return once it is stored."""
        self._access_commits.save(*access.collect_events())

    def record_sign_in(
        self,
        outcome: str,
        user_id: UUID | None,
        username: str,
        client_index: str,
        session: str,
    ) -> None:
        self.save(SignIn(outcome, user_id, self.blind_index(username), client_index, session))

    def reject_sign_in_request(self, username_index: str) -> None:
        """An admin refuses a first sign-in that waits for a role (the actor is the admin)."""
        self.save(SignInRequestRejected(username_index))

    def break_glass(self, user_id: UUID, role: str, record_ids: list[UUID], subject_ids: list[UUID],
                    reason: str, minutes: int, session: str) -> UUID:
        grant = BreakGlass(user_id, role, record_ids, subject_ids, reason, minutes, session)
        self.save(grant)
        return grant.id

    def review_anomalies(self, user_id: UUID, rule: str, through: datetime, comment: str, reviewed_by: UUID) -> None:
        """Mark one user's anomalies under `rule`, up to `through`, as reviewed, with one comment."""
        if rule not in ANOMALY_RULES:
            raise DomainError("anomaly.rule_unknown", "rule", rule=rule)
        if not comment.strip():
            raise DomainError("anomaly.comment_required", "comment")
        through_utc = through.astimezone(timezone.utc).isoformat()  # as the read model stamps accesses
        self.save(AnomaliesReviewed(user_id, rule, through_utc, comment.strip(), reviewed_by))

    # -- restriction and erasure -------------------------------------------------------
    def restrict_child(self, child_id: UUID, reason: str) -> None:
        child = self.get_child(child_id)
        child.restrict(reason)
        self.save(child)

    def lift_restriction(self, child_id: UUID, reason: str) -> None:
        child = self.get_child(child_id)
        child.lift_restriction(reason)
        self.save(child)

    def request_erasure(self, child_id: UUID, reason: str, requested_by: UUID) -> UUID:
        if not reason.strip():
            raise DomainError("erasure.reason_required", "reason")
        child = self.get_child(child_id)
        request = ErasureRequest(child_id, child.unit_id, reason, requested_by)
        self.save(request)
        return request.id

    def get_erasure_request(self, request_id: UUID) -> ErasureRequest:
        return self._get(ErasureRequest, request_id)

    def confirm_erasure(self, request_id: UUID, admin_id: UUID) -> None:
        """The second person confirms: the request is closed, then the key destroyed."""
        request = self.get_erasure_request(request_id)
        request.confirm(admin_id)
        self.save(request)
        self.shred_subject(request.child_id, request.reason)

    def approve_retention_erasure(self, child_id: UUID, due_on: date, decided_by: UUID) -> UUID:
        """The privacy officer approves erasing a child whose records are all past
        their time: that approval is the erasure request an admin confirms."""
        child = self.get_child(child_id)
        request = ErasureRequest(child_id, child.unit_id,
                                 f"Oppbevaringstiden er ute (forfalt {due_on.isoformat()})", decided_by)
        self.save(request, ErasureApproved(child_id, due_on, request.id, decided_by))
        return request.id

    def keep_child_longer(self, child_id: UUID, due_on: date, until: date | None, reason: str,
                          decided_by: UUID) -> None:
        """Keep a child's records past their time, until `until`, for `reason`."""
        check_kept_longer(reason, until, clock.today())
        self.get_child(child_id)  # not an erased one
        self.save(KeptLonger(child_id, due_on, until, reason.strip(), decided_by))

    def reject_erasure(self, request_id: UUID, admin_id: UUID, why: str) -> None:
        request = self.get_erasure_request(request_id)
        request.reject(admin_id, why)
        self.save(request)

    # -- users' own credentials -----------------------------------------------------
    def set_password_hash(self, user_id: UUID, password_hash: str, temporary: bool) -> None:
        user = self.get_user(user_id)
        user.set_password_hash(password_hash, temporary)
        self.save(user)

    def enrol_totp(self, user_id: UUID, secret: str, step: int, recovery_hashes: list[str]) -> None:
        user = self.get_user(user_id)
        user.enrol_totp(secret, step, recovery_hashes)
        self.save(user)

    def use_totp_step(self, user_id: UUID, step: int) -> None:
        user = self.get_user(user_id)
        user.use_totp_step(step)
        self.save(user)

    def use_recovery_code(self, user_id: UUID, code_hash: str) -> None:
        user = self.get_user(user_id)
        user.use_recovery_code(code_hash)
        self.save(user)

    def register_passkey(self, user_id: UUID, credential_id: str, public_key: str, sign_count: int, name: str,
                         recovery_hashes: list[str]) -> None:
        user = self.get_user(user_id)
        user.register_passkey(credential_id, public_key, sign_count, name, recovery_hashes)
        self.save(user)

    def rename_passkey(self, user_id: UUID, credential_id: str, name: str) -> None:
        user = self.get_user(user_id)
        user.rename_passkey(credential_id, name)
        self.save(user)

    def remove_passkey(self, user_id: UUID, credential_id: str) -> None:
        user = self.get_user(user_id)
        user.remove_passkey(credential_id)
        self.save(user)

    def use_passkey(self, user_id: UUID, credential_id: str, sign_count: int) -> None:
        user = self.get_user(user_id)
        user.use_passkey(credential_id, sign_count)
        self.save(user)

    def reset_totp(self, user_id: UUID) -> None:
        user = self.get_user(user_id)
        user.reset_totp()
        self.save(user)

    def choose_language(self, user_id: UUID, language: str) -> None:
        user = self.get_user(user_id)
        user.choose_language(language)
        self.save(user)

    def reactivate_user(self, user_id: UUID) -> None:
        user = self.get_user(user_id)
        user.reactivate()
        self.save(user)

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
        self.national_ids.forget_child(child_id)

    def is_erased(self, child_id: UUID) -> bool:
        return self.keystore.is_shredded(child_id)


__all__ = ["Bekymring", "NotFound", "RecordErased"]
