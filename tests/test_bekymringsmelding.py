"""The report to barnevernet (bekymringsmelding): what it says, and its export
checked against KS' published schema offentlig.bekymringsmelding.v2.

The schema is read here straight from the vendored files, with jsonschema's own
validator, so the test does not trust the product's own check."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from events import clock
from events.base import acting_as
from tests.htmltree import dom, field_error
from tests.rawstore import leaks
from tests.webclient import csrf_of

SCHEMAS = Path(__file__).resolve().parents[1] / "events" / "schemas" / "ks"
TODAY = clock.today()
GUARDIANS = [
    {"name": "Mona Berg", "relation": "mor", "parental_responsibility": True, "phone": "+47 412 38 905",
     "address": "Bjørkeveien 3, 6412 Fjordvik"},
    {"name": "Tor Berg", "relation": "far", "parental_responsibility": True, "phone": "928 51 470",
     "address": "Bjørkeveien 3, 6412 Fjordvik"},
]


def ks_validator() -> jsonschema.protocols.Validator:
    main = json.loads((SCHEMAS / "v2" / "offentlig.bekymringsmelding.v2.json").read_text(encoding="utf-8"))
    address = json.loads((SCHEMAS / "adresse.json").read_text(encoding="utf-8"))
    # The main schema says `$ref: ../adresse.json`, resolved against its own $id.
    registry = Registry().with_resource("https://fiks.ks.no/adresse.json", Resource.from_contents(address))
    jsonschema.Draft201909Validator.check_schema(main)
    return jsonschema.Draft201909Validator(main, registry=registry)


def schema_errors(document: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in ks_validator().iter_errors(document)]


def sentences(text: str) -> set[str]:
    return {s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if len(s.strip()) > 12}


@pytest.fixture
def case(domain):
    """A school child with a concern that has a history, the child's words, a
    guardian talk and an evaluated measure; the municipality and unit known."""
    domain.set_municipality("1599", "Fjordvik kommune")
    unit = domain.register_unit("Fjordvik skole", "skole")
    domain.set_unit_address(unit, "Skoleveien 1", "6412", "Fjordvik")
    child = domain.register_child("Ola", "Berg", date(2016, 5, 5), unit, "", GUARDIANS)
    author = domain.register_user("laerer", "Ola Haugen", "Kontaktlærer", "staff", unit, None, "x", False)
    with acting_as(author):
        concern = domain.open_concern(child, author, TODAY - timedelta(days=20),
                                      "Kom uten matpakke tre dager på rad.", "Mamma sov hele dagen",
                                      ["neglect", "substance_use"], 3)
        v = domain.get_concern(concern).version
        v = domain.log_observation(concern, v, author, TODAY - timedelta(days=10), "Var trøtt og lei seg i timen.",
                                   "Jeg passer på lillebror om kvelden")
        v = domain.set_concern_level(concern, v, author, 1, "Tiltak i skolen")
        v = domain.add_measure(concern, v, author, "Frokost på skolen hver dag", "Kontaktlærer",
                               TODAY - timedelta(days=8), TODAY - timedelta(days=5))
        domain.evaluate_measure(concern, v, author, 1, "Spiser, men er fortsatt sliten.")
        referral = domain.draft_referral(concern, "barnevern", author)
    return domain, referral, child, unit


def complete(domain, referral_id, **changes):
    """Fill in what the reporter must write before the report can go."""
    fields = dict(domain.get_referral(referral_id).fields)
    fields.update(reporter_phone="412 34 567", reporter_email="ola.haugen@fjordvik.kommune.no",
                  child_not_informed_reason="Barnet er sju år; orienteres av barnevernet.")
    fields["guardians"] = [dict(g, not_informed_reason="Mistanke om rus; vi venter med å orientere.")
                           for g in fields["guardians"]]
    fields.update(changes)
    domain.update_referral(referral_id, fields)


AT = datetime(2026, 7, 1, 10, 30, 5, tzinfo=timezone.utc)  # 12:30:05 in Oslo (summer time)


def test_one_child_validates_against_ks_schema(case):
    domain, referral, child, unit = case
    complete(domain, referral)
    document = domain.report_document(referral, AT)
    assert schema_errors(document) == []
    assert document["kommunenummer"] == "1599" and document["kommunenavn"] == "Fjordvik kommune"
    assert (document["bydelsnummer"], document["bydelsnavn"]) == ("00", "")  # no districts
    assert document["offentligMelder"]["virksomhet"] == {
        "navn": "Fjordvik skole",
        "adresse": {"adresselinje1": "Skoleveien 1", "postnummer": "6412", "poststed": "Fjordvik"}}
    [barn] = document["offentligBarn"]
    assert barn["personnavn"] == "Ola Berg" and barn["ufoedt"] is False
    # The child's address comes from the guardians' until the reporter changes it.
    assert barn["adresse"] == {"adresselinje1": "Bjørkeveien 3", "postnummer": "6412", "poststed": "Fjordvik"}
    assert barn["orientert"] is False and "sju år" in barn["orientertGrunn"]
    # KS documents Norwegian local time without a zone.
    assert document["sendingstidspunkt"] == "2026-07-01T12:30:05"


def test_siblings_are_children_of_the_same_report(case):
    domain, referral, _, _ = case
    complete(domain, referral, siblings=[
        {"name": "Per Berg", "national_id": "", "unborn": False, "informed": False,
         "not_informed_reason": "For liten", "address": {"street": "Bjørkeveien 3", "postcode": "6412", "place": "Fjordvik"}},
        {"name": "Ufødt barn", "national_id": "", "unborn": True, "informed": False, "not_informed_reason": "",
         "address": {"street": "Bjørkeveien 3", "postcode": "", "place": ""}},
    ])
    document = domain.report_document(referral, AT)
    assert schema_errors(document) == []
    assert [b["personnavn"] for b in document["offentligBarn"]] == ["Ola Berg", "Per Berg", "Ufødt barn"]
    assert [b["ufoedt"] for b in document["offentligBarn"]] == [False, False, True]
    assert document["offentligBarn"][2]["adresse"]["adresselinje1"] == "Bjørkeveien 3"
    # A sibling without an address of its own is at the child's.
    complete(domain, referral, siblings=[{"name": "Per Berg", "national_id": "", "unborn": False, "informed": True,
                                          "not_informed_reason": "", "address": {"street": "", "postcode": "", "place": ""}}])
    [_, per] = domain.report_document(referral, AT)["offentligBarn"]
    assert per["adresse"] == {"adresselinje1": "Bjørkeveien 3", "postnummer": "6412", "poststed": "Fjordvik"}


def test_with_and_without_optional_parts(case):
    domain, referral, _, unit = case
    complete(domain, referral, interpreter="", other_services="", other_views="")
    bare = domain.report_document(referral, AT)
    assert schema_errors(bare) == []
    domain.set_unit_address(unit, "Skoleveien 1", "6412", "Fjordvik", "03", "Sentrum")
    complete(domain, referral, interpreter="Polsk", other_services="Helsesykepleier", other_views="Mor er uenig.")
    full = domain.report_document(referral, AT)
    assert schema_errors(full) == []
    assert (full["bydelsnummer"], full["bydelsnavn"]) == ("03", "Sentrum")
    assert full["behovForTolk"] == "Polsk" and full["melding"]["andreSynspunkter"] == "Mor er uenig."


def test_an_incomplete_report_is_refused_by_the_check(case):
    from events.bekymringsmelding import problems
    from events.referrals import InvalidReferral

    domain, referral, _, _ = case
    # A draft may be half-written, but not hold a phone number KS' format refuses.
    with pytest.raises(InvalidReferral, match="phone"):
        complete(domain, referral, reporter_phone="ring meg")
    complete(domain, referral, reporter_phone="", child_address={"street": "", "postcode": "", "place": ""})
    document = domain.report_document(referral, AT)
    assert schema_errors(document)  # KS' schema refuses the empty phone ...
    # ... and our check names it, and the empty address the schema lets through.
    assert {p.field for p in problems(document)} == {"reporter_phone", "child_address"}


def test_the_document_uses_the_interfaces_words():
    from events import bekymringsmelding
    from intranet import labels

    assert bekymringsmelding.CATEGORY_NAMES == labels.CATEGORIES


def test_the_report_says_what_barnevernet_needs_and_no_sentence_twice(case):
    domain, referral, _, _ = case
    complete(domain, referral)
    document = domain.report_document(referral, AT)
    text = document["melding"]["melding"]
    history = document["melding"]["historie"]
    assert "Kom uten matpakke tre dager på rad." in text
    assert "«Mamma sov hele dagen»" in text and "«Jeg passer på lillebror om kvelden»" in text
    assert "Omsorgssvikt" in text and "Foreldres rusbruk" in text
    assert "BTI-nivå 1" in text
    assert "Var trøtt og lei seg i timen." in history
    assert "Frokost på skolen hver dag" in history and "Spiser, men er fortsatt sliten." in history
    assert not sentences(text) & sentences(history)


def test_addresses_and_siblings_are_not_in_clear_at_rest(case, env):
    domain, referral, _, unit = case
    complete(domain, referral, child_address={"street": "Hemmeligveien 77", "postcode": "6412", "place": "Fjordvik"},
             siblings=[{"name": "Gunnhild Berg", "national_id": "", "unborn": False, "informed": False,
                        "not_informed_reason": "", "address": {"street": "Hemmeligveien 77", "postcode": "", "place": ""}}])
    domain.close()
    assert leaks(env, ["Hemmeligveien", "Gunnhild Berg", "Bjørkeveien"]) == []


# -- the pages ----------------------------------------------------------------------------
def test_export_validates_against_ks_schema(web):
    staff = web.login("staff")
    url = f"/henvisninger/{web.referrals['own']}"
    exported = staff.get(f"{url}/eksport")
    assert exported.status_code == 200, exported.text[:500]
    document = json.loads(exported.text)
    assert schema_errors(document) == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", document["sendingstidspunkt"])
    oslo_now = datetime.now(clock.OSLO).replace(tzinfo=None)
    assert abs(datetime.fromisoformat(document["sendingstidspunkt"]) - oslo_now) < timedelta(minutes=2)


def test_an_export_that_would_not_validate_is_refused_with_the_reason(web):
    staff = web.login("staff")
    url = f"/henvisninger/{web.referrals['own']}"
    page = staff.get(url).text
    # A phone number KS' format refuses is refused on saving, with the text kept beside the error.
    saved = staff.post(f"{url}/lagre", data={"csrf_token": csrf_of(page), "reporter_phone": "ring meg",
                                             "message": "Min tekst som ikke må gå tapt"})
    assert saved.status_code == 422
    form = dom(saved.text)
    assert form.one("#f-reporter_phone").attrs["value"] == "ring meg"
    assert "Min tekst som ikke må gå tapt" in form.one("#f-message").text
    assert "412 34 567" in field_error(form, "reporter_phone")
    # A draft may lack the phone and the child's address; its export is refused, naming both.
    staff.post(f"{url}/lagre", data={"csrf_token": csrf_of(page), "reporter_phone": "", "ca_street": "",
                                     "ca_postcode": "", "ca_place": ""})
    exported = staff.get(f"{url}/eksport")
    assert exported.status_code == 422
    assert "application/json" not in exported.headers["content-type"]
    refusal = dom(exported.text).one(".flash.error").text
    assert "Telefon" in refusal and "Barnets adresse" in refusal


def test_the_printed_report_says_what_barnevernet_needs(web):
    staff = web.login("pedleder")
    concern = web.concerns["own"]
    page = staff.get(f"/bekymringer/{concern}").text
    created = staff.post(f"/bekymringer/{concern}/henvisning", data={"csrf_token": csrf_of(page), "kind": "barnevern"})
    assert created.status_code == 303
    url = created.headers["location"]
    printed = dom(staff.get(f"{url}/utskrift").text)
    headings = [h.text for h in printed.select("h2")]
    for heading in ("Barnets egne ord", "Barnet er orientert", "Kategorier", "BTI-nivå", "Hva er prøvd"):
        assert heading in headings
    def after(heading: str) -> str:  # the paragraph under a heading
        h2 = next(h for h in printed.select("h2") if h.text == heading)
        siblings = h2.parent.child_elements
        return siblings[siblings.index(h2) + 1].text

    assert after("Kategorier") == "Omsorgssvikt"
    assert after("BTI-nivå").startswith("Nivå 0")
    assert after("Barnet er orientert").startswith("Nei")
    child = web.domain.get_child(web.child_in("solsikken"))
    street = child.guardians_with_responsibility[0]["address"].split(",")[0]
    assert f"Adresse: {street}" in printed.text
    assert "Solsikkevegen 2" in after("Melder")  # the unit's address, from the directory


def test_admin_sets_the_municipality_and_a_units_address(web):
    admin = web.login("admin")
    page = admin.get("/admin/enheter")
    assert page.status_code == 200
    wrong = admin.post("/admin/kommune", data={"csrf_token": csrf_of(page.text), "number": "12a", "name": "Fjordvik kommune"})
    assert wrong.status_code == 422 and "12a" in wrong.text
    assert "fire siffer" in field_error(dom(wrong.text), "number")
    done = admin.post("/admin/kommune", data={"csrf_token": csrf_of(page.text), "number": "1598", "name": "Fjordvik kommune"})
    assert done.status_code == 303
    unit = web.ids["units"]["solsikken"]
    form = admin.get(f"/admin/enheter/{unit}")
    assert form.status_code == 200
    saved = admin.post(f"/admin/enheter/{unit}", data={
        "csrf_token": csrf_of(form.text), "street": "Blomsterveien 4", "postcode": "6413", "place": "Fjordvik",
        "district_number": "", "district_name": ""})
    assert saved.status_code == 303
    web.projections.wait()
    listing = admin.get("/admin/enheter").text
    assert "1598" in listing and "Blomsterveien 4" in listing
    assert web.domain.get_unit(unit).address["street"] == "Blomsterveien 4"
