"""A collaboration's plan over its life: its status, printed for the family; a member
service taken out (its access ends at its next request, saying why); entries of the
unit's internal logbook shared into it one by one; and its ending, into an
individuell plan with a hand-off. The domain and the policy on both stores, then the pages."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.collaborations import InvalidCollaboration
from events.policy import Principal, Target, consent_ended_for, may
from tests import test_collaborations as base
from tests.rawstore import leaks

case = base.case  # the same child, units, people and consent
TODAY = clock.today()
GOAL = "Kvitrustad-jenta skal gle seg til å gå i barnehagen"
MEASURE = base.MEASURE
REMOVAL = "Foreldrene ønsker ikke PPT med lenger etter møtet"
ENTRY = "Sovnet i samlingsstunden tre dager på rad"
HANDOFF = "Helsesykepleier Sunniva Dahl koordinerer den individuelle planen"


def opened(case, information=("action_plan",)) -> UUID:
    base.set_level(case, 2)
    return base.open_one(case, information=information)


def with_goal_and_measure(case, collaboration_id) -> None:
    domain = case["domain"]
    with acting_as(case["nurse"]):
        domain.add_collaboration_goal(collaboration_id, GOAL, case["nurse"])
        domain.add_collaboration_measure(collaboration_id, MEASURE, "helsestasjon", "Sunniva Dahl", TODAY,
                                         TODAY + timedelta(days=60), TODAY + timedelta(days=30), case["nurse"], goal=1)


def refused(code: str):
    class Refused:
        def __enter__(self):
            self.raises = pytest.raises(InvalidCollaboration)
            self.info = self.raises.__enter__()

        def __exit__(self, *exc):
            self.raises.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.code
            return True

    return Refused()


# -- the plan's status -------------------------------------------------------------------------------
@pytest.mark.parametrize("reason", ["goals_reached", "individual_plan"])
def test_the_plan_ends_with_the_collaboration(case, reason):
    """The plan's status is the ansvarsgruppe's (changed in the minutes) until the
    collaboration closes: then it has ended, whatever it was."""
    domain = case["domain"]
    collaboration_id = opened(case)
    assert domain.get_collaboration(collaboration_id).plan_status == "draft"
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, reason, "Jenta trives", case["leader"], plan_coordinator=HANDOFF)
    assert domain.get_collaboration(collaboration_id).plan_status == "ended"


# -- taking a member service out ------------------------------------------------------------------------
def test_a_service_taken_out_loses_access_and_is_told_why(case, env):
    domain = case["domain"]
    collaboration_id = opened(case)
    ppt = Principal(uuid4(), "staff", case["ppt"], None)
    assert may(ppt, "collaboration.view", base.target_of(case, collaboration_id))
    with acting_as(case["leader"]):
        with refused("text.required"):  # a reason, for the history
            domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], " ", case["leader"])
        with refused("collaboration.not_a_member"):
            domain.remove_collaboration_member(collaboration_id, "bup", None, REMOVAL, case["leader"])
        # The coordinator's own service stays until the role is handed over.
        with refused("collaboration.coordinators_service"):
            domain.remove_collaboration_member(collaboration_id, "helsestasjon", case["health"], REMOVAL,
                                               case["leader"])
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.current_services == ["helsestasjon"] and collaboration.services == ["helsestasjon", "ppt"]
    removed = collaboration.members[1]
    assert removed["removed_on"] == TODAY and removed["removed_by"] == case["leader"]
    target = base.target_of(case, collaboration_id)
    assert not may(ppt, "collaboration.view", target) and not may(ppt, "collaboration.edit", target)
    (ended,) = consent_ended_for(ppt, target)
    assert ended.refusals[0].code == "collaboration.removed" and ended.refusals[0].on == TODAY
    assert "removed from the collaboration" in ended.reason
    assert may(Principal(case["nurse"], "staff", case["health"], None), "collaboration.edit", target)
    with acting_as(case["nurse"]):  # no new measure for the service taken out
        with refused("collaboration.service_not_member"):
            domain.add_collaboration_measure(collaboration_id, "Nytt", "ppt", "PPT", TODAY, TODAY, TODAY,
                                             case["nurse"])
    with acting_as(case["leader"]):
        with refused("collaboration.not_a_member"):  # taken out already
            domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    assert leaks(env, [REMOVAL]) == []


def test_a_handover_to_someone_of_the_service_taken_out_lapses(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    adviser = domain.register_user("pptr", "Reidar Lunde", "PP-rådgiver", "staff", case["ppt"], None, "h")
    with acting_as(case["nurse"]):
        domain.propose_coordinator(collaboration_id, adviser, case["nurse"])
    with acting_as(case["leader"]):
        domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])
    assert domain.get_collaboration(collaboration_id).handover is None
    with refused("collaboration.no_handover_for_you"):
        domain.accept_coordinator(collaboration_id, adviser)


def test_the_last_service_is_not_taken_out(case):
    domain = case["domain"]
    base.set_level(case, 2)
    collaboration_id = base.open_one(case, services=("ppt",))
    with acting_as(case["leader"]):
        with refused("collaboration.last_member"):
            domain.remove_collaboration_member(collaboration_id, "ppt", case["ppt"], REMOVAL, case["leader"])


def test_the_coordinator_or_the_opening_units_leader_takes_a_service_out(case):
    collaboration_id = opened(case)
    target = base.target_of(case, collaboration_id)
    assert may(Principal(case["nurse"], "staff", case["health"], None), "collaboration.remove_member", target)
    assert may(Principal(case["leader"], "unit_leader", case["kindergarten"], None), "collaboration.remove_member",
               target)
    assert not may(Principal(uuid4(), "staff", case["ppt"], None), "collaboration.remove_member", target)
    assert not may(Principal(uuid4(), "unit_leader", case["ppt"], None), "collaboration.remove_member", target)
    assert not may(Principal(uuid4(), "staff", case["kindergarten"], None), "collaboration.remove_member", target)


# -- the unit's internal logbook, shared entry by entry ---------------------------------------------------
def log_entry(case, author) -> int:
    domain = case["domain"]
    with acting_as(author):
        domain.change_concern(case["concern"], domain.get_concern(case["concern"]).version, author,
                              lambda c: c.log_observation(TODAY, ENTRY, "", author))
    return len(domain.get_concern(case["concern"]).entries)


def entry_target(case, collaboration_id, no) -> Target:
    domain = case["domain"]
    collaboration = domain.get_collaboration(collaboration_id)
    return Target.collaboration_entry(collaboration, domain.get_concern(collaboration.concern_id),
                                      domain.get_consent(collaboration.consent_id), TODAY, no)


def test_a_member_service_reads_only_the_entries_shared_with_it(case, env):
    domain = case["domain"]
    collaboration_id = opened(case, information=("action_plan", "observations"))
    pedagogue = domain.register_user("ped", "Per Pedersen", "Pedagogisk leder", "staff", case["kindergarten"],
                                     None, "h")
    with acting_as(case["leader"]):
        domain.change_concern(case["concern"], domain.get_concern(case["concern"]).version, case["leader"],
                              lambda c: c.share_with(pedagogue))
    no = log_entry(case, pedagogue)
    nurse = Principal(case["nurse"], "staff", case["health"], None)
    ppt = Principal(uuid4(), "staff", case["ppt"], None)
    author = Principal(pedagogue, "staff", case["kindergarten"], None)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    colleague = Principal(uuid4(), "staff", case["kindergarten"], None)  # not on the concern

    target = entry_target(case, collaboration_id, no)
    assert not may(nurse, "collaboration.entry.view", target)  # the unit's internal logbook
    assert may(author, "collaboration.entry.view", target) and may(leader, "collaboration.entry.view", target)
    assert not may(colleague, "collaboration.entry.view", target) and not may(ppt, "collaboration.entry.view", target)
    # Its author or the unit's leader shares it; not the member services, not the coordinator.
    assert may(author, "collaboration.entry.share", target) and may(leader, "collaboration.entry.share", target)
    assert not may(nurse, "collaboration.entry.share", target)
    assert not may(author, "collaboration.entry.share", entry_target(case, collaboration_id, 1))  # the leader's

    with acting_as(pedagogue):
        with refused("collaboration.information_not_shared"):  # the collaboration shares no health data
            domain.share_collaboration_entry(collaboration_id, no, "health", pedagogue)
        with refused("collaboration.information_not_shared"):  # the plan is not a logbook entry
            domain.share_collaboration_entry(collaboration_id, no, "action_plan", pedagogue)
        with refused("collaboration.no_such_entry"):
            domain.share_collaboration_entry(collaboration_id, no + 1, "observations", pedagogue)
        domain.share_collaboration_entry(collaboration_id, no, "observations", pedagogue)
        with refused("collaboration.entry_already_shared"):
            domain.share_collaboration_entry(collaboration_id, no, "observations", pedagogue)
    target = entry_target(case, collaboration_id, no)
    assert may(nurse, "collaboration.entry.view", target) and may(ppt, "collaboration.entry.view", target)
    assert not may(colleague, "collaboration.entry.view", target)
    assert not may(nurse, "collaboration.entry.view", entry_target(case, collaboration_id, 1))  # not shared
    shared = domain.get_collaboration(collaboration_id).shared_entries
    assert shared == [{"no": no, "information": "observations", "on": TODAY, "by": pedagogue}]

    # Taken back: the member services no longer read it.
    assert not may(nurse, "collaboration.entry.unshare", target) and may(leader, "collaboration.entry.unshare", target)
    with acting_as(case["leader"]):
        domain.unshare_collaboration_entry(collaboration_id, no, case["leader"])
        with refused("collaboration.entry_not_shared"):
            domain.unshare_collaboration_entry(collaboration_id, no, case["leader"])
    assert not may(nurse, "collaboration.entry.view", entry_target(case, collaboration_id, no))
    assert leaks(env, [ENTRY]) == []


def test_only_a_kind_of_information_the_consent_covers_is_shared(case):
    """A consent that covers only the plan: no entry is shared, whatever is asked."""
    domain = case["domain"]
    from tests.factories import give_consent

    case["consent"] = give_consent(domain, case["child"], ["helsestasjon", "ppt"], information=["action_plan"])
    collaboration_id = opened(case)
    with acting_as(case["leader"]):
        with refused("collaboration.information_not_shared"):
            domain.share_collaboration_entry(collaboration_id, 1, "observations", case["leader"])


# -- ending -----------------------------------------------------------------------------------------------
def test_ending_into_an_individual_plan_names_who_coordinates_it(case, env):
    domain = case["domain"]
    collaboration_id = opened(case)
    with_goal_and_measure(case, collaboration_id)
    with acting_as(case["leader"]):
        with refused("text.required"):
            domain.close_collaboration(collaboration_id, "individual_plan", "Videre i IP", case["leader"])
        domain.close_collaboration(collaboration_id, "individual_plan", "Videre i IP", case["leader"],
                                   plan_coordinator=HANDOFF)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.closing["plan_coordinator"] == HANDOFF and collaboration.plan_status == "ended"
    assert collaboration.goals and collaboration.measures  # the hand-off prints the plan as it stood
    assert leaks(env, [HANDOFF]) == []


@pytest.mark.parametrize("reason", ["goals_reached", "consent_withdrawn", "child_moved"])
def test_every_other_ending_keeps_its_summary_without_a_hand_off(case, reason):
    domain = case["domain"]
    collaboration_id = opened(case)
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, reason, "Oppsummert", case["leader"], plan_coordinator=HANDOFF)
    closing = domain.get_collaboration(collaboration_id).closing
    assert closing["reason"] == reason and closing["summary"] == "Oppsummert" and closing["plan_coordinator"] == ""


# -- the pages ------------------------------------------------------------------------------------------
def plan_on_the_web(web, information=("action_plan",)):
    """Opened on the web (tests/test_collaborations.py); the coordinator adds a goal
    and a measure towards it, and evaluates it with the guardians' and the child's view."""
    from tests.webclient import csrf_of

    url, consent_id, child_id = base.opened_on_the_web(web, information)
    nurse = web.login("helsesykepleier")
    token = csrf_of(nurse.get(url).text)
    assert nurse.post(f"{url}/mal", data={"csrf_token": token, "goal": GOAL}).status_code == 303
    assert nurse.post(f"{url}/tiltak", data={
        "csrf_token": token, "what": MEASURE, "service": "ppt", "responsible": "Reidar Lunde", "goal": "1",
        "starts_on": TODAY.isoformat(), "deadline": (TODAY + timedelta(days=60)).isoformat(),
        "evaluate_on": (TODAY + timedelta(days=30)).isoformat()}).status_code == 303
    assert nurse.post(f"{url}/evaluer", data={
        "csrf_token": token, "no": "1", "evaluated_on": TODAY.isoformat(), "what_happened": "Tre samtaler holdt",
        "guardians_view": "Mor er fornøyd", "child_view": "Liker samtalene", "decision": "continue",
        "next_evaluation": (TODAY + timedelta(days=40)).isoformat()}).status_code == 303
    return url, consent_id, child_id, nurse, token


def test_the_plans_status_on_the_page_and_in_print(web):
    from tests.webclient import csrf_of

    url, _consent, _child = base.opened_on_the_web(web)
    nurse, leader = web.login("helsesykepleier"), web.login("styrer")
    assert "Planens status: Under arbeid" in nurse.get(url).text
    assert "under arbeid" in nurse.get(f"{url}/plan").text
    page = leader.get(url).text
    assert leader.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "goals_reached",
                                               "summary": "Jenta trives"}).status_code == 303
    assert "Planens status: Avsluttet" in nurse.get(url).text
    printed = nurse.get(f"{url}/plan").text
    assert "avsluttet" in printed and "Samarbeidet er avsluttet" in printed and "Målene er nådd" in printed


def test_the_plan_printed_for_the_family_is_an_access_like_the_page(web):
    url, _consent, child_id, nurse, _token = plan_on_the_web(web)
    printed = nurse.get(f"{url}/plan")
    assert printed.status_code == 200
    text = printed.text
    for expected in (GOAL, MEASURE, "Reidar Lunde, PPT", "Mor er fornøyd", "Liker samtalene",
                     "Det dere sa:", "Vi ser på hvordan det går", "Koordinator (den som holder i samarbeidet)",
                     "Sunniva Dahl", "under arbeid", "Helsestasjonen i Fjordvik"):
        assert expected in text, expected
    assert 'class="printable family-plan"' in text and "Utskriften er logget" in text
    web.projections.wait()
    rows = web.projections["access_log"].view.by_child(child_id, "2000", "9999", 0, 100)
    printed_rows = [r for r in rows if r["action"] == "print"]
    assert [(r["user_id"], r["basis"]) for r in printed_rows] == [(str(web.ids["users"]["helsesykepleier"]),
                                                                   "consent")]
    # Those the collaboration does not admit: as the page.
    assert web.login("laerer").get(f"{url}/plan").status_code == 404
    assert web.login("styrer").get(f"{url}/plan").status_code == 200


def test_the_plan_printed_in_english(web):
    from tests.test_language import choose_language

    url, _consent, _child, nurse, _token = plan_on_the_web(web)
    choose_language(web, nurse, "en", url)
    text = nurse.get(f"{url}/plan").text
    assert "What should get better?" in text and "What you said:" in text and "Hva skal bli bedre?" not in text


def test_a_service_taken_out_sees_why_at_its_next_request(web):
    from tests.webclient import csrf_of

    url, _consent, child_id, nurse, token = plan_on_the_web(web)
    adviser, leader = web.login("ppt"), web.login("styrer")
    page = adviser.get(url).text
    assert "Ta en tjeneste ut av samarbeidet" not in page  # a member, not the coordinator
    assert adviser.post(f"{url}/ta-ut", data={"csrf_token": csrf_of(page), "member": "team:ppt",
                                               "removal_reason": REMOVAL}).status_code == 404
    # The coordinator's own service stays until the role is handed over.
    health = f"unit:{web.ids['units']['helsestasjonen']}"
    page = leader.get(url).text
    assert "Ta en tjeneste ut av samarbeidet" in page
    response = leader.post(f"{url}/ta-ut", data={"csrf_token": csrf_of(page), "member": health,
                                                  "removal_reason": REMOVAL})
    assert response.status_code == 422 and "Overlever koordinatorrollen først" in response.text
    assert REMOVAL in response.text  # what was typed is kept
    response = leader.post(f"{url}/ta-ut", headers={"HX-Request": "true"},
                           data={"csrf_token": csrf_of(page), "member": "team:ppt", "removal_reason": ""})
    assert response.status_code == 422 and "Feltet må fylles ut" in response.text and 'id="members"' in response.text
    response = leader.post(f"{url}/ta-ut", data={"csrf_token": csrf_of(page), "member": "team:ppt",
                                                  "removal_reason": REMOVAL})
    assert response.status_code == 303
    # PPT's next request: the page that says why, nothing of the child.
    child_name = web.domain.get_child(child_id).name
    for path in (url, f"{url}/plan"):
        refused = adviser.get(path)
        assert refused.status_code == 403 and "Ikke lenger tilgang" in refused.text, path
        assert "tatt ut av samarbeidet" in refused.text and "samtykket dekker ikke" not in refused.text
        assert child_name not in refused.text and MEASURE not in refused.text
    assert adviser.post(f"{url}/tiltak", data={"csrf_token": csrf_of(page)}).status_code == 403
    web.projections.wait()
    assert url not in adviser.get("/samarbeid").text
    shown = nurse.get(url).text
    assert "tatt ut av samarbeidet" in shown and REMOVAL in shown  # the history keeps why
    assert nurse.post(f"{url}/tiltak", data={"csrf_token": token, "what": "x"}).status_code == 422


def test_a_logbook_entry_shared_into_the_collaboration_and_taken_back(web):
    from tests.webclient import csrf_of

    url, _consent, child_id = base.opened_on_the_web(web, information=("action_plan", "observations"))
    entry = web.domain.get_concern(web.concerns["own"]).entries[0]["text"]
    nurse, adviser, author = web.login("helsesykepleier"), web.login("ppt"), web.login("pedleder")
    assert entry not in nurse.get(url).text and entry not in adviser.get(url).text  # the unit's internal logbook
    page = author.get(url).text
    assert entry in page and "Del i samarbeidet" in page  # its author, on the concern
    # A member service cannot share it, nor a kind the collaboration does not share.
    assert nurse.post(f"{url}/del-logg", data={"csrf_token": csrf_of(nurse.get(url).text), "no": "1",
                                                "information": "observations"}).status_code == 404
    response = author.post(f"{url}/del-logg", data={"csrf_token": csrf_of(page), "no": "1", "information": "health"})
    assert response.status_code == 422 and "deler ikke denne typen opplysninger" in response.text
    response = author.post(f"{url}/del-logg", headers={"HX-Request": "true"},
                           data={"csrf_token": csrf_of(page), "no": "1", "information": "observations"})
    assert response.status_code == 200 and 'id="shared_log"' in response.text and "Slutt å dele" in response.text
    shown = nurse.get(url).text
    assert entry in shown and "Slutt å dele" not in shown and entry in adviser.get(url).text
    web.projections.wait()  # her access event names the shared entry, on the consent
    rows = web.projections["access_log"].view.by_user(web.ids["users"]["helsesykepleier"], 0, 10)
    assert any("concern.log" in r["records"].split(",") and r["basis"] == "consent" and r["child_id"] == str(child_id)
               for r in rows)
    # Taken back: gone from the member services' page at once.
    assert nurse.post(f"{url}/trekk-logg", data={"csrf_token": csrf_of(shown), "no": "1"}).status_code == 404
    assert author.post(f"{url}/trekk-logg", data={"csrf_token": csrf_of(page), "no": "1"}).status_code == 303
    assert entry not in nurse.get(url).text and entry in author.get(url).text
    assert leaks(web.env, [entry]) == []


def test_closing_into_an_individual_plan_prints_the_hand_off(web):
    from tests.webclient import csrf_of

    url, _consent, _child, nurse, _token = plan_on_the_web(web)
    with acting_as(web.ids["users"]["helsesykepleier"]):  # the guardians' chosen contact person
        web.domain.choose_contact(UUID(url.rsplit("/", 1)[1]), "helsestasjon", "Sunniva Dahl", TODAY,
                                  web.ids["users"]["helsesykepleier"])
    leader = web.login("styrer")
    page = leader.get(url).text
    response = leader.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "individual_plan",
                                                    "summary": "Familien ønsker individuell plan"})
    assert response.status_code == 422 and "Feltet må fylles ut" in response.text
    assert "Familien ønsker individuell plan" in response.text
    assert leader.post(f"{url}/avslutt", data={"csrf_token": csrf_of(page), "reason": "individual_plan",
                                               "summary": "Familien ønsker individuell plan",
                                               "plan_coordinator": HANDOFF}).status_code == 303
    shown = nurse.get(url).text
    assert HANDOFF in shown and "Overlevering til individuell plan (utskrift)" in shown
    printed = nurse.get(f"{url}/plan").text
    for expected in ("Overlevering til individuell plan for", HANDOFF, "Familien ønsker individuell plan",
                     GOAL, MEASURE, "Mor er fornøyd", "Sunniva Dahl", "PPT", "avsluttet",
                     "Kontaktpersonen dere har valgt", "Sunniva Dahl, Helsestasjonen i Fjordvik"):
        assert expected in printed, expected


def test_the_pages_markup_holds_together(web):
    """Unique ids, true labels, ARIA that points somewhere: the page with every form
    of the plan's life, one sent back with errors, and the printed plan."""
    from tests.test_page_structure import structure_problems
    from tests.webclient import csrf_of

    url, _consent, _child, nurse, _token = plan_on_the_web(web, information=("action_plan", "observations"))
    leader = web.login("styrer")
    page = leader.get(url).text
    assert "Del i samarbeidet" in page and "Ta ut tjenesten" in page
    refused = leader.post(f"{url}/ta-ut", data={"csrf_token": csrf_of(page), "member": "team:ppt",
                                                 "removal_reason": ""})
    assert refused.status_code == 422
    for html in (page, refused.text, nurse.get(url).text, nurse.get(f"{url}/plan").text):
        assert structure_problems(html) == []
