"""The binder's case bank: an approved, anonymised resource-team case becomes a
training case in «Caser» only after a second person confirms that its text
identifies no one, and then nothing leads from the page back to the child."""

from __future__ import annotations

import re
import pytest

from events.base import acting_as
from events.case_bank import InvalidCaseProposal
from events.errors import RecordErased
from tests.rawstore import leaks
from tests.test_meetings import GUARDIANS, TODAY, team  # noqa: F401 (the fixture)
from tests.webclient import csrf_of

PLACES = ["Solsikken barnehage", "Fjordvik"]
STORY = "Et barn i barnehagealder sovner ofte i samlingsstund og sier at mor sover hele dagen."


@pytest.fixture
def approved(team):  # noqa: F811
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


def test_only_an_anonymous_case_with_approved_minutes_can_be_proposed(team):  # noqa: F811
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
