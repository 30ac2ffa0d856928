"""Retention (oppbevaring og sletting): the privacy officer's monthly list of the
children whose records are all past their time, and her decision on each:
approve the erasure (the erasure request an admin confirms, intranet/admin.py)
or keep the records longer, until a new day, for a typed reason.

The list names the children: a decision about a child needs to know which
child, and the ids alone mean nothing to a person. So it is shown through
`show`, and each child named is an access in the child's own log (reason
"oppbevaring"), as when the privacy officer looks a child up.
"""

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
from events.application import NotFound
from events.errors import RecordErased
from events.retention import Period, Schedule
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import run_command
from intranet.forms import page_number, parse_uuid, read_form
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.privacy import People
from intranet.records import Shown, show

PAGE_SIZE = 50
# Marked with N_(): translated where they are shown.
CATEGORY_NAMES = {
    "concern_closed": N_("Bekymring avsluttet uten melding"),
    "concern_reported": N_("Bekymring som førte til melding til barnevernet"),
    "collaboration_ended": N_("Tverrfaglig samarbeid avsluttet"),
    "transfer": N_("Overføring sendt"),
    "consent_expired": N_("Samtykke utløpt eller trukket tilbake"),
    "access_events": N_("Innsyn (tilgangshendelser)"),
    "sign_ins": N_("Innlogginger"),
}
OPEN_NAMES = {  # a record not yet ended: what keeps the child
    "concern": N_("Bekymring som er åpen"),
    "collaboration": N_("Tverrfaglig samarbeid som pågår"),
    "transfer": N_("Overføring som ikke er sendt"),
    "consent": N_("Samtykke"),
}


def period_words(period: Period | None) -> str:
    """A period as the page says it: "3 år", "1 år og 6 måneder"; None: kept for good."""
    if period is None:
        return _("for godt")
    parts = [_("%(n)s år") % {"n": period.years} if period.years else "",
             _("%(n)s måneder") % {"n": period.months} if period.months else "",
             _("%(n)s dager") % {"n": period.days} if period.days else ""]
    return _(" og ").join(p for p in parts if p)


def described(rows: list[dict], schedule: Schedule, today: date) -> dict[str, dict[str, Any]]:
    """Per child: its records, each with its kind, end and due day, whether it is
    past its time; and the child's due day (the last of its records')."""
    children: dict[str, dict[str, Any]] = {}
    for row in rows:
        period = schedule.period(row["category"])
        ended = date.fromisoformat(row["ended_on"]) if row["ended_on"] else None
        due_on = period.after(ended) if period and ended else None
        record = {**row, "name": _(CATEGORY_NAMES[row["category"]]) if ended else _(OPEN_NAMES[row["kind"]]),
                  # past as the read model's query counts it (events/retention.py Period.before)
                  "ended": ended, "due_on": due_on, "past": bool(period and ended and ended <= period.before(today)),
                  "kept_for_good": ended is not None and period is None}
        child = children.setdefault(row["child_id"], {"records": [], "due_on": None})
        child["records"].append(record)
        if due_on and (child["due_on"] is None or due_on > child["due_on"]):
            child["due_on"] = due_on
    return children


