"""Reports to barnevernet and referrals to PPT and BUP: draft, send, follow up,
print and export. Every print and export is recorded as an access event."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import bekymringsmelding, clock
from events.consents import best_consent_for
from events.policy import Target
from events.referrals import KINDS, ConsentMissing, InvalidReferral
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.concerns import named
from intranet.error_messages import run_command
from intranet.forms import read_form
from intranet.guard import current_user, require
from intranet.records import (
    Record, Shown, find_record, load_record, may_do, permitted, show, show_record, shown_now,
)
from intranet.i18n import N_, _
from intranet.templating import render

FIELD_NAMES = {
    "reporter_name": N_("Navn på melder"), "reporter_role": N_("Rolle"), "reporter_phone": N_("Telefon"),
    "reporter_email": N_("E-post"), "message": N_("Bekymringen"),
    "not_informed_reason": N_("Hvorfor foresatte ikke er orientert"),
    "reason": N_("Henvisningsgrunn"), "tried": N_("Hva er prøvd"), "guardians_view": N_("Foresattes syn"),
    "child_address": N_("Barnets adresse"), "siblings": N_("Søsken"), "child": N_("Barnet"),
    "guardians": N_("Foresatte"), "municipality": N_("Kommunenummer (settes av administrator under Enheter)"),
    "unit_address": N_("Enhetens adresse (settes av administrator under Enheter)"),
}
SIBLING_KEYS = ("name", "national_id", "not_informed_reason", "street", "postcode", "place")


def fields_from_form(kind: str, form: dict[str, str], old: dict[str, Any]) -> dict[str, Any]:
    fields = dict(old)
    for key in ("reporter_name", "reporter_role", "reporter_phone", "reporter_email", "interpreter",
                "other_services", "message", "history", "other_views", "reason", "tried",
                "guardians_view", "child_view", "child_not_informed_reason", "child_words"):
        if key in form:
            fields[key] = form[key].strip()
    if kind == "barnevern":
        fields["child_informed"] = form.get("child_informed") == "1"
        fields["guardians"] = [
            {"name": g["name"], "phone": form.get(f"g{i}_phone", g.get("phone", "")).strip(),
             "informed": form.get(f"g{i}_informed") == "1",
             "not_informed_reason": form.get(f"g{i}_reason", "").strip()}
            for i, g in enumerate(old.get("guardians", []))
        ]
        if "ca_street" in form:
            fields["child_address"] = {k: form.get(f"ca_{k}", "").strip() for k in ("street", "postcode", "place")}
        if "s0_name" in form:
            home = fields.get("child_address") or {}
            # A sibling without an address of its own is shown, and sent, at the child's.
            fields["siblings"] = [s if s["address"]["street"] else {**s, "address": dict(home)}
                                  for s in siblings_from_form(form)]
    return fields


def siblings_from_form(form: dict[str, str]) -> list[dict[str, Any]]:
    """The siblings' rows (s0_…, s1_…): the last is blank for a new one, and is
    left out while every field of it is empty; a row marked for removal goes."""
    siblings, i = [], 0
    while f"s{i}_name" in form:
        row = {k: form.get(f"s{i}_{k}", "").strip() for k in SIBLING_KEYS}
        if form.get(f"s{i}_remove") != "1" and any(row.values()):
            siblings.append({"name": row["name"], "national_id": row["national_id"],
                             "unborn": form.get(f"s{i}_unborn") == "1", "informed": form.get(f"s{i}_informed") == "1",
                             "not_informed_reason": row["not_informed_reason"],
                             "address": {k: row[k] for k in ("street", "postcode", "place")}})
        i += 1
    return siblings


SHOWN = ["referral", "child.name", "child.guardians"]


def page_reads(request: Request, record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    """The referral page: the draft, the consent that covers it, and what the user may do."""
    referral = record.value
    consent, coverage = (None, None)
    if referral.needs_consent:
        consents = request.app.state.domain.consents_of(referral.child_id)
        consent, coverage = best_consent_for(consents, referral.kind, clock.today())
    context = {
        "referral": referral, "concern": record.related["concern"], "child": record.child, "labels": labels,
        "today": clock.today(), "consent": consent, "coverage": coverage, "errors": {}, "values": {},
        "draft": referral.fields, "may_send": may_do(request, "referral.send", record), "field_names": FIELD_NAMES,
        **more,
    }
    return context, Shown([referral.child_id], SHOWN)


async def create(request: Request) -> Response:
    """Start a report or referral from a concern, filled in from its record."""
    record = await load_record(request, "concern", "referral.create")
    kind = (await read_form(request)).get("kind", "")
    if kind not in KINDS:
        raise HTTPException(400)
    referral_id = await run_in_threadpool(
        request.app.state.domain.draft_referral, record.value.id, kind, current_user(request).id)
    request.app.state.projections.wait()
    return redirect(request, f"/henvisninger/{referral_id}")


async def referral_page(request: Request) -> Response:
    """One report or referral: the draft, the consent check, sending, and follow-up."""
    return await show_record(request, "referral", "referral.view", "referrals/page.html",
                             lambda record: page_reads(request, record))


# action in the URL -> permission (the policy picks which kind of sending)
ACTIONS = {"lagre": "referral.edit", "send": "referral.send", "mottatt": "referral.edit",
           "tilbakemelding": "referral.edit", "avslutt": "referral.edit"}


async def referral_action(request: Request) -> Response:
    """Save the draft, send, confirm receipt, record feedback, or close."""
    action = request.path_params["action"]
    if action not in ACTIONS:
        raise HTTPException(404)
    record = await load_record(request, "referral", ACTIONS[action])
    form = await read_form(request)
    command, args, errors = parse_action(action, form, record.value)
    if not errors:
        errors = await run_in_threadpool(run_command, request.app.state.domain, command, record.value.id, *args,
                                         refused=(ConsentMissing, InvalidReferral))
    if errors:
        # The draft form shows what was typed, not what is stored.
        typed = fields_from_form(record.value.kind, form, record.value.fields) if action == "lagre" else record.value.fields
        return await show_record(request, "referral", "referral.view", "referrals/page.html",
                                 lambda again: page_reads(request, again, errors=errors, values=form, draft=typed),
                                 status_code=422)
    request.app.state.projections.wait()
    anchor = "#sosken" if action == "lagre" and form.get("then") == "sibling" else ""
    return redirect(request, f"/henvisninger/{record.value.id}{anchor}")


def parse_action(action: str, form: dict[str, str], referral) -> tuple[str, tuple, dict[str, str]]:
    """The named command and its arguments for a posted form, or field errors."""
    if action == "lagre":
        return "update_referral", (fields_from_form(referral.kind, form, referral.fields),), {}
    if action == "avslutt":
        return "close_referral", (form.get("reason", ""),), {}
    on = parse_date(form.get("on", ""))
    if action == "send":
        if on is None:
            return "", (), {"on": _("Skriv datoen den ble sendt.")}
        if on > clock.today():
            return "", (), {"on": _("Datoen kan ikke være fram i tid.")}
        return "send_referral", (on, form.get("channel", "")), {}
    if action == "mottatt":
        if on is None:
            return "", (), {"receipt_on": _("Skriv datoen mottaket ble bekreftet.")}
        return "confirm_referral_receipt", (on,), {}
    if on is None:
        return "", (), {"feedback_on": _("Skriv datoen for tilbakemeldingen.")}
    opened = {"ja": True, "nei": False}.get(form.get("opened", ""))
    return "record_referral_feedback", (on, opened, form.get("feedback", "")), {}


def _printed(request: Request, record: Record, action: str, **more: Any) -> tuple[dict[str, Any], Shown]:
    domain = request.app.state.domain
    context = {"referral": record.value, "child": record.child, "labels": labels,
               "concern": record.related["concern"], "unit": domain.get_unit(record.value.unit_id),
               "kommune": domain.municipality(), **more}
    return context, Shown([record.value.child_id], SHOWN, action=action)


async def printable(request: Request) -> Response:
    """A printable version, recorded as a print of the child's data."""
    return await show_record(request, "referral", "referral.view", "referrals/print.html",
                             lambda record: _printed(request, record, "print"))


