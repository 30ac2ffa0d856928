"""Meeting series of every arena the seeds name: their recurrence, who plans and
leads them, and where a child may appear."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.meetings import InvalidMeeting
from events.policy import Principal, Target, may
from events.recurrence import last_thursday
from tests.htmltree import dom, field_error

TODAY = clock.today()


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def municipality(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    school = domain.register_unit("Fjordvik skole", "skole")
    kommunalsjef = domain.register_user("beate", "Beate Darrud", "Kommunalsjef", "municipal_leader", None, None, "h")
    styrer = domain.register_user("styrer", "Siri Styrer", "Styrer", "unit_leader", unit, None, "h")
    ppt = domain.register_user("ppt", "Per Pe", "Rådgiver", "resource_team", None, "ppt", "h")
    return domain, unit, school, kommunalsjef, styrer, ppt


def plan(domain, kind, rule, first_on, leader, units=(), services=(), invitees=()):
    with acting_as(leader):
        return domain.plan_series(kind, rule, first_on, "09:00", "Rådhuset", leader, list(units), list(services),
                                  list(invitees))


# -- recurrence ------------------------------------------------------------------------------
def test_the_bup_consultation_is_every_6th_tuesday(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    tuesday = next_weekday(TODAY, 1)
    with pytest.raises(InvalidMeeting) as refused:
        plan(domain, "bup", "every_6th_week", tuesday + timedelta(days=1), ppt, [unit], ["ppt", "helsestasjon"])
    assert refused.value.code == "series.wrong_weekday"
    with pytest.raises(InvalidMeeting) as refused:
        plan(domain, "bup", "monthly", tuesday, ppt, [unit], ["ppt"])
    assert refused.value.code == "series.rule_not_for_kind"
    series = domain.get_series(plan(domain, "bup", "every_6th_week", tuesday, ppt, [unit], ["ppt", "helsestasjon"]))
    three = series.next_dates(TODAY, 3)
    assert three == [tuesday, tuesday + timedelta(weeks=6), tuesday + timedelta(weeks=12)]
    assert all(d.weekday() == 1 for d in three)
    assert series.dates(tuesday + timedelta(days=1), tuesday + timedelta(weeks=12)) == three[1:]


def test_the_lederforum_is_the_last_thursday_of_the_month(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    with pytest.raises(InvalidMeeting) as refused:
        plan(domain, "lederforum", "last_thursday", date(2027, 1, 21), kommunalsjef, [unit, school])
    assert refused.value.code == "series.not_last_thursday"
    series = domain.get_series(plan(domain, "lederforum", "last_thursday", date(2027, 1, 28), kommunalsjef,
                                    [unit, school]))
    assert series.dates(date(2027, 1, 1), date(2027, 6, 30)) == [
        date(2027, 1, 28), date(2027, 2, 25), date(2027, 3, 25), date(2027, 4, 29), date(2027, 5, 27),
        date(2027, 6, 24)]
    assert last_thursday(2027, 12) == date(2027, 12, 30)


def test_the_ressursgruppe_meets_monthly_on_the_same_weekday(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    # The second Tuesday of each month; a first date in a month's last week stays in the last week.
    series = domain.get_series(plan(domain, "ressursgruppe", "monthly", date(2027, 1, 12), kommunalsjef, [unit],
                                    ["ppt"]))
    assert series.dates(date(2027, 1, 1), date(2027, 4, 30)) == [
        date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)]
    last = domain.get_series(plan(domain, "ressursgruppe", "monthly", date(2027, 1, 26), kommunalsjef, [unit]))
    assert last.dates(date(2027, 2, 1), date(2027, 3, 31)) == [date(2027, 2, 23), date(2027, 3, 30)]


def test_the_resource_team_meets_spring_and_autumn_and_transfers_in_their_months(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    series = domain.get_series(plan(domain, "resource_team", "half_yearly", date(2027, 3, 10), styrer, [unit],
                                    ["barnevern", "ppt", "unit_leader"]))
    assert series.dates(date(2027, 1, 1), date(2028, 12, 31)) == [
        date(2027, 3, 10), date(2027, 9, 10), date(2028, 3, 10), date(2028, 9, 10)]
    with pytest.raises(InvalidMeeting) as refused:  # the resource team is its services, as a single meeting is
        plan(domain, "resource_team", "half_yearly", date(2027, 3, 10), styrer, [unit], [], [ppt])
    assert refused.value.code == "meeting.services_required"
    with pytest.raises(InvalidMeeting) as refused:
        plan(domain, "preschool_transfer", "yearly", date(2027, 5, 3), styrer, [unit, school], ["ppt"])
    assert refused.value.code == "series.wrong_month"
    transfer = domain.get_series(plan(domain, "school_transfer", "yearly", date(2027, 3, 3), styrer, [school],
                                      invitees=[ppt]))
    assert transfer.dates(date(2027, 1, 1), date(2028, 12, 31)) == [date(2027, 3, 3), date(2028, 3, 3)]


# -- who plans and leads -------------------------------------------------------------------------
WHO_PLANS = {
    "resource_team": {"unit_leader", "resource_team", "municipal_leader"},
    "ressursgruppe": {"municipal_leader", "resource_team"},
    "bup": {"resource_team", "municipal_leader"},
    "school_transfer": {"unit_leader"},
    "preschool_transfer": {"unit_leader", "resource_team"},
    "slt": {"municipal_leader"},
    "lederforum": {"municipal_leader"},
}
ROLES = ("staff", "unit_leader", "resource_team", "municipal_leader", "privacy_officer", "admin")


@pytest.mark.parametrize("kind", sorted(WHO_PLANS))
def test_who_may_plan_and_lead_each_arena(kind):
    allowed = {role for role in ROLES
               if may(Principal(uuid4(), role, uuid4(), "ppt"), "series.plan", Target(kind=kind))}
    assert allowed == WHO_PLANS[kind]


def test_a_series_meeting_is_led_by_its_leader_and_seen_by_those_it_invites(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    first = last_thursday(TODAY.year + 1, 1)
    series_id = plan(domain, "lederforum", "last_thursday", first, kommunalsjef, [school], invitees=[ppt])
    with acting_as(kommunalsjef):
        meeting_id = domain.plan_series_meeting(series_id, first)
        assert domain.plan_series_meeting(series_id, first) == meeting_id  # planned once
        with pytest.raises(InvalidMeeting) as refused:
            domain.plan_series_meeting(series_id, first + timedelta(days=1))
    assert refused.value.code == "series.not_a_date"
    meeting = domain.get_meeting(meeting_id)
    assert (meeting.kind, meeting.held_on, meeting.starts_at, meeting.series_id) == ("lederforum", first, "09:00",
                                                                                     series_id)
    target = Target.meeting(meeting)
    people = {"kommunalsjef": Principal(kommunalsjef, "municipal_leader", None, None),
              "ppt": Principal(ppt, "resource_team", None, "ppt"),
              "barnevern": Principal(uuid4(), "resource_team", None, "barnevern"),
              "styrer": Principal(styrer, "unit_leader", unit, None)}
    assert {name for name, p in people.items() if may(p, "meeting.view", target)} == {"kommunalsjef", "ppt"}
    assert {name for name, p in people.items() if may(p, "meeting.approve", target)} == {"kommunalsjef"}
    assert may(people["kommunalsjef"], "series.plan_meeting", Target.series(domain.get_series(series_id)))
    assert not may(people["ppt"], "series.plan_meeting", Target.series(domain.get_series(series_id)))


# -- where a child may appear -----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["slt", "lederforum"])
def test_no_case_can_be_brought_to_slt_or_the_lederforum(municipality, kind):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    first = last_thursday(TODAY.year, TODAY.month)
    series_id = plan(domain, kind, "last_thursday" if kind == "lederforum" else "monthly", first, kommunalsjef,
                     [unit])
    with acting_as(kommunalsjef):
        meeting_id = domain.plan_series_meeting(series_id, first)
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", [])
    with acting_as(styrer):
        concern = domain.open_concern(child, styrer, TODAY, "Kommer sliten.", "", ["neglect"], 1)
        with pytest.raises(InvalidMeeting) as refused:
            domain.bring_case(meeting_id, concern, "anonymous", "Barnet kommer sliten.", styrer)
    assert refused.value.code == "meeting.no_children"
    meeting = domain.get_meeting(meeting_id)
    assert meeting.modes == ()
    assert not may(Principal(styrer, "unit_leader", unit, None), "meeting.bring", Target.meeting(meeting))


def test_the_bup_consultation_takes_anonymised_cases_only(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    tuesday = next_weekday(TODAY, 1)
    series_id = plan(domain, "bup", "every_6th_week", tuesday, ppt, [unit], ["ppt"])
    with acting_as(ppt):
        meeting_id = domain.plan_series_meeting(series_id, tuesday)
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", [])
    with acting_as(styrer):
        concern = domain.open_concern(child, styrer, TODAY, "Kommer sliten.", "", ["neglect"], 1)
        with pytest.raises(InvalidMeeting) as refused:
            domain.bring_case(meeting_id, concern, "named", "Ola Lyng kommer sliten.", styrer)
        assert refused.value.code == "meeting.anonymous_only"
        domain.bring_case(meeting_id, concern, "anonymous", "Barnet kommer sliten.", styrer)
    assert may(Principal(styrer, "unit_leader", unit, None), "meeting.bring", Target.meeting(domain.get_meeting(meeting_id)))


def test_the_kommunalsjef_plans_leads_and_minutes_a_resource_team_meeting(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    her = Principal(kommunalsjef, "municipal_leader", None, None)
    assert may(her, "meeting.schedule") and may(her, "meetings.list")
    assert may(her, "series.plan", Target(kind="resource_team"))
    series_id = plan(domain, "resource_team", "half_yearly", TODAY, kommunalsjef, [unit],
                     ["ppt", "unit_leader"], [ppt])
    with acting_as(kommunalsjef):
        meeting_id = domain.plan_series_meeting(series_id, TODAY)
    meeting = domain.get_meeting(meeting_id)
    assert meeting.kind == ("spring" if TODAY.month <= 6 else "autumn") and meeting.leader_id == kommunalsjef
    assert may(her, "meeting.view", Target.meeting(meeting)) and may(her, "meeting.minute", Target.meeting(meeting))
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", [])
    with acting_as(styrer):
        concern = domain.open_concern(child, styrer, TODAY, "Kommer sliten.", "", ["neglect"], 1)
        # Consent covers services, and she is none: the meetings she leads take anonymised cases.
        with pytest.raises(InvalidMeeting) as refused:
            domain.bring_case(meeting_id, concern, "named", "Ola Lyng kommer sliten.", styrer)
        assert refused.value.code == "meeting.anonymous_only"
        case_id = domain.bring_case(meeting_id, concern, "anonymous", "Barnet kommer sliten.", styrer)
    with acting_as(kommunalsjef):
        domain.minute_case(case_id, "Snakk med foresatte.")
        domain.write_minutes(meeting_id, [kommunalsjef, ppt, styrer], "Drøftet fravær.", TODAY + timedelta(days=90),
                             "10:00")
        domain.approve_minutes(meeting_id, kommunalsjef)
    meeting = domain.get_meeting(meeting_id)
    assert meeting.minutes_approved and meeting.approved_by == kommunalsjef
    assert set(meeting.attendee_ids) == {kommunalsjef, ppt, styrer} and meeting.notes == "Drøftet fravær."
    assert domain.get_concern(concern).entries[-1]["text"].endswith("Snakk med foresatte.")


# -- the pages ------------------------------------------------------------------------------------
def test_planning_a_bup_series_shows_its_next_three_tuesdays(web):
    ppt = web.login("ppt")
    tuesday = next_weekday(TODAY, 1)
    form = {"kind": "bup", "rule": "every_6th_week", "first_on": (tuesday + timedelta(days=1)).isoformat(),
            "starts_at": "12:00", "place": "Notodden BUP", "unit_ids": [str(web.ids["units"]["solsikken"])],
            "services": ["ppt", "helsestasjon", "barnevern"]}
    refused = web.post_form(ppt, "/ressursteam/serier/ny", form)
    assert refused.status_code == 422
    page = dom(refused.text)
    assert "Velg en tirsdag" in page.one("#f-first_on").parent.text
    assert page.one("#f-place")["value"] == "Notodden BUP"
    made = web.post_form(ppt, "/ressursteam/serier/ny", {**form, "first_on": tuesday.isoformat()})
    assert made.status_code == 303
    url = made.headers["location"]
    page = dom(ppt.get(url).text)
    assert "BUP-konsultasjon" in page.one("h1").text
    coming = page.one("ol.list").text
    for day in (tuesday, tuesday + timedelta(weeks=6), tuesday + timedelta(weeks=12)):
        assert f"{day:%d.%m.%Y}" in coming
    # Its leader plans the first; the meeting takes anonymised cases only.
    planned = web.post_form(ppt, f"{url}/planlegg", {"on": tuesday.isoformat()}, page=url)
    assert planned.status_code == 303
    meeting_url = planned.headers["location"]
    assert "BUP-konsultasjon" in ppt.get(meeting_url).text
    leader = web.login("unit_leader")  # Solsikken attends
    assert "Ta opp en sak" in leader.get(meeting_url).text
    bring = leader.get(f"{meeting_url}/sak?bekymring={web.concerns['own']}").text
    assert 'value="named"' not in bring and "tas bare opp anonymt" in bring
    assert ppt.get("/ressursteam").status_code == 200 and url in ppt.get("/ressursteam").text


def test_no_one_brings_a_child_to_the_lederforum(web):
    kommunalsjef = web.login("municipal_leader")
    first = last_thursday(TODAY.year, TODAY.month)
    form = {"kind": "lederforum", "rule": "last_thursday", "first_on": first.isoformat(), "starts_at": "09:00",
            "place": "Rådhuset", "unit_ids": [str(web.ids["units"]["solsikken"])]}
    made = web.post_form(kommunalsjef, "/ressursteam/serier/ny", form)
    assert made.status_code == 303, made.text
    url = made.headers["location"]
    planned = web.post_form(kommunalsjef, f"{url}/planlegg", {"on": first.isoformat()}, page=url)
    meeting_url = planned.headers["location"]
    leader = web.login("unit_leader")
    page = leader.get(meeting_url).text
    assert "Barn tas aldri opp i dette møtet" in page and "Ta opp en sak" not in page
    assert leader.get(f"{meeting_url}/sak").status_code == 404


def test_an_arena_is_planned_only_by_its_planners(web):
    leader = web.login("unit_leader")
    form = {"kind": "slt", "rule": "monthly", "first_on": TODAY.isoformat(), "starts_at": "09:00",
            "services": ["barnevern"]}
    refused = web.post_form(leader, "/ressursteam/serier/ny", form)
    assert refused.status_code == 422 and "Du kan ikke planlegge denne typen møte." in refused.text
    options = [o["value"] for o in dom(leader.get("/ressursteam/serier/ny").text).select("#f-kind option")]
    assert "slt" not in options and "school_transfer" in options
    assert web.login("staff").get("/ressursteam/serier/ny").status_code == 403


def test_the_kommunalsjef_plans_leads_and_minutes_a_resource_team_meeting_on_the_web(web):
    kommunalsjef = web.login("municipal_leader")
    assert kommunalsjef.get("/ressursteam").status_code == 200
    form = {"kind": "extra", "held_on": TODAY.isoformat(), "starts_at": "14:00", "place": "Rådhuset",
            "unit_ids": [str(web.ids["units"]["solsikken"])], "services": ["ppt", "unit_leader"]}
    made = web.post_form(kommunalsjef, "/ressursteam/nytt", form)
    assert made.status_code == 303
    url = made.headers["location"]
    page = kommunalsjef.get(url).text
    assert "Lagre referatet" in page and "Godkjenn referatet" in page
    styrer = web.ids["users"]["styrer"]
    saved = web.post_form(kommunalsjef, f"{url}/referat", {"attendee_ids": [str(styrer)], "notes": "Felles tema: fravær.",
                                                          "next_on": "", "next_at": ""}, page=url)
    assert saved.status_code == 303
    assert web.post_form(kommunalsjef, f"{url}/godkjenn", {}, page=url).status_code == 303
    page = kommunalsjef.get(url).text
    assert "Referatet er godkjent" in page and "Felles tema: fravær." in page


def test_the_wheel_reads_every_generated_date_of_a_period(web):
    """SeriesProjection.dates: what the yearly wheel shows of the series, per unit or all."""
    kommunalsjef, styrer = web.ids["users"]["kommunalsjef"], web.ids["users"]["styrer"]
    solsikken, school = web.ids["units"]["solsikken"], web.ids["units"]["fjordvikskole"]
    year = TODAY.year + 1
    with acting_as(kommunalsjef):
        forum = web.domain.plan_series("lederforum", "last_thursday", last_thursday(year, 1), "09:00", "Rådhuset",
                                       kommunalsjef, [school], [], [])
        planned = web.domain.plan_series_meeting(forum, last_thursday(year, 2))
    with acting_as(styrer):
        team = web.domain.plan_series("resource_team", "half_yearly", date(year, 3, 10), "13:00", "Solsikken",
                                      styrer, [solsikken], ["ppt"], [])
    web.projections.wait()
    series = web.app.state.projections["series"]
    spring = series.dates(date(year, 1, 1), date(year, 3, 31))
    assert [(d.on, d.kind, d.starts_at) for d in spring] == [
        (last_thursday(year, 1), "lederforum", "09:00"), (last_thursday(year, 2), "lederforum", "09:00"),
        (date(year, 3, 10), "resource_team", "13:00"), (last_thursday(year, 3), "lederforum", "09:00")]
    assert spring[1].meeting_id == planned and spring[0].meeting_id is None
    assert {d.place for d in spring} == {"Rådhuset", "Solsikken"} and spring[2].series_id == team
    assert [d.on for d in series.dates(date(year, 1, 1), date(year, 12, 31), solsikken)] == [
        date(year, 3, 10), date(year, 9, 10)]


def test_the_series_pages_in_english(web):
    from tests.test_language import choose_language

    ppt = web.login("ppt")
    choose_language(web, ppt, "en")
    tuesday = next_weekday(TODAY, 1)
    made = web.post_form(ppt, "/ressursteam/serier/ny", {
        "kind": "bup", "rule": "every_6th_week", "first_on": tuesday.isoformat(), "starts_at": "12:00",
        "unit_ids": [str(web.ids["units"]["solsikken"])], "services": ["ppt"]})
    page = ppt.get(made.headers["location"]).text
    for text in ("BUP consultation", "Every 6th week", "Coming meetings", "Anonymous cases or shared themes"):
        assert text in page
    assert "New meeting series" in ppt.get("/ressursteam").text
    assert "Services attending" in ppt.get("/ressursteam/serier/ny").text


def test_a_leader_brings_whoever_needs_to_attend(web):
    """004: «Styrer eller rektor står fritt til å ta med de som har behov»: named people
    beside the services; an invited teacher finds the meeting and is minuted present."""
    leader = web.login("unit_leader")
    teacher = web.ids["users"]["pedleder"]
    form = {"kind": "extra", "held_on": TODAY.isoformat(), "starts_at": "10:00", "place": "",
            "unit_ids": [str(web.ids["units"]["solsikken"])], "services": ["ppt"], "invitee_ids": [str(teacher)]}
    assert f'value="{teacher}"' in leader.get("/ressursteam/nytt").text
    made = web.post_form(leader, "/ressursteam/nytt", form)
    assert made.status_code == 303
    url = made.headers["location"]
    staff = web.login("staff")
    assert url in staff.get("/ressursteam").text and "Planlegg møte" not in staff.get("/ressursteam").text
    page = staff.get(url)
    assert page.status_code == 200 and "Ta opp en sak" not in page.text
    saved = web.post_form(leader, f"{url}/referat", {"attendee_ids": [str(teacher)], "notes": "", "next_on": "",
                                                    "next_at": ""}, page=url)
    assert saved.status_code == 303


def test_the_wheel_and_the_calendar_feed_show_a_series_coming_dates(web):
    """The yearly wheel reads the series' generated dates (intranet/wheel_sources.py);
    a date once planned is the meeting, shown once."""
    from icalendar import Calendar

    from tests.test_wheel import feed_url

    kommunalsjef = web.ids["users"]["kommunalsjef"]
    year = TODAY.year + 1
    with acting_as(kommunalsjef):
        forum = web.domain.plan_series("lederforum", "last_thursday", last_thursday(year, 1), "09:00", "Rådhuset",
                                       kommunalsjef, [web.ids["units"]["solsikken"]], [], [])
        web.domain.plan_series_meeting(forum, last_thursday(year, 2))
    web.projections.wait()
    wheel = dom(web.login("staff").get(f"/arshjul?ar={year}").text)
    forums = [li.text for li in wheel.select("li") if li.text.startswith(tuple("0123456789"))
              and "Lederforum" in li.text]
    assert len(forums) == 11  # every month but February, where the meeting is planned
    leader = web.login("municipal_leader")
    assert f"/ressursteam/serier/{forum}" in leader.get(f"/arshjul?ar={year}").text
    calendar = Calendar.from_ical(web.client().get(feed_url(web, leader)).content)
    starts = {e.decoded("dtstart").date() for e in calendar.walk("VEVENT") if str(e.get("summary")) == "Lederforum"}
    assert last_thursday(year, 3) in starts and last_thursday(year, 2) in starts  # the planned one: she leads it


# -- changing and ending a series ------------------------------------------------------------
def test_a_change_applies_from_its_date_and_planned_meetings_keep_theirs(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    first = TODAY + timedelta(days=10)
    series_id = plan(domain, "resource_team", "half_yearly", first, styrer, [unit], ["ppt", "unit_leader"])
    later = domain.get_series(series_id).next_dates(TODAY, 2)[1]
    with acting_as(styrer):
        planned = domain.plan_series_meeting(series_id, first)
        domain.change_series(series_id, first + timedelta(days=1), "13:00", "Rådhuset", [unit],
                             ["ppt", "barnevern", "unit_leader"], [ppt])
        changed = domain.plan_series_meeting(series_id, later)
    kept, new = domain.get_meeting(planned), domain.get_meeting(changed)
    assert (kept.starts_at, kept.place, set(kept.services), kept.invitee_ids) == (
        "09:00", "Rådhuset", {"ppt", "unit_leader"}, [])  # as planned before the change (plan() names Rådhuset)
    assert (new.starts_at, new.place, set(new.services), new.invitee_ids) == (
        "13:00", "Rådhuset", {"ppt", "barnevern", "unit_leader"}, [ppt])
    series = domain.get_series(series_id)
    assert series.settings_on(first).starts_at == "09:00" and series.settings_on(later).starts_at == "13:00"
    assert [(h["what"], h["by"]) for h in series.history] == [("planned", styrer), ("changed", styrer)]
    assert series.history[1]["fields"] == ("starts_at", "services", "invitee_ids")
    assert series.history[1]["from_on"] == first + timedelta(days=1)
    # A change from an earlier day replaces it: the later dates follow the newest.
    with acting_as(styrer):
        domain.change_series(series_id, first, "10:00", "Solsikken", [unit], ["ppt", "unit_leader"], [])
    series = domain.get_series(series_id)
    assert [v.from_on for v in series.versions] == [first] and series.settings_on(later).place == "Solsikken"


@pytest.mark.parametrize("change, code, field", [
    ({"services": []}, "meeting.services_required", "services"),  # the resource team is its services
    ({"unit_ids": []}, "meeting.units_required", "unit_ids"),  # cases come from units
    ({"starts_at": "9"}, "meeting.time_invalid", "starts_at"),
    ({"place": "x" * 201}, "text.too_long", "place"),
    ({"from_on": TODAY - timedelta(days=1)}, "series.before_today", "from_on"),
    ({}, "series.unchanged", None),
])
def test_a_change_is_checked_as_a_new_series_is(municipality, change, code, field):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    series_id = plan(domain, "resource_team", "half_yearly", TODAY, styrer, [unit], ["ppt"])
    values = {"from_on": TODAY, "starts_at": "09:00", "place": "Rådhuset", "unit_ids": [unit], "services": ["ppt"],
              "invitee_ids": [], **change}
    with acting_as(styrer), pytest.raises(InvalidMeeting) as refused:
        domain.change_series(series_id, **values)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_an_ended_series_has_no_later_date_and_keeps_its_planned_meetings(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    tuesday = next_weekday(TODAY, 1)
    series_id = plan(domain, "bup", "every_6th_week", tuesday, ppt, [unit], ["ppt"])
    third, fourth = tuesday + timedelta(weeks=12), tuesday + timedelta(weeks=18)
    with acting_as(ppt):
        planned = domain.plan_series_meeting(series_id, third)
        with pytest.raises(InvalidMeeting) as refused:
            domain.end_series(series_id, TODAY - timedelta(days=1), "")
        assert (refused.value.code, refused.value.field) == ("series.before_today", "last_on")
        domain.end_series(series_id, tuesday + timedelta(weeks=6), "Skoleåret er slutt.")
    series = domain.get_series(series_id)
    assert series.ended and series.end_reason == "Skoleåret er slutt."
    assert series.next_dates(TODAY, 5) == [tuesday, tuesday + timedelta(weeks=6)]
    assert series.dates(TODAY, fourth) == [tuesday, tuesday + timedelta(weeks=6)]
    assert series.planned_after(series.ends_on) == [(third, planned)]  # not cancelled by the end
    assert domain.get_meeting(planned).held_on == third
    with acting_as(ppt):
        with pytest.raises(InvalidMeeting) as refused:
            domain.plan_series_meeting(series_id, fourth)
        assert (refused.value.code, refused.value.field) == ("series.after_end", "on")
        for command, arguments in ((domain.change_series, (TODAY, "10:00", "", [unit], ["ppt"], [])),
                                   (domain.end_series, (TODAY, ""))):
            with pytest.raises(InvalidMeeting) as refused:
                command(series_id, *arguments)
            assert refused.value.code == "series.ended"
    assert [h["what"] for h in series.history] == ["planned", "ended"] and series.history[1]["by"] == ppt


def test_a_series_ends_not_before_its_first_date(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    first = TODAY + timedelta(days=30)
    series_id = plan(domain, "resource_team", "half_yearly", first, styrer, [unit], ["ppt"])
    with acting_as(styrer), pytest.raises(InvalidMeeting) as refused:
        domain.end_series(series_id, first - timedelta(days=1), "")
    assert (refused.value.code, refused.value.field) == ("series.before_first", "last_on")
    with acting_as(styrer):
        domain.end_series(series_id, first, "")
    assert domain.get_series(series_id).next_dates(TODAY, 3) == [first]


def test_only_its_leader_changes_or_ends_a_series_and_a_change_ends_access_after_its_date(municipality):
    domain, unit, school, kommunalsjef, styrer, ppt = municipality
    series_id = plan(domain, "resource_team", "half_yearly", TODAY, styrer, [unit], ["ppt", "barnevern"])
    people = {"styrer": Principal(styrer, "unit_leader", unit, None),
              "kommunalsjef": Principal(kommunalsjef, "municipal_leader", None, None),
              "ppt": Principal(ppt, "resource_team", None, "ppt"),
              "barnevern": Principal(uuid4(), "resource_team", None, "barnevern")}
    target = Target.series(domain.get_series(series_id), TODAY)
    for action in ("series.change", "series.end"):
        assert {n for n, p in people.items() if may(p, action, target)} == {"styrer"}
    later = TODAY + timedelta(days=30)
    with acting_as(styrer):
        domain.change_series(series_id, later, "09:00", "Rådhuset", [unit], ["ppt"], [])
    series = domain.get_series(series_id)
    seeing = {on: {n for n, p in people.items() if may(p, "series.view", Target.series(series, on))}
              for on in (TODAY, later)}
    assert seeing == {TODAY: {"styrer", "ppt", "barnevern"}, later: {"styrer", "ppt"}}


# -- changing and ending on the web ----------------------------------------------------------
def styrers_series(web, first_on=TODAY):
    """The styrer's resource-team series for Solsikken, with PPT."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        series_id = web.domain.plan_series("resource_team", "half_yearly", first_on, "09:00", "Solsikken", styrer,
                                           [web.ids["units"]["solsikken"]], ["ppt", "unit_leader"], [])
    web.projections.wait()
    return series_id, f"/ressursteam/serier/{series_id}"


