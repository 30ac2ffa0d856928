"""The electronic binder, for editors (unit leaders and the resource team):
new pages, editing with preview, publishing, history, compare and restore.

Every save is a new revision (an event); a restore is a new revision holding
the old text. An editor who saves over someone else's newer revision is told,
and keeps their text.
"""

from __future__ import annotations

import difflib
from typing import Any

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from events.binder import FORMS, SECTIONS, InvalidPage, PageChanged
from events.policy import Principal, Target, may
from events.richtext import to_html
from intranet.auth import redirect
from intranet.binder_pages import base_context, load_page
from intranet.error_messages import field_errors, run_command
from intranet.forms import parse_int, parse_uuid, read_form
from intranet.guard import require
from intranet.i18n import _
from intranet.templating import render, when



# -- a new page --------------------------------------------------------------------------------
def new_page_fields(user: Principal, form: dict[str, str]) -> tuple[tuple[Any, ...], dict[str, str]]:
    """`create_page`'s arguments from the form, and what stops this user saving it."""
    section = form.get("section", "")
    level = parse_int(form.get("level")) if section == "guide" else None
    kind = (form.get("form") or None) if section == "template" else None
    unit_id = parse_uuid(form.get("unit_id")) if section == "unit_info" else None
    errors: dict[str, str] = {}
    if section == "unit_info" and unit_id is None:
        errors["unit_id"] = _("Velg enheten siden handler om.")
    elif not may(user, "binder.edit", Target(unit_id=unit_id)):
        errors["unit_id"] = _("Du kan bare skrive informasjonssiden for din egen enhet.")
    arguments = (form.get("slug", "").strip(), section, form.get("title", "").strip(), form.get("body", ""),
                 level, kind, unit_id)
    return arguments, errors


async def new_page(request: Request) -> Response:
    """A new page, saved as a draft."""
    user = require(request, "binder.edit")
    units = await run_in_threadpool(request.app.state.projections["directory"].view.units)
    units = [u for u in units if may(user, "binder.edit", Target(unit_id=parse_uuid(u["id"])))]
    context = base_context(request, values={"section": "guide"}, errors={}, units=units, forms=FORMS,
                           section_keys=SECTIONS, preview=None)
    if request.method == "GET":
        return render(request, "binder/new.html", context)
    form = await read_form(request)
    arguments, errors = new_page_fields(user, form)
    if not errors and "preview" not in form:
        errors = await run_in_threadpool(run_command, request.app.state.domain, "create_page", *arguments,
                                         refused=InvalidPage)
    if errors or "preview" in form:
        context.update(values=form, errors=errors, preview=Markup(to_html(form.get("body", ""))))
        return render(request, "binder/new.html", context, status_code=422 if errors else 200)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{arguments[0]}")


# -- editing -------------------------------------------------------------------------------------
def conflict_note(request: Request, slug: str) -> tuple[str, int]:
    """Who saved over the editor's revision, and when; and the newest revision's number."""
    newest = request.app.state.domain.get_page(slug)
    at, by = newest.moment(newest.latest["version"])
    names = request.app.state.names.users([by])
    return _("%(who)s lagret en ny versjon %(when)s, etter at du åpnet siden. "
             "Teksten din er beholdt nedenfor. Se historikken, og lagre igjen hvis den skal gjelde.") % {
        "who": names.get(by) or _("Noen"), "when": when(at)}, newest.latest["no"]


def _edit(request: Request, slug: str, form: dict[str, str]) -> tuple[dict[str, str], tuple[str, int] | None]:
    """Save the edit: (field errors, the conflict note if someone saved in between)."""
    try:
        request.app.state.domain.edit_page(slug, form.get("title", "").strip(), form.get("body", ""),
                                           form.get("note", "").strip(), parse_int(form.get("revision")) or 0)
    except PageChanged:
        return {}, conflict_note(request, slug)
    except InvalidPage as e:
        return field_errors(e), None
    return {}, None


