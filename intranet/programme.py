"""The programme's follow-up (events/programme.py): a unit's page for its leader
and the kommunalsjef (/oppfolging/{unit}), the kommunalsjef's overview of every
unit (/ledelse/oppfolging), and the staff's confirmation that they have read
the action guide (/perm/del/veileder). Nothing here is about a child."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.binder import page_id_for
from events.policy import Target, may
from events.statistics import unit_activity
from events.programme import (MIN_KEY_PERSONS, InvalidProgramme, follow_up_due, guide_version, new_staff_due,
                              plan_slug_for)
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form, read_multi
from intranet.guard import current_user, found, require
from intranet.i18n import N_, _
from intranet.leaders import label_of
from intranet.statistics_releases import publish_if_due, releases
from intranet.templating import render
from projections.suppression import THRESHOLD

TRAINING_NAMES = {"basic": N_("Grunnopplæring"), "follow_up": N_("Oppfølgingsdag"),
                  "new_staff": N_("Informasjon for nyansatte")}
GUIDE_PAGES = 200  # more guide pages than any binder has
ACTIVITY_MONTHS = 6  # months of activity per unit on the overview


# -- the action guide's version, and who has read it ------------------------------------
def current_guide_version(request: Request) -> str | None:
    rows = request.app.state.projections["binder"].view.section_pages("guide", False, 0, GUIDE_PAGES)
    return guide_version((r["slug"], r["published_no"]) for r in rows)


def guide_reading(request: Request) -> dict[str, Any] | None:
    """For a staff member: the guide's version and whether she confirmed it (in the threadpool)."""
    user = current_user(request)
    if user.role not in ("staff", "unit_leader"):
        return None
    version = current_guide_version(request)
    if version is None:
        return None
    return {"version": version, "read": request.app.state.domain.guide_version_read(user.id) == version}


async def confirm_guide_read(request: Request) -> Response:
    """The staff member confirms having read the guide as it was shown to her."""
    user = require(request, "guide.confirm")
    if request.path_params["section"] != "veileder":
        raise HTTPException(404)
    form = await read_form(request)
    current = await run_in_threadpool(current_guide_version, request)
    if current is None or form.get("version") != current:
        from intranet.binder_pages import section_response  # the page the button is on

        return await section_response(request, "guide", status_code=409, guide_changed=True)
    try:
        await run_in_threadpool(request.app.state.domain.confirm_guide_read, user.id, current)
    except InvalidProgramme:
        pass  # confirmed already (a second click)
    request.app.state.projections.wait()
    return redirect(request, "/perm/del/veileder")


# -- one unit ------------------------------------------------------------------------------
def unit_target(request: Request) -> tuple[UUID, Target]:
    unit_id = parse_uuid(request.path_params["unit_id"])
    if unit_id is None:
        raise HTTPException(404)
    return unit_id, Target(unit_id=unit_id)


def plan_status(domain, unit_id: UUID) -> dict[str, Any]:
    """The unit's plan page: its slug, whether it exists and is published."""
    slug = plan_slug_for(unit_id)
    if not domain.recorder.select_events(page_id_for(slug), limit=1):
        return {"slug": slug, "exists": False, "published": False}
    return {"slug": slug, "exists": True, "published": domain.get_page(slug).is_published}


def unit_reads(request: Request, unit_id: UUID) -> dict[str, Any]:
    state = request.app.state
    with found(request):
        programme = state.domain.unit_programme(unit_id)
        unit = state.domain.get_unit(unit_id)
    today = clock.today()
    staff = state.projections["directory"].view.active_users_in_unit(unit_id)
    people = {*staff, *(h["user_id"] for h in programme.history),
              *(a for t in programme.trainings for a in t["attendee_ids"])}
    names = state.names.users(people)
    last = {kind: programme.last_training(kind) for kind in TRAINING_NAMES}
    done, total = state.projections["programme"].view.readers(current_guide_version(request)).get(unit_id, (0, 0))
    # One who has left the unit (or the municipality) stays listed until ended, but no longer counts.
    key_persons = [{"id": u, "since": since, "left": u not in staff} for u, since in programme.key_persons.items()]
    return {
        "unit": unit, "programme": programme, "names": names, "today": today, "key_persons": key_persons,
        "too_few": sum(1 for k in key_persons if not k["left"]) < MIN_KEY_PERSONS,
        "staff": sorted(staff, key=lambda u: names.get(u, "")),
        "candidates": sorted((u for u in staff if u not in programme.key_persons), key=lambda u: names.get(u, "")),
        "history": list(reversed(programme.history)),
        "trainings": sorted(programme.trainings, key=lambda t: t["held_on"], reverse=True),
        "training_names": TRAINING_NAMES, "last": last, "min_key_persons": MIN_KEY_PERSONS,
        "due": {"follow_up": follow_up_due(last["follow_up"], today), "new_staff": new_staff_due(last["new_staff"], today)},
        "readers": {"done": done, "total": total},
        "plan": plan_status(state.domain, unit_id),
        "may_plan": may(current_user(request), "programme.plan", Target(unit_id=unit_id)),
        "active": "programme",
    }


async def unit_page(request: Request, errors: dict[str, str] | None = None, form: dict[str, str] | None = None,
                    posted: str = "", status_code: int = 200) -> Response:
    """One unit's follow-up: key persons, training, the guide read, the plan."""
    unit_id, target = unit_target(request)
    require(request, "programme.view", target)
    context = await run_in_threadpool(unit_reads, request, unit_id)
    context.update(errors=errors or {}, values=form or {}, posted=posted)
    return render(request, "programme/unit.html", context, status_code=status_code)