def test_the_leader_changes_a_series_and_sees_what_was_planned_before(web):
    series_id, url = styrers_series(web)
    leader = web.login("unit_leader")
    planned = web.post_form(leader, f"{url}/planlegg", {"on": TODAY.isoformat()}, page=url)
    meeting_url = planned.headers["location"]
    page = dom(leader.get(url).text)
    form = page.one(f"form[action='{url}/endre']")
    assert form.one("#f-place")["value"] == "Solsikken"
    section = page.one("#change-heading").parent  # the meeting planned keeps what it has: linked
    assert [a["href"] for a in section.select("ul a")] == [meeting_url]
    values = {"from_on": (TODAY + timedelta(days=1)).isoformat(), "starts_at": "", "place": "Mitt rom",
              "unit_ids": [str(web.ids["units"]["solsikken"])], "services": ["ppt", "unit_leader"]}
    refused = web.post_form(leader, f"{url}/endre", values, page=url)
    assert refused.status_code == 422
    page = dom(refused.text)
    assert "Skriv klokkeslettet." in field_error(page, "starts_at")
    assert page.one("#f-place")["value"] == "Mitt rom"
    refused = web.post_form(leader, f"{url}/endre", {**values, "starts_at": "13:00", "services": []}, page=url)
    assert refused.status_code == 422 and "Velg hvem som deltar." in field_error(dom(refused.text), "services")
    refused = web.post_form(leader, f"{url}/endre", {**values, "starts_at": "13:00",
                                                     "from_on": (TODAY - timedelta(days=1)).isoformat()}, page=url)
    assert "Velg i dag eller en senere dato." in field_error(dom(refused.text), "from_on")
    done = web.post_form(leader, f"{url}/endre", {**values, "starts_at": "13:00"}, page=url)
    assert done.status_code == 303 and done.headers["location"] == url
    page = leader.get(url).text
    assert f"Fra {TODAY + timedelta(days=1):%d.%m.%Y}: kl. 13:00 · Mitt rom" in page
    assert f"Endret fra {TODAY + timedelta(days=1):%d.%m.%Y}: klokkeslett, sted" in page
    meeting = web.domain.get_meeting(UUID(meeting_url.rsplit("/", 1)[1]))
    assert (meeting.starts_at, meeting.place) == ("09:00", "Solsikken")  # planned before: kept
    # Barnevernet does not attend: the series is not there for it (the matrix has every role).
    assert web.post_form(web.login("resource_team"), f"{url}/endre", values, page="/konto").status_code == 404


