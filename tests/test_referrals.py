"""Consents and referrals: the rules in the domain, then the pages."""

from __future__ import annotations

import json
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.audit import Access
from events.consents import InvalidConsent, Refusal
from events.referrals import ConsentMissing, InvalidReferral
from tests.htmltree import dom, field_error
from tests.factories import give_consent
from tests.rawstore import leaks
from tests.webclient import csrf_of

TODAY = clock.today()
GUARDIANS = [
    {"name": "Mona Berg", "relation": "mor", "parental_responsibility": True},
    {"name": "Tor Berg", "relation": "far", "parental_responsibility": True},
    {"name": "Stefar Lie", "relation": "annen", "parental_responsibility": False},
]
PARENTS = ("Mona Berg", "Tor Berg")  # the guardians with parental responsibility


@pytest.fixture
def family(domain):
    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Ola", "Berg", date(2016, 5, 5), unit, "", GUARDIANS)
    teen = domain.register_child("Siri", "Berg", TODAY.replace(year=TODAY.year - 16) - timedelta(days=1), unit, "", GUARDIANS)
    author = uuid4()
    concern = domain.open_concern(child, author, TODAY, "Leser ikke på trinn", "", ["development"], 2)
    return domain, child, teen, author, concern


def test_consent_lifecycle_give_withdraw_partly_and_expire(family):
    domain, child, _, author, _ = family
    consent_id = give_consent(domain, child, ["ppt", "helsestasjon"], valid_until=TODAY + timedelta(days=20))
    c = domain.get_consent(consent_id)
    assert c.covers("ppt", TODAY).ok and c.covers("helsestasjon", TODAY).ok
    assert not c.covers("bup", TODAY).ok
    assert c.expires_soon(TODAY)  # within 30 days
    # Expiry by date.
    assert not c.covers("ppt", TODAY + timedelta(days=21)).ok
    assert c.covers("ppt", TODAY + timedelta(days=21)).refusals == (
        Refusal("consent.expired", "ppt", TODAY + timedelta(days=20)),)
    # Partial withdrawal takes effect at once; the rest stays valid.
    domain.withdraw_consent(consent_id, ["ppt"], "Mor ringte og trakk samtykket for PPT", TODAY, author)
    c = domain.get_consent(consent_id)
    assert c.covers("ppt", TODAY).refusals == (Refusal("consent.withdrawn", "ppt", TODAY),)
    assert c.covers("helsestasjon", TODAY).ok
    # Full withdrawal of what is left.
    domain.withdraw_consent(consent_id, [], "Far trakk resten skriftlig", TODAY, author)
    assert domain.get_consent(consent_id).services_valid_on(TODAY) == []


def test_consent_needs_everyone_with_parental_responsibility_and_the_child_from_15(family):
    domain, child, teen, _, _ = family
    with pytest.raises(InvalidConsent, match="missing signature: Tor Berg"):
        give_consent(domain, child, ["ppt"], signers=("Mona Berg",))
    # The stepfather has no parental responsibility: his signature is not needed.
    give_consent(domain, child, ["ppt"], signers=PARENTS)
    with pytest.raises(InvalidConsent, match="missing signature: Siri Berg"):
        give_consent(domain, teen, ["bup"], signers=PARENTS)
    give_consent(domain, teen, ["bup"], signers=("Mona Berg", "Tor Berg", "Siri Berg"))
    give_consent(domain, teen, ["skole"], signers=PARENTS)  # the child's own consent is not needed for every service
    with pytest.raises(InvalidConsent, match="oral consent must be minuted"):
        give_consent(domain, child, ["ppt"], oral=True)
    give_consent(domain, child, ["ppt"], oral=True, minutes="Mor og far samtykket i møte 1.11, skrevet av styrer")


def test_a_refusal_is_recorded_and_blocks_nothing_but_counts_as_no_consent(family):
    domain, child, _, author, concern = family
    refused = give_consent(domain, child, ["ppt"], decision="refused", information=[], purpose="")
    assert domain.get_consent(refused).decision == "refused"
    referral = domain.open_referral(concern, "ppt", author, {"reason": "r", "tried": "t", "guardians_view": "nei"})
    with pytest.raises(ConsentMissing) as e:
        domain.send_referral(referral, TODAY, "post")
    assert e.value.coverage.refusals == (Refusal("consent.refused"),)


