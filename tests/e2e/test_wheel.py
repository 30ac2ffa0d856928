"""The yearly wheel in a real browser: a unit leader adds an item to her unit's
wheel and sees it in her calendar feed, which a calendar app fetches without
signing in; with and without JavaScript, axe clean, printable."""

from __future__ import annotations

import re

import httpx2 as httpx
import pytest
from icalendar import Calendar

from intranet import demo_data
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations


def no_violations(page, javascript: bool) -> bool:
    """axe runs as a script in the page: only where the page may run scripts."""
    return not javascript or violations(page) == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_unit_leader_adds_an_item_to_her_units_wheel_and_sees_it_in_her_calendar_feed(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    title = f"Temadag om loggbøker ({'js' if javascript else 'nojs'})"
    sign_in(page, server, "styrer")
    page.goto(server.url + "/arshjul")
    assert no_violations(page, javascript)
    page.get_by_role("link", name="Nytt punkt i årshjulet").click()
    assert no_violations(page, javascript)
    page.get_by_role("button", name="Legg til").click()  # nothing filled in: said beside the fields
    assert page.locator("#f-title-error").is_visible()
    assert no_violations(page, javascript)
    page.get_by_label("Tittel", exact=True).fill(title)
    page.get_by_label("Arena").select_option(label="Personalmøte")
    page.get_by_label("Hvert år").check()
    page.get_by_label("Måned", exact=True).select_option(label="Oktober")
    page.get_by_label("Dag (valgfritt)").fill("15")
    page.get_by_label("Klokkeslett (valgfritt)").fill("14:00")
    page.get_by_role("button", name="Legg til").click()
    page.wait_for_url(re.compile(r"/arshjul/punkt/[0-9a-f-]{36}$"))
    assert page.get_by_role("heading", name=title).is_visible()
    assert no_violations(page, javascript)

    page.goto(server.url + "/arshjul")
    october = page.locator("#m-10")
    assert october.get_by_role("link", name=title).is_visible()
    assert no_violations(page, javascript)
    # Printed: the wheel and the months, without the menu and the buttons.
    page.emulate_media(media="print")
    assert page.locator("nav.main").is_hidden() and page.locator("svg.wheel").is_visible()
    page.emulate_media(media="screen")

    page.goto(server.url + "/konto/kalender")
    page.get_by_role("button", name=re.compile("^Lag (ny )?adresse")).click()
    address = page.get_by_label("Adressen til kalenderstrømmen").input_value()
    assert no_violations(page, javascript)
    fetched = httpx.get(address)  # a calendar app: not signed in
    assert fetched.status_code == 200
    summaries = [str(e.get("summary")) for e in Calendar.from_ical(fetched.content).walk("VEVENT")]
    assert title in summaries
    for child in demo_data.CHILDREN:
        assert child["first_name"] not in fetched.text and child["last_name"] not in fetched.text

    page.get_by_role("button", name="Stopp kalenderstrømmen").click()
    page.wait_for_url(re.compile(r"/konto/kalender\?stoppet=1$"))
    assert httpx.get(address).status_code == 404
    # The server's own access log printed the feed's path, never its token.
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    log = (server.workdir / "server.log").read_text()
    assert "/kalender/" in log and token not in log


def test_the_kommunalsjef_looks_at_a_units_wheel_and_the_binders_articles(context, server):
    page = context.new_page()
    sign_in(page, server, "kommunalsjef")
    page.goto(server.url + "/arshjul")
    assert violations(page) == []
    page.get_by_label("Vis også årshjulet til en enhet").select_option(label="Solsikken barnehage")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(re.compile(r"enhet="))
    assert page.get_by_role("link", name="Personalmøte: barn som bekymrer").is_visible()
    assert violations(page) == []
    page.goto(server.url + "/perm/del/fagartikler")
    assert page.get_by_role("heading", name="Fagartikler").is_visible()
    assert violations(page) == []