def test_the_leader_ends_a_series_and_no_later_date_is_planned(web):
    series_id, url = styrers_series(web)
    second = web.domain.get_series(series_id).next_dates(TODAY, 2)[1]
    with acting_as(web.ids["users"]["styrer"]):
        kept = web.domain.plan_series_meeting(series_id, second)
    leader = web.login("unit_leader")
    refused = web.post_form(leader, f"{url}/avslutt", {"last_on": (TODAY - timedelta(days=1)).isoformat(),
                                                       "reason": "Omorganisert"}, page=url)
    assert refused.status_code == 422
    page = dom(refused.text)
    assert "Velg i dag eller en senere dato." in field_error(page, "last_on")
    assert page.one("#f-reason")["value"] == "Omorganisert"
    done = web.post_form(leader, f"{url}/avslutt", {"last_on": TODAY.isoformat(), "reason": "Omorganisert"},
                         page=url)
    assert done.status_code == 303
    page = dom(leader.get(url).text)
    ended = page.one("#ended").text
    assert f"Avsluttet fra {TODAY:%d.%m.%Y}." in ended and "Begrunnelse: Omorganisert" in ended
    # planned after the end: listed, not cancelled, linked to its page's form to cancel it
    assert [a["href"] for a in page.select("#ended a")] == [f"/ressursteam/{kept}#avlys"]
    assert not page.select(f"form[action='{url}/endre']") and not page.select(f"form[action='{url}/avslutt']")
    refused = web.post_form(leader, f"{url}/planlegg", {"on": (second + timedelta(days=183)).isoformat()}, page=url)
    assert refused.status_code == 422 and f"Serien er avsluttet fra {TODAY:%d.%m.%Y}." in refused.text
    assert f"Avsluttet fra {TODAY:%d.%m.%Y}." in leader.get("/ressursteam").text
    dates = web.app.state.projections["series"].dates(TODAY, TODAY + timedelta(days=800))
    assert [d.on for d in dates if d.series_id == series_id] == [TODAY]
    changed = web.post_form(leader, f"{url}/endre", {"from_on": TODAY.isoformat(), "starts_at": "10:00"}, page=url)
    assert changed.status_code == 422 and "Serien er avsluttet og kan ikke endres." in changed.text


