"""Concerns: file one in under a minute, then follow it to the right action.

Every page and fragment that shows a concern records the access first.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock, guide
from events.children import Child
from events.concern_commands import Change, ConcernChanged
from events.concerns import CATEGORIES, Concern
from events.errors import DomainError
from intranet.error_messages import field_errors
from events.policy import Target, may
from intranet import concern_forms, labels
from intranet.auth import redirect
from intranet.forms import page_number, parse_uuid, read_form, read_multi
from intranet.guard import commit_access, current_user, found, record_access, require
from intranet.i18n import _
from intranet.templating import render, wants_fragment

# action in the URL -> (page section, permission, what it does to the concern)
ACTIONS: dict[str, tuple[str, str]] = {
    "logg": ("logbook", "concern.edit"),
    "korriger": ("logbook", "concern.edit"),
    "niva": ("guide", "concern.edit"),
    "steg": ("guide", "concern.edit"),
    "samtale": ("talks", "concern.edit"),
    "korriger-samtale": ("talks", "concern.edit"),
    "tiltak": ("plan", "concern.edit"),
    "evaluer": ("plan", "concern.edit"),
    "del": ("sharing", "concern.share"),
    "fjern-deling": ("sharing", "concern.share"),
    "lukk": ("status", "concern.close"),
    "gjenapne": ("status", "concern.close"),
}


def apply(action: str, p: dict[str, Any], user_id: UUID):
    """The change to make to the concern for one posted form."""
    return {
        "logg": lambda c: c.log_observation(p["observed_on"], p["text"], p["child_words"], user_id),
        "korriger": lambda c: c.correct_entry(p["no"] or 0, p["text"], p["child_words"], p["reason"], user_id),
        "niva": lambda c: c.set_level(p["level"], p["reason"]),
        "steg": lambda c: c.mark_step(p["step"], p["done"]),
        "samtale": lambda c: c.record_guardian_talk(p["held_on"], p["participants"], p["summary"], p["child_heard"], user_id),
        "korriger-samtale": lambda c: c.correct_guardian_talk(p["no"] or 0, p["summary"], p["reason"], user_id),
        "tiltak": lambda c: c.add_measure(p["measure"], p["responsible"], p["deadline"], p["evaluate_on"], user_id),
        "evaluer": lambda c: c.evaluate_measure(p["no"] or 0, p["outcome"], clock.today()),
        "del": lambda c: c.share_with(p["user_id"]),
        "fjern-deling": lambda c: c.unshare(p["user_id"]),
        "lukk": lambda c: c.close(p["reason"]),
        "gjenapne": lambda c: c.reopen(p["reason"]),
    }[action]


# -- loading ---------------------------------------------------------------------------
def find_concern(request: Request, action: str) -> tuple[Concern, Child, list[Change]]:
    """The concern in the path, its child and its history, if the user may do
    `action` on it; else 404. Runs in the threadpool."""
    concern_id = parse_uuid(request.path_params["concern_id"])
    if concern_id is None:
        raise HTTPException(404, "record")
    domain = request.app.state.domain
    with found(request):
        concern, history = domain.concern_with_history(concern_id)
        child = domain.get_child(concern.child_id)
    require(request, action, Target.concern(concern, child.restricted), record=True)
    return concern, child, history


async def load_concern(request: Request, action: str) -> Concern:
    """The concern in the path, if the user may do `action` on it; else 404."""
    concern, _child, _history = await run_in_threadpool(find_concern, request, action)
    return concern


def page_context(request: Request, concern: Concern, child: Child, history: list[Change]) -> dict[str, Any]:
    """Everything the concern page shows (runs in the threadpool)."""
    state = request.app.state
    colleague_ids = [
        u for u in state.projections["directory"].view.active_users_in_unit(concern.unit_id)
        if u != concern.author_id and u not in concern.shared_with
    ]
    people = [concern.author_id, *concern.shared_with, *colleague_ids, *(c.actor_id for c in history)]
    people += [e["by"] for e in concern.entries] + [t["by"] for t in concern.talks]
    names = state.names.users(people)
    today = clock.today()
    return {
        "referrals": state.projections["referrals"].view.for_concern(concern.id),
        "concern": concern,
        "child": child,
        "unit_name": state.names.unit(concern.unit_id),
        "names": names,
        "history": history,
        "colleagues": sorted(colleague_ids, key=lambda u: names[u]),
        "steps": guide.steps_for(concern.level),
        "done": set(concern.steps_done.get(str(concern.level), [])),
        "today": today,
        "talk_overdue": concern.is_open and not concern.is_urgent and not concern.talks
        and today > concern.guardian_talk_due,
        "labels": labels,
        "forms": {},
        "conflict": None,
        "active": "concerns",
        # The action guide's page for this level in the electronic binder, if published.
        "guide_page": state.projections["binder"].view.guide_slug(concern.level),
    }


def shown_context(request: Request, concern: Concern, child: Child, history: list[Change]) -> dict[str, Any]:
    """The page's context, once the access to it is committed (fail closed).
    One threadpool hop for the reads and the audit write."""
    context = page_context(request, concern, child, history)
    commit_access(request, [concern.child_id], ["concern", "child.name"])
    return context


# -- the concern page ---------------------------------------------------------------------
async def concern_page(request: Request) -> Response:
    """One concern: chronology, action guide, conversations, action plan, sharing."""

    def load() -> dict[str, Any]:
        return shown_context(request, *find_concern(request, "concern.view"))

    return render(request, "concerns/page.html", await run_in_threadpool(load))


async def concern_action(request: Request) -> Response:
    """A change to a concern from one of the forms on its page."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    section, permission = ACTIONS[action]
    concern, child, _history = await run_in_threadpool(find_concern, request, permission)
    user = current_user(request)
    form = await read_form(request)
    parsed, errors = concern_forms.action(action, form)
    if action in ("del", "fjern-deling") and not errors:
        colleagues = await run_in_threadpool(
            request.app.state.projections["directory"].view.active_users_in_unit, concern.unit_id
        )
        if parsed["user_id"] not in colleagues and parsed["user_id"] not in concern.shared_with:
            errors["user_id"] = _("Velg en kollega i enheten.")
    seen = _number(form.get("version"))
    conflict = None
    domain = request.app.state.domain
    if not errors:
        try:
            await run_in_threadpool(
                domain.change_concern, concern.id, seen, user.id, apply(action, parsed, user.id)
            )
        except ConcernChanged as e:
            conflict = e.changes
        except DomainError as e:
            errors = field_errors(e)
    if not errors and conflict is None:
        if not wants_fragment(request):
            return redirect(request, f"/bekymringer/{concern.id}#{section}")
        request.app.state.projections.wait()
    concern, history = await run_in_threadpool(domain.concern_with_history, concern.id)
    context = await run_in_threadpool(shown_context, request, concern, child, history)
    if errors or conflict:
        context["forms"] = {action: {"values": form, "errors": errors}}
        if conflict:
            names = await run_in_threadpool(request.app.state.names.users, [c.actor_id for c in conflict])
            context["conflict"] = {"action": action, "section": section, "changes": conflict, "names": names}
    status = 409 if conflict else 422 if errors else 200
    # Closing or reopening changes every section; the other forms change one.
    fragment = "content" if section == "status" else section
    return render(request, "concerns/page.html", context, fragment=fragment, status_code=status)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


