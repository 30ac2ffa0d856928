"""A service taken into an open collaboration: one that comes into the case later,
or one taken out that should come back. On the collaboration's consent as it reads
at admission (the service and every kind of information shared), by the
coordinator or the opening unit's leader; the service's people see it at their
next request, and their lists and notifications find it. The domain, the policy
and the read models on both stores, then the pages."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.collaborations import InvalidCollaboration
from events.policy import Principal, consent_ended_for, may
from projections.live import ProjectionRunner
from tests import test_collaborations as base
from tests.factories import give_consent

case = base.case  # a child's level-2 concern at a barnehage; the consent covers helsestasjon and PPT
TODAY = clock.today()
REMOVAL = "Foreldrene ville vente med PPT til etter jul"


def opened_with_health(case) -> UUID:
    """Open with Helsestasjonen only (the nurse coordinates)."""
    base.set_level(case, 2)
    return base.open_one(case, services=("helsestasjon",), information=("action_plan", "observations"))


@contextmanager
def refused(code: str):
    """The domain refuses by `code`; the error, to look at."""
    with pytest.raises(InvalidCollaboration) as info:
        yield info
    assert info.value.code == code, info.value.code


def admit(case, collaboration_id, service, unit_id, on=None, by=None):
    by = by or case["leader"]
    with acting_as(by):
        case["domain"].admit_collaboration_member(collaboration_id, service, unit_id, on or TODAY, by)


# -- the domain and the policy ------------------------------------------------------------------------
def test_a_service_comes_in_on_the_consent_and_sees_it_from_its_next_request(case):
    domain = case["domain"]
    collaboration_id = opened_with_health(case)
    ppt = Principal(uuid4(), "staff", case["ppt"], None)
    assert not may(ppt, "collaboration.view", base.target_of(case, collaboration_id))
    admit(case, collaboration_id, "ppt", case["ppt"], by=case["nurse"])  # the coordinator
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.current_services == ["helsestasjon", "ppt"]
    assert collaboration.members[1] == {"service": "ppt", "unit_id": case["ppt"], "admitted_on": TODAY,
                                        "admitted_by": case["nurse"], "again": False}
    target = base.target_of(case, collaboration_id)
    assert may(ppt, "collaboration.view", target) and may(ppt, "collaboration.edit", target)
    assert not may(Principal(uuid4(), "resource_team", None, "ppt"), "collaboration.view", target)  # by its unit
    # Its measures can now be the plan's.
    with acting_as(case["nurse"]):
        domain.add_collaboration_measure(collaboration_id, "Utredning", "ppt", "PPT", TODAY, TODAY, TODAY,
                                         case["nurse"])
    # PPT's resource team beside its unit is another member; the same one twice is not.
    with refused("collaboration.already_member"):
        admit(case, collaboration_id, "ppt", case["ppt"])
    with refused("collaboration.already_member"):
        admit(case, collaboration_id, "helsestasjon", case["health"])
    admit(case, collaboration_id, "ppt", None)
    assert [m["unit_id"] for m in domain.get_collaboration(collaboration_id).current_members] == [
        case["health"], case["ppt"], None]


def test_a_service_the_consent_does_not_cover_is_refused_saying_why(case):
    domain = case["domain"]
    collaboration_id = opened_with_health(case)
    bup = domain.register_unit("BUP Fjordvik", "bup")
    with refused("collaboration.admission_not_consented") as refusal:
        admit(case, collaboration_id, "bup", bup)
    error = refusal.value
    assert error.field == "service" and error.params["service"] == "bup"
    assert [r.code for r in error.params["refusals"]] == ["consent.service_not_covered"]
    # Withdrawn for PPT: not taken in either, and the reason says so.
    domain.withdraw_consent(case["consent"], ["ppt"], "Far ringte", TODAY, uuid4())
    with refused("collaboration.admission_not_consented") as refusal:
        admit(case, collaboration_id, "ppt", case["ppt"])
    assert [r.code for r in refusal.value.params["refusals"]] == ["consent.withdrawn"]
    # Expired: the rule on the aggregate, a year on (the consent ran 365 days).
    later = TODAY + timedelta(days=400)
    collaboration = domain.get_collaboration(collaboration_id)
    consent = domain.get_consent(case["consent"])
    with refused("collaboration.admission_not_consented") as refusal:
        collaboration.admit_member("helsestasjon", None, consent, later, case["leader"], later)
    assert [r.code for r in refusal.value.params["refusals"]] == ["consent.expired"]
    # Barnevernet comes in on its own statutory duty, whatever the consent says.
    admit(case, collaboration_id, "barnevern", None)
    assert domain.get_collaboration(collaboration_id).current_services == ["helsestasjon", "barnevern"]


def test_every_kind_of_information_shared_must_be_covered(case):
    """A consent that no longer covers what the collaboration shares (here: the
    aggregate given another consent's scope) admits no one."""
    domain = case["domain"]
    collaboration_id = opened_with_health(case)
    narrow = give_consent(domain, case["child"], ["helsestasjon", "ppt"], information=["action_plan"])
    collaboration = domain.get_collaboration(collaboration_id)
    with refused("collaboration.information_not_covered") as refusal:
        collaboration.admit_member("ppt", case["ppt"], domain.get_consent(narrow), TODAY, case["leader"], TODAY)
    assert refusal.value.field == "service" and refusal.value.params["information"] == ["observations"]


def test_a_service_taken_out_comes_back_with_its_history(case):
    domain = case["domain"]
    base.set_level(case, 2)
    collaboration_id = base.open_one(case)  # helsestasjon and PPT by their units
    ppt = Principal(uuid4(), "staff", case["ppt"], None)
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    assert not may(ppt, "collaboration.view", base.target_of(case, collaboration_id))
    with refused("date.in_future"):
        admit(case, collaboration_id, "ppt", case["ppt"], on=TODAY + timedelta(days=1))
    with refused("collaboration.admitted_too_early"):  # before it was taken out
        admit(case, collaboration_id, "ppt", case["ppt"], on=TODAY - timedelta(days=1))
    with refused("collaboration.unit_of_other_service"):  # a unit joins only as the service it is
        admit(case, collaboration_id, "ppt", case["health"])
    admit(case, collaboration_id, "ppt", case["ppt"])
    collaboration = domain.get_collaboration(collaboration_id)
    taken_out, back = collaboration.members[1:]
    assert (taken_out["removed_on"], taken_out["removal_reason"]) == (TODAY, REMOVAL)
    assert back["again"] and back["admitted_on"] == TODAY and not back.get("removed_on")
    assert collaboration.current_services == ["helsestasjon", "ppt"]
    assert collaboration.group_services == ["own_unit", "helsestasjon", "ppt"]
    target = base.target_of(case, collaboration_id)
    assert may(ppt, "collaboration.view", target) and consent_ended_for(ppt, target) == ()
    # The consent withdrawn for PPT: refused for that, not for the old removal.
    domain.withdraw_consent(case["consent"], ["ppt"], "Far ringte", TODAY, uuid4())
    (ended,) = consent_ended_for(ppt, base.target_of(case, collaboration_id))
    assert [r.code for r in ended.refusals] == ["consent.withdrawn"]


def test_a_service_taken_out_twice_keeps_both_in_its_history(case):
    domain = case["domain"]
    base.set_level(case, 2)
    collaboration_id = base.open_one(case)
    ppt = Principal(uuid4(), "staff", case["ppt"], None)
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    admit(case, collaboration_id, "ppt", case["ppt"])
    # Out again: the newest entry carries the removal, the history both.
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], "Igjen", case["leader"])
    members = domain.get_collaboration(collaboration_id).members
    assert [m.get("removal_reason") for m in members] == [None, REMOVAL, "Igjen"]
    assert not may(ppt, "collaboration.view", base.target_of(case, collaboration_id))