def list_reads(request: Request, page: int, errors: dict[str, dict[str, str]] | None = None,
               values: dict[str, dict[str, str]] | None = None, notice: str = "") -> tuple[dict[str, Any], Shown]:
    """Due, held back, kept longer, and the decisions made: from the read model, the
    children named through the directory."""
    state = request.app.state
    schedule: Schedule = state.settings.retention
    today = clock.today()
    cutoffs, now = schedule.cutoffs(today), today.isoformat()
    view = state.projections["retention"].view
    due = view.due(cutoffs, now, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    held = view.held_back(cutoffs, now, 0, PAGE_SIZE + 1)
    kept = view.kept(now, 0, PAGE_SIZE)
    history = view.history(0, PAGE_SIZE)
    records = described(view.records_of([r["child_id"] for r in due[:PAGE_SIZE] + held[:PAGE_SIZE]]),
                        schedule, today)
    people = People(state)

    def child(child_id: str) -> dict[str, Any]:
        return {"id": child_id, "name": people.child(child_id), **records.get(child_id, {"records": []})}

    def decision(row: dict) -> dict[str, Any]:
        return {**row, "name": people.child(row["child_id"]), "who": people.user_label(row["decided_by"]),
                "reason": kept_reason(state.domain, row) if row["decision"] == "kept" else ""}

    context = {
        "due": [child(r["child_id"]) for r in due[:PAGE_SIZE]], "more": len(due) > PAGE_SIZE, "page": page,
        "held": [child(r["child_id"]) for r in held[:PAGE_SIZE]], "more_held": len(held) > PAGE_SIZE,
        "kept": [decision(r) for r in kept], "history": [decision(r) for r in history],
        "schedule": [(_(CATEGORY_NAMES[kind]), period_words(schedule.period(kind))) for kind in CATEGORY_NAMES],
        "access_cutoff": cutoffs["access_events"], "sign_in_cutoff": cutoffs["sign_ins"],
        "today": today, "errors": errors or {}, "values": values or {}, "notice": notice, "active": "retention",
    }
    named = list(dict.fromkeys([c["id"] for c in context["due"] + context["held"]]
                               + [d["child_id"] for d in context["kept"] + context["history"]]))
    return context, Shown([UUID(i) for i in named], ["child.name"], "audit", "oppbevaring")


def kept_reason(domain, row: dict) -> str:
    """The reason typed for keeping a child longer (under the child's key)."""
    try:
        return domain.repository.get(UUID(row["id"])).reason
    except (NotFound, RecordErased, KeyError):
        return ""


async def retention_list(request: Request) -> Response:
    """The month's list: children due for erasure, those held back and by what,
    those kept longer, and who decided what and when."""
    require(request, "audit.view")
    page = page_number(request)
    return await show(request, "privacy/retention.html", lambda: list_reads(request, page))


def due_on(request: Request, child_id: UUID) -> date | None:
    """The child's due day, if the child is due today; else None."""
    state = request.app.state
    schedule: Schedule = state.settings.retention
    today = clock.today()
    view = state.projections["retention"].view
    if not view.due(schedule.cutoffs(today), today.isoformat(), 0, 1, child_id):
        return None
    return described(view.records_of([str(child_id)]), schedule, today)[str(child_id)]["due_on"]


async def decide(request: Request) -> Response:
    """Approve a due child's erasure (the request an admin confirms), or keep the
    child's records longer, until a new day, for a reason (both required)."""
    decision = request.path_params["decision"]
    if decision not in ("slett", "behold"):
        raise HTTPException(404)
    user = require(request, "erasure.request")
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    form = await read_form(request)
    state = request.app.state
    due = await run_in_threadpool(due_on, request, child_id)
    if due is None:  # decided by someone else meanwhile, or no longer due: the list as it is now
        notice = _("Barnet står ikke lenger på listen over det som skal slettes.")
        return await show(request, "privacy/retention.html", lambda: list_reads(request, 1, notice=notice),
                          status_code=409)
    if decision == "slett":
        try:
            await run_in_threadpool(state.domain.approve_retention_erasure, child_id, due, user.id)
        except (NotFound, RecordErased):
            raise HTTPException(404) from None
        state.projections.wait()
        return redirect(request, "/personvern/oppbevaring?godkjent=1")
    reason, until_text = form.get("reason", ""), form.get("until", "")
    errors = await run_in_threadpool(run_command, state.domain, "keep_child_longer", child_id, due,
                                     parse_date(until_text), reason, user.id)
    if errors:
        values = {str(child_id): {"reason": reason, "until": until_text}}
        return await show(request, "privacy/retention.html",
                          lambda: list_reads(request, 1, {str(child_id): errors}, values), status_code=422)
    state.projections.wait()
    return redirect(request, "/personvern/oppbevaring?beholdt=1")


routes = [
    Route("/personvern/oppbevaring", retention_list, name="privacy_retention"),
    Route("/personvern/oppbevaring/{child_id}/{decision}", decide, methods=["POST"], name="privacy_retention_decide"),
]
