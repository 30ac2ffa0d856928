"""Collaborations across services (tverrfaglig samarbeid): the rules in the domain,
the policy on the guardians' consent, then the pages."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.collaborations import InvalidCollaboration
from events.policy import Principal, Target, consent_ended_for, may
from tests.factories import SECRETS, give_consent, register_secret_child
from tests.rawstore import leaks

TODAY = clock.today()
MEASURE = "Helsesykepleier har samtaler med Kvitrustad-jenta hver uke"
OBSERVATION = "Virker sliten og lei seg i mange uker"


@pytest.fixture
def case(domain):
    """A child at a barnehage with a level-2 concern, a helsestasjon and a PPT unit,
    and the guardians' consent for helsestasjon and PPT to share the plan."""
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    health = domain.register_unit("Helsestasjonen", "helsestasjon")
    ppt_unit = domain.register_unit("PPT Fjordvik", "ppt")
    child = register_secret_child(domain, kindergarten)
    leader = domain.register_user("styrer", "Kari Nordmann", "Styrer", "unit_leader", kindergarten, None, "h")
    nurse = domain.register_user("hsp", "Sunniva Dahl", "Helsesykepleier", "staff", health, None, "h")
    with acting_as(leader):
        concern = domain.open_concern(child, leader, TODAY, OBSERVATION, "", ["neglect"], 2)
    consent = give_consent(domain, child, ["helsestasjon", "ppt"], information=["observations", "action_plan"])
    return {"domain": domain, "kindergarten": kindergarten, "health": health, "ppt": ppt_unit, "child": child,
            "leader": leader, "nurse": nurse, "concern": concern, "consent": consent}


def set_level(case, level: int) -> None:
    domain = case["domain"]
    with acting_as(case["leader"]):
        domain.change_concern(case["concern"], domain.get_concern(case["concern"]).version, case["leader"],
                              lambda c: c.set_level(level, "Trenger hjelp fra flere tjenester"))


def open_one(case, services=("helsestasjon", "ppt"), information=("action_plan",), **options):
    """Helsestasjon by its unit, PPT by its unit, others by their resource team."""
    units = {"helsestasjon": case["health"], "ppt": case["ppt"]}
    with acting_as(case["leader"]):
        return case["domain"].open_collaboration(case["concern"], case["consent"],
                                                 [(s, units.get(s)) for s in services], list(information),
                                                 case["nurse"], case["leader"], **options)


def target_of(case, collaboration_id, on=TODAY) -> Target:
    domain = case["domain"]
    collaboration = domain.get_collaboration(collaboration_id)
    return Target.collaboration(collaboration, domain.get_concern(collaboration.concern_id),
                                domain.get_consent(collaboration.consent_id), on)


# -- the domain ------------------------------------------------------------------------------------
def test_a_collaboration_opens_at_level_two_on_a_consent_covering_every_service(case, env):
    domain = case["domain"]
    # Level 0: not without the guardians asking, with a reason.
    with pytest.raises(InvalidCollaboration) as refused:
        open_one(case)
    assert refused.value.code == "collaboration.level_too_low"
    set_level(case, 1)
    set_level(case, 2)
    # A service the consent does not cover is not admitted.
    with pytest.raises(InvalidCollaboration) as refused:
        open_one(case, services=("helsestasjon", "bup"))
    assert refused.value.code == "collaboration.consent_missing" and refused.value.params["service"] == "bup"
    # A unit joins only as the service it is.
    with acting_as(case["leader"]):
        with pytest.raises(InvalidCollaboration):
            domain.open_collaboration(case["concern"], case["consent"], [("ppt", case["health"])], ["action_plan"],
                                      case["nurse"], case["leader"])
    # Nor a kind of information it does not cover.
    with pytest.raises(InvalidCollaboration) as refused:
        open_one(case, information=("action_plan", "health"))
    assert refused.value.code == "collaboration.information_not_covered"
    # Barnevernet takes part on its own statutory basis.
    collaboration_id = open_one(case, services=("helsestasjon", "ppt", "barnevern"))
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.services == ["helsestasjon", "ppt", "barnevern"]
    assert collaboration.members[2] == {"service": "barnevern", "unit_id": None}  # its resource team
    assert collaboration.coordinator_id == case["nurse"] and collaboration.guardians  # participants, not users
    assert collaboration.unit_id == case["kindergarten"] and collaboration.is_open


