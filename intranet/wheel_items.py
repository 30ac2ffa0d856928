"""The yearly wheel's items: adding one, reading one with its history, changing
and removing it. The kommunalsjef edits the municipal wheel, a unit's leader
her unit's (events/policy.py `wheel.edit`)."""

from __future__ import annotations

from typing import Any
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events.policy import Target
from events.wheel import InvalidWheelItem, WheelItem, WheelItemChanged
from intranet.auth import redirect
from intranet.calendar import ITEM_KINDS, MONTHS, REPEAT_NAMES, unit_names
from intranet.error_messages import field_errors
from intranet.forms import form_version, parse_int, read_form
from intranet.guard import current_user, require
from intranet.i18n import N_, _
from intranet.records import load_record, may_do
from intranet.templating import render
from intranet.wheel_sources import editable_wheel

FIELD_NAMES = {"title": N_("tittel"), "month": N_("måned"), "day": N_("dag"), "year": N_("år"),
               "starts_at": N_("klokkeslett"), "place": N_("sted"), "kind": N_("arena"),
               "description": N_("beskrivelse"), "repeat": N_("hvor ofte")}
EMPTY = {"title": "", "kind": "", "repeat": "yearly", "year": "", "month": "", "day": "", "starts_at": "",
         "place": "", "description": ""}


def parse_item(form: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The item's values from a posted form, and what cannot even be read."""
    errors = {}
    numbers: dict[str, int | None] = {}
    for name, low, high, message in (("month", 1, 12, _("Velg måned.")), ("day", 1, 31, _("Skriv en dag (1–31).")),
                                     ("year", 2000, 2100, _("Skriv et årstall (2000–2100)."))):
        text = form.get(name, "").strip()
        numbers[name] = parse_int(text, low, high) if text else None
        if text and numbers[name] is None:
            errors[name] = message
    repeat = form.get("repeat", "")
    values = {"title": form.get("title", "").strip(), "month": numbers["month"], "day": numbers["day"],
              # An item every year has no year, whatever the field still holds.
              "year": numbers["year"] if repeat == "once" else None,
              "starts_at": form.get("starts_at", "").strip(), "place": form.get("place", "").strip(),
              "kind": form.get("kind", ""), "description": form.get("description", "").strip(), "repeat": repeat}
    return values, errors


def form_context(request: Request, values: dict[str, Any], errors: dict[str, str], **more: Any) -> dict[str, Any]:
    return {"values": {k: "" if v is None else str(v) for k, v in values.items()}, "errors": errors,
            "item_kinds": ITEM_KINDS, "repeats": REPEAT_NAMES, "months": [(str(n), _(m)) for n, m in
                                                                         enumerate(MONTHS, 1)],
            "active": "calendar", **more}


async def new_item(request: Request) -> Response:
    """Add an item to the wheel the user edits: the municipality's, or her unit's."""
    user = current_user(request)
    edits, unit_id = editable_wheel(user)
    require(request, "wheel.edit", Target.wheel(unit_id) if edits else None)
    names = await run_in_threadpool(unit_names, request, (unit_id,))
    wheel = names.get(unit_id, "") if unit_id else ""
    if request.method == "GET":
        values = {**EMPTY, "month": str(parse_int(request.query_params.get("maned", ""), 1, 12) or "")}
        return render(request, "wheel/new.html", form_context(request, values, {}, wheel=wheel))
    form = await read_form(request)
    values, errors = parse_item(form)
    if not errors:
        try:
            item_id = await run_in_threadpool(request.app.state.domain.add_wheel_item, unit_id, **values)
        except InvalidWheelItem as refused:
            errors = field_errors(refused)
        else:
            request.app.state.projections.wait()
            return redirect(request, f"/arshjul/punkt/{item_id}")
    return render(request, "wheel/new.html", form_context(request, {**values, **_typed(form)}, errors, wheel=wheel),
                  status_code=422)


def _typed(form: dict[str, str]) -> dict[str, str]:
    """What the user typed into the number fields, kept as typed beside their error."""
    return {name: form.get(name, "") for name in ("month", "day", "year")}


def item_context(request: Request, item: WheelItem, editable: bool) -> dict[str, Any]:
    """The item, its history with who did what, and the wheel it is on (in the threadpool)."""
    names = request.app.state.names
    history = [{**h, "fields": ", ".join(_(FIELD_NAMES[f]) for f in h["fields"])} for h in item.history]
    return {"item": item, "history": history, "people": names.users(h["by"] for h in item.history),
            "wheel": names.unit(item.unit_id) if item.unit_id else "", "editable": editable and not item.removed,
            "month_name": _(MONTHS[item.month - 1])}


async def item_page(request: Request) -> Response:
    """One item of a wheel, its history, and for its editor the form to change or remove it."""
    record = await load_record(request, "wheel_item", "wheel.view")
    item = record.value
    if request.method == "GET":
        context = await run_in_threadpool(item_context, request, item, may_do(request, "wheel.edit", record))
        return render(request, "wheel/item.html", {**form_context(request, item.values, {}), **context})
    require(request, "wheel.edit", record.target, record=True)
    form = await read_form(request)
    values, errors = parse_item(form)
    status = 422
    if not errors:
        try:
            await run_in_threadpool(request.app.state.domain.change_wheel_item, item.id, form_version(form), **values)
        except WheelItemChanged as refused:
            errors, status = field_errors(refused), 409
        except InvalidWheelItem as refused:
            errors = field_errors(refused)
        else:
            request.app.state.projections.wait()
            return redirect(request, f"/arshjul/punkt/{item.id}")
    if status == 409:  # show the newest version's history, with the user's text kept in the form
        item = await run_in_threadpool(request.app.state.domain.get_wheel_item, item.id)
    context = await run_in_threadpool(item_context, request, item, True)
    return render(request, "wheel/item.html", {**form_context(request, {**values, **_typed(form)}, errors),
                                               **context}, status_code=status)


async def remove_item(request: Request) -> Response:
    """Take an item off the wheel; its history stays."""
    record = await load_record(request, "wheel_item", "wheel.edit")
    if request.method == "GET":  # a reload after posting: the item's page has the button
        return redirect(request, f"/arshjul/punkt/{record.value.id}")
    await read_form(request)
    try:
        await run_in_threadpool(request.app.state.domain.remove_wheel_item, record.value.id)
    except (InvalidWheelItem, WheelItemChanged):
        raise HTTPException(409, "wheel.changed") from None
    request.app.state.projections.wait()
    return redirect(request, "/arshjul")


routes = [
    Route("/arshjul/ny", new_item, methods=["GET", "POST"], name="wheel_new"),
    Route("/arshjul/punkt/{item_id}", item_page, methods=["GET", "POST"], name="wheel_item"),
    Route("/arshjul/punkt/{item_id}/fjern", remove_item, methods=["GET", "POST"], name="wheel_remove"),
]
