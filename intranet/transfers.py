"""Transfers between units (overføring): prepare the transfer form with the
chosen parts of the child's record, record the guardians' approval, send, and
for the receiving unit's leader: open, then accept or return.

Every page that shows a child's data records the access first. The receiving
leader's first opening is also a step on the transfer (`Viewed`), which the
sender sees.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.errors import DomainError
from intranet.error_messages import field_errors
from events.policy import Target, may
from events.transfers import APPROVAL_METHODS, FORM_FIELDS, KINDS, UNIT_KINDS, Transfer
from intranet import labels
from intranet import transfer_words as words
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.concerns import unit_children
from intranet.forms import page_number, parse_uuid, read_form, read_multi
from intranet.guard import commit_access, current_user, require
from intranet.records import Record, Shown, load_record, may_do, show, show_record
from intranet.i18n import _

PAGE_SIZE = 25
def has_calendar(request: Request) -> bool:
    return any(getattr(r, "path", "") == "/arshjul" for r in request.app.routes)


def records_shown(content: dict[str, Any]) -> list[str]:
    """The kinds of record a transfer's content reveals, for the access event."""
    kinds = ["transfer", "child.name"]
    kinds += ["child.guardians"] if "guardians" in content else []
    kinds += ["consent"] if "consents" in content else []
    kinds += ["concern"] if "concerns" in content else []
    return kinds


# -- lists -------------------------------------------------------------------------------
async def transfer_list(request: Request) -> Response:
    """Incoming transfers (the unit leader's) and outgoing ones."""
    user = require(request, "transfers.list")
    return await show(request, "transfers/list.html", lambda: _lists(request, user, page_number(request)))


def _lists(request: Request, user, page: int) -> tuple[dict[str, Any], Shown]:
    view = request.app.state.projections["transfers"].view
    directory = request.app.state.projections["directory"]
    offset, limit = (page - 1) * PAGE_SIZE, PAGE_SIZE + 1
    leader = user.role == "unit_leader"
    incoming = view.incoming(user.unit_id, offset, limit) if leader else []
    outgoing = view.outgoing(user.unit_id, offset, limit) if leader else view.authored(user.id, offset, limit)
    more = len(incoming) > PAGE_SIZE or len(outgoing) > PAGE_SIZE
    incoming, outgoing = incoming[:PAGE_SIZE], outgoing[:PAGE_SIZE]
    units = {u["id"]: u["name"] for u in directory.view.units()}
    # An accepted transfer whose date is ahead: both units see when the child moves.
    moving = directory.view.moves_ahead([UUID(r["child_id"]) for r in incoming + outgoing if r["status"] == "accepted"])
    for row in incoming + outgoing:
        move = moving.get(UUID(row["child_id"])) if row["status"] == "accepted" else None
        row["moves_on"] = move[1] if move and str(move[0]) == row["to_unit_id"] else None
        row["child_name"] = directory.child_name(UUID(row["child_id"])) or _("(slettet)")
        row["from_unit"], row["to_unit"] = units.get(row["from_unit_id"], "?"), units.get(row["to_unit_id"], "?")
    context = {"incoming": incoming, "outgoing": outgoing, "page": page, "more": more, "words": words,
               "leader": leader, "active": "transfers"}
    return context, Shown([UUID(r["child_id"]) for r in incoming + outgoing], ["transfer.list", "child.name"])