def test_earlier_than_level_two_only_when_the_guardians_asked(case):
    collaboration_id = open_one(case, early_reason="Foreldrene ba selv om samarbeid med helsestasjonen")
    assert case["domain"].get_collaboration(collaboration_id).early_reason.startswith("Foreldrene")


def test_measures_evaluations_and_closing(case, env):
    domain = case["domain"]
    set_level(case, 2)
    collaboration_id = open_one(case)
    with acting_as(case["nurse"]):
        with pytest.raises(InvalidCollaboration) as refused:
            domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                             TODAY - timedelta(days=1), TODAY + timedelta(days=30), case["nurse"])
        assert refused.value.code == "collaboration.deadline_before_start"
        with pytest.raises(InvalidCollaboration) as refused:
            domain.add_collaboration_measure(collaboration_id, MEASURE, "bup", "Noen", TODAY,
                                             TODAY + timedelta(days=60), TODAY + timedelta(days=30), case["nurse"])
        assert refused.value.code == "collaboration.service_not_member"
        domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=30), case["nurse"])
        with pytest.raises(InvalidCollaboration) as refused:
            domain.evaluate_collaboration_measure(collaboration_id, 1, TODAY, "Samtalene hjelper", "", "", "continue",
                                                  None, case["nurse"])
        assert refused.value.code == "collaboration.next_evaluation_required"
        domain.evaluate_collaboration_measure(collaboration_id, 1, TODAY, "Samtalene hjelper", "Fornøyde",
                                              "Liker samtalene", "continue", TODAY + timedelta(days=40), case["nurse"])
    measure = domain.get_collaboration(collaboration_id).measures[0]
    assert measure["evaluate_on"] == TODAY + timedelta(days=40) and measure["evaluations"][0]["child_view"]
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Jenta har det bedre", case["leader"])
        with pytest.raises(InvalidCollaboration):
            domain.add_collaboration_measure(collaboration_id, "Nytt", "ppt", "PPT", TODAY, TODAY, TODAY,
                                             case["leader"])
    assert domain.get_collaboration(collaboration_id).closing["reason"] == "goals_reached"
    # Encrypted under the child's key, like every event about a child.
    assert leaks(env, [*SECRETS, MEASURE, "Samtalene hjelper", "Jenta har det bedre"]) == []


# -- the policy on the consent -------------------------------------------------------------------------
def test_members_of_admitted_services_see_it_and_others_do_not(case):
    set_level(case, 2)
    collaboration_id = open_one(case, services=("helsestasjon",))
    target = target_of(case, collaboration_id)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt_adviser = Principal(uuid4(), "resource_team", None, "ppt")
    ppt_staff = Principal(uuid4(), "staff", case["ppt"], None)
    colleague = Principal(uuid4(), "staff", case["kindergarten"], None)  # not on the concern
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    assert may(nurse, "collaboration.view", target) and may(nurse, "collaboration.edit", target)
    assert may(leader, "collaboration.view", target) and may(leader, "collaboration.close", target)
    # PPT is covered by the consent but was not admitted: a service not a member sees nothing.
    assert not may(ppt_adviser, "collaboration.view", target) and not may(ppt_staff, "collaboration.view", target)
    assert not may(colleague, "collaboration.view", target)
    assert consent_ended_for(ppt_staff, target) == ()


