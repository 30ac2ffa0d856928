"""The yearly wheel (årshjul): items in the domain, with their history, on the
municipal wheel and on each unit's; who may edit which; the read model; then
the pages in the browser."""

from __future__ import annotations

import logging
import re
from uuid import UUID, uuid4

import pytest
from icalendar import Calendar

from events import clock

from events.base import acting_as
from events.errors import DomainError
from events.policy import Principal, Target, may
from events.wheel import DEFAULTS, InvalidWheelItem, WheelItemChanged
from projections.live import ProjectionRunner
from intranet import demo_data
from projections.wheel import WheelProjection
from tests.htmltree import dom
from tests.rawstore import leaks

ITEM = {"title": "Personalmøte: barn som bekymrer", "month": 9, "day": None, "year": None, "starts_at": "",
        "place": "", "kind": "staff_meeting", "description": "Gå gjennom handlingsveilederen.", "repeat": "yearly"}


def item(**changes):
    return {**ITEM, **changes}


# -- the domain, narrated ---------------------------------------------------------------------
def test_an_item_is_added_changed_and_removed_and_keeps_its_history(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    styrer, deputy = uuid4(), uuid4()
    with acting_as(styrer):
        item_id = domain.add_wheel_item(unit, **ITEM)
    record = domain.get_wheel_item(item_id)
    assert (record.unit_id, record.title, record.month, record.repeat) == (unit, ITEM["title"], 9, "yearly")
    assert [(h["what"], h["by"]) for h in record.history] == [("created", styrer)]

    # A change names what changed, and who changed it.
    with acting_as(deputy):
        domain.change_wheel_item(item_id, 1, **item(month=10, day=14, starts_at="14:00", place="Personalrommet"))
    record = domain.get_wheel_item(item_id)
    assert (record.month, record.day, record.starts_at) == (10, 14, "14:00")
    assert record.history[1]["what"] == "changed" and record.history[1]["by"] == deputy
    assert set(record.history[1]["fields"]) == {"month", "day", "starts_at", "place"}

    # A change made on a version someone has since changed is refused.
    with pytest.raises(WheelItemChanged):
        domain.change_wheel_item(item_id, 1, **item(title="Noe annet"))

    # Removed: it stays in the store with its history, and can no longer change.
    with acting_as(styrer):
        domain.remove_wheel_item(item_id)
    record = domain.get_wheel_item(item_id)
    assert record.removed and [h["what"] for h in record.history] == ["created", "changed", "removed"]
    assert not record.occurs_in(2027)
    with pytest.raises(InvalidWheelItem) as refused:
        domain.change_wheel_item(item_id, 3, **ITEM)
    assert refused.value.code == "wheel.removed"


@pytest.mark.parametrize("changes, code, field", [
    ({"title": "  "}, "wheel.title_required", "title"),
    ({"title": "x" * 201}, "text.too_long", "title"),
    ({"month": 13}, "wheel.month_required", "month"),
    ({"month": None}, "wheel.month_required", "month"),
    ({"month": 2, "day": 29}, "wheel.day_invalid", "day"),  # not every year has it
    ({"month": 4, "day": 31}, "wheel.day_invalid", "day"),
    ({"repeat": "once"}, "wheel.year_required", "year"),
    ({"year": 2027}, "wheel.year_with_yearly", "year"),
    ({"starts_at": "25:00", "day": 3}, "wheel.time_invalid", "starts_at"),
    ({"starts_at": "09:00"}, "wheel.time_without_day", "starts_at"),
    ({"kind": "party"}, "wheel.kind_unknown", "kind"),
    ({"repeat": "weekly"}, "wheel.repeat_unknown", "repeat"),
    ({"description": "x" * 2001}, "text.too_long", "description"),
])
def test_an_item_breaking_a_rule_is_refused(domain, changes, code, field):
    with pytest.raises(DomainError) as refused:
        domain.add_wheel_item(None, **item(**changes))
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_date_once_in_a_leap_year_is_fine_and_occurs_that_year_only(domain):
    item_id = domain.add_wheel_item(None, **item(repeat="once", year=2028, month=2, day=29))
    record = domain.get_wheel_item(item_id)
    assert record.occurs_in(2028) and not record.occurs_in(2029)


def test_the_defaults_are_added_once(domain):
    assert len(domain.add_default_wheel()) == len(DEFAULTS)
    assert domain.add_default_wheel() == []


# -- who may see and edit which wheel ---------------------------------------------------------
def test_the_kommunalsjef_edits_the_municipal_wheel_and_a_unit_leader_her_units():
    unit, other = uuid4(), uuid4()
    kommunalsjef = Principal(uuid4(), "municipal_leader", None, None)
    styrer = Principal(uuid4(), "unit_leader", unit, None)
    staff = Principal(uuid4(), "staff", unit, None)
    team = Principal(uuid4(), "resource_team", None, "barnevern")
    municipal, own, others = Target.wheel(None), Target.wheel(unit), Target.wheel(other)
    assert may(kommunalsjef, "wheel.edit", municipal) and not may(kommunalsjef, "wheel.edit", own)
    assert may(styrer, "wheel.edit", own) and not may(styrer, "wheel.edit", municipal)
    assert not may(styrer, "wheel.edit", others)
    assert not any(may(u, "wheel.edit", t) for u in (staff, team) for t in (municipal, own))
    # Staff see their unit's wheel and the municipal one; not another unit's.
    assert may(staff, "wheel.view", own) and may(staff, "wheel.view", municipal)
    assert not may(staff, "wheel.view", others) and not may(styrer, "wheel.view", others)
    assert may(team, "wheel.view", municipal) and not may(team, "wheel.view", own)


# -- the read model: municipal and per unit, nothing in clear -------------------------------
def test_the_read_model_keeps_each_wheel_apart_and_no_text_in_clear(domain, env):
    runner = ProjectionRunner(domain, [WheelProjection])
    wheel = runner["wheel"]
    school, kindergarten = (domain.register_unit("Fjordvik skole", "skole"),
                            domain.register_unit("Solsikken barnehage", "barnehage"))
    domain.add_wheel_item(None, **item(title="Lederforum siste torsdag", kind="leader_forum", month=1))
    domain.add_wheel_item(school, **item(title="Overføringsmøte 7. til 8. trinn", kind="transfer_school", month=3,
                                         place="Ungdomsskolens bibliotek"))
    once = domain.add_wheel_item(kindergarten, **item(title="Temadag i barnehagen", repeat="once", year=2027,
                                                      month=11, day=5, starts_at="09:00"))
    runner.catch_up()
    titles = [o.title for o in wheel.occurrences((None, school), 2027)]
    assert titles == ["Lederforum siste torsdag", "Overføringsmøte 7. til 8. trinn"]
    garden = wheel.occurrences((None, kindergarten), 2027)
    assert [(o.title, o.day, o.starts_at) for o in garden][1] == ("Temadag i barnehagen", 5, "09:00")
    assert [o.title for o in wheel.occurrences((kindergarten,), 2028)] == []  # once, in 2027
    domain.remove_wheel_item(once)
    runner.catch_up()
    assert wheel.occurrences((kindergarten,), 2027) == []
    runner.stop()
    assert leaks(env, ["Lederforum siste torsdag", "Overføringsmøte", "Ungdomsskolens bibliotek", "Temadag"]) == []


# -- the pages ---------------------------------------------------------------------------------
FORM = {"title": "Temadag: barn som bekymrer", "kind": "staff_meeting", "repeat": "yearly", "year": "",
        "month": "9", "day": "12", "starts_at": "14:00", "place": "Personalrommet", "description": "Film og samtale."}


def test_a_unit_leader_adds_an_item_to_her_units_wheel_and_her_staff_see_it(web):
    styrer = web.login("unit_leader")
    added = web.post_form(styrer, "/arshjul/ny", FORM)
    assert added.status_code == 303 and added.headers["location"].startswith("/arshjul/punkt/")
    item_page = styrer.get(added.headers["location"]).text
    assert "Temadag: barn som bekymrer" in item_page and "Opprettet" in item_page
    year = clock.today().year
    assert "Temadag: barn som bekymrer" in web.login("staff").get(f"/arshjul?ar={year}").text
    # Another unit's staff, and the resource team, see only the municipal wheel.
    assert "Temadag" not in web.login("laerer").get(f"/arshjul?ar={year}").text
    assert web.login("laerer").get(added.headers["location"]).status_code == 404
    # Staff may not add; the kommunalsjef adds to the municipal wheel only.
    assert web.post_form(web.login("staff"), "/arshjul/ny", FORM, page="/arshjul").status_code == 403


def test_the_municipal_wheel_starts_from_the_suggested_year(web):
    page = web.login("staff").get(f"/arshjul?ar={clock.today().year}").text
    assert "Overføringsmøter barnehage → skole" in page and "Overgangsskjema" in page  # the demo's
    assert 'role="img"' in page and "<svg" in page  # the wheel, beside its text list by month


def test_an_item_form_with_errors_keeps_the_text_and_says_what_is_wrong(web):
    styrer = web.login("unit_leader")
    refused = web.post_form(styrer, "/arshjul/ny", {**FORM, "title": ""})
    assert refused.status_code == 422
    form = dom(refused.text)
    assert "Skriv en tittel." in form.one("#f-title-error").text
    assert form.one("input[name=place]")["value"] == "Personalrommet"
    no_such_day = dom(web.post_form(styrer, "/arshjul/ny", {**FORM, "day": "31", "month": "4"}).text)
    assert no_such_day.one("#f-day-error") and no_such_day.one("input[name=title]")["value"] == FORM["title"]
    typo = dom(web.post_form(styrer, "/arshjul/ny", {**FORM, "day": "tolv"}).text)
    assert typo.one("input[name=day]")["value"] == "tolv" and typo.one("#f-day-error")


def test_an_item_is_changed_and_removed_and_its_history_names_who(web):
    styrer = web.login("unit_leader")
    url = web.post_form(styrer, "/arshjul/ny", FORM).headers["location"]
    changed = web.post_form(styrer, url, {**FORM, "title": "Temadag om samtaler med barn", "version": "1"}, page=url)
    assert changed.status_code == 303
    page = styrer.get(url).text
    assert "Temadag om samtaler med barn" in page and "Endret" in page and "Kari Nordmann" in page
    stale = web.post_form(styrer, url, {**FORM, "title": "Gammel", "version": "1"}, page=url)
    assert stale.status_code == 409
    removed = web.post_form(styrer, url + "/fjern", {}, page=url)
    assert removed.status_code == 303
    assert "Temadag om samtaler" not in styrer.get(f"/arshjul?ar={clock.today().year}").text
    assert "Fjernet" in styrer.get(url).text


def test_the_kommunalsjef_edits_the_municipal_wheel(web):
    leader = web.login("municipal_leader")
    url = web.post_form(leader, "/arshjul/ny", {**FORM, "title": "Lederforum", "kind": "leader_forum"},
                        page="/arshjul").headers["location"]
    record = web.domain.get_wheel_item(UUID(url.rsplit("/", 1)[1]))
    assert record.unit_id is None
    web.projections.wait()
    assert "Lederforum" in web.login("laerer").get(f"/arshjul?ar={clock.today().year}").text
    assert web.post_form(web.login("unit_leader"), url, {**FORM, "version": "1"}, page=False).status_code == 404


# -- the calendar feed --------------------------------------------------------------------------
def feed_url(web, client) -> str:
    created = web.post_form(client, "/konto/kalender", {"action": "create"})
    assert created.status_code == 200, created.text
    match = re.search(r"https://testserver(/kalender/[0-9a-f]{64}\.ics)", created.text)
    assert match, "the new address is shown once"
    return match.group(1)


def test_a_calendar_feed_of_the_wheel_and_my_meetings_without_any_childs_name(web):
    styrer = web.login("unit_leader")
    web.post_form(styrer, "/arshjul/ny", FORM)
    url = feed_url(web, styrer)
    fetched = web.client().get(url)  # a calendar app: not signed in
    assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(fetched.content)
    summaries = [str(e.get("summary")) for e in calendar.walk("VEVENT")]
    assert "Temadag: barn som bekymrer" in summaries
    assert any(s.startswith("Ressursteam") for s in summaries)  # the meeting she leads
    text = fetched.text
    for child in demo_data.CHILDREN:
        assert child["first_name"] not in text and child["last_name"] not in text
    assert "Overgangsskjema" in text  # the municipal wheel too


def test_a_revoked_feed_answers_404_and_a_new_address_works(web):
    styrer = web.login("unit_leader")
    old = feed_url(web, styrer)
    assert web.post_form(styrer, "/konto/kalender", {"action": "revoke"}).status_code == 303
    assert web.client().get(old).status_code == 404
    new = feed_url(web, styrer)
    assert new != old and web.client().get(new).status_code == 200 and web.client().get(old).status_code == 404


def test_guessing_feed_addresses_is_slowed_down(web):
    guesser = web.client("10.9.8.7")
    statuses = [guesser.get(f"/kalender/{n:064x}.ics").status_code for n in range(6)]
    assert statuses[:3] == [404, 404, 404] and 429 in statuses


def test_the_feed_token_and_the_items_are_neither_stored_nor_logged_in_clear(web, caplog):
    styrer = web.login("unit_leader")
    web.post_form(styrer, "/arshjul/ny", FORM)
    url = feed_url(web, styrer)
    token = url.split("/")[-1].removesuffix(".ics")
    assert web.client().get(url).status_code == 200
    assert leaks(web.env, [token, FORM["title"], FORM["place"], FORM["description"]]) == []
    # The access log line the server writes (uvicorn's format) hides the token.
    logger = logging.getLogger("uvicorn.access")
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logger.info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", url, "1.1", 200)
    assert token not in caplog.text and "/kalender/" in caplog.text
