"""Signing in and out: password, then a second factor (TOTP) where required.

`AuthMiddleware` loads the session and the user on every request, ends the
sessions of deactivated users, and keeps half-signed-in sessions on the pages
that finish the sign-in.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from events.application import NotFound
from events.base import current_actor
from events.errors import DomainError
from events.policy import Principal
from events import totp
from intranet import i18n
from intranet.forms import read_form
from intranet.i18n import _
from intranet.oidc import origin_of
from intranet.oidc import USERNAME_PREFIX
from intranet.passwords import hash_password, verify_password
from events.storage.postgres_recorder import read_together, reading_ahead
from intranet.sessions import ACTIVE, NEEDS_CODE, NEEDS_ENROLMENT, Session
from intranet.templating import render
from intranet.throttle import Refusal

PUBLIC_PATHS = {"/logg-inn", "/logg-inn/oidc", "/logg-inn/oidc/svar", "/logg-inn/oidc/utlogging", "/health", "/tilgjengelighet", "/om/logg", "/konto/sprak"}
# A calendar app fetches its feed without signing in: the address is the secret (intranet/calendar_feed.py).
PUBLIC_PREFIXES = ("/kalender/",)
STAGE_PATHS = {
    NEEDS_CODE: ("/logg-inn/kode", {"/logg-inn/kode", "/logg-inn/passkey", "/logg-ut"}),
    NEEDS_ENROLMENT: ("/konto/totp", {"/konto/totp", "/konto/passkeys", "/logg-ut"}),
}
PASSWORD_PATHS = {"/konto/passord", "/logg-ut"}
# Verifying against this when the username is unknown keeps the timing the same.
_DUMMY_HASH = hash_password("not-a-real-password-only-for-timing")


def cookie_name(request_or_app) -> str:
    settings = request_or_app.app.state.settings if hasattr(request_or_app, "app") else request_or_app.state.settings
    # The __Host- prefix needs Secure; plain-http demo mode uses a plain name.
    return "__Host-bk-session" if settings.secure_cookies else "bk-session"


def local_path(url: str | None, fallback: str = "/") -> str:
    """`url` if it is a path on this site, else `fallback`. Browsers read `/\\` as
    `//` (another host) and drop tabs and newlines inside URLs, so a path with a
    backslash or any control character is refused, as is anything with a scheme
    or a host."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return fallback
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        return fallback
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or "%0d" in url.lower() or "%0a" in url.lower():
        return fallback
    return url


def redirect(request: Request, url: str) -> Response:
    """A 303 for plain requests; htmx is told to navigate instead of swapping.
    Every redirect goes through `local_path`: never off this site."""
    url = local_path(url)
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def redirect_to_provider(request: Request, url: str) -> Response:
    """A redirect to the configured OpenID provider (its sign-in or sign-out
    endpoint), the one place the browser may be sent off this site; any other
    address goes through `redirect`, and so stays here."""
    oidc = request.app.state.settings.oidc
    if oidc is None or origin_of(url) != origin_of(oidc.issuer):
        return redirect(request, url)
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def request_language(request: Request) -> str:
    """The signed-in user's language (kept on the account), or before sign-in the cookie's."""
    account = getattr(request.state, "account", None)
    chosen = getattr(account, "language", None) if account else request.cookies.get(i18n.COOKIE)
    return i18n.choose(chosen)


class AuthMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        state = scope.setdefault("state", {})
        session, account, grants = await run_in_threadpool(self._load, request)
        state["session"] = session
        state["account"] = account
        state["grants_until"] = {r: until for r, (until, _grant) in grants.items()}  # the read-only banner's
        state["user"] = (
            Principal(account.id, account.role, account.unit_id, account.service, account.active, frozenset(grants),
                      tuple((r, grant) for r, (_until, grant) in grants.items() if grant is not None))
            if session is not None and session.stage == ACTIVE
            else None
        )
        path = scope["path"]
        target = None
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            pass
        elif session is None:
            target = "/logg-inn"
        elif session.stage in STAGE_PATHS:
            home, allowed = STAGE_PATHS[session.stage]
            target = None if path in allowed else home
        elif account.password_is_temporary and path not in PASSWORD_PATHS:
            target = "/konto/passord"
        if target is not None:
            await redirect(request, target)(scope, receive, send)
            return
        # Every event this request causes names the signed-in user; pages speak
        # the user's language (before sign-in: the cookie's).
        token = current_actor.set(account.id if account else None)
        language = i18n.current_language.set(request_language(request))
        try:
            await self.app(scope, receive, send)
        finally:
            current_actor.reset(token)
            i18n.current_language.reset(language)

    @staticmethod
    def _load(request: Request):
        app_state = request.app.state
        token = request.cookies.get(cookie_name(request))
        if not token:
            return None, None, {}
        if app_state.sessions.store.dialect == "postgres":
            return AuthMiddleware._load_together(app_state, token)
        # The session and its user's break-the-glass grants live in one store:
        # one connection for both.
        with app_state.sessions.store.reading() as c:
            session = app_state.sessions.get(token, c)
            grants = app_state.grants.open_grants(session.user_id, c) if session else {}
        return AuthMiddleware._signed_in(app_state, session, grants)

    @staticmethod
    def _load_together(app_state, token: str):
        """On PostgreSQL, the session, its user's grants and its user's events in one
        round trip (the grants and the events name the user through the session's row)."""
        sessions, domain = app_state.sessions, app_state.domain
        statement, params = sessions.select(token)
        user, user_params = sessions.user_of(token)
        session_rows, grant_rows, events = read_together(
            sessions.store.datastore,
            (sessions.store.sql(statement.replace("{t}", sessions.table)), params, False),
            (*app_state.grants.select_open(user, user_params), False),
            domain.recorder.events_of(sessions.store.sql(f"ARRAY[{user}::uuid]"), user_params),
        )
        session = sessions.from_row(token, session_rows[0] if session_rows else None)
        grants = app_state.grants.from_rows(grant_rows) if session else {}
        with reading_ahead(events):
            return AuthMiddleware._signed_in(app_state, session, grants)

    @staticmethod
    def _signed_in(app_state, session, grants):
        if session is None:
            return None, None, {}
        try:
            account = app_state.domain.signed_in_user(session.user_id)
        except NotFound:
            account = None
        if account is None or not account.active:
            # Revocation: a deactivated user's session ends on their next request.
            app_state.sessions.delete(session)
            return None, None, {}
        return session, account, grants


