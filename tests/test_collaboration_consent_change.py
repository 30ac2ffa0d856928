"""A collaboration moved onto a new consent: the old one ran out or was withdrawn,
or the guardians signed one that covers more (BUP). The new consent is the
child's, given, in force, and covers every current member and every kind of
information shared; the plan, group and history stay, and the access of the
members follows the new consent at their next request, on it as their basis.
The domain and the policy on both stores, then the pages."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta
from uuid import uuid4

import pytest

from events import clock
from events.base import acting_as
from events.collaborations import InvalidCollaboration
from events.policy import Principal, consent_ended_for, may
from projections.live import ProjectionRunner
from tests import test_collaborations as base
from tests.factories import give_consent, guardians

case = base.case  # a child's level-2 concern at a barnehage; the consent covers helsestasjon and PPT
TODAY = clock.today()
INFORMATION = ["observations", "action_plan"]


@contextmanager
def refused(code: str):
    with pytest.raises(InvalidCollaboration) as info:
        yield info
    assert info.value.code == code, info.value.code


def change(case, collaboration_id, consent_id, on=None, by=None):
    by = by or case["leader"]
    with acting_as(by):
        case["domain"].change_collaboration_consent(collaboration_id, consent_id, on or TODAY, by)


def opened(case):
    base.set_level(case, 2)
    return base.open_one(case, information=("action_plan", "observations"))  # helsestasjon and PPT


def new_consent(case, services=("helsestasjon", "ppt", "bup"), **fields):
    fields.setdefault("information", INFORMATION)
    return give_consent(case["domain"], case["child"], list(services), **fields)


# -- the domain -------------------------------------------------------------------------------------
def test_the_collaboration_moves_onto_a_consent_covering_more_and_keeps_its_history(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    with acting_as(case["nurse"]):
        domain.add_collaboration_goal(collaboration_id, "Trives i barnehagen", case["nurse"])
    wider = new_consent(case)
    change(case, collaboration_id, wider, by=case["nurse"])  # the coordinator
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.consent_id == wider
    assert collaboration.consents == [
        {"consent_id": case["consent"], "from": TODAY},
        {"consent_id": wider, "from": TODAY, "by": case["nurse"], "changed_on": TODAY}]
    assert [g["text"] for g in collaboration.goals] == ["Trives i barnehagen"]  # the plan stays
    # BUP can now be taken in: the collaboration's consent covers it.
    bup = domain.register_unit("BUP Fjordvik", "bup")
    with acting_as(case["leader"]):
        domain.admit_collaboration_member(collaboration_id, "bup", bup, TODAY, case["leader"])
    assert domain.get_collaboration(collaboration_id).current_services == ["helsestasjon", "ppt", "bup"]
    # The same one again: nothing to change.
    with refused("collaboration.consent_unchanged"):
        change(case, collaboration_id, wider)


def test_a_consent_of_another_child_refused_or_withdrawn_is_refused(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    other_child = domain.register_child("Ola", "Berg", TODAY - timedelta(days=4 * 365), case["kindergarten"],
                                        guardians=guardians())
    with refused("collaboration.consent_of_other_child") as refusal:
        change(case, collaboration_id, give_consent(domain, other_child, ["helsestasjon", "ppt"],
                                                    information=INFORMATION))
    assert refusal.value.field == "consent_id"
    with refused("collaboration.consent_not_given"):
        change(case, collaboration_id, new_consent(case, decision="refused"))
    withdrawn = new_consent(case)
    domain.withdraw_consent(withdrawn, [], "Foreldrene trakk det", TODAY, uuid4())
    with refused("collaboration.consent_withdrawn"):
        change(case, collaboration_id, withdrawn)


def test_a_consent_not_in_force_on_the_day_is_refused(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    expired = new_consent(case, valid_from=TODAY - timedelta(days=100), valid_until=TODAY - timedelta(days=1))
    with refused("collaboration.consent_expired") as refusal:
        change(case, collaboration_id, expired)
    assert refusal.value.params["on"] == TODAY - timedelta(days=1)
    later = new_consent(case, valid_from=TODAY + timedelta(days=10), valid_until=TODAY + timedelta(days=300))
    with refused("collaboration.consent_not_yet_valid"):
        change(case, collaboration_id, later)
    with refused("date.in_future"):
        change(case, collaboration_id, new_consent(case), on=TODAY + timedelta(days=1))
    with refused("collaboration.consent_change_too_early"):  # before the collaboration's own start
        change(case, collaboration_id, new_consent(case), on=TODAY - timedelta(days=1))
    assert domain.get_collaboration(collaboration_id).consent_id == case["consent"]


def test_the_new_consent_covers_every_current_member_and_the_information_shared(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    with refused("collaboration.consent_missing") as refusal:  # PPT is a member
        change(case, collaboration_id, new_consent(case, services=("helsestasjon", "bup")))
    assert refusal.value.field == "consent_id" and refusal.value.params["service"] == "ppt"
    assert [r.code for r in refusal.value.params["refusals"]] == ["consent.service_not_covered"]
    partly = new_consent(case)
    domain.withdraw_consent(partly, ["ppt"], "Far ringte", TODAY, uuid4())
    with refused("collaboration.consent_missing") as refusal:
        change(case, collaboration_id, partly)
    assert [r.code for r in refusal.value.params["refusals"]] == ["consent.withdrawn"]
    with refused("collaboration.information_not_covered") as refusal:  # observations are shared
        change(case, collaboration_id, new_consent(case, information=["action_plan"]))
    assert refusal.value.field == "consent_id" and refusal.value.params["information"] == ["observations"]
    # A member taken out need not be covered: only the current ones.
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], "Ferdig", case["leader"])
    change(case, collaboration_id, new_consent(case, services=("helsestasjon",)))


def test_not_on_a_closed_collaboration(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Bra", case["leader"])
    with refused("collaboration.closed"):
        change(case, collaboration_id, new_consent(case))


# -- the policy ---------------------------------------------------------------------------------------
def test_access_ended_by_the_old_consent_comes_back_on_the_new_one(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    domain.withdraw_consent(case["consent"], [], "Foreldrene trakk samtykket", TODAY, uuid4())
    target = base.target_of(case, collaboration_id)
    assert not may(nurse, "collaboration.view", target)
    assert consent_ended_for(nurse, target)[0].refusals[0].code == "consent.withdrawn"
    # No one acts on the old consent, yet the opening unit's leader may move it onto a new one;
    # the coordinator, whose access ended with it, may not until then.
    assert not target.live
    assert may(leader, "collaboration.change_consent", target)
    assert not may(nurse, "collaboration.change_consent", target)
    renewed = new_consent(case)
    change(case, collaboration_id, renewed)
    target = base.target_of(case, collaboration_id)
    assert may(nurse, "collaboration.view", target) and may(nurse, "collaboration.edit", target)
    assert consent_ended_for(nurse, target) == ()
    from events.policy import decide

    assert decide(nurse, "collaboration.view", target).basis.ref == renewed  # the access names the new one
    assert may(nurse, "collaboration.change_consent", target)  # the coordinator, admitted again


def test_who_may_change_the_consent(case):
    collaboration_id = opened(case)
    target = base.target_of(case, collaboration_id)
    assert may(Principal(case["nurse"], "staff", case["health"], None), "collaboration.change_consent", target)
    assert may(Principal(case["leader"], "unit_leader", case["kindergarten"], None),
               "collaboration.change_consent", target)
    for other in (Principal(uuid4(), "staff", case["ppt"], None),  # a member, not the coordinator
                  Principal(uuid4(), "staff", case["kindergarten"], None),
                  Principal(uuid4(), "unit_leader", case["health"], None),
                  Principal(uuid4(), "privacy_officer", None, None), Principal(uuid4(), "admin", None, None)):
        assert not may(other, "collaboration.change_consent", target), other.role
    with acting_as(case["leader"]):
        case["domain"].close_collaboration(collaboration_id, "goals_reached", "Bra", case["leader"])
    assert not may(Principal(case["leader"], "unit_leader", case["kindergarten"], None),
                   "collaboration.change_consent", base.target_of(case, collaboration_id))


def test_the_notifications_follow_the_current_consent(case):
    """A consent running out waits for the members; after the change, the new one's dates count."""
    domain = case["domain"]
    runner = ProjectionRunner(domain)
    base.set_level(case, 2)
    short = new_consent(case, services=("helsestasjon", "ppt"), days=10)
    with acting_as(case["leader"]):
        collaboration_id = domain.open_collaboration(case["concern"], short, [("helsestasjon", case["health"])],
                                                     ["action_plan"], case["nurse"], case["leader"])

    def consent_of_row():
        runner.catch_up()
        rows = runner["notifications"].view.waiting_candidates(
            case["nurse"], case["health"], None, TODAY, TODAY + timedelta(days=30), TODAY, 10)
        return [c.consent_id for c, _k in rows if c.id == collaboration_id]

    assert consent_of_row() == [short]
    change(case, collaboration_id, new_consent(case, days=365))
    assert consent_of_row() == []  # nothing runs out within 30 days any more


