"""The case bank in a real browser: the styrer proposes an approved, anonymous case
from the minutes; the kommunalsjef, a second person, confirms it; it is then in the
binder's «Caser» with nothing that leads back. With and without JavaScript."""

from __future__ import annotations

import re

import pytest

from events import clock
from tests.e2e.people import sign_in
from tests.e2e.test_resource_team import bring_and_advise, no_violations, plan_meeting, sign_out


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_case_passes_the_two_person_check_into_the_binder(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    mode = "js" if javascript else "nojs"
    sign_in(page, server, "styrer")
    held = plan_meeting(page, server, clock.today())
    bring_and_advise(page, held, f"Avtal frokost i barnehagen ({mode})")
    page.get_by_role("button", name="Godkjenn referatet").click()
    page.wait_for_url(held)

    page.get_by_role("link", name="Foreslå som case i permen").click()
    page.wait_for_url(re.compile(r"/ressursteam/sak/[0-9a-f-]{36}/case$"))
    assert no_violations(page, javascript)
    text = page.get_by_label("Casen")
    assert f"Avtal frokost i barnehagen ({mode})" in text.input_value()
    title = f"Barnet uten frokost ({mode})"
    page.get_by_label("Tittel").fill(title)
    text.fill(f"Et barn kommer ofte sulten. Ressursteamet rådet til å avtale frokost ({mode}).")
    page.get_by_role("button", name="Send til kontroll").click()
    page.wait_for_url(re.compile(r"/caseforslag/[0-9a-f-]{36}$"))
    proposal = page.url
    assert page.get_by_text("En annen person enn den som skrev teksten").is_visible()
    assert page.get_by_role("button", name="Publiser i permen").count() == 0
    sign_out(page)

    sign_in(page, server, "kommunalsjef")
    page.goto(server.url + "/perm/del/case")
    page.get_by_role("link", name="Forslag til caser").click()
    page.get_by_role("link", name=title).click()
    page.wait_for_url(proposal)
    assert no_violations(page, javascript)
    # Publishing without ticking the confirmation is refused beside the box.
    page.get_by_role("button", name="Publiser i permen").click()
    page.wait_for_url(proposal + "/bekreft")
    assert page.locator("#f-confirmed-error").is_visible()
    assert page.get_by_label("Jeg har lest teksten").get_attribute("aria-invalid") == "true"
    assert no_violations(page, javascript)
    page.get_by_label("Jeg har lest teksten").check()
    page.get_by_role("button", name="Publiser i permen").click()
    page.wait_for_url(proposal)
    assert page.get_by_text("Casen er publisert").is_visible()

    page.get_by_role("link", name="Til «Caser»").click()
    page.get_by_role("link", name=title).click()
    body = page.locator("main").inner_text()
    assert "Ressursteamet rådet til å avtale frokost" in body
    assert "/caseforslag" not in page.content() and "/ressursteam/" not in page.content()
    assert no_violations(page, javascript)
