"""A restriction (sperring) in a real browser: a restricted child's case stays in
its meeting as «Sperret» for every attendee, with nothing of its text or advice,
and the page still has no WCAG violations. (Its own module: the restriction
would change what other modules' tests on the same server see.)"""

from __future__ import annotations

from datetime import timedelta

from events import clock
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_resource_team import bring_and_advise, plan_meeting, sign_out


def test_a_restricted_childs_case_shows_only_sperret_to_the_meeting(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    meeting = plan_meeting(page, server, clock.today() + timedelta(days=1))
    advice = "Avtal hjemmebesøk med helsestasjonen"
    concern_id = bring_and_advise(page, meeting, advice)
    page.goto(server.url + f"/bekymringer/{concern_id}")
    child_path = page.get_by_role("link", name="Barnets side og samtykker").get_attribute("href")
    sign_out(page)

    sign_in(page, server, "personvern")
    page.goto(server.url + "/personvern" + child_path)
    page.get_by_label("Begrunnelse for sperring").fill("Skjult adresse (kode 6)")
    page.get_by_role("button", name="Sperr", exact=True).click()
    page.get_by_text("Barnet er sperret: Skjult adresse (kode 6)").wait_for()
    sign_out(page)

    for username in ("ppt", "styrer"):
        sign_in(page, server, username)
        page.goto(meeting)
        main = page.locator("main")
        main.get_by_text("Opplysningene om dette barnet er sperret").wait_for()
        assert advice not in main.inner_text()
        assert page.get_by_role("button", name="Lagre råd").count() == 0
        assert violations(page) == []
        sign_out(page)
