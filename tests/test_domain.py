"""The aggregates on their own: rules, corrections and who acted."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from events.base import acting_as
from events.children import Child, InvalidChild
from events.directory import InvalidRole, Unit, User
from events.errors import DomainError
from events import national_id
from tests.factories import SECRET_NATIONAL_ID, guardians


def new_child(**overrides) -> Child:
    kwargs = dict(
        first_name="Sunniva",
        last_name="Bakke",
        birth_date=date(2021, 3, 4),
        unit_id=uuid4(),
        national_id=SECRET_NATIONAL_ID,
        guardians=guardians(),
    )
    kwargs.update(overrides)
    return Child.new(**kwargs)


def test_a_child_is_its_own_subject_and_every_event_says_so():
    child = new_child()
    child.move_to_unit(uuid4())
    events = child.collect_events()
    assert [e.subject_id for e in events] == [child.id, child.id]


def test_events_record_who_acted():
    user_id = uuid4()
    with acting_as(user_id):
        child = new_child()
    child.move_to_unit(uuid4())
    created, moved = child.collect_events()
    assert created.actor_id == user_id
    assert moved.actor_id is None


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"first_name": " "}, "name"),
        ({"birth_date": date(2100, 1, 1)}, "future"),
        ({"national_id": "12345678901"}, "not valid"),
        ({"birth_date": date(2021, 3, 5)}, "does not match"),
        ({"guardians": [{"name": "Ola", "relation": "onkel"}]}, "relation"),
        (
            {"guardians": [{"name": "Ola", "relation": "far", "parental_responsibility": False}]},
            "parental responsibility",
        ),
    ],
)
def test_child_details_are_checked(overrides, message):
    with pytest.raises(InvalidChild, match=message):
        new_child(**overrides)


def test_a_correction_needs_a_reason_and_keeps_the_history():
    child = new_child()
    with pytest.raises(InvalidChild, match="reason"):
        child.correct_details("Sunniva", "Bakken", date(2021, 3, 4), SECRET_NATIONAL_ID, "")
    child.correct_details("Sunniva", "Bakken", date(2021, 3, 4), SECRET_NATIONAL_ID, "skrivefeil")
    events = child.collect_events()
    assert [type(e).__name__ for e in events] == ["Created", "DetailsCorrected"]
    assert events[0].last_name == "Bakke" and events[1].last_name == "Bakken"
    assert child.name == "Sunniva Bakken"


def test_age_is_counted_from_the_birthday():
    child = new_child()
    assert child.age_on(date(2026, 3, 3)) == 4
    assert child.age_on(date(2026, 3, 4)) == 5


def test_roles_fit_units_and_services():
    unit_id = uuid4()
    User.new("a", "A", "Lærer", "staff", unit_id, None, "h")
    User.new("b", "B", "Barnevern", "resource_team", None, "barnevern", "h")
    with pytest.raises(InvalidRole):
        User.new("c", "C", "Lærer", "staff", None, None, "h")
    with pytest.raises(InvalidRole):
        User.new("d", "D", "PPT", "resource_team", None, "tannlege", "h")
    with pytest.raises(InvalidRole):
        User.new("e", "E", "Boss", "emperor", None, None, "h")


def test_a_role_change_is_an_event():
    user = User("a", "A", "Lærer", "staff", uuid4(), None, "h")
    new_unit = uuid4()
    user.assign_role("unit_leader", new_unit, None)
    assert (user.role, user.unit_id) == ("unit_leader", new_unit)
    assert type(user.collect_events()[-1]).__name__ == "RoleAssigned"


def test_units_have_known_kinds():
    Unit.new("Fjordvik skole", "skole")
    with pytest.raises(DomainError, match="unknown unit kind") as refused:
        Unit.new("Sirkus", "sirkus")
    assert (refused.value.code, refused.value.field) == ("unit.kind_unknown", "kind")


@pytest.mark.parametrize(
    "number, valid",
    [
        (SECRET_NATIONAL_ID, True),  # synthetic
        ("01010112345", False),
        ("0101011234", False),
        ("abcdefghijk", False),
    ],
)
def test_national_id_checksums(number, valid):
    assert national_id.is_valid(number) is valid


def _with_control_digits(nine: str) -> str | None:
    digits = [int(c) for c in nine]
    for weights in ((3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)):
        control = (11 - sum(d * w for d, w in zip(digits, weights)) % 11) % 11
        if control == 10:
            return None
        digits.append(control)
    return "".join(map(str, digits))


def test_d_numbers_and_synthetic_numbers_encode_the_birth_date():
    from intranet.demo_data import synthetic_fnr

    number = synthetic_fnr(date(2019, 12, 31), 501)
    assert national_id.birth_date_of(number) == date(2019, 12, 31)
    # A D-number adds 40 to the day of birth.
    d_numbers = (_with_control_digits(f"711219{i:03d}") for i in range(500, 600))
    d_number = next(n for n in d_numbers if n)
    assert national_id.birth_date_of(d_number) == date(2019, 12, 31)
    assert national_id.birth_date_of(d_number[:10] + str((int(d_number[10]) + 1) % 10)) is None


def test_every_today_in_the_code_is_oslos():
    # A server's clock often runs in UTC, where date.today() is yesterday for an
    # hour or two after Oslo's midnight (events/clock.py); so is the date of an
    # event's timestamp, stamped in UTC.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("events", "intranet", "projections", "bench", "tests")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "clock.py" and path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "date.today()" in line or "datetime.today()" in line or "timestamp.date()" in line
    ]
    assert offenders == [], "use events.clock.today() or clock.day_of(): " + ", ".join(offenders)


# -- rules are checked by commands, never on replay -------------------------------------------
def test_stored_records_still_read_after_a_rule_is_made_stricter(env, domain, monkeypatch):
    """The library runs `__init__` and every event method again whenever a record is
    read. A rule checked there would make stored records unreadable the day it is made
    stricter; checked in the command, it only refuses new input."""
    from events import clock, concerns, directory, meetings
    from events.application import Bekymring
    from events.concerns import InvalidConcern
    from events.meetings import InvalidMeeting

    today = clock.today()
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", guardians())
    author = uuid4()
    concern = domain.open_concern(child, author, today, "Kom uten matpakke. " * 4, "", ["neglect"], 2)
    domain.change_concern(concern, 1, author, lambda c: c.log_observation(today, "Sulten igjen. " * 4, "", author))
    meeting = domain.schedule_meeting("autumn", today, [unit], ["ppt", "unit_leader"], uuid4(), "Rådhuset", "09:00")

    monkeypatch.setattr(concerns, "MAX_TEXT", 20)
    monkeypatch.setattr(concerns, "CATEGORIES", tuple(c for c in concerns.CATEGORIES if c != "neglect"))
    monkeypatch.setattr(meetings, "SERVICES", ("barnevern", "unit_leader"))
    monkeypatch.setattr(directory, "UNIT_KINDS", tuple(k for k in directory.UNIT_KINDS if k != "barnehage"))
    monkeypatch.setattr(clock, "today", lambda: date(2021, 1, 1))  # the child's birth date is now "future"

    reader = Bekymring(env=env)  # nothing cached: every record is replayed from its events
    try:
        stored = reader.get_concern(concern)
        assert [e["text"] for e in stored.entries] == ["Kom uten matpakke. " * 4, "Sulten igjen. " * 4]
        assert stored.categories == ["neglect"]
        assert reader.get_meeting(meeting).services == ["ppt", "unit_leader"]
        assert reader.get_unit(unit).kind == "barnehage"
        assert reader.get_child(child).name == "Ola Lyng"
    finally:
        reader.close()

    # The commands refuse new input that breaks the stricter rules.
    with pytest.raises(InvalidConcern) as too_long:
        domain.open_concern(child, author, date(2020, 12, 1), "Kom uten matpakke. " * 4, "", ["other"], 2)
    assert (too_long.value.code, too_long.value.field) == ("text.too_long", "observation")
    with pytest.raises(InvalidConcern) as category:
        domain.open_concern(child, author, date(2020, 12, 1), "Sulten", "", ["neglect"], 2)
    assert category.value.code == "concern.category_unknown"
    with pytest.raises(InvalidConcern) as logged:
        domain.change_concern(concern, 2, author, lambda c: c.log_observation(today, "Sulten igjen.", "", author))
    assert (logged.value.code, logged.value.field) == ("date.in_future", "observed_on")
    with pytest.raises(InvalidMeeting) as services:
        domain.schedule_meeting("autumn", today, [unit], ["ppt"], uuid4(), "Rådhuset", "09:00")
    assert services.value.code == "meeting.services_required"
    with pytest.raises(DomainError) as kind:
        domain.register_unit("Solstrålen barnehage", "barnehage")
    assert kind.value.code == "unit.kind_unknown"
    with pytest.raises(InvalidChild) as born:
        domain.register_child("Kari", "Lyng", date(2021, 5, 5), unit, "", guardians())
    assert (born.value.code, born.value.field) == ("date.in_future", "birth_date")