async def start(request: Request) -> Response:
    """Where the follow-up starts: the unit leader's own unit, the kommunalsjef's overview."""
    user = require(request, "programme.view", Target(unit_id=current_user(request).unit_id))
    if user.role == "municipal_leader":
        return redirect(request, "/ledelse/oppfolging")
    return redirect(request, f"/oppfolging/{user.unit_id}")


def _act(request: Request, unit_id: UUID, action: str, form: dict[str, str], attendees: list[str]) -> dict[str, str]:
    domain = request.app.state.domain
    try:
        if action in ("nokkelperson", "avslutt"):
            user_id = parse_uuid(form.get("user_id"))
            if user_id is None:
                return {"user_id": _("Velg en ansatt.")}
            if action == "nokkelperson":
                domain.appoint_key_person(unit_id, user_id)
            else:
                domain.end_key_person(unit_id, user_id)
        else:
            held_on = parse_date(form.get("held_on", ""))
            if held_on is None:
                return {"held_on": _("Skriv en gyldig dato (dd.mm.åååå).")}
            ids = [parse_uuid(a) for a in attendees]
            domain.record_training(unit_id, form.get("kind", ""), held_on, [i for i in ids if i is not None])
    except InvalidProgramme as e:
        return field_errors(e)
    return {}


async def act(request: Request) -> Response:
    """Appoint or end a key person, or record a training; errors beside the fields."""
    action = request.url.path.rsplit("/", 1)[1]
    unit_id, target = unit_target(request)
    require(request, "programme.train" if action == "opplaering" else "programme.appoint", target)
    form = await read_form(request)
    attendees = await read_multi(request, "attendees")
    with found(request):
        errors = await run_in_threadpool(_act, request, unit_id, action, form, attendees)
    if errors:
        return await unit_page(request, errors, {**form, "attendees": attendees}, action, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/oppfolging/{unit_id}")


async def start_plan(request: Request) -> Response:
    """Start the unit's implementation plan (a draft binder page), then edit it in the binder."""
    unit_id, target = unit_target(request)
    require(request, "programme.plan", target)
    await read_form(request)
    with found(request):
        slug = await run_in_threadpool(request.app.state.domain.start_unit_plan, unit_id)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{slug}/rediger")


# -- the kommunalsjef's overview --------------------------------------------------------------
def overview_reads(request: Request) -> dict[str, Any]:
    state = request.app.state
    view = state.projections["programme"].view
    today = clock.today()
    counts = view.key_person_counts()
    last = view.last_trainings()
    readers = view.readers(current_guide_version(request))
    rows = []
    for unit in state.projections["directory"].view.units():
        if unit["closed"]:
            continue
        unit_id = UUID(unit["id"])
        follow_up, new_staff = last.get((unit_id, "follow_up")), last.get((unit_id, "new_staff"))
        done, total = readers.get(unit_id, (0, 0))
        rows.append({
            "id": unit_id, "name": unit["name"], "kind": unit["kind"], "key_persons": counts.get(unit_id, 0),
            "basic": last.get((unit_id, "basic")), "follow_up": follow_up, "new_staff": new_staff,
            "follow_up_due": follow_up_due(follow_up, today), "new_staff_due": new_staff_due(new_staff, today),
            "read": done, "staff": total, "share": round(100 * done / total) if total else None,
            "plan": plan_status(state.domain, unit_id),
        })
    months, activity = monthly_activity(state, today)
    return {"rows": rows, "min_key_persons": MIN_KEY_PERSONS, "active": "programme",
            "months": [(m, label_of("month", m)) for m, _counted in months], "counted": dict(months),
            "activity": activity, "threshold": THRESHOLD}


def monthly_activity(state, today) -> tuple[list[tuple[str, bool]], dict[tuple[str, str], tuple[int, int]]]:
    """The newest month releases' concerns and logbook entries per unit (published first
    if due), oldest month first; each month says whether its release counted units."""
    publish_if_due(state, today)
    published = [r for r in releases(state.domain, state.projections["meetings"].view, today) if r.kind == "month"]
    months, activity = [], {}
    for release in reversed(published[:ACTIVITY_MONTHS]):
        months.append((release.period, bool(release.units or release.log_entries or not release.concerns)))
        activity.update(unit_activity(release))
    return months, activity


async def overview(request: Request) -> Response:
    """Every unit's follow-up at a glance, for the kommunalsjef."""
    require(request, "programme.overview")
    return render(request, "programme/overview.html", await run_in_threadpool(overview_reads, request))


routes = [
    Route("/oppfolging", start, name="programme"),
    Route("/oppfolging/{unit_id}", unit_page, name="programme_unit"),
    Route("/oppfolging/{unit_id}/nokkelperson", act, methods=["POST"], name="programme_appoint"),
    Route("/oppfolging/{unit_id}/avslutt", act, methods=["POST"], name="programme_end"),
    Route("/oppfolging/{unit_id}/opplaering", act, methods=["POST"], name="programme_train"),
    Route("/oppfolging/{unit_id}/plan", start_plan, methods=["POST"], name="programme_plan"),
    Route("/ledelse/oppfolging", overview, name="programme_overview"),
    # Only the guide's section has it; the path's form lets a reload land on the section.
    Route("/perm/del/{section}/lest", confirm_guide_read, methods=["POST"], name="guide_read"),
]