@functools.lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p) for p in proxies)


def _is_proxy(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(request: Request) -> str:
    """The client's address: the peer's, unless the peer is a proxy named in
    BEKYMRING_TRUSTED_PROXIES; then the nearest address in X-Forwarded-For that
    is not such a proxy (each proxy appends the address it saw, so only the
    entries our own proxies added can be believed; the rest the client wrote)."""
    peer = request.client.host if request.client else "unknown"
    networks = _networks(request.app.state.settings.trusted_proxies)
    if not networks or not _is_proxy(peer, networks):
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("X-Forwarded-For")).split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_proxy(hop, networks):
            return hop
    return hops[0] if hops else peer


def client_key(request: Request) -> str:
    return "client:" + request.app.state.domain.blind_index("client:" + client_address(request))


def pair_key(request: Request, step: str, username: str) -> str:
    """The throttle's key for one account from one address, per sign-in step
    ("password" or "code"): each step counts its own failures."""
    return f"{step}:" + request.app.state.domain.blind_index(f"{step}:{username}\n{client_address(request)}")


def start_session(request: Request, response: Response, user_id: UUID, stage: str,
                  provider: tuple[str | None, str | None] = (None, None)) -> Session:
    """`provider`: blind indexes of the OpenID provider's session id and subject
    (see SessionStore.create)."""
    state = request.app.state
    old = getattr(request.state, "session", None)
    if old is not None:
        state.sessions.delete(old)  # rotate: never keep an id across sign-in
    token, session = state.sessions.create(user_id, stage, provider)
    response.set_cookie(
        cookie_name(request), token, httponly=True, samesite="lax",
        secure=state.settings.secure_cookies, path="/",
    )
    return session


def _stage_for(account) -> str:
    if account.has_totp:
        return NEEDS_CODE
    if account.needs_totp:
        return NEEDS_ENROLMENT
    return ACTIVE


def _first_page(stage: str) -> str:
    return {NEEDS_CODE: "/logg-inn/kode", NEEDS_ENROLMENT: "/konto/totp"}.get(stage, "/")


WRONG = "wrong"


def _wait_message(refusal: Refusal) -> str:
    if refusal.address:
        return _("For mange mislykkede forsøk fra denne maskinen. Vent %(minutes)s minutter og prøv igjen, "
                 "eller kontakt IT.") % {"minutes": max(1, round(refusal.seconds / 60))}
    return _("For mange mislykkede forsøk. Vent %(seconds)s sekunder og prøv igjen.") % {"seconds": refusal.seconds}


async def login_page(request: Request) -> Response:
    """The sign-in form."""
    if request.method == "GET":
        return render(request, "auth/login.html", {"values": {}, "error": None})
    form = await read_form(request)
    if not request.app.state.settings.local_accounts:
        return render(request, "auth/login.html", {"values": {}, "error": None}, status_code=403)
    username = form.get("username", "").strip().lower()
    account, problem = await run_in_threadpool(_check_password, request, username, form.get("password", ""))
    if account is None:
        if problem == WRONG:
            return render(request, "auth/login.html", {"values": {"username": username},
                                                       "error": _("Feil brukernavn eller passord.")}, status_code=422)
        response = render(request, "auth/login.html", {"values": {"username": username},
                                                       "error": _wait_message(problem)}, status_code=429)
        response.headers["Retry-After"] = str(problem.seconds)
        return response
    stage = _stage_for(account)
    response = redirect(request, _first_page(stage))
    session = start_session(request, response, account.id, stage)
    if stage == ACTIVE:
        await run_in_threadpool(request.app.state.domain.record_sign_in, "signed_in", account.id, username,
                                client_key(request), session.audit_id)
    return response


