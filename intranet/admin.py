"""Administration of the directory: users, roles, units. Admins never see cases."""

from __future__ import annotations

import re
import secrets
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.application import NotFound
from events.errors import DomainError
from events.directory import ROLES, SERVICES, UNIT_KINDS, UNIT_ROLES, InvalidRole
from intranet.auth import redirect
from intranet.error_messages import field_errors
from intranet.forms import page_number, parse_uuid, read_form
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.passwords import hash_password
from intranet.templating import render

PAGE_SIZE = 50
USERNAME = re.compile(r"^[a-z][a-z0-9.\-]{1,39}$")

# Marked with N_(): translated where they are shown.
ROLE_NAMES = {
    "staff": N_("Ansatt"),
    "unit_leader": N_("Enhetsleder (styrer/rektor)"),
    "resource_team": N_("Ressursteam"),
    "privacy_officer": N_("Personvernombud"),
    "municipal_leader": N_("Kommunalsjef"),
    "admin": N_("Administrator"),
}
SERVICE_NAMES = {"barnevern": N_("Barnevern"), "helsestasjon": N_("Helsestasjon"), "ppt": N_("PPT")}


def temporary_password() -> str:
    return secrets.token_urlsafe(12)


def role_errors(form: dict[str, str]) -> tuple[dict[str, str], tuple]:
    """Check role, unit and service together; return errors and the parsed values."""
    errors: dict[str, str] = {}
    role = form.get("role", "")
    unit_id = parse_uuid(form.get("unit_id"))
    service = form.get("service") or None
    if role not in ROLES:
        errors["role"] = _("Velg en rolle.")
    elif role in UNIT_ROLES and unit_id is None:
        errors["unit_id"] = _("Denne rollen hører til en enhet. Velg enhet.")
    elif role == "resource_team" and service not in SERVICES:
        errors["service"] = _("Velg hvilken tjeneste personen representerer i ressursteamet.")
    if role not in UNIT_ROLES:
        unit_id = None
    if role != "resource_team":
        service = None
    return errors, (role, unit_id, service)


