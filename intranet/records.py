"""One way to load a record a path names, and one way to show a child's data.

`load_record` reads the record, its child and the policy's `Target` and asks
the policy, in one thread hop. `show` does a page's reads and commits the
access event in one hop, then renders: what a page shows of a child is
recorded before it is shown, and `render` refuses a page whose context holds a
child's data that no access event of the request covers (intranet/guard.py).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from events import clock
from events.application import NotFound
from events.children import Child
from events.errors import IntegrityError, RecordErased
from events.policy import Target, action_for, may
from intranet.access_reasons import check_shown
from intranet.forms import parse_uuid
from intranet.guard import allows, commit_access, current_user, found, require
from intranet.templating import render


@dataclass
class Record:
    """A record the user may act on, with what the policy decided it on."""

    value: Any  # the aggregate
    child: Child | None  # the child it is about, if any
    target: Target
    related: dict[str, Any] = field(default_factory=dict)  # e.g. a referral's concern


@dataclass(frozen=True)
class Shown:
    """What a response shows of which children, for the access event."""

    children: list[UUID]
    records: list[str]
    action: str = "view"
    reason: str = ""  # a code of intranet/access_reasons.py REASONS

    def __post_init__(self) -> None:
        check_shown(self.records, self.reason)


# -- reading each kind of record, in the threadpool ------------------------------------------
def _concern(domain, record_id: UUID) -> Record:
    concern, history = domain.concern_with_history(record_id)
    child = domain.get_child(concern.child_id)
    return Record(concern, child, Target.concern(concern, child.restricted), {"history": history})


def _consent(domain, record_id: UUID) -> Record:
    consent = domain.get_consent(record_id)
    child = domain.get_child(consent.child_id)
    return Record(consent, child, Target.consent(consent, child.restricted))


def _referral(domain, record_id: UUID) -> Record:
    referral = domain.get_referral(record_id)
    concern = domain.get_concern(referral.concern_id)
    child = domain.get_child(referral.child_id)
    return Record(referral, child, Target.referral(referral, concern, child.restricted), {"concern": concern})


def _transfer(domain, record_id: UUID) -> Record:
    transfer = domain.get_transfer(record_id)
    child = domain.get_child(transfer.child_id)
    return Record(transfer, child, Target.transfer(transfer, child.restricted))


def _child(domain, record_id: UUID) -> Record:
    child = domain.get_child(record_id)
    return Record(child, child, Target.child(child))


def _meeting(domain, record_id: UUID) -> Record:
    meeting = domain.get_meeting(record_id)
    return Record(meeting, None, Target.meeting(meeting))


def _meeting_case(domain, record_id: UUID) -> Record:
    """A case brought to a meeting: the meeting's attendance decides, and the child's restriction."""
    case = domain.get_meeting_case(record_id)
    meeting = domain.get_meeting(case.meeting_id)
    restricted = domain.get_child(case.child_id).restricted
    return Record(case, None, Target.meeting_case(case, meeting, restricted), {"meeting": meeting})


def _series(domain, record_id: UUID) -> Record:
    series = domain.get_series(record_id)
    return Record(series, None, Target.series(series, clock.today()))


def _wheel_item(domain, record_id: UUID) -> Record:
    item = domain.get_wheel_item(record_id)
    return Record(item, None, Target.wheel(item.unit_id))


def _case_proposal(domain, record_id: UUID) -> Record:
    proposal = domain.get_case_proposal(record_id)
    return Record(proposal, None, Target.case_proposal(proposal, domain.get_child(proposal.child_id).restricted))


# kind -> (the path parameter naming it, how to read it)
KINDS: dict[str, tuple[str, Callable[[Any, UUID], Record]]] = {
    "concern": ("concern_id", _concern),
    "consent": ("consent_id", _consent),
    "referral": ("referral_id", _referral),
    "transfer": ("transfer_id", _transfer),
    "child": ("child_id", _child),
    "meeting": ("meeting_id", _meeting),
    "meeting_case": ("case_id", _meeting_case),
    "series": ("series_id", _series),
    "wheel_item": ("item_id", _wheel_item),
    "case_proposal": ("proposal_id", _case_proposal),
}


def find_record(request: Request, kind: str, action: str) -> Record:
    """The record of `kind` the path names, if the user may do `action` on it;
    else 404, exactly as if it did not exist (so ids cannot be probed), or 403
    when only the child's restriction stands in the way. Runs in the threadpool."""
    param, read = KINDS[kind]
    record_id = parse_uuid(request.path_params[param])
    if record_id is None:
        raise HTTPException(404, "record")
    with found(request):
        record = read(request.app.state.domain, record_id)
    require(request, action_for(action, record.value), record.target, record=True)
    return record


def permitted(request: Request, kind: str, action: str, rows: list[dict], id_key: str = "id") -> list[dict]:
    """The rows of a list that the policy lets the user `action`, each decided on
    its record as read from the events, as when it is opened: not on the read
    model that listed it, so a row inserted into a read model cannot show what
    the policy refuses. A record that cannot be read (erased, gone) is left out.
    Runs in the threadpool."""
    read = KINDS[kind][1]
    domain = request.app.state.domain
    kept = []
    for row in rows:
        try:
            record_id = row[id_key]
            record = read(domain, record_id if isinstance(record_id, UUID) else UUID(record_id))
        except (NotFound, RecordErased, IntegrityError):  # gone, erased, or altered: not shown
            continue
        if allows(request, action_for(action, record.value), record.target):
            kept.append(row)
    return kept


async def load_record(request: Request, kind: str, action: str) -> Record:
    """`find_record`, in one thread hop."""
    return await run_in_threadpool(find_record, request, kind, action)


def may_do(request: Request, action: str, record: Record) -> bool:
    """Whether the user may also do `action` on a record already loaded (to offer it)."""
    return may(current_user(request), action_for(action, record.value), record.target)


def shown_now(request: Request, reads: Callable[[], tuple[dict[str, Any], Shown]]) -> dict[str, Any]:
    """Do a page's `reads`, then commit what it shows; return its context.
    Runs in the threadpool. If the access cannot be committed, nothing is shown (503)."""
    context, shown = reads()
    commit_access(request, shown.children, shown.records, shown.action, shown.reason)
    return context


async def show(
    request: Request,
    template: str,
    reads: Callable[[], tuple[dict[str, Any], Shown]],
    *,
    fragment: str = "content",
    status_code: int = 200,
) -> Response:
    """Render `template` with what `reads` returns, once its access is committed."""
    context = await run_in_threadpool(shown_now, request, reads)
    return render(request, template, context, fragment=fragment, status_code=status_code)


async def show_record(
    request: Request,
    kind: str,
    action: str,
    template: str,
    reads: Callable[[Record], tuple[dict[str, Any], Shown]],
    *,
    ahead: Callable[[], ContextManager[Any]] | None = None,
    **options: Any,
) -> Response:
    """Load the record the path names, do the page's reads and commit its access,
    all in one thread hop; then render. `ahead`: a context in which the record
    and the page's reads are made (a page that reads them all in one round trip)."""
    def load_and_read() -> tuple[dict[str, Any], Shown]:
        with ahead() if ahead is not None else nullcontext():
            return reads(find_record(request, kind, action))

    return await show(request, template, load_and_read, **options)