# -- filing a new concern ------------------------------------------------------------------
async def unit_children(request: Request, unit_id: UUID) -> list[tuple[UUID, str]]:
    directory = request.app.state.projections["directory"]

    def load():
        ids = directory.view.children_in_unit(unit_id, 0, 1000)
        named = [(i, directory.child_name(i)) for i in ids]
        return sorted([(i, n) for i, n in named if n], key=lambda c: c[1].casefold())

    return await run_in_threadpool(load)


async def new_concern(request: Request) -> Response:
    """The lightweight form: which child, what you saw or heard, how worried you are."""
    user = current_user(request)
    require(request, "concern.create", Target(unit_id=user.unit_id))
    children = await unit_children(request, user.unit_id)
    drafts = request.app.state.drafts
    context: dict[str, Any] = {
        "children": children, "labels": labels, "categories": CATEGORIES, "errors": {},
        "today": clock.today(), "active": "new",
    }
    if request.method == "GET":
        draft = await run_in_threadpool(drafts.load, user.id)
        context["values"] = draft or {"observed_on": clock.today().isoformat()}
        context["draft_restored"] = draft is not None
        await record_access(request, [c[0] for c in children], ["child.name"], reason="velg barn")
        return render(request, "concerns/new.html", context)

    form = await read_form(request)
    categories = await read_multi(request, "categories")
    parsed, errors = concern_forms.new_concern(form, categories, {c[0] for c in children})
    if not errors:
        domain = request.app.state.domain
        try:
            concern_id = await run_in_threadpool(_file, domain, user, parsed)
        except DomainError as e:
            errors = field_errors(e)
    if errors:
        context.update(values={**form, "categories": categories}, errors=errors)
        await record_access(request, [c[0] for c in children], ["child.name"], reason="velg barn")
        return render(request, "concerns/new.html", context, fragment="form", status_code=422)
    await run_in_threadpool(drafts.delete, user.id)
    request.app.state.projections.wait()
    return redirect(request, f"/bekymringer/{concern_id}")


def _file(domain, user, parsed) -> UUID:
    child_id = parsed.get("child_id")
    if child_id is None:
        new = parsed["new_child"]
        child_id = domain.register_child(new["first_name"], new["last_name"], new["birth_date"], user.unit_id)
    return domain.open_concern(
        child_id, user.id, parsed["observed_on"], parsed["observation"], parsed["child_words"],
        parsed["categories"], parsed["worry"],
    )


