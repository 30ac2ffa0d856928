"""Parsing the concern forms: strings in, typed values and field-keyed errors out,
in the user's language. One function per form; the domain checks the rules again."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from events import clock
from events.concerns import CATEGORIES, MAX_TEXT, WORRY_LEVELS
from intranet.forms import parse_uuid
from intranet.i18n import N_, _

Parsed = tuple[dict[str, Any], dict[str, str]]

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
    """`label` is marked with N_() by the caller."""
    value = form.get(name, "").strip()
    if required and not value:
        errors[name] = _("%(label)s må fylles ut.") % {"label": _(label)}
    elif len(value) > MAX_TEXT:
        errors[name] = _("%(label)s er for lang (høyst %(max)s tegn).") % {"label": _(label), "max": MAX_TEXT}
    return value


def _date(form: dict, name: str, errors: dict, label: str, past: bool = True) -> date | None:
    value = parse_date(form.get(name, ""))
    if not form.get(name, "").strip():
        errors[name] = _("%(label)s: skriv datoen.") % {"label": _(label)}
    elif value is None:
        errors[name] = _("%(label)s: skriv en gyldig dato (dd.mm.åååå).") % {"label": _(label)}
    elif past and value > clock.today():
        errors[name] = _("%(label)s kan ikke være fram i tid.") % {"label": _(label)}
    return value


def _number(form: dict, name: str) -> int | None:
    text = form.get(name, "")
    return int(text) if text.isdigit() and len(text) < 6 else None


NEW_CHILD_FIELDS = ("new_first_name", "new_last_name", "new_birth_date", "new_national_id")


def new_concern(form: dict[str, str], categories: list[str], unit_children: set[UUID]) -> Parsed:
    errors: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    choice = form.get("child_id", "")
    # A new child: its fields filled in (under "Registrer et nytt barn", open with or
    # without JavaScript), or "new" chosen in the list.
    registering = choice == "new" or any(form.get(f, "").strip() for f in NEW_CHILD_FIELDS)
    if registering and choice not in ("", "new"):
        errors["child_id"] = _("Velg enten et barn i listen eller registrer et nytt barn, ikke begge. "
                               "Tøm feltene under «Registrer et nytt barn» hvis barnet står i listen.")
    elif registering:  # a child the unit registers now
        parsed["new_child"] = {
            "first_name": _text(form, "new_first_name", errors, N_("Fornavn")),
            "last_name": _text(form, "new_last_name", errors, N_("Etternavn")),
            "birth_date": _date(form, "new_birth_date", errors, N_("Fødselsdato")),
            "national_id": "".join(form.get("new_national_id", "").split()),
        }
    else:
        child_id = parse_uuid(choice)
        if child_id is None or child_id not in unit_children:
            errors["child_id"] = _("Velg barnet i listen, eller åpne «Registrer et nytt barn» og skriv navn og "
                                   "fødselsdato.")
        else:
            parsed["child_id"] = child_id
    parsed["observed_on"] = _date(form, "observed_on", errors, N_("Dato for observasjonen"))
    parsed["observation"] = _text(form, "observation", errors, N_("Hva du har sett eller hørt"))
    parsed["child_words"] = _text(form, "child_words", errors, N_("Barnets egne ord"), required=False)
    chosen = [c for c in categories if c in CATEGORIES]
    if not chosen or len(chosen) != len(categories):
        errors["categories"] = _("Velg minst én kategori.")
    parsed["categories"] = chosen
    worry = _number(form, "worry")
    if worry not in WORRY_LEVELS:
        errors["worry"] = _("Velg hvor bekymret du er.")
    parsed["worry"] = worry
    return parsed, errors


def action(name: str, form: dict[str, str]) -> Parsed:
    """The fields of one change to a concern (see intranet/concerns.py ACTIONS)."""
    errors: dict[str, str] = {}
    p: dict[str, Any] = {}
    if name == "logg":
        p["observed_on"] = _date(form, "observed_on", errors, N_("Dato"))
        p["text"] = _text(form, "text", errors, N_("Observasjonen"))
        p["child_words"] = _text(form, "child_words", errors, N_("Barnets egne ord"), required=False)
    elif name == "korriger":
        p["no"] = _number(form, "no") or 0
        p["text"] = _text(form, "text", errors, N_("Korrigert tekst"))
        p["child_words"] = _text(form, "child_words", errors, N_("Barnets egne ord"), required=False)
        p["reason"] = _text(form, "reason", errors, N_("Grunnen til korrigeringen"))
    elif name == "niva":
        p["level"] = _number(form, "level")
        if p["level"] not in (0, 1, 2, 3):
            errors["level"] = _("Velg nivå 0–3.")
        p["reason"] = _text(form, "reason", errors, N_("Begrunnelsen"))
    elif name == "steg":
        p["step"] = form.get("step", "")
        p["done"] = form.get("done") == "1"
    elif name == "samtale":
        p["held_on"] = _date(form, "held_on", errors, N_("Dato for samtalen"))
        p["participants"] = _text(form, "participants", errors, N_("Hvem som deltok"))
        p["summary"] = _text(form, "summary", errors, N_("Referatet"))
        p["child_heard"] = form.get("child_heard") == "1"
    elif name == "korriger-samtale":
        p["no"] = _number(form, "no") or 0
        p["summary"] = _text(form, "summary", errors, N_("Korrigert referat"))
        p["reason"] = _text(form, "reason", errors, N_("Grunnen til korrigeringen"))
    elif name == "tiltak":
        p["measure"] = _text(form, "measure", errors, N_("Tiltaket"))
        p["responsible"] = _text(form, "responsible", errors, N_("Ansvarlig"))
        p["deadline"] = _date(form, "deadline", errors, N_("Frist"), past=False)
        p["evaluate_on"] = _date(form, "evaluate_on", errors, N_("Evalueringsdato"), past=False)
        if p["deadline"] and p["evaluate_on"] and p["evaluate_on"] < p["deadline"]:
            errors["evaluate_on"] = _("Evalueringsdatoen kan ikke være før fristen.")
    elif name == "evaluer":
        p["no"] = _number(form, "no") or 0
        p["outcome"] = _text(form, "outcome", errors, N_("Resultatet"))
    elif name in ("del", "fjern-deling"):
        p["user_id"] = parse_uuid(form.get("user_id"))
        if p["user_id"] is None:
            errors["user_id"] = _("Velg en kollega.")
    elif name in ("lukk", "gjenapne"):
        p["reason"] = _text(form, "reason", errors, N_("Begrunnelsen"))
    return p, errors
