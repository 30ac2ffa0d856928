"""The one place every route asks for permission, and records access.

`require()` asks the policy (events/policy.py). `record_access()` (or
`commit_access()` from the threadpool) commits the access event before the
data is shown; if it cannot, the request fails and nothing is shown (fail closed).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Iterator
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request

from events.application import NotFound
from events.errors import RecordErased
from events.policy import Principal, Target, by_break_glass, may, refused_for_restriction

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
    """
    user = current_user(request)
    if not may(user, action, target):
        if refused_for_restriction(user, action, target):
            raise HTTPException(403, "restricted")
        raise HTTPException(404, "record") if record else HTTPException(403)
    if by_break_glass(user, action, target):
        request.state.break_glass = True  # the access events say so
    return user


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


async def record_access(
    request: Request,
    subject_ids: list[UUID],
    records: list[str],
    action: str = "view",
    reason: str = "",
) -> None:
    """Commit who is about to see which children's data. Raises 503 if it cannot."""
    await run_in_threadpool(commit_access, request, subject_ids, records, action, reason)


def commit_access(
    request: Request,
    subject_ids: list[UUID],
    records: list[str],
    action: str = "view",
    reason: str = "",
) -> None:
    """`record_access` for code already in the threadpool, so that a page's reads
    and its access event take one hop. Raises 503 if it cannot commit."""
    subject_ids = list(dict.fromkeys(subject_ids))  # a list may show a child twice
    if not subject_ids:
        return
    user = current_user(request)
    if getattr(request.state, "break_glass", False):
        reason = ("nødtilgang; " + reason).strip("; ")
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
        )
    except Exception:
        log.exception("access event could not be recorded; data withheld")
        raise HTTPException(503, "access could not be recorded") from None
