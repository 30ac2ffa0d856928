"""The binder's case bank: a resource-team case proposed for «Caser», and the
second person's review that publishes it (events/case_bank.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.anonymisation import anonymise, highlight
from events.case_bank import InvalidCaseProposal
from events.meeting_commands import people_of
from intranet.auth import redirect
from intranet.error_messages import field_errors
from intranet.forms import read_form
from intranet.guard import current_user, require
from intranet.i18n import N_, _
from intranet.meetings import local_names
from intranet.records import Record, Shown, load_record, may_do, permitted, show, show_record

STATE_WORDS = {"proposed": N_("Venter på kontroll"), "returned": N_("Sendt tilbake for retting"),
               "published": N_("Publisert i permen"), "withdrawn": N_("Trukket tilbake")}
# action in the path -> (the policy's action, the domain's command)
ACTIONS = {"bekreft": "case_bank.review", "tilbake": "case_bank.review", "rett": "case_bank.view",
           "trekk": "case_bank.view"}


def _words_to_check(request: Request, child_id: UUID, text: str) -> list[tuple[str, bool]]:
    """The text with the words the anonymiser is unsure of marked, for the reader to look at twice."""
    child = request.app.state.domain.get_child(child_id)
    return highlight(text, anonymise(text, people_of(child), local_names(request)).uncertain)


# -- proposing ------------------------------------------------------------------------------------
def propose_reads(request: Request, record: Record, form: dict[str, str],
                  errors: dict[str, str]) -> tuple[dict[str, Any], Shown]:
    case = record.value
    meeting = record.related["meeting"]
    text = form["text"] if "text" in form else request.app.state.domain.draft_case_text(case.id, local_names(request))
    context = {"case": case, "meeting": meeting, "values": {**form, "text": text}, "errors": errors,
               "preview": _words_to_check(request, case.child_id, text), "active": "meetings",
               "ready": meeting.minutes_approved and case.mode == "anonymous"}
    return context, Shown([case.child_id], ["meeting_case"], reason="casebank")


def _propose(request: Request, record: Record, form: dict[str, str]) -> tuple[dict[str, str], UUID | None]:
    try:
        proposal_id = request.app.state.domain.propose_case(
            record.value.id, form.get("title", "").strip(), form.get("text", ""), current_user(request).id,
            local_names(request))
    except InvalidCaseProposal as e:
        return field_errors(e), None
    return {}, proposal_id


async def propose(request: Request) -> Response:
    """The form that proposes an approved, anonymous case for the binder."""
    record = await load_record(request, "meeting_case", "case_bank.propose")
    form = await read_form(request) if request.method == "POST" else {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, proposal_id = await run_in_threadpool(_propose, request, record, form)
        if not errors:
            request.app.state.projections.wait()
            return redirect(request, f"/caseforslag/{proposal_id}")
    return await show(request, "case_bank/propose.html", lambda: propose_reads(request, record, form, errors),
                      status_code=422 if errors else 200)


# -- the reviewers' queue and one proposal ----------------------------------------------------------
def queue_reads(request: Request) -> tuple[dict[str, Any], Shown]:
    user = current_user(request)
    view = request.app.state.projections["case_bank"].view
    rows = {r["id"]: r for r in view.proposed_by(user.id)}
    rows.update({r["id"]: r for r in view.waiting()})
    rows_seen = permitted(request, "case_proposal", "case_bank.view", list(rows.values()))
    domain = request.app.state.domain
    proposals = [domain.get_case_proposal(UUID(r["id"])) for r in rows_seen]
    names = request.app.state.names.users({p.proposed_by for p in proposals})
    waiting = [p for p in proposals if p.is_open and p.proposed_by != user.id]
    own = [p for p in proposals if p.proposed_by == user.id]
    context = {"waiting": waiting, "own": own, "names": names, "states": STATE_WORDS, "active": "binder",
               "dates": {UUID(r["id"]): r["proposed_at"][:10] for r in rows_seen}}
    return context, Shown([p.child_id for p in proposals], ["case_proposal"], reason="casebank")


async def queue(request: Request) -> Response:
    """Proposals waiting for a second person, and the user's own."""
    require(request, "case_bank.review")
    return await show(request, "case_bank/list.html", lambda: queue_reads(request))


def page_reads(request: Request, record: Record, errors: dict[str, str] | None = None,
               form: dict[str, str] | None = None, action: str = "") -> tuple[dict[str, Any], Shown]:
    proposal = record.value
    user = current_user(request)
    names = request.app.state.names.users({proposal.proposed_by, *(c["by"] for c in proposal.comments)})
    context = {
        "proposal": proposal, "states": STATE_WORDS, "names": names, "errors": errors or {},
        "posted": action, "values": form or {}, "active": "binder",
        "preview": _words_to_check(request, proposal.child_id, proposal.text),
        "may_review": may_do(request, "case_bank.review", record) and user.id not in (
            proposal.written_by, proposal.proposed_by),
        "is_proposer": user.id == proposal.proposed_by,
    }
    return context, Shown([proposal.child_id], ["case_proposal"], reason="casebank")


async def proposal_page(request: Request) -> Response:
    return await show_record(request, "case_proposal", "case_bank.view", "case_bank/page.html",
                             lambda record: page_reads(request, record))


def _act(request: Request, record: Record, action: str, form: dict[str, str]) -> dict[str, str]:
    domain = request.app.state.domain
    user_id = current_user(request).id
    proposal_id = record.value.id
    try:
        if action == "bekreft":
            if form.get("confirmed") != "1":
                return {"confirmed": _("Kryss av for at du har lest teksten og at den ikke identifiserer noen.")}
            domain.confirm_case_proposal(proposal_id, user_id, local_names(request))
        elif action == "tilbake":
            domain.return_case_proposal(proposal_id, form.get("comment", ""), user_id)
        elif action == "rett":
            domain.revise_case_proposal(proposal_id, form.get("title", "").strip(), form.get("text", ""), user_id,
                                        local_names(request))
        else:
            domain.withdraw_case_proposal(proposal_id, user_id)
    except InvalidCaseProposal as e:
        return field_errors(e)
    return {}


async def proposal_action(request: Request) -> Response:
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    record = await load_record(request, "case_proposal", ACTIONS[action])
    form = await read_form(request)
    errors = await run_in_threadpool(_act, request, record, action, form)
    if errors:
        return await show_record(request, "case_proposal", "case_bank.view", "case_bank/page.html",
                                 lambda shown: page_reads(request, shown, errors, form, action), status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/caseforslag/{record.value.id}")


routes = [
    Route("/ressursteam/sak/{case_id}/case", propose, methods=["GET", "POST"], name="propose_case"),
    Route("/caseforslag", queue, name="case_proposals"),
    Route("/caseforslag/{proposal_id}", proposal_page, name="case_proposal"),
    Route("/caseforslag/{proposal_id}/{action}", proposal_action, methods=["POST"], name="case_proposal_action"),
]