def test_a_withdrawn_consent_ends_access_with_the_reason(case):
    domain = case["domain"]
    set_level(case, 2)
    collaboration_id = open_one(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt_adviser = Principal(uuid4(), "staff", case["ppt"], None)
    assert may(ppt_adviser, "collaboration.view", target_of(case, collaboration_id))
    domain.withdraw_consent(case["consent"], ["helsestasjon"], "Mor ringte og trakk samtykket", TODAY, uuid4())
    target = target_of(case, collaboration_id)
    assert not may(nurse, "collaboration.view", target) and not may(nurse, "collaboration.edit", target)
    (ended,) = consent_ended_for(nurse, target)
    assert ended.refusals[0].code == "consent.withdrawn" and ended.refusals[0].on == TODAY
    assert may(ppt_adviser, "collaboration.edit", target)  # PPT is still covered
    # Withdrawn for every service: no one acts on the consent any more, not even the opening unit;
    # its leader still sees the record, and may close it.
    domain.withdraw_consent(case["consent"], [], "Begge foreldrene trakk samtykket", TODAY, uuid4())
    target = target_of(case, collaboration_id)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    assert not may(ppt_adviser, "collaboration.view", target)
    assert may(leader, "collaboration.view", target) and not may(leader, "collaboration.edit", target)
    assert may(leader, "collaboration.close", target)


def test_an_expired_consent_ends_access(case):
    set_level(case, 2)
    collaboration_id = open_one(case)
    later = TODAY + timedelta(days=400)  # the consent ran 365 days
    target = target_of(case, collaboration_id, on=later)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    assert not may(nurse, "collaboration.view", target)
    assert consent_ended_for(nurse, target)[0].refusals[0].code == "consent.expired"


def test_a_restricted_child_closes_the_collaboration_to_everyone(case):
    from dataclasses import replace

    set_level(case, 2)
    target = replace(target_of(case, open_one(case)), restricted=True)
    assert not may(Principal(case["nurse"], "staff", case["health"], None), "collaboration.view", target)
    assert not may(Principal(case["leader"], "unit_leader", case["kindergarten"], None), "collaboration.view", target)


def test_a_service_without_a_unit_is_its_resource_team(case):
    """PPT by the municipality's resource team: its advisers are admitted, not PPT staff of a unit
    not chosen; barnevernet's stay admitted after the consent is withdrawn (its statutory basis)."""
    domain = case["domain"]
    set_level(case, 3)
    with acting_as(case["leader"]):
        collaboration_id = domain.open_collaboration(case["concern"], case["consent"],
                                                     [("ppt", None), ("barnevern", None)], ["action_plan"],
                                                     case["nurse"], case["leader"])
    target = target_of(case, collaboration_id)
    adviser = Principal(uuid4(), "resource_team", None, "ppt")
    child_welfare = Principal(uuid4(), "resource_team", None, "barnevern")
    assert may(adviser, "collaboration.view", target) and may(child_welfare, "collaboration.view", target)
    assert not may(Principal(uuid4(), "staff", case["ppt"], None), "collaboration.view", target)
    domain.withdraw_consent(case["consent"], [], "Foreldrene trakk samtykket", TODAY, uuid4())
    target = target_of(case, collaboration_id)
    assert not may(adviser, "collaboration.view", target)
    assert consent_ended_for(adviser, target)[0].refusals[0].code == "consent.withdrawn"
    assert may(child_welfare, "collaboration.edit", target)


# -- the pages ---------------------------------------------------------------------------------------
def opened_on_the_web(web, information=("action_plan",)):
    """Styrer opens a collaboration from the own concern (at level 2) with Helsestasjonen and
    PPT's resource team, on a consent that covers the plan (and observations): sharing
    `information`; its URL, the consent's id."""
    from tests.webclient import csrf_of

    domain, users = web.domain, web.ids["users"]
    concern_id = web.concerns["own"]
    child_id = domain.get_concern(concern_id).child_id
    with acting_as(users["styrer"]):
        domain.change_concern(concern_id, domain.get_concern(concern_id).version, users["styrer"],
                              lambda c: c.set_level(2, "Trenger flere tjenester"))
        consent_id = web.give_consent(child_id, ["helsestasjon", "ppt"])
    domain.withdraw_consent(web.consent, [], "Erstattet av nytt samtykke", TODAY, users["styrer"])
    # The new consent covers the plan too.
    with acting_as(users["styrer"]):
        consent_id = give_consent(domain, child_id, ["helsestasjon", "ppt"], recorded_by=users["styrer"],
                                  information=["observations", "action_plan"])
    web.projections.wait()
    leader = web.login("styrer")
    url = f"/samarbeid/ny?bekymring={concern_id}"
    page = leader.get(url)
    assert page.status_code == 200 and "Helsestasjonen i Fjordvik" in page.text
    # Nothing chosen: the errors beside the fields, the reason typed kept.
    response = leader.post(url, data={"csrf_token": csrf_of(page.text), "information": ["action_plan"]})
    assert response.status_code == 422 and "Velg minst én tjeneste" in response.text
    # The coordinator must take part: not a teacher of another unit.
    response = leader.post(url, data={
        "csrf_token": csrf_of(page.text), "consent_id": str(consent_id), "members": ["team:ppt"],
        "information": ["action_plan"], "coordinator_id": str(users["laerer"])})
    assert response.status_code == 422 and "Koordinatoren må være med i samarbeidet" in response.text
    response = leader.post(url, data={
        "csrf_token": csrf_of(page.text), "consent_id": str(consent_id),
        "members": [f"unit:{web.ids['units']['helsestasjonen']}", "team:ppt"],
        "information": list(information), "coordinator_id": str(users["helsesykepleier"])})
    assert response.status_code == 303, response.text
    return response.headers["location"], consent_id, child_id


def test_the_journey_on_the_pages(web):
    from tests.webclient import csrf_of

    url, consent_id, child_id = opened_on_the_web(web)
    nurse, adviser, teacher = web.login("helsesykepleier"), web.login("ppt"), web.login("laerer")
    page = nurse.get(url)
    assert page.status_code == 200 and "Koordinator (stafettholder): Sunniva Dahl" in page.text
    assert "Kom uten matpakke" not in page.text  # the unit's internal logbook is not shared
    assert teacher.get(url).status_code == 404  # another unit, not a member
    assert adviser.get(url).status_code == 200  # PPT by the resource team

    # A measure through htmx: the plan comes back; a missing field keeps what was typed.
    htmx = {"HX-Request": "true"}
    response = nurse.post(f"{url}/tiltak", headers=htmx, data={
        "csrf_token": csrf_of(page.text), "what": MEASURE, "service": "helsestasjon", "responsible": "",
        "starts_on": TODAY.isoformat(), "deadline": (TODAY + timedelta(days=60)).isoformat(),
        "evaluate_on": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 422 and MEASURE in response.text and "Feltet må fylles ut" in response.text
    response = nurse.post(f"{url}/tiltak", headers=htmx, data={
        "csrf_token": csrf_of(page.text), "what": MEASURE, "service": "helsestasjon", "responsible": "Sunniva Dahl",
        "starts_on": TODAY.isoformat(), "deadline": (TODAY + timedelta(days=60)).isoformat(),
        "evaluate_on": (TODAY + timedelta(days=30)).isoformat()})
    assert response.status_code == 200 and MEASURE in response.text and 'id="plan"' in response.text
    assert "<html" not in response.text
    assert leaks(web.env, [MEASURE]) == []  # events and read models alike
    web.projections.wait()
    listed = nurse.get("/samarbeid")
    assert listed.status_code == 200 and url in listed.text

    # The guardians withdraw the consent for helsestasjonen: her next request says why, and shows nothing.
    child_name = web.domain.get_child(child_id).name
    web.domain.withdraw_consent(consent_id, ["helsestasjon"], "Mor ringte", TODAY, web.ids["users"]["styrer"])
    refused = nurse.get(url)
    assert refused.status_code == 403 and "Ikke lenger tilgang" in refused.text
    assert "trukket" in refused.text and child_name not in refused.text and MEASURE not in refused.text
    assert nurse.post(f"{url}/tiltak", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    assert url not in nurse.get("/samarbeid").text
    assert adviser.get(url).status_code == 200  # PPT is still covered

    # Every read is in the access log, with its basis: the consent, not "outside the unit".
    web.projections.wait()
    rows = web.projections["access_log"].view.report_summary(child_id, "2000", "9999")
    bases = {(r["user_id"], r["basis"]) for r in rows}
    assert (str(web.ids["users"]["helsesykepleier"]), "consent") in bases
    assert (str(web.ids["users"]["ppt"]), "consent") in bases
    assert (str(web.ids["users"]["styrer"]), "own_unit") in bases
    # The privacy officer sees the collaborations about the child, not their content.
    log = web.login("personvern").get(f"/personvern/barn/{child_id}").text
    assert "Tverrfaglig samarbeid" in log and "PPT" in log and MEASURE not in log


def test_only_the_units_leader_opens_one(web):
    concern_id = web.concerns["own"]
    assert web.login("staff").get(f"/samarbeid/ny?bekymring={concern_id}").status_code == 404
    assert web.login("rektor").get(f"/samarbeid/ny?bekymring={concern_id}").status_code == 404
    page = web.login("styrer").get(f"/bekymringer/{concern_id}").text
    assert f"/samarbeid/ny?bekymring={concern_id}" in page


# Each demo user: the page, and adding a measure, with the consent whole and once
# withdrawn for helsestasjonen (the basis, if admitted).
WHO_SEES = {
    "styrer": (200, 200),  # the opening unit's leader (own unit)
    "pedleder": (200, 200),  # the concern's author (own unit)
    "barnehagelaerer": (404, 404),  # the unit's colleague, not on the concern
    "helsesykepleier": (200, 403),  # a member unit (consent), then why not
    "helseleder": (200, 403),
    "ppt": (200, 200),  # PPT's resource team (consent)
    "helsetjeneste": (404, 404),  # helsestasjon joined by its unit, not its resource team
    "barnevern": (404, 404),  # not a member
    "laerer": (404, 404), "rektor": (404, 404), "sfo": (404, 404),
    "personvern": (404, 404), "kommunalsjef": (404, 404), "admin": (404, 404),
}


def test_who_sees_a_collaboration(web):
    url, consent_id, _child = opened_on_the_web(web)
    clients = {username: web.login(username) for username in WHO_SEES}

    def statuses():
        found = {}
        for username, client in clients.items():
            found[username] = client.get(url).status_code
            assert client.get(f"{url}/plan").status_code == found[username], username  # the printed plan
            token = client.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
            posted = client.post(f"{url}/tiltak", data={"csrf_token": token, "what": ""}).status_code
            # Admitted: the form's refusal (422); refused: as the page.
            assert posted == (422 if found[username] == 200 else found[username]), (username, posted)
        return found

    assert statuses() == {u: s[0] for u, s in WHO_SEES.items()}
    web.domain.withdraw_consent(consent_id, ["helsestasjon"], "Mor ringte", TODAY, web.ids["users"]["styrer"])
    assert statuses() == {u: s[1] for u, s in WHO_SEES.items()}


def test_evaluating_and_closing_on_the_pages(web):
    from tests.webclient import csrf_of

    url, _consent, _child = opened_on_the_web(web)
    nurse, leader = web.login("helsesykepleier"), web.login("styrer")
    page = nurse.get(url).text
    assert nurse.post(f"{url}/mal", data={"csrf_token": csrf_of(page), "goal": ""}).status_code == 422
    assert nurse.post(f"{url}/mal", data={"csrf_token": csrf_of(page),
                                          "goal": "Hun skal like seg i barnehagen"}).status_code == 303
    assert nurse.post(f"{url}/tiltak", data={
        "csrf_token": csrf_of(page), "what": MEASURE, "service": "ppt", "responsible": "Reidar Lunde", "goal": "1",
        "starts_on": TODAY.isoformat(), "deadline": (TODAY + timedelta(days=60)).isoformat(),
        "evaluate_on": (TODAY + timedelta(days=30)).isoformat()}).status_code == 303
    # Continuing needs a next evaluation date: refused beside the field, what was typed kept.
    response = nurse.post(f"{url}/evaluer", data={
        "csrf_token": csrf_of(page), "no": "1", "evaluated_on": TODAY.isoformat(),
        "what_happened": "Tre samtaler holdt", "decision": "continue"})
    assert response.status_code == 422 and "Tre samtaler holdt" in response.text
    assert "ny evalueringsdato" in response.text
    assert nurse.post(f"{url}/evaluer", data={
        "csrf_token": csrf_of(page), "no": "1", "evaluated_on": TODAY.isoformat(),
        "what_happened": "Tre samtaler holdt", "guardians_view": "Mor er fornøyd", "child_view": "Liker det",
        "decision": "end"}).status_code == 303
    shown = nurse.get(url).text
    assert "Mor er fornøyd" in shown and "Avsluttet" in shown and "Hun skal like seg i barnehagen" in shown
    assert web.domain.get_collaboration(UUID(url.rsplit("/", 1)[1])).measures[0]["goal"] == 1
    # Only the opening unit's leader closes it, with a reason and a summary.
    assert nurse.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "goals_reached",
                                              "summary": "Bra"}).status_code == 404
    page = leader.get(url).text
    response = leader.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "goals_reached"})
    assert response.status_code == 422 and "Feltet må fylles ut" in response.text
    assert leader.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "goals_reached",
                                               "summary": "Jenta trives"}).status_code == 303
    shown = leader.get(url).text
    assert "Målene er nådd" in shown and "Jenta trives" in shown and "Legg til tiltak" not in shown


