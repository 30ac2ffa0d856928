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
from intranet.guard import current_user, found, record_access, require
from intranet.i18n import _
from intranet.templating import render

PAGE_SIZE = 25
SENT = ("sent", "viewed", "accepted", "returned")


def target_of(transfer: Transfer, restricted: bool) -> Target:
    """The sending side always; the receiving unit only once it is sent."""
    return Target(unit_id=transfer.from_unit_id, author_id=transfer.author_id,
                  record_ids=(transfer.id, transfer.child_id), restricted=restricted,
                  to_unit_id=transfer.to_unit_id if transfer.status in SENT else None)


async def load_transfer(request: Request, action: str) -> tuple[Transfer, Any, Target]:
    """The transfer in the path and its child, if the user may do `action`; else 404."""
    transfer_id = parse_uuid(request.path_params["transfer_id"])
    if transfer_id is None:
        raise HTTPException(404, "record")
    domain = request.app.state.domain
    with found(request):
        transfer = await run_in_threadpool(domain.get_transfer, transfer_id)
        child = await run_in_threadpool(domain.get_child, transfer.child_id)
    target = target_of(transfer, child.restricted)
    require(request, action, target, record=True)
    return transfer, child, target


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
    page = page_number(request)
    view = request.app.state.projections["transfers"].view
    directory = request.app.state.projections["directory"]
    offset, limit = (page - 1) * PAGE_SIZE, PAGE_SIZE + 1

    def load():
        incoming = view.incoming(user.unit_id, offset, limit) if user.role == "unit_leader" else []
        outgoing = (view.outgoing(user.unit_id, offset, limit) if user.role == "unit_leader"
                    else view.authored(user.id, offset, limit))
        units = {u["id"]: u["name"] for u in directory.view.units()}
        for row in incoming[:PAGE_SIZE] + outgoing[:PAGE_SIZE]:
            row["child_name"] = directory.child_name(UUID(row["child_id"])) or _("(slettet)")
            row["from_unit"], row["to_unit"] = units.get(row["from_unit_id"], "?"), units.get(row["to_unit_id"], "?")
        return incoming, outgoing

    incoming, outgoing = await run_in_threadpool(load)
    more = len(incoming) > PAGE_SIZE or len(outgoing) > PAGE_SIZE
    incoming, outgoing = incoming[:PAGE_SIZE], outgoing[:PAGE_SIZE]
    await record_access(request, [UUID(r["child_id"]) for r in incoming + outgoing], ["transfer.list", "child.name"])
    return render(request, "transfers/list.html", {
        "incoming": incoming, "outgoing": outgoing, "page": page, "more": more, "words": words,
        "leader": user.role == "unit_leader", "active": "transfers"})


# -- a new transfer ------------------------------------------------------------------------
async def new_transfer(request: Request) -> Response:
    """Start a transfer: which child, to which unit, and what kind."""
    user = current_user(request)
    require(request, "transfer.create", Target(unit_id=user.unit_id))
    children = await unit_children(request, user.unit_id)
    units = await run_in_threadpool(request.app.state.projections["directory"].view.units)
    receivers = [u for u in units if u["kind"] == "skole" and not u["closed"] and u["id"] != str(user.unit_id)]
    context: dict[str, Any] = {
        "child_options": [(str(i), name) for i, name in children], "units": receivers, "words": words, "kinds": KINDS, "errors": {},
        "values": {"kind": KINDS[0]}, "today": clock.today(), "calendar": has_calendar(request), "active": "transfers",
    }
    if request.method == "POST":
        form = await read_form(request)
        errors: dict[str, str] = {}
        child_id, to_unit_id, kind = parse_uuid(form.get("child_id")), parse_uuid(form.get("to_unit_id")), form.get("kind", "")
        if child_id not in {c[0] for c in children}:
            errors["child_id"] = _("Velg barnet som skal overføres.")
        if to_unit_id is None or str(to_unit_id) not in {u["id"] for u in receivers}:
            errors["to_unit_id"] = _("Velg skolen som skal motta overføringen.")
        if kind not in KINDS:
            errors["kind"] = _("Velg type overføring.")
        if not errors:
            try:
                transfer_id = await run_in_threadpool(request.app.state.domain.start_transfer, child_id, to_unit_id,
                                                      kind, user.id)
            except DomainError as e:
                errors = field_errors(e)
        if not errors:
            request.app.state.projections.wait()
            return redirect(request, f"/overforinger/{transfer_id}")
        context.update(values=form, errors=errors)
    await record_access(request, [c[0] for c in children], ["child.name"], reason="velg barn")
    return render(request, "transfers/new.html", context, status_code=422 if context["errors"] else 200)


