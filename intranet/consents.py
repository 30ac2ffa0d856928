"""Recording guardians' consent (samtykke), its withdrawal, and the printable form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.consents import CHILD_CONSENTS_FROM_15, INFORMATION, SERVICES, InvalidConsent
from events.policy import Target
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import parse_uuid, read_form, read_multi
from intranet.guard import current_user, found, record_access, require
from intranet.i18n import _
from intranet.templating import render



async def load_child(request: Request, child_id_text: str, action: str):
    child_id = parse_uuid(child_id_text)
    if child_id is None:
        raise HTTPException(404, "record")
    with found(request):
        child = await run_in_threadpool(request.app.state.domain.get_child, child_id)
    require(request, action, Target.child(child), record=True)
    return child


async def load_consent(request: Request, action: str):
    consent_id = parse_uuid(request.path_params["consent_id"])
    if consent_id is None:
        raise HTTPException(404, "record")
    domain = request.app.state.domain
    with found(request):
        consent = await run_in_threadpool(domain.get_consent, consent_id)
        child = await run_in_threadpool(domain.get_child, consent.child_id)
    require(request, action, Target(unit_id=consent.unit_id, record_ids=(consent.id, consent.child_id),
                                    restricted=child.restricted), record=True)
    return consent


def signer_choices(child, on: date) -> list[tuple[str, str]]:
    """Who can sign: the guardians, and the child from 15."""
    choices = [(g["name"], (_("%(name)s (%(relation)s, foreldreansvar)") if g.get("parental_responsibility")
                            else _("%(name)s (%(relation)s)")) % {"name": g["name"], "relation": g["relation"]})
               for g in child.guardians]
    if child.age_on(on) >= 15:
        choices.append((child.name, _("%(name)s (barnet, %(age)s år)") % {"name": child.name, "age": child.age_on(on)}))
    return choices


def parse_consent(form: dict[str, str], services: list[str], information: list[str], signers: list[str]):
    errors: dict[str, str] = {}
    decision = form.get("decision", "")
    if decision not in ("given", "refused"):
        errors["decision"] = _("Velg om samtykket ble gitt eller nektet.")
    valid_from = parse_date(form.get("valid_from", ""))
    valid_until = parse_date(form.get("valid_until", ""))
    if valid_from is None:
        errors["valid_from"] = _("Skriv en gyldig dato.")
    if valid_until is None:
        errors["valid_until"] = _("Skriv en gyldig dato.")
    other = form.get("other_signatory", "").strip()
    names = signers + ([other] if other else [])
    oral = form.get("oral") == "1"
    signatories = [{"name": n, "method": "muntlig" if oral else "skriftlig"} for n in names]
    parsed = {
        "decision": decision, "services": [s for s in services if s in SERVICES],
        "information": [i for i in information if i in INFORMATION],
        "purpose": form.get("purpose", "").strip(), "valid_from": valid_from, "valid_until": valid_until,
        "signatories": signatories, "exclusions": form.get("exclusions", "").strip(), "oral": oral,
        "minutes": form.get("minutes", "").strip(),
    }
    return parsed, errors


async def new_consent(request: Request) -> Response:
    """Record a consent, or a refusal, with its scope."""
    child = await load_child(request, request.path_params["child_id"], "consent.record")
    user = current_user(request)
    today = clock.today()
    context: dict[str, Any] = {
        "child": child, "labels": labels, "signers": signer_choices(child, today),
        "child_from_15": CHILD_CONSENTS_FROM_15, "errors": {},
        "values": {"valid_from": today.isoformat(), "valid_until": (today + timedelta(days=365)).isoformat(),
                   "decision": "given", "services": [], "information": [], "signers": []},
    }
    if request.method == "GET":
        await record_access(request, [child.id], ["child.name", "child.guardians"], reason="samtykke")
        return render(request, "consents/new.html", context)
    form = await read_form(request)
    services = await read_multi(request, "services")
    information = await read_multi(request, "information")
    signers = await read_multi(request, "signers")
    parsed, errors = parse_consent(form, services, information, signers)
    if not errors:
        try:
            consent_id = await run_in_threadpool(
                request.app.state.domain.record_consent, child.id, parsed["decision"], parsed["services"],
                parsed["information"], parsed["purpose"], parsed["valid_from"], parsed["valid_until"],
                parsed["signatories"], parsed["exclusions"], parsed["oral"], parsed["minutes"], user.id,
            )
        except InvalidConsent as e:
            errors = field_errors(e)
    if errors:
        context["values"] = {**form, "services": services, "information": information, "signers": signers}
        context["errors"] = errors
        await record_access(request, [child.id], ["child.name", "child.guardians"], reason="samtykke")
        return render(request, "consents/new.html", context, status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/samtykker/{consent_id}")


async def consent_page(request: Request) -> Response:
    """One consent: its scope, who signed, withdrawals, and a form to withdraw."""
    consent = await load_consent(request, "consent.view")
    child = await run_in_threadpool(request.app.state.domain.get_child, consent.child_id)
    await record_access(request, [consent.child_id], ["consent", "child.name"])
    return render(request, "consents/page.html", {"consent": consent, "child": child, "labels": labels,
                                                  "today": clock.today(), "errors": {}, "values": {}})


async def withdraw(request: Request) -> Response:
    """Withdraw a consent, fully or for some services; it takes effect at once."""
    consent = await load_consent(request, "consent.record")
    user = current_user(request)
    form = await read_form(request)
    services = await read_multi(request, "services")
    errors = {}
    if not form.get("reason", "").strip():
        errors["reason"] = _("Skriv hvem som trakk samtykket, og hvordan (skriftlig, muntlig).")
    else:
        try:
            await run_in_threadpool(request.app.state.domain.withdraw_consent, consent.id, services,
                                    form["reason"], clock.today(), user.id)
        except InvalidConsent as e:
            errors = field_errors(e)
    if errors:
        child = await run_in_threadpool(request.app.state.domain.get_child, consent.child_id)
        await record_access(request, [consent.child_id], ["consent", "child.name"])
        return render(request, "consents/page.html", {"consent": consent, "child": child, "labels": labels,
                      "today": clock.today(), "errors": errors, "values": form}, status_code=422)
    return redirect(request, f"/samtykker/{consent.id}")


async def printable(request: Request) -> Response:
    """The consent form in the user's language, filled in from the record, for signature."""
    consent = await load_consent(request, "consent.view")
    domain = request.app.state.domain
    child = await run_in_threadpool(domain.get_child, consent.child_id)
    unit = await run_in_threadpool(domain.get_unit, consent.unit_id)
    await record_access(request, [consent.child_id], ["consent", "child.name", "child.guardians"], action="print")
    return render(request, "consents/print.html", {"consent": consent, "child": child, "unit": unit,
                                                   "labels": labels})


routes = [
    Route("/barn/{child_id}/samtykke", new_consent, methods=["GET", "POST"], name="new_consent"),
    Route("/samtykker/{consent_id}", consent_page, name="consent"),
    Route("/samtykker/{consent_id}/trekk", withdraw, methods=["POST"], name="withdraw_consent"),
    Route("/samtykker/{consent_id}/utskrift", printable, name="print_consent"),
]