async def users_page(request: Request) -> Response:
    """All users, a page at a time."""
    require(request, "directory.manage")
    page = page_number(request)
    state = request.app.state

    def load():
        rows = state.projections["directory"].view.users(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
        users = [state.domain.get_user(UUID(r["id"])) for r in rows[:PAGE_SIZE]]
        units = {u["id"]: u["name"] for u in state.projections["directory"].view.units()}
        return users, units, len(rows) > PAGE_SIZE

    users, units, more = await run_in_threadpool(load)
    users.sort(key=lambda u: u.name)
    return render(request, "admin/users.html", {
        "users": users, "units": units, "page": page, "more": more, "role_names": ROLE_NAMES,
    })


def new_user_errors(state, form: dict[str, str]) -> tuple[dict[str, str], tuple, str]:
    """What is wrong with a new user's form; the role, unit and service; the username."""
    errors, role = role_errors(form)
    username = form.get("username", "").strip().lower()
    if not USERNAME.match(username):
        errors["username"] = _("Brukernavn: små bokstaver, tall, punktum eller bindestrek (2–40 tegn), og det må starte med en bokstav.")
    elif state.projections["directory"].view.user_id_by_username_index(state.domain.blind_index(username)):
        errors["username"] = _("Brukernavnet er i bruk.")
    if not form.get("name", "").strip():
        errors["name"] = _("Skriv inn fullt navn.")
    return errors, role, username


async def new_user_page(request: Request) -> Response:
    """Create a user with a temporary password, shown once."""
    require(request, "directory.manage")
    state = request.app.state
    units = await run_in_threadpool(state.projections["directory"].view.units)
    context = {"units": units, "roles": ROLE_NAMES, "services": SERVICE_NAMES, "values": {}, "errors": {}}
    if request.method == "GET":
        return render(request, "admin/user_new.html", context)
    form = await read_form(request)
    errors, (role, unit_id, service), username = await run_in_threadpool(new_user_errors, state, form)
    if errors:
        context.update(values=form, errors=errors)
        return render(request, "admin/user_new.html", context, status_code=422)
    password = temporary_password()
    user_id = await run_in_threadpool(
        state.domain.register_user, username, form["name"].strip(), form.get("title", "").strip(),
        role, unit_id, service, hash_password(password),
    )
    state.projections.wait()
    return render(request, "admin/password_shown.html", {"username": username, "password": password, "user_id": user_id})


async def _load_user(request: Request, user_id_text: str):
    user_id = parse_uuid(user_id_text)
    if user_id is None:
        raise HTTPException(404)
    try:
        return await run_in_threadpool(request.app.state.domain.get_user, user_id)
    except NotFound:
        raise HTTPException(404) from None


async def user_page(request: Request) -> Response:
    """One user: role and unit, password reset, second factor, deactivation."""
    require(request, "directory.manage")
    user = await _load_user(request, request.path_params["user_id"])
    values = {"role": user.role, "unit_id": str(user.unit_id or ""), "service": user.service or ""}
    return await _user_page(request, user, values, {})


async def _user_page(request: Request, user, values: dict[str, str], errors: dict[str, str]) -> Response:
    units = await run_in_threadpool(request.app.state.projections["directory"].view.units)
    return render(request, "admin/user.html", {
        "account": user, "units": units, "roles": ROLE_NAMES, "services": SERVICE_NAMES,
        "errors": errors, "values": values,
    }, status_code=422 if errors else 200)


# action in the URL -> (the named command on the account, whether it ends the user's sessions)
ACCOUNT_COMMANDS = {"deaktiver": ("deactivate_user", True), "aktiver": ("reactivate_user", False),
                    "totp-nullstill": ("reset_totp", True)}


async def user_action(request: Request) -> Response:
    """Change a user: every change is an event, and ends the user's sessions where it must."""
    require(request, "directory.manage")
    user = await _load_user(request, request.path_params["user_id"])
    form = await read_form(request)
    state = request.app.state
    action = request.path_params["action"]
    if action == "rolle":
        errors = await run_in_threadpool(_assign_role, state.domain, user.id, form)
        if errors:
            return await _user_page(request, user, form, errors)
    elif action == "passord":
        password = temporary_password()
        await run_in_threadpool(state.domain.set_password_hash, user.id, hash_password(password), True)
        state.sessions.revoke_user(user.id)
        return render(request, "admin/password_shown.html", {"username": user.username, "password": password, "user_id": user.id})
    elif action in ACCOUNT_COMMANDS:
        command, ends_sessions = ACCOUNT_COMMANDS[action]
        await run_in_threadpool(getattr(state.domain, command), user.id)
        if ends_sessions:
            state.sessions.revoke_user(user.id)
    else:
        raise HTTPException(404)
    state.projections.wait()
    return redirect(request, f"/admin/brukere/{user.id}")


def _assign_role(domain, user_id: UUID, form: dict[str, str]) -> dict[str, str]:
    """Give the user the role, unit and service in the form: the errors, if any."""
    errors, (role, unit_id, service) = role_errors(form)
    if not errors:
        try:
            domain.assign_role(user_id, role, unit_id, service)
        except InvalidRole as e:  # pragma: no cover - role_errors checks the same
            errors = field_errors(e)
    return errors


async def units_page(request: Request) -> Response:
    """The municipality and its units, and a form to add one."""
    require(request, "directory.manage")
    state = request.app.state
    context = {"kinds": UNIT_KINDS, "values": {}, "errors": {}}
    if request.method == "POST":
        form = await read_form(request)
        errors = {}
        if not form.get("name", "").strip():
            errors["name"] = _("Skriv inn enhetens navn.")
        if form.get("kind") not in UNIT_KINDS:
            errors["kind"] = _("Velg type enhet.")
        if errors:
            context.update(values=form, errors=errors)
        else:
            await run_in_threadpool(state.domain.register_unit, form["name"].strip(), form["kind"])
            state.projections.wait()
            return redirect(request, "/admin/enheter")
    return await _units_page(request, context)


async def _units_page(request: Request, context: dict, municipality_values: dict | None = None,
                      municipality_errors: dict | None = None) -> Response:
    state = request.app.state

    def load():
        # A municipality has tens of units: each is read for its address.
        rows = state.projections["directory"].view.units()
        return [state.domain.get_unit(UUID(r["id"])) for r in rows], state.domain.municipality()

    units, municipality = await run_in_threadpool(load)
    known = {"number": municipality.number, "name": municipality.name} if municipality else {}
    context.update(units=units, municipality=municipality, municipality_values=municipality_values or known,
                   municipality_errors=municipality_errors or {})
    failed = context["errors"] or municipality_errors
    return render(request, "admin/units.html", context, status_code=422 if failed else 200)


async def municipality_form(request: Request) -> Response:
    """Set the municipality's number and name (a report to barnevernet names them)."""
    require(request, "directory.manage")
    if request.method == "GET":  # a reload after a failed post lands here
        return redirect(request, "/admin/enheter")
    form = await read_form(request)
    try:
        await run_in_threadpool(request.app.state.domain.set_municipality, form.get("number", ""), form.get("name", ""))
    except DomainError as e:
        return await _units_page(request, {"kinds": UNIT_KINDS, "values": {}, "errors": {}}, form, field_errors(e))
    return redirect(request, "/admin/enheter")


async def unit_page(request: Request) -> Response:
    """One unit: its postal address and city district."""
    require(request, "directory.manage")
    unit_id = parse_uuid(request.path_params["unit_id"])
    domain = request.app.state.domain
    try:
        if unit_id is None:
            raise NotFound("record.not_found")
        await run_in_threadpool(domain.check_unit, unit_id)
        unit = await run_in_threadpool(domain.get_unit, unit_id)
    except NotFound:
        raise HTTPException(404) from None
    values = {**unit.address, "district_number": unit.district_number, "district_name": unit.district_name}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = await read_form(request)
        try:
            await run_in_threadpool(domain.set_unit_address, unit_id, *(values.get(k, "") for k in LOCATION_FIELDS))
            return redirect(request, "/admin/enheter")
        except DomainError as e:
            errors = field_errors(e)
    return render(request, "admin/unit.html", {"unit": unit, "values": values, "errors": errors, "active": "units"},
                  status_code=422 if errors else 200)


LOCATION_FIELDS = ("street", "postcode", "place", "district_number", "district_name")


async def erasures_page(request: Request) -> Response:
    """Erasure requests from the privacy officer, for an admin to confirm or reject."""
    require(request, "erasure.confirm")
    state = request.app.state

    def load():
        units = {u["id"]: u["name"] for u in state.projections["directory"].view.units()}
        rows = state.projections["access_log"].view.pending_erasures()
        out = []
        for row in rows:
            request_ = state.domain.get_erasure_request(UUID(row["id"]))
            # Admins do not see the child: its id stays out of the page.
            out.append({"id": row["id"], "requested_at": row["requested_at"], "reason": request_.reason,
                        "unit": units.get(row["unit_id"], "–"),
                        "requester": state.domain.get_user(request_.requested_by).name})
        return out

    return render(request, "admin/erasures.html", {"requests": await run_in_threadpool(load), "active": "erasures"})


async def erasure_decision(request: Request) -> Response:
    """Confirm (shred the child's key) or reject an erasure request."""
    user = require(request, "erasure.confirm")
    await read_form(request)
    request_id = parse_uuid(request.path_params["request_id"])
    decision = request.path_params["decision"]
    if request_id is None or decision not in ("bekreft", "avvis"):
        raise HTTPException(404)
    domain = request.app.state.domain
    try:
        if decision == "bekreft":
            await run_in_threadpool(domain.confirm_erasure, request_id, user.id)
        else:
            await run_in_threadpool(domain.reject_erasure, request_id, user.id, "avvist av administrator")
    except (NotFound, DomainError):
        pass  # unknown or already decided: the list shows what is pending

    request.app.state.projections.wait()
    return redirect(request, "/admin/sletting")


routes = [
    Route("/admin/sletting", erasures_page, name="admin_erasures"),
    Route("/admin/sletting/{request_id}/{decision}", erasure_decision, methods=["POST"], name="admin_erasure_decision"),
    Route("/admin/brukere", users_page, name="admin_users"),
    Route("/admin/brukere/ny", new_user_page, methods=["GET", "POST"], name="admin_new_user"),
    Route("/admin/brukere/{user_id}", user_page, name="admin_user"),
    Route("/admin/brukere/{user_id}/{action}", user_action, methods=["POST"], name="admin_user_action"),
    Route("/admin/enheter", units_page, methods=["GET", "POST"], name="admin_units"),
    Route("/admin/enheter/{unit_id}", unit_page, methods=["GET", "POST"], name="admin_unit"),
    Route("/admin/kommune", municipality_form, methods=["GET", "POST"], name="admin_municipality"),
]
