"""Transfers between units: the rules in the domain, then the journey through the
pages, from the kindergarten's draft to the school's acceptance."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.policy import Basis
from events.transfers import ApprovalMissing, InvalidTransfer
from projections.access_log import OSLO, AccessLogProjection
from projections.config import ReadModelConfig
from projections.live import ProjectionRunner
from tests.factories import SECRET_GUARDIAN, SECRET_PHONE, guardians
from tests.rawstore import leaks
from tests.test_concerns import access_events
from tests.webclient import csrf_of

TODAY = clock.today()
PARENTS = [g["name"] for g in guardians() if g["parental_responsibility"]]
STRENGTHS = "Elsker å bygge med lego og forteller lange eventyr"
OBSERVATION = "Kommer ofte uten vintersko og fryser i utetiden"


@pytest.fixture
def family(domain):
    kindergarten = domain.register_unit("Solsikken barnehage", "barnehage")
    school = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Ola", "Fjell", date(2020, 4, 4), kindergarten, "", guardians())
    author = uuid4()
    with acting_as(author):
        concern = domain.open_concern(child, author, TODAY, OBSERVATION, "", ["neglect"], 2)
        domain.change_concern(concern, 1, author, lambda c: c.add_measure(
            "Ekstra klær i hylla", "Pedagogisk leder", TODAY, TODAY + timedelta(days=42), author))
    return domain, kindergarten, school, child, author, concern


def prepared(domain, child, school, author, concern, parts=None):
    with acting_as(author):
        transfer = domain.start_transfer(child, school, "kindergarten_to_school", author)
        domain.update_transfer(transfer, school, parts if parts is not None else
                               ["guardians", f"logbook:{concern}", f"plan:{concern}"], {"strengths": STRENGTHS})
    return transfer


# -- the domain, narrated ------------------------------------------------------------------------
def test_a_transfer_from_kindergarten_to_school(family, env):
    domain, kindergarten, school, child, author, concern = family
    transfer_id = prepared(domain, child, school, author, concern)

    # Nothing goes without the guardians' recorded approval, from everyone with parental responsibility.
    with pytest.raises(ApprovalMissing):
        domain.send_transfer(transfer_id)
    with pytest.raises(ApprovalMissing, match="Per Kvitrustad"):
        domain.approve_transfer(transfer_id, [SECRET_GUARDIAN], "skriftlig", TODAY, "")
    with pytest.raises(InvalidTransfer, match="minuted"):
        domain.approve_transfer(transfer_id, PARENTS, "muntlig", TODAY, "")
    domain.approve_transfer(transfer_id, PARENTS, "muntlig", TODAY, "Foreldremøte 2. mai, begge til stede")

    # The approval froze what is sent: a later entry in the logbook does not go with it.
    with acting_as(author):
        domain.change_concern(concern, domain.get_concern(concern).version, author,
                              lambda c: c.log_observation(TODAY, "Ny observasjon etter godkjenningen", "", author))
    snapshot = domain.get_transfer(transfer_id).snapshot
    assert snapshot["form"]["strengths"] == STRENGTHS
    assert [e["text"] for e in snapshot["concerns"][0]["logbook"]] == [OBSERVATION]
    assert snapshot["concerns"][0]["plan"][0]["measure"] == "Ekstra klær i hylla"
    assert snapshot["guardians"][0]["phone"] == SECRET_PHONE and "consents" not in snapshot

    # Sent → viewed (once) → accepted: the child moves to the school at school start.
    leader, principal = uuid4(), uuid4()
    with acting_as(leader):
        domain.send_transfer(transfer_id)
    with acting_as(principal):
        assert domain.mark_transfer_viewed(transfer_id) is True
        assert domain.mark_transfer_viewed(transfer_id) is False
        domain.accept_transfer(transfer_id)
    transfer = domain.get_transfer(transfer_id)
    assert transfer.status == "accepted" and domain.get_child(child).moves_on == transfer.effective_on
    assert [(name, actor) for name, _, actor in transfer.trail] == [
        ("Created", author), ("DraftUpdated", author), ("ApprovalRecorded", None), ("Sent", leader),
        ("Viewed", principal), ("Accepted", principal)]
    assert transfer.step("Viewed")[0] <= transfer.step("Accepted")[0]
    with pytest.raises(InvalidTransfer):
        domain.return_transfer(transfer_id, "for sent")

    # The raw store holds none of it in clear.
    assert leaks(env, [STRENGTHS, OBSERVATION, "Ekstra klær i hylla", "Foreldremøte 2. mai", SECRET_PHONE]) == []


def accepted(domain, child, school, author, concern):
    transfer_id = prepared(domain, child, school, author, concern, parts=[])
    domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.send_transfer(transfer_id)
    domain.mark_transfer_viewed(transfer_id)
    domain.accept_transfer(transfer_id)
    return transfer_id


def test_a_four_year_old_moves_to_school_at_school_start_not_on_acceptance(family, monkeypatch):
    domain, kindergarten, school, child, author, concern = family
    school_start = date(TODAY.year if TODAY < date(TODAY.year, 8, 1) else TODAY.year + 1, 8, 1)
    transfer_id = accepted(domain, child, school, author, concern)
    assert domain.get_transfer(transfer_id).effective_on == school_start  # 1 August by default

    # Accepted, the child stays in the kindergarten until school start, and says when it moves.
    moving = domain.get_child(child)
    assert (moving.unit_id, moving.moves_on) == (kindergarten, school_start)
    # A second transfer cannot move a child already on its way.
    second = prepared(domain, child, school, author, concern, parts=[])
    domain.approve_transfer(second, PARENTS, "skriftlig", TODAY, "")
    domain.send_transfer(second)
    domain.mark_transfer_viewed(second)
    with pytest.raises(InvalidTransfer, match="no longer"):
        domain.accept_transfer(second)

    # On school start the child is the school's, without anything having to run.
    monkeypatch.setattr(clock, "today", lambda: school_start - timedelta(days=1))
    assert domain.get_child(child).unit_id == kindergarten
    monkeypatch.setattr(clock, "today", lambda: school_start)
    moved = domain.get_child(child)
    assert (moved.unit_id, moved.moves_on) == (school, None)


def test_the_access_log_counts_the_child_in_the_new_unit_from_the_date(family, monkeypatch):
    domain, kindergarten, school, child, author, concern = family
    school_start = domain.get_transfer(accepted(domain, child, school, author, concern)).effective_on
    teacher, educator = uuid4(), uuid4()

    def seen_by(user_id, unit_id):
        domain.record_access(user_id, "staff", unit_id, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])

    seen_by(teacher, school)  # before school start: not yet the school's child
    seen_by(educator, kindergarten)
    # The accesses on school start are stamped that day (the event's clock, not a job's).
    first_day = datetime.combine(school_start, time(10), tzinfo=OSLO)
    with clock.set_to(first_day):
        seen_by(teacher, school)
        seen_by(educator, kindergarten)
    runner = ProjectionRunner(domain, [AccessLogProjection], config=ReadModelConfig(office_hours=(0, 24)))
    runner.catch_up()
    flagged = [(r["user_id"], r["at"][:10] >= school_start.isoformat())
               for r in runner["access_log"].view.queue(False, 0, 100) if r["rule"] == "outside_unit"]
    assert sorted(flagged) == sorted([(str(teacher), False), (str(educator), True)])


def test_a_transfer_takes_effect_on_the_date_chosen(family, monkeypatch):
    domain, kindergarten, school, child, author, concern = family
    with pytest.raises(InvalidTransfer, match="passed"):
        domain.start_transfer(child, school, "kindergarten_to_school", author, TODAY - timedelta(days=1))
    transfer_id = domain.start_transfer(child, school, "kindergarten_to_school", author, TODAY + timedelta(days=10))
    domain.update_transfer(transfer_id, school, [], {"needs": "Trenger lesestøtte"}, TODAY + timedelta(days=20))
    domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.send_transfer(transfer_id)
    domain.mark_transfer_viewed(transfer_id)
    domain.accept_transfer(transfer_id)
    assert domain.get_child(child).moves_on == TODAY + timedelta(days=20)
    # Accepted on or after its date, it moves the child at once.
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=20))
    assert domain.get_child(child).unit_id == school


def test_a_move_between_schools_takes_effect_on_acceptance_by_default(domain):
    school, new_school = domain.register_unit("Fjordvik skole", "skole"), domain.register_unit("Nordvik skole", "skole")
    pupil = domain.register_child("Siri", "Fjell", date(2015, 3, 3), school, "", guardians())
    transfer_id = domain.start_transfer(pupil, new_school, "school_to_school", uuid4())
    assert domain.get_transfer(transfer_id).effective_on is None
    domain.update_transfer(transfer_id, new_school, [], {"needs": "Trenger lesestøtte"})
    domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.send_transfer(transfer_id)
    domain.mark_transfer_viewed(transfer_id)
    domain.accept_transfer(transfer_id)
    assert domain.get_child(pupil).unit_id == new_school


def test_a_transfer_can_be_returned_with_a_reason(family):
    domain, kindergarten, school, child, author, concern = family
    transfer_id = prepared(domain, child, school, author, concern, parts=[])
    domain.approve_transfer(transfer_id, PARENTS, "digitalt", TODAY, "")
    domain.send_transfer(transfer_id)
    with pytest.raises(InvalidTransfer, match="opened"):
        domain.accept_transfer(transfer_id)  # open it first: the sender sees when
    domain.mark_transfer_viewed(transfer_id)
    with pytest.raises(InvalidTransfer, match="why"):
        domain.return_transfer(transfer_id, " ")
    domain.return_transfer(transfer_id, "Barnet skal begynne på en annen skole")
    transfer = domain.get_transfer(transfer_id)
    assert (transfer.status, transfer.return_reason) == ("returned", "Barnet skal begynne på en annen skole")
    assert domain.get_child(child).unit_id == kindergarten
    with pytest.raises(InvalidTransfer):
        domain.accept_transfer(transfer_id)


def test_changing_the_draft_after_approval_needs_a_new_approval(family):
    domain, kindergarten, school, child, author, concern = family
    transfer_id = prepared(domain, child, school, author, concern)
    domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.update_transfer(transfer_id, school, ["consents"], {"strengths": "Noe annet"})
    transfer = domain.get_transfer(transfer_id)
    assert (transfer.status, transfer.approval, transfer.snapshot) == ("draft", None, None)
    with pytest.raises(ApprovalMissing):
        domain.send_transfer(transfer_id)
    domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.send_transfer(transfer_id)
    with pytest.raises(InvalidTransfer, match="sent"):
        domain.update_transfer(transfer_id, school, [], {})


def test_the_units_must_fit_the_kind_of_transfer(family):
    domain, kindergarten, school, child, author, concern = family
    other_kindergarten = domain.register_unit("Blåbærtua barnehage", "barnehage")
    with pytest.raises(InvalidTransfer, match="do not fit"):
        domain.start_transfer(child, other_kindergarten, "kindergarten_to_school", author)
    with pytest.raises(InvalidTransfer, match="do not fit"):
        domain.start_transfer(child, school, "school_to_school", author)
    with pytest.raises(InvalidTransfer):
        domain.start_transfer(child, kindergarten, "kindergarten_to_school", author)
    # Another child's concern cannot go with this child's transfer.
    sibling = domain.register_child("Kari", "Fjell", date(2021, 1, 1), kindergarten, "", guardians())
    transfer_id = domain.start_transfer(sibling, school, "kindergarten_to_school", author)
    with pytest.raises(InvalidTransfer, match="another child"):
        domain.update_transfer(transfer_id, school, [f"logbook:{concern}"], {})


def test_a_child_of_15_approves_a_move_between_schools_too(domain):
    school, new_school = domain.register_unit("Fjordvik skole", "skole"), domain.register_unit("Nordvik skole", "skole")
    teen = domain.register_child("Siri", "Fjell", TODAY.replace(year=TODAY.year - 16), school, "", guardians())
    transfer_id = domain.start_transfer(teen, new_school, "school_to_school", uuid4())
    domain.update_transfer(transfer_id, new_school, [], {"needs": "Trenger lesestøtte"})
    with pytest.raises(ApprovalMissing, match="Siri Fjell"):
        domain.approve_transfer(transfer_id, PARENTS, "skriftlig", TODAY, "")
    domain.approve_transfer(transfer_id, [*PARENTS, "Siri Fjell"], "skriftlig", TODAY, "")
    assert domain.get_transfer(transfer_id).status == "approved"


# -- the pages --------------------------------------------------------------------------------------
def test_nothing_is_sent_without_the_guardians_approval(web):
    staff, leader = web.login("staff"), web.login("unit_leader")
    child_id, school = web.child_in("solsikken"), web.ids["units"]["fjordvikskole"]
    page = staff.get("/overforinger/ny").text
    assert "i mai" in page and "oktober eller november" in page
    response = staff.post("/overforinger/ny", data={"csrf_token": csrf_of(page), "kind": "kindergarten_to_school"})
    assert response.status_code == 422 and "Velg barnet" in response.text
    response = staff.post("/overforinger/ny", data={"csrf_token": csrf_of(page), "child_id": str(child_id),
                                                    "to_unit_id": str(school), "kind": "kindergarten_to_school"})
    assert response.status_code == 303
    url = response.headers["location"]
    draft = staff.get(url).text
    assert f"logbook:{web.concerns['own']}" in draft  # her own concern can go with it
    assert f"logbook:{web.concerns['colleague']}" not in draft  # a colleague's cannot
    response = staff.post(f"{url}/lagre", data={
        "csrf_token": csrf_of(draft), "to_unit_id": str(school), "strengths": STRENGTHS,
        "parts": ["guardians", f"logbook:{web.concerns['own']}"]})
    assert response.status_code == 303
    assert STRENGTHS in staff.get(url).text and "Kom uten matpakke" in staff.get(url).text  # the preview

    # The leader cannot send it before the approval is recorded.
    response = web.post_form(leader, f"{url}/send", {}, page=url)
    assert response.status_code == 422 and "godkjenning" in response.text
    names = [g["name"] for g in web.domain.get_child(child_id).guardians_with_responsibility]
    response = web.post_form(staff, f"{url}/godkjenning", {"approvers": names[:1], "method": "skriftlig",
                                                            "approved_on": TODAY.isoformat()}, page=url)
    assert response.status_code == 422 and "Mangler godkjenning fra: " + names[1] in response.text
    response = web.post_form(staff, f"{url}/godkjenning", {"approvers": names, "method": "skriftlig",
                                                            "approved_on": TODAY.isoformat()}, page=url)
    assert response.status_code == 303
    assert "Overføringen sendes av lederen" in staff.get(url).text  # staff prepare, the leader sends
    assert web.post_form(leader, f"{url}/send", {}, page=url).status_code == 303
    assert web.domain.get_transfer(UUID(url.rsplit("/", 1)[1])).status == "sent"


def test_the_school_opens_and_accepts_and_the_sender_sees_when(web):
    transfer_id, child_id = web.transfers["own"], web.child_in("solsikken")
    principal = web.login("rektor")
    incoming = principal.get("/overforinger").text
    assert f"/overforinger/{transfer_id}" in incoming and "Sendt, ikke åpnet" in incoming
    sender = web.login("staff")
    assert "Ikke åpnet ennå" in sender.get(f"/overforinger/{transfer_id}").text

    # Opening it is a step on the transfer, and an access event for the principal.
    before = len(access_events(web.domain))
    page = principal.get(f"/overforinger/{transfer_id}").text
    assert "Glad i å tegne og synge" in page
    accesses = access_events(web.domain)[before:]
    assert any(a.user_id == web.ids["users"]["rektor"] and child_id in a.subject_ids and "transfer" in a.records
               for a in accesses)
    assert web.domain.get_transfer(transfer_id).status == "viewed"
    assert "Åpnet av mottakeren" in sender.get(f"/overforinger/{transfer_id}").text
    assert "Bjørn Strand" in sender.get(f"/overforinger/{transfer_id}").text

    # The school's staff do not see it; the principal accepts, and the child moves at school start.
    assert web.login("laerer").get(f"/overforinger/{transfer_id}").status_code == 404
    assert principal.get(f"/barn/{child_id}").status_code == 404
    assert web.post_form(principal, f"/overforinger/{transfer_id}/godta", {},
                         page=f"/overforinger/{transfer_id}").status_code == 303
    assert "tok imot overføringen" in sender.get(f"/overforinger/{transfer_id}").text


def test_both_units_see_the_child_stay_until_school_start(web, monkeypatch):
    transfer_id, child_id = web.transfers["own"], web.child_in("solsikken")
    school_start = web.domain.get_transfer(transfer_id).effective_on
    shown = f"overføres {school_start:%d.%m.%Y}"
    principal, kindergarten_leader = web.login("rektor"), web.login("unit_leader")
    principal.get(f"/overforinger/{transfer_id}")
    assert f"flyttes til Fjordvik skole {school_start:%d.%m.%Y}" in principal.get(f"/overforinger/{transfer_id}").text
    assert web.post_form(principal, f"/overforinger/{transfer_id}/godta", {},
                         page=f"/overforinger/{transfer_id}").status_code == 303
    web.projections.wait()

    # Until then the child is the kindergarten's, marked as moving; the school sees when it comes.
    assert f"/barn/{child_id}" in kindergarten_leader.get("/barn").text
    assert shown + " til Fjordvik skole" in kindergarten_leader.get("/barn").text
    assert f"Overføres {school_start:%d.%m.%Y} til Fjordvik skole" in kindergarten_leader.get(f"/barn/{child_id}").text
    assert principal.get(f"/barn/{child_id}").status_code == 404
    assert f"/barn/{child_id}" not in principal.get("/barn").text
    for leader in (principal, kindergarten_leader):
        assert shown in leader.get("/overforinger").text
        assert "Overføres " + f"{school_start:%d.%m.%Y}" in leader.get(f"/overforinger/{transfer_id}").text

    # From school start the child is the school's, with nothing run in between.
    monkeypatch.setattr(clock, "today", lambda: school_start)
    assert principal.get(f"/barn/{child_id}").status_code == 200
    assert f"/barn/{child_id}" in principal.get("/barn").text
    assert f"/barn/{child_id}" not in kindergarten_leader.get("/barn").text
    assert kindergarten_leader.get(f"/barn/{child_id}").status_code == 404


def test_the_sender_chooses_the_date_on_the_form(web):
    staff = web.login("staff")
    child_id, school = web.child_in("solsikken"), web.ids["units"]["fjordvikskole"]
    page = staff.get("/overforinger/ny").text
    assert 'name="effective_on"' in page and "skolestart 1. august" in page
    form = {"csrf_token": csrf_of(page), "child_id": str(child_id), "to_unit_id": str(school),
            "kind": "kindergarten_to_school"}
    response = staff.post("/overforinger/ny", data={**form, "effective_on": "31.02.2027"})
    assert response.status_code == 422 and "Skriv en gyldig dato for overføringen" in response.text
    response = staff.post("/overforinger/ny", data={**form, "effective_on": (TODAY - timedelta(days=1)).isoformat()})
    assert response.status_code == 422 and "kan ikke være passert" in response.text
    chosen = TODAY + timedelta(days=30)
    response = staff.post("/overforinger/ny", data={**form, "effective_on": chosen.isoformat()})
    assert response.status_code == 303
    url = response.headers["location"]
    transfer_id = UUID(url.rsplit("/", 1)[1])
    assert web.domain.get_transfer(transfer_id).effective_on == chosen
    draft = staff.get(url).text
    assert f'value="{chosen.isoformat()}"' in draft and f"overføres {chosen:%d.%m.%Y}" in draft
    later = chosen + timedelta(days=7)
    response = web.post_form(staff, f"{url}/lagre", {"to_unit_id": str(school), "strengths": STRENGTHS,
                                                      "effective_on": later.isoformat()}, page=url)
    assert response.status_code == 303
    assert web.domain.get_transfer(transfer_id).effective_on == later


def test_the_school_returns_a_transfer_with_a_reason(web):
    transfer_id = web.transfers["colleague"]
    principal = web.login("rektor")
    url = f"/overforinger/{transfer_id}"
    principal.get(url)
    response = web.post_form(principal, f"{url}/returner", {"reason": ""}, page=url)
    assert response.status_code == 422 and "Skriv hvorfor" in response.text
    assert web.post_form(principal, f"{url}/returner", {"reason": "Feil skole"}, page=url).status_code == 303
    assert "Returnert: Feil skole" in web.login("unit_leader").get(url).text
    assert web.domain.get_child(web.child_in("solsikken")).unit_id == web.ids["units"]["solsikken"]


def test_the_receiving_leader_never_sees_a_draft(web):
    draft = web.make_transfer("pedleder", send=False)
    web.projections.wait()
    principal = web.login("rektor")
    assert principal.get(f"/overforinger/{draft}").status_code == 404
    assert f"/overforinger/{draft}" not in principal.get("/overforinger").text
    assert web.domain.get_transfer(draft).status == "approved"