def test_the_consent_gate_refuses_then_allows_a_ppt_referral(family):
    domain, child, _, author, concern = family
    fields = {"reason": "Leser ikke", "tried": "Lesekurs", "guardians_view": "Ønsker utredning"}
    referral = domain.open_referral(concern, "ppt", author, fields)
    with pytest.raises(ConsentMissing, match="no consent is recorded") as none:
        domain.send_referral(referral, TODAY, "post")
    assert none.value.coverage.refusals == (Refusal("consent.none_recorded"),)
    give_consent(domain, child, ["helsestasjon"])
    with pytest.raises(ConsentMissing, match="does not cover ppt") as other:
        domain.send_referral(referral, TODAY, "post")
    assert other.value.coverage.refusals == (Refusal("consent.service_not_covered", "ppt"),)
    consent_id = give_consent(domain, child, ["ppt"], valid_from=TODAY + timedelta(days=3))
    with pytest.raises(ConsentMissing, match="valid from") as early:
        domain.send_referral(referral, TODAY, "post")
    # Every consent's reason, each once.
    assert set(early.value.coverage.refusals) == {Refusal("consent.not_yet_valid", "ppt", TODAY + timedelta(days=3)),
                                                  Refusal("consent.service_not_covered", "ppt")}
    good = give_consent(domain, child, ["ppt"])
    domain.send_referral(referral, TODAY, "post")
    sent = domain.get_referral(referral)
    assert (sent.status, sent.consent_id) == ("sent", good)
    assert consent_id != good


def test_the_gate_is_in_the_aggregate_not_only_in_the_application(family):
    domain, _, _, author, concern = family
    referral = domain.get_referral(domain.open_referral(concern, "bup", author,
                                                        {"reason": "r", "tried": "t", "guardians_view": "g"}))
    with pytest.raises(ConsentMissing):
        referral.send(TODAY, "post", None, None)


def test_a_report_to_barnevernet_needs_no_consent_and_tracks_its_deadlines(family, env):
    domain, _, _, author, concern = family
    fields = {"reporter_name": "Kari", "reporter_role": "Kontaktlærer", "reporter_phone": "41234567",
              "reporter_email": "kari@example.no", "message": "Blåmerker",
              "guardians": [{"name": "Mona Berg", "informed": False, "not_informed_reason": ""}]}
    report = domain.open_referral(concern, "barnevern", author, fields)
    with pytest.raises(InvalidReferral, match="child_address"):  # barnevernet must find the child
        domain.send_referral(report, TODAY, "fiks")
    fields["child_address"] = {"street": "Bjørkeveien 3", "postcode": "6412", "place": "Fjordvik"}
    domain.update_referral(report, fields)
    with pytest.raises(InvalidReferral, match="not_informed_reason"):
        domain.send_referral(report, TODAY, "fiks")
    fields["guardians"][0]["not_informed_reason"] = "Mistanke om vold i hjemmet"
    domain.update_referral(report, fields)
    sent_on = TODAY - timedelta(days=22)
    domain.send_referral(report, sent_on, "fiks")  # no consent anywhere: still sent
    r = domain.get_referral(report)
    assert r.consent_id is None
    assert r.review_due == sent_on + timedelta(days=7)
    assert r.confirmation_due == sent_on + timedelta(days=21)
    assert r.receipt_overdue(TODAY) and not r.receipt_overdue(sent_on + timedelta(days=21))
    with pytest.raises(InvalidReferral):
        domain.confirm_referral_receipt(report, sent_on - timedelta(days=1))
    domain.confirm_referral_receipt(report, TODAY)
    domain.record_referral_feedback(report, TODAY, True, "Undersøkelse åpnet")
    domain.close_referral(report, "Barnevernet har saken")
    assert domain.get_referral(report).status == "closed"
    assert leaks(env, ["Mistanke om vold i hjemmet", "Undersøkelse åpnet", "Barnevernet har saken"]) == []


# -- the pages -------------------------------------------------------------------------------
def test_child_page_shows_valid_consent_and_warns_before_expiry(web):
    child = web.child_in("solsikken")
    web.give_consent(child, ["bup"], days=10)
    page = web.login("staff").get(f"/barn/{child}").text
    assert "Gyldig i dag for:" in page
    assert "PPT – til" in page and "BUP – til" in page
    assert "utløper" in page  # the BUP consent expires within 30 days


