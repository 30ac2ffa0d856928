"""The privacy officer (personvernombud): who saw what, the review queue,
guardians' access reports (innsyn i logg), restriction and erasure requests.

The privacy officer sees metadata only — who, when, how, which kind of record —
never the content. Looking a child up is itself recorded.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock, national_id
from events.application import NotFound
from events.errors import DomainError, RecordErased
from intranet.admin import ROLE_NAMES
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.forms import page_number, parse_uuid, read_form
from intranet.guard import require
from intranet.i18n import N_, _
from intranet.records import Shown, show
from intranet.templating import OSLO, render

PAGE_SIZE = 50
# Marked with N_(): translated where they are shown.
RULE_NAMES = {
    "outside_unit": N_("Innsyn utenfor egen enhet"),
    "after_hours": N_("Innsyn utenfor arbeidstid"),
    "many_children": N_("Mange ulike barn på kort tid"),
    "break_glass": N_("Nødtilgang"),
    "same_surname": N_("Samme etternavn som barnet"),
}
RECORD_NAMES = {
    "child.name": N_("navn"), "child.details": N_("personopplysninger"), "child.guardians": N_("foresatte"),
    "concern": N_("bekymring"), "concern.list": N_("liste over bekymringer"), "consent": N_("samtykke"),
    "referral": N_("melding/henvisning"), "referral.list": N_("liste over meldinger"),
    "access_log": N_("innsynslogg"),
}
ACTION_NAMES = {"view": N_("visning"), "print": N_("utskrift"), "export": N_("eksport"), "search": N_("søk"),
                "audit": N_("kontroll"), "break_glass": N_("nødtilgang")}


def period(request: Request) -> tuple[date, date]:
    """The period asked for (?fra=&til=, ISO dates), default the last 12 months
    up to today, in Oslo days (events/clock.py), as `iso_bounds` reads them."""
    today = clock.today()
    start = parse_date(request.query_params.get("fra", "")) or today - timedelta(days=365)
    end = parse_date(request.query_params.get("til", "")) or today
    return start, end


def iso_bounds(start: date, end: date) -> tuple[str, str]:
    """The period as UTC instants (the log stores UTC), from local midnight to midnight."""
    lo = datetime.combine(start, time.min, OSLO).astimezone(timezone.utc)
    hi = datetime.combine(end + timedelta(days=1), time.min, OSLO).astimezone(timezone.utc)
    return lo.isoformat(), hi.isoformat()


class People:
    """Names of users and children for one request, looked up once each."""

    def __init__(self, app_state):
        self.domain = app_state.domain
        self.directory = app_state.projections["directory"]
        self.users: dict[str, Any] = {}
        self.children: dict[str, str] = {}

    def user(self, user_id: str) -> Any:
        if user_id not in self.users:
            try:
                self.users[user_id] = self.domain.get_user(UUID(user_id))
            except NotFound:
                self.users[user_id] = None
        return self.users[user_id]

    def user_label(self, user_id: str) -> str:
        u = self.user(user_id)
        if u is None:
            return _("ukjent bruker")
        return f"{u.name} ({u.title or (_(ROLE_NAMES[u.role]) if u.role in ROLE_NAMES else u.role)})"

    def child(self, child_id: str) -> str:
        if child_id not in self.children:
            self.children[child_id] = self.directory.child_name(UUID(child_id)) or _("(slettet barn)")
        return self.children[child_id]


def describe(row: dict, people: People, log) -> dict:
    row = dict(row)
    row["who"] = people.user_label(row["user_id"])
    row["child_name"] = people.child(row["child_id"])
    kinds = (row.get("records") or "").split(",")
    row["what"] = ", ".join(dict.fromkeys(_(RECORD_NAMES[r]) for r in kinds if r in RECORD_NAMES))
    action = row.get("action", "")
    row["how"] = _(ACTION_NAMES[action]) if action in ACTION_NAMES else action
    if "reason_sealed" in row:
        row["reason"] = log.unseal(row["reason_sealed"], f"access:{row['access_id']}")
    return row


# -- the review queue -----------------------------------------------------------------------
def queue_reads(request: Request, reviewed: bool, page: int) -> tuple[dict[str, Any], Shown]:
    state = request.app.state
    projection = state.projections["access_log"]
    rows = projection.view.queue(reviewed, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    people = People(state)
    items = []
    for row in rows[:PAGE_SIZE]:
        item = describe(row, people, projection)
        rule = row["rule"]
        item["rule_name"] = _(RULE_NAMES[rule]) if rule in RULE_NAMES else rule
        if reviewed:
            item["comment"] = projection.unseal(row["comment_sealed"], f"review:{row['id']}")
            item["reviewer"] = people.user_label(row["reviewed_by"])
        items.append(item)
    context = {"items": items, "reviewed": reviewed, "page": page, "more": len(rows) > PAGE_SIZE, "active": "privacy"}
    return context, Shown([UUID(i["child_id"]) for i in items], ["child.name"], "audit", "gjennomgang av avvik")


async def queue(request: Request) -> Response:
    """Anomalies to review: outside the unit, after hours, many children, break-the-glass, same surname."""
    require(request, "audit.view")
    reviewed = request.query_params.get("vis") == "gjennomgatt"
    page = page_number(request)
    return await show(request, "privacy/queue.html", lambda: queue_reads(request, reviewed, page))


async def review(request: Request) -> Response:
    """Mark an anomaly as reviewed, with a comment; the review is itself an event."""
    user = require(request, "audit.review")
    form = await read_form(request)
    anomaly_id = form.get("anomaly_id", "")
    view = request.app.state.projections["access_log"].view
    if await run_in_threadpool(view.anomaly, anomaly_id) is None:
        return redirect(request, "/personvern?feil=ukjent")
    try:
        await run_in_threadpool(request.app.state.domain.review_anomaly, anomaly_id, form.get("comment", ""), user.id)
    except DomainError:
        return redirect(request, "/personvern?feil=kommentar")
    request.app.state.projections.wait()
    return redirect(request, "/personvern")


# -- finding a child, and the child's log ---------------------------------------------------
def find_reads(request: Request, query: str | None) -> tuple[dict[str, Any], Shown]:
    """The children whose name or national identity number is `query`, restricted ones
    too; None before anything was asked."""
    results = []
    if query and len(query) >= 2:
        state = request.app.state
        digits = query.replace(" ", "")
        token = state.domain.blind_index("nin:" + digits if national_id.is_valid(digits) else query)
        directory = state.projections["directory"]
        ids = directory.view.child_ids_by_token(token, limit=50, include_restricted=True)
        results = [(i, directory.child_name(i)) for i in ids]
    context = {"query": query or "", "results": None if query is None else results, "active": "privacy"}
    return context, Shown([i for i, _name in results], ["child.name"], "search", "personvernombud")


async def find_child(request: Request) -> Response:
    """Find a child by name or national identity number (posted, never in the URL)."""
    require(request, "audit.view")
    query = None
    if request.method == "POST":
        query = (await read_form(request)).get("query", "").strip()
    return await show(request, "privacy/find.html", lambda: find_reads(request, query))


def child_log_reads(request: Request, child_id: UUID, start: date, end: date, page: int,
                    errors: dict[str, dict[str, str]] | None = None):
    state = request.app.state
    projection = state.projections["access_log"]
    lo, hi = iso_bounds(start, end)
    rows = projection.view.by_child(child_id, lo, hi, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    people = People(state)
    try:
        child = state.domain.get_child(child_id)
    except (NotFound, RecordErased):
        child = None
    context = {
        "items": [describe(r, people, projection) for r in rows[:PAGE_SIZE]], "more": len(rows) > PAGE_SIZE,
        "page": page, "child": child, "child_id": child_id, "start": start, "end": end,
        "erasures": projection.view.erasures_of(child_id), "active": "privacy",
        "errors": errors or {},  # a refused form's, by its action: {"sperr": {"reason": ...}}
    }
    return context, Shown([child_id], ["child.name", "access_log"], "audit", "personvernombud")


async def child_log(request: Request) -> Response:
    """Every access to one child's data: who, when, how, and why."""
    require(request, "audit.view")
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    start, end = period(request)
    page = page_number(request)
    return await show(request, "privacy/child.html", lambda: child_log_reads(request, child_id, start, end, page))


