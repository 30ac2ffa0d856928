"""Cancelling a planned meeting: by its leader, before it is held and minuted, with a
reason the attendees see on the page, in the list, on the front page, in the wheel
and in the calendar feed."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from events import clock
from events.base import acting_as
from events.meetings import MAX_CANCEL_REASON, InvalidMeeting
from tests.htmltree import dom, field_error

TODAY = clock.today()
GUARDIANS = [{"name": "Mona Lyng", "relation": "mor", "parental_responsibility": True}]


@pytest.fixture
def team(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    child = domain.register_child("Ola", "Lyng", date(2021, 5, 5), unit, "", GUARDIANS)
    leader = domain.register_user("leder", "Lene Leder", "Styrer", "unit_leader", unit, None, "h")
    with acting_as(leader):
        concern = domain.open_concern(child, leader, TODAY, "Kommer uten matpakke.", "«Sulten»", ["substance_use"], 3)
    return domain, unit, concern, leader


def schedule(domain, unit, leader, on=TODAY + timedelta(days=7)):
    with acting_as(leader):
        return domain.schedule_meeting("extra", on, [unit], ["ppt", "unit_leader"], leader, "Rådhuset", "09:00")


def refused(call, *args) -> InvalidMeeting:
    with pytest.raises(InvalidMeeting) as error:
        call(*args)
    return error.value


# -- the domain --------------------------------------------------------------------------------
def test_the_leader_cancels_a_planned_meeting_with_a_reason_and_nothing_is_added_after(team):
    domain, unit, concern, leader = team
    meeting_id = schedule(domain, unit, leader)
    with acting_as(leader):
        domain.bring_case(meeting_id, concern, "anonymous", "Barnet kommer uten matpakke.", leader)
        error = refused(domain.cancel_meeting, meeting_id, "  ", leader)
        assert (error.code, error.field) == ("meeting.cancel_reason_required", "reason")
        error = refused(domain.cancel_meeting, meeting_id, "x" * (MAX_CANCEL_REASON + 1), leader)
        assert (error.code, error.field) == ("text.too_long", "reason")
        assert refused(domain.cancel_meeting, meeting_id, "Skolen stenger", uuid4()).code == "meeting.leader_only_cancel"
        domain.cancel_meeting(meeting_id, " Skolen stenger denne dagen. ", leader)
    meeting = domain.get_meeting(meeting_id)
    assert (meeting.cancelled, meeting.cancel_reason, meeting.cancelled_by, meeting.cancelled_on) == (
        True, "Skolen stenger denne dagen.", leader, TODAY)
    with acting_as(leader):
        assert refused(domain.cancel_meeting, meeting_id, "Igjen", leader).code == "meeting.cancelled"
        assert refused(domain.add_general_issue, meeting_id, "Tema", "", leader).code == "meeting.cancelled"
        assert refused(domain.bring_case, meeting_id, concern, "anonymous", "Barnet er sulten.",
                       leader).code == "meeting.cancelled"
        assert refused(domain.write_minutes, meeting_id, [], "Notat", None, "").code == "meeting.cancelled"
        assert refused(domain.minute_case, meeting.case_ids[0], "Et råd").code == "meeting.cancelled"
        assert refused(domain.approve_minutes, meeting_id, leader).code == "meeting.cancelled"
        # The concern is not tied to the cancelled meeting: it is brought to another.
        other = schedule(domain, unit, leader, TODAY + timedelta(days=14))
        domain.bring_case(other, concern, "anonymous", "Barnet kommer uten matpakke.", leader)
    assert len(domain.get_meeting(other).case_ids) == 1


def test_a_meeting_held_or_minuted_is_not_cancelled(team):
    domain, unit, concern, leader = team
    past = schedule(domain, unit, leader, TODAY - timedelta(days=1))
    minuted = schedule(domain, unit, leader, TODAY)
    advised = schedule(domain, unit, leader, TODAY)
    approved = schedule(domain, unit, leader, TODAY)
    with acting_as(leader):
        assert refused(domain.cancel_meeting, past, "For sent", leader).code == "meeting.already_held"
        domain.write_minutes(minuted, [leader], "Vi møttes.", None, "")
        assert refused(domain.cancel_meeting, minuted, "For sent", leader).code == "meeting.minuted"
        case = domain.bring_case(advised, concern, "anonymous", "Barnet kommer uten matpakke.", leader)
        domain.minute_case(case, "Snakk med foresatte.")
        assert refused(domain.cancel_meeting, advised, "For sent", leader).code == "meeting.minuted"
        domain.approve_minutes(approved, leader)
        assert refused(domain.cancel_meeting, approved, "For sent", leader).code == "meeting.closed"
        domain.cancel_meeting(schedule(domain, unit, leader, TODAY), "Stengt i dag", leader)  # its day: still may


def test_a_cancelled_series_meeting_stays_cancelled(team):
    domain, unit, concern, leader = team
    with acting_as(leader):
        series_id = domain.plan_series("resource_team", "half_yearly", TODAY, "09:00", "Rådhuset", leader, [unit],
                                       ["ppt", "unit_leader"], [])
        meeting_id = domain.plan_series_meeting(series_id, TODAY)
        domain.cancel_meeting(meeting_id, "Skolen stenger", leader)
        # Asked again for that date, the series answers with the cancelled meeting: it plans none anew.
        assert domain.plan_series_meeting(series_id, TODAY) == meeting_id
    assert domain.get_meeting(meeting_id).cancelled
    assert domain.get_series(series_id).planned == {TODAY: meeting_id}


# -- the web ---------------------------------------------------------------------------------
def coming_meeting(web, days=3) -> tuple[UUID, str]:
    """The styrer's meeting in a few days, with barnevernet and PPT."""
    styrer = web.ids["users"]["styrer"]
    with acting_as(styrer):
        meeting_id = web.domain.schedule_meeting("extra", TODAY + timedelta(days=days), [web.ids["units"]["solsikken"]],
                                                 ["barnevern", "ppt", "unit_leader"], styrer, "Rådhuset", "09:00")
    web.projections.wait()
    return meeting_id, f"/ressursteam/{meeting_id}"