async def edit_page(request: Request) -> Response:
    """Edit the title and text; preview first if you like. Saved as a new draft revision."""
    page = await load_page(request, "binder.edit")
    values = {"title": page.latest["title"], "body": page.latest["body"], "note": "",
              "revision": str(page.latest["no"])}
    context = base_context(request, page=page, values=values, errors={}, preview=None, conflict=None)
    if request.method == "GET":
        return render(request, "binder/edit.html", context)
    form = await read_form(request)
    context["values"] = {**values, **{k: form.get(k, "") for k in ("title", "body", "note", "revision")}}
    if "preview" in form:
        context["preview"] = Markup(to_html(form.get("body", "")))
        return render(request, "binder/edit.html", context)
    errors, conflict = await run_in_threadpool(_edit, request, page.slug, form)
    if conflict:
        context["conflict"], context["values"]["revision"] = conflict[0], str(conflict[1])
        return render(request, "binder/edit.html", context, status_code=409)
    if errors:
        return render(request, "binder/edit.html", {**context, "errors": errors}, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{page.slug}")


# -- history, compare, restore, publish ------------------------------------------------------------
# action in the URL -> the named command on the page
PAGE_ACTIONS = {"publiser": "publish_page", "avpubliser": "unpublish_page", "gjenopprett": "restore_page"}

async def history(request: Request) -> Response:
    """Every version: who saved it, when, and why; compare any two, restore any one."""
    page = await load_page(request, "binder.edit")
    return await _history(request, page, {})


async def _history(request: Request, page, errors: dict[str, str], status_code: int = 200) -> Response:
    people = [page.moment(r["version"])[1] for r in page.revisions]
    names = await run_in_threadpool(request.app.state.names.users, people)
    return render(request, "binder/history.html", base_context(
        request, page=page, names=names, errors=errors, revisions=list(reversed(page.revisions))),
        status_code=status_code)


async def compare(request: Request) -> Response:
    """A line-by-line comparison of two versions."""
    page = await load_page(request, "binder.edit")
    newest = page.latest["no"]
    to_no = parse_int(request.query_params.get("til")) or newest
    from_no = parse_int(request.query_params.get("fra")) or max(1, to_no - 1)
    if not (1 <= from_no <= newest and 1 <= to_no <= newest):
        raise HTTPException(404)
    old, new = page.revision(from_no), page.revision(to_no)
    lines = diff_lines(old["body"], new["body"])
    return render(request, "binder/compare.html", base_context(
        request, page=page, old=old, new=new, lines=lines, changed=any(k in ("removed", "added") for k, _ in lines)))


def diff_lines(old: str, new: str, context: int = 2) -> list[tuple[str, str]]:
    """("same" | "removed" | "added" | "gap", line): the changed lines with a few
    unchanged ones around them; long unchanged stretches become one gap."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = a[i1:i2]
            if len(same) > 2 * context + 1:
                head = same[:context] if lines else []
                tail = same[-context:] if i2 < len(a) or j2 < len(b) else []
                lines += [("same", s) for s in head] + [("gap", "")] + [("same", s) for s in tail]
            else:
                lines += [("same", s) for s in same]
            continue
        lines += [("removed", s) for s in a[i1:i2]] + [("added", s) for s in b[j1:j2]]
    return lines


async def page_action(request: Request) -> Response:
    """Publish the newest version, withdraw the page to draft, or restore a version."""
    action = request.path_params["action"]
    if action not in PAGE_ACTIONS:
        raise HTTPException(404)
    page = await load_page(request, "binder.edit")
    form = await read_form(request)
    arguments = (parse_int(form.get("no")) or 0, parse_int(form.get("revision")) or 0) if action == "gjenopprett" else ()
    try:
        errors = await run_in_threadpool(run_command, request.app.state.domain, PAGE_ACTIONS[action], page.slug,
                                         *arguments, refused=InvalidPage)
    except PageChanged:
        errors = {"_form": _("Siden har fått en ny versjon siden du åpnet den. Se over historikken og prøv igjen.")}
        return await _history(request, await load_page(request, "binder.edit"), errors, 409)
    if errors:
        return await _history(request, await load_page(request, "binder.edit"), errors, 422)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{page.slug}/historikk" if action == "gjenopprett" else f"/perm/{page.slug}")