def _check_password(request: Request, username: str, password: str):
    """(the account, None) for a right password, else (None, a Refusal or WRONG);
    each failure is recorded and counted. Unknown usernames take as long as known
    ones. A try that must wait is refused unchecked, and does not count."""
    state, domain = request.app.state, request.app.state.domain
    a_key, c_key = pair_key(request, "password", username), client_key(request)
    refusal = state.throttle.refusal(a_key, c_key)
    if refusal is not None:
        domain.record_sign_in("locked_out", None, username, c_key, "")
        return None, refusal
    user_id = state.projections["directory"].view.user_id_by_username_index(domain.blind_index(username))
    account = domain.get_user(user_id) if user_id else None
    good = verify_password(account.password_hash if account else _DUMMY_HASH, password)
    # An account made at single sign-on signs in only there (its password is random and told to no one).
    if not (good and account and account.active and not username.startswith(USERNAME_PREFIX)):
        state.throttle.failed(a_key, c_key)
        domain.record_sign_in("failed", account.id if account else None, username, c_key, "")
        return None, WRONG
    state.throttle.succeeded(a_key)
    return account, None


async def second_factor(request: Request) -> Response:
    """The one-time code (or a recovery code) after the password."""
    if request.method == "GET":
        return render(request, "auth/code.html", await run_in_threadpool(code_page_context, request, None))
    code = (await read_form(request)).get("code", "").strip()
    error = await run_in_threadpool(_check_code, request, request.state.account, code)
    if isinstance(error, Refusal):
        response = render(request, "auth/code.html", {"error": _wait_message(error)}, status_code=429)
        response.headers["Retry-After"] = str(error.seconds)
        return response
    if error:
        return render(request, "auth/code.html", await run_in_threadpool(code_page_context, request, error),
                      status_code=422)
    account, session = request.state.account, request.state.session
    request.app.state.sessions.set_stage(session, ACTIVE)
    await run_in_threadpool(request.app.state.domain.record_sign_in, "signed_in", account.id, account.username,
                            client_key(request), session.audit_id)
    return redirect(request, "/")


def code_page_context(request: Request, error: str | None) -> dict:
    """The second-factor page: a code, or (with a fresh challenge) one of the user's passkeys."""
    from intranet import passkeys  # passkeys' routes build on this module

    return {"error": error, "passkey_options": passkeys.sign_in_options(request, request.state.account),
            "has_app": request.state.account.totp_secret is not None}


def _check_code(request: Request, account, code: str) -> str | Refusal | None:
    """None if the code is right (and is then used up), else what to tell the
    user, or how long to wait. The code has its own counter: failed passwords
    (a stranger's, say) never block it."""
    state, domain = request.app.state, request.app.state.domain
    a_key, c_key = pair_key(request, "code", account.username), client_key(request)
    refusal = state.throttle.refusal(a_key, c_key)
    if refusal is not None:
        return refusal
    step = totp.matching_step(account.totp_secret, code) if account.totp_secret else None
    try:
        if step is not None:
            domain.use_totp_step(account.id, step)
            state.throttle.succeeded(a_key)
            return None
        if "-" in code:
            domain.use_recovery_code(account.id, totp.hash_recovery_code(code))
            state.throttle.succeeded(a_key)
            return None
    except DomainError:
        pass
    state.throttle.failed(a_key, c_key)
    domain.record_sign_in("second_factor_failed", account.id, account.username, c_key, request.state.session.audit_id)
    return _("Koden stemmer ikke. Bruk koden som vises i appen nå, eller en reservekode.")


async def logout(request: Request) -> Response:
    """Sign out: the session ends on the server, not only in the browser."""
    await read_form(request)
    session, account = request.state.session, request.state.account
    if session is not None:
        request.app.state.sessions.delete(session)
        await run_in_threadpool(
            request.app.state.domain.record_sign_in, "signed_out", account.id,
            account.username, client_key(request), session.audit_id,
        )
    response = redirect_to_provider(request, await run_in_threadpool(_after_logout, request, account))
    response.delete_cookie(cookie_name(request), path="/")
    return response


def _after_logout(request: Request, account) -> str:
    """Where the browser goes: for an account from single sign-on, on to the
    provider to end the session there too (RP-initiated logout)."""
    client = request.app.state.oidc
    if client is None or account is None or not account.username.startswith(USERNAME_PREFIX):
        return "/logg-inn"
    return client.logout_url(str(request.url_for("login"))) or "/logg-inn"


routes = [
    Route("/logg-inn", login_page, methods=["GET", "POST"], name="login"),
    Route("/logg-inn/kode", second_factor, methods=["GET", "POST"], name="second_factor"),
    Route("/logg-ut", logout, methods=["POST"], name="logout"),
]
