"""Taking a service into a collaboration in a real browser, with and without
JavaScript: rektor opens one with helsestasjonen and PPT; the coordinator (the
helsesykepleier) takes PPT out, is refused BUP (the consent does not cover it,
and the form says so), and takes PPT in again; the page shows the history, and
the PPT adviser sees the collaboration again."""

from __future__ import annotations

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_collaboration import no_violations, open_collaboration
from tests.e2e.test_resource_team import sign_out

REMOVAL = "Foreldrene ville vente med PPT"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_coordinator_takes_a_service_in_again(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()

    sign_in(page, server, "rektor")
    text = f"Gråter ved levering ({'js' if javascript else 'nojs'})"
    url, _concern, _consent = open_collaboration(page, server, text)
    sign_out(page)

    sign_in(page, server, "helsesykepleier")
    page.goto(url)
    members = page.locator("#members")
    members.get_by_label("Tjeneste", exact=True).select_option(label="PPT, kommunens ressursteam")
    members.get_by_label("Hvorfor?", exact=True).fill(REMOVAL)
    members.get_by_role("button", name="Ta ut tjenesten").click()
    page.locator("#members li", has_text=REMOVAL).wait_for()

    # BUP: the consent does not cover it, and the form says why, beside the field.
    members = page.locator("#members")
    members.get_by_label("Tjeneste som skal tas inn").select_option(label="BUP")
    members.get_by_label("Enhet (valgfritt)").select_option(
        label="BUP Fjordvik, poliklinikk for barn og unge (BUP)")
    members.get_by_role("button", name="Ta inn tjenesten").click()
    page.locator("#members", has_text="BUP kan ikke tas inn: samtykket omfatter ikke BUP").wait_for()
    assert page.locator("#f-admit-service").get_attribute("aria-invalid") == "true"
    assert no_violations(page, javascript)

    # PPT again, by its resource team, from today.
    members = page.locator("#members")
    members.get_by_label("Tjeneste som skal tas inn").select_option(label="PPT")
    members.get_by_label("Enhet (valgfritt)").select_option(label="Ingen enhet: kommunens ressursteam")
    members.get_by_role("button", name="Ta inn tjenesten").click()
    page.locator("#members li", has_text="tatt inn igjen").wait_for()
    assert page.locator("#members li", has_text=REMOVAL).is_visible()  # the history stays
    assert page.locator("#group li", has_text="PPT, kommunens ressursteam").is_visible()
    assert no_violations(page, javascript)
    sign_out(page)

    sign_in(page, server, "ppt")
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("#members li", has_text="tatt inn igjen").is_visible()
