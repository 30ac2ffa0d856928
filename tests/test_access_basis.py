"""The legal basis of every access: decided by the policy with the answer
(events/policy.py `decide`), stored in the access event, and shown to the
privacy officer and, grouped by basis, in the guardians' access report."""

from __future__ import annotations

from uuid import uuid4

from events import clock
from events.base import acting_as
from events.policy import Basis, Principal, Target, decide
from tests.rawstore import leaks
from tests.test_access_matrix import collaboration_with_every_basis
from tests import test_collaborations
from tests.test_collaborations import set_level, target_of

case = test_collaborations.case  # the fixture: a child at a barnehage, a level-2 concern, the guardians' consent


def test_the_policy_decides_each_access_with_its_basis(case):
    domain = case["domain"]
    set_level(case, 2)
    with acting_as(case["leader"]):
        collaboration_id = domain.open_collaboration(
            case["concern"], case["consent"], [("helsestasjon", case["health"]), ("ppt", None), ("barnevern", None)],
            ["action_plan"], case["nurse"], case["leader"])
    target = target_of(case, collaboration_id)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    adviser = Principal(uuid4(), "resource_team", None, "ppt")
    child_welfare = Principal(uuid4(), "resource_team", None, "barnevern")
    colleague = Principal(uuid4(), "staff", case["kindergarten"], None)
    assert decide(leader, "collaboration.view", target).basis == Basis("own_unit")
    assert decide(leader, "collaboration.close", target).basis == Basis("own_unit")
    assert decide(nurse, "collaboration.edit", target).basis == Basis("consent", case["consent"])
    assert decide(nurse, "collaboration.handover", target).basis == Basis("consent", case["consent"])  # coordinator
    assert decide(adviser, "collaboration.view", target).basis == Basis("consent", case["consent"])
    assert decide(child_welfare, "collaboration.edit", target).basis == Basis("statutory")
    refused = decide(colleague, "collaboration.view", target)
    assert not refused and refused.basis is None
    # A break-the-glass grant: the basis names the grant.
    concern = Target.concern(domain.get_concern(case["concern"]))
    grant = uuid4()
    glass = Principal(colleague.id, "staff", case["kindergarten"], None, grants=frozenset({case["concern"]}),
                      grant_ids=((case["concern"], grant),))
    assert decide(glass, "concern.view", concern).basis == Basis("break_glass", grant)
    assert not decide(glass, "concern.edit", concern)  # a grant is for reading
    assert not decide(glass, "collaboration.view", target)  # and opens no collaboration
    # The author's own unit; the privacy officer's supervision.
    author = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    assert decide(author, "concern.view", concern).basis == Basis("own_unit")
    officer = Principal(uuid4(), "privacy_officer", None, None)
    assert decide(officer, "audit.view").basis == Basis("privacy_officer")


def test_an_access_names_one_known_basis_per_child(domain):
    import pytest

    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Liv", "Berg", clock.today().replace(year=2015), unit)
    with pytest.raises(ValueError):
        domain.record_access(uuid4(), "staff", unit, [child], ["child.name"], "view", "", "s", [])
    with pytest.raises(ValueError):
        domain.record_access(uuid4(), "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("guess")])


def test_the_privacy_officer_sees_each_access_with_its_basis(web):
    collaboration_id, consent_id, child_id = collaboration_with_every_basis(web)
    url = f"/samarbeid/{collaboration_id}"
    for username in ("styrer", "helsesykepleier", "ppt", "barnevern"):
        assert web.login(username).get(url).status_code == 200
    web.projections.wait()
    officer = web.login("personvern")
    page = officer.get(f"/personvern/barn/{child_id}").text
    given = clock.today().strftime("%d.%m.%Y")
    assert "Tverrfaglig samarbeid" in page  # the collaborations about the child, and on what basis
    assert f"på foresattes samtykke gitt {given}" in page and "Barnevernet (lovpålagt oppgave)" in page
    assert "Egen enhet" in page and "Lovpålagt oppgave (barnevernet)" in page
    assert f"Foresattes samtykke (tverrfaglig samarbeid): samtykke gitt {given}" in page
    # The user's own log says the basis too.
    nurse_log = officer.get(f"/personvern/bruker/{web.ids['users']['helsesykepleier']}").text
    assert "samtykke gitt" in nurse_log
    # Nothing of the basis is in clear at rest but its code and the consent's id.
    assert leaks(web.env, ["samtykke gitt"]) == []


def test_the_guardians_report_groups_the_accesses_by_basis(web):
    from tests.htmltree import dom
    from tests.test_language import choose_language

    collaboration_id, consent_id, child_id = collaboration_with_every_basis(web)
    url = f"/samarbeid/{collaboration_id}"
    for username in ("styrer", "helsesykepleier", "ppt", "barnevern"):
        assert web.login(username).get(url).status_code == 200
    colleague = web.login("barnehagelaerer")
    concern_path = f"/bekymringer/{web.concerns['own']}"
    token = colleague.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert colleague.post("/nodtilgang", data={"csrf_token": token, "path": concern_path,
                                               "reason": "Mor ringte, pedagogisk leder er syk"}).status_code == 303
    assert colleague.get(concern_path).status_code == 200
    web.domain.withdraw_consent(consent_id, ["ppt"], "Far ringte", clock.today(), web.ids["users"]["styrer"])
    web.projections.wait()
    officer = web.login("personvern")
    report = officer.get(f"/personvern/barn/{child_id}/innsyn")
    assert report.status_code == 200
    doc = dom(report.text)
    sections = {s.one("h3").text: s.text for s in doc.select("section.basis")}
    given = clock.today().strftime("%d.%m.%Y")
    consent_title = f"Foresattes samtykke (tverrfaglig samarbeid): samtykke gitt {given}"
    assert "Egen enhet" in sections and "Lovpålagt oppgave (barnevernet)" in sections and consent_title in sections
    assert [t for t in sections if t.startswith("Nødtilgang med begrunnelse")]
    # Each with the names of the staff, as the law requires; the consent with what it covered.
    assert "Kari Nordmann" in sections["Egen enhet"] or "Styrer" in sections["Egen enhet"]
    assert "Sunniva Dahl" in sections[consent_title] and "Reidar Lunde" in sections[consent_title]
    assert "Tor Eriksen" in sections["Lovpålagt oppgave (barnevernet)"]
    assert "Sunniva Dahl" not in sections["Lovpålagt oppgave (barnevernet)"]
    assert "Helsestasjon" in sections[consent_title] and "PPT" in sections[consent_title]
    assert "tiltak og evaluering" in sections[consent_title] and "Trukket tilbake for PPT" in sections[consent_title]
    glass = next(text for title, text in sections.items() if title.startswith("Nødtilgang"))
    assert web.domain.get_user(web.ids["users"]["barnehagelaerer"]).name in glass
    # In English.
    choose_language(web, officer, "en", f"/personvern/barn/{child_id}/innsyn")
    english = dom(officer.get(f"/personvern/barn/{child_id}/innsyn").text)
    titles = [s.one("h3").text for s in english.select("section.basis")]
    assert "Own unit" in titles and "Statutory duty (child welfare)" in titles
    assert any(t.startswith("The guardians' consent") for t in titles)
    assert "Withdrawn for" in english.text and "Egen enhet" not in titles
