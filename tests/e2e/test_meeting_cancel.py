"""Cancelling a meeting in a real browser, with and without JavaScript: the styrer
cancels a meeting whose day her kindergarten is closed, a missing reason is asked for
beside the field, and the page and the list say "Avlyst"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from events import clock
from tests.e2e.people import sign_in
from tests.e2e.test_resource_team import no_violations, plan_meeting


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_styrer_cancels_a_meeting_and_the_page_and_list_say_avlyst(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    day = clock.today() + timedelta(days=5 if javascript else 6)
    sign_in(page, server, "styrer")
    meeting_url = plan_meeting(page, server, day)
    assert no_violations(page, javascript)  # the page with the cancel form
    page.get_by_role("button", name="Avlys møtet").click()
    page.wait_for_url(meeting_url + "/avlys")
    error = page.locator("#f-reason-error")
    assert "Skriv hvorfor møtet avlyses." in error.inner_text()
    assert no_violations(page, javascript)
    page.get_by_label("Begrunnelse", exact=True).fill("Barnehagen er stengt denne dagen.")
    page.get_by_role("button", name="Avlys møtet").click()
    page.wait_for_url(meeting_url)
    cancelled = page.locator("#cancelled").inner_text()
    assert "Avlyst" in cancelled and "Barnehagen er stengt denne dagen." in cancelled
    assert page.get_by_role("button", name="Avlys møtet").count() == 0
    assert no_violations(page, javascript)
    page.goto(server.url + "/ressursteam")
    row = page.locator("tbody tr", has=page.locator(f"a[href='{meeting_url.removeprefix(server.url)}']"))
    assert "Avlyst" in row.inner_text()
