"""The privacy officer (personvernombud): who saw what, the review queue,
guardians' access reports (innsyn i logg), restriction and erasure requests.

The privacy officer sees metadata only — who, when, how, which kind of record —
never the content. Looking a child up is itself recorded.
"""

from __future__ import annotations

import json
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
from events.collaborations import STATUTORY_SERVICES
from events.errors import DomainError, RecordErased
from events.ledger.access_chain import map_commitment
from events.ledger.checkpoints import parse_checkpoint
from events.ledger.report_check import Verdict, verify_report
from events.policy import (BREAK_GLASS, CONSENT, OTHER, OWN_UNIT, PRIVACY_OFFICER, RECEIVING_UNIT, REFUSED,
                           RESOURCE_TEAM, STATUTORY)
from intranet.access_reasons import RECORDS, basis_label, reason_label
from intranet.admin import ROLE_NAMES
from intranet.auth import redirect
from intranet.error_messages import run_command
from intranet.concern_forms import parse_date
from intranet.forms import page_number, parse_uuid, read_form
from intranet.guard import require
from intranet import labels
from projections.ledger import NoAccess, NoCheckpoint, chain_report
from intranet.i18n import N_, _, current_language, short_date
from intranet.records import Shown, show, shown_now
from intranet.templating import OSLO, render, when