async def save_draft(request: Request) -> Response:
    """Autosave: htmx posts the form while the user types; without JavaScript, a button."""
    user = current_user(request)
    require(request, "concern.create", Target(unit_id=user.unit_id))
    form = await read_form(request)
    values = {k: v for k, v in form.items() if k != "csrf_token"}
    values["categories"] = await read_multi(request, "categories")
    saved_at = await run_in_threadpool(request.app.state.drafts.save, user.id, values)
    if wants_fragment(request):
        return render(request, "concerns/_draft_status.html", {"saved_at": saved_at})
    return redirect(request, "/bekymringer/ny")


# -- lists -----------------------------------------------------------------------------------
PAGE_SIZE = 25


async def named_rows(request: Request, rows: list[dict]) -> list[dict]:
    """Add the child's name to each row, and record that the names were shown."""
    directory = request.app.state.projections["directory"]

    def name_all():
        for row in rows:
            row["child_name"] = directory.child_name(UUID(row["child_id"])) or _("(slettet)")
        return rows

    rows = await run_in_threadpool(name_all)
    await record_access(request, [UUID(r["child_id"]) for r in rows], ["concern.list", "child.name"])
    return rows


async def my_concerns(request: Request) -> Response:
    """The concerns I wrote or that were shared with me."""
    user = require(request, "concerns.mine")
    return await _list(request, "mine", lambda view, status, off, lim: view.mine(user.id, status, off, lim))


async def inbox(request: Request) -> Response:
    """The unit leader's inbox: every concern in the unit."""
    user = current_user(request)
    require(request, "concerns.inbox", Target(unit_id=user.unit_id))
    return await _list(request, "inbox", lambda view, status, off, lim: view.in_unit(user.unit_id, status, off, lim))


async def _list(request: Request, which: str, query) -> Response:
    page = page_number(request)
    status = "closed" if request.query_params.get("status") == "avsluttet" else "open"
    view = request.app.state.projections["concerns"].view
    rows = await run_in_threadpool(query, view, status, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = await named_rows(request, rows[:PAGE_SIZE])
    return render(request, "concerns/list.html", {
        "which": which, "rows": rows, "page": page, "more": more, "status": status, "labels": labels,
        "active": which,
    })


async def overdue(request: Request) -> Response:
    """What is late: guardian conversations not held in 14 days, measures not evaluated."""
    user = require(request, "concerns.mine")
    scope, scope_id = ("unit", user.unit_id) if user.role == "unit_leader" else ("member", user.id)
    view = request.app.state.projections["concerns"].view
    today = clock.today()
    talks = await run_in_threadpool(view.talks_overdue, today, scope, scope_id)
    measures = await run_in_threadpool(view.measures_overdue, today, scope, scope_id)
    receipts = []
    if user.role == "unit_leader":
        receipts = await run_in_threadpool(
            request.app.state.projections["referrals"].view.receipt_overdue, user.unit_id, today)
    talks = await named_rows(request, talks)
    measures = await named_rows(request, measures)
    receipts = await named_rows(request, receipts)
    return render(request, "concerns/overdue.html", {
        "talks": talks, "measures": measures, "receipts": receipts, "today": today,
        "active": "overdue", "labels": labels,
    })


async def search(request: Request) -> Response:
    """Find concerns by the child's name. The name is posted, never put in the URL,
    and looked up through the blind index."""
    user = require(request, "concerns.mine")
    if request.method == "GET":
        return render(request, "concerns/search.html", {"rows": None, "query": "", "active": "search"})
    form = await read_form(request)
    query = form.get("name", "").strip()
    if len(query) < 2:
        return render(request, "concerns/search.html", {
            "rows": None, "query": query, "error": _("Skriv minst to bokstaver av barnets fornavn eller etternavn."),
            "active": "search"}, status_code=422)
    domain = request.app.state.domain
    directory = request.app.state.projections["directory"].view
    concerns_view = request.app.state.projections["concerns"].view

    def find():
        child_ids = directory.child_ids_by_token(domain.blind_index(query), limit=200)
        visible = []
        for row in concerns_view.for_children(child_ids):
            target = Target(unit_id=UUID(row["unit_id"]), author_id=UUID(row["author_id"]),
                            shared_with=tuple(concerns_view.members(UUID(row["id"]))))
            if may(user, "concern.view", target):
                visible.append(row)
        return visible[:100]

    rows = await named_rows(request, await run_in_threadpool(find))
    return render(request, "concerns/search.html", {"rows": rows, "query": query, "active": "search",
                                                     "labels": labels})


routes = [
    Route("/bekymringer", my_concerns, name="my_concerns"),
    Route("/bekymringer/innboks", inbox, name="inbox"),
    Route("/bekymringer/forfalt", overdue, name="overdue"),
    Route("/bekymringer/sok", search, methods=["GET", "POST"], name="search"),
    Route("/bekymringer/ny", new_concern, methods=["GET", "POST"], name="new_concern"),
    Route("/bekymringer/utkast", save_draft, methods=["POST"], name="save_draft"),
    Route("/bekymringer/{concern_id}", concern_page, name="concern"),
    Route("/bekymringer/{concern_id}/{action}", concern_action, methods=["POST"], name="concern_action"),
]
