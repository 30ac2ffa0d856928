"""Concerns: file one in under a minute, then follow it to the right action.

Every page and fragment that shows a concern records the access first
(intranet/records.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator
from uuid import UUID, uuid4

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock, guide
from events.children import Child
from events.concern_commands import Change, ConcernChanged
from events.concerns import CATEGORIES, Concern
from events.application import uses_postgres
from events.errors import DomainError
from events.storage.postgres_recorder import read_together, reading_ahead
from events.identity import DuplicateChild
from intranet.error_messages import FORM, field_errors
from events.policy import Target, may
from intranet import concern_forms, labels
from intranet.concern_history import describe, people_in
from intranet.auth import redirect
from intranet.form_replays import FormInFlight
from intranet.forms import form_version, page_number, parse_int, parse_uuid, read_form, read_multi
from intranet.guard import commit_access, current_user, require
from intranet.records import Record, Shown, load_record, permitted, show, show_record
from intranet.i18n import N_, _
from intranet.templating import render, wants_fragment

# action in the URL -> (page section, permission, the named command on the concern).
# The form's parsed fields (intranet/concern_forms.py) are the command's arguments.
ACTIONS: dict[str, tuple[str, str, str]] = {
    "logg": ("logbook", "concern.edit", "log_observation"),
    "korriger": ("logbook", "concern.edit", "correct_observation"),
    "niva": ("guide", "concern.edit", "set_concern_level"),
    "steg": ("guide", "concern.edit", "mark_guide_step"),
    "samtale": ("talks", "concern.edit", "record_guardian_talk"),
    "korriger-samtale": ("talks", "concern.edit", "correct_guardian_talk"),
    "tiltak": ("plan", "concern.edit", "add_measure"),
    "evaluer": ("plan", "concern.edit", "evaluate_measure"),
    "del": ("sharing", "concern.share", "share_concern"),
    "fjern-deling": ("sharing", "concern.share", "unshare_concern"),
    "lukk": ("status", "concern.close", "close_concern"),
    "gjenapne": ("status", "concern.close", "reopen_concern"),
}
SHOWN = ["concern", "child.name"]  # what the concern page shows
# The other parts of the page (blocks of concerns/page.html) a change shows in:
# an htmx change swaps them out of band in the same response. Every change adds
# to the history; a conflict shows what the others changed, wherever it shows.
ALSO_CHANGES: dict[str, tuple[str, ...]] = {"niva": ("summary",), "samtale": ("talk_due",),
                                            "korriger-samtale": ("talk_due",)}
EVERYWHERE = ("summary", "talk_due", "history")
# What the page's live region says after an htmx change succeeded (marked, translated when shown).
ANNOUNCED: dict[str, str] = {
    "logg": N_("Lagt til i loggen."), "korriger": N_("Korrigeringen er lagret."),
    "niva": N_("Nivået er endret."), "samtale": N_("Samtalen er lagret."),
    "korriger-samtale": N_("Korrigeringen er lagret."), "tiltak": N_("Tiltaket er lagt til."),
    "evaluer": N_("Evalueringen er lagret."), "del": N_("Bekymringen er delt."),
    "fjern-deling": N_("Tilgangen er fjernet."), "lukk": N_("Bekymringen er avsluttet."),
    "gjenapne": N_("Bekymringen er gjenåpnet."),
}


# -- the concern page ---------------------------------------------------------------------
@contextmanager
def read_ahead(request: Request) -> Iterator[None]:
    """On PostgreSQL, everything the concern page reads, in one round trip: the
    concern's and its child's events, its referrals and collaborations, the
    colleagues in its unit and the action guide's pages. The child and the unit
    are named by the concerns read model; the page uses what was read for them
    only where the concern, as its events say, names the same (`page_context`;
    the child: events/storage/postgres_recorder.py `reading_ahead`), else reads
    them again. On SQLite, whose reads cross no network, the page reads as it goes."""
    state = request.app.state
    concern_id = parse_uuid(request.path_params["concern_id"])
    if concern_id is None or not uses_postgres(state.domain.env):
        yield
        return
    views = {name: state.projections[name].view for name in ("concerns", "referrals", "collaborations",
                                                              "directory", "binder")}
    concern_row = f"FROM {views['concerns'].qualify('concerns')} WHERE id = %s"
    unit = f"(SELECT unit_id {concern_row})"
    key = str(concern_id)
    hint, events, referrals, collaborations, colleagues, guides = read_together(
        state.domain.factory.datastore,
        (f"SELECT unit_id {concern_row}", (key,), False),
        state.domain.recorder.events_of(f"ARRAY[%s::uuid, (SELECT child_id::uuid {concern_row})]", (key, key)),
        (views["referrals"].sql(views["referrals"].FOR_CONCERN), (key,), False),
        (views["collaborations"].sql(views["collaborations"].FOR_CONCERN), (key,), False),
        (views["directory"].sql(views["directory"].IN_UNIT).replace("%s", unit), (key,), False),
        (views["binder"].sql(views["binder"].GUIDE_SLUGS), (), False),
    )
    request.state.page_ahead = {
        "referrals": [dict(r) for r in referrals],
        "collaborations": [dict(r) for r in collaborations],
        "unit_id": hint[0]["unit_id"] if hint else None,
        "colleagues": [UUID(r["id"]) for r in colleagues],
        "guides": {r["level"]: r["slug"] for r in guides},
    }
    with reading_ahead(events):
        yield


def page_context(request: Request, concern: Concern, child: Child, history: list[Change]) -> dict[str, Any]:
    """Everything the concern page shows (runs in the threadpool), read ahead
    (`read_ahead`) or read now."""
    state = request.app.state
    views = state.projections
    ahead = getattr(request.state, "page_ahead", None) or {}
    in_unit = (ahead["colleagues"] if ahead.get("unit_id") == str(concern.unit_id)
               else views["directory"].view.active_users_in_unit(concern.unit_id))
    colleague_ids = [u for u in in_unit if u != concern.author_id and u not in concern.shared_with]
    people = [concern.author_id, *concern.shared_with, *colleague_ids, *people_in(history)]
    people += [e["by"] for e in concern.entries] + [t["by"] for t in concern.talks]
    names = state.names.users(people)
    today = clock.today()
    return {
        "referrals": ahead["referrals"] if ahead else views["referrals"].view.for_concern(concern.id),
        "collaborations": ahead["collaborations"] if ahead else views["collaborations"].view.for_concern(concern.id),
        # Opened by the unit's leader (the policy's say, on the concern).
        "may_open_collaboration": may(current_user(request), "collaboration.open",
                                      Target.concern(concern, child.restricted)) and concern.is_open,
        "concern": concern,
        "cid": str(concern.id),  # in every form's address: made a string once
        "child": child,
        "unit_name": state.names.unit(concern.unit_id),
        "names": names,
        "history": history,
        "colleagues": sorted(colleague_ids, key=lambda u: names[u]),
        "steps": guide.steps_for(concern.level, concern.is_urgent),
        "done": set(concern.steps_done.get(str(concern.level), [])),
        "today": today,
        "talk_overdue": concern.is_open and not concern.is_urgent and not concern.talks
        and today > concern.guardian_talk_due,
        "labels": labels,
        "forms": {},
        "conflict": None,
        "oob": (),  # the parts swapped out of band after an htmx change
        "describe": describe,
        "active": "concerns",
        # The action guide's page for this level in the electronic binder, if published.
        "guide_page": (ahead["guides"].get(concern.level) if ahead
                       else views["binder"].view.guide_slug(concern.level)),
    }


def page_reads(request: Request, record: Record) -> tuple[dict[str, Any], Shown]:
    context = page_context(request, record.value, record.child, record.related["history"])
    return context, Shown([record.value.child_id], SHOWN)


async def concern_page(request: Request) -> Response:
    """One concern: chronology, action guide, conversations, action plan, sharing."""
    return await show_record(request, "concern", "concern.view", "concerns/page.html",
                             lambda record: page_reads(request, record), ahead=lambda: read_ahead(request))


async def concern_action(request: Request) -> Response:
    """A change to a concern from one of the forms on its page."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    section, permission, command = ACTIONS[action]
    record = await load_record(request, "concern", permission)
    form = await read_form(request)
    seen = form_version(form)
    parsed, errors = concern_forms.action(action, form)
    conflict: list[Change] | None = None
    if not errors:
        errors, conflict = await run_in_threadpool(
            _change, request.app.state.domain, command, record.value.id, seen,
            current_user(request).id, parsed)
    if not errors and conflict is None:
        if not wants_fragment(request):
            return redirect(request, f"/bekymringer/{record.value.id}#{section}")
        request.app.state.projections.wait()
    return await show_record(
        request, "concern", "concern.view", "concerns/page.html",
        lambda shown: _after_change(request, shown, action, section, form, errors, conflict),
        fragment="after_change", status_code=409 if conflict else 422 if errors else 200)


