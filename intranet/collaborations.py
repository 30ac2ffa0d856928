"""Collaborations across services (tverrfaglig samarbeid): open one from a concern
on the guardians' consent, the list for the user's service, and one
collaboration's page with its plan (measures, evaluations) and closing.

Who sees what is the policy's say at each request, on the consent as it reads
today: when the consent no longer covers the user's service, the page says why
(guard.require), and nothing of the child is shown.
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
from events.collaborations import CLOSING_REASONS, DECISIONS, PLAN_INFORMATION, coverage_on
from events.consents import INFORMATION
from events.errors import DomainError
from events.policy import Principal, Target, may
from intranet import collaboration_group, collaboration_plan, labels
from intranet.collaboration_plan import TEAM_SERVICES, member_units
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form, read_multi
from intranet.guard import allows, current_user, found, require
from intranet.i18n import N_, _
from intranet.records import Record, Shown, may_do, show
from intranet.templating import render, wants_fragment

LIST_SIZE = 50
DECISION_WORDS = {"continue": N_("Fortsette"), "change": N_("Endre"), "end": N_("Avslutte")}
CLOSING_WORDS = {"goals_reached": N_("Målene er nådd"), "individual_plan": N_("Videre i individuell plan"),
                 "consent_withdrawn": N_("Samtykket er trukket"), "child_moved": N_("Barnet har flyttet")}


def records_shown(collaboration) -> list[str]:
    """The kinds of record the page reveals (the basis is the policy's: guard.require)."""
    return ["collaboration", "child.name"] + (["concern"] if collaboration.shares("observations") else [])


# -- the list -------------------------------------------------------------------------------
async def collaboration_list(request: Request) -> Response:
    user = require(request, "collaborations.list")
    return await show(request, "collaborations/list.html", lambda: _list(request, user))


def _list(request: Request, user) -> tuple[dict[str, Any], Shown]:
    """Opened by the user's unit, or with her unit or service as a member; each row
    the policy admits today (a withdrawn consent takes a row off at once)."""
    domain = request.app.state.domain
    directory = request.app.state.projections["directory"]
    kinds = {u["id"]: u["kind"] for u in directory.view.units()}
    service = user.service if user.role == "resource_team" else kinds.get(str(user.unit_id))
    today = clock.today()
    candidates = request.app.state.projections["collaborations"].view.involving(
        user.unit_id, [service] if service else [], LIST_SIZE)
    rows = []
    for row in candidates:
        record = _read(domain, UUID(row["id"]))
        if allows(request, "collaboration.view", record.target):
            collaboration, consent = record.value, record.related["consent"]
            rows.append({**row, "child_name": record.child.name, "services": collaboration.current_services,
                         "coordinator_id": collaboration.coordinator_id,
                         # What waits, without a word about the child: a handover to her,
                         # evaluations due, a consent running out within 30 days.
                         "handover_to_me": (collaboration.handover or {}).get("to") == user.id,
                         "evaluations_due": len(collaboration.evaluations_due(today)) if collaboration.is_open else 0,
                         "consent_ends": consent.valid_until if collaboration.is_open and consent.expires_soon(today)
                         else None})
    names = request.app.state.names.users([r["coordinator_id"] for r in rows])
    context = {"rows": rows, "names": names, "labels": labels, "active": "collaborations"}
    return context, Shown([UUID(r["child_id"]) for r in rows], ["collaboration.list", "child.name"])


# -- opening one from a concern ---------------------------------------------------------------------
async def new_collaboration(request: Request) -> Response:
    """The form on the concern's level 2 or 3: which services, which kinds of
    information, on which consent, and who coordinates."""
    if request.method == "GET" and "bekymring" not in request.query_params:
        return redirect(request, "/samarbeid")  # opened from a concern only; a bare reload lands on the list
    record = await _concern_to_open(request)
    if request.method == "GET":
        return await show(request, "collaborations/new.html", lambda: _new_form(request, record))
    form = await read_form(request)
    chosen = {name: await read_multi(request, name) for name in ("members", "information")}
    collaboration_id, errors = await run_in_threadpool(_open, request, record, form, chosen)
    if errors:
        return await show(request, "collaborations/new.html",
                          lambda: _new_form(request, record, values=form, chosen=chosen, errors=errors),
                          status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/samarbeid/{collaboration_id}")


async def _concern_to_open(request: Request) -> Record:
    """The concern `?bekymring=` names, if the user may open a collaboration from it."""
    concern_id = parse_uuid(request.query_params.get("bekymring"))
    if concern_id is None:
        raise HTTPException(404, "record")

    def read() -> Record:
        domain = request.app.state.domain
        with found(request):
            concern = domain.get_concern(concern_id)
            child = domain.get_child(concern.child_id)
        target = Target.concern(concern, child.restricted)
        require(request, "collaboration.open", target, record=True)
        return Record(concern, child, target)

    return await run_in_threadpool(read)


def _member_options(request: Request, concern) -> list[tuple[str, str]]:
    """(value, label): each open unit of a service kind but the concern's own, and
    each service's resource team."""
    options = [(f"unit:{u['id']}", f"{u['name']} ({_(labels.SERVICES[u['kind']])})")
               for u in member_units(request, concern.unit_id)]
    options += [(f"team:{s}", _("%(service)s, kommunens ressursteam") % {"service": _(labels.SERVICES[s])})
                for s in TEAM_SERVICES]
    return options


def _coordinators(request: Request) -> list[tuple[str, str]]:
    """Active caseworkers (staff, leaders, the resource team), by name."""
    rows = [r for r in request.app.state.projections["directory"].view.users(0, 2000)
            if r["active"] and r["role"] in ("staff", "unit_leader", "resource_team")]
    names = request.app.state.names.users([UUID(r["id"]) for r in rows])
    return sorted(((str(i), n) for i, n in names.items()), key=lambda o: o[1])


def consents_in_force(domain, child_id: UUID, today) -> list:
    """The child's consents a collaboration may rest on today: given, and covering
    some service (not expired, not withdrawn, not starting later)."""
    return [c for c in domain.consents_of(child_id) if c.decision == "given" and c.services_valid_on(today)]


def _new_form(request: Request, record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    domain = request.app.state.domain
    concern, child = record.value, record.child
    consents = consents_in_force(domain, child.id, clock.today())
    context: dict[str, Any] = {
        "concern": concern, "child": child, "consents": consents, "labels": labels,
        "member_options": _member_options(request, concern), "coordinators": _coordinators(request),
        "information": INFORMATION, "errors": {}, "values": {"coordinator_id": str(current_user(request).id)},
        "chosen": {"members": [], "information": [PLAN_INFORMATION]}, "active": "concerns",
        "early": concern.level not in (2, 3),
    }
    context.update(more)
    return context, Shown([child.id], ["concern", "consent", "child.name"])


def _parse_members(values: list[str]) -> list[tuple[str, UUID | None]] | None:
    members: list[tuple[str, UUID | None]] = []
    units = {}
    for value in values:
        kind, _sep, rest = value.partition(":")
        if kind == "team" and rest in TEAM_SERVICES:
            members.append((rest, None))
        elif kind == "unit" and parse_uuid(rest) is not None:
            units[parse_uuid(rest)] = True
        else:
            return None
    return members + [("", u) for u in units]


def _open(request: Request, record: Record, form: dict[str, str], chosen: dict[str, list[str]]):
    """(the new id, no errors) or (None, field errors)."""
    domain, user = request.app.state.domain, current_user(request)
    members = _parse_members(chosen["members"])
    consent_id, coordinator_id = parse_uuid(form.get("consent_id")), parse_uuid(form.get("coordinator_id"))
    errors: dict[str, str] = {}
    if not members:
        errors["services"] = _("Velg minst én tjeneste som skal være med.")
    if consent_id is None or consent_id not in {c.id for c in domain.consents_of(record.child.id)}:
        errors["consent_id"] = _("Velg samtykket samarbeidet bygger på.")
    if coordinator_id is None or str(coordinator_id) not in {v for v, _n in _coordinators(request)}:
        errors["coordinator_id"] = _("Velg koordinator (stafettholder).")
    if not errors and members and not _may_take_part(request, record, members, coordinator_id):
        errors["coordinator_id"] = _("Koordinatoren må være med i samarbeidet: fra enheten din eller en av tjenestene.")
    if errors:
        return None, errors
    try:
        # A unit's service is its kind in the directory (the domain checks it again).
        for _s, unit_id in members:
            if unit_id is not None:
                domain.check_unit(unit_id)  # an id of anything else is never read
        resolved = [(s or domain.get_unit(u).kind, u) for s, u in members]
        return domain.open_collaboration(record.value.id, consent_id, resolved, chosen["information"],
                                         coordinator_id, user.id, form.get("child_takes_part") == "ja",
                                         form.get("early_reason", "")), {}
    except DomainError as e:
        return None, field_errors(e)


def _may_take_part(request: Request, record: Record, members: list[tuple[str, UUID | None]], user_id: UUID) -> bool:
    """Whether `user_id` will see the collaboration these members make: someone on the
    concern, staff of a member unit, or the resource team of a member service."""
    row = next((r for r in request.app.state.projections["directory"].view.users(0, 2000) if r["id"] == str(user_id)),
               None)
    if row is None:
        return False
    concern = record.value
    principal = Principal(user_id, row["role"], parse_uuid(row["unit_id"]), row["service"])
    target = Target(unit_id=concern.unit_id, author_id=concern.author_id, shared_with=tuple(concern.shared_with),
                    member_unit_ids=tuple(u for _s, u in members if u is not None),
                    member_services=tuple(s for s, u in members if u is None), live=True)
    return may(principal, "collaboration.edit", target)


# -- one collaboration -----------------------------------------------------------------------------
def _may_coordinate(request: Request, record: Record) -> list[tuple[UUID, str]]:
    """The active caseworkers the policy admits to act in the collaboration today, by
    name, but the coordinator: whom the role can be handed to."""
    rows = [r for r in request.app.state.projections["directory"].view.users(0, 2000)
            if r["active"] and r["role"] in ("staff", "unit_leader", "resource_team")]
    admitted = [UUID(r["id"]) for r in rows if UUID(r["id"]) != record.value.coordinator_id and may(
        Principal(UUID(r["id"]), r["role"], parse_uuid(r["unit_id"]), r["service"]), "collaboration.edit",
        record.target)]
    names = request.app.state.names.users(admitted)
    return sorted(((i, names[i]) for i in admitted), key=lambda o: o[1])



def _read(domain, collaboration_id: UUID) -> Record:
    collaboration = domain.get_collaboration(collaboration_id)
    concern = domain.get_concern(collaboration.concern_id)
    consent = domain.get_consent(collaboration.consent_id)
    child = domain.get_child(collaboration.child_id)
    target = Target.collaboration(collaboration, concern, consent, clock.today(), child.restricted)
    return Record(collaboration, child, target, {"concern": concern, "consent": consent})


def page_reads(request: Request, record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    collaboration, child = record.value, record.child
    consent, concern = record.related["consent"], record.related["concern"]
    domain = request.app.state.domain
    units = {m["unit_id"]: domain.get_unit(m["unit_id"]).name for m in collaboration.members if m["unit_id"]}
    units[collaboration.unit_id] = domain.get_unit(collaboration.unit_id).name
    coverage = coverage_on(collaboration, consent, clock.today())
    people = [collaboration.coordinator_id, collaboration.opened_by, *(c["user_id"] for c in collaboration.coordinators),
              (collaboration.handover or {}).get("to"),
              *(m["by"] for m in collaboration.measures)]
    context: dict[str, Any] = {
        "collaboration": collaboration, "child": child, "consent": consent, "units": units,
        "coverage": {s: (c.ok, labels.coverage_reason(c.refusals)) for s, c in coverage.items()},
        "concern": concern if collaboration.shares("observations") else None,
        "names": request.app.state.names.users(people), "labels": labels, "today": clock.today(),
        "may_edit": may_do(request, "collaboration.edit", record),
        "may_close": may_do(request, "collaboration.close", record) and collaboration.is_open,
        "may_accept": may_do(request, "collaboration.accept", record),
        "handover_options": ([(str(i), n) for i, n in _may_coordinate(request, record)]
                             if may_do(request, "collaboration.handover", record) else []),
        "decisions": DECISIONS, "decision_words": DECISION_WORDS, "closing_reasons": CLOSING_REASONS,
        "closing_words": CLOSING_WORDS, "forms": {}, "active": "collaborations",
    }
    context.update(collaboration_group.context(request, record))
    plan, kinds = collaboration_plan.page_context(request, record)  # members out, shared log entries
    context.update(plan)
    context.update(consent_context(request, record))
    context.update(more)
    shown = records_shown(collaboration) + (["consent"] if context["consent_choices"] else [])
    return context, Shown([child.id], shown + [k for k in kinds if k not in shown])


def consent_context(request: Request, record: Record) -> dict[str, Any]:
    """The consents the collaboration has rested on, each from its day (the current
    last), and, for who may change it, the child's other consents in force today."""
    collaboration, domain = record.value, request.app.state.domain
    history = [{**entry, "consent": domain.get_consent(entry["consent_id"]),
                "until": following["from"] if following else None}
               for entry, following in zip(collaboration.consents, [*collaboration.consents[1:], None])]
    may_change = collaboration.is_open and may_do(request, "collaboration.change_consent", record)
    choices = ([c for c in consents_in_force(domain, collaboration.child_id, clock.today())
                if c.id != collaboration.consent_id] if may_change else [])
    return {"consent_history": history, "may_change_consent": may_change, "consent_choices": choices}


def find(request: Request, action: str) -> Record:
    """The collaboration the path names, if the policy lets the user do `action` on it
    (a consent that no longer covers her service: the page saying why, guard.require)."""
    collaboration_id = parse_uuid(request.path_params["collaboration_id"])
    if collaboration_id is None:
        raise HTTPException(404, "record")
    with found(request):
        record = _read(request.app.state.domain, collaboration_id)
    require(request, action, record.target, record=True)
    return record


async def collaboration_page(request: Request) -> Response:
    return await show(request, "collaborations/page.html",
                      lambda: page_reads(request, find(request, "collaboration.view")))


# action -> (policy action, the page's block it changes)
ACTIONS = {"mal": ("collaboration.edit", "plan"), "tiltak": ("collaboration.edit", "plan"), "evaluer": ("collaboration.edit", "plan"),
           "koordinator": ("collaboration.handover", "coordinator"),
           "godta-koordinator": ("collaboration.accept", "coordinator"),
           "avslutt": ("collaboration.close", "closing"), "samtykke": ("collaboration.change_consent", "members"), **collaboration_group.ACTIONS,
           **collaboration_plan.ACTIONS}


async def collaboration_action(request: Request) -> Response:
    """Add a measure, evaluate one, or close the collaboration."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    permission, block = ACTIONS[action]
    record = await run_in_threadpool(find, request, permission)
    form = await read_form(request)
    errors = await run_in_threadpool(_act, request, record, action, form)
    if not errors and not wants_fragment(request):
        request.app.state.projections.wait()
        return redirect(request, f"/samarbeid/{record.value.id}#{block}")
    forms = {action: {"values": form, "errors": errors}} if errors else {}
    context = await run_in_threadpool(_shown_again, request, forms)
    context["changed_section"] = block
    return render(request, "collaborations/page.html", context, fragment="after_change",
                  status_code=422 if errors else 200)


def _shown_again(request: Request, forms: dict) -> dict[str, Any]:
    from intranet.records import shown_now

    return shown_now(request, lambda: page_reads(request, find(request, "collaboration.view"), forms=forms))


def _act(request: Request, record: Record, action: str, form: dict[str, str]) -> dict[str, str]:
    domain, user, collaboration_id = request.app.state.domain, current_user(request), record.value.id
    errors: dict[str, str] = {}
    try:
        if action in collaboration_group.ACTIONS:
            return collaboration_group.act(request, record, action, form)
        if action in collaboration_plan.ACTIONS:
            return collaboration_plan.act(request, record, action, form)
        if action == "mal":
            domain.add_collaboration_goal(collaboration_id, form.get("goal", ""), user.id)
        elif action == "tiltak":
            days = {k: parse_date(form.get(k, "")) for k in ("starts_on", "deadline", "evaluate_on")}
            errors = {k: _(collaboration_group.BAD_DATE) for k, v in days.items() if v is None}
            goal = form.get("goal", "")
            if not errors:
                domain.add_collaboration_measure(collaboration_id, form.get("what", ""), form.get("service", ""),
                                                 form.get("responsible", ""), days["starts_on"], days["deadline"],
                                                 days["evaluate_on"], user.id, int(goal) if goal.isdigit() else None)
        elif action == "evaluer":
            no, on = form.get("no", ""), parse_date(form.get("evaluated_on", ""))
            following = form.get("next_evaluation", "").strip()
            next_on = parse_date(following) if following else None
            if on is None:
                errors["evaluated_on"] = _(collaboration_group.BAD_DATE)
            if following and next_on is None:
                errors["next_evaluation"] = _(collaboration_group.BAD_DATE)
            if not no.isdigit():
                raise HTTPException(404)
            if not errors:
                domain.evaluate_collaboration_measure(collaboration_id, int(no), on, form.get("what_happened", ""),
                                                      form.get("guardians_view", ""), form.get("child_view", ""),
                                                      form.get("decision", ""), next_on, user.id)
        elif action == "koordinator":
            to_user_id = parse_uuid(form.get("to_user_id"))
            if to_user_id is None or to_user_id not in {o[0] for o in _may_coordinate(request, record)}:
                return {"to_user_id": _("Velg en som er med i samarbeidet.")}
            domain.propose_coordinator(collaboration_id, to_user_id, user.id)
        elif action == "godta-koordinator":
            domain.accept_coordinator(collaboration_id, user.id)
        elif action == "samtykke":
            consent_id, on = parse_uuid(form.get("consent_id")), parse_date(form.get("changed_on", ""))
            if consent_id is None or consent_id not in {c.id for c in domain.consents_of(record.child.id)}:
                errors["consent_id"] = _("Velg det nye samtykket.")
            if on is None:
                errors["changed_on"] = _(collaboration_group.BAD_DATE)
            if not errors:
                domain.change_collaboration_consent(collaboration_id, consent_id, on, user.id)
        else:
            domain.close_collaboration(collaboration_id, form.get("reason", ""), form.get("summary", ""), user.id,
                                       form.get("plan_coordinator", ""))
    except DomainError as e:
        return field_errors(e)
    return errors


routes = [
    Route("/samarbeid", collaboration_list, name="collaborations"),
    Route("/samarbeid/ny", new_collaboration, methods=["GET", "POST"], name="new_collaboration"),
    Route("/samarbeid/{collaboration_id}", collaboration_page, name="collaboration"),
    *collaboration_plan.routes,
    Route("/samarbeid/{collaboration_id}/{action}", collaboration_action, methods=["POST"],
          name="collaboration_action"),
]
