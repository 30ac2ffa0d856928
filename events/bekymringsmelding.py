"""The report to barnevernet (bekymringsmelding) as a document: what a draft is
filled in with from the concern, and the export in KS' format
`offentlig.bekymringsmelding.v2` (Fiks), checked against the published schema
(vendored in events/schemas/ks/).

The document's text is for a Norwegian recipient: it is in Norwegian whatever
the interface language, so its words live here, not in the web's catalogue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from events import clock

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "ks"
NO_DISTRICT = "00"  # KS: a municipality without city districts is district "00"

# The same words as the interface's Norwegian (intranet/labels.py; a test keeps them equal).
CATEGORY_NAMES = {
    "substance_use": "Foreldres rusbruk", "violence": "Vold", "sexual_abuse": "Seksuelle overgrep",
    "neglect": "Omsorgssvikt", "mental_health": "Psykisk helse", "behaviour": "Atferd",
    "development": "Utvikling", "absence": "Fravær", "other": "Annet",
}
LEVEL_NAMES = {
    0: "undring og avklaring", 1: "tiltak i egen tjeneste", 2: "samarbeid med én eller to tjenester",
    3: "tre eller flere tjenester, eller spesialisthelsetjenesten",
}
EMPTY_ADDRESS = {"street": "", "postcode": "", "place": ""}
QUOTES = "«»\"“”„'"
POSTAL = re.compile(r"^(?P<street>.+?),\s*(?P<postcode>\d{4})\s+(?P<place>.+)$")


def _day(d: date) -> str:
    return f"{d:%d.%m.%Y}"


def quoted(words: str) -> str:
    """The child's words in one pair of «»: a reporter who typed quotes gets no second pair."""
    return "«" + words.strip().strip(QUOTES).strip() + "»"


def parse_address(text: str) -> dict[str, str]:
    """A guardian's address as written ("Bjørkeveien 3, 6412 Fjordvik") in its parts."""
    match = POSTAL.match(text.strip())
    if match:
        return {k: match[k].strip() for k in ("street", "postcode", "place")}
    return {**EMPTY_ADDRESS, "street": text.strip()}


# -- the draft, from the concern ------------------------------------------------------------
def draft_fields(concern, child, author, unit) -> dict[str, Any]:
    """What the record already says, for the reporter to check and complete.
    "Bekymringen" is the first observation; "Historikk" is what came after it
    (so no sentence stands in both); what was tried is the action plan."""
    parents = child.guardians_with_responsibility
    home = next((g["address"] for g in parents if str(g.get("address", "")).strip()), "")
    later = [(e["observed_on"], e["text"]) for e in concern.entries[1:]]
    later += [(t["held_on"], f"Samtale med foresatte ({t['participants']}): {t['summary']}") for t in concern.talks]
    return {
        "reporter_name": author.name, "reporter_role": author.title, "reporter_phone": "",
        "reporter_email": "", "unit_name": unit.name,
        "child_address": parse_address(home) if home else dict(EMPTY_ADDRESS),
        "guardians": [{"name": g["name"], "phone": g.get("phone", ""), "informed": False,
                       "not_informed_reason": ""} for g in parents][:2],
        "child_informed": False, "child_not_informed_reason": "", "siblings": [],
        "interpreter": "", "other_services": "",
        "categories": list(concern.categories), "level": concern.level,
        "message": concern.entries[0]["text"],
        "child_words": "\n".join(f"{_day(e['observed_on'])}: {quoted(e['child_words'])}"
                                 for e in concern.entries if e["child_words"].strip()),
        "history": "\n".join(f"{_day(day)}: {text}" for day, text in sorted(later, key=lambda x: x[0])),
        "tried": "\n".join(measure_line(m) for m in concern.measures),
        "other_views": "",
    }