def test_the_coordinator_role_is_handed_over_and_accepted(case):
    domain = case["domain"]
    set_level(case, 2)
    collaboration_id = open_one(case)
    adviser = domain.register_user("pptr", "Reidar Lunde", "PP-rådgiver", "staff", case["ppt"], None, "h")
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt = Principal(adviser, "staff", case["ppt"], None)
    target = target_of(case, collaboration_id)
    assert may(nurse, "collaboration.handover", target) and not may(ppt, "collaboration.handover", target)
    with acting_as(case["nurse"]):
        domain.propose_coordinator(collaboration_id, adviser, case["nurse"])
    with pytest.raises(InvalidCollaboration) as refused:
        domain.accept_coordinator(collaboration_id, case["leader"])
    assert refused.value.code == "collaboration.no_handover_for_you"
    target = target_of(case, collaboration_id)
    assert may(ppt, "collaboration.accept", target) and not may(nurse, "collaboration.accept", target)
    assert domain.get_collaboration(collaboration_id).coordinator_id == case["nurse"]  # until accepted
    with acting_as(adviser):
        domain.accept_coordinator(collaboration_id, adviser)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.coordinator_id == adviser and collaboration.handover is None
    assert [c["user_id"] for c in collaboration.coordinators] == [case["nurse"], adviser]
    assert collaboration.coordinators[1]["proposed_by"] == case["nurse"]
    # A consent withdrawn for PPT: the coordinator can no longer act either.
    domain.withdraw_consent(case["consent"], ["ppt"], "Far ringte", TODAY, uuid4())
    assert not may(ppt, "collaboration.handover", target_of(case, collaboration_id))


