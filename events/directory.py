"""The directory: units (barnehage, skole, ...) and the users who work in them.

Every change to a user's role or unit is an event, so a privacy officer can see
who granted what, and when.
"""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError

UNIT_KINDS = ("barnehage", "skole", "sfo", "helsestasjon", "ppt", "barnevern")
ROLES = (
    "staff",
    "unit_leader",
    "resource_team",
    "privacy_officer",
    "municipal_leader",
    "admin",
)
SERVICES = ("barnevern", "helsestasjon", "ppt")
# Roles that belong to one unit; the others work across the municipality.
UNIT_ROLES = ("staff", "unit_leader")
TOTP_REQUIRED_ROLES = ("privacy_officer", "municipal_leader", "admin")


class InvalidRole(DomainError):
    """Raised when a role, unit or service assignment does not fit together."""


class Unit(Record):
    """A barnehage, skole or service in the municipality."""

    def __init__(self, name: str, kind: str):
        # Applies the Created event: the rules are checked in `new`, so old events always replay.
        self.name = name
        self.kind = kind
        self.closed = False
        # Where the unit is: the postal address, and the city district (bydel)
        # in a municipality that has them ("" elsewhere). A report to
        # barnevernet names both.
        self.address = {"street": "", "postcode": "", "place": ""}
        self.district_number = ""
        self.district_name = ""

    @classmethod
    def new(cls, name: str, kind: str) -> Unit:
        if kind not in UNIT_KINDS:
            raise DomainError("unit.kind_unknown", "kind", kind=kind)
        return cls(name=name, kind=kind)

    @event("Renamed")
    def rename(self, name: str) -> None:
        self.name = name

    @event("Closed")
    def close(self) -> None:
        self.closed = True

    def set_location(self, street: str, postcode: str, place: str, district_number: str = "",
                     district_name: str = "") -> None:
        check_location(street, postcode, place, district_number, district_name)
        self._location_set(street.strip(), postcode.strip(), place.strip(), district_number.strip(),
                           district_name.strip())

    @event("LocationSet")
    def _location_set(self, street: str, postcode: str, place: str, district_number: str,
                      district_name: str) -> None:
        self.address = {"street": street, "postcode": postcode, "place": place}
        self.district_number = district_number
        self.district_name = district_name


POSTCODE = re.compile(r"^\d{4}$")
DISTRICT_NUMBER = re.compile(r"^\d{2}$")
MUNICIPALITY_NUMBER = re.compile(r"^\d{4}$")
# One address, no display name, no spaces or line breaks (it goes into a mail header).
EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def check_location(street: str, postcode: str, place: str, district_number: str, district_name: str) -> None:
    if not street.strip():
        raise DomainError("unit.street_required", "street")
    if not POSTCODE.match(postcode.strip()):
        raise DomainError("unit.postcode_invalid", "postcode")
    if not place.strip():
        raise DomainError("unit.place_required", "place")
    if district_number.strip() and not DISTRICT_NUMBER.match(district_number.strip()):
        raise DomainError("unit.district_number_invalid", "district_number")
    if district_name.strip() and not district_number.strip():
        raise DomainError("unit.district_number_invalid", "district_number")


class Municipality(Record):
    """The municipality itself, one per store: its number (kommunenummer) and name."""

    @staticmethod
    def create_id() -> UUID:
        return uuid5(NAMESPACE_URL, "bekymring:municipality")

    def __init__(self, number: str, name: str):
        self.number = number
        self.name = name

    @staticmethod
    def check(number: str, name: str) -> None:
        if not MUNICIPALITY_NUMBER.match(number.strip()):
            raise DomainError("municipality.number_invalid", "number")
        if not name.strip():
            raise DomainError("municipality.name_required", "name")

    def change(self, number: str, name: str) -> None:
        self.check(number, name)
        self._changed(number.strip(), name.strip())

    @event("Changed")
    def _changed(self, number: str, name: str) -> None:
        self.number = number
        self.name = name


def check_role_fits(role: str, unit_id: UUID | None, service: str | None) -> None:
    if role not in ROLES:
        raise InvalidRole("role.unknown", "role", role=role)
    if role in UNIT_ROLES and unit_id is None:
        raise InvalidRole("role.unit_required", "unit_id", role=role)
    if role == "resource_team" and service not in SERVICES:
        raise InvalidRole("role.service_required", "service")
    if role != "resource_team" and service is not None:
        raise InvalidRole("role.service_not_allowed", "service")


