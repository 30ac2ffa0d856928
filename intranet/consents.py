"""Recording guardians' consent (samtykke), its withdrawal, and the printable form."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from events import clock
from events.consents import CHILD_CONSENTS_FROM_15, INFORMATION, SERVICES, InvalidConsent
from intranet import labels
from intranet.auth import redirect
from intranet.concern_forms import parse_date
from intranet.error_messages import field_errors
from intranet.forms import read_form, read_multi
from intranet.guard import current_user
from intranet.i18n import _
from intranet.records import Record, Shown, load_record, show_record



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
    for name, value in (("valid_from", valid_from), ("valid_until", valid_until)):
        if value is None:
            errors[name] = _("Skriv datoen.") if not form.get(name, "").strip() else _("Skriv en gyldig dato.")
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


def _form(request: Request, record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    """The consent form for the child, with who can sign."""
    child, today = record.value, clock.today()
    context: dict[str, Any] = {
        "child": child, "labels": labels, "signers": signer_choices(child, today),
        "child_from_15": CHILD_CONSENTS_FROM_15, "errors": {},
        "values": {"valid_from": today.isoformat(), "valid_until": (today + timedelta(days=365)).isoformat(),
                   "decision": "given", "services": [], "information": [], "signers": []},
        **more,
    }
    return context, Shown([child.id], ["child.name", "child.guardians"], reason="samtykke")


async def new_consent(request: Request) -> Response:
    """Record a consent, or a refusal, with its scope."""
    if request.method == "GET":
        return await show_record(request, "child", "consent.record", "consents/new.html",
                                 lambda record: _form(request, record))
    record = await load_record(request, "child", "consent.record")
    form = await read_form(request)
    chosen = {name: await read_multi(request, name) for name in ("services", "information", "signers")}
    parsed, errors = parse_consent(form, chosen["services"], chosen["information"], chosen["signers"])
    if not errors:
        consent_id, errors = await run_in_threadpool(_record, request, record.value, parsed)
    if errors:
        return await show_record(request, "child", "consent.record", "consents/new.html",
                                 lambda again: _form(request, again, values={**form, **chosen}, errors=errors),
                                 status_code=422)
    request.app.state.projections.wait()
    return redirect(request, f"/samtykker/{consent_id}")


def _record(request: Request, child, parsed: dict[str, Any]):
    """Record the consent: (its id, no errors) or (None, field errors)."""
    try:
        return request.app.state.domain.record_consent(child.id, recorded_by=current_user(request).id, **parsed), {}
    except InvalidConsent as e:
        return None, field_errors(e)


def _consent(record: Record, **more: Any) -> tuple[dict[str, Any], Shown]:
    context = {"consent": record.value, "child": record.child, "labels": labels, "today": clock.today(),
               "errors": {}, "values": {}, **more}
    return context, Shown([record.value.child_id], ["consent", "child.name"])


async def consent_page(request: Request) -> Response:
    """One consent: its scope, who signed, withdrawals, and a form to withdraw."""
    return await show_record(request, "consent", "consent.view", "consents/page.html", _consent)


async def withdraw(request: Request) -> Response:
    """Withdraw a consent, fully or for some services; it takes effect at once."""
    record = await load_record(request, "consent", "consent.record")
    form = await read_form(request)
    services = await read_multi(request, "services")
    errors = await run_in_threadpool(_withdraw, request, record.value.id, services, form.get("reason", "").strip())
    if errors:
        return await show_record(request, "consent", "consent.record", "consents/page.html",
                                 lambda again: _consent(again, errors=errors, values=form), status_code=422)
    return redirect(request, f"/samtykker/{record.value.id}")


def _withdraw(request: Request, consent_id, services: list[str], reason: str) -> dict[str, str]:
    if not reason:
        return {"reason": _("Skriv hvem som trakk samtykket, og hvordan (skriftlig, muntlig).")}
    try:
        request.app.state.domain.withdraw_consent(consent_id, services, reason, clock.today(),
                                                  current_user(request).id)
    except InvalidConsent as e:
        return field_errors(e)
    return {}


def _printed(request: Request, record: Record) -> tuple[dict[str, Any], Shown]:
    consent = record.value
    context = {"consent": consent, "child": record.child, "labels": labels,
               "unit": request.app.state.domain.get_unit(consent.unit_id)}
    return context, Shown([consent.child_id], ["consent", "child.name", "child.guardians"], action="print")


async def printable(request: Request) -> Response:
    """The consent form in the user's language, filled in from the record, for signature."""
    return await show_record(request, "consent", "consent.view", "consents/print.html",
                             lambda record: _printed(request, record))


routes = [
    Route("/barn/{child_id}/samtykke", new_consent, methods=["GET", "POST"], name="new_consent"),
    Route("/samtykker/{consent_id}", consent_page, name="consent"),
    Route("/samtykker/{consent_id}/trekk", withdraw, methods=["POST"], name="withdraw_consent"),
    Route("/samtykker/{consent_id}/utskrift", printable, name="print_consent"),
]
