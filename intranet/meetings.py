"""The resource team (ressursteam): meetings, bringing cases (anonymised by
default), general issues, minutes and their approval, and the yearly wheel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.application import NotFound
from events.consents import best_consent_for
from events.errors import DomainError, RecordErased
from events.meetings import KINDS, SERVICES, ConsentDoesNotCoverMeeting, InvalidMeeting
from events.policy import Target
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form, read_multi
from intranet.guard import current_user, record_access, require
from intranet.i18n import N_, _
from intranet.templating import render

# Marked with N_(): templates show them as {{ _(kinds[m.kind]) }}.
KIND_NAMES = {"spring": N_("Vårmøte"), "autumn": N_("Høstmøte"), "extra": N_("Ekstramøte")}
SERVICE_NAMES = {"barnevern": N_("Barnevernet"), "helsestasjon": N_("Helsestasjonen"), "ppt": N_("PPT"),
                 "unit_leader": N_("Enhetens leder")}
async def load_meeting(request: Request, action: str):
    meeting_id = parse_uuid(request.path_params["meeting_id"])
    if meeting_id is None:
        raise HTTPException(404, "record")
    try:
        meeting = await run_in_threadpool(request.app.state.domain.get_meeting, meeting_id)
    except NotFound:
        raise HTTPException(404, "record") from None
    require(request, action, Target.meeting(meeting), record=True)
    return meeting


# -- the list and scheduling ---------------------------------------------------------------
async def meetings(request: Request) -> Response:
    """The meetings I take part in."""
    user = require(request, "meetings.list")
    view = request.app.state.projections["meetings"].view

    def load():
        rows = {r["id"]: r for r in view.led_by(user.id)}
        if user.role == "unit_leader":
            rows.update({r["id"]: r for r in view.for_unit(user.unit_id)})
        if user.role == "resource_team":
            rows.update({r["id"]: r for r in view.for_service(user.service)})
        return sorted(rows.values(), key=lambda r: r["held_on"], reverse=True)

    return render(request, "meetings/list.html", {"meetings": await run_in_threadpool(load), "kinds": KIND_NAMES,
                                                  "today": clock.today().isoformat(), "active": "meetings"})


async def schedule(request: Request) -> Response:
    """Plan a meeting: spring, autumn or extra, for one or more units, with the services attending."""
    user = require(request, "meeting.schedule")
    state = request.app.state
    units = await run_in_threadpool(state.projections["directory"].view.units)
    context: dict[str, Any] = {"units": units, "kinds": KIND_NAMES, "services": SERVICE_NAMES, "errors": {},
                               "values": {"unit_ids": [], "services": list(SERVICES)}, "active": "meetings"}
    if request.method == "GET":
        return render(request, "meetings/new.html", context)
    form = await read_form(request)
    unit_ids = [parse_uuid(u) for u in await read_multi(request, "unit_ids")]
    services = await read_multi(request, "services")
    errors = {}
    held_on = parse_date(form.get("held_on", ""))
    if held_on is None:
        errors["held_on"] = _("Skriv en gyldig dato.")
    if form.get("kind") not in KINDS:
        errors["kind"] = _("Velg type møte.")
    if not unit_ids or None in unit_ids:
        errors["unit_ids"] = _("Velg minst én enhet.")
    if not services or any(s not in SERVICES for s in services):
        errors["services"] = _("Velg hvem som deltar.")
    if not errors:
        meeting_id = await run_in_threadpool(state.domain.schedule_meeting, form["kind"], held_on, unit_ids,
                                             services, user.id, form.get("place", "").strip())
        state.projections.wait()
        return redirect(request, f"/ressursteam/{meeting_id}")
    context.update(errors=errors, values={**form, "unit_ids": [str(u) for u in unit_ids if u], "services": services})
    return render(request, "meetings/new.html", context, status_code=422)


# -- the meeting page ------------------------------------------------------------------------
def meeting_context(request: Request, meeting) -> dict[str, Any]:
    domain = request.app.state.domain
    units = {u["id"]: u for u in request.app.state.projections["directory"].view.units()}
    cases = []
    for case_id in meeting.case_ids:
        try:
            cases.append(domain.get_meeting_case(case_id))
        except (NotFound, RecordErased):
            continue  # the child was erased
    user = request.state.user
    return {
        "meeting": meeting, "cases": cases, "kinds": KIND_NAMES, "services": SERVICE_NAMES,
        "unit_names": [units[str(u)]["name"] for u in meeting.unit_ids if str(u) in units],
        "is_leader": user.id == meeting.leader_id,
        "may_bring": user.role == "unit_leader" and user.unit_id in meeting.unit_ids,
        "leader_name": domain.get_user(meeting.leader_id).name, "errors": {}, "values": {},
        "active": "meetings",
    }


async def meeting_page(request: Request) -> Response:
    """One meeting: the cases brought (anonymised unless by name), general issues, minutes."""
    meeting = await load_meeting(request, "meeting.view")
    context = await run_in_threadpool(meeting_context, request, meeting)
    await record_access(request, [c.child_id for c in context["cases"]],
                        ["meeting_case" if c.mode == "anonymous" else "meeting_case.named" for c in context["cases"]],
                        reason="ressursteam")
    return render(request, "meetings/page.html", context)


async def meeting_action(request: Request) -> Response:
    """A general issue, advice on one, or the approval of the minutes."""
    action = request.path_params["action"]
    permission = {"generelt": "meeting.general", "godkjenn": "meeting.approve", "rad": "meeting.minute"}.get(action)
    if permission is None:
        raise HTTPException(404)
    meeting = await load_meeting(request, permission)
    user = current_user(request)
    form = await read_form(request)
    domain = request.app.state.domain
    errors: dict[str, str] = {}
    try:
        if action == "generelt":
            await run_in_threadpool(domain.add_general_issue, meeting.id, form.get("title", ""),
                                    form.get("text", ""), user.id)
        elif action == "rad":
            no = int(form["no"]) if form.get("no", "").isdigit() else 0
            await run_in_threadpool(domain.minute_general, meeting.id, no, form.get("advice", ""))
        else:
            await run_in_threadpool(domain.approve_minutes, meeting.id, user.id)
    except DomainError as e:
        errors = field_errors(e)
    if errors:
        meeting = await run_in_threadpool(domain.get_meeting, meeting.id)
        context = await run_in_threadpool(meeting_context, request, meeting)
        context.update(errors=errors, values=form)
        await record_access(request, [c.child_id for c in context["cases"]], ["meeting_case"], reason="ressursteam")
        return render(request, "meetings/page.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/ressursteam/{meeting.id}")


async def minute_case(request: Request) -> Response:
    """The meeting leader minutes the advice given on one case."""
    case_id = parse_uuid(request.path_params["case_id"])
    domain = request.app.state.domain
    try:
        case = await run_in_threadpool(domain.get_meeting_case, case_id) if case_id else None
        meeting = await run_in_threadpool(domain.get_meeting, case.meeting_id) if case else None
    except (NotFound, RecordErased):
        meeting = None
    if meeting is None:
        raise HTTPException(404, "record")
    require(request, "meeting.minute", Target.meeting(meeting), record=True)
    form = await read_form(request)
    try:
        await run_in_threadpool(domain.minute_case, case.id, form.get("advice", ""))
    except DomainError as e:
        context = await run_in_threadpool(meeting_context, request, meeting)
        context.update(errors={f"advice-{case.id}": field_errors(e).popitem()[1]}, values=form)
        await record_access(request, [c.child_id for c in context["cases"]], ["meeting_case"], reason="ressursteam")
        return render(request, "meetings/page.html", context, status_code=422)
    return redirect(request, f"/ressursteam/{meeting.id}#sak-{case.id}")


# -- bringing a case ----------------------------------------------------------------------------
async def bring_case(request: Request) -> Response:
    """Bring a concern: anonymised (the default, redacted text you can edit) or by name (consent)."""
    meeting = await load_meeting(request, "meeting.bring")
    user = current_user(request)
    state = request.app.state
    domain = state.domain
    form: dict[str, str] = {}
    if request.method == "POST":
        form = await read_form(request)
    concern_id = parse_uuid(form.get("concern_id") or request.query_params.get("bekymring"))
    concerns_view = state.projections["concerns"].view
    directory = state.projections["directory"]

    def choices():
        rows = concerns_view.in_unit(user.unit_id, "open", 0, 200)
        return [(UUID(r["id"]), directory.child_name(UUID(r["child_id"])) or "?", UUID(r["child_id"])) for r in rows]

    options = await run_in_threadpool(choices)
    context: dict[str, Any] = {"meeting": meeting, "options": options, "services": SERVICE_NAMES, "errors": {},
                               "values": form, "concern_id": concern_id, "active": "meetings", "labels": labels}
    if concern_id is None or concern_id not in {o[0] for o in options}:
        await record_access(request, [o[2] for o in options], ["child.name", "concern.list"], reason="ressursteam")
        return render(request, "meetings/bring.html", context)

    def details():
        concern = domain.get_concern(concern_id)
        consents = domain.consents_of(concern.child_id)
        coverage = {s: best_consent_for(consents, s, meeting.held_on)[1] for s in meeting.services if s != "unit_leader"}
        return concern, coverage, domain.redacted_concern_text(concern_id)

    concern, coverage, redacted = await run_in_threadpool(details)
    context.update(concern=concern, coverage=coverage, named_allowed=all(c.ok for c in coverage.values()))
    context["values"] = {"mode": "anonymous", "text": redacted, **form}
    status = 200
    if request.method == "POST":
        mode = form.get("mode", "anonymous")
        try:
            await run_in_threadpool(domain.bring_case, meeting.id, concern_id, mode, form.get("text", ""), user.id)
            state.projections.wait()
            return redirect(request, f"/ressursteam/{meeting.id}")
        except (ConsentDoesNotCoverMeeting, InvalidMeeting) as e:
            context["errors"] = field_errors(e)
        status = 422
    await record_access(request, [concern.child_id], ["concern", "child.name"], reason="ressursteam")
    return render(request, "meetings/bring.html", context, status_code=status)


routes = [
    Route("/ressursteam", meetings, name="meetings"),
    Route("/ressursteam/nytt", schedule, methods=["GET", "POST"], name="schedule_meeting"),
    Route("/ressursteam/sak/{case_id}/rad", minute_case, methods=["POST"], name="minute_case"),
    Route("/ressursteam/{meeting_id}", meeting_page, name="meeting"),
    Route("/ressursteam/{meeting_id}/sak", bring_case, methods=["GET", "POST"], name="bring_case"),
    Route("/ressursteam/{meeting_id}/{action}", meeting_action, methods=["POST"], name="meeting_action"),
]