def report_reads(request: Request, child_id: UUID, start: date, end: date) -> tuple[dict[str, Any], Shown]:
    """Every access in the period, a page of the log at a time."""
    state = request.app.state
    projection = state.projections["access_log"]
    lo, hi = iso_bounds(start, end)
    people = People(state)
    items, offset = [], 0
    while True:
        rows = projection.view.by_child(child_id, lo, hi, offset, 500)
        items += [describe(r, people, projection) for r in rows]
        if len(rows) < 500:
            break
        offset += 500
    context = {"items": items, "child": state.domain.get_child(child_id), "start": start, "end": end,
               "today": clock.today()}
    return context, Shown([child_id], ["child.name", "access_log"], "print", "innsyn i logg")


async def guardian_report(request: Request) -> Response:
    """Innsyn i logg: a printable report for the guardians of who saw the child's data."""
    require(request, "audit.view")
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    start, end = period(request)
    try:
        return await show(request, "privacy/report.html", lambda: report_reads(request, child_id, start, end))
    except (NotFound, RecordErased):
        raise HTTPException(404) from None


def user_log_reads(request: Request, user_id: UUID, page: int) -> tuple[dict[str, Any], Shown]:
    state = request.app.state
    projection = state.projections["access_log"]
    rows = projection.view.by_user(user_id, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    people = People(state)
    items = [describe(r, people, projection) for r in rows[:PAGE_SIZE]]
    context = {"items": items, "more": len(rows) > PAGE_SIZE, "page": page, "who": people.user_label(str(user_id)),
               "user_id": user_id, "active": "privacy"}
    return context, Shown([UUID(i["child_id"]) for i in items], ["child.name"], "audit", "personvernombud")


async def user_log(request: Request) -> Response:
    """Everything one user has looked at."""
    require(request, "audit.view")
    user_id = parse_uuid(request.path_params["user_id"])
    if user_id is None:
        raise HTTPException(404)
    page = page_number(request)
    return await show(request, "privacy/user.html", lambda: user_log_reads(request, user_id, page))


async def users(request: Request) -> Response:
    """The users, to choose whose accesses to review."""
    require(request, "audit.view")
    state = request.app.state

    def load():
        rows = state.projections["directory"].view.users(0, 1000)
        return sorted(((r["id"], state.domain.get_user(UUID(r["id"]))) for r in rows), key=lambda u: u[1].name)

    return render(request, "privacy/users.html", {"users": await run_in_threadpool(load),
                                                  "role_names": ROLE_NAMES, "active": "privacy"})


# -- restriction and erasure ------------------------------------------------------------------
# action in the URL -> (permission, the named command on the child)
CHILD_ACTIONS = {"sperr": ("child.restrict", "restrict_child"), "opphev": ("child.restrict", "lift_restriction"),
                 "slett": ("erasure.request", "request_erasure")}


async def child_action(request: Request) -> Response:
    """Restrict a child, lift the restriction, or request erasure (which an admin must confirm)."""
    action = request.path_params["action"]
    if action not in CHILD_ACTIONS:
        raise HTTPException(404)
    permission, command = CHILD_ACTIONS[action]
    user = require(request, permission)
    child_id = parse_uuid(request.path_params["child_id"])
    reason = (await read_form(request)).get("reason", "").strip()
    if child_id is None:
        raise HTTPException(404)
    if not reason:  # the page again, the error beside the form's field (422)
        errors = {action: {"reason": _("Skriv en begrunnelse.")}}
        start, end = period(request)
        return await show(request, "privacy/child.html",
                          lambda: child_log_reads(request, child_id, start, end, 1, errors), status_code=422)
    arguments = (user.id,) if action == "slett" else ()
    try:
        await run_in_threadpool(getattr(request.app.state.domain, command), child_id, reason, *arguments)
    except (NotFound, RecordErased):
        raise HTTPException(404) from None
    except DomainError:
        pass  # already restricted / not restricted: the page shows the current state
    request.app.state.projections.wait()
    return redirect(request, f"/personvern/barn/{child_id}")


routes = [
    Route("/personvern", queue, name="privacy"),
    Route("/personvern/avvik", review, methods=["POST"], name="review_anomaly"),
    Route("/personvern/barn", find_child, methods=["GET", "POST"], name="privacy_find"),
    Route("/personvern/barn/{child_id}", child_log, name="privacy_child"),
    Route("/personvern/barn/{child_id}/innsyn", guardian_report, name="guardian_report"),
    Route("/personvern/barn/{child_id}/{action}", child_action, methods=["POST"], name="privacy_child_action"),
    Route("/personvern/bruker/{user_id}", user_log, name="privacy_user"),
    Route("/personvern/brukere", users, name="privacy_users"),
]

