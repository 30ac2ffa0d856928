"""The electronic binder, for editors (unit leaders and the resource team):
new pages, editing with preview, publishing, history, compare and restore.

Every save is a new revision (an event); a restore is a new revision holding
the old text. An editor who saves over someone else's newer revision is told,
and keeps their text.
"""

from __future__ import annotations

import difflib

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from events.binder import FORMS, SECTIONS, InvalidPage, PageChanged
from events.policy import Target, may
from events.richtext import to_html
from intranet.auth import redirect
from intranet.binder_pages import base_context, load_page
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form
from intranet.guard import current_user, require
from intranet.i18n import _
from intranet.templating import render, when

def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 7 else None


# -- a new page --------------------------------------------------------------------------------
async def new_page(request: Request) -> Response:
    """A new page, saved as a draft."""
    require(request, "binder.edit")
    user = current_user(request)
    units = await run_in_threadpool(request.app.state.projections["directory"].view.units)
    units = [u for u in units if may(user, "binder.edit", Target(unit_id=parse_uuid(u["id"])))]
    context = base_context(request, values={"section": "guide"}, errors={}, units=units, forms=FORMS,
                           section_keys=SECTIONS, preview=None)
    if request.method == "GET":
        return render(request, "binder/new.html", context)
    form = await read_form(request)
    errors: dict[str, str] = {}
    section = form.get("section", "")
    level = _int(form.get("level")) if section == "guide" else None
    kind = (form.get("form") or None) if section == "template" else None
    unit_id = parse_uuid(form.get("unit_id")) if section == "unit_info" else None
    if section == "unit_info" and unit_id is None:
        errors["unit_id"] = _("Velg enheten siden handler om.")
    elif not may(user, "binder.edit", Target(unit_id=unit_id)):
        errors["unit_id"] = _("Du kan bare skrive informasjonssiden for din egen enhet.")
    if not errors and "preview" not in form:
        try:
            await run_in_threadpool(request.app.state.domain.create_page, form.get("slug", "").strip(), section,
                                    form.get("title", "").strip(), form.get("body", ""), level, kind, unit_id)
        except InvalidPage as e:
            errors = field_errors(e)
    if errors or "preview" in form:
        context.update(values=form, errors=errors, preview=Markup(to_html(form.get("body", ""))))
        return render(request, "binder/new.html", context, status_code=422 if errors else 200)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{form['slug'].strip()}")


# -- editing -------------------------------------------------------------------------------------
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
    domain = request.app.state.domain
    try:
        await run_in_threadpool(domain.edit_page, page.slug, form.get("title", "").strip(), form.get("body", ""),
                                form.get("note", "").strip(), _int(form.get("revision")) or 0)
    except PageChanged:
        newest = await run_in_threadpool(domain.get_page, page.slug)
        at, by = newest.moment(newest.latest["version"])
        names = await run_in_threadpool(request.app.state.names.users, [by])
        context["conflict"] = _("%(who)s lagret en ny versjon %(when)s, etter at du åpnet siden. "
                                "Teksten din er beholdt nedenfor. Se historikken, og lagre igjen hvis den skal gjelde.") % {
            "who": names.get(by) or _("Noen"), "when": when(at)}
        context["values"]["revision"] = str(newest.latest["no"])
        return render(request, "binder/edit.html", context, status_code=409)
    except InvalidPage as e:
        context["errors"] = field_errors(e)
        return render(request, "binder/edit.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{page.slug}")


# -- history, compare, restore, publish ------------------------------------------------------------
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
    to_no = _int(request.query_params.get("til")) or newest
    from_no = _int(request.query_params.get("fra")) or max(1, to_no - 1)
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
    if action not in ("publiser", "avpubliser", "gjenopprett"):
        raise HTTPException(404)
    page = await load_page(request, "binder.edit")
    form = await read_form(request)
    domain = request.app.state.domain
    try:
        if action == "publiser":
            await run_in_threadpool(domain.publish_page, page.slug)
        elif action == "avpubliser":
            await run_in_threadpool(domain.unpublish_page, page.slug)
        else:
            await run_in_threadpool(domain.restore_page, page.slug, _int(form.get("no")) or 0,
                                    _int(form.get("revision")) or 0)
    except PageChanged:
        page = await run_in_threadpool(domain.get_page, page.slug)
        return await _history(request, page, {"_form": _("Siden har fått en ny versjon siden du åpnet den. "
                                                          "Se over historikken og prøv igjen.")}, 409)
    except InvalidPage as e:
        page = await run_in_threadpool(domain.get_page, page.slug)
        return await _history(request, page, field_errors(e), 422)
    request.app.state.projections.wait()
    return redirect(request, f"/perm/{page.slug}/historikk" if action == "gjenopprett" else f"/perm/{page.slug}")