def test_the_leader_cancels_a_meeting_on_its_page_and_errors_keep_her_text(web):
    meeting_id, url = coming_meeting(web)
    leader = web.login("unit_leader")
    page = dom(leader.get(url).text)
    assert page.one("#avlys")["action"] == f"{url}/avlys"
    # Barnevernet attends, but does not lead: no form, and the route answers as for any record not hers.
    barnevern = web.login("resource_team")
    assert not dom(barnevern.get(url).text).select("#avlys")
    assert web.post_form(barnevern, f"{url}/avlys", {"reason": "Nei"}, page=url).status_code == 404
    long = "Stengt " * 100
    answer = web.post_form(leader, f"{url}/avlys", {"reason": long}, page=url)
    assert answer.status_code == 422
    page = dom(answer.text)
    assert "Teksten er for lang" in field_error(page, "reason") and page.one("#f-reason")["value"] == long
    answer = web.post_form(leader, f"{url}/avlys", {"reason": ""}, page=url)
    assert answer.status_code == 422 and "Skriv hvorfor møtet avlyses." in field_error(dom(answer.text), "reason")
    done = web.post_form(leader, f"{url}/avlys", {"reason": "Skolen er stengt."}, page=url)
    assert done.status_code == 303 and done.headers["location"] == url
    for client in (leader, barnevern):
        page = dom(client.get(url).text)
        cancelled = page.one("#cancelled").text
        assert "Avlyst" in cancelled and "Skolen er stengt." in cancelled
        name = web.domain.get_user(web.ids["users"]["styrer"]).name
        assert f"Avlyst {TODAY:%d.%m.%Y} av {name}." in " ".join(cancelled.split())
        assert not page.select("#avlys") and not page.select("form[action$='/generelt']")
        assert not page.select(f"a[href='{url}/sak']")
    assert web.post_form(leader, f"{url}/generelt", {"title": "Tema"}, page=url).status_code == 422


def test_a_cancelled_meeting_shows_as_cancelled_in_the_list_the_front_page_the_wheel_and_the_feed(web):
    from icalendar import Calendar

    from tests.test_wheel import feed_url

    meeting_id, url = coming_meeting(web)
    with acting_as(web.ids["users"]["styrer"]):
        web.domain.cancel_meeting(meeting_id, "Skolen er stengt.", web.ids["users"]["styrer"])
    web.projections.wait()
    leader = web.login("unit_leader")
    row = [tr for tr in dom(leader.get("/ressursteam").text).select("tbody tr") if tr.select(f"a[href='{url}']")]
    assert len(row) == 1 and "Avlyst" in row[0].text and "(kommende)" not in row[0].text
    home = [li for li in dom(leader.get("/").text).one("#h-meetings").parent.select("li") if li.select(f"a[href='{url}']")]
    assert len(home) == 1 and "Avlyst" in home[0].text
    on = TODAY + timedelta(days=3)
    wheel = [li.text for li in dom(leader.get(f"/arshjul?ar={on.year}").text).select("li")
             if f"{on:%d.%m.%Y}" in li.text and "Ekstramøte" in li.text]
    assert wheel and all("Avlyst" in text for text in wheel)
    calendar = Calendar.from_ical(web.client().get(feed_url(web, leader)).content)
    events = {str(e.get("url")).rsplit("/", 1)[1]: e for e in calendar.walk("VEVENT") if "/ressursteam/" in
              str(e.get("url", ""))}
    assert str(events[str(meeting_id)].get("status")) == "CANCELLED"
    assert events[str(web.meeting)].get("status") is None


def test_the_series_page_links_meetings_after_its_end_to_the_form_and_marks_the_cancelled(web):
    from tests.test_series import styrers_series

    series_id, url = styrers_series(web)
    styrer = web.ids["users"]["styrer"]
    second, third = web.domain.get_series(series_id).next_dates(TODAY, 3)[1:]
    with acting_as(styrer):
        kept = web.domain.plan_series_meeting(series_id, second)
        gone = web.domain.plan_series_meeting(series_id, third)
        web.domain.end_series(series_id, TODAY, "Omorganisert")
        web.domain.cancel_meeting(gone, "Serien er avsluttet.", styrer)
    web.projections.wait()
    ended = dom(web.login("unit_leader").get(url).text).one("#ended")
    assert [a["href"] for a in ended.select("a")] == [f"/ressursteam/{kept}#avlys", f"/ressursteam/{gone}"]
    assert "Avlyst" in ended.select("li")[1].text and "Avlyst" not in ended.select("li")[0].text
