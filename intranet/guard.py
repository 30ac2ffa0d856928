"""The one place every route asks for permission, and records access.

`require()` asks the policy (events/policy.py), which decides with a legal
basis, and notes the basis for the children of the record (`allows()` does the
same for each row of a list). `commit_access()` (through intranet/records.py's
`show`) commits the access event, with each child's basis as noted, before the
data is shown; if it cannot, the request fails and nothing is shown (fail closed).
`check_render()` is the render guard: a response that would show a child's
data not covered by a committed access event of the request is refused.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator
from uuid import UUID

from starlette.exceptions import HTTPException
from starlette.requests import Request

from events.application import NotFound
from events.audit import grant_reason
from events.children import Child
from events.clock import OSLO
from events.errors import RecordErased
from events.policy import (BREAK_GLASS, Basis, Decision, Principal, Target, consent_ended_for, decide,
                           refused_for_read_only, refused_for_restriction)

log = logging.getLogger(__name__)


def current_user(request: Request) -> Principal:
    user = getattr(request.state, "user", None)
    if user is None:
        raise HTTPException(401)
    return user


def require(request: Request, action: str, target: Target | None = None, *, record: bool = False) -> Principal:
    """The signed-in user, if the policy allows `action` on `target`.

    For a record (`record=True`), a refusal answers 404, exactly as if the record
    did not exist, so ids cannot be probed. For a page, it answers 403.
    A change to a record only a break-the-glass grant opens is 404 too, saying
    the grant is for reading. A collaboration the user's service took part in
    on a consent that has since been withdrawn or expired is 403, with why. Shown by a grant, the page is read-only until the
    grant ends (`request.state.read_only_until`, which `render` passes on).
    """
    user = current_user(request)
    decision = decide(user, action, target)
    if not decision:
        if refused_for_restriction(user, action, target):
            raise HTTPException(403, "restricted")
        ended = consent_ended_for(user, target)
        if ended:  # her service took part on a consent that no longer covers it: say why
            request.state.consent_ended = [r for coverage in ended for r in coverage.refusals]
            raise HTTPException(403, "consent_ended")
        if record and refused_for_read_only(user, action, target):
            raise HTTPException(404, "read_only")
        raise HTTPException(404, "record") if record else HTTPException(403)
    note_basis(request, target, decision)
    if decision.basis.code == BREAK_GLASS:
        request.state.break_glass = True  # the access events say so
        request.state.read_only_until = _grant_ends(request, user, target)
    return user


def allows(request: Request, action: str, target: Target) -> bool:
    """Whether the policy lets the user do `action` on `target` (a row of a list),
    noting the basis for the access event if it does."""
    decision = decide(current_user(request), action, target)
    if decision:
        note_basis(request, target, decision)
    return decision.allowed


def note_basis(request: Request, target: Target | None, decision: Decision) -> None:
    """Remember the basis the policy allowed on: for the records (and so the child)
    the target names, else for the page as a whole (a list of the user's own unit,
    the privacy officer's pages)."""
    bases = _bases(request)
    if target is not None and target.record_ids:
        for record_id in target.record_ids:
            bases[record_id] = decision.basis
    else:
        request.state.page_basis = decision.basis


def _bases(request: Request) -> dict[UUID, Basis]:
    bases = getattr(request.state, "bases", None)
    if bases is None:
        bases = request.state.bases = {}
    return bases


def basis_of(request: Request, child_id: UUID) -> Basis:
    """The basis the policy allowed showing the child's data on, in this request.
    A child no decision covers is a fault of the route (fail closed)."""
    basis = _bases(request).get(child_id) or getattr(request.state, "page_basis", None)
    if basis is None:
        raise UnauditedRender("a child's data was to be shown with no decision of the policy behind it")
    return basis


def _grant_ends(request: Request, user: Principal, target: Target) -> datetime:
    """When the grants that open `target` end: the last of them (each record of a
    grant may have been granted again since)."""
    until = getattr(request.state, "grants_until", {})
    ends = [until[r] for r in user.grants.intersection(target.record_ids) if r in until]
    # The grants and their ends are read together (AuthMiddleware): never missing.
    return datetime.fromtimestamp(max(ends), OSLO)


@contextmanager
def found(request: Request) -> Iterator[None]:
    """Around loading the record a path names: missing is 404; erased is 410,
    said only to a signed-in user (the same for every kind of record)."""
    try:
        yield
    except NotFound:
        raise HTTPException(404, "record") from None
    except RecordErased:
        require(request, "home.view")
        raise HTTPException(410, "erased") from None


def commit_access(
    request: Request,
    subject_ids: list[UUID],
    records: list[str],
    action: str = "view",
    reason: str = "",
) -> None:
    """Commit who is about to see which children's data, before it is shown
    (intranet/records.py's `show` calls it in the same thread hop as the page's
    reads). Raises 503 if it cannot commit: nothing is shown."""
    subject_ids = list(dict.fromkeys(subject_ids))  # a list may show a child twice
    shown = _shown(request)
    if not subject_ids:
        return
    user = current_user(request)
    bases = [basis_of(request, child_id) for child_id in subject_ids]
    if getattr(request.state, "break_glass", False):
        reason = grant_reason(reason)
    try:
        request.app.state.domain.record_access(
            user.id,
            user.role,
            user.unit_id,
            subject_ids,
            records,
            action,
            reason,
            request.state.session.audit_id,
            bases,
        )
    except Exception:
        log.exception("access event could not be recorded; data withheld")
        raise HTTPException(503, "access could not be recorded") from None
    shown.update(subject_ids)


# -- the render guard -----------------------------------------------------------------------
# A template that shows children's data the context does not name by record
# (names in plain tuples, say) says so on its first line:
# {# shows children's data -#}   (the dash keeps the line out of the page)
CHILD_DATA_MARK = "{# shows children's data"


class UnauditedRender(RuntimeError):
    """A page was about to show a child's data that no access event covers."""


def _shown(request: Request) -> set[UUID]:
    """The children whose data this request's committed access events cover.
    It exists once the request has decided what it shows, even nothing."""
    shown = getattr(request.state, "shown_children", None)
    if shown is None:
        shown = request.state.shown_children = set()
    return shown


def _child_of(value: object) -> UUID | None:
    if isinstance(value, Child):
        return value.id
    if isinstance(value, dict):  # a read model's row
        child_id = value.get("child_id")
    else:  # a record about a child
        child_id = getattr(value, "child_id", None)
    if isinstance(child_id, UUID):
        return child_id
    try:
        return UUID(child_id) if isinstance(child_id, str) else None
    except ValueError:
        return None


def children_in(context: dict) -> set[UUID]:
    """The children whose data a template context holds: records about a child
    (and the child itself) as values, and rows of a read model in lists."""
    found_ids = set()
    for key, value in context.items():
        if isinstance(value, dict):
            continue  # a form's values or a lookup table, not a record
        items = value if isinstance(value, (list, tuple)) else (value,)
        for item in items:
            child_id = _child_of(item)
            if child_id is not None:
                found_ids.add(child_id)
    return found_ids


def check_render(request: Request, template: str, context: dict, marked: bool) -> None:
    """Refuse to render children's data no committed access event of this
    request covers (fail closed: the response is a server error, and logged)."""
    shown = getattr(request.state, "shown_children", None)
    missing = children_in(context) - (shown or set())
    if missing or (marked and shown is None):
        log.error("refused to render %s: %d child(ren) shown without an access event", template, len(missing))
        raise UnauditedRender(f"{template} shows children's data with no access event committed")