def measure_line(m: dict[str, Any]) -> str:
    planned = f"{m['measure']} (ansvarlig: {m['responsible']}, frist {_day(m['deadline'])})."
    if m["outcome"]:
        return f"{planned} Evaluert {_day(m['evaluated_on'])}: {m['outcome']}"
    return f"{planned} Ikke evaluert ennå (evalueres {_day(m['evaluate_on'])})."


def categories_text(codes: list[str]) -> str:
    return ", ".join(CATEGORY_NAMES.get(c, c) for c in codes)


def level_text(level: int | None) -> str:
    return "" if level is None else f"BTI-nivå {level} ({LEVEL_NAMES.get(level, '')})"


# -- the export ------------------------------------------------------------------------------
def sending_time(moment: datetime) -> str:
    """KS' `sendingstidspunkt`: Norwegian local time, to the second, without a zone."""
    return moment.astimezone(clock.OSLO).strftime("%Y-%m-%dT%H:%M:%S")


def _address(a: dict[str, str]) -> dict[str, str]:
    out = {"adresselinje1": a.get("street", "")}
    out.update({k: v for k, v in (("postnummer", a.get("postcode", "")), ("poststed", a.get("place", ""))) if v})
    return out


def _own_or(address: dict[str, str] | None, home: dict[str, str]) -> dict[str, str]:
    """A sibling's own address, or the child's when the reporter wrote none."""
    return address if address and address.get("street", "").strip() else home


def message_text(f: dict[str, Any]) -> str:
    """KS' `melding.melding`: the concern, the child's words, the categories and the level."""
    parts = [f.get("message", "").strip()]
    if f.get("child_words", "").strip():
        parts.append("Barnets egne ord:\n" + f["child_words"].strip())
    facts = []
    if f.get("categories"):
        facts.append(f"Kategorier: {categories_text(f['categories'])}.")
    if f.get("level") is not None:
        facts.append(f"Nivå i handlingsveilederen: {level_text(f['level'])}.")
    if facts:
        parts.append("\n".join(facts))
    return "\n\n".join(p for p in parts if p)


def history_text(f: dict[str, Any]) -> str:
    """KS' `melding.historie`: the dated log after the concern, then what has been tried."""
    parts = [f.get("history", "").strip()]
    if f.get("tried", "").strip():
        parts.append("Hva er prøvd (tiltaksplanen):\n" + f["tried"].strip())
    return "\n\n".join(p for p in parts if p)


def build(referral, child, unit, municipality, at: datetime) -> dict[str, Any]:
    """The report as KS' `offentlig.bekymringsmelding.v2`, sent (or exported) at `at`."""
    f = referral.fields
    home = f.get("child_address") or EMPTY_ADDRESS
    children = [{"fnr": child.national_id, "ufoedt": False, "personnavn": child.name, "adresse": _address(home),
                 "orientert": bool(f.get("child_informed")),
                 "orientertGrunn": f.get("child_not_informed_reason", "")}]
    children += [{"fnr": s.get("national_id", ""), "ufoedt": bool(s.get("unborn")), "personnavn": s["name"],
                  "adresse": _address(_own_or(s.get("address"), home)), "orientert": bool(s.get("informed")),
                  "orientertGrunn": s.get("not_informed_reason", "")} for s in f.get("siblings", [])]
    melding = {"melding": message_text(f), "historie": history_text(f)}
    if f.get("other_views", "").strip():
        melding["andreSynspunkter"] = f["other_views"].strip()
    document: dict[str, Any] = {
        "kommunenummer": municipality.number if municipality else "",
        "kommunenavn": municipality.name if municipality else "",
        "bydelsnummer": unit.district_number or NO_DISTRICT,
        "bydelsnavn": unit.district_name,
        "offentligMelder": {
            "personnavn": f.get("reporter_name", ""), "rolle": f.get("reporter_role", ""),
            "telefonnummer": f.get("reporter_phone", ""), "epost": f.get("reporter_email", ""),
            "virksomhet": {"navn": unit.name, "adresse": _address(unit.address)},
        },
        "offentligBarn": children,
        "foresatte": [{"personnavn": g["name"], "telefonnummer": g.get("phone", ""), "orientert": g["informed"],
                       "orientertGrunn": g.get("not_informed_reason", "")} for g in f.get("guardians", [])],
        "melding": melding,
        "sendingstidspunkt": sending_time(at),
        "leveringskanal": "Fagsystem",
    }
    for key, field in (("behovForTolk", "interpreter"), ("andreHjelpeinstanser", "other_services")):
        if f.get(field, "").strip():
            document[key] = f[field].strip()
    return document