def _change(domain, command: str, concern_id: UUID, seen: int, actor_id: UUID, parsed: dict[str, Any]):
    """Run the named command: (field errors, the others' changes if it was stale)."""
    try:
        getattr(domain, command)(concern_id, seen, actor_id, **parsed)
    except ConcernChanged as e:
        return {}, e.changes
    except DomainError as e:
        return field_errors(e), None
    return {}, None


def _after_change(request: Request, record: Record, action: str, section: str, form: dict[str, str],
                  errors: dict[str, str], conflict: list[Change] | None) -> tuple[dict[str, Any], Shown]:
    """The page again, with the user's text and errors, or what others changed."""
    context, shown = page_reads(request, record)
    if errors or conflict:
        context["forms"] = {action: {"values": form, "errors": errors}}
    if conflict:
        names = request.app.state.names.users(people_in(conflict))
        context["conflict"] = {"action": action, "section": section, "changes": conflict, "names": names}
    # Closing or reopening changes every section (the whole concern is swapped);
    # the other forms change their section and the parts that show the change.
    context["changed_section"] = "content" if section == "status" else section
    # The live region is emptied by a refusal, set by a success (intranet/templating.py).
    context["announce"] = ""
    if not (errors or conflict):
        context["announce"], context["focus"] = _done(context["concern"], action, section, form)
    if wants_fragment(request) and section != "status":
        context["oob"] = EVERYWHERE if conflict else () if errors else (*ALSO_CHANGES.get(action, ()), "history")
    return context, shown


