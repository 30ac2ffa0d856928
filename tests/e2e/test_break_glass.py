"""Break-the-glass in a real browser, with JavaScript on and off: a record outside
her unit answers 404 with the offer; granted, it is shown read-only, with a
banner that says until when, and no forms (issue 27, item 3)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    page.wait_for_url(re.compile("/logg-inn$"))


# Each run grants for a different staff member: a grant lasts an hour on the shared server.
@pytest.mark.parametrize("javascript, username", [(True, "pedleder"), (False, "barnehagelaerer")])
def test_break_the_glass_shows_a_read_only_record(request, server, javascript, username):
    page = request.getfixturevalue("context" if javascript else "nojs_context").new_page()
    # A teacher at the school has a concern; its address is all the kindergarten knows.
    sign_in(page, server, "laerer")
    page.goto(server.url + "/bekymringer")
    page.locator("main table a[href^='/bekymringer/']").first.click()
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    concern_url = page.url
    sign_out(page)

    sign_in(page, server, username)
    response = page.goto(concern_url)
    assert response.status == 404
    assert page.get_by_role("heading", name="Finner ikke siden").is_visible()
    page.get_by_label("Begrunnelse (hvorfor trenger du tilgang nå?)").fill("Barnet er hos oss i dag, mor ringte om henting")
    page.get_by_role("button", name="Be om nødtilgang").click()
    page.wait_for_url(concern_url)

    banner = page.locator("main .read-only")
    assert re.search(r"Nødtilgang, kun lesing, utløper kl\. \d\d\.\d\d", banner.inner_text())
    assert banner.is_visible()
    assert page.locator("main form").count() == 0
    assert page.get_by_role("button", name="Legg til i loggen").count() == 0
    assert page.get_by_label("Hva har du sett eller hørt?").count() == 0
    assert page.locator("nav [aria-current]").count() == 0
    assert not javascript or violations(page) == []  # axe runs as the page's script
    # The records the grant opens, read-only too.
    page.get_by_role("link", name="Barnets side og samtykker").click()
    assert page.locator("main .read-only").is_visible()
    assert page.locator("main form").count() == 0
    assert page.get_by_role("link", name="Registrer samtykke").count() == 0
    assert not javascript or violations(page) == []  # axe runs as the page's script
