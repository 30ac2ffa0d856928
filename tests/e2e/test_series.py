"""Meeting series in a real browser, with and without JavaScript: the kommunalsjef
plans, leads and minutes a resource-team meeting; a BUP consultation series is
planned and its next three dates are shown; the styrer ends a series."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events import clock
from tests.e2e.people import name, sign_in
from tests.e2e.test_accessibility import violations


def no_violations(page, javascript: bool) -> bool:
    """axe runs as a script in the page: only where the page may run scripts."""
    return not javascript or violations(page) == []


def plan_series(page, server, kind: str, rule: str, first_on, services: list[str]) -> None:
    page.goto(server.url + "/ressursteam")
    page.get_by_role("link", name="Ny møteserie").click()
    page.get_by_label("Møte", exact=True).select_option(label=kind)
    page.get_by_label("Gjentakelse").select_option(label=rule)
    page.get_by_label("Første møte, dato").fill(first_on.isoformat())
    page.get_by_label("Klokkeslett").fill("12:00")
    page.get_by_label("Sted").fill("Rådhuset")
    page.get_by_label("Solsikken barnehage").check()
    for service in services:
        page.get_by_label(service, exact=True).check()
    page.get_by_role("button", name="Opprett serien").click()
    page.wait_for_url(re.compile(r"/ressursteam/serier/[0-9a-f-]{36}$"))


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_kommunalsjef_plans_leads_and_minutes_a_resource_team_meeting(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    today = clock.today()
    sign_in(page, server, "kommunalsjef")
    plan_series(page, server, "Ressursteam", "Vår og høst (hvert halvår)", today, ["Barnevernet", "PPT"])
    assert no_violations(page, javascript)
    page.get_by_role("button", name=f"Planlegg møtet {today:%d.%m.%Y}").click()
    page.wait_for_url(re.compile(r"/ressursteam/[0-9a-f-]{36}$"))
    meeting_url = page.url
    main = page.locator("main")
    assert f"Møteleder: {name('kommunalsjef')}" in main.inner_text()
    assert no_violations(page, javascript)
    # She minutes who attended, what was discussed and the next meeting, and approves.
    page.get_by_label(name("styrer")).check()
    page.get_by_label("Referat (fritekst)").fill("Felles tema: fravær i barnehagen.")
    next_on = today + timedelta(days=180)
    page.get_by_label("Neste møte, dato").fill(next_on.isoformat())
    page.get_by_label("Neste møte, klokkeslett").fill("12:00")
    page.get_by_role("button", name="Lagre referatet").click()
    page.wait_for_url(meeting_url)
    page.get_by_role("button", name="Godkjenn referatet").click()
    page.wait_for_url(meeting_url)
    minutes = page.locator("#minutes").inner_text()
    assert "Felles tema: fravær i barnehagen." in minutes and name("styrer") in minutes
    assert f"{next_on:%d.%m.%Y} kl. 12:00" in minutes
    assert "Referatet er godkjent" in main.inner_text()
    assert no_violations(page, javascript)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_bup_consultation_series_shows_its_next_three_dates(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    today = clock.today()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7)
    sign_in(page, server, "ppt")
    page.goto(server.url + "/ressursteam/serier/ny")
    assert no_violations(page, javascript)
    plan_series(page, server, "BUP-konsultasjon", "Hver 6. uke", tuesday, ["PPT", "Helsestasjonen"])
    coming = page.get_by_role("list", name="Kommende møter").inner_text()
    three = (tuesday, tuesday + timedelta(weeks=6), tuesday + timedelta(weeks=12))
    for day in three:
        assert f"{day:%d.%m.%Y}" in coming
    assert no_violations(page, javascript)
    # The yearly wheel shows them too, each in its month.
    for day in three:
        page.goto(f"{server.url}/arshjul?ar={day.year}")
        month = page.locator(f"#m-{day.month}")
        assert month.locator("li", has_text="BUP-konsultasjon").filter(has_text=f"{day.day}. kl. 12:00").count() >= 1
    assert no_violations(page, javascript)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_styrer_ends_a_series_and_its_page_says_so(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    today = clock.today()
    sign_in(page, server, "styrer")
    plan_series(page, server, "Ressursteam", "Vår og høst (hvert halvår)", today, ["Barnevernet", "PPT"])
    assert no_violations(page, javascript)  # the page with both of the leader's forms
    page.get_by_label("Siste dato").fill(today.isoformat())
    page.get_by_label("Begrunnelse (valgfritt)").fill("Arenaen er omorganisert.")
    page.get_by_role("button", name="Avslutt serien").click()
    ended = page.locator("#ended")
    ended.wait_for()
    assert f"Avsluttet fra {today:%d.%m.%Y}." in ended.inner_text()
    assert "Begrunnelse: Arenaen er omorganisert." in ended.inner_text()
    assert page.get_by_role("button", name="Avslutt serien").count() == 0  # an ended series is not changed
    coming = page.get_by_role("list", name="Kommende møter").inner_text()
    assert f"{today:%d.%m.%Y}" in coming and f"{today.year + 1}" not in coming
    assert no_violations(page, javascript)
