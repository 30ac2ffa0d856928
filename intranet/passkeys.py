"""Passkeys (WebAuthn) as a second factor, through the `webauthn` library: a
user registers several, names and removes them, and signs in with one after
the password (or the provider's sign-in). Origin and relying party id come
from the settings; without an origin set, passkeys are not offered.

The browser side is static/passkeys.js: it asks the authenticator and puts its
answer in the form's `credential` field."""

from __future__ import annotations

import json
import secrets
import time
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from webauthn import (
    generate_authentication_options, generate_registration_options, options_to_json,
    verify_authentication_response, verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import InvalidRegistrationResponse, WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor, ResidentKeyRequirement,
    UserVerificationRequirement,
)

from events import totp
from events.errors import DomainError
from events.policy import Target
from events.storage.sidestore import SideStore
from intranet.auth import client_key, code_page_context, redirect
from intranet.error_messages import field_errors
from intranet.forms import read_form
from intranet.guard import require
from intranet.i18n import _
from intranet.sessions import ACTIVE, NEEDS_CODE, NEEDS_ENROLMENT
from intranet.templating import render

CHALLENGE_SECONDS = 5 * 60
RP_NAME = "Bekymring"


class ChallengeStore:
    """The challenge a session was last given, per purpose, used once."""

    def __init__(self, store: SideStore):
        self.store = store
        self.table = store.table("webauthn_challenges")
        with store.creating() as c:
            c.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (session_hash TEXT NOT NULL, purpose TEXT NOT NULL, "
                      f"challenge TEXT NOT NULL, created_at {store.double} NOT NULL, "
                      "PRIMARY KEY (session_hash, purpose))")

    def give(self, session_hash: str, purpose: str) -> bytes:
        challenge = secrets.token_bytes(32)
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE session_hash = ? AND purpose = ?"),
                      (session_hash, purpose))
            c.execute(self.store.sql(f"INSERT INTO {self.table} (session_hash, purpose, challenge, created_at) "
                                     "VALUES (?, ?, ?, ?)"),
                      (session_hash, purpose, bytes_to_base64url(challenge), time.time()))
        return challenge

    def take(self, session_hash: str, purpose: str) -> bytes | None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"SELECT challenge, created_at FROM {self.table} "
                                     "WHERE session_hash = ? AND purpose = ?"), (session_hash, purpose))
            row = c.fetchone()
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE session_hash = ? AND purpose = ?"),
                      (session_hash, purpose))
        if row is None or time.time() - row["created_at"] > CHALLENGE_SECONDS:
            return None
        return base64url_to_bytes(row["challenge"])


def _relying_party(request: Request) -> tuple[str, str]:
    settings = request.app.state.settings
    if not settings.webauthn_origin:
        raise HTTPException(404)
    return settings.webauthn_origin, settings.webauthn_rp_id or urlsplit(settings.webauthn_origin).hostname


def offered(request: Request) -> bool:
    return bool(request.app.state.settings.webauthn_origin)


def _descriptors(account) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(cid)) for cid in account.passkeys]


# -- registering, naming and removing -----------------------------------------------
def _may_manage(request: Request):
    """The account, if its session may manage passkeys: signed in, or setting up
    a second factor before its first sign-in."""
    account, session = request.state.account, request.state.session
    if session.stage == ACTIVE:
        require(request, "account.manage", Target(owner_id=account.id))
    elif session.stage != NEEDS_ENROLMENT:
        raise HTTPException(403)
    return account


def _registration_context(request: Request, account, errors: dict | None = None, values: dict | None = None) -> dict:
    _, rp_id = _relying_party(request)
    challenge = request.app.state.webauthn_challenges.give(request.state.session.token_hash, "register")
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=account.id.bytes, user_name=account.username,
        user_display_name=account.name, challenge=challenge, exclude_credentials=_descriptors(account),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.REQUIRED),
    )
    return {"account": account, "options": options_to_json(options), "errors": errors or {},
            "values": values or {}}


