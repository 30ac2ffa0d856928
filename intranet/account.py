"""A user's own account: overview, password change, and second-factor enrolment."""

from __future__ import annotations

import segno
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import totp
from events.errors import DomainError
from events.policy import Target, may
from intranet import i18n
from intranet.admin import ROLE_NAMES, SERVICE_NAMES
from intranet.auth import redirect
from intranet.error_messages import field_errors
from intranet.forms import read_form
from intranet.guard import require
from intranet.i18n import _
from intranet.passwords import hash_password, verify_password
from intranet.sessions import ACTIVE, NEEDS_ENROLMENT
from intranet.templating import render

MIN_PASSWORD_LENGTH = 12
ISSUER = "Bekymring"


async def account_page(request: Request, email_form: dict | None = None, status_code: int = 200) -> Response:
    """The user's own account: role, unit, second-factor status, and notifications by e-mail."""
    account = request.state.account
    user = require(request, "account.manage", Target(owner_id=account.id))
    unit = None
    if account.unit_id:
        unit = await run_in_threadpool(request.app.state.domain.get_unit, account.unit_id)
    return render(request, "account/page.html", {
        "account": account, "unit": unit, "role_names": ROLE_NAMES, "service_names": SERVICE_NAMES,
        "passkeys_offered": bool(request.app.state.settings.webauthn_origin),
        # Where the municipality sends e-mail, to those the collaborations' notifications are for.
        "email_offered": bool(request.app.state.settings.smtp) and may(user, "notifications.list"),
        "email_form": email_form or {}}, status_code=status_code)


async def email_settings(request: Request) -> Response:
    """The user's e-mail address, and whether the daily digest of notifications goes there."""
    account = request.state.account
    require(request, "account.manage", Target(owner_id=account.id))
    form = await read_form(request)
    wanted = form.get("email_notifications") == "ja"
    try:
        await run_in_threadpool(request.app.state.domain.set_email, account.id, form.get("email", ""), wanted)
    except DomainError as e:
        return await account_page(request, {"values": form, "errors": field_errors(e)}, status_code=422)
    return redirect(request, "/konto?endret=varsler#email")


def password_errors(form: dict[str, str], account) -> dict[str, str]:
    errors = {}
    if not verify_password(account.password_hash, form.get("current", "")):
        errors["current"] = _("Nåværende passord stemmer ikke.")
    new = form.get("new", "")
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new"] = _("Passordet må ha minst %(n)s tegn.") % {"n": MIN_PASSWORD_LENGTH}
    elif new == form.get("current"):
        errors["new"] = _("Velg et annet passord enn det du har nå.")
    if form.get("repeat", "") != new:
        errors["repeat"] = _("Passordene er ikke like.")
    return errors


async def password_page(request: Request) -> Response:
    """Change one's own password (required after an administrator's reset)."""
    account = request.state.account
    require(request, "account.manage", Target(owner_id=account.id))
    if request.method == "GET":
        return render(request, "account/password.html", {"errors": {}, "account": account})
    form = await read_form(request)
    errors = await run_in_threadpool(password_errors, form, account)
    if errors:
        return render(request, "account/password.html", {"errors": errors, "account": account},
                      status_code=422)
    await run_in_threadpool(
        request.app.state.domain.set_password_hash, account.id, hash_password(form["new"]), False
    )
    return redirect(request, "/konto?endret=passord")


def qr_svg(uri: str) -> Markup:
    # segno escapes nothing we pass that could break out: the URI is ours.
    return Markup(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR-kode for autentiseringsapp")))


async def totp_page(request: Request) -> Response:
    """Set up an authenticator app: scan the QR code, confirm with a code, keep the recovery codes."""
    account = request.state.account
    session = request.state.session
    if session.stage == ACTIVE:
        require(request, "account.manage", Target(owner_id=account.id))
    elif session.stage != NEEDS_ENROLMENT:
        return redirect(request, "/")
    if request.method == "GET":
        secret = totp.new_secret()
        return render(request, "account/totp.html",
                      _totp_context(account, secret, None, bool(request.app.state.settings.webauthn_origin)))
    form = await read_form(request)
    secret = form.get("secret", "")
    step = totp.matching_step(secret, form.get("code", "")) if len(secret) == 32 else None
    if step is None:
        context = _totp_context(account, secret or totp.new_secret(), _("Koden stemmer ikke. Prøv den neste koden appen viser."))
        return render(request, "account/totp.html", context, status_code=422)
    codes = totp.new_recovery_codes()
    await run_in_threadpool(
        request.app.state.domain.enrol_totp, account.id, secret, step,
        [totp.hash_recovery_code(c) for c in codes],
    )
    if session.stage != ACTIVE:
        request.app.state.sessions.set_stage(session, ACTIVE)
    return render(request, "account/recovery_codes.html", {"codes": codes})


def _totp_context(account, secret: str, error: str | None, passkeys_offered: bool = False) -> dict:
    uri = totp.provisioning_uri(secret, account.username, ISSUER)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return {"secret": secret, "grouped_secret": grouped, "qr": qr_svg(uri), "error": error,
            "account": account, "passkeys_offered": passkeys_offered}


async def language(request: Request) -> Response:
    """Choose the interface language: kept on the user's account, or in a cookie before sign-in."""
    form = await read_form(request)
    chosen = i18n.choose(form.get("language"))
    account = request.state.account
    if account is not None and request.state.user is not None:
        await run_in_threadpool(request.app.state.domain.choose_language, account.id, chosen)
    response = redirect(request, form.get("next", "/"))  # redirect() keeps it on this site
    response.set_cookie(i18n.COOKIE, chosen, max_age=365 * 24 * 3600, httponly=True, samesite="lax",
                        secure=request.app.state.settings.secure_cookies, path="/")
    return response


routes = [
    Route("/konto/sprak", language, methods=["POST"], name="language"),
    Route("/konto", account_page, name="account"),
    Route("/konto/varsler", email_settings, methods=["POST"], name="account_email"),
    Route("/konto/passord", password_page, methods=["GET", "POST"], name="account_password"),
    Route("/konto/totp", totp_page, methods=["GET", "POST"], name="account_totp"),
]
