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

from events import clock
from events.consents import best_consent_for
from events.policy import Target, may
from events.referrals import KINDS, ConsentMissing, InvalidReferral
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.concerns import load_concern
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form
from intranet.guard import current_user, found, record_access, require
from intranet.i18n import N_, _
from intranet.templating import render

FIELD_NAMES = {
    "reporter_name": N_("Navn på melder"), "reporter_role": N_("Rolle"), "reporter_phone": N_("Telefon"),
    "reporter_email": N_("E-post"), "message": N_("Bekymringen"),
    "not_informed_reason": N_("Hvorfor foresatte ikke er orientert"),
    "reason": N_("Henvisningsgrunn"), "tried": N_("Hva er prøvd"), "guardians_view": N_("Foresattes syn"),
}


def prefill(domain, concern, user, kind: str) -> dict[str, Any]:
    """A draft filled in from what the record already says. This is the document's
    text, for a Norwegian recipient: it stays in Norwegian whatever the interface language."""
    child = domain.get_child(concern.child_id)
    author = domain.get_user(user.id)
    history = "\n".join(f"{e['observed_on']:%d.%m.%Y}: {e['text']}" for e in concern.entries)
    if kind == "barnevern":
        return {
            "reporter_name": author.name, "reporter_role": author.title, "reporter_phone": "",
            "reporter_email": "", "unit_name": domain.get_unit(concern.unit_id).name,
            "guardians": [{"name": g["name"], "phone": g.get("phone", ""), "informed": False,
                           "not_informed_reason": ""} for g in child.guardians_with_responsibility][:2],
            "child_informed": False, "child_not_informed_reason": "",
            "interpreter": "", "other_services": "", "message": concern.entries[0]["text"],
            "history": history, "other_views": "",
        }
    return {
        "reason": concern.entries[0]["text"], "history": history,
        "tried": "\n".join(f"{m['measure']} ({m['outcome'] or 'ikke evaluert'})" for m in concern.measures),
        "guardians_view": "\n".join(t["summary"] for t in concern.talks), "child_view": "",
    }


def fields_from_form(kind: str, form: dict[str, str], old: dict[str, Any]) -> dict[str, Any]:
    fields = dict(old)
    for key in ("reporter_name", "reporter_role", "reporter_phone", "reporter_email", "interpreter",
                "other_services", "message", "history", "other_views", "reason", "tried",
                "guardians_view", "child_view", "child_not_informed_reason"):
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
    return fields


async def load_referral(request: Request, action: str):
    referral_id = parse_uuid(request.path_params["referral_id"])
    if referral_id is None:
        raise HTTPException(404, "record")
    domain = request.app.state.domain
    with found(request):
        referral = await run_in_threadpool(domain.get_referral, referral_id)
        concern = await run_in_threadpool(domain.get_concern, referral.concern_id)
        child = await run_in_threadpool(domain.get_child, referral.child_id)
    target = Target(unit_id=referral.unit_id, author_id=referral.author_id,
                    shared_with=(concern.author_id, *concern.shared_with),
                    record_ids=(referral.id, concern.id, referral.child_id), restricted=child.restricted)
    if action == "referral.send":
        action = "referral.send_report" if referral.kind == "barnevern" else "referral.send_referral"
    require(request, action, target, record=True)
    return referral, concern, target


def page_context(request: Request, referral, concern, target) -> dict[str, Any]:
    domain = request.app.state.domain
    child = domain.get_child(referral.child_id)
    consent, coverage = (None, None)
    if referral.needs_consent:
        consent, coverage = best_consent_for(domain.consents_of(referral.child_id), referral.kind, clock.today())
    send_action = "referral.send_report" if referral.kind == "barnevern" else "referral.send_referral"
    return {
        "referral": referral, "concern": concern, "child": child, "labels": labels, "today": clock.today(),
        "consent": consent, "coverage": coverage, "errors": {}, "values": {},
        "may_send": may(request.state.user, send_action, target), "field_names": FIELD_NAMES,
    }


async def create(request: Request) -> Response:
    """Start a report or referral from a concern, filled in from its record."""
    concern = await load_concern(request, "referral.create")
    user = current_user(request)
    form = await read_form(request)
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise HTTPException(400)
    domain = request.app.state.domain
    fields = await run_in_threadpool(prefill, domain, concern, user, kind)
    referral_id = await run_in_threadpool(domain.open_referral, concern.id, kind, user.id, fields)
    request.app.state.projections.wait()
    return redirect(request, f"/henvisninger/{referral_id}")


async def referral_page(request: Request) -> Response:
    """One report or referral: the draft, the consent check, sending, and follow-up."""
    referral, concern, target = await load_referral(request, "referral.view")
    context = await run_in_threadpool(page_context, request, referral, concern, target)
    await record_access(request, [referral.child_id], ["referral", "child.name", "child.guardians"])
    return render(request, "referrals/page.html", context)