def test_recording_a_consent_through_the_form(web, env):
    staff = web.login("staff")
    child = web.child_in("solsikken")
    page = staff.get(f"/barn/{child}/samtykke").text
    token = csrf_of(page)
    data = {"csrf_token": token, "decision": "given", "services": ["bup"], "information": ["health"],
            "purpose": "Vurdering av søvnvansker hos spesialist", "valid_from": TODAY.isoformat(),
            "valid_until": (TODAY + timedelta(days=180)).isoformat()}
    missing = staff.post(f"/barn/{child}/samtykke", data={**data, "signers": []})
    assert missing.status_code == 422 and "Mangler underskrift fra" in field_error(dom(missing.text), "signers")
    assert dom(missing.text).one("textarea[name=purpose]").text == "Vurdering av søvnvansker hos spesialist"  # kept
    guardians = web.domain.get_child(child).guardians_with_responsibility
    ok = staff.post(f"/barn/{child}/samtykke", data={**data, "signers": [g["name"] for g in guardians]})
    assert ok.status_code == 303
    consent_page = staff.get(ok.headers["location"]).text
    assert "Vurdering av søvnvansker" in consent_page
    printed = staff.get(ok.headers["location"] + "/utskrift")
    assert printed.status_code == 200 and "Samtykke til samarbeid mellom tjenester" in printed.text
    assert "print" in [e.action for e in accesses(web)]
    assert leaks(env, ["Vurdering av søvnvansker"]) == []


def accesses(web) -> list:
    read = (web.domain.mapper.to_domain_event(n) for n in web.domain.recorder.select_notifications(1, 100_000))
    return [e for e in read if isinstance(e, Access.Created)]


def test_ppt_referral_refused_with_a_reason_then_sent_by_the_leader(web):
    leader = web.login("unit_leader")
    concern = web.concerns["colleague"]  # its child has a consent for PPT and helsestasjon...
    child = web.domain.get_concern(concern).child_id
    # It has no consent for BUP, though.
    created = leader.post(f"/bekymringer/{concern}/henvisning",
                          data={"csrf_token": csrf_of(leader.get(f"/bekymringer/{concern}").text), "kind": "bup"})
    url = created.headers["location"]
    page = leader.get(url).text
    assert "Henvisningen kan ikke sendes ennå" in page and "samtykket omfatter ikke BUP" in page
    incomplete = leader.post(f"{url}/send", data={"csrf_token": csrf_of(page), "on": TODAY.isoformat(), "channel": "post"})
    assert incomplete.status_code == 422 and "Fyll ut før sending: Hva er prøvd, Foresattes syn." in incomplete.text
    saved = leader.post(f"{url}/lagre", data={"csrf_token": csrf_of(page), "reason": "Søvnvansker over tid",
                                              "tried": "Faste rutiner i barnehagen", "guardians_view": "Ønsker hjelp"})
    assert saved.status_code == 303
    refused = leader.post(f"{url}/send", data={"csrf_token": csrf_of(page), "on": TODAY.isoformat(), "channel": "post"})
    assert refused.status_code == 422
    assert "Henvisningen kan ikke sendes: samtykket omfatter ikke BUP" in refused.text
    assert web.domain.get_referral(UUID(url.rsplit("/", 1)[1])).status == "draft"
    web.give_consent(child, ["bup"])
    sent = leader.post(f"{url}/send", data={"csrf_token": csrf_of(page), "on": TODAY.isoformat(), "channel": "post"})
    assert sent.status_code == 303
    assert "Sendt" in leader.get(url).text


def test_barnevern_report_reconciliation_and_overdue_flag(web):
    staff = web.login("staff")
    url = f"/henvisninger/{web.referrals['own']}"
    page = staff.get(url).text
    assert "krever ikke samtykke" in page
    sent_on = TODAY - timedelta(days=25)
    response = staff.post(f"{url}/send", data={"csrf_token": csrf_of(page), "on": sent_on.isoformat(), "channel": "fiks"})
    assert response.status_code == 303
    page = staff.get(url).text
    assert "fristen er passert uten bekreftelse" in page
    leader = web.login("unit_leader")
    web.projections.wait()
    reconciliation = leader.get("/henvisninger").text
    assert url in reconciliation and "Passert" in reconciliation
    assert url in leader.get("/bekymringer/forfalt").text
    # Once confirmed, it leaves the reconciliation list.
    staff.post(f"{url}/mottatt", data={"csrf_token": csrf_of(page), "on": TODAY.isoformat()})
    web.projections.wait()
    assert url not in leader.get("/henvisninger").text


def test_print_and_export_are_recorded_as_such(web):
    staff = web.login("staff")
    url = f"/henvisninger/{web.referrals['own']}"
    printed = staff.get(f"{url}/utskrift")
    assert printed.status_code == 200 and "Melding til barnevernet" in printed.text
    exported = staff.get(f"{url}/eksport")
    assert exported.status_code == 200
    body = json.loads(exported.text)
    assert set(body) >= {"kommunenummer", "offentligMelder", "offentligBarn", "foresatte", "melding"}
    assert "attachment" in exported.headers["Content-Disposition"]
    actions = [e.action for e in accesses(web) if e.subject_ids == [web.child_in("solsikken")]]
    assert "print" in actions and "export" in actions