def _done(concern: Concern, action: str, section: str, form: dict[str, str]) -> tuple[str, str]:
    """What the live region says after a change, and the id of the element that
    gets the focus: what the change made or the control it changed, else its section."""
    if action == "steg":
        step = _(labels.STEPS[form["step"]])  # a step the command accepted
        said = _("Steg krysset av: %(step)s") if form.get("done") == "1" else _("Avkrysning fjernet: %(step)s")
        return said % {"step": step}, f"step-{form['step']}"
    said = _(ANNOUNCED[action])
    if action == "niva":
        return said, "f-level"
    if action == "logg":
        return said, f"entry-{concern.entries[-1]['no']}"
    if action == "korriger":
        return said, f"entry-{parse_int(form.get('no')) or 0}"
    if action == "samtale":
        return said, f"talk-{concern.talks[-1]['no']}"
    return said, section


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


# -- filing a new concern ------------------------------------------------------------------
def unit_children(request: Request, unit_id: UUID) -> list[tuple[UUID, str]]:
    """The unit's children by name, to choose from (runs in the threadpool)."""
    directory = request.app.state.projections["directory"]
    ids = [r["id"] for r in permitted(request, "child", "child.view",
                                      [{"id": i} for i in directory.view.children_in_unit(unit_id, 0, 1000)])]
    named = [(i, directory.child_name(i)) for i in ids]
    return sorted([(i, n) for i, n in named if n], key=lambda c: c[1].casefold())


def _new_form(request: Request, unit_id: UUID, **context: Any) -> tuple[dict[str, Any], Shown]:
    """The form, with the unit's children to choose from."""
    children = unit_children(request, unit_id)
    context = {"children": children, "labels": labels, "categories": CATEGORIES, "errors": {},
               "today": clock.today(), "active": "new", "same": [], "registered": None, **context}
    # The children the new one may be, with their birth dates to tell them apart.
    names = dict(children)
    context["same"] = [(c, names[c], request.app.state.domain.get_child(c).birth_date)
                       for c in context["same"] if c in names]
    return context, Shown([c[0] for c in children], ["child.name"], reason="velg barn")


