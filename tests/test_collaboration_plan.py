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
def test_the_plan_is_drafted_then_active_then_evaluated_and_ends_with_the_collaboration(case, env):
    domain = case["domain"]
    collaboration_id = opened(case)
    assert domain.get_collaboration(collaboration_id).plan_status == "draft"
    with acting_as(case["nurse"]):
        with refused("collaboration.plan_incomplete"):  # no goal, no measure yet
            domain.set_collaboration_plan_status(collaboration_id, "active", case["nurse"])
        with_goal_and_measure(case, collaboration_id)
        with refused("collaboration.plan_status_unknown"):  # ended only by closing
            domain.set_collaboration_plan_status(collaboration_id, "ended", case["nurse"])
        domain.set_collaboration_plan_status(collaboration_id, "active", case["nurse"])
        with refused("collaboration.plan_status_unchanged"):
            domain.set_collaboration_plan_status(collaboration_id, "active", case["nurse"])
        domain.set_collaboration_plan_status(collaboration_id, "evaluation", case["nurse"])
    with acting_as(case["leader"]):
        domain.close_collaboration(collaboration_id, "goals_reached", "Jenta trives", case["leader"])
    collaboration = domain.get_collaboration(collaboration_id)
    assert collaboration.plan_status == "ended"
    assert [s["status"] for s in collaboration.plan_statuses] == ["active", "evaluation"]
    assert collaboration.plan_statuses[0]["by"] == case["nurse"] and collaboration.plan_statuses[0]["on"] == TODAY


def test_the_coordinator_or_the_opening_units_leader_sets_the_plans_status(case):
    collaboration_id = opened(case)
    target = base.target_of(case, collaboration_id)
    nurse = Principal(case["nurse"], "staff", case["health"], None)  # the coordinator
    leader = Principal(case["leader"], "unit_leader", case["kindergarten"], None)
    ppt = Principal(uuid4(), "staff", case["ppt"], None)  # a member, not the coordinator
    assert may(nurse, "collaboration.plan_status", target) and may(leader, "collaboration.plan_status", target)
    assert not may(ppt, "collaboration.plan_status", target) and may(ppt, "collaboration.edit", target)


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