# -- the pages ---------------------------------------------------------------------------------------
def test_moving_onto_a_new_consent_on_the_page_after_the_old_one_expired(web):
    """Opened 100 days ago on a consent that ended 10 days ago: the nurse's access
    ended. The leader moves it onto the guardians' new consent: errors beside the
    field first, then the nurse sees it again, on the new consent."""
    from tests.webclient import csrf_of

    domain, users, units = web.domain, web.ids["users"], web.ids["units"]
    concern_id = web.concerns["own"]
    child_id = domain.get_concern(concern_id).child_id
    back_then = datetime.combine(TODAY - timedelta(days=100), time(12), tzinfo=clock.OSLO)
    with clock.set_to(back_then), acting_as(users["styrer"]):
        domain.change_concern(concern_id, domain.get_concern(concern_id).version, users["styrer"],
                              lambda c: c.set_level(2, "Trenger flere tjenester"))
        old = give_consent(domain, child_id, ["helsestasjon"], recorded_by=users["styrer"],
                           information=["action_plan"], valid_from=TODAY - timedelta(days=120),
                           valid_until=TODAY - timedelta(days=10))
        collaboration_id = domain.open_collaboration(
            concern_id, old, [("helsestasjon", units["helsestasjonen"])], ["action_plan"],
            users["helsesykepleier"], users["styrer"])
    web.projections.wait()
    url = f"/samarbeid/{collaboration_id}"
    nurse, leader = web.login("helsesykepleier"), web.login("styrer")
    assert nurse.get(url).status_code == 403
    page = leader.get(url).text
    assert "Samtykket dekker ingen av tjenestene lenger" in page
    assert 'href="#f-change-consent"' in page and f'value="{web.consent}"' in page  # the fixture's consent
    domain.withdraw_consent(web.consent, [], "Erstattes", TODAY, users["styrer"])
    assert "Barnet har ikke noe annet gyldig samtykke" in leader.get(url).text
    with acting_as(users["styrer"]):
        narrow = give_consent(domain, child_id, ["ppt"], recorded_by=users["styrer"], information=["action_plan"])
        renewed = give_consent(domain, child_id, ["helsestasjon", "bup"], recorded_by=users["styrer"],
                               information=["action_plan"])
    page = leader.get(url).text
    assert "Bytt til nytt samtykke" in page and f'value="{renewed}"' in page and f'value="{old}"' not in page
    token = csrf_of(page)
    # Not covering Helsestasjonen: refused beside the field, the choice and the date kept.
    response = leader.post(f"{url}/samtykke", data={"csrf_token": token, "consent_id": str(narrow),
                                                     "changed_on": TODAY.isoformat()})
    assert response.status_code == 422
    assert "Samtykket dekker ikke Helsestasjon og skolehelsetjenesten" in response.text
    assert 'id="f-consent-error"' in response.text
    assert f'value="{narrow}" checked' in response.text
    with acting_as(users["styrer"]):
        expired = give_consent(domain, child_id, ["helsestasjon"], recorded_by=users["styrer"],
                               information=["action_plan"], valid_from=TODAY - timedelta(days=60),
                               valid_until=TODAY - timedelta(days=1))
    response = leader.post(f"{url}/samtykke", data={"csrf_token": token, "consent_id": str(expired),
                                                     "changed_on": TODAY.isoformat()})
    assert response.status_code == 422
    assert f"Samtykket gikk ut {(TODAY - timedelta(days=1)):%d.%m.%Y}." in response.text
    response = leader.post(f"{url}/samtykke", data={"csrf_token": token, "consent_id": "", "changed_on": "31.02"})
    assert response.status_code == 422
    assert "Velg det nye samtykket" in response.text and "Skriv en gyldig dato" in response.text
    assert 'value="31.02"' in response.text
    # The nurse may not (her access ended with the old consent).
    assert nurse.post(f"{url}/samtykke", data={"csrf_token": token, "consent_id": str(renewed),
                                               "changed_on": TODAY.isoformat()}).status_code in (403, 404)
    response = leader.post(f"{url}/samtykke", headers={"HX-Request": "true"},
                           data={"csrf_token": token, "consent_id": str(renewed), "changed_on": TODAY.isoformat()})
    assert response.status_code == 200 and 'id="members"' in response.text and "<html" not in response.text
    assert "Samtykkene samarbeidet har bygget på:" in response.text and "(gjeldende)" in response.text
    shown = nurse.get(url)
    assert shown.status_code == 200 and "Samtykket dekker ingen av tjenestene lenger" not in shown.text
    web.projections.wait()
    rows = web.projections["access_log"].view.by_user(users["helsesykepleier"], 0, 10)
    assert {(r["basis"], r["basis_ref"]) for r in rows if r["child_id"] == str(child_id)} == {
        ("consent", str(renewed))}


def test_the_change_form_speaks_english(web):
    from tests.test_language import choose_language
    from tests.test_page_structure import structure_problems

    url, _consent, child_id = base.opened_on_the_web(web)
    with acting_as(web.ids["users"]["styrer"]):
        give_consent(web.domain, child_id, ["helsestasjon", "ppt"], information=["observations", "action_plan"],
                     recorded_by=web.ids["users"]["styrer"])
    leader = web.login("styrer")
    page = leader.get(url).text
    assert "Bytt til nytt samtykke" in page and structure_problems(page) == []
    choose_language(web, leader, "en", url)
    english = leader.get(url).text
    assert "Move to a new consent" in english and "Bytt til nytt samtykke" not in english
