"""The demo's services and collaborations in a real browser (issue 29, item 8): BUP's
psychologist finds the collaboration that ended into an individuell plan, the
styrer sees that Elias's guardians said no; with and without JavaScript, axe-clean
(axe runs as JavaScript: it checks the pages where JavaScript is on)."""

from __future__ import annotations

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations


@pytest.mark.parametrize("javascript", [True, False])
def test_the_demos_collaborations_and_refusal(server, request, javascript):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    clean = (lambda page: violations(page) == []) if javascript else (lambda page: True)
    page = context.new_page()
    sign_in(page, server, "bup")
    page.goto(server.url + "/samarbeid")
    assert clean(page)
    page.locator("main a[href^='/samarbeid/']").first.click()
    page.get_by_text("Videre i individuell plan").first.wait_for()
    assert clean(page)

    other = context.new_page()
    sign_in(other, server, "styrer")
    other.goto(server.url + "/barn")
    # The unit's children come 50 to a page, paged in the order of their ids (the
    # read model holds no names), each page sorted by name: Elias may be on any page.
    while not other.get_by_role("link", name="Elias Haddad").count():
        with other.expect_navigation():
            other.get_by_role("link", name="Neste side").click()
    other.get_by_role("link", name="Elias Haddad").click()
    other.get_by_text("Foresatte sa nei").wait_for()
    assert clean(other)