async def referral_action(request: Request) -> Response:
    """Save the draft, send, confirm receipt, record feedback, or close."""
    action = request.path_params["action"]
    permission = {"lagre": "referral.edit", "send": "referral.send", "mottatt": "referral.edit",
                  "tilbakemelding": "referral.edit", "avslutt": "referral.edit"}.get(action)
    if permission is None:
        raise HTTPException(404)
    referral, concern, target = await load_referral(request, permission)
    form = await read_form(request)
    domain = request.app.state.domain
    errors: dict[str, str] = {}
    try:
        if action == "lagre":
            fields = fields_from_form(referral.kind, form, referral.fields)
            await run_in_threadpool(domain.update_referral, referral.id, fields)
        elif action == "send":
            on = parse_date(form.get("on", ""))
            if on is None:
                errors["on"] = _("Skriv datoen den ble sendt.")
            elif on > clock.today():
                errors["on"] = _("Datoen kan ikke være fram i tid.")
            else:
                await run_in_threadpool(domain.send_referral, referral.id, on, form.get("channel", ""))
        elif action == "mottatt":
            on = parse_date(form.get("on", ""))
            if on is None:
                errors["receipt_on"] = _("Skriv datoen mottaket ble bekreftet.")
            else:
                await run_in_threadpool(domain.confirm_referral_receipt, referral.id, on)
        elif action == "tilbakemelding":
            on = parse_date(form.get("on", ""))
            opened = {"ja": True, "nei": False}.get(form.get("opened", ""))
            if on is None:
                errors["feedback_on"] = _("Skriv datoen for tilbakemeldingen.")
            else:
                await run_in_threadpool(domain.record_referral_feedback, referral.id, on, opened,
                                        form.get("feedback", ""))
        else:
            await run_in_threadpool(domain.close_referral, referral.id, form.get("reason", ""))
    except (ConsentMissing, InvalidReferral) as e:
        errors = field_errors(e)
    if errors:
        referral = await run_in_threadpool(domain.get_referral, referral.id)
        context = await run_in_threadpool(page_context, request, referral, concern, target)
        context.update(errors=errors, values=form)
        await record_access(request, [referral.child_id], ["referral", "child.name", "child.guardians"])
        return render(request, "referrals/page.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/henvisninger/{referral.id}")


async def printable(request: Request) -> Response:
    """A printable version, recorded as a print of the child's data."""
    referral, concern, target = await load_referral(request, "referral.view")
    domain = request.app.state.domain
    child = await run_in_threadpool(domain.get_child, referral.child_id)
    await record_access(request, [referral.child_id], ["referral", "child.name", "child.guardians"], action="print")
    return render(request, "referrals/print.html", {"referral": referral, "child": child, "labels": labels,
                                                    "concern": concern})


async def export(request: Request) -> Response:
    """A report to barnevernet as Fiks bekymringsmelding v2 JSON, recorded as an export."""
    referral, concern, target = await load_referral(request, "referral.view")
    if referral.kind != "barnevern":
        raise HTTPException(404)
    domain = request.app.state.domain
    child = await run_in_threadpool(domain.get_child, referral.child_id)
    await record_access(request, [referral.child_id], ["referral", "child.name", "child.guardians"], action="export")
    body = fiks_v2(referral, child, request.app.state.settings.municipality)
    return Response(json.dumps(body, ensure_ascii=False, indent=2), media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="bekymringsmelding.json"'})


def fiks_v2(referral, child, municipality: str) -> dict[str, Any]:
    """The fields of the national digital report (offentlig.bekymringsmelding.v2)."""
    f = referral.fields
    return {
        "kommunenavn": municipality,
        "offentligMelder": {"personnavn": f.get("reporter_name", ""), "rolle": f.get("reporter_role", ""),
                            "telefonnummer": f.get("reporter_phone", ""), "epost": f.get("reporter_email", ""),
                            "virksomhet": {"navn": f.get("unit_name", "")}},
        "offentligBarn": [{"fnr": child.national_id, "ufoedt": False, "personnavn": child.name,
                           "orientert": bool(f.get("child_informed")),
                           "orientertGrunn": f.get("child_not_informed_reason", "")}],
        "foresatte": [{"personnavn": g["name"], "telefonnummer": g.get("phone", ""), "orientert": g["informed"],
                       "orientertGrunn": g.get("not_informed_reason", "")} for g in f.get("guardians", [])],
        "behovForTolk": f.get("interpreter", ""),
        "andreHjelpeinstanser": f.get("other_services", ""),
        "melding": {"melding": f.get("message", ""), "historie": f.get("history", ""),
                    "andreSynspunkter": f.get("other_views", "")},
        "sendingstidspunkt": datetime.now(timezone.utc).isoformat(),
        "leveringskanal": referral.channel or "utkast",
    }


async def reconciliation(request: Request) -> Response:
    """For the unit leader: every report sent and never confirmed, with the overdue ones first."""
    user = current_user(request)
    require(request, "referrals.reconcile", Target(unit_id=user.unit_id))
    view = request.app.state.projections["referrals"].view
    directory = request.app.state.projections["directory"]
    today = clock.today()

    def load():
        rows = view.unconfirmed(user.unit_id)
        for row in rows:
            row["child_name"] = directory.child_name(UUID(row["child_id"])) or _("(slettet)")
            row["overdue"] = bool(row["confirmation_due"]) and row["confirmation_due"] < today.isoformat()
        rows.sort(key=lambda r: (not r["overdue"], r["sent_on"] or ""))
        return rows

    rows = await run_in_threadpool(load)
    await record_access(request, [UUID(r["child_id"]) for r in rows], ["referral.list", "child.name"])
    return render(request, "referrals/reconciliation.html", {"rows": rows, "labels": labels, "today": today,
                                                             "active": "referrals"})


routes = [
    Route("/henvisninger", reconciliation, name="reconciliation"),
    Route("/bekymringer/{concern_id}/henvisning", create, methods=["POST"], name="new_referral"),
    Route("/henvisninger/{referral_id}", referral_page, name="referral"),
    Route("/henvisninger/{referral_id}/utskrift", printable, name="print_referral"),
    Route("/henvisninger/{referral_id}/eksport", export, name="export_referral"),
    Route("/henvisninger/{referral_id}/{action}", referral_action, methods=["POST"], name="referral_action"),
]
