"""The front page (`/`): each role's own work, at a glance.

A unit leader sees the unit's new concerns, the deadlines passed and coming,
reports to barnevernet without confirmed receipt and the coming resource-team
meetings; staff their own open concerns and the steps due; the resource team
its coming meetings; the privacy officer the review queue and the erasure
requests; the kommunalsjef the coming meetings and the statistics; the
administrator the erasure requests to confirm and the units.

Every row is read through the policy (a row the user may not see is left out,
whatever the query returned), and the children named on the page are recorded
as seen before it is shown (intranet/records.py's `show`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable
from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.policy import Principal, Target, may
from intranet import labels
from intranet.concerns import named
from intranet.guard import require
from intranet.meetings import KIND_NAMES
from intranet.notifications import for_user
from intranet.programme import guide_reading
from intranet.records import Shown, show

NEW_DAYS = 14  # a concern about something seen this many days back counts as new
SOON_DAYS = 14  # a deadline this many days ahead is coming
MEETING_DAYS = 90  # a meeting this many days ahead is coming
LIMIT = 10  # rows per part; the full lists are a link away


def concern_target(view, row: dict) -> Target:
    """The policy's target for a concern's read-model row."""
    return Target(unit_id=UUID(row["unit_id"]), author_id=UUID(row["author_id"]),
                  shared_with=tuple(view.members(UUID(row["id"]))),
                  record_ids=(UUID(row["id"]), UUID(row["child_id"])))


def allowed(user: Principal, action: str, view, rows: list[dict],
            concern_of: Callable[[dict], dict | None] = lambda row: row) -> list[dict]:
    """The rows the user may `action`, each judged on its concern's row (a concern's
    own row by default; a referral's concern is read for it)."""
    kept = []
    for row in rows:
        concern = concern_of(row)
        if concern is not None and may(user, action, concern_target(view, concern)):
            kept.append(row)
    return kept


def deadlines(request: Request, user: Principal, scope: str, scope_id: UUID, today: date) -> list[dict]:
    """Conversations with guardians and evaluations of measures due up to SOON_DAYS ahead,
    passed ones first, each marked as passed or coming."""
    view = request.app.state.projections["concerns"].view
    before = today + timedelta(days=SOON_DAYS + 1)
    talks = [{**r, "step": "talk", "due": r["talk_due_on"]}
             for r in view.talks_due_before(before, scope, scope_id, LIMIT)]
    measures = [{**r, "step": "measure", "due": r["evaluate_on"]}
                for r in view.measures_due_before(before, scope, scope_id, LIMIT)]
    rows = sorted(allowed(user, "concern.view", view, talks + measures), key=lambda r: (r["due"], r["id"]))[:LIMIT]
    for row in rows:
        row["passed"] = row["due"] < today.isoformat()
    return named(request, rows)


def coming_meetings(request: Request, user: Principal, today: date) -> list[dict]:
    """The coming resource-team meetings the user attends. A cancelled one stays, marked
    "Avlyst": an attendee who planned for it learns it will not be held, where a meeting
    silently gone would leave her asking."""
    view = request.app.state.projections["meetings"].view
    kept = []
    for row in view.coming(today, 200):
        if row["held_on"] > (today + timedelta(days=MEETING_DAYS)).isoformat():
            break
        units, services, invitees = view.attending(UUID(row["id"]))
        target = Target(owner_id=UUID(row["leader_id"]), unit_ids=tuple(units), services=tuple(services),
                        invitee_ids=tuple(invitees), kind=row["kind"])
        if may(user, "meeting.view", target):
            kept.append(row)
    return kept[:LIMIT]