# -- the check against the schema ------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One way a document breaks KS' schema: the draft's field (or the
    directory's) to fix, and where in the document it showed."""

    field: str
    path: str
    message: str


# Where in KS' document each of our fields lands (the first matching prefix wins).
FIELD_OF_PATH = (
    ("kommunenummer", "municipality"), ("kommunenavn", "municipality"),
    ("bydelsnummer", "unit_address"), ("bydelsnavn", "unit_address"),
    ("offentligMelder/personnavn", "reporter_name"), ("offentligMelder/rolle", "reporter_role"),
    ("offentligMelder/telefonnummer", "reporter_phone"), ("offentligMelder/epost", "reporter_email"),
    ("offentligMelder/virksomhet", "unit_address"),
    ("offentligBarn/0/adresse", "child_address"), ("offentligBarn/0", "child"), ("offentligBarn", "siblings"),
    ("foresatte", "guardians"), ("melding", "message"),
)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    return json.loads((SCHEMAS / "v2" / "offentlig.bekymringsmelding.v2.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def reporter_pattern(field: str) -> re.Pattern[str]:
    """KS' own pattern for the reporter's phone or e-mail: one rule, from the schema."""
    key = {"reporter_phone": "telefonnummer", "reporter_email": "epost"}[field]
    return re.compile(_schema()["properties"]["offentligMelder"]["properties"][key]["pattern"])


@lru_cache(maxsize=1)
def _validator():
    import jsonschema
    from referencing import Registry, Resource

    main = _schema()
    address = json.loads((SCHEMAS / "adresse.json").read_text(encoding="utf-8"))
    # `$ref: ../adresse.json` resolves against the main schema's $id to this address.
    registry = Registry().with_resource("https://fiks.ks.no/adresse.json", Resource.from_contents(address))
    return jsonschema.Draft201909Validator(main, registry=registry)


def problems(document: dict[str, Any]) -> list[Problem]:
    """Every way `document` breaks KS' schema, or leaves out what barnevernet
    needs to find the child (the schema accepts an empty address line), each
    named by the field to fix."""
    found = [Problem(field, path, "empty") for field, path in _blanks(document)]
    for error in _validator().iter_errors(document):
        path = "/".join(map(str, error.absolute_path))
        if error.validator == "required":  # a missing key: name it in the path
            missing = re.findall(r"'([^']+)' is a required property", error.message)
            path = "/".join(p for p in (path, *missing) if p)
        field = next((f for prefix, f in FIELD_OF_PATH if path.startswith(prefix)), "_form")
        found.append(Problem(field, path, error.message))
    return found


def _blanks(document: dict[str, Any]) -> list[tuple[str, str]]:
    blanks = []
    if not str(document.get("kommunenummer", "")).strip():
        blanks.append(("municipality", "kommunenummer"))
    if not document.get("offentligMelder", {}).get("virksomhet", {}).get("adresse", {}).get("adresselinje1"):
        blanks.append(("unit_address", "offentligMelder/virksomhet/adresse/adresselinje1"))
    for i, child in enumerate(document.get("offentligBarn", [])):
        if not child.get("adresse", {}).get("adresselinje1", "").strip():
            blanks.append(("child_address" if i == 0 else "siblings", f"offentligBarn/{i}/adresse/adresselinje1"))
    return blanks
