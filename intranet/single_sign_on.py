"""Signing in through the municipality's OpenID provider, signing out when the
provider says so (back-channel logout), and the admin's page for first
sign-ins that wait for a role."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from events.directory import UNIT_ROLES
from intranet import oidc
from intranet.admin import SERVICE_NAMES, ROLE_NAMES, role_errors
from intranet.auth import _first_page, _stage_for, client_key, redirect, redirect_to_provider, start_session
from intranet.forms import read_form
from intranet.guard import require
from intranet.i18n import _
from intranet.passwords import hash_password
from intranet.sessions import ACTIVE
from intranet.templating import render

log = logging.getLogger(__name__)
BROWSER_COOKIE = "bk-oidc"  # binds a flow to the browser that started it
WAITING = "waiting"


def _client(request: Request) -> oidc.OidcClient:
    client = request.app.state.oidc
    if client is None:
        raise HTTPException(404)
    return client


def _callback_url(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


async def start(request: Request) -> Response:
    """Send the browser to the provider."""
    client = _client(request)
    browser = secrets.token_urlsafe(32)
    state, nonce, verifier = await run_in_threadpool(request.app.state.oidc_flows.start, browser)
    url = await run_in_threadpool(client.authorization_url, _callback_url(request), state, nonce, verifier)
    response = redirect_to_provider(request, url)
    response.set_cookie(BROWSER_COOKIE, browser, max_age=oidc.FLOW_SECONDS, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies, path="/logg-inn/oidc")
    return response


async def callback(request: Request) -> Response:
    """The provider's answer: sign the user in, or say why not."""
    client = _client(request)
    params = request.query_params
    try:
        account, identity = await run_in_threadpool(_sign_in, request, client, params)
    except oidc.SignInRefused as refused:
        await run_in_threadpool(request.app.state.domain.record_sign_in, "failed", None,
                                "oidc:" + refused.reason, client_key(request), "")
        message = _("Innloggingen via kommunens innloggingstjeneste ble avvist. Prøv igjen, eller kontakt IT.")
        if refused.reason == "deactivated":
            message = _("Kontoen din er deaktivert. Kontakt IT.")
        elif refused.reason == "rejected":
            message = _("En administrator har avvist tilgangen din til denne tjenesten. Kontakt IT om du mener "
                        "det er feil.")
        response = render(request, "auth/login.html", {"values": {}, "error": message}, status_code=403)
        response.delete_cookie(BROWSER_COOKIE, path="/logg-inn/oidc")
        return response
    if account == WAITING:
        response = render(request, "auth/waiting.html", {})
    else:
        stage = ACTIVE if (account.needs_totp and identity.second_factor) else _stage_for(account)
        response = redirect(request, _first_page(stage))
        session = start_session(request, response, account.id, stage, provider_keys(request, identity))
        if stage == ACTIVE:
            await run_in_threadpool(request.app.state.domain.record_sign_in, "signed_in", account.id,
                                    account.username, client_key(request), session.audit_id)
    response.delete_cookie(BROWSER_COOKIE, path="/logg-inn/oidc")
    return response


def provider_keys(request: Request, identity_or_logout) -> tuple[str | None, str | None]:
    """Blind indexes of the provider's session id and subject: what a session
    keeps to be found by the provider's sign-out, and what that sign-out looks for."""
    blind = request.app.state.domain.blind_index
    sid, sub = identity_or_logout.session_id, identity_or_logout.subject
    return (blind("oidc-sid:" + sid) if sid else None, blind("oidc-sub:" + sub) if sub else None)


async def provider_logout(request: Request) -> Response:
    """The provider's sign-out: one address for both channels, as the provider's
    registration has it (a back-channel POST, or a front-channel GET)."""
    return await (backchannel_logout if request.method == "POST" else frontchannel_logout)(request)


async def backchannel_logout(request: Request) -> Response:
    """The provider's sign-out (OpenID Connect Back-Channel Logout 1.0): a signed
    logout token, posted by the provider itself, ends the sessions it names.
    No CSRF token: no browser posts here, and the token's signature is the proof."""
    client = _client(request)
    form = await request.form()
    token = form.get("logout_token")
    try:
        if not isinstance(token, str) or not token:
            raise oidc.SignInRefused("no_logout_token")
        await run_in_threadpool(_end_sessions, request, client, token)
    except oidc.SignInRefused as refused:
        log.info("back-channel logout refused: %s", refused.reason)
        return JSONResponse({"error": "invalid_request", "error_description": refused.reason}, status_code=400)
    # A token naming no session of ours (one already ended here) is no error.
    return Response(status_code=200)


async def frontchannel_logout(request: Request) -> Response:
    """The provider's sign-out through the browser (OpenID Connect Front-Channel
    Logout 1.0), for providers without a back channel: the provider loads this
    address with its issuer and the session's `sid`, which ends that session.
    No cookie is needed (the browser sends none from the provider's page:
    SameSite): a sid is random, so only the provider and that user's browser
    can name it; without both parameters nothing ends."""
    client = _client(request)
    iss, sid = request.query_params.get("iss", ""), request.query_params.get("sid", "")
    if iss.rstrip("/") != client.settings.issuer or not sid:
        return Response(status_code=400)
    logout = oidc.Logout(session_id=sid, subject=None, jti="", issued_at=0)
    await run_in_threadpool(_record_ended, request, provider_keys(request, logout))
    return Response(status_code=200)


def _end_sessions(request: Request, client: oidc.OidcClient, token: str) -> None:
    logout = client.validate_logout(token)
    if not request.app.state.oidc_logouts.first_use(client.settings.issuer, logout.jti):
        raise oidc.SignInRefused("logout_token_replayed")
    _record_ended(request, provider_keys(request, logout))