async def passkeys_page(request: Request) -> Response:
    """The user's passkeys, and adding one."""
    account = _may_manage(request)
    if request.method == "GET":
        context = await run_in_threadpool(_registration_context, request, account)
        return render(request, "account/passkeys.html", context)
    form = await read_form(request)
    origin, rp_id = _relying_party(request)
    errors: dict[str, str] = {}
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = _("Gi passkeyen et navn, for eksempel «Jobb-PC».")
    challenge = request.app.state.webauthn_challenges.take(request.state.session.token_hash, "register")
    verified = None
    if not errors:
        try:
            if challenge is None or not form.get("credential"):
                raise InvalidRegistrationResponse("no challenge or no answer")
            verified = verify_registration_response(
                credential=form["credential"], expected_challenge=challenge, expected_rp_id=rp_id,
                expected_origin=origin, require_user_verification=True)
        except (WebAuthnException, ValueError, KeyError, TypeError):
            errors["name"] = _("Passkeyen ble ikke registrert. Prøv igjen (nettleseren må tillate passkeys).")
    codes = [] if (account.recovery_code_hashes or account.totp_secret) else totp.new_recovery_codes()
    if verified is not None:
        try:
            await run_in_threadpool(
                request.app.state.domain.register_passkey, account.id, bytes_to_base64url(verified.credential_id),
                bytes_to_base64url(verified.credential_public_key), verified.sign_count, name,
                [totp.hash_recovery_code(c) for c in codes])
        except DomainError as e:
            errors.update(field_errors(e))
    if errors:
        context = await run_in_threadpool(_registration_context, request, account, errors, {"name": name})
        return render(request, "account/passkeys.html", context, status_code=422)
    if request.state.session.stage != ACTIVE:
        request.app.state.sessions.set_stage(request.state.session, ACTIVE)
    if codes:
        return render(request, "account/recovery_codes.html", {"codes": codes})
    return redirect(request, "/konto/passkeys")


async def passkey_change(request: Request) -> Response:
    """Rename or remove one passkey."""
    account = _may_manage(request)
    action = request.path_params["action"]
    form = await read_form(request)
    credential_id = form.get("credential_id", "")
    domain = request.app.state.domain
    try:
        if action == "navn":
            await run_in_threadpool(domain.rename_passkey, account.id, credential_id, form.get("name", ""))
        elif action == "fjern":
            await run_in_threadpool(domain.remove_passkey, account.id, credential_id)
        else:
            raise HTTPException(404)
    except DomainError as e:
        fresh = await run_in_threadpool(domain.get_user, account.id)
        context = await run_in_threadpool(_registration_context, request, fresh)
        context["change_error"] = (credential_id, next(iter(field_errors(e).values())))
        return render(request, "account/passkeys.html", context, status_code=422)
    return redirect(request, "/konto/passkeys")


# -- signing in ---------------------------------------------------------------------
def sign_in_options(request: Request, account) -> str | None:
    """The options for signing in with one of the account's passkeys (JSON), or None."""
    if not offered(request) or not account.passkeys:
        return None
    _, rp_id = _relying_party(request)
    challenge = request.app.state.webauthn_challenges.give(request.state.session.token_hash, "sign_in")
    return options_to_json(generate_authentication_options(
        rp_id=rp_id, challenge=challenge, allow_credentials=_descriptors(account),
        user_verification=UserVerificationRequirement.REQUIRED))


async def sign_in_with_passkey(request: Request) -> Response:
    """The second step of a sign-in, with a passkey."""
    account, session = request.state.account, request.state.session
    if session.stage != NEEDS_CODE:
        return redirect(request, "/")
    form = await read_form(request)
    origin, rp_id = _relying_party(request)
    state = request.app.state
    error = await run_in_threadpool(_check_assertion, request, account, form.get("credential", ""), origin, rp_id)
    if error:
        await run_in_threadpool(state.domain.record_sign_in, "second_factor_failed", account.id, account.username,
                                client_key(request), session.audit_id)
        context = await run_in_threadpool(code_page_context, request, error)
        return render(request, "auth/code.html", context, status_code=422)
    state.sessions.set_stage(session, ACTIVE)
    await run_in_threadpool(state.domain.record_sign_in, "signed_in", account.id, account.username,
                            client_key(request), session.audit_id)
    return redirect(request, "/")


def _check_assertion(request: Request, account, credential: str, origin: str, rp_id: str) -> str | None:
    failed = _("Passkeyen ble ikke godtatt. Prøv igjen, eller bruk en reservekode.")
    challenge = request.app.state.webauthn_challenges.take(request.state.session.token_hash, "sign_in")
    try:
        credential_id = json.loads(credential)["id"]
        known = account.passkeys[credential_id]
        if challenge is None:
            return failed
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=base64url_to_bytes(known["public_key"]),
            credential_current_sign_count=known["sign_count"], require_user_verification=True)
        request.app.state.domain.use_passkey(account.id, credential_id, verified.new_sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError, DomainError):
        return failed
    return None


routes = [
    Route("/konto/passkeys", passkeys_page, methods=["GET", "POST"], name="account_passkeys"),
    Route("/konto/passkeys/{action}", passkey_change, methods=["POST"], name="account_passkey"),
    Route("/logg-inn/passkey", sign_in_with_passkey, methods=["POST"], name="sign_in_passkey"),
]