async def export(request: Request) -> Response:
    """A report to barnevernet as KS' offentlig.bekymringsmelding.v2 JSON, recorded
    as an export; refused, with what to fix, unless it follows KS' schema."""

    def reads() -> tuple[dict[str, Any], Shown]:
        record = find_record(request, "referral", "referral.view")
        if record.value.kind != "barnevern":
            raise HTTPException(404)
        document = request.app.state.domain.report_document(record.value.id, datetime.now(timezone.utc))
        found = bekymringsmelding.problems(document)
        if found:
            return page_reads(request, record, errors={"_form": export_refusal(found)}, problems=found)
        return _printed(request, record, "export", body=document)

    context = await run_in_threadpool(shown_now, request, reads)
    if "body" not in context:
        return render(request, "referrals/page.html", context, status_code=422)
    return Response(json.dumps(context["body"], ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="bekymringsmelding.json"'})


def export_refusal(found: list[bekymringsmelding.Problem]) -> str:
    names = dict.fromkeys(_(FIELD_NAMES[p.field]) if p.field in FIELD_NAMES else p.path for p in found)
    return _("Eksporten følger ikke KS' skjema ennå. Rett dette og lagre: %(fields)s.") % {"fields": ", ".join(names)}


async def reconciliation(request: Request) -> Response:
    """For the unit leader: every report sent and never confirmed, with the overdue ones first."""
    user = current_user(request)
    require(request, "referrals.reconcile", Target(unit_id=user.unit_id))
    return await show(request, "referrals/reconciliation.html", lambda: _unconfirmed(request, user.unit_id))


def _unconfirmed(request: Request, unit_id: UUID) -> tuple[dict[str, Any], Shown]:
    today = clock.today()
    rows = named(request, permitted(request, "referral", "referral.view",
                                    request.app.state.projections["referrals"].view.unconfirmed(unit_id)))
    for row in rows:
        row["overdue"] = bool(row["confirmation_due"]) and row["confirmation_due"] < today.isoformat()
    rows.sort(key=lambda r: (not r["overdue"], r["sent_on"] or ""))
    context = {"rows": rows, "labels": labels, "today": today, "active": "referrals"}
    return context, Shown([UUID(r["child_id"]) for r in rows], ["referral.list", "child.name"])


routes = [
    Route("/henvisninger", reconciliation, name="reconciliation"),
    Route("/bekymringer/{concern_id}/henvisning", create, methods=["POST"], name="new_referral"),
    Route("/henvisninger/{referral_id}", referral_page, name="referral"),
    Route("/henvisninger/{referral_id}/utskrift", printable, name="print_referral"),
    Route("/henvisninger/{referral_id}/eksport", export, name="export_referral"),
    Route("/henvisninger/{referral_id}/{action}", referral_action, methods=["POST"], name="referral_action"),
]
