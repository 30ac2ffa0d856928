"""Meeting series of every arena (events/arenas.py): plan one, see its coming
dates, and plan its meeting on one of them (the meeting page is the resource
team's, with the arena's rules); its leader changes its time, place and who
attends from a date on, and ends it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.arenas import ARENAS
from events.errors import DomainError
from events.policy import Target, may
from events.recurrence import RULES
from events.series import SERVICES
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form, read_multi
from intranet.guard import current_user, require
from intranet.i18n import N_, _
from intranet.meetings import ARENA_NAMES, RULE_NAMES, SERVICE_NAMES, people
from intranet.records import load_record
from intranet.templating import render

# What each arena is for, and whether a child may appear: shown where a series is planned.
ARENA_RULES = {
    "resource_team": N_("Vår og høst. Saker anonymt, eller med navn når foresatte har samtykket. "
                        "Generelle problemstillinger."),
    "ressursgruppe": N_("Programmets arbeidsgruppe, hver måned. Saker bare anonymt."),
    "bup": N_("Tirsdag hver 6. uke med BUP, helsestasjon, PPT, psykiatritjenesten og barnevernet. "
              "Anonyme saker eller felles temaer."),
    "school_transfer": N_("Oktober: spesialpedagogisk koordinator og kontaktlærer. Februar–april: "
                          "kontaktlærere på 7. trinn og kommende 8. klasse. Saker bare anonymt."),
    "preschool_transfer": N_("Oktober–november året før skolestart, med PPT og foreldrene. "
                             "Saker anonymt, eller med navn når foresatte har samtykket."),
    "slt": N_("Politi og kommune: temaer om forebygging. Aldri et barn."),
    "lederforum": N_("Rådmannsteam og enhetsledere, som regel siste torsdag i måneden. Aldri et barn."),
}
COMING = 6  # the coming dates a series page shows
# The fields a change names in the series' history.
FIELD_NAMES = {"starts_at": N_("klokkeslett"), "place": N_("sted"), "unit_ids": N_("enheter"),
               "services": N_("tjenester"), "invitee_ids": N_("andre som deltar")}


def plannable(user) -> dict[str, str]:
    """The arenas the user may plan a series of (the policy's), with their names."""
    return {kind: name for kind, name in ARENA_NAMES.items() if may(user, "series.plan", Target(kind=kind))}


def form_context(request: Request, user, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    state = request.app.state
    return {"arenas": plannable(user), "arena_rules": ARENA_RULES, "rules": RULE_NAMES,
            "units": state.projections["directory"].view.units(),
            "services": {s: SERVICE_NAMES[s] for s in SERVICES}, "people": people(request), "values": values,
            "errors": errors, "active": "meetings"}


def series_errors(user, form: dict[str, str], unit_ids, services, invitee_ids) -> dict[str, str]:
    """What is wrong with the form before the domain is asked."""
    errors = {}
    if form.get("kind") not in ARENAS:
        errors["kind"] = _("Velg hvilket møte serien gjelder.")
    elif not may(user, "series.plan", Target(kind=form["kind"])):
        errors["kind"] = _("Du kan ikke planlegge denne typen møte.")
    if form.get("rule") not in RULES:
        errors["rule"] = _("Velg hvor ofte møtet holdes.")
    errors.update(date_error(form, "first_on"))
    return {**errors, **attendance_errors(form, unit_ids, services, invitee_ids)}


def attendance_errors(form: dict[str, str], unit_ids, services, invitee_ids) -> dict[str, str]:
    """The time and who attends, as a series is planned or changed."""
    errors = {}
    if not form.get("starts_at", "").strip():
        errors["starts_at"] = _("Skriv klokkeslettet.")
    if None in unit_ids:
        errors["unit_ids"] = _("Velg minst én enhet.")
    if None in invitee_ids:
        errors["invitee_ids"] = _("Velg deltakerne fra listen.")
    if any(s not in SERVICES for s in services):
        errors["services"] = _("Velg hvem som deltar.")
    return errors


async def plan_series(request: Request) -> Response:
    """Plan a meeting series of one arena: its recurrence, first date, time, place and who attends."""
    user = require(request, "series.plan")
    state = request.app.state
    if request.method == "GET":
        context = await run_in_threadpool(form_context, request, user,
                                          {"unit_ids": [], "services": [], "invitee_ids": []}, {})
        return render(request, "meetings/series_new.html", context)
    form = await read_form(request)
    unit_ids = [parse_uuid(u) for u in await read_multi(request, "unit_ids")]
    invitee_ids = [parse_uuid(u) for u in await read_multi(request, "invitee_ids")]
    services = await read_multi(request, "services")
    errors = series_errors(user, form, unit_ids, services, invitee_ids)
    if not errors:
        series_id, errors = await run_in_threadpool(
            attempt, state.domain.plan_series, form["kind"], form["rule"], parse_date(form["first_on"]),
            form["starts_at"].strip(), form.get("place", "").strip(), user.id, unit_ids, services, invitee_ids)
        if not errors:
            state.projections.wait()
            return redirect(request, f"/ressursteam/serier/{series_id}")
    values = {**form, "unit_ids": [str(u) for u in unit_ids if u], "services": services,
              "invitee_ids": [str(u) for u in invitee_ids if u]}
    context = await run_in_threadpool(form_context, request, user, values, errors)
    return render(request, "meetings/series_new.html", context, status_code=422)


def attempt(command, *arguments: Any) -> tuple[Any, dict[str, str]]:
    """The command's result, or its refusal as field errors (in the threadpool)."""
    try:
        return command(*arguments), {}
    except DomainError as e:
        return None, field_errors(e)


def series_context(request: Request, series, target: Target, change: dict[str, Any] | None = None,
                   end: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the series page shows, and for its leader the forms to change and
    end it, with the user's values and errors if one was refused (runs in the threadpool)."""
    state = request.app.state
    user = current_user(request)
    today = clock.today()
    units = {u["id"]: u["name"] for u in state.projections["directory"].view.units()}
    names = state.names.users({series.leader_id, *(h.get("by") for h in series.history),
                               *(i for v in series.versions for i in v.invitee_ids)})

    def attending(settings) -> list[str]:
        return ([units[str(u)] for u in settings.unit_ids if str(u) in units]
                + [_(SERVICE_NAMES[s]) for s in settings.services]
                + sorted(names[i] for i in settings.invitee_ids))

    coming = [(day, series.settings_on(day).starts_at) for day in series.next_dates(today, COMING)]
    now = series.settings_on(max(today, series.first_on))  # the time, place and attendance of the next date
    history = [{**h, "fields": ", ".join(_(FIELD_NAMES[f]) for f in h.get("fields", ()))} for h in series.history]
    context = {"series": series, "arenas": ARENA_NAMES, "rules": RULE_NAMES, "arena_rules": ARENA_RULES,
               "coming": coming, "planned": sorted(series.planned.items()), "leader_name": names[series.leader_id],
               "now": now, "attending": attending(now),
               "versions": [(v, attending(v)) for v in series.versions] if len(series.versions) > 1 else [],
               "history": history, "people_named": names,
               "planned_ahead": series.planned_after(today - timedelta(days=1)),
               "planned_after_end": series.planned_after(series.ends_on) if series.ended else [],
               # the planned meetings cancelled since: marked, the date not planned again
               "cancelled": {m for m in series.planned.values() if state.domain.get_meeting(m).cancelled},
               "may_plan": may(user, "series.plan_meeting", target), "active": "meetings",
               "may_change": not series.ended and may(user, "series.change", target),
               "may_end": not series.ended and may(user, "series.end", target)}
    if context["may_change"]:
        current = series.current
        unplanned = [day for day, _time in coming if day not in series.planned]  # what a change would reach
        context.update(units=state.projections["directory"].view.units(), people=people(request),
                       services={s: SERVICE_NAMES[s] for s in SERVICES})
        context["change"] = change or {"values": {
            "from_on": (unplanned[0] if unplanned else today).isoformat(), "starts_at": current.starts_at,
            "place": current.place, "unit_ids": [str(u) for u in current.unit_ids],
            "services": list(current.services), "invitee_ids": [str(u) for u in current.invitee_ids]},
            "errors": {}}
    if context["may_end"]:
        context["end"] = end or {"values": {}, "errors": {}}
    return context


async def series_page(request: Request) -> Response:
    """One series: its rule, who attends, its coming dates, the meetings planned from
    them and its history; for its leader, the forms to change and to end it."""
    record = await load_record(request, "series", "series.view")
    context = await run_in_threadpool(series_context, request, record.value, record.target)
    return render(request, "meetings/series.html", context)


async def plan_meeting(request: Request) -> Response:
    """Plan the series' meeting on one of its dates (once: then it is opened). Asked
    with GET (a reload, a sign-in's way back), it leads to the series' page."""
    if request.method == "GET":
        record = await load_record(request, "series", "series.view")
        return redirect(request, f"/ressursteam/serier/{record.value.id}")
    record = await load_record(request, "series", "series.plan_meeting")
    form = await read_form(request)
    on = parse_date(form.get("on", ""))
    meeting_id, errors = None, {"on": _("Velg en av seriens datoer.")}
    if on is not None:
        meeting_id, errors = await run_in_threadpool(attempt, request.app.state.domain.plan_series_meeting,
                                                     record.value.id, on)
    if errors:
        context = await run_in_threadpool(series_context, request, record.value, record.target)
        context["errors"] = errors
        return render(request, "meetings/series.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/ressursteam/{meeting_id}")


def date_error(form: dict[str, str], name: str) -> dict[str, str]:
    text = form.get(name, "").strip()
    if parse_date(text) is None:
        return {name: _("Skriv datoen.") if not text else _("Skriv en gyldig dato.")}
    return {}


async def change_series(request: Request) -> Response:
    """Change the series' time, place and who attends from a date on; the meetings
    already planned keep theirs. Asked with GET, it leads to the series' page."""
    if request.method == "GET":
        record = await load_record(request, "series", "series.view")
        return redirect(request, f"/ressursteam/serier/{record.value.id}")
    record = await load_record(request, "series", "series.change")
    form = await read_form(request)
    unit_ids = [parse_uuid(u) for u in await read_multi(request, "unit_ids")]
    invitee_ids = [parse_uuid(u) for u in await read_multi(request, "invitee_ids")]
    services = await read_multi(request, "services")
    errors = {**date_error(form, "from_on"), **attendance_errors(form, unit_ids, services, invitee_ids)}
    if not errors:
        _done, errors = await run_in_threadpool(
            attempt, request.app.state.domain.change_series, record.value.id, parse_date(form["from_on"]),
            form["starts_at"].strip(), form.get("place", "").strip(), unit_ids, services, invitee_ids)
        if not errors:
            request.app.state.projections.wait()
            return redirect(request, f"/ressursteam/serier/{record.value.id}")
    values = {**form, "unit_ids": [str(u) for u in unit_ids if u], "services": services,
              "invitee_ids": [str(u) for u in invitee_ids if u]}
    context = await run_in_threadpool(series_context, request, record.value, record.target,
                                      {"values": values, "errors": errors})
    context["errors"] = errors
    return render(request, "meetings/series.html", context, status_code=422)


async def end_series(request: Request) -> Response:
    """End the series on a last date, with an optional reason: no date after it. The
    meetings already planned after it are not cancelled. Asked with GET, the series' page."""
    if request.method == "GET":
        record = await load_record(request, "series", "series.view")
        return redirect(request, f"/ressursteam/serier/{record.value.id}")
    record = await load_record(request, "series", "series.end")
    form = await read_form(request)
    errors = date_error(form, "last_on")
    if not errors:
        _done, errors = await run_in_threadpool(attempt, request.app.state.domain.end_series, record.value.id,
                                                parse_date(form["last_on"]), form.get("reason", "").strip())
        if not errors:
            request.app.state.projections.wait()
            return redirect(request, f"/ressursteam/serier/{record.value.id}")
    context = await run_in_threadpool(series_context, request, record.value, record.target, None,
                                      {"values": form, "errors": errors})
    context["errors"] = errors
    return render(request, "meetings/series.html", context, status_code=422)


routes = [
    Route("/ressursteam/serier/ny", plan_series, methods=["GET", "POST"], name="plan_series"),
    Route("/ressursteam/serier/{series_id}", series_page, name="series"),
    Route("/ressursteam/serier/{series_id}/planlegg", plan_meeting, methods=["GET", "POST"],
          name="plan_series_meeting"),
    Route("/ressursteam/serier/{series_id}/endre", change_series, methods=["GET", "POST"], name="change_series"),
    Route("/ressursteam/serier/{series_id}/avslutt", end_series, methods=["GET", "POST"], name="end_series"),
]
