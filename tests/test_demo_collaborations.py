"""The demo's collaborations across services (issue 29, item 8): one active across
barnehage, helsestasjon and PPT, one ended into an individuell plan, and one child
whose guardians said no. Loaded onto the shared demo store (the directory)."""

from __future__ import annotations

import pytest

from events import clock
from intranet.demo_collaborations import load_collaborations
from tests.htmltree import dom


@pytest.fixture
def stories(web):
    ids = load_collaborations(web.domain, web.ids)
    web.projections.wait()
    return ids


def test_an_active_collaboration_across_barnehage_helsestasjon_and_ppt(web, stories):
    collaboration = web.domain.get_collaboration(stories["active"])
    users, units = web.ids["users"], web.ids["units"]
    assert collaboration.is_open and collaboration.unit_id == units["solsikken"]
    assert collaboration.members == [{"service": "helsestasjon", "unit_id": units["helsestasjonen"]},
                                     {"service": "ppt", "unit_id": None}]
    assert len(collaboration.goals) == 2 and len(collaboration.measures) == 3
    assert sum(len(m["evaluations"]) for m in collaboration.measures) == 1
    # Handed over once: from the styrer to the helsesykepleier, proposed and accepted on their days.
    assert [c["user_id"] for c in collaboration.coordinators] == [users["styrer"], users["helsesykepleier"]]
    assert collaboration.coordinators[1]["proposed_on"] < collaboration.coordinators[1]["from"] < clock.today()
    assert collaboration.opened_on < clock.today()
    for username in ("helsesykepleier", "ppt", "styrer"):
        page = web.login(username).get(f"/samarbeid/{stories['active']}")
        assert page.status_code == 200 and "Språkgruppe tre ganger i uken" in page.text, username
    assert web.login("bup").get(f"/samarbeid/{stories['active']}").status_code == 404


def test_one_ended_into_an_individual_plan(web, stories):
    collaboration = web.domain.get_collaboration(stories["individual_plan"])
    assert not collaboration.is_open and collaboration.closing["reason"] == "individual_plan"
    assert "individuell plan" in collaboration.closing["summary"]
    assert "bup" in collaboration.services
    # BUP's psychologist still reads what was decided, as a member admitted by the consent.
    page = web.login("bup")
    assert f"/samarbeid/{stories['individual_plan']}" in page.get("/samarbeid").text
    html = page.get(f"/samarbeid/{stories['individual_plan']}").text
    assert "Videre i individuell plan" in html and "ansvarsgruppen" in html


def test_the_guardians_said_no_and_the_childs_page_says_so(web, stories):
    consent = web.domain.get_consent(stories["refused"])
    assert consent.decision == "refused" and consent.services == ["helsestasjon", "ppt"]
    page = web.login("styrer")
    html = page.get(f"/barn/{consent.child_id}").text
    summary = dom(html).one("#consent-summary").text
    assert "Foresatte sa nei" in summary and "PPT" in summary
    # No collaboration can be opened on it.
    assert not [c for c in web.domain.consents_of(consent.child_id) if c.decision == "given"]
