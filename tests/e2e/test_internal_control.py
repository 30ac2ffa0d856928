"""The personvernombud's internal control report in a real browser: reached from her
navigation, a month and a year, axe clean, and one printed page each (issue 31, item 6)."""

from __future__ import annotations

import re

from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations


def printed_pages(page) -> int:
    """How many pages Chromium prints the page on, at the size its print CSS asks for."""
    pdf = page.pdf(prefer_css_page_size=True)
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_the_personvernombud_opens_the_report_for_a_month_and_a_year(context, server):
    page = context.new_page()
    sign_in(page, server, "personvern")
    page.get_by_role("link", name="Internkontroll", exact=True).click()
    page.wait_for_url(re.compile(r"/personvern/internkontroll$"))
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Internkontroll: ")
    for name in ("Innsyn etter rettslig grunnlag", "Avvik", "Personvernombudets gjennomganger", "Nødtilgang",
                 "Sletting", "Slik er tallene beskyttet"):
        assert page.get_by_role("heading", name=name, exact=True).is_visible(), name
    own_unit = page.locator("table#bases tbody tr", has=page.get_by_role("rowheader", name="Egen enhet", exact=True))
    assert own_unit.locator("td").count() == 1
    assert violations(page) == []
    assert printed_pages(page) == 1

    # A year: the months that have ended, a column each; still one printed page (landscape).
    year = page.locator("#periode option").filter(has_text=re.compile(r"^\d{4}")).first
    page.locator("#periode").select_option(year.get_attribute("value"))
    page.get_by_role("button", name="Vis").click()
    page.wait_for_url(re.compile(r"periode=\d{4}$"))
    months = page.locator("table#bases thead th").count() - 1
    assert 1 <= months <= 12 and own_unit.locator("td").count() == months
    assert violations(page) == []
    assert printed_pages(page) == 1
