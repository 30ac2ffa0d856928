"""The resource team (ressursteam): meetings, bringing cases (anonymised by
default), general issues, minutes and their approval, and the yearly wheel."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.anonymisation import highlight
from events.application import NotFound
from events.consents import best_consent_for
from events.errors import RecordErased
from events.meetings import SERVICES, TIME, ConsentDoesNotCoverMeeting, InvalidMeeting, Meeting
from events.policy import Target, may
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors, run_command
from intranet.errors import RESTRICTED
from intranet.forms import parse_int, parse_uuid, read_form, read_multi
from intranet.guard import current_user, require
from intranet.i18n import N_, _
from intranet.records import Shown, load_record, permitted, show, show_record
from intranet.templating import render

# Marked with N_(): templates show them as {{ _(kinds[m.kind]) }}.
KIND_NAMES = {"spring": N_("Vårmøte"), "autumn": N_("Høstmøte"), "extra": N_("Ekstramøte"),
              "ressursgruppe": N_("Ressursgruppemøte"), "bup": N_("BUP-konsultasjon"),
              "school_transfer": N_("Overføringsmøte skole–skole"),
              "preschool_transfer": N_("Overføringsmøte barnehage–skole"), "slt": N_("SLT-møte"),
              "lederforum": N_("Lederforum")}
# Marked with N_(): templates show them as {{ _(arenas[s.kind]) }} (intranet/series.py).
ARENA_NAMES = {"resource_team": N_("Ressursteam"), "ressursgruppe": N_("Ressursgruppe"),
               "bup": N_("BUP-konsultasjon"), "school_transfer": N_("Overføringsmøte skole–skole"),
               "preschool_transfer": N_("Overføringsmøte barnehage–skole"), "slt": N_("SLT-møte"),
               "lederforum": N_("Lederforum")}
RULE_NAMES = {"every_6th_week": N_("Hver 6. uke"), "monthly": N_("Hver måned, samme ukedag"),
              "last_thursday": N_("Siste torsdag i måneden"), "half_yearly": N_("Vår og høst (hvert halvår)"),
              "yearly": N_("Hvert år")}
# The kinds a single meeting is planned as (the form); the others come from a series.
SCHEDULED_KINDS = ("spring", "autumn", "extra")
SERVICE_NAMES = {"barnevern": N_("Barnevernet"), "helsestasjon": N_("Helsestasjonen"), "ppt": N_("PPT"),
                 "unit_leader": N_("Enhetens leder")}
# -- the list and scheduling ---------------------------------------------------------------
async def meetings(request: Request) -> Response:
    """The meetings I take part in."""
    user = require(request, "meetings.list")
    view = request.app.state.projections["meetings"].view

    def load():
        rows = {r["id"]: r for r in view.led_by(user.id)}
        rows.update({r["id"]: r for r in view.invited(user.id)})
        if user.role == "unit_leader":
            rows.update({r["id"]: r for r in view.for_unit(user.unit_id)})
        if user.role == "resource_team":
            rows.update({r["id"]: r for r in view.for_service(user.service)})
        series = permitted(request, "series", "series.view", request.app.state.projections["series"].view.all())
        return sorted(rows.values(), key=lambda r: r["held_on"], reverse=True), series

    meetings, series = await run_in_threadpool(load)
    return render(request, "meetings/list.html", {
        "meetings": meetings, "series": series, "kinds": KIND_NAMES, "arenas": ARENA_NAMES, "rules": RULE_NAMES,
        "plans_series": may(user, "series.plan"), "schedules": may(user, "meeting.schedule"), "today": clock.today().isoformat(), "active": "meetings"})


def people(request: Request) -> dict[UUID, str]:
    """The active users, by name, who may be named to a meeting (runs in the threadpool)."""
    state = request.app.state
    users = state.projections["directory"].view.users(0, 200)
    return state.names.users(UUID(u["id"]) for u in users if u["active"])


def schedule_errors(form: dict[str, str], unit_ids: list[UUID | None], services: list[str]):
    """The meeting's date, and what is wrong with the form."""
    errors = {}
    held_on = parse_date(form.get("held_on", ""))
    if held_on is None:
        errors["held_on"] = _("Skriv datoen.") if not form.get("held_on", "").strip() else _("Skriv en gyldig dato.")
    starts_at = form.get("starts_at", "").strip()
    if not TIME.match(starts_at):
        errors["starts_at"] = _("Skriv klokkeslettet.") if not starts_at else _("Skriv klokkeslettet som tt:mm.")
    if form.get("kind") not in SCHEDULED_KINDS:
        errors["kind"] = _("Velg type møte.")
    if not unit_ids or None in unit_ids:
        errors["unit_ids"] = _("Velg minst én enhet.")
    if not services or any(s not in SERVICES for s in services):
        errors["services"] = _("Velg hvem som deltar.")
    return held_on, errors


