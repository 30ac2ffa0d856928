"""The programme's follow-up in a real browser, with and without JavaScript: a
unit leader appoints a key person (one is too few), the kommunalsjef's overview
flags that unit, and a staff member confirms reading the action guide."""

from __future__ import annotations

import re

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_resource_team import no_violations, sign_out

# Each run its own staff member: the server (and what was confirmed) is shared by the module.
READER = {True: "pedleder", False: "barnehagelaerer"}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_overview_flags_a_unit_with_one_key_person(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    sign_in(page, server, "helseleder")
    page.get_by_role("link", name="Oppfølging", exact=True).click()
    page.wait_for_url(re.compile(r"/oppfolging/[0-9a-f-]{36}$"))
    unit_page = page.url
    assert page.get_by_text("Enheten har færre enn to nøkkelpersoner.").is_visible()
    assert no_violations(page, javascript)
    select = page.get_by_label("Ny nøkkelperson")
    if select.count() and "Sunniva Dahl" in select.inner_text():  # the first run appoints her
        select.select_option(label="Sunniva Dahl")
        page.get_by_role("button", name="Utnevn").click()
        page.wait_for_url(unit_page)
    assert page.get_by_role("cell", name="Sunniva Dahl", exact=True).is_visible()
    assert page.get_by_text("Enheten har færre enn to nøkkelpersoner.").is_visible()
    # A training with no attendees is refused beside the field, the date kept.
    page.get_by_label("Hva").select_option(label="Oppfølgingsdag")
    page.get_by_label("Dato").fill("2026-01-15")
    page.get_by_role("button", name="Registrer").click()
    page.wait_for_url(unit_page + "/opplaering")
    assert page.locator("#f-attendees-error").is_visible()
    assert page.get_by_label("Dato").input_value() == "2026-01-15"
    assert no_violations(page, javascript)
    sign_out(page)

    sign_in(page, server, "kommunalsjef")
    page.get_by_role("link", name="Oppfølging", exact=True).click()
    page.wait_for_url(server.url + "/ledelse/oppfolging")
    row = page.locator("#follow-up").get_by_role("row").filter(has_text="Helsestasjonen i Fjordvik")
    assert "1" in row.inner_text() and "Færre enn to" in row.inner_text()
    school = page.locator("#follow-up").get_by_role("row").filter(has_text="Fjordvik skole")
    assert "Færre enn to" not in school.inner_text()
    # Below, the monthly activity per unit from the statistics releases (the demo publishes its past months).
    assert page.locator("#activity").get_by_role("row").filter(has_text="Fjordvik skole").count() == 1
    assert no_violations(page, javascript)
    row.get_by_role("link", name="Helsestasjonen i Fjordvik").click()
    page.wait_for_url(unit_page)
    sign_out(page)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_staff_member_confirms_reading_the_guide(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    sign_in(page, server, READER[javascript])
    page.get_by_role("link", name="Les den nye handlingsveilederen").click()
    page.wait_for_url(server.url + "/perm/del/veileder")
    assert no_violations(page, javascript)
    page.get_by_role("button", name="Jeg har lest handlingsveilederen").click()
    page.wait_for_url(server.url + "/perm/del/veileder")
    assert page.get_by_text("Du har bekreftet at du har lest denne versjonen.").is_visible()
    assert no_violations(page, javascript)
    page.goto(server.url + "/")
    assert page.get_by_role("link", name="Les den nye handlingsveilederen").count() == 0
    sign_out(page)
