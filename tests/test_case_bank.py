"""The binder's case bank: an approved, anonymised resource-team case becomes a
training case in «Caser» only after a second person confirms that its text
identifies no one, and then nothing leads from the page back to the child."""

from __future__ import annotations

import re
from uuid import UUID
import pytest

from events.base import acting_as
from events.case_bank import InvalidCaseProposal
from events.errors import RecordErased
from tests.rawstore import leaks
from tests import test_meetings
from tests.webclient import csrf_of

PLACES = ["Solsikken barnehage", "Fjordvik"]
team = test_meetings.team  # the fixture: a unit, a child, a concern and a meeting
STORY = "Et barn i barnehagealder sovner ofte i samlingsstund og sier at mor sover hele dagen."


@pytest.fixture
def approved(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    text = domain.anonymised_concern(concern, PLACES).text
    with acting_as(styrer):
        case_id = domain.bring_case(meeting, concern, "anonymous", text, styrer, local_names=PLACES)
    domain.minute_case(case_id, "Kontakt foresatte denne uken. Ola bør få en fast voksen.")
    domain.approve_minutes(meeting, leader)
    return domain, child, case_id, leader, styrer


def test_a_case_is_published_only_after_a_second_person_confirms_it(approved, env):
    domain, child, case_id, leader, styrer = approved
    draft = domain.draft_case_text(case_id, PLACES)
    assert "sover hele dagen" in draft and "fast voksen" in draft
    assert not re.search(r"Ola|Mona|Lyng|412", draft)
    with acting_as(styrer):
        proposal = domain.propose_case(case_id, "Mor som sover", draft, styrer, PLACES)
    # Neither the one who wrote it nor anyone by a revision of her own confirms it.
    with pytest.raises(InvalidCaseProposal, match="second person"):
        domain.confirm_case_proposal(proposal, styrer, PLACES)
    with acting_as(leader):
        domain.return_case_proposal(proposal, "Ta bort at det er i samlingsstund.", leader)
    with pytest.raises(InvalidCaseProposal, match="revision"):
        domain.confirm_case_proposal(proposal, leader, PLACES)
    with pytest.raises(InvalidCaseProposal, match="only the proposer"):
        domain.revise_case_proposal(proposal, "Mor som sover", STORY, leader, PLACES)
    with acting_as(styrer):
        domain.revise_case_proposal(proposal, "Mor som sover", STORY, styrer, PLACES)
    with acting_as(leader):
        slug = domain.confirm_case_proposal(proposal, leader, PLACES)
    page = domain.get_page(slug)
    assert page.section == "case" and page.is_published and page.published["body"] == STORY
    assert domain.get_case_proposal(proposal).state == "published"
    with pytest.raises(InvalidCaseProposal, match="published or withdrawn"):
        domain.withdraw_case_proposal(proposal, styrer)
    # Detached: the page names no child, case or proposal, and survives the child's erasure.
    assert not {str(child), str(case_id), str(proposal)} & set(re.findall(r"[0-9a-f-]{36}", repr(vars(page))))
    assert leaks(env, [STORY, "Mor som sover"]) == []  # the page is encrypted under the system key too
    domain.shred_subject(child, "slettet etter oppbevaringstid")
    assert domain.get_page(slug).published["body"] == STORY


def test_what_still_identifies_is_refused_and_named(approved):
    domain, child, case_id, leader, styrer = approved
    for text, word in [("Ola sovner i samlingsstund.", "Ola"), ("Mor Mona Lyng sover.", "Mona Lyng"),
                       ("Det skjedde 12.03.2025 i barnehagen.", "12.03.2025"),
                       ("Barnet går i Solsikken barnehage.", "Solsikken barnehage")]:
        with pytest.raises(InvalidCaseProposal) as refused:
            domain.propose_case(case_id, "Tittel", text, styrer, PLACES)
        assert refused.value.code == "case_proposal.identifies" and word in refused.value.params["words"]
        assert word not in str(refused.value)  # the log line names no one
    with pytest.raises(InvalidCaseProposal) as refused:
        domain.propose_case(case_id, "Ola i barnehagen", STORY, styrer, PLACES)
    assert "Ola" in refused.value.params["words"]


def test_only_an_anonymous_case_with_approved_minutes_can_be_proposed(team):
    domain, unit, child, concern, meeting, leader, styrer = team
    with acting_as(styrer):
        case_id = domain.bring_case(meeting, concern, "anonymous", STORY, styrer)
    with pytest.raises(InvalidCaseProposal, match="not approved"):
        domain.propose_case(case_id, "Tittel", STORY, styrer, PLACES)


def test_a_proposal_is_shredded_with_the_child(approved):
    domain, child, case_id, leader, styrer = approved
    with acting_as(styrer):
        proposal = domain.propose_case(case_id, "Mor som sover", STORY, styrer, PLACES)
    domain.shred_subject(child, "slettet etter oppbevaringstid")
    with pytest.raises(RecordErased):
        domain.get_case_proposal(proposal)


# -- the pages ----------------------------------------------------------------------------------
def approved_case(web) -> tuple:
    """A meeting held today with one anonymous case, minuted and approved by its leader (the styrer)."""
    from events import clock
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        meeting = web.domain.schedule_meeting("extra", clock.today(), [web.ids["units"]["solsikken"]],
                                              ["barnevern", "unit_leader"], styrer, "Rådhuset", "09:00")
        case = web.domain.bring_case(meeting, web.concerns["own"], "anonymous", "Barnet kommer uten matpakke.", styrer)
        web.domain.minute_case(case, "Snakk med foresatte denne uken og avtal frokost.")
        web.domain.approve_minutes(meeting, styrer)
    web.projections.wait()
    return meeting, case


def test_a_case_goes_from_the_minutes_through_a_second_person_into_the_binder(web):
    from tests.test_concerns import access_events, child_name
    meeting, case = approved_case(web)
    styrer = web.login("unit_leader")
    minutes = styrer.get(f"/ressursteam/{meeting}").text
    propose_url = f"/ressursteam/sak/{case}/case"
    assert f'href="{propose_url}"' in minutes
    form = styrer.get(propose_url)
    assert form.status_code == 200 and "uten matpakke" in form.text and "frokost" in form.text
    child_id = web.domain.get_concern(web.concerns["own"]).child_id
    first_name = child_name(child_id, web).split()[0]
    named = styrer.post(propose_url, data={"csrf_token": csrf_of(form.text), "title": "Uten matpakke",
                                           "text": f"{first_name} kommer uten matpakke."})
    assert named.status_code == 422
    assert f"{first_name} kommer uten matpakke." in named.text  # the user's text is kept
    assert 'id="f-text-error"' in named.text and first_name in re.search(
        r'id="f-text-error">(.*?)</p>', named.text, re.S).group(1)
    sent = styrer.post(propose_url, data={"csrf_token": csrf_of(form.text), "title": "Uten matpakke",
                                          "text": "Et barn kommer ofte uten matpakke. Rådet var å avtale frokost."})
    assert sent.status_code == 303
    proposal_url = sent.headers["location"]
    assert re.fullmatch(r"/caseforslag/[0-9a-f-]{36}", proposal_url)
    web.projections.wait()
    own = styrer.get(proposal_url).text
    assert "Et barn kommer ofte uten matpakke" in own and 'action="' + proposal_url + '/bekreft"' not in own
    assert "En annen person" in own
    # Until confirmed, the proposal is about the child: sealed in the events, not in any read model.
    # (Once published it is binder content, which the binder's search index holds.)
    assert leaks(web.env, ["Et barn kommer ofte uten matpakke", "Uten matpakke"]) == []
    # Staff of the unit see neither the queue nor the proposal.
    staff = web.login("staff")
    assert staff.get(proposal_url).status_code == 404 and staff.get("/caseforslag").status_code == 403
    # The kommunalsjef finds it in the queue, and must tick the confirmation.
    leader = web.login("municipal_leader")
    queue = leader.get("/caseforslag").text
    assert f'href="{proposal_url}"' in queue and "Uten matpakke" in queue
    page = leader.get(proposal_url).text
    unticked = leader.post(f"{proposal_url}/bekreft", data={"csrf_token": csrf_of(page)})
    assert unticked.status_code == 422 and 'id="f-confirmed-error"' in unticked.text
    assert web.domain.get_case_proposal(UUID(proposal_url.rsplit("/", 1)[1])).state == "proposed"
    done = leader.post(f"{proposal_url}/bekreft", data={"csrf_token": csrf_of(page), "confirmed": "1"})
    assert done.status_code == 303
    web.projections.wait()
    section = web.login("staff").get("/perm/del/case").text
    assert "Uten matpakke" in section
    assert "Publisert" in leader.get(proposal_url).text
    # Every read of the proposal, the kommunalsjef's too, is in the child's access log.
    reads = [e for e in access_events(web.domain) if e.reason == "casebank"]
    assert {e.role for e in reads} >= {"unit_leader", "municipal_leader"}
    assert all(e.subject_ids == [child_id] and "case_proposal" in e.records for e in reads if e.role != "unit_leader"
               or "case_proposal" in e.records)


def test_who_may_propose_see_and_confirm_a_case(web):
    from tests.webclient import ROLE_USERS
    meeting, case = approved_case(web)
    propose_url = f"/ressursteam/sak/{case}/case"
    for role in ROLE_USERS:
        expected = 200 if role == "unit_leader" else 404  # the one who brought it, who also led the meeting
        assert web.login(role).get(propose_url).status_code == expected, role
    styrer = web.login("unit_leader")
    form = styrer.get(propose_url).text
    sent = styrer.post(propose_url, data={"csrf_token": csrf_of(form), "title": "Uten matpakke",
                                          "text": "Et barn kommer ofte uten matpakke."})
    proposal_url = sent.headers["location"]
    web.projections.wait()
    for role in ROLE_USERS:
        expected = 200 if role in ("unit_leader", "resource_team", "municipal_leader") else 404
        assert web.login(role).get(proposal_url).status_code == expected, role
    own = web.post_form(styrer, f"{proposal_url}/bekreft", {"confirmed": "1"}, page=proposal_url)
    assert own.status_code == 422 and "En annen person" in own.text
    for role in ("staff", "privacy_officer", "admin"):
        client = web.login(role)
        token = csrf_of(client.get("/konto").text)
        assert client.post(f"{proposal_url}/bekreft", data={"csrf_token": token, "confirmed": "1"}).status_code == 404
    barnevern = web.login("resource_team")
    assert web.post_form(barnevern, f"{proposal_url}/bekreft", {"confirmed": "1"},
                         page=proposal_url).status_code == 303


def test_a_reviewer_of_another_unit_reads_on_the_resource_teams_basis(web):
    """Reading a proposal is the resource team's work: its access is not «outside the unit»."""
    from tests.test_concerns import access_events
    meeting, case = approved_case(web)
    styrer = web.login("unit_leader")
    form = styrer.get(f"/ressursteam/sak/{case}/case").text
    sent = styrer.post(f"/ressursteam/sak/{case}/case", data={
        "csrf_token": csrf_of(form), "title": "Uten matpakke", "text": "Et barn kommer ofte uten matpakke."})
    web.projections.wait()
    assert web.login("rektor").get(sent.headers["location"]).status_code == 200  # the school's leader
    reads = [e for e in access_events(web.domain) if e.reason == "casebank"]
    assert reads and {code for e in reads for code, _ref in e.bases} == {"resource_team"}
