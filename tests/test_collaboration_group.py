"""The ansvarsgruppe of a collaboration: its members, the guardians' chosen contact
person, and its meetings, convened by the coordinator, whose minutes update the
plan and propose the next meeting. The domain and the policy on both stores,
then the pages."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.collaborations import InvalidCollaboration
from events.policy import Principal, may
from tests import test_collaborations as base
from tests.rawstore import leaks

TODAY = clock.today()
case = base.case  # the same child, units, consent and people
PLACE = "Møterommet på Kvitrustad helsestasjon"
MINUTES = "Kvitrustad-jenta sover bedre; mor ønsker mer hjelp i barnehagen"
CONTACT = "Sunniva Kvitrustad-Dahl"


def opened(case) -> UUID:
    base.set_level(case, 2)
    return base.open_one(case)


def measure(what: str = "Ekstra voksen i garderoben") -> dict:
    return {"what": what, "service": "helsestasjon", "responsible": "Sunniva Dahl", "starts_on": TODAY,
            "deadline": TODAY + timedelta(days=60), "evaluate_on": TODAY + timedelta(days=30)}


def at_noon(day) -> datetime:
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


# -- the domain -------------------------------------------------------------------------------------
def test_the_group_is_the_services_with_a_named_person_and_the_guardians(case, env):
    domain, nurse = case["domain"], case["nurse"]
    collaboration_id = opened(case)
    with acting_as(nurse):
        domain.name_group_member(collaboration_id, "ppt", "Reidar Lunde", nurse)
        with pytest.raises(InvalidCollaboration) as refused:
            domain.name_group_member(collaboration_id, "bup", "Noen", nurse)
        assert refused.value.code == "collaboration.not_in_group"
    collaboration = domain.get_collaboration(collaboration_id)
    # The opening unit, each member service (a person where known), the guardians as participants.
    assert [(m["service"], m["person"]) for m in collaboration.group_members] == [
        ("own_unit", ""), ("helsestasjon", ""), ("ppt", "Reidar Lunde")]
    assert collaboration.guardians
    assert leaks(env, ["Reidar Lunde"]) == []


def test_the_guardians_choose_a_contact_person_and_may_change_it(case, env):
    domain, nurse = case["domain"], case["nurse"]
    collaboration_id = opened(case)
    assert domain.get_collaboration(collaboration_id).contact is None
    with acting_as(nurse):
        with pytest.raises(InvalidCollaboration) as refused:
            domain.choose_contact(collaboration_id, "helsestasjon", "", TODAY, nurse)
        assert refused.value.code == "text.required" and refused.value.field == "contact_person"
        with pytest.raises(InvalidCollaboration) as refused:
            domain.choose_contact(collaboration_id, "helsestasjon", CONTACT, TODAY + timedelta(days=1), nurse)
        assert refused.value.code == "date.in_future"
        with pytest.raises(InvalidCollaboration) as refused:
            domain.choose_contact(collaboration_id, "bup", CONTACT, TODAY, nurse)
        assert refused.value.code == "collaboration.not_in_group"
        domain.choose_contact(collaboration_id, "helsestasjon", CONTACT, TODAY - timedelta(days=3), nurse)
        domain.choose_contact(collaboration_id, "ppt", "Reidar Lunde", TODAY, nurse)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.contact == {"service": "ppt", "person": "Reidar Lunde", "chosen_on": TODAY, "by": nurse}
    assert [c["person"] for c in collaboration.contacts] == [CONTACT, "Reidar Lunde"]  # the history
    assert leaks(env, [CONTACT]) == []


def test_the_coordinator_plans_a_meeting_and_its_minutes_update_the_plan_all_or_nothing(case, env):
    domain, nurse = case["domain"], case["nurse"]
    collaboration_id = opened(case)
    with acting_as(nurse):
        with pytest.raises(InvalidCollaboration) as refused:
            domain.plan_meeting(collaboration_id, TODAY - timedelta(days=1), "14:00", PLACE, nurse)
        assert refused.value.code == "collaboration.meeting_in_past"
        with pytest.raises(InvalidCollaboration) as refused:
            domain.plan_meeting(collaboration_id, TODAY, "25:00", PLACE, nurse)
        assert refused.value.code == "collaboration.time_invalid" and refused.value.field == "at"
        domain.plan_meeting(collaboration_id, TODAY, "14:00", PLACE, nurse)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.next_meeting["on"] == TODAY and collaboration.next_meeting["at"] == "14:00"
    version = collaboration.version

    def minute(**changes):
        options = {"attendees": ["own_unit", "helsestasjon"], "guardians_present": True, "minutes": MINUTES,
                   "next_meeting": (TODAY + timedelta(days=180), "09:30", PLACE)}
        options.update(changes)
        with acting_as(nurse):
            domain.minute_meeting(collaboration_id, 1, by=nurse, **options)

    # A later step refused: nothing of the minutes is saved, not the goal or the measure before it.
    with pytest.raises(InvalidCollaboration) as refused:
        minute(goal="Sove godt om natten", measure=measure(),
               evaluation={"no": 2, "evaluated_on": TODAY, "what_happened": "Ikke startet", "guardians_view": "",
                           "child_view": "", "decision": "end", "next_evaluation": None},
               plan_status="agreed")
    assert refused.value.code == "collaboration.no_such_measure"
    assert domain.get_collaboration(collaboration_id).version == version
    for wrong, code in [({"attendees": []}, "collaboration.attendees_required"),
                        ({"attendees": ["bup"]}, "collaboration.not_in_group"),
                        ({"minutes": " "}, "text.required"),
                        ({"next_meeting": None}, "collaboration.next_meeting_required"),
                        ({"plan_status": "done"}, "collaboration.plan_status_unknown"),
                        ({"goal": "Sove godt", "measure": {**measure(), "deadline": TODAY - timedelta(days=1)}},
                         "collaboration.deadline_before_start")]:
        with pytest.raises(InvalidCollaboration) as refused:
            minute(**wrong)
        assert refused.value.code == code, wrong
    assert domain.get_collaboration(collaboration_id).version == version

    minute(goal="Sove godt om natten", measure={**measure(), "goal": 1}, plan_status="agreed")
    collaboration = domain.get_collaboration(collaboration_id)
    held = collaboration.meetings[0]
    assert held["status"] == "held" and held["minutes"] == MINUTES and held["guardians_present"]
    assert held["attendees"] == ["own_unit", "helsestasjon"]
    assert held["changes"] == {"goal": 1, "measure": 1, "plan_status": "agreed"}
    assert collaboration.goals[0]["text"] == "Sove godt om natten"
    assert collaboration.measures[0]["what"] == "Ekstra voksen i garderoben" and collaboration.measures[0]["goal"] == 1
    assert collaboration.plan_status == "agreed"
    # The next meeting, proposed with the minutes.
    assert collaboration.next_meeting["on"] == TODAY + timedelta(days=180)
    assert collaboration.next_meeting["proposed_at"] == 1
    with pytest.raises(InvalidCollaboration) as refused:
        minute()
    assert refused.value.code == "collaboration.meeting_minuted"
    # A meeting ahead cannot be minuted yet.
    with acting_as(nurse), pytest.raises(InvalidCollaboration) as refused:
        domain.minute_meeting(collaboration_id, 2, ["own_unit"], False, MINUTES, nurse)
    assert refused.value.code == "collaboration.meeting_not_held_yet"
    # An evaluation from the minutes of the next meeting, when it is held.
    with clock.set_to(at_noon(TODAY + timedelta(days=180))), acting_as(nurse):
        domain.minute_meeting(collaboration_id, 2, ["helsestasjon", "ppt"], False, "Tiltaket virker", nurse,
                              evaluation={"no": 1, "evaluated_on": TODAY + timedelta(days=180),
                                          "what_happened": "Roligere morgener", "guardians_view": "Fornøyd",
                                          "child_view": "", "decision": "end", "next_evaluation": None},
                              next_meeting=(TODAY + timedelta(days=300), "10:00", PLACE))
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.measures[0]["status"] == "ended"
    assert collaboration.meetings[1]["changes"] == {"evaluation": 1}
    assert len(collaboration.meetings) == 3
    assert leaks(env, [PLACE, MINUTES, "Sove godt om natten", "Roligere morgener"]) == []


def test_two_meetings_a_year_and_the_next_one_planned(case):
    """Warnings, for the page: no next meeting planned; minutes missing after a meeting's
    day; fewer than two meetings held in the last 12 months (pro rata in the first year)."""
    domain, nurse = case["domain"], case["nurse"]
    collaboration_id = opened(case)
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.meeting_warnings(TODAY) == ["no_next_meeting"]
    with acting_as(nurse):
        domain.plan_meeting(collaboration_id, TODAY + timedelta(days=10), "14:00", PLACE, nurse)
    assert domain.get_collaboration(collaboration_id).meeting_warnings(TODAY) == []
    later = TODAY + timedelta(days=20)
    assert domain.get_collaboration(collaboration_id).meeting_warnings(later) == ["minutes_missing"]
    with clock.set_to(at_noon(later)), acting_as(nurse):
        domain.minute_meeting(collaboration_id, 1, ["helsestasjon"], True, MINUTES, nurse,
                              next_meeting=(later + timedelta(days=400), "14:00", PLACE))
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.meeting_warnings(later) == []
    # Seven months on: one meeting held, one expected by then.
    assert collaboration.meeting_warnings(TODAY + timedelta(days=215)) == []
    # A year and a bit on: only one meeting held in the last 12 months.
    assert collaboration.meeting_warnings(TODAY + timedelta(days=370)) == ["too_few_meetings"]
    assert collaboration.meetings_held(TODAY + timedelta(days=370)) == 1
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Bedre nå", case["leader"])
    assert domain.get_collaboration(collaboration_id).meeting_warnings(TODAY + timedelta(days=370)) == []


def test_a_closed_collaboration_has_no_meetings_planned(case):
    domain, nurse = case["domain"], case["nurse"]
    collaboration_id = opened(case)
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Bedre nå", case["leader"])
    with acting_as(nurse), pytest.raises(InvalidCollaboration) as refused:
        domain.plan_meeting(collaboration_id, TODAY, "14:00", PLACE, nurse)
    assert refused.value.code == "collaboration.closed"


# -- the policy ------------------------------------------------------------------------------------------
def test_the_coordinator_convenes_and_minutes_the_others_see(case):
    domain = case["domain"]
    collaboration_id = opened(case)
    nurse = Principal(case["nurse"], "staff", case["health"], None)  # the coordinator
    adviser = Principal(uuid4(), "staff", case["ppt"], None)
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    stranger = Principal(uuid4(), "staff", uuid4(), None)
    target = base.target_of(case, collaboration_id)
    for action in ("collaboration.convene", "collaboration.minute", "collaboration.contact"):
        assert may(nurse, action, target), action
        assert not may(adviser, action, target) and not may(leader, action, target), action
        assert not may(stranger, action, target), action
    assert may(adviser, "collaboration.view", target) and may(leader, "collaboration.view", target)
    # The consent withdrawn for the coordinator's service: she convenes no more.
    domain.withdraw_consent(case["consent"], ["helsestasjon"], "Mor ringte", TODAY, uuid4())
    target = base.target_of(case, collaboration_id)
    assert not may(nurse, "collaboration.convene", target) and not may(nurse, "collaboration.minute", target)


# -- the pages -------------------------------------------------------------------------------------------
def test_the_ansvarsgruppe_on_the_pages(web):
    from tests.test_page_structure import structure_problems
    from tests.webclient import csrf_of

    url, _consent, _child = base.opened_on_the_web(web)
    collaboration_id = UUID(url.rsplit("/", 1)[1])
    nurse, adviser = web.login("helsesykepleier"), web.login("ppt")  # the coordinator, a member
    page = nurse.get(url).text
    token = csrf_of(page)
    assert 'id="group"' in page and "Ingen neste møte i ansvarsgruppen er planlagt." in page
    assert "Kall inn" in page and structure_problems(page) == []
    shown = adviser.get(url).text
    assert "Ansvarsgruppe" in shown and "Kall inn" not in shown  # members see, the coordinator convenes
    assert adviser.post(f"{url}/mote", data={"csrf_token": csrf_of(shown), "on": TODAY.isoformat(),
                                              "at": "14:00", "place": PLACE}).status_code == 404

    # Convened through htmx: a time that is no time is refused beside the field, the place kept.
    htmx = {"HX-Request": "true"}
    response = nurse.post(f"{url}/mote", headers=htmx, data={"csrf_token": token, "on": TODAY.isoformat(),
                                                             "at": "kl 2", "place": PLACE})
    assert response.status_code == 422 and "tt:mm" in response.text and PLACE in response.text
    assert "<html" not in response.text and structure_problems(response.text) == []
    response = nurse.post(f"{url}/mote", headers=htmx, data={"csrf_token": token, "on": TODAY.isoformat(),
                                                             "at": "14:00", "place": PLACE})
    assert response.status_code == 200 and 'id="group"' in response.text and "Planlagt" in response.text
    assert "Ingen neste møte" not in response.text

    # The guardians' chosen contact person, and a named member; then changed.
    assert nurse.post(f"{url}/kontaktperson", data={"csrf_token": token, "contact_service": "helsestasjon",
                                                    "contact_person": "", "chosen_on": TODAY.isoformat()}
                      ).status_code == 422
    assert nurse.post(f"{url}/kontaktperson", data={"csrf_token": token, "contact_service": "helsestasjon",
                                                    "contact_person": CONTACT, "chosen_on": TODAY.isoformat()}
                      ).status_code == 303
    assert nurse.post(f"{url}/medlem", data={"csrf_token": token, "service": "ppt",
                                             "person": "Reidar Lunde"}).status_code == 303
    assert adviser.post(f"{url}/kontaktperson", data={"csrf_token": token, "contact_service": "ppt",
                                                      "contact_person": "Meg"}).status_code == 404
    page = nurse.get(url).text
    assert f"{CONTACT} (Helsestasjonen i Fjordvik)" in page
    assert "PPT, kommunens ressursteam: Reidar Lunde" in page

    # The minutes: a refusal keeps everything typed and changes nothing; then approved, with a measure.
    minutes = {"csrf_token": token, "meeting": "1", "attendees": ["own_unit", "helsestasjon"],
               "guardians_present": "ja", "minutes": MINUTES, "what": "Ekstra voksen i garderoben",
               "service": "helsestasjon", "responsible": "Sunniva Dahl", "starts_on": TODAY.isoformat(),
               "deadline": (TODAY + timedelta(days=60)).isoformat(),
               "evaluate_on": (TODAY + timedelta(days=30)).isoformat(), "plan_status": "agreed",
               "next_on": "", "next_at": "", "next_place": PLACE}
    assert "Godkjenn referatet" in page and "Godkjenn referatet" not in adviser.get(url).text
    response = nurse.post(f"{url}/referat", data=minutes)
    assert response.status_code == 422 and "Foreslå neste møte" in response.text and MINUTES in response.text
    assert structure_problems(response.text) == []
    assert web.domain.get_collaboration(collaboration_id).measures == []
    response = nurse.post(f"{url}/referat", data={**minutes, "next_on": (TODAY + timedelta(days=180)).isoformat(),
                                                  "next_at": "09:00"})
    assert response.status_code == 303
    shown = adviser.get(url).text
    assert MINUTES in shown and "Ekstra voksen i garderoben" in shown and "Avtalt med familien" in shown
    assert "Foresatte var med." in shown and "nytt tiltak: Ekstra voksen i garderoben." in shown
    assert (TODAY + timedelta(days=180)).strftime("%d.%m.%Y") in shown and "(foreslått på møtet" in shown
    collaboration = web.domain.get_collaboration(collaboration_id)
    assert collaboration.measures[0]["service"] == "helsestasjon" and collaboration.plan_status == "agreed"
    assert leaks(web.env, [PLACE, MINUTES, CONTACT]) == []  # events and read models alike


def test_the_ansvarsgruppe_in_english(web):
    from tests.test_language import choose_language

    url, _consent, _child = base.opened_on_the_web(web)
    nurse = web.login("helsesykepleier")
    choose_language(web, nurse, "en", url)
    page = nurse.get(url).text
    assert "Responsibility group" in page and "Convene" in page and "Ansvarsgruppe" not in page


def test_the_new_coordinator_convenes_as_soon_as_she_accepts(web):
    """Accepting through htmx swaps the coordinator's section, and the group's out of band:
    the form to convene is hers at once."""
    from tests.webclient import csrf_of

    url, _consent, _child = base.opened_on_the_web(web)
    nurse, adviser = web.login("helsesykepleier"), web.login("ppt")
    assert nurse.post(f"{url}/koordinator", data={"csrf_token": csrf_of(nurse.get(url).text),
                                                  "to_user_id": str(web.ids["users"]["ppt"])}).status_code == 303
    page = adviser.get(url).text
    assert "Kall inn" not in page
    response = adviser.post(f"{url}/godta-koordinator", headers={"HX-Request": "true"},
                            data={"csrf_token": csrf_of(page)})
    assert response.status_code == 200 and 'id="coordinator"' in response.text
    assert '<section id="group" class="card" aria-labelledby="group-h" hx-swap-oob="true">' in response.text
    assert "Kall inn" in response.text


def test_who_convenes_minutes_and_records_the_contact_person(web):
    """Every demo user on each of the group's actions, with the consent whole and once
    withdrawn for helsestasjonen: the coordinator gets her form's refusal (422); those who
    see the collaboration but do not coordinate get 404; the others as the page answers them."""
    url, consent_id, _child = base.opened_on_the_web(web)
    clients = {username: web.login(username) for username in base.WHO_SEES}

    def statuses(when: int) -> dict:
        found = {}
        for username, client in clients.items():
            page = client.get(url).status_code
            token = client.get("/konto").text.split('name="csrf_token" value="')[1].split('"')[0]
            for action in ("mote", "referat", "kontaktperson", "medlem"):
                posted = client.post(f"{url}/{action}", data={"csrf_token": token, "meeting": "1"}).status_code
                expected = page if page != 200 else (422 if username == "helsesykepleier" else 404)
                assert (page, posted) == (base.WHO_SEES[username][when], expected), (username, action)
            found[username] = page
        return found

    statuses(0)
    web.domain.withdraw_consent(consent_id, ["helsestasjon"], "Mor ringte", TODAY, web.ids["users"]["styrer"])
    assert statuses(1)["helsesykepleier"] == 403