# -- one transfer -----------------------------------------------------------------------------
def page_context(request: Request, transfer: Transfer, child, target: Target) -> dict[str, Any]:
    """What the transfer page shows (runs in the threadpool)."""
    domain = request.app.state.domain
    user = request.state.user
    sender = may(user, "transfer.edit", target)
    content = transfer.snapshot if transfer.snapshot is not None else domain.transfer_content(transfer)
    context: dict[str, Any] = {
        "transfer": transfer, "child": child, "content": content, "words": words, "labels": labels,
        "from_unit": domain.get_unit(transfer.from_unit_id), "to_unit": domain.get_unit(transfer.to_unit_id),
        "sender": sender, "may_send": may(user, "transfer.send", target),
        "receiver": may(user, "transfer.receive", target), "today": clock.today(), "errors": {}, "values": {},
        "calendar": has_calendar(request), "active": "transfers", "methods": APPROVAL_METHODS,
        "form_fields": FORM_FIELDS,
    }
    context["names"] = request.app.state.names.users([actor for _, _, actor in transfer.trail])
    if sender and transfer.is_draft:
        concerns_view = request.app.state.projections["concerns"].view
        context["concerns"] = [
            row for row in concerns_view.for_children([transfer.child_id])
            if may(user, "concern.view", Target(unit_id=UUID(row["unit_id"]), author_id=UUID(row["author_id"]),
                                                shared_with=tuple(concerns_view.members(UUID(row["id"])))))
        ]
        units = request.app.state.projections["directory"].view.units()
        to_kind = UNIT_KINDS[transfer.kind][1]
        context["units"] = [u for u in units if u["kind"] == to_kind and not u["closed"]
                            and u["id"] != str(transfer.from_unit_id)]
        context["approvers"] = [g["name"] for g in child.guardians_with_responsibility]
        if child.age_on(clock.today()) >= 15:
            context["approvers"].append(child.name)
    return context


async def transfer_page(request: Request) -> Response:
    """One transfer: the draft and its approval for the sender, the content for the receiver."""
    transfer, child, target = await load_transfer(request, "transfer.view")
    context = await run_in_threadpool(page_context, request, transfer, child, target)
    await record_access(request, [transfer.child_id], records_shown(context["content"]))
    if context["receiver"] and transfer.status == "sent":
        # Nothing is received silently: the sender sees when it was opened, and by whom.
        domain = request.app.state.domain
        await run_in_threadpool(domain.mark_transfer_viewed, transfer.id)
        transfer = await run_in_threadpool(domain.get_transfer, transfer.id)
        context = await run_in_threadpool(page_context, request, transfer, child, target_of(transfer, child.restricted))
    return render(request, "transfers/page.html", context)


ACTIONS = {"lagre": "transfer.edit", "godkjenning": "transfer.edit", "send": "transfer.send",
           "godta": "transfer.receive", "returner": "transfer.receive"}


async def transfer_action(request: Request) -> Response:
    """Save the draft, record the guardians' approval, send, accept, or return."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    transfer, child, target = await load_transfer(request, ACTIONS[action])
    form = await read_form(request)
    domain = request.app.state.domain
    errors: dict[str, str] = {}
    try:
        if action == "lagre":
            parts = await read_multi(request, "parts")
            context = await run_in_threadpool(page_context, request, transfer, child, target)
            allowed = {f"{k}:{c['id']}" for c in context.get("concerns", []) for k in ("logbook", "plan")}
            to_unit_id = parse_uuid(form.get("to_unit_id"))
            if any(p not in allowed and p not in ("guardians", "consents") for p in parts):
                errors["parts"] = _("Velg bare deler du har tilgang til.")
            elif to_unit_id is None:
                errors["to_unit_id"] = _("Velg enheten som skal motta overføringen.")
            else:
                fields = {f: form.get(f, "").strip() for f in FORM_FIELDS}
                await run_in_threadpool(domain.update_transfer, transfer.id, to_unit_id, parts, fields)
        elif action == "godkjenning":
            approvers = await read_multi(request, "approvers")
            other = form.get("other_approver", "").strip()
            on = parse_date(form.get("approved_on", ""))
            if on is None:
                errors["approved_on"] = _("Skriv datoen foresatte godkjente (dd.mm.åååå).")
            else:
                await run_in_threadpool(domain.approve_transfer, transfer.id, approvers + ([other] if other else []),
                                        form.get("method", ""), on, form.get("minutes", "").strip())
        elif action == "send":
            await run_in_threadpool(domain.send_transfer, transfer.id)
        elif action == "godta":
            await run_in_threadpool(domain.accept_transfer, transfer.id)
        else:
            await run_in_threadpool(domain.return_transfer, transfer.id, form.get("reason", "").strip())
    except DomainError as e:
        errors = field_errors(e)
    if errors:
        transfer = await run_in_threadpool(domain.get_transfer, transfer.id)
        context = await run_in_threadpool(page_context, request, transfer, child, target_of(transfer, child.restricted))
        context.update(errors=errors, values=form, failed=action)
        await record_access(request, [transfer.child_id], records_shown(context["content"]))
        return render(request, "transfers/page.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/overforinger/{transfer.id}")


routes = [
    Route("/overforinger", transfer_list, name="transfers"),
    Route("/overforinger/ny", new_transfer, methods=["GET", "POST"], name="new_transfer"),
    Route("/overforinger/{transfer_id}", transfer_page, name="transfer"),
    Route("/overforinger/{transfer_id}/{action}", transfer_action, methods=["POST"], name="transfer_action"),
]