# -- each role's work ------------------------------------------------------------------------
def unit_leader(request: Request, user: Principal, today: date) -> dict[str, Any]:
    projections = request.app.state.projections
    concerns = projections["concerns"].view
    new = concerns.opened_since(user.unit_id, today - timedelta(days=NEW_DAYS), LIMIT)
    reports = projections["referrals"].view.reports_unconfirmed(user.unit_id, LIMIT)
    for row in reports:
        row["passed"] = row["confirmation_due"] < today.isoformat()
    return {"new": named(request, allowed(user, "concern.view", concerns, new)),
            "deadlines": deadlines(request, user, "unit", user.unit_id, today),
            "reports": named(request, allowed(user, "referral.view", concerns, reports,
                                              lambda row: concerns.one(UUID(row["concern_id"])))),
            "meetings": coming_meetings(request, user, today), "guide": guide_reading(request)}


def staff(request: Request, user: Principal, today: date) -> dict[str, Any]:
    concerns = request.app.state.projections["concerns"].view
    mine = concerns.mine(user.id, "open", 0, LIMIT)
    return {"mine": named(request, allowed(user, "concern.view", concerns, mine)),
            "deadlines": deadlines(request, user, "member", user.id, today), "guide": guide_reading(request)}


def resource_team(request: Request, user: Principal, today: date) -> dict[str, Any]:
    return {"meetings": coming_meetings(request, user, today)}


def privacy_officer(request: Request, user: Principal, today: date) -> dict[str, Any]:
    """Counts and dates only: no child is named, so nothing is recorded as seen."""
    if not may(user, "audit.view"):
        return {}
    view = request.app.state.projections["access_log"].view
    return {"queue_size": view.queue_size()[0], "erasures": erasure_summary(view)}


def municipal_leader(request: Request, user: Principal, today: date) -> dict[str, Any]:
    """The meetings as the yearly wheel shows them to everyone: a date and a kind."""
    if not may(user, "calendar.view"):
        return {}
    view = request.app.state.projections["meetings"].view
    until = (today + timedelta(days=MEETING_DAYS)).isoformat()
    meetings = [{"held_on": r["held_on"], "kind": r["kind"], "cancelled_on": r["cancelled_on"]} for r in view.coming(today, LIMIT) if r["held_on"] <= until]
    return {"calendar": meetings, "statistics": may(user, "leaders.view")}


def admin(request: Request, user: Principal, today: date) -> dict[str, Any]:
    state = request.app.state
    work: dict[str, Any] = {"units": state.projections["directory"].view.units()}
    if may(user, "erasure.confirm"):
        work["erasures"] = erasure_summary(state.projections["access_log"].view)
    return work


def erasure_summary(view) -> dict[str, Any]:
    """How many erasure requests wait for the administrator, and since when."""
    pending = view.pending_erasures()
    return {"count": len(pending), "oldest": pending[0]["requested_at"][:10] if pending else None}


WORK: dict[str, Callable[[Request, Principal, date], dict[str, Any]]] = {
    "unit_leader": unit_leader, "staff": staff, "resource_team": resource_team,
    "privacy_officer": privacy_officer, "municipal_leader": municipal_leader, "admin": admin,
}


def reads(request: Request, user: Principal) -> tuple[dict[str, Any], Shown]:
    """The user's work, and the children it names (runs in the threadpool)."""
    today = clock.today()
    work = WORK.get(user.role, lambda *_: {})(request, user, today)
    if may(user, "notifications.list"):  # what waits in the collaborations, without a child's name
        work["notifications"] = for_user(request, user)[:LIMIT]
    children = [UUID(r["child_id"]) for part in ("new", "mine", "deadlines", "reports") for r in work.get(part, [])]
    # The lists stand at the top of the context, where the render guard checks them.
    context = {**work, "role": user.role, "today": today.isoformat(), "kinds": KIND_NAMES,
               "labels": labels, "active": "home"}
    return context, Shown(children, ["concern.list", "child.name"])


async def home(request: Request) -> Response:
    """The front page: the signed-in user's own work."""
    user = require(request, "home.view")
    return await show(request, "home.html", lambda: reads(request, user))


routes = [Route("/", home, name="home")]