PAGE_SIZE = 50
# Marked with N_(): translated where they are shown.
RULE_NAMES = {
    "outside_unit": N_("Innsyn utenfor egen enhet"),
    "after_hours": N_("Innsyn utenfor arbeidstid"),
    "many_children": N_("Mange ulike barn på kort tid"),
    "break_glass": N_("Nødtilgang"),
    "same_surname": N_("Samme etternavn som barnet"),
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
        self.names = app_state.names
        self.users: dict[str, Any] = {}
        self.children: dict[str, str] = {}
        self.consents: dict[str, Any] = {}

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

    def unit(self, unit_id: str) -> str:
        try:
            return self.names.unit(UUID(unit_id))
        except NotFound:
            return _("ukjent enhet")

    def child(self, child_id: str) -> str:
        if child_id not in self.children:
            self.children[child_id] = self.directory.child_name(UUID(child_id)) or _("(slettet barn)")
        return self.children[child_id]

    def consent(self, consent_id: str) -> Any:
        """The consent an access names as its basis; None if it is gone (erased)."""
        if consent_id not in self.consents:
            try:
                self.consents[consent_id] = self.domain.get_consent(UUID(consent_id))
            except (NotFound, RecordErased, ValueError):
                self.consents[consent_id] = None
        return self.consents[consent_id]


def describe(row: dict, people: People, log) -> dict:
    row = dict(row)
    row["who"] = people.user_label(row["user_id"])
    row["child_name"] = people.child(row["child_id"])
    row["what"] = records_label((row.get("records") or "").split(","))
    row["how"] = action_label(row.get("action", ""))
    if "reason_sealed" in row:
        row["reason"] = reason_label(log.unseal(row["reason_sealed"], f"access:{row['access_id']}"))
    row["basis_name"] = basis_name(row.get("basis") or "", row.get("basis_ref"), people)
    return row


def records_label(kinds: list[str]) -> str:
    """The kinds of record an access showed, as a reader says them."""
    return ", ".join(dict.fromkeys(_(RECORDS[r]) for r in kinds if r in RECORDS))


def action_label(action: str) -> str:
    return _(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def collaboration_consent(domain, people: People, collaboration_id: str) -> Any:
    """The consent a collaboration rests on now (the latest it was moved onto); None if it cannot be read (erased)."""
    try:
        return people.consent(str(domain.get_collaboration(UUID(collaboration_id)).consent_id))
    except (NotFound, RecordErased):
        return None


def basis_name(code: str, ref: str | None, people: People) -> str:
    """The basis of an access, naming the consent (by the day it was given) or the grant."""
    label = basis_label(code)
    if code == CONSENT and ref:
        consent = people.consent(ref)
        return (_("%(basis)s: samtykke gitt %(date)s") % {"basis": label, "date": short_date(consent.valid_from)}
                if consent is not None else label)
    if code == BREAK_GLASS and ref:
        return _("%(basis)s (tilgang %(reference)s)") % {"basis": label, "reference": ref[:8]}
    return label


def consent_scope(consent: Any) -> str:
    """What a consent covers, in plain words for the guardians: when, which services,
    which kinds of information, and what was withdrawn."""
    text = _("Samtykke gitt %(start)s, gyldig til %(end)s, for %(services)s. Opplysninger: %(information)s.") % {
        "start": short_date(consent.valid_from), "end": short_date(consent.valid_until),
        "services": labels.service_list(consent.services),
        "information": ", ".join(_(labels.INFORMATION[i]) if i in labels.INFORMATION else i
                                 for i in consent.information).lower()}
    for withdrawal in consent.withdrawals:
        text += " " + _("Trukket tilbake for %(services)s fra %(date)s.") % {
            "services": labels.service_list(withdrawal["services"]), "date": short_date(withdrawal["on"])}
    return text


# The order the guardians' report lists the bases in.
BASIS_ORDER = (OWN_UNIT, CONSENT, STATUTORY, BREAK_GLASS, RECEIVING_UNIT, RESOURCE_TEAM, PRIVACY_OFFICER,
               "outside_unit", REFUSED, OTHER)


def by_basis(summary: list[dict], people: People) -> list[dict]:
    """The report's summary in groups, one per basis, and one per consent: its title,
    what the consent covered, and the people who saw the child on it."""
    groups: dict[tuple[str, str | None], dict] = {}
    for row in summary:
        key = (row["basis"], row["basis_ref"] if row["basis"] == CONSENT else None)
        group = groups.get(key)
        if group is None:
            consent = people.consent(key[1]) if key[1] else None
            group = groups[key] = {"basis": key[0], "title": basis_name(key[0], key[1], people),
                                   "scope": consent_scope(consent) if consent is not None else "", "rows": []}
        group["rows"].append(row)
    rank = {code: i for i, code in enumerate(BASIS_ORDER)}
    return sorted(groups.values(), key=lambda g: (rank.get(g["basis"], len(rank)), g["title"]))


# -- the review queue -----------------------------------------------------------------------
def rule_name(rule: str) -> str:
    return _(RULE_NAMES[rule]) if rule in RULE_NAMES else rule


def queue_context(request: Request, reviewed: bool, page: int) -> dict[str, Any]:
    """The queue by user and rule, or the reviews made: who, which rule, how many,
    the first and last time. No child is named, so nothing to record."""
    state = request.app.state
    view = state.projections["access_log"].view
    people = People(state)
    offset = (page - 1) * PAGE_SIZE
    rows = view.reviews(offset, PAGE_SIZE + 1) if reviewed else view.groups(offset, PAGE_SIZE + 1)
    groups = []
    for row in rows[:PAGE_SIZE]:
        group = {**row, "who": people.user_label(row["user_id"]), "rule_name": rule_name(row["rule"])}
        if reviewed:
            group["comment"] = state.projections["access_log"].unseal(row["comment_sealed"], f"review:{row['id']}")
            group["reviewer"] = people.user_label(row["reviewed_by"])
        groups.append(group)
    anomalies, group_count = view.queue_size()
    return {"groups": groups, "reviewed": reviewed, "page": page, "more": len(rows) > PAGE_SIZE,
            "open_anomalies": anomalies, "open_groups": group_count, "active": "privacy"}


async def queue(request: Request) -> Response:
    """Anomalies to review, by user and rule: outside the unit, after hours, many
    children, break-the-glass, same surname; or the reviews made."""
    require(request, "audit.view")
    reviewed = request.query_params.get("vis") == "gjennomgatt"
    page = page_number(request)
    context = await run_in_threadpool(queue_context, request, reviewed, page)
    return render(request, "privacy/queue.html", context)


def group_of(params: Any) -> tuple[UUID, str] | None:
    """The group a form or a link names (bruker=, regel=), if it names one."""
    user_id = parse_uuid(params.get("bruker", ""))
    rule = params.get("regel", "")
    return (user_id, rule) if user_id is not None and rule in RULE_NAMES else None


def group_reads(request: Request, user_id: UUID, rule: str, page: int, comment: str = "",
                errors: dict[str, str] | None = None) -> tuple[dict[str, Any], Shown]:
    """One group's anomalies, a page at a time, and the form to review them all."""
    state = request.app.state
    projection = state.projections["access_log"]
    group = projection.view.group(user_id, rule)
    rows = projection.view.group_rows(user_id, rule, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1) if group else []
    people = People(state)
    items = [describe(row, people, projection) for row in rows[:PAGE_SIZE]]
    context = {"group": group, "items": items, "user_id": user_id, "rule": rule, "rule_name": rule_name(rule),
               "who": people.user_label(str(user_id)), "page": page, "more": len(rows) > PAGE_SIZE,
               "comment": comment, "errors": errors or {}, "active": "privacy"}
    return context, Shown([UUID(i["child_id"]) for i in items], ["child.name"], "audit", "gjennomgang av avvik")


async def review(request: Request) -> Response:
    """One group of anomalies (GET), and marking it reviewed with one comment (POST):
    the review is one event, naming who and when."""
    if request.method == "GET":
        require(request, "audit.view")
        group = group_of(request.query_params)
        if group is None:  # no group named (a reload after a post, an old link): the queue
            return redirect(request, "/personvern")
        page = page_number(request)
        return await show(request, "privacy/group.html", lambda: group_reads(request, *group, page))
    user = require(request, "audit.review")
    form = await read_form(request)
    group = group_of(form)
    through = parse_instant(form.get("through", ""))
    if group is None or through is None:
        raise HTTPException(400)
    comment = form.get("comment", "")
    view = request.app.state.projections["access_log"].view
    if await run_in_threadpool(view.group, *group) is None:  # reviewed by someone else meanwhile
        return await show(request, "privacy/group.html", lambda: group_reads(request, *group, 1), status_code=409)
    errors = await run_in_threadpool(run_command, request.app.state.domain, "review_anomalies",
                                     *group, through, comment, user.id)
    if errors:
        return await show(request, "privacy/group.html",
                          lambda: group_reads(request, *group, 1, comment, errors), status_code=422)
    request.app.state.projections.wait()
    return redirect(request, "/personvern?gjennomgatt=1")


def parse_instant(text: str) -> datetime | None:
    """An ISO instant with its offset, as the read model stores them; None otherwise."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


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
        # Collaborations across services: when, which services, open or ended, on which consent
        # (and barnevernet on its statute); never their content.
        "collaborations": [{**r, "services": [x for x in r["services"].split(",") if x],
                            "consent": collaboration_consent(state.domain, people, r["id"])}
                           for r in state.projections["collaborations"].view.for_child(child_id)],
        "statutory_services": STATUTORY_SERVICES,
        "labels": labels,
    }
    return context, Shown([child_id], ["child.name", "access_log", *consents_named(people)], "audit", "personvernombud")


async def child_log(request: Request) -> Response:
    """Every access to one child's data: who, when, how, and why."""
    require(request, "audit.view")
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    start, end = period(request)
    page = page_number(request)
    return await show(request, "privacy/child.html", lambda: child_log_reads(request, child_id, start, end, page))


def who(user_id: str, role: str, unit_id: str | None, people: People) -> dict[str, str]:
    """A person as the guardians' report names her (as the law requires): her name,
    her title (else her role's name) and her unit."""
    user = people.user(user_id)
    role_name = (user.title if user is not None else "") or (_(ROLE_NAMES[role]) if role in ROLE_NAMES else role)
    return {"name": user.name if user is not None else _("ukjent bruker"), "role_name": role_name,
            "unit_name": people.unit(unit_id) if unit_id else "–"}


def summary_of(row: dict, people: People) -> dict:
    """A line of the report's summary: who (name, role, unit), how often, when, on what basis."""
    return {**row, **who(row["user_id"], row["role"], row["unit_id"], people),
            "basis_name": basis_name(row["basis"], row["basis_ref"], people)}


def report_reads(request: Request, child_id: UUID, start: date, end: date) -> tuple[dict[str, Any], Shown]:
    """Who saw the child in the period (a summary per person), then every access,
    a page of the log at a time."""
    state = request.app.state
    projection = state.projections["access_log"]
    lo, hi = iso_bounds(start, end)
    people = People(state)
    summary = [summary_of(row, people) for row in projection.view.report_summary(child_id, lo, hi)]
    items, offset = [], 0
    while True:
        rows = projection.view.by_child(child_id, lo, hi, offset, 500)
        items += [describe(r, people, projection) for r in rows]
        if len(rows) < 500:
            break
        offset += 500
    context = {"summary": summary, "groups": by_basis(summary, people), "items": items,
               "child": state.domain.get_child(child_id), "child_id": child_id, "start": start, "end": end,
               "today": clock.today(), **verifiable_context(request, child_id, people, lo, hi)}
    return context, Shown([child_id], ["child.name", "access_log", *consents_named(people)], "print", "innsyn i logg")


def verifiable_context(request: Request, child_id: UUID, people: People, lo: str, hi: str) -> dict[str, Any]:
    """The print's part of the verifiable report: its verdict, its checkpoint, and
    its lines in the period (the file always has them all up to the checkpoint)."""
    report, verdict = verifiable_report(request, child_id, people)
    if report is None:
        return {"report": None, "verdict": None}
    signed = map_commitment(parse_checkpoint(report["checkpoint"]).text)
    lines = [(n, a) for n, a in enumerate(report["accesses"], start=1) if lo <= a["entry"]["at"] < hi]
    return {"report": report, "verdict": verdict, "verdict_text": verdict.text(current_language.get()),
            "checkpoint_size": parse_checkpoint(report["checkpoint"]).size,
            "checkpoint_signed": when(datetime.fromisoformat(signed.signed_at.replace("Z", "+00:00")))
            if signed else "–",
            "lines": lines, "line_summary": summary_by_person([a for _n, a in lines])}


def verifiable_report(request: Request, child_id: UUID, people: People) -> tuple[dict | None, Verdict | None]:
    """The guardians' report as a file they can check (events/ledger/report_check.py):
    every access to the child up to the newest checkpoint with the children's map,
    in chain order, with what proves it, each line also as a reader says it
    ("shown") and a summary by person and role. The server checks it as the family
    would before handing it out: a report that does not verify (an access event
    removed from the store, say) comes with the verdict saying why. (None, None)
    while the ledger has signed nothing, or no access to the child up to its
    newest checkpoint."""
    state = request.app.state
    ledger = state.projections["ledger"]
    try:
        report = chain_report(state.domain, ledger.view, child_id, ledger.config)
    except (NoCheckpoint, NoAccess):
        return None, None
    for access in report["accesses"]:
        access["shown"] = shown_of(access["entry"], people)
    report["summary"] = summary_by_person(report["accesses"])
    return report, verify_report(report, report["verifier_key"])


def shown_of(entry: dict, people: People) -> dict[str, str]:
    """One access as the report shows it: the person (name, title, unit), the kinds
    of record, how, on what basis, when (Oslo time)."""
    person = who(entry["user"], entry["role"], entry["unit"], people)
    return {"name": person["name"], "role": person["role_name"], "unit": person["unit_name"],
            "basis": basis_name(entry["basis"] or "", entry["basis_ref"], people),
            "records": records_label(entry["records"]), "action": action_label(entry["action"]),
            "at": when(datetime.fromisoformat(entry["at"]))}


def summary_by_person(accesses: list[dict]) -> list[dict]:
    """The report's summary: one line per person and role, with her unit, how many
    accesses and the first and the last (ISO instants), in the order she first came."""
    lines: dict[tuple[str, str], dict] = {}
    for access in accesses:
        entry, shown = access["entry"], access["shown"]
        line = lines.setdefault((entry["user"], entry["role"]), {
            "name": shown["name"], "role": shown["role"], "unit": shown["unit"], "count": 0,
            "first": entry["at"], "last": entry["at"]})
        line["count"] += 1
        line["last"] = entry["at"]
        if line["unit"] == "–":  # a grant names no unit; the reads under it do
            line["unit"] = shown["unit"]
    return list(lines.values())


def consents_named(people: People) -> list[str]:
    """"consent" when the page names a consent the child's accesses were made on."""
    return ["consent"] if any(c is not None for c in people.consents.values()) else []


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


async def guardian_report_file(request: Request) -> Response:
    """The guardians' report as a file they can check, recorded as an export:
    every access up to the newest signed checkpoint. One that does not verify is
    not handed out: the print answers instead, saying why it cannot be complete."""
    require(request, "audit.view")
    child_id = parse_uuid(request.path_params["child_id"])
    if child_id is None:
        raise HTTPException(404)
    start, end = period(request)

    def reads() -> tuple[dict[str, Any], Shown]:
        context, shown = report_reads(request, child_id, start, end)
        if context["verdict"] is not None and context["verdict"].ok:
            consents = [r for r in shown.records if r == "consent"]
            shown = Shown([child_id], ["access_log", *consents], "export", "innsyn i logg")
        return context, shown

    try:
        context = await run_in_threadpool(shown_now, request, reads)
    except (NotFound, RecordErased):
        raise HTTPException(404) from None
    if context["verdict"] is None or not context["verdict"].ok:
        return render(request, "privacy/report.html", context, status_code=409)
    return Response(json.dumps(context["report"], ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="innsyn-i-logg.json"'})


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
    Route("/personvern/avvik", review, methods=["GET", "POST"], name="review_anomalies"),
    Route("/personvern/barn", find_child, methods=["GET", "POST"], name="privacy_find"),
    Route("/personvern/barn/{child_id}", child_log, name="privacy_child"),
    Route("/personvern/barn/{child_id}/innsyn", guardian_report, name="guardian_report"),
    Route("/personvern/barn/{child_id}/innsyn.json", guardian_report_file, name="guardian_report_file"),
    Route("/personvern/barn/{child_id}/{action}", child_action, methods=["POST"], name="privacy_child_action"),
    Route("/personvern/bruker/{user_id}", user_log, name="privacy_user"),
    Route("/personvern/brukere", users, name="privacy_users"),
]