def test_not_into_a_closed_collaboration(case):
    domain = case["domain"]
    collaboration_id = opened_with_health(case)
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Bra", case["leader"])
    with refused("collaboration.closed"):
        admit(case, collaboration_id, "ppt", case["ppt"])


def test_the_coordinator_or_the_opening_units_leader_takes_a_service_in(case):
    collaboration_id = opened_with_health(case)
    target = base.target_of(case, collaboration_id)
    assert may(Principal(case["nurse"], "staff", case["health"], None), "collaboration.admit_member", target)
    assert may(Principal(case["leader"], "unit_leader", case["kindergarten"], None), "collaboration.admit_member",
               target)
    assert not may(Principal(uuid4(), "unit_leader", case["health"], None), "collaboration.admit_member", target)
    assert not may(Principal(uuid4(), "staff", case["kindergarten"], None), "collaboration.admit_member", target)
    assert not may(Principal(uuid4(), "staff", case["ppt"], None), "collaboration.admit_member", target)


# -- the read models ---------------------------------------------------------------------------------
def test_the_lists_and_notifications_of_the_service_taken_in_find_it(case):
    """Taken in, out and in again: PPT's list and notifications follow (an evaluation
    due in three days waits for every member)."""
    from intranet.notifications import waiting

    domain = case["domain"]
    runner = ProjectionRunner(domain)
    collaboration_id = opened_with_health(case)
    with acting_as(case["nurse"]):
        domain.add_collaboration_measure(collaboration_id, "Samtaler", "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=3), case["nurse"])
    ppt = Principal(uuid4(), "staff", case["ppt"], None)

    def found() -> tuple[list[str], list[str]]:
        """The collaborations PPT's list reads, and what waits for PPT's staff."""
        runner.catch_up()
        listed = runner["collaborations"].view.involving(case["ppt"], ["ppt"], 10)
        return ([r["id"] for r in listed],
                [i["kind"] for i in waiting(runner["notifications"].view, runner["concerns"].view, ppt, TODAY)])

    assert found() == ([], [])
    admit(case, collaboration_id, "ppt", case["ppt"])
    assert found() == ([str(collaboration_id)], ["evaluation"])
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    assert found()[1] == []
    admit(case, collaboration_id, "ppt", case["ppt"])
    assert found() == ([str(collaboration_id)], ["evaluation"])
    (row,) = runner["collaborations"].view.for_child(case["child"])
    assert row["services"] == ",helsestasjon,ppt,"  # each service once


# -- the pages --------------------------------------------------------------------------------------
def test_taking_a_service_out_and_in_again_on_the_page(web):
    from tests.webclient import csrf_of

    url, _consent, _child = base.opened_on_the_web(web)  # Helsestasjonen's unit and PPT's resource team
    leader, adviser, nurse = web.login("styrer"), web.login("ppt"), web.login("helsesykepleier")
    bup_unit = str(web.ids["units"]["bup"])
    page = leader.get(url).text
    assert "Ta inn en tjeneste" in page and "Ta inn en tjeneste" not in adviser.get(url).text
    token = csrf_of(page)
    assert adviser.post(f"{url}/ta-inn", data={"csrf_token": token, "service": "ppt", "unit": "",
                                                "admitted_on": TODAY.isoformat()}).status_code == 404
    # Not covered by the consent: refused beside the field, saying why, the choices kept.
    response = leader.post(f"{url}/ta-inn", data={"csrf_token": token, "service": "bup", "unit": bup_unit,
                                                   "admitted_on": TODAY.isoformat()})
    assert response.status_code == 422
    assert "BUP kan ikke tas inn: samtykket omfatter ikke BUP. Foresattes samtykke må omfatte tjenesten." \
        in response.text
    assert f'<option value="{bup_unit}" selected>' in response.text
    assert '<option value="bup" selected>' in response.text
    # Fields the web reads: each error beside its field.
    response = leader.post(f"{url}/ta-inn", data={"csrf_token": token, "service": "nav", "unit": "",
                                                   "admitted_on": "31.02.2026"})
    assert response.status_code == 422 and "velg enheten" in response.text
    assert "Skriv en gyldig dato" in response.text and 'value="31.02.2026"' in response.text
    response = leader.post(f"{url}/ta-inn", data={"csrf_token": token, "service": "ppt", "unit": "",
                                                   "admitted_on": TODAY.isoformat()})
    assert response.status_code == 422 and "allerede med i samarbeidet" in response.text

    # Out, then in again through htmx: the members come back with the history.
    htmx = {"HX-Request": "true"}
    assert leader.post(f"{url}/ta-ut", headers=htmx, data={"csrf_token": token, "member": "team:ppt",
                                                           "removal_reason": REMOVAL}).status_code == 200
    assert adviser.get(url).status_code == 403
    response = nurse.post(f"{url}/ta-inn", headers=htmx,  # the coordinator
                          data={"csrf_token": csrf_of(nurse.get(url).text), "service": "ppt", "unit": "",
                                "admitted_on": TODAY.isoformat()})
    assert response.status_code == 200 and 'id="members"' in response.text and "<html" not in response.text
    assert "tatt inn igjen" in response.text and REMOVAL in response.text
    assert 'id="group"' in response.text and 'hx-swap-oob="true"' in response.text  # its members too
    assert adviser.get(url).status_code == 200
    web.projections.wait()
    assert url in adviser.get("/samarbeid").text


def test_the_service_taken_in_sees_the_collaboration_after_and_not_before(web):
    """BUP comes into the case: the guardians' consent covers it, the collaboration
    did not have it. Its staff see nothing before, the page and the list after,
    on the consent."""
    from tests.webclient import csrf_of

    domain, users, units = web.domain, web.ids["users"], web.ids["units"]
    concern_id = web.concerns["own"]
    child_id = domain.get_concern(concern_id).child_id
    with acting_as(users["styrer"]):
        domain.change_concern(concern_id, domain.get_concern(concern_id).version, users["styrer"],
                              lambda c: c.set_level(2, "Trenger flere tjenester"))
        consent_id = give_consent(domain, child_id, ["helsestasjon", "bup"], recorded_by=users["styrer"],
                                  information=["action_plan"])
        collaboration_id = domain.open_collaboration(
            concern_id, consent_id, [("helsestasjon", units["helsestasjonen"])], ["action_plan"],
            users["helsesykepleier"], users["styrer"])
    web.projections.wait()
    url = f"/samarbeid/{collaboration_id}"
    bup, leader = web.login("bup"), web.login("styrer")
    assert bup.get(url).status_code == 404 and url not in bup.get("/samarbeid").text
    page = leader.get(url).text
    assert "Samtykket omfatter nå: Helsestasjon og skolehelsetjenesten, BUP." in page
    assert leader.post(f"{url}/ta-inn", data={"csrf_token": csrf_of(page), "service": "bup",
                                              "unit": str(units["bup"]),
                                              "admitted_on": TODAY.isoformat()}).status_code == 303
    shown = bup.get(url)
    assert shown.status_code == 200 and "tatt inn" in shown.text
    web.projections.wait()
    assert url in bup.get("/samarbeid").text
    rows = web.projections["access_log"].view.by_user(users["bup"], 0, 10)
    assert {(r["basis"], r["basis_ref"]) for r in rows if r["child_id"] == str(child_id)} == {
        ("consent", str(consent_id))}


def test_the_admission_form_holds_together_and_speaks_english(web):
    from tests.test_language import choose_language
    from tests.test_page_structure import structure_problems
    from tests.webclient import csrf_of

    url, _consent, _child = base.opened_on_the_web(web)
    leader = web.login("styrer")
    page = leader.get(url).text
    refused_page = leader.post(f"{url}/ta-inn", data={"csrf_token": csrf_of(page), "service": "bup",
                                                       "unit": str(web.ids["units"]["bup"]), "admitted_on": ""})
    assert refused_page.status_code == 422
    for html in (page, refused_page.text):
        assert structure_problems(html) == []
    choose_language(web, leader, "en", url)
    english = leader.get(url).text
    assert "Add a service" in english and "Ta inn en tjeneste" not in english
