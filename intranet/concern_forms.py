"""Parsing the concern forms: strings in, typed values and field-keyed errors out,
in Norwegian. One function per form; the domain checks the rules again."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from events.concerns import CATEGORIES, MAX_TEXT, WORRY_LEVELS
from intranet.forms import parse_uuid

Parsed = tuple[dict[str, Any], dict[str, str]]

# Domain refusals that belong next to a field: (message, field, Norwegian text).
DOMAIN_MESSAGES = {
    "evaluation date is before the deadline": ("evaluate_on", "Evalueringsdatoen kan ikke være før fristen."),
    "the concern is already at that level": ("level", "Bekymringen er allerede på dette nivået."),
    "already has access": ("user_id", "Personen har allerede tilgang."),
    "the concern is closed; reopen it to change it": ("", "Bekymringen er avsluttet. Gjenåpne den for å endre den."),
    "the concern is open": ("", "Bekymringen er allerede åpen."),
    "observation date is in the future": ("observed_on", "Datoen kan ikke være fram i tid."),
    "date of the conversation is in the future": ("held_on", "Datoen kan ikke være fram i tid."),
}


def domain_error(message: str) -> dict[str, str]:
    field, text = DOMAIN_MESSAGES.get(message, ("", "Endringen kunne ikke lagres: " + message))
    return {field or "_form": text}


def parse_date(text: str) -> date | None:
    """ISO dates (from <input type=date>) and Norwegian dd.mm.yyyy."""
    text = (text or "").strip()
    try:
        if "." in text:
            day, month, year = (int(p) for p in text.split("."))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        return None


def _text(form: dict, name: str, errors: dict, label: str, required: bool = True) -> str:
    value = form.get(name, "").strip()
    if required and not value:
        errors[name] = f"{label} må fylles ut."
    elif len(value) > MAX_TEXT:
        errors[name] = f"{label} er for lang (høyst {MAX_TEXT} tegn)."
    return value


def _date(form: dict, name: str, errors: dict, label: str, past: bool = True) -> date | None:
    value = parse_date(form.get(name, ""))
    if value is None:
        errors[name] = f"{label}: skriv en gyldig dato (dd.mm.åååå)."
    elif past and value > date.today():
        errors[name] = f"{label} kan ikke være fram i tid."
    return value


def _number(form: dict, name: str) -> int | None:
    text = form.get(name, "")
    return int(text) if text.isdigit() and len(text) < 6 else None


def new_concern(form: dict[str, str], categories: list[str], unit_children: set[UUID]) -> Parsed:
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    choice = form.get("child_id", "")
    if choice == "new":
        parsed["new_child"] = {
            "first_name": _text(form, "new_first_name", errors, "Fornavn"),
            "last_name": _text(form, "new_last_name", errors, "Etternavn"),
            "birth_date": _date(form, "new_birth_date", errors, "Fødselsdato"),
        }
    else:
        child_id = parse_uuid(choice)
        if child_id is None or child_id not in unit_children:
            errors["child_id"] = "Velg barnet bekymringen gjelder, eller registrer et nytt barn."
        parsed["child_id"] = child_id
    parsed["observed_on"] = _date(form, "observed_on", errors, "Dato for observasjonen")
    parsed["observation"] = _text(form, "observation", errors, "Hva du har sett eller hørt")
    parsed["child_words"] = _text(form, "child_words", errors, "Barnets egne ord", required=False)
    chosen = [c for c in categories if c in CATEGORIES]
    if not chosen or len(chosen) != len(categories):
        errors["categories"] = "Velg minst én kategori."
    parsed["categories"] = chosen
    worry = _number(form, "worry")
    if worry not in WORRY_LEVELS:
        errors["worry"] = "Velg hvor bekymret du er."
    parsed["worry"] = worry
    return parsed, errors


def action(name: str, form: dict[str, str]) -> Parsed:
    """The fields of one change to a concern (see intranet/concerns.py ACTIONS)."""
    errors: dict[str, str] = {}
    p: dict[str, Any] = {}
    if name == "logg":
        p["observed_on"] = _date(form, "observed_on", errors, "Dato")
        p["text"] = _text(form, "text", errors, "Observasjonen")
        p["child_words"] = _text(form, "child_words", errors, "Barnets egne ord", required=False)
    elif name == "korriger":
        p["no"] = _number(form, "no")
        p["text"] = _text(form, "text", errors, "Korrigert tekst")
        p["child_words"] = _text(form, "child_words", errors, "Barnets egne ord", required=False)
        p["reason"] = _text(form, "reason", errors, "Grunnen til korrigeringen")
    elif name == "niva":
        p["level"] = _number(form, "level")
        if p["level"] not in (0, 1, 2, 3):
            errors["level"] = "Velg nivå 0–3."
        p["reason"] = _text(form, "reason", errors, "Begrunnelsen")
    elif name == "steg":
        p["step"] = form.get("step", "")
        p["done"] = form.get("done") == "1"
    elif name == "samtale":
        p["held_on"] = _date(form, "held_on", errors, "Dato for samtalen")
        p["participants"] = _text(form, "participants", errors, "Hvem som deltok")
        p["summary"] = _text(form, "summary", errors, "Referatet")
        p["child_heard"] = form.get("child_heard") == "1"
    elif name == "korriger-samtale":
        p["no"] = _number(form, "no")
        p["summary"] = _text(form, "summary", errors, "Korrigert referat")
        p["reason"] = _text(form, "reason", errors, "Grunnen til korrigeringen")
    elif name == "tiltak":
        p["measure"] = _text(form, "measure", errors, "Tiltaket")
        p["responsible"] = _text(form, "responsible", errors, "Ansvarlig")
        p["deadline"] = _date(form, "deadline", errors, "Frist", past=False)
        p["evaluate_on"] = _date(form, "evaluate_on", errors, "Evalueringsdato", past=False)
        if p["deadline"] and p["evaluate_on"] and p["evaluate_on"] < p["deadline"]:
            errors["evaluate_on"] = "Evalueringsdatoen kan ikke være før fristen."
    elif name == "evaluer":
        p["no"] = _number(form, "no")
        p["outcome"] = _text(form, "outcome", errors, "Resultatet")
    elif name in ("del", "fjern-deling"):
        p["user_id"] = parse_uuid(form.get("user_id"))
        if p["user_id"] is None:
            errors["user_id"] = "Velg en kollega."
    elif name in ("lukk", "gjenapne"):
        p["reason"] = _text(form, "reason", errors, "Begrunnelsen")
    return p, errors