async def schedule(request: Request) -> Response:
    """Plan a meeting: spring, autumn or extra, for one or more units, with the services attending."""
    user = require(request, "meeting.schedule")
    state = request.app.state
    units = await run_in_threadpool(state.projections["directory"].view.units)
    kinds = {k: KIND_NAMES[k] for k in SCHEDULED_KINDS}
    context: dict[str, Any] = {"units": units, "kinds": kinds, "services": SERVICE_NAMES, "errors": {},
                               "people": await run_in_threadpool(people, request),
                               "values": {"unit_ids": [], "services": list(SERVICES), "invitee_ids": []},
                               "active": "meetings"}
    if request.method == "GET":
        return render(request, "meetings/new.html", context)
    form = await read_form(request)
    unit_ids = [parse_uuid(u) for u in await read_multi(request, "unit_ids")]
    invitee_ids = [parse_uuid(u) for u in await read_multi(request, "invitee_ids")]
    services = await read_multi(request, "services")
    held_on, errors = schedule_errors(form, unit_ids, services)
    if None in invitee_ids:
        errors["invitee_ids"] = _("Velg deltakerne fra listen.")
    if not errors:
        meeting_id = await run_in_threadpool(state.domain.schedule_meeting, form["kind"], held_on, unit_ids,
                                             services, user.id, form.get("place", "").strip(),
                                             form["starts_at"].strip(), invitee_ids)
        state.projections.wait()
        return redirect(request, f"/ressursteam/{meeting_id}")
    context.update(errors=errors, values={**form, "unit_ids": [str(u) for u in unit_ids if u], "services": services,
                                          "invitee_ids": [str(u) for u in invitee_ids if u]})
    return render(request, "meetings/new.html", context, status_code=422)


# -- the meeting page ------------------------------------------------------------------------
WITHHELD = {"withheld": True}  # a case the user may not see: no child, no text
# action in the URL -> (permission, the named command on the meeting)
ACTIONS = {"generelt": ("meeting.general", "add_general_issue"), "rad": ("meeting.minute", "minute_general"),
           "referat": ("meeting.minute", "write_minutes"), "godkjenn": ("meeting.approve", "approve_minutes"),
           "avlys": ("meeting.cancel", "cancel_meeting")}


def meeting_reads(request: Request, meeting: Meeting, errors: dict[str, str] | None = None,
                  values: dict[str, str] | None = None) -> tuple[dict[str, Any], Shown]:
    """Everything the meeting page shows, and which children's cases (runs in the threadpool)."""
    domain = request.app.state.domain
    units = {u["id"]: u for u in request.app.state.projections["directory"].view.units()}
    user = current_user(request)
    cases: list[Any] = []
    for case_id in meeting.case_ids:
        try:
            case = domain.get_meeting_case(case_id)
            restricted = domain.get_child(case.child_id).restricted
        except (NotFound, RecordErased):
            continue  # the child was erased
        # A restricted child's case keeps its place, in the words every restricted record has.
        cases.append(case if may(user, "meeting_case.view", Target.meeting_case(case, meeting, restricted))
                     else WITHHELD)
    shown = [c for c in cases if c is not WITHHELD]
    names = request.app.state.names
    invitees = request.app.state.projections["directory"].view.meeting_invitees(meeting.unit_ids, meeting.services)
    named_people = names.users(meeting.invitee_ids)
    context = {
        "meeting": meeting, "cases": cases, "kinds": KIND_NAMES, "services": SERVICE_NAMES,
        "invitees": names.users({meeting.leader_id, *invitees, *meeting.invitee_ids, *meeting.attendee_ids}),
        "named_people": sorted(named_people.values()), "takes_cases": bool(meeting.modes),
        "attendees": names.users(meeting.attendee_ids),
        "sees_notes": may(user, "meeting.notes", Target.meeting(meeting)),
        "unit_names": [units[str(u)]["name"] for u in meeting.unit_ids if str(u) in units],
        "is_leader": user.id == meeting.leader_id, "not_held_yet": meeting.held_on > clock.today(),
        "is_open": not (meeting.cancelled or meeting.minutes_approved),
        "may_cancel": meeting.cancellable(clock.today()) and may(user, "meeting.cancel", Target.meeting(meeting)),
        "cancelled_by_name": domain.get_user(meeting.cancelled_by).name if meeting.cancelled_by else "",
        "may_bring": may(user, "meeting.bring", Target.meeting(meeting)),
        "leader_name": domain.get_user(meeting.leader_id).name, "errors": errors or {}, "values": values or {},
        "active": "meetings", "restricted": [_(words) for words in RESTRICTED],
        # approved, anonymous cases the user may propose for the binder's «Caser»
        "proposable": {c.id for c in shown if meeting.minutes_approved and c.mode == "anonymous"
                       and may(user, "case_bank.propose", Target.meeting_case(c, meeting))},
    }
    records = ["meeting_case" if c.mode == "anonymous" else "meeting_case.named" for c in shown]
    return context, Shown([c.child_id for c in shown], records, reason="ressursteam")