def test_handing_the_coordinator_role_to_ppt_on_the_pages(web):
    from tests.webclient import csrf_of

    url, _consent, _child = opened_on_the_web(web)
    nurse, adviser, teacher = web.login("helsesykepleier"), web.login("ppt"), web.login("laerer")
    page = nurse.get(url).text
    assert "Foreslå ny koordinator" in page and "Foreslå ny koordinator" not in adviser.get(url).text
    # Only someone admitted to the collaboration can be proposed.
    response = nurse.post(f"{url}/koordinator", data={"csrf_token": csrf_of(page),
                                                      "to_user_id": str(web.ids["users"]["laerer"])})
    assert response.status_code == 422 and "Velg en som er med i samarbeidet" in response.text
    response = nurse.post(f"{url}/koordinator", headers={"HX-Request": "true"}, data={
        "csrf_token": csrf_of(page), "to_user_id": str(web.ids["users"]["ppt"])})
    assert response.status_code == 200 and 'id="coordinator"' in response.text and "venter på svar" in response.text
    assert teacher.post(f"{url}/godta-koordinator", data={"csrf_token": csrf_of(page)}).status_code == 404
    page = adviser.get(url).text
    assert "Du er foreslått som koordinator" in adviser.get("/samarbeid").text  # waiting for her
    assert adviser.post(f"{url}/godta-koordinator", data={"csrf_token": csrf_of(page)}).status_code == 303
    assert "Du er foreslått som koordinator" not in adviser.get("/samarbeid").text
    assert "Koordinator (stafettholder): Reidar Lunde" in adviser.get(url).text
    assert "Foreslå ny koordinator" in adviser.get(url).text  # the new coordinator hands it on


def test_the_page_in_english(web):
    from tests.test_language import choose_language

    url, _consent, _child = opened_on_the_web(web)
    nurse = web.login("helsesykepleier")
    choose_language(web, nurse, "en", url)
    page = nurse.get(url).text
    assert "Shared plan" in page and "Propose a new coordinator" in page and "Felles plan" not in page


def test_goals_in_the_familys_words_and_measures_towards_them(case, env):
    domain = case["domain"]
    set_level(case, 2)
    collaboration_id = open_one(case)
    goal = "Kvitrustad-jenta skal gle seg til å gå i barnehagen"
    with acting_as(case["nurse"]):
        with pytest.raises(InvalidCollaboration) as refused:
            domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                             TODAY + timedelta(days=60), TODAY + timedelta(days=30), case["nurse"],
                                             goal=1)
        assert refused.value.code == "collaboration.no_such_goal"
        domain.add_collaboration_goal(collaboration_id, goal, case["nurse"])
        domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=30), case["nurse"], goal=1)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.goals[0]["text"] == goal and collaboration.measures[0]["goal"] == 1
    assert leaks(env, [goal]) == []