class User(Record):
    """A person who logs in: one role, and a unit for staff and unit leaders."""

    def __init__(
        self,
        username: str,
        name: str,
        title: str,
        role: str,
        unit_id: UUID | None,
        service: str | None,
        password_hash: str,
        password_is_temporary: bool = True,
    ):
        # Applies the Created event: the rules are checked in `new`, so old events always replay.
        self.username = username
        self.name = name
        self.title = title
        self.role = role
        self.unit_id = unit_id
        self.service = service
        self.password_hash = password_hash
        self.password_is_temporary = password_is_temporary
        self.active = True
        self.language = "nb"
        self.totp_secret: str | None = None
        self.totp_last_step = 0
        self.recovery_code_hashes: list[str] = []
        # WebAuthn credentials by their id (base64url): name, public key (COSE, base64url), sign count.
        self.passkeys: dict[str, dict] = {}
        # Where the daily digest of notifications goes, if the user wants it
        # (intranet/notification_mail.py); the address is personal data, so it is
        # only ever in the encrypted events.
        self.email = ""
        self.email_notifications = False

    @classmethod
    def new(cls, username: str, name: str, title: str, role: str, unit_id: UUID | None, service: str | None,
            password_hash: str, password_is_temporary: bool = True) -> User:
        check_role_fits(role, unit_id, service)
        return cls(username, name, title, role, unit_id, service, password_hash, password_is_temporary)

    @property
    def needs_totp(self) -> bool:
        """Privileged roles must use a second factor."""
        return self.role in TOTP_REQUIRED_ROLES

    @property
    def has_totp(self) -> bool:
        """A second factor is set up: an authenticator app or a passkey."""
        return self.totp_secret is not None or bool(self.passkeys)

    def register_passkey(self, credential_id: str, public_key: str, sign_count: int, name: str,
                         recovery_code_hashes: list[str]) -> None:
        """`recovery_code_hashes`: new recovery codes when the user has none yet (else [])."""
        if credential_id in self.passkeys:
            raise DomainError("passkey.known", "credential")
        if not name.strip():
            raise DomainError("passkey.name_required", "name")
        self._passkey_registered(credential_id, public_key, sign_count, name.strip(), recovery_code_hashes)

    @event("PasskeyRegistered")
    def _passkey_registered(self, credential_id: str, public_key: str, sign_count: int, name: str,
                            recovery_code_hashes: list[str]) -> None:
        self.passkeys = {**self.passkeys, credential_id: {"name": name, "public_key": public_key,
                                                          "sign_count": sign_count}}
        if recovery_code_hashes:
            self.recovery_code_hashes = list(recovery_code_hashes)

    def rename_passkey(self, credential_id: str, name: str) -> None:
        if credential_id not in self.passkeys:
            raise DomainError("passkey.unknown", "credential")
        if not name.strip():
            raise DomainError("passkey.name_required", "name")
        self._passkey_renamed(credential_id, name.strip())

    @event("PasskeyRenamed")
    def _passkey_renamed(self, credential_id: str, name: str) -> None:
        self.passkeys = {**self.passkeys, credential_id: {**self.passkeys[credential_id], "name": name}}

    def remove_passkey(self, credential_id: str) -> None:
        if credential_id not in self.passkeys:
            raise DomainError("passkey.unknown", "credential")
        self._passkey_removed(credential_id)

    @event("PasskeyRemoved")
    def _passkey_removed(self, credential_id: str) -> None:
        self.passkeys = {k: v for k, v in self.passkeys.items() if k != credential_id}

    def use_passkey(self, credential_id: str, sign_count: int) -> None:
        """A sign-in with the passkey; a counter that went backwards means a cloned key."""
        known = self.passkeys.get(credential_id)
        if known is None:
            raise DomainError("passkey.unknown", "credential")
        if sign_count and sign_count <= known["sign_count"]:
            raise DomainError("passkey.cloned", "credential")
        self._passkey_used(credential_id, sign_count)

    @event("PasskeyUsed")
    def _passkey_used(self, credential_id: str, sign_count: int) -> None:
        self.passkeys = {**self.passkeys, credential_id: {**self.passkeys[credential_id], "sign_count": sign_count}}

    def assign_role(self, role: str, unit_id: UUID | None, service: str | None) -> None:
        check_role_fits(role, unit_id, service)
        self._role_assigned(role, unit_id, service)

    @event("RoleAssigned")
    def _role_assigned(self, role: str, unit_id: UUID | None, service: str | None) -> None:
        self.role = role
        self.unit_id = unit_id
        self.service = service

    @event("PasswordSet")
    def set_password_hash(self, password_hash: str, temporary: bool = False) -> None:
        self.password_hash = password_hash
        self.password_is_temporary = temporary

    @event("TotpEnrolled")
    def enrol_totp(self, secret: str, step: int, recovery_code_hashes: list[str]) -> None:
        self.totp_secret = secret
        self.totp_last_step = step
        self.recovery_code_hashes = list(recovery_code_hashes)

    def use_totp_step(self, step: int) -> None:
        """Accept a code's time step once: a code seen before is refused (replay)."""
        if step <= self.totp_last_step:
            raise DomainError("totp.code_used", "code")
        self._totp_step_used(step)

    @event("TotpStepUsed")
    def _totp_step_used(self, step: int) -> None:
        self.totp_last_step = step

    def use_recovery_code(self, code_hash: str) -> None:
        if code_hash not in self.recovery_code_hashes:
            raise DomainError("totp.recovery_code_unknown", "code")
        self._recovery_code_used(code_hash)

    @event("RecoveryCodeUsed")
    def _recovery_code_used(self, code_hash: str) -> None:
        self.recovery_code_hashes = [h for h in self.recovery_code_hashes if h != code_hash]

    @event("TotpReset")
    def reset_totp(self) -> None:
        """The second factor is reset (lost phone or key): the app, the passkeys, the codes."""
        self.passkeys = {}
        self.totp_secret = None
        self.totp_last_step = 0
        self.recovery_code_hashes = []

    @event("LanguageChosen")
    def choose_language(self, language: str) -> None:
        self.language = language

    def set_email(self, address: str, notifications: bool) -> None:
        """The user's e-mail address ("" for none) and whether the digest goes there."""
        address = address.strip()
        if address and not EMAIL.match(address):
            raise DomainError("account.email_invalid", "email")
        if notifications and not address:
            raise DomainError("account.email_required", "email")
        self._email_set(address, notifications)

    @event("EmailSet")
    def _email_set(self, address: str, notifications: bool) -> None:
        self.email = address
        self.email_notifications = notifications

    @event("Deactivated")
    def deactivate(self) -> None:
        self.active = False

    @event("Reactivated")
    def reactivate(self) -> None:
        self.active = True
