"""A phone, 390×844 CSS pixels: the menu folds away (without JavaScript too), the
inbox shows each concern's deadline without scrolling sideways, and every
checkbox, radio button and link in a form is a target of at least 24×24 px
(WCAG 2.2, 2.5.8)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations

PHONE = {"width": 390, "height": 844}
MIN_TARGET = 24


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone(browser, request):
    context = browser.new_context(java_script_enabled=request.param, locale="nb-NO", viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_menu_is_folded_on_a_phone_and_opens_without_javascript(phone, server):
    sign_in(phone, server, "styrer")
    menu = phone.get_by_role("navigation", name="Hovedmeny")
    inbox = menu.get_by_role("link", name="Innboks")
    assert not inbox.is_visible()
    header = phone.locator("header.site").bounding_box()
    assert header["height"] < PHONE["height"] / 8, header
    menu.get_by_text("Meny").click()
    assert inbox.is_visible()
    inbox.click()
    phone.wait_for_url(server.url + "/bekymringer/innboks")


def no_violations(page, request) -> bool:
    """axe runs in the page's JavaScript: checked where the page has it."""
    return "nojs" in request.node.callspec.id or violations(page) == []


def test_the_inbox_shows_each_deadline_within_the_screen(phone, server, request):
    sign_in(phone, server, "styrer")
    phone.goto(server.url + "/bekymringer/innboks")
    headers = [h.strip() for h in phone.locator("table.list thead th").all_inner_texts()]
    column = headers.index("Samtale med foresatte") + 1
    deadlines = phone.locator(f"table.list tbody td:nth-child({column})")
    assert deadlines.count() > 0
    for i in range(deadlines.count()):
        box = deadlines.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (i, box)
        assert deadlines.nth(i).inner_text().strip()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert no_violations(phone, request)


def small_targets(page) -> list:
    """The checkboxes, radio buttons and links in the page's forms smaller than 24×24 px."""
    targets = page.locator("main form input[type=checkbox], main form input[type=radio], main form a")
    assert targets.count() > 0
    small = []
    for i in range(targets.count()):
        target = targets.nth(i)
        if not target.is_visible():
            continue
        box = target.bounding_box()
        if box["width"] < MIN_TARGET or box["height"] < MIN_TARGET:
            small.append((target.evaluate("e => e.outerHTML.slice(0, 80)"), box["width"], box["height"]))
    return small


def test_every_target_in_the_concern_form_is_at_least_24_px(phone, server):
    sign_in(phone, server, "pedleder")
    phone.goto(server.url + "/bekymringer/ny")
    assert small_targets(phone) == []


def test_every_target_in_the_meeting_forms_is_at_least_24_px(phone, server, request):
    sign_in(phone, server, "styrer")
    phone.goto(server.url + "/ressursteam/nytt")
    assert small_targets(phone) == []
    phone.get_by_label("Type møte").select_option(label="Ekstramøte")
    phone.get_by_label("Dato").fill("2030-03-04")
    phone.get_by_label("Klokkeslett").fill("09:30")
    phone.get_by_label("Solsikken barnehage").check()
    phone.get_by_role("button", name="Opprett møte").click()
    phone.wait_for_url(re.compile(r"/ressursteam/[0-9a-f-]{36}$"))
    assert "kl. 09:30" in phone.locator("h1").inner_text()
    assert small_targets(phone) == []  # the minutes' attendees among them
    phone.get_by_role("navigation", name="Hovedmeny").get_by_text("Meny").click()
    assert no_violations(phone, request)


def test_on_a_wide_screen_the_menu_is_open_without_its_button(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    menu = page.get_by_role("navigation", name="Hovedmeny")
    assert menu.get_by_role("link", name="Innboks").is_visible()
    assert not menu.get_by_text("Meny").is_visible()
