"""The action guide as a caseworker sees it in the browser."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.people import file_concern, sign_in
from tests.e2e.test_accessibility import violations


def test_with_violence_the_banner_and_the_checklist_say_the_same(context, server):
    """A concern about violence: the red banner says barnevernet or the police
    now and not the guardians first, and the checklist says so too."""
    page = context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Blåmerker på begge armene, sa at pappa ble sint.", "Vold", "4 – Svært bekymret")
    expect(page.get_by_text("Mistanke om vold eller seksuelle overgrep.")).to_be_visible()
    checklist = page.locator("#guide li")
    expect(checklist.first).to_contain_text("Kontakt barnevernet eller politiet straks")
    expect(page.locator("#guide")).not_to_contain_text("Snakk med foresatte")
    assert violations(page) == []
