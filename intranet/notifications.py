"""Notifications without content (`/varsler`, and a part of the front page):
what waits for the user in the collaborations she is a member of. A handover
proposed to her, evaluations due within a week, ansvarsgruppe meetings within
14 days, the consent running out within 30 days.

Each item names its collaboration by the opening unit and the day it was
opened, never by the child: the list shows no child's data, so it is no access
to record (docs/decisions.md). The dates come from the notifications read model;
the policy decides on each collaboration, as on its page.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.consents import EXPIRY_WARNING_DAYS
from events.policy import Principal, Target, may
from intranet.guard import require
from intranet.templating import render

EVALUATION_DAYS = 7  # an evaluation this many days ahead is due
MEETING_DAYS = 14  # an ansvarsgruppe meeting this many days ahead is coming
CANDIDATES = 200  # collaborations read for one user at most
ORDER = {"handover": 0, "evaluation": 1, "meeting": 2, "consent": 3}


def meetings_coming(collaboration, today: date) -> list[dict[str, Any]]:
    """The ansvarsgruppe meetings of `collaboration` within MEETING_DAYS:
    [{"no": ..., "held_on": date}]. The read model keeps them as the meetings'
    events say (projections/notifications.py `meeting_planned`)."""
    return [m for m in collaboration.meetings if today <= m["held_on"] <= today + timedelta(days=MEETING_DAYS)]


def waiting(view, concerns, user: Principal, today: date) -> list[dict[str, Any]]:
    """What waits for `user`, soonest first: one dict per item, with its kind, its
    collaboration, the opening unit, the day it was opened, its date and its key
    (what the e-mail digest records as sent). No child's id or name."""
    if user.role not in ("staff", "unit_leader", "resource_team"):
        return []
    items = []
    candidates = view.waiting_candidates(user.id, user.unit_id, user.service, today + timedelta(days=EVALUATION_DAYS),
                                         today + timedelta(days=EXPIRY_WARNING_DAYS),
                                         today + timedelta(days=MEETING_DAYS), CANDIDATES)
    for collaboration, consent in candidates:
        concern = concerns.one(collaboration.concern_id)
        if concern is None:
            continue
        on_concern = SimpleNamespace(author_id=UUID(concern["author_id"]),
                                     shared_with=concerns.members(collaboration.concern_id))
        target = Target.collaboration(collaboration, on_concern, consent, today)
        if not may(user, "collaboration.view", target):
            continue
        cid = str(collaboration.id)
        about = {"collaboration_id": cid, "unit_id": str(collaboration.unit_id),
                 "opened_on": collaboration.opened_on}
        if collaboration.handover and collaboration.handover["to"] == user.id:
            items.append({**about, "kind": "handover", "due": collaboration.handover["proposed_on"],
                          "key": f"handover:{cid}:{collaboration.handover['proposed_on']}"})
        for measure in collaboration.evaluations:
            items.append({**about, "kind": "evaluation", "no": measure["no"], "due": measure["evaluate_on"],
                          "key": f"evaluation:{cid}:{measure['no']}:{measure['evaluate_on']}"})
        for meeting in meetings_coming(collaboration, today):
            items.append({**about, "kind": "meeting", "due": meeting["held_on"],
                          "key": f"meeting:{cid}:{meeting['no']}:{meeting['held_on']}"})
        if consent.expires_soon(today):
            items.append({**about, "kind": "consent", "due": consent.valid_until,
                          "key": f"consent:{consent.id}:{consent.valid_until}:{cid}"})
    return sorted(items, key=lambda i: (i["due"], ORDER[i["kind"]], i["key"]))


def for_user(request: Request, user: Principal) -> list[dict[str, Any]]:
    """What waits for the signed-in user, each with its unit's name (runs in the threadpool)."""
    projections = request.app.state.projections
    today = clock.today()
    items = waiting(projections["notifications"].view, projections["concerns"].view, user, today)
    units = {u["id"]: u["name"] for u in projections["directory"].view.units()} if items else {}
    for item in items:
        item["unit_name"] = units.get(item["unit_id"], "")
        item["passed"] = item["due"] < today
    return items


async def notification_list(request: Request) -> Response:
    """The list of what waits for the user, each linking to its collaboration."""
    user = require(request, "notifications.list")
    items = await run_in_threadpool(for_user, request, user)
    return render(request, "notifications/list.html", {"items": items, "active": "notifications"})


routes = [Route("/varsler", notification_list, name="notifications")]
