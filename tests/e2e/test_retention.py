"""The privacy officer's retention list in a real browser, on the demo (issue 31,
item 5): she keeps one child longer (first without a reason: the error stands
beside the field and what she typed stays), approves the other's erasure, and an
administrator confirms it."""

from __future__ import annotations

import re
from datetime import timedelta

from events import clock
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations


def due_section(page):
    return page.locator("section", has=page.locator("#due-h"))


def test_the_officer_keeps_one_longer_with_a_reason_and_approves_one(context, server):
    page = context.new_page()
    sign_in(page, server, "personvern")
    page.get_by_role("link", name="Oppbevaring").click()
    page.wait_for_url(server.url + "/personvern/oppbevaring")
    assert violations(page) == []
    due = due_section(page)
    assert due.get_by_role("heading", name="Vetle Aasen").count() == 1
    assert due.get_by_role("heading", name="Noah Berntsen").count() == 1
    held = page.locator("section", has=page.locator("#held-h")).inner_text()
    assert "Maja Strand" in held and "holdes tilbake av bekymring avsluttet uten melding" in held

    # Keep Vetle longer, forgetting the reason: the error beside the field, the date kept.
    vetle = due.locator("article", has=page.get_by_role("heading", name="Vetle Aasen"))
    until = (clock.today() + timedelta(days=180)).isoformat()
    vetle.get_by_label("Beholdes til").fill(until)
    vetle.get_by_role("button", name=re.compile("^Behold lenger")).click()
    vetle = due_section(page).locator("article", has=page.get_by_role("heading", name="Vetle Aasen"))
    reason = vetle.get_by_label("Begrunnelse for å beholde lenger")
    assert "Skriv hvorfor opplysningene skal beholdes lenger." in vetle.locator(".field.has-error").inner_text()
    assert reason.get_attribute("aria-invalid") == "true"
    assert vetle.get_by_label("Beholdes til").input_value() == until
    assert violations(page) == []
    reason.fill("Foresatte har klaget til Statsforvalteren; saken er ikke avgjort")
    vetle.get_by_role("button", name=re.compile("^Behold lenger")).click()
    page.wait_for_url(re.compile(r"/personvern/oppbevaring\?beholdt=1$"))
    assert due_section(page).get_by_role("heading", name="Vetle Aasen").count() == 0
    kept = page.locator("section", has=page.locator("#kept-h")).inner_text()
    assert "Vetle Aasen" in kept and "Statsforvalteren" in kept

    # Approve Noah's erasure: the request an administrator confirms.
    noah = due_section(page).locator("article", has=page.get_by_role("heading", name="Noah Berntsen"))
    noah.get_by_role("button", name=re.compile("^Godkjenn sletting")).click()
    page.wait_for_url(re.compile(r"/personvern/oppbevaring\?godkjent=1$"))
    history = page.locator("section", has=page.locator("#history-h")).inner_text()
    assert "Sletting godkjent" in history and "Statsforvalteren" in history
    assert violations(page) == []
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    page.wait_for_url(re.compile("/logg-inn$"))

    sign_in(page, server, "admin")
    page.goto(server.url + "/admin/sletting")
    row = page.locator("main li, main tr", has_text="Oppbevaringstiden er ute").first
    row.get_by_role("button", name=re.compile("^Bekreft")).click()
    page.wait_for_url(server.url + "/admin/sletting")
    assert "Oppbevaringstiden er ute" not in page.locator("main").inner_text()
