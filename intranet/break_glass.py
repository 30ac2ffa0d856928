"""Break-the-glass: reading a record outside the policy, on a typed reason, for an
hour. The grant is an event, lands in the privacy officer's review queue, and
every page shown under it is logged as such."""

from __future__ import annotations

import re
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.application import NotFound
from events.errors import RecordErased
from events import policy
from events.policy import Basis, Target, may
from intranet.auth import redirect
from intranet.forms import read_form
from intranet.grants import GRANT_MINUTES
from intranet.guard import require
from intranet.i18n import _
from intranet.templating import render

MIN_REASON = 10
REFUSED = "break_glass.refused"  # what a refused attempt's access event names
RECORD_PATH = re.compile(r"^/(barn|bekymringer|henvisninger|samtykker)/([0-9a-f-]{36})$")


def records_behind(domain, kind: str, record_id: UUID) -> tuple[list[UUID], UUID, bool]:
    """The record ids a grant names, the child they are about, and whether the
    child is restricted (a restriction is never broken through)."""
    if kind == "barn":
        child = domain.get_child(record_id)
        return [child.id], child.id, child.restricted
    if kind == "bekymringer":
        concern = domain.get_concern(record_id)
        child = domain.get_child(concern.child_id)
        return [concern.id, child.id], child.id, child.restricted
    if kind == "henvisninger":
        referral = domain.get_referral(record_id)
        child = domain.get_child(referral.child_id)
        return [referral.id, referral.concern_id, child.id], child.id, child.restricted
    consent = domain.get_consent(record_id)
    child = domain.get_child(consent.child_id)
    return [consent.id, child.id], child.id, child.restricted


def grant(request: Request, kind: str, record_id: UUID, reason: str) -> None:
    """Grant the user access to the record for an hour, if the policy lets a grant
    reach it (never through a restriction). Runs in the threadpool.

    A restricted child's record answers exactly as a missing one (404, the same
    page, the same work: one event written), so a grant cannot probe for a
    restriction; the attempt is recorded as a refused break-the-glass access,
    which puts a restricted child's in the privacy officer's queue."""
    domain = request.app.state.domain
    user = require(request, "break_glass")
    try:
        record_ids, child_id, restricted = records_behind(domain, kind, record_id)
    except (NotFound, RecordErased):
        record_ids, child_id, restricted = [], None, True
    if not may(user, "break_glass", Target(record_ids=tuple(record_ids), restricted=restricted)):
        children = [child_id] if child_id else []
        domain.record_access(user.id, user.role, user.unit_id, children, [REFUSED], "break_glass", reason,
                             request.state.session.audit_id, [Basis(policy.REFUSED)] * len(children))
        raise HTTPException(404, "record")
    grant_id = domain.break_glass(user.id, user.role, record_ids, [child_id], reason, GRANT_MINUTES,
                                  request.state.session.audit_id)
    request.app.state.grants.grant(user.id, record_ids, grant_id=grant_id)


async def break_glass(request: Request) -> Response:
    """Grant access outside the rules, for an hour, on a typed reason."""
    require(request, "break_glass")
    form = await read_form(request)
    path = form.get("path", "")
    match = RECORD_PATH.match(path)
    if match is None:
        raise HTTPException(404, "record")
    reason = form.get("reason", "").strip()
    if len(reason) < MIN_REASON:
        return render(request, "errors/error.html", {
            "title": _("Finner ikke siden"), "glass": True, "path": path, "status": 404,
            "text": _("Skriv en begrunnelse på minst %(n)s tegn for å be om nødtilgang.") % {"n": MIN_REASON},
        }, status_code=422)
    await run_in_threadpool(grant, request, match.group(1), UUID(match.group(2)), reason)
    return redirect(request, path)


routes = [Route("/nodtilgang", break_glass, methods=["POST"], name="break_glass")]
