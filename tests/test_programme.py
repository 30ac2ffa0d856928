"""The programme's follow-up in each unit (seeds 000–002): at least two key
persons per workplace, the basic training, a follow-up day every six months,
the yearly information for new staff, read confirmations of the action guide,
and the unit's implementation plan in the binder."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from events.base import acting_as
from events.policy import Principal, Target, may
from events.programme import (InvalidProgramme, follow_up_due, guide_version, months_before, new_staff_due,
                              plan_slug_for)
from projections.live import ProjectionRunner
from projections.programme import ProgrammeProjection
from tests.rawstore import leaks

TODAY = date(2026, 11, 20)


@pytest.fixture
def unit(domain):
    """A barnehage with a leader and three staff, and a school with one teacher."""
    barnehage = domain.register_unit("Solsikken barnehage", "barnehage")
    school = domain.register_unit("Fjordvik skole", "skole")
    people = {name: domain.register_user(name, name.title() + " Lyng", "Pedagog", role, where, None, "x")
              for name, role, where in [("styrer", "unit_leader", barnehage), ("kari", "staff", barnehage),
                                        ("per", "staff", barnehage), ("anne", "staff", barnehage),
                                        ("lærer", "staff", school)]}
    return domain, barnehage, school, people


def test_key_persons_are_appointed_and_ended_with_history(unit, env):
    domain, barnehage, school, people = unit
    programme = domain.unit_programme(barnehage)
    assert programme.key_persons == {} and programme.too_few_key_persons
    with acting_as(people["styrer"]):
        domain.appoint_key_person(barnehage, people["kari"], date(2026, 1, 10))
    assert domain.unit_programme(barnehage).too_few_key_persons  # one is not enough
    domain.appoint_key_person(barnehage, people["per"], date(2026, 2, 1))
    programme = domain.unit_programme(barnehage)
    assert not programme.too_few_key_persons
    assert programme.key_persons == {people["kari"]: date(2026, 1, 10), people["per"]: date(2026, 2, 1)}
    # Someone of another unit, or one already appointed, is refused.
    with pytest.raises(InvalidProgramme) as refused:
        domain.appoint_key_person(barnehage, people["lærer"])
    assert refused.value.code == "programme.not_in_unit"
    with pytest.raises(InvalidProgramme, match="already"):
        domain.appoint_key_person(barnehage, people["kari"])
    with pytest.raises(InvalidProgramme) as refused:
        domain.appoint_key_person(barnehage, people["anne"], date(2099, 1, 1))
    assert refused.value.code == "date.in_future"
    # Ending one: the history keeps both the appointment and the end.
    domain.end_key_person(barnehage, people["kari"], date(2026, 6, 30))
    with pytest.raises(InvalidProgramme, match="not a key person"):
        domain.end_key_person(barnehage, people["kari"])
    programme = domain.unit_programme(barnehage)
    assert list(programme.key_persons) == [people["per"]] and programme.too_few_key_persons
    assert [(h["change"], h["user_id"]) for h in programme.history] == [
        ("appointed", people["kari"]), ("appointed", people["per"]), ("ended", people["kari"])]
    assert domain.unit_programme(school).key_persons == {}
    assert leaks(env, ["Kari Lyng", "Per Lyng"]) == []


def test_training_is_recorded_with_attendees_and_what_is_due(unit):
    domain, barnehage, school, people = unit
    with pytest.raises(InvalidProgramme) as refused:
        domain.record_training(barnehage, "follow_up", date(2026, 3, 1), [])
    assert refused.value.code == "programme.attendees_required"
    with pytest.raises(InvalidProgramme) as refused:
        domain.record_training(barnehage, "follow_up", date(2026, 3, 1), [people["lærer"]])
    assert refused.value.code == "programme.not_in_unit"
    with pytest.raises(InvalidProgramme) as refused:
        domain.record_training(barnehage, "party", date(2026, 3, 1), [people["kari"]])
    assert refused.value.code == "programme.training_kind_unknown"
    domain.record_training(barnehage, "basic", date(2025, 9, 1), [people["kari"], people["per"]])
    domain.record_training(barnehage, "follow_up", date(2026, 3, 1), [people["kari"], people["kari"]])
    domain.record_training(barnehage, "new_staff", date(2025, 10, 1), [people["anne"]])
    programme = domain.unit_programme(barnehage)
    assert programme.trainings[1]["attendee_ids"] == [people["kari"]]
    assert programme.last_training("basic") == date(2025, 9, 1)
    assert programme.last_training("follow_up") == date(2026, 3, 1)
    # Follow-up: due when none in the last six months; new staff: none this calendar year.
    assert not follow_up_due(date(2026, 3, 1), date(2026, 8, 31))
    assert follow_up_due(date(2026, 3, 1), date(2026, 9, 1))
    assert follow_up_due(None, TODAY)
    assert new_staff_due(date(2025, 10, 1), date(2026, 1, 2)) and not new_staff_due(date(2026, 1, 2), TODAY)
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)


def test_the_guide_version_changes_when_a_guide_page_is_published_anew(unit):
    domain, barnehage, school, people = unit
    assert guide_version([]) is None
    first = guide_version([("niva-0", 1), ("niva-1", 2)])
    assert first == guide_version([("niva-1", 2), ("niva-0", 1)])
    assert first != guide_version([("niva-0", 2), ("niva-1", 2)])
    assert domain.guide_version_read(people["kari"]) is None
    domain.confirm_guide_read(people["kari"], first)
    assert domain.guide_version_read(people["kari"]) == first
    with pytest.raises(InvalidProgramme, match="confirmed already"):
        domain.confirm_guide_read(people["kari"], first)
    domain.confirm_guide_read(people["kari"], "0123456789abcdef")
    assert domain.guide_version_read(people["kari"]) == "0123456789abcdef"


def test_the_plan_is_a_draft_binder_page_of_the_unit_with_the_seeds_questions(unit):
    domain, barnehage, school, people = unit
    slug = domain.start_unit_plan(barnehage)
    assert slug == plan_slug_for(barnehage)
    page = domain.get_page(slug)
    assert (page.section, page.unit_id, page.is_published) == ("unit_info", barnehage, False)
    assert "## Hvordan skal kunnskapen spres og når?" in page.latest["body"]
    page_version = page.version
    assert domain.start_unit_plan(barnehage) == slug  # a second start finds the same page
    assert domain.get_page(slug).version == page_version


def test_the_read_model_counts_key_persons_training_and_readers_per_unit(unit, env):
    domain, barnehage, school, people = unit
    runner = ProjectionRunner(domain, [ProgrammeProjection]).start()
    try:
        domain.appoint_key_person(barnehage, people["kari"], date(2026, 1, 10))
        domain.appoint_key_person(barnehage, people["per"], date(2026, 1, 10))
        domain.end_key_person(barnehage, people["per"], date(2026, 5, 1))
        domain.record_training(barnehage, "follow_up", date(2026, 3, 1), [people["kari"]])
        domain.record_training(barnehage, "follow_up", date(2025, 3, 1), [people["kari"]])
        domain.confirm_guide_read(people["kari"], "v1")
        domain.confirm_guide_read(people["per"], "v0")
        domain.confirm_guide_read(people["lærer"], "v1")
        domain.deactivate_user(people["anne"])  # no longer counted
        runner.wait()
        view = runner["programme"].view
        assert view.key_person_counts() == {barnehage: 1}
        assert view.last_trainings() == {(barnehage, "follow_up"): date(2026, 3, 1)}
        assert view.readers("v1") == {barnehage: (1, 3), school: (1, 1)}  # (read, staff)
    finally:
        runner.stop()


# -- the policy -----------------------------------------------------------------------------
UNIT, OTHER = uuid4(), uuid4()


def person(role, unit_id=UNIT):
    return Principal(id=uuid4(), role=role, unit_id=unit_id, service=None)


@pytest.mark.parametrize("who, allowed", [
    (person("unit_leader"), True), (person("unit_leader", OTHER), False), (person("staff"), False),
    (person("municipal_leader", None), True), (person("resource_team", None), False),
    (person("admin", None), False), (person("privacy_officer", None), False),
])
def test_who_appoints_records_training_and_sees_a_unit(who, allowed):
    for action in ("programme.view", "programme.appoint", "programme.train"):
        assert may(who, action, Target(unit_id=UNIT)) is allowed


def test_only_the_kommunalsjef_sees_the_overview_and_unit_roles_confirm_reading():
    assert may(person("municipal_leader", None), "programme.overview")
    assert not any(may(person(r), "programme.overview") for r in ("unit_leader", "staff", "resource_team", "admin"))
    assert may(person("staff"), "guide.confirm") and may(person("unit_leader"), "guide.confirm")
    assert not may(person("admin", None), "guide.confirm")
    # The plan is the unit's binder page: only its own leader starts it.
    assert may(person("unit_leader"), "programme.plan", Target(unit_id=UNIT))
    assert not may(person("unit_leader", OTHER), "programme.plan", Target(unit_id=UNIT))
    assert not may(person("municipal_leader", None), "programme.plan", Target(unit_id=UNIT))
