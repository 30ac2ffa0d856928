"""Moving a collaboration onto a new consent in a real browser, with and without
JavaScript: rektor opens one with helsestasjonen and PPT (the helsesykepleier
coordinates); the guardians withdraw the consent, and the helsesykepleier's
access ends; they sign a new one, rektor moves the collaboration onto it from
the page's warning, and the helsesykepleier sees the collaboration again."""

from __future__ import annotations

import pytest

from tests.e2e.people import sign_in
from tests.e2e.test_collaboration import no_violations, open_collaboration, record_consent
from tests.e2e.test_resource_team import sign_out


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_collaboration_moves_onto_the_new_consent_after_a_withdrawal(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()

    sign_in(page, server, "rektor")
    url, concern_url, consent_url = open_collaboration(
        page, server, f"Sover dårlig og er urolig ({'js' if javascript else 'nojs'})")

    # The guardians withdraw the consent (for every service: none ticked); rektor records it.
    page.goto(consent_url)
    page.get_by_label("Hvem trakk samtykket, og hvordan?").fill("Far ringte rektor")
    page.get_by_role("button", name="Trekk tilbake").click()
    page.get_by_text("Trukket", exact=False).first.wait_for()
    sign_out(page)

    sign_in(page, server, "helsesykepleier")
    assert page.goto(url).status == 403
    assert page.get_by_role("heading", name="Ikke lenger tilgang").is_visible()
    sign_out(page)

    # They sign a new consent; the collaboration's page points rektor to the change.
    sign_in(page, server, "rektor")
    page.goto(concern_url)
    new_consent_id = record_consent(page).rsplit("/", 1)[1]
    page.goto(url)
    assert page.get_by_text("Samtykket dekker ingen av tjenestene lenger").is_visible()
    page.get_by_role("link", name="Bytt til nytt samtykke").click()
    form = page.locator("#f-change-consent")
    form.locator(f"input[name=consent_id][value='{new_consent_id}']").check()  # the child may have others
    assert no_violations(page, javascript)
    form.get_by_role("button", name="Bytt samtykke").click()
    page.locator("#members li", has_text="(gjeldende)").wait_for()
    assert page.get_by_text("Samtykkene samarbeidet har bygget på:").is_visible()
    assert page.get_by_text("Samtykket dekker ingen av tjenestene lenger").count() == 0
    assert no_violations(page, javascript)
    sign_out(page)

    # The coordinator is back, on the new consent.
    sign_in(page, server, "helsesykepleier")
    response = page.goto(url)
    assert response.status == 200
    assert page.locator("#members li", has_text="(gjeldende)").is_visible()