def test_the_demo_has_the_styrers_resource_team_series(web):
    """intranet/demo_series.py, as `demo.load_with_casework` loads it: one planned
    meeting, and a later change the planned meeting does not follow."""
    from intranet.demo_series import load_series

    series_id = load_series(web.domain, web.ids)
    web.projections.wait()
    series = web.domain.get_series(series_id)
    assert (series.kind, series.leader_id) == ("resource_team", web.ids["users"]["styrer"])
    assert series.unit_ids == [web.ids["units"]["solsikken"]] and len(series.planned) == 1
    [(first, meeting_id)] = series.planned.items()
    assert first > TODAY and web.domain.get_meeting(meeting_id).place == "Solsikken barnehage, personalrommet"
    page = dom(web.login("unit_leader").get(f"/ressursteam/serier/{series_id}").text)
    assert [a["href"] for a in page.one("#change-heading").parent.select("ul a")] == [f"/ressursteam/{meeting_id}"]
    assert "Fjordvik rådhus, møterom 2" in page.one("#versions-heading").parent.text
    assert [h["what"] for h in series.history] == ["planned", "changed"]


@pytest.mark.parametrize("today", [date(2026, 12, 8), date(2026, 6, 1), date(2026, 5, 26), date(2026, 3, 1),
                                   date(2026, 11, 20), date(2027, 1, 31)])
def test_the_demo_series_meets_in_term_time_whatever_the_day_it_is_loaded(today):
    """Loaded on 8 December, the demo's half-yearly series met on 30 December and 30 June:
    in the holidays. Its dates fall in spring or autumn term, three weeks or more ahead."""
    from events import recurrence
    from intranet.demo_series import first_meeting

    first = first_meeting(today)
    assert first >= today + timedelta(days=21) and first.weekday() == 2
    for day in recurrence.next_dates("half_yearly", first, first, 6):
        assert (2, 20) <= (day.month, day.day) <= (6, 15) or (8, 20) <= (day.month, day.day) <= (12, 15), day