async def meeting_page(request: Request) -> Response:
    """One meeting: the cases brought (anonymised unless by name), general issues, minutes."""
    return await show_record(request, "meeting", "meeting.view", "meetings/page.html",
                             lambda record: meeting_reads(request, record.value))


async def meeting_action(request: Request) -> Response:
    """A general issue, advice on one, the minutes, their approval, or cancelling the meeting."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    permission, command = ACTIONS[action]
    record = await load_record(request, "meeting", permission)
    form = await read_form(request)
    if action == "referat":
        form["attendee_ids"] = await read_multi(request, "attendee_ids")
        arguments, errors = minutes_arguments(form)
    else:
        arguments, errors = _arguments(action, form, current_user(request).id), {}
    if not errors:
        errors = await run_in_threadpool(run_command, request.app.state.domain, command, record.value.id, *arguments)
    if errors:
        return await show_record(request, "meeting", "meeting.view", "meetings/page.html",
                                 lambda shown: meeting_reads(request, shown.value, errors, form), status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/ressursteam/{record.value.id}")


def minutes_arguments(form: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, str]]:
    """The minutes' attendees, free text and next meeting from the posted form, and
    what is wrong with them before the domain is asked."""
    errors = {}
    attendees = [parse_uuid(u) for u in form["attendee_ids"]]
    if None in attendees:
        errors["attendee_ids"] = _("Velg deltakerne fra listen.")
    text = form.get("next_on", "").strip()
    next_on = parse_date(text) if text else None
    if text and next_on is None:
        errors["next_on"] = _("Skriv en gyldig dato.")
    return (attendees, form.get("notes", "").strip(), next_on, form.get("next_at", "").strip()), errors


def _arguments(action: str, form: dict[str, str], user_id: UUID) -> tuple[Any, ...]:
    """The command's arguments after the meeting's id, from the posted form."""
    if action == "generelt":
        return form.get("title", ""), form.get("text", ""), user_id
    if action == "rad":
        return parse_int(form.get("no")) or 0, form.get("advice", "")
    if action == "avlys":
        return form.get("reason", ""), user_id
    return (user_id,)


async def minute_case(request: Request) -> Response:
    """The meeting leader minutes the advice given on one case."""
    record = await load_record(request, "meeting_case", "meeting_case.minute")
    case, meeting = record.value, record.related["meeting"]
    form = await read_form(request)
    errors = await run_in_threadpool(run_command, request.app.state.domain, "minute_case", case.id,
                                    form.get("advice", ""))
    if errors:
        errors = {f"advice-{case.id}": errors.popitem()[1]}
        return await show(request, "meetings/page.html", lambda: meeting_reads(request, meeting, errors, form),
                          status_code=422)
    return redirect(request, f"/ressursteam/{meeting.id}#sak-{case.id}")


# -- bringing a case ----------------------------------------------------------------------------
def open_concerns(request: Request) -> list[tuple[UUID, str, UUID, date, str, int]]:
    """The open concerns of the user's unit, to choose from: (concern, child's name, child,
    opened on, by whom, level), by name and then date, so one child's concerns can be told apart."""
    state = request.app.state
    directory = state.projections["directory"]
    rows = permitted(request, "concern", "concern.view",
                     state.projections["concerns"].view.in_unit(current_user(request).unit_id, "open", 0, 200))
    authors = state.names.users(UUID(r["author_id"]) for r in rows)
    options = [(UUID(r["id"]), directory.child_name(UUID(r["child_id"])) or "?", UUID(r["child_id"]),
                date.fromisoformat(r["opened_on"]), authors[UUID(r["author_id"])], int(r["level"])) for r in rows]
    return sorted(options, key=lambda o: (o[1].casefold(), o[3], o[4]))


