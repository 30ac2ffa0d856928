"""A collaboration's plan in a real browser, with and without JavaScript: rektor
shares one entry of the unit's logbook into it, prints the plan for the family,
and takes PPT out of it; the PPT adviser's next request shows the page that says
her access ended, and why."""

from __future__ import annotations

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_collaboration import no_violations, open_collaboration
from tests.e2e.test_resource_team import sign_out

REMOVAL = "Foreldrene ønsker ikke PPT med lenger"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_service_taken_out_sees_why_and_the_plan_prints(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    entry = f"Sovner i samlingsstunden ({'js' if javascript else 'nojs'})"

    sign_in(page, server, "rektor")
    url, _concern, _consent = open_collaboration(page, server, entry)
    child = page.get_by_role("heading", level=1).inner_text().removeprefix("Samarbeid om ")

    # Her own logbook entry, shared into the collaboration explicitly.
    shared = page.locator("#shared_log")
    assert shared.get_by_text("Ingen loggføringer er delt i samarbeidet.").is_visible()
    shared.get_by_label(entry).check()
    shared.get_by_label("Type opplysninger (samtykket må omfatte dem)").select_option("observations")
    shared.get_by_role("button", name="Del i samarbeidet").click()
    page.locator("#shared_log li", has_text=entry).wait_for()
    assert no_violations(page, javascript)

    # The plan for the family, to print: plain words, axe clean.
    page.get_by_role("link", name="Planen for familien (utskrift)").click()
    page.wait_for_url(url + "/plan")
    assert page.get_by_role("heading", level=1).inner_text() == f"Planen vår for {child}"
    assert page.get_by_role("heading", name="Hva skal bli bedre?").is_visible()
    assert no_violations(page, javascript)

    # She takes PPT out of the collaboration, saying why.
    page.goto(url)
    members = page.locator("#members")
    members.get_by_label("Tjeneste", exact=True).select_option(label="PPT, kommunens ressursteam")
    members.get_by_label("Hvorfor?", exact=True).fill(REMOVAL)
    members.get_by_role("button", name="Ta ut tjenesten").click()
    page.locator("#members li", has_text=REMOVAL).wait_for()
    assert no_violations(page, javascript)
    sign_out(page)

    # The PPT adviser's next request: the page that says why, nothing of the child.
    sign_in(page, server, "ppt")
    response = page.goto(url)
    assert response.status == 403
    assert page.get_by_role("heading", name="Ikke lenger tilgang").is_visible()
    assert page.get_by_text("ble tatt ut av samarbeidet").first.is_visible()
    assert child not in page.content() and entry not in page.content()
    assert no_violations(page, javascript)
    sign_out(page)

    # The helsesykepleier still sees the plan, and the entry shared with her.
    sign_in(page, server, "helsesykepleier")
    page.goto(url)
    assert page.locator("#shared_log li", has_text=entry).is_visible()
    assert no_violations(page, javascript)