def _draft_form(request: Request, user) -> tuple[dict[str, Any], Shown]:
    draft = request.app.state.drafts.load(user.id)
    # The form's key (intranet/form_replays.py) is kept in its draft: the same
    # draft, posted twice, files one concern.
    values = draft or {"observed_on": clock.today().isoformat()}
    values.setdefault("form_key", str(uuid4()))
    return _new_form(request, user.unit_id, values=values, draft_restored=draft is not None)


async def new_concern(request: Request) -> Response:
    """The lightweight form: which child, what you saw or heard, how worried you are."""
    user = current_user(request)
    require(request, "concern.create", Target(unit_id=user.unit_id))
    if request.method == "GET":
        return await show(request, "concerns/new.html", lambda: _draft_form(request, user))
    form = await read_form(request)
    categories = await read_multi(request, "categories")
    concern_id, errors, found = await run_in_threadpool(_file, request, user, form, categories)
    if errors:
        return await show(request, "concerns/new.html", lambda: _new_form(
            request, user.unit_id, values={**form, "categories": categories}, errors=errors, **found),
            fragment="form", status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/bekymringer/{concern_id}")


def _file(request: Request, user, form: dict[str, str], categories: list[str]):
    """File the concern the form describes: (its id, {}, {}) or (None, field errors,
    what the form shows besides: the children the new one may be). The same form
    posted again (its `form_key`) gets the first post's concern, not a second one."""
    children = {c[0] for c in unit_children(request, user.unit_id)}
    parsed, errors = concern_forms.new_concern(form, categories, children)
    if errors:
        return None, errors, {}
    new = parsed.get("new_child")
    if new is not None and form.get("same_child") != "new":
        # The same name and birth date: ask before registering the child twice. Only the
        # children the user may file about are offered (docs/decisions.md).
        same = [i for i in request.app.state.projections["directory"].same_name_and_birth_date(
            new["first_name"], new["last_name"], new["birth_date"]) if i in children]
        chosen = parse_uuid(form.get("same_child"))
        if chosen in same:
            parsed = {**parsed, "child_id": chosen}
            del parsed["new_child"]
        elif same:
            return None, {"same_child": _("Et barn med samme navn og fødselsdato er allerede registrert. "
                                          "Velg barnet hvis det er samme barn, eller velg «Registrer et nytt barn "
                                          "likevel».")}, {"same": same}
    replays, key = request.app.state.form_replays, parse_uuid(form.get("form_key"))
    if key is None:
        return None, {FORM: _("Skjemaet mangler en nøkkel. Last inn siden på nytt og send igjen.")}, {}
    try:
        filed = replays.claim(key, user.id)
    except FormInFlight:
        return None, {FORM: _("Skjemaet blir allerede lagret. Vent litt og se i listen over bekymringer.")}, {}
    if filed is not None:
        return filed, {}, {}
    concern_id = None
    try:
        concern_id = request.app.state.domain.file_concern(user.unit_id, user.id, **parsed)
    except DuplicateChild as e:
        return None, *_already_registered(request, user, e.params["child_id"])
    except DomainError as e:
        errors = field_errors(e)
        if new is not None:  # the new child's fields are named new_* on the form
            errors = {NEW_CHILD_FIELD.get(k, k): v for k, v in errors.items()}
        return None, errors, {}
    finally:
        # Filed: a replay gets this concern. Refused or failed: the form may be sent again.
        if concern_id is None:
            replays.release(key, user.id)
        else:
            replays.done(key, user.id, concern_id)
    request.app.state.drafts.delete(user.id)
    return concern_id, {}, {}


NEW_CHILD_FIELD = {"first_name": "new_first_name", "last_name": "new_last_name", "birth_date": "new_birth_date",
                   "national_id": "new_national_id"}


def _already_registered(request: Request, user, child_id: UUID) -> tuple[dict[str, str], dict[str, Any]]:
    """The refusal of a national identity number registered already. A child the user
    may see is linked to; of one out of reach the user learns only that the number is
    registered, and the privacy officer sees that the user learnt it (docs/decisions.md)."""
    try:
        child = request.app.state.domain.get_child(child_id)
    except DomainError:  # its registration is saving this moment (events/identity_commands.py): out of reach
        child = None
    if child is not None and may(user, "child.view", Target.child(child)):
        return {"new_national_id": _("Barnet med dette fødselsnummeret er allerede registrert i enheten. "
                                     "Velg barnet i listen i stedet for å registrere det på nytt.")}, \
            {"registered": child_id}
    commit_access(request, [child_id], ["child.exists"], reason="duplikatkontroll")
    return {"new_national_id": _("Et barn med dette fødselsnummeret er allerede registrert, men ikke blant barna "
                                 "du har tilgang til. Det kan ikke registreres på nytt. Be lederen din sørge for "
                                 "at barnet blir overført til enheten.")}, {}


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


def named(request: Request, rows: list[dict]) -> list[dict]:
    """Each row with its child's name, a restricted child's rows left out: the
    policy refuses them to everyone (runs in the threadpool)."""
    directory = request.app.state.projections["directory"]
    restricted = directory.view.restricted_among([UUID(row["child_id"]) for row in rows])
    rows = [row for row in rows if UUID(row["child_id"]) not in restricted]
    for row in rows:
        row["child_name"] = directory.child_name(UUID(row["child_id"])) or _("(slettet)")
    return rows


def listed(*lists: list[dict]) -> Shown:
    """What a list page shows: the listed children's names."""
    return Shown([UUID(r["child_id"]) for rows in lists for r in rows], ["concern.list", "child.name"])


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

    def reads():
        rows = query(view, status, (page - 1) * PAGE_SIZE, PAGE_SIZE + 1)
        shown = named(request, permitted(request, "concern", "concern.view", rows[:PAGE_SIZE]))
        return {"which": which, "rows": shown, "page": page, "more": len(rows) > PAGE_SIZE, "status": status,
                "labels": labels, "active": which, "today": clock.today().isoformat()}, listed(shown)

    return await show(request, "concerns/list.html", reads)


async def overdue(request: Request) -> Response:
    """What is late: guardian conversations not held in 14 days, measures not evaluated."""
    user = require(request, "concerns.mine")
    return await show(request, "concerns/overdue.html", lambda: _overdue(request, user))


def _overdue(request: Request, user) -> tuple[dict[str, Any], Shown]:
    scope, scope_id = ("unit", user.unit_id) if user.role == "unit_leader" else ("member", user.id)
    projections = request.app.state.projections
    today = clock.today()
    talks = named(request, permitted(request, "concern", "concern.view",
                                     projections["concerns"].view.talks_overdue(today, scope, scope_id)))
    measures = named(request, permitted(request, "concern", "concern.view",
                                        projections["concerns"].view.measures_overdue(today, scope, scope_id)))
    receipts = named(request, permitted(request, "referral", "referral.view",
                                        projections["referrals"].view.receipt_overdue(user.unit_id, today)
                                        if user.role == "unit_leader" else []))
    return {"talks": talks, "measures": measures, "receipts": receipts, "today": today,
            "active": "overdue", "labels": labels}, listed(talks, measures, receipts)


async def search(request: Request) -> Response:
    """Find concerns by the child's name. The name is posted, never put in the URL,
    and looked up through the blind index."""
    user = require(request, "concerns.mine")
    if request.method == "GET":
        return render(request, "concerns/search.html", {"rows": None, "query": "", "active": "search"})
    query = (await read_form(request)).get("name", "").strip()
    if len(query) < 2:
        return render(request, "concerns/search.html", {
            "rows": None, "query": query, "error": _("Skriv minst to bokstaver av barnets fornavn eller etternavn."),
            "active": "search"}, status_code=422)
    return await show(request, "concerns/search.html", lambda: _found(request, user, query))


def _found(request: Request, user, query: str) -> tuple[dict[str, Any], Shown]:
    """The concerns of children whose name matches, that the user may see."""
    directory = request.app.state.projections["directory"].view
    concerns_view = request.app.state.projections["concerns"].view
    child_ids = directory.child_ids_by_token(request.app.state.domain.blind_index(query), limit=200)
    visible = permitted(request, "concern", "concern.view", concerns_view.for_children(child_ids))
    rows = named(request, visible[:100])
    return {"rows": rows, "query": query, "active": "search", "labels": labels}, listed(rows)


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