# -- a new transfer ------------------------------------------------------------------------
async def new_transfer(request: Request) -> Response:
    """Start a transfer: which child, to which unit, and what kind."""
    user = current_user(request)
    require(request, "transfer.create", Target(unit_id=user.unit_id))
    if request.method == "GET":
        return await show(request, "transfers/new.html", lambda: _new_form(request, user))
    form = await read_form(request)
    transfer_id, errors = await run_in_threadpool(_start, request, user, form)
    if errors:
        return await show(request, "transfers/new.html", lambda: _new_form(request, user, values=form, errors=errors),
                          status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/overforinger/{transfer_id}")


def _receivers(request: Request, user) -> list[dict]:
    units = request.app.state.projections["directory"].view.units()
    return [u for u in units if u["kind"] == "skole" and not u["closed"] and u["id"] != str(user.unit_id)]


def _new_form(request: Request, user, **more: Any) -> tuple[dict[str, Any], Shown]:
    children = unit_children(request, user.unit_id)
    context: dict[str, Any] = {
        "child_options": [(str(i), name) for i, name in children], "units": _receivers(request, user),
        "words": words, "kinds": KINDS, "errors": {}, "values": {"kind": KINDS[0]}, "today": clock.today(),
        "calendar": has_calendar(request), "active": "transfers", **more,
    }
    return context, Shown([c[0] for c in children], ["child.name"], reason="velg barn")


def _start(request: Request, user, form: dict[str, str]):
    """Start the transfer the form describes: (its id, no errors) or (None, field errors)."""
    errors: dict[str, str] = {}
    child_id, to_unit_id, kind = parse_uuid(form.get("child_id")), parse_uuid(form.get("to_unit_id")), form.get("kind", "")
    if child_id not in {c[0] for c in unit_children(request, user.unit_id)}:
        errors["child_id"] = _("Velg barnet som skal overføres.")
    if to_unit_id is None or str(to_unit_id) not in {u["id"] for u in _receivers(request, user)}:
        errors["to_unit_id"] = _("Velg skolen som skal motta overføringen.")
    if kind not in KINDS:
        errors["kind"] = _("Velg type overføring.")
    effective_on = _effective_date(form, errors)
    if errors:
        return None, errors
    try:
        return request.app.state.domain.start_transfer(child_id, to_unit_id, kind, user.id, effective_on), {}
    except DomainError as e:
        return None, field_errors(e)


# -- one transfer -----------------------------------------------------------------------------
def visible_concerns(request: Request, transfer: Transfer) -> list[dict]:
    """The child's concerns the user may see: the parts a sender can choose from."""
    user = current_user(request)
    view = request.app.state.projections["concerns"].view
    return [row for row in view.for_children([transfer.child_id])
            if may(user, "concern.view", Target(unit_id=UUID(row["unit_id"]), author_id=UUID(row["author_id"]),
                                                shared_with=tuple(view.members(UUID(row["id"])))))]


def page_reads(request: Request, record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    """What the transfer page shows, and the kinds of record it reveals."""
    domain = request.app.state.domain
    transfer, child = record.value, record.child
    sender = may_do(request, "transfer.edit", record)
    content = transfer.snapshot if transfer.snapshot is not None else domain.transfer_content(transfer)
    context: dict[str, Any] = {
        "transfer": transfer, "child": child, "content": content, "words": words, "labels": labels,
        "from_unit": domain.get_unit(transfer.from_unit_id), "to_unit": domain.get_unit(transfer.to_unit_id),
        "sender": sender, "may_send": may_do(request, "transfer.send", record),
        "receiver": may_do(request, "transfer.receive", record), "today": clock.today(), "errors": {},
        "values": {}, "calendar": has_calendar(request), "active": "transfers", "methods": APPROVAL_METHODS,
        "form_fields": FORM_FIELDS, "names": request.app.state.names.users([actor for _, _, actor in transfer.trail]),
    }
    if sender and transfer.is_draft:
        context["concerns"] = visible_concerns(request, transfer)
        to_kind = UNIT_KINDS[transfer.kind][1]
        context["units"] = [u for u in request.app.state.projections["directory"].view.units()
                            if u["kind"] == to_kind and not u["closed"] and u["id"] != str(transfer.from_unit_id)]
        context["approvers"] = [g["name"] for g in child.guardians_with_responsibility]
        if child.age_on(clock.today()) >= 15:
            context["approvers"].append(child.name)
    context.update(more)
    return context, Shown([transfer.child_id], records_shown(content))


def _opened(request: Request, record: Record) -> tuple[dict[str, Any], Shown]:
    """The page as the receiving leader opens it. Nothing is received silently: the
    opening is recorded, then becomes a step the sender sees, with who and when."""
    context, shown = page_reads(request, record)
    if context["receiver"] and record.value.status == "sent":
        commit_access(request, shown.children, shown.records)
        domain = request.app.state.domain
        domain.mark_transfer_viewed(record.value.id)
        transfer = domain.get_transfer(record.value.id)
        context, _shown = page_reads(request, Record(transfer, record.child, Target.transfer(
            transfer, record.child.restricted)))
        shown = Shown([], [])  # committed above
    return context, shown


async def transfer_page(request: Request) -> Response:
    """One transfer: the draft and its approval for the sender, the content for the receiver."""
    return await show_record(request, "transfer", "transfer.view", "transfers/page.html",
                             lambda record: _opened(request, record))


ACTIONS = {"lagre": "transfer.edit", "godkjenning": "transfer.edit", "send": "transfer.send",
           "godta": "transfer.receive", "returner": "transfer.receive"}


async def transfer_action(request: Request) -> Response:
    """Save the draft, record the guardians' approval, send, accept, or return."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    record = await load_record(request, "transfer", ACTIONS[action])
    form = await read_form(request)
    chosen = {name: await read_multi(request, name) for name in ("parts", "approvers")}
    errors = await run_in_threadpool(_act, request, record, action, form, chosen)
    if errors:
        return await show_record(request, "transfer", "transfer.view", "transfers/page.html",
                                 lambda again: page_reads(request, again, errors=errors, values=form, failed=action),
                                 status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/overforinger/{record.value.id}")


def _act(request: Request, record: Record, action: str, form: dict[str, str], chosen: dict[str, list[str]]):
    """Run the action's command; the field errors, if any."""
    domain, transfer_id = request.app.state.domain, record.value.id
    try:
        if action == "lagre":
            return _save_draft(request, record.value, form, chosen["parts"])
        if action == "godkjenning":
            on = parse_date(form.get("approved_on", ""))
            if on is None:
                return {"approved_on": _("Skriv datoen foresatte godkjente (dd.mm.åååå).")}
            other = form.get("other_approver", "").strip()
            domain.approve_transfer(transfer_id, chosen["approvers"] + ([other] if other else []),
                                    form.get("method", ""), on, form.get("minutes", "").strip())
        elif action == "send":
            domain.send_transfer(transfer_id)
        elif action == "godta":
            domain.accept_transfer(transfer_id)
        else:
            domain.return_transfer(transfer_id, form.get("reason", "").strip())
    except DomainError as e:
        return field_errors(e)
    return {}


def _effective_date(form: dict[str, str], errors: dict[str, str]):
    """The date the child moves, if one was written (empty: the kind's default)."""
    text = form.get("effective_on", "").strip()
    on = parse_date(text) if text else None
    if text and on is None:
        errors["effective_on"] = _("Skriv en gyldig dato for overføringen (dd.mm.åååå), eller la feltet stå tomt.")
    return on


def _save_draft(request: Request, transfer: Transfer, form: dict[str, str], parts: list[str]) -> dict[str, str]:
    allowed = {f"{k}:{c['id']}" for c in visible_concerns(request, transfer) for k in ("logbook", "plan")}
    to_unit_id = parse_uuid(form.get("to_unit_id"))
    if any(p not in allowed and p not in ("guardians", "consents") for p in parts):
        return {"parts": _("Velg bare deler du har tilgang til.")}
    if to_unit_id is None:
        return {"to_unit_id": _("Velg enheten som skal motta overføringen.")}
    errors: dict[str, str] = {}
    effective_on = _effective_date(form, errors)
    if errors:
        return errors
    fields = {f: form.get(f, "").strip() for f in FORM_FIELDS}
    request.app.state.domain.update_transfer(transfer.id, to_unit_id, parts, fields, effective_on)
    return {}


routes = [
    Route("/overforinger", transfer_list, name="transfers"),
    Route("/overforinger/ny", new_transfer, methods=["GET", "POST"], name="new_transfer"),
    Route("/overforinger/{transfer_id}", transfer_page, name="transfer"),
    Route("/overforinger/{transfer_id}/{action}", transfer_action, methods=["POST"], name="transfer_action"),
]