def local_names(request: Request) -> list[str]:
    """What the anonymiser must know of this municipality: its units, their addresses
    where the directory has them, and its own name."""
    app = request.app.state.domain
    names: list[str] = []
    for row in request.app.state.projections["directory"].view.units():
        unit = app.get_unit(UUID(row["id"]))
        names += [unit.name, unit.address["street"]]
    record = app.municipality()
    municipality = record.name if record else request.app.state.settings.municipality
    return [n for n in names if n] + [municipality, municipality.removesuffix(" kommune")]


def review_of(form: dict[str, str]) -> dict[str, str]:
    """The unit leader's choices for the marked words: word → "keep" or "remove"."""
    return {form[key]: form.get("decision-" + key.removeprefix("word-"), "")
            for key in form if key.startswith("word-") and form[key]}


def bring_reads(request: Request, meeting: Meeting, concern_id: UUID | None, form: dict[str, str],
                errors: dict[str, str]) -> tuple[dict[str, Any], Shown]:
    """The list of concerns to choose from, or the chosen one with its consents' coverage,
    its anonymised text and the words the unit leader must confirm."""
    options = open_concerns(request)
    context: dict[str, Any] = {"meeting": meeting, "options": options, "services": SERVICE_NAMES, "errors": errors,
                               "values": form, "concern_id": concern_id, "active": "meetings", "labels": labels}
    if concern_id not in {o[0] for o in options}:
        return context, Shown([o[2] for o in options], ["child.name", "concern.list"], reason="ressursteam")
    domain = request.app.state.domain
    concern = domain.get_concern(concern_id)
    consents = domain.consents_of(concern.child_id)
    coverage = {s: best_consent_for(consents, s, meeting.held_on)[1] for s in meeting.services if s != "unit_leader"}
    context.update(options=[], concern=concern, coverage=coverage, named_allowed=all(c.ok for c in coverage.values()),
                   named_offered="named" in domain.case_modes(meeting))
    places = local_names(request)
    text = form["text"] if "text" in form else domain.anonymised_concern(concern_id, places).text
    words = domain.words_to_confirm(concern_id, text, places)
    context["values"] = {"mode": "anonymous", **form, "text": text}
    context.update(words=words, decisions=review_of(form), preview=highlight(text, words))
    return context, Shown([concern.child_id], ["concern", "child.name"], reason="ressursteam")


def bring(request: Request, meeting: Meeting, concern_id: UUID | None, form: dict[str, str]) -> dict[str, str] | None:
    """Bring one of the user's open concerns: None once brought, else the errors
    (none when it is not one of them: the list is shown again)."""
    if concern_id not in {o[0] for o in open_concerns(request)}:
        return {}
    try:
        request.app.state.domain.bring_case(meeting.id, concern_id, form.get("mode", "anonymous"),
                                            form.get("text", ""), current_user(request).id, review_of(form),
                                            local_names(request))
    except (ConsentDoesNotCoverMeeting, InvalidMeeting) as e:
        return field_errors(e)
    return None


async def bring_case(request: Request) -> Response:
    """Bring a concern: anonymised (the default, redacted text you can edit) or by name (consent)."""
    meeting = (await load_record(request, "meeting", "meeting.bring")).value
    form = await read_form(request) if request.method == "POST" else {}
    concern_id = parse_uuid(form.get("concern_id") or request.query_params.get("bekymring"))
    errors: dict[str, str] | None = {}
    if request.method == "POST":
        errors = await run_in_threadpool(bring, request, meeting, concern_id, form)
        if errors is None:
            request.app.state.projections.wait()
            return redirect(request, f"/ressursteam/{meeting.id}")
    return await show(request, "meetings/bring.html", lambda: bring_reads(request, meeting, concern_id, form, errors),
                      status_code=422 if errors else 200)


routes = [
    Route("/ressursteam", meetings, name="meetings"),
    Route("/ressursteam/nytt", schedule, methods=["GET", "POST"], name="schedule_meeting"),
    Route("/ressursteam/sak/{case_id}/rad", minute_case, methods=["POST"], name="minute_case"),
    Route("/ressursteam/{meeting_id}", meeting_page, name="meeting"),
    Route("/ressursteam/{meeting_id}/sak", bring_case, methods=["GET", "POST"], name="bring_case"),
    Route("/ressursteam/{meeting_id}/{action}", meeting_action, methods=["POST"], name="meeting_action"),
]