def _record_ended(request: Request, keys: tuple[str | None, str | None]) -> None:
    """End the sessions the provider names, each audited as a sign-out."""
    state = request.app.state
    for audit_id, user_id in state.sessions.end_provider_sessions(*keys):
        try:
            username = state.domain.get_user(user_id).username
        except Exception:  # an account erased meanwhile: the sign-out is still recorded
            username = ""
        state.domain.record_sign_in("signed_out", user_id, username, client_key(request), audit_id)


def _sign_in(request: Request, client: oidc.OidcClient, params):
    """(the account, the identity), or (WAITING, the identity) for a first sign-in
    without a mapped role; SignInRefused for anything wrong."""
    state = request.app.state
    nonce, verifier = state.oidc_flows.finish(params.get("state", ""), request.cookies.get(BROWSER_COOKIE, ""))
    if "error" in params or not params.get("code"):
        raise oidc.SignInRefused("provider_error")
    if "iss" in params and params["iss"].rstrip("/") != client.settings.issuer:
        raise oidc.SignInRefused("issuer_mismatch")  # RFC 9207: an answer from another provider
    claims = client.validate(client.exchange(params["code"], _callback_url(request), verifier), nonce)
    identity = client.identity(claims)
    username = oidc.username_for(identity.subject)
    domain, directory = state.domain, state.projections["directory"].view
    units = directory.units()
    unit_id = oidc.unit_id_named(units, identity.unit_name)
    mapped = identity.role is not None and not (identity.role in UNIT_ROLES and unit_id is None)
    role = (identity.role, unit_id if identity.role in UNIT_ROLES else None, identity.service)
    user_id = directory.user_id_by_username_index(domain.blind_index(username))
    if user_id is None:
        if state.oidc_pending.status(domain.blind_index(username)) == oidc.REJECTED:
            raise oidc.SignInRefused("rejected")  # until an admin approves after all
        if not mapped:
            state.oidc_pending.ask(domain.blind_index(username), identity)
            return WAITING, identity
        password = hash_password(secrets.token_urlsafe(32))  # never told to anyone: no local sign-in
        user_id = domain.register_user(username, identity.name, "", *role, password, False)
        state.projections.wait()
    account = domain.get_user(user_id)
    if not account.active:
        raise oidc.SignInRefused("deactivated")
    if mapped and (account.role, account.unit_id, account.service) != role:
        # The provider's groups decide the role: a change there counts at the next sign-in.
        domain.assign_role(user_id, *role)
        account = domain.get_user(user_id)
    return account, identity


async def waiting_page(request: Request) -> Response:
    """First sign-ins without a role: those that wait for an admin, and those
    approved or rejected."""
    require(request, "directory.manage")
    requests = await run_in_threadpool(request.app.state.oidc_pending.all)
    for r in requests:
        r["decided"] = datetime.fromtimestamp(r["decided_at"], timezone.utc) if r["decided_at"] else None
    by_status = {status: [r for r in requests if r["status"] == status]
                 for status in (oidc.WAITING, oidc.APPROVED, oidc.REJECTED)}
    return render(request, "admin/waiting.html", {"waiting": by_status[oidc.WAITING],
                                                  "approved": by_status[oidc.APPROVED][::-1],
                                                  "rejected": by_status[oidc.REJECTED][::-1]})


async def reject(request: Request) -> Response:
    """Refuse a waiting sign-in: the person's next sign-in is refused, until an
    admin approves it after all."""
    require(request, "directory.manage")
    await read_form(request)
    state = request.app.state
    pending_id = request.path_params["pending_id"]
    if await run_in_threadpool(state.oidc_pending.status, pending_id) == oidc.WAITING:
        await run_in_threadpool(state.domain.reject_sign_in_request, pending_id)
        await run_in_threadpool(state.oidc_pending.decide, pending_id, oidc.REJECTED)
    return redirect(request, "/admin/innlogginger")


async def approve(request: Request) -> Response:
    """Give a waiting (or rejected) sign-in its role: the account is made, and
    the person can sign in."""
    require(request, "directory.manage")
    state = request.app.state
    pending_id = request.path_params["pending_id"]
    pending = await run_in_threadpool(state.oidc_pending.get, pending_id)
    if pending is None or pending["status"] == oidc.APPROVED:
        # Already approved (a reload after approving): back to the list.
        return redirect(request, "/admin/innlogginger")
    units = await run_in_threadpool(state.projections["directory"].view.units)
    context = {"pending": pending, "units": units, "roles": ROLE_NAMES, "services": SERVICE_NAMES,
               "values": {}, "errors": {}}
    if request.method == "GET":
        return render(request, "admin/waiting_approve.html", context)
    form = await read_form(request)
    errors, role = role_errors(form)
    if errors:
        context.update(values=form, errors=errors)
        return render(request, "admin/waiting_approve.html", context, status_code=422)
    await run_in_threadpool(
        state.domain.register_user, oidc.username_for(pending["subject"]), pending["name"], "", *role,
        hash_password(secrets.token_urlsafe(32)), False)
    await run_in_threadpool(state.oidc_pending.decide, pending_id, oidc.APPROVED)
    state.projections.wait()
    return redirect(request, "/admin/innlogginger")


routes = [
    Route("/logg-inn/oidc", start, name="oidc_start"),
    Route("/logg-inn/oidc/svar", callback, name="oidc_callback"),
    Route("/logg-inn/oidc/utlogging", provider_logout, methods=["GET", "POST"], name="oidc_logout"),
    Route("/admin/innlogginger", waiting_page, name="admin_waiting"),
    Route("/admin/innlogginger/{pending_id}", approve, methods=["GET", "POST"], name="admin_approve"),
    Route("/admin/innlogginger/{pending_id}/avvis", reject, methods=["POST"], name="admin_reject"),
]
