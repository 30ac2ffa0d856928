"""Meeting series of every arena (events/arenas.py): plan one, see its coming
dates, and plan its meeting on one of them (the meeting page is the resource
team's, with the arena's rules)."""

from __future__ import annotations

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
    text = form.get("first_on", "").strip()
    if parse_date(text) is None:
        errors["first_on"] = _("Skriv datoen.") if not text else _("Skriv en gyldig dato.")
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


def series_context(request: Request, series, target: Target) -> dict[str, Any]:
    """Everything the series page shows (runs in the threadpool)."""
    state = request.app.state
    user = current_user(request)
    today = clock.today()
    units = {u["id"]: u["name"] for u in state.projections["directory"].view.units()}
    names = state.names.users({series.leader_id, *series.invitee_ids})
    attending = ([units[str(u)] for u in series.unit_ids if str(u) in units]
                 + [_(SERVICE_NAMES[s]) for s in series.services] + sorted(names[i] for i in series.invitee_ids))
    return {"series": series, "arenas": ARENA_NAMES, "rules": RULE_NAMES, "arena_rules": ARENA_RULES,
            "services": SERVICE_NAMES, "coming": series.next_dates(today, COMING),
            "planned": sorted(series.planned.items()), "leader_name": names[series.leader_id],
            "attending": attending,
            "may_plan": may(user, "series.plan_meeting", target), "active": "meetings"}


async def series_page(request: Request) -> Response:
    """One series: its rule, who attends, its coming dates and the meetings planned from them."""
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


routes = [
    Route("/ressursteam/serier/ny", plan_series, methods=["GET", "POST"], name="plan_series"),
    Route("/ressursteam/serier/{series_id}", series_page, name="series"),
    Route("/ressursteam/serier/{series_id}/planlegg", plan_meeting, methods=["GET", "POST"],
          name="plan_series_meeting"),
]
