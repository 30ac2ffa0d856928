"""A collaboration across services in a real browser, with and without JavaScript:
rektor opens one from a level-2 concern with helsestasjonen and PPT on the
guardians' consent, the helsesykepleier adds a measure and hands the coordinator
role to PPT, who accepts, convenes the ansvarsgruppe and minutes its meeting,
adding a measure to the plan from the minutes; the consent for PPT is
withdrawn, the PPT adviser's next request says why her access ended, and the privacy officer
sees each access's basis."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from events import clock
from tests.e2e.people import file_concern, name, sign_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_resource_team import sign_out

MEASURE = "Samtaler med helsesykepleier hver uke"
GROUP_MEASURE = "Kartlegging av språk hos PPT"
MINUTES = "Foreldrene forteller at morgenene er lettere"


def no_violations(page, javascript: bool) -> bool:
    """axe runs as a script in the page: only where the page may run scripts."""
    return not javascript or violations(page) == []


def record_consent(page) -> str:
    """From the concern page: the guardians' consent for helsestasjonen and PPT to share
    observations and the plan; the consent's URL."""
    page.get_by_role("link", name="Barnets side og samtykker").click()
    page.get_by_role("link", name="Registrer samtykke").click()
    page.get_by_label("Helsestasjon og skolehelsetjenesten").check()
    page.get_by_label("PPT").check()
    page.get_by_label("Observasjoner og bekymringer").check()
    page.get_by_label("Tiltak og evaluering").check()
    page.get_by_label("Formål").fill("Samarbeid om trivsel og helse")
    for box in page.locator("input[name=signers]").all():
        if "foreldreansvar" in box.evaluate("b => b.parentElement.textContent"):
            box.check()
    page.get_by_role("button", name="Lagre samtykket").click()
    page.wait_for_url(re.compile(r"/samtykker/[0-9a-f-]{36}$"))
    return page.url


def open_collaboration(page, server, text: str) -> tuple[str, str, str]:
    """Rektor, signed in, files a concern (`text`), sets it to level 2, records the
    guardians' consent and opens a collaboration with helsestasjonen and PPT's resource
    team, sharing observations, the helsesykepleier coordinating: its URL, the
    concern's and the consent's."""
    concern_url = file_concern(page, server, text)
    page.get_by_label("Endre nivå").select_option("2")
    page.locator("#f-level-reason").fill("Trenger helsestasjonen og PPT")
    page.get_by_role("button", name="Endre nivå").click()
    page.locator("#concern-summary .level-2").wait_for()
    page.goto(concern_url)
    consent_url = record_consent(page)

    # She opens the collaboration from the concern.
    page.goto(concern_url)
    page.get_by_role("link", name="Start tverrfaglig samarbeid").click()
    page.locator(f"input[name=consent_id][value='{consent_url.rsplit('/', 1)[1]}']").check()
    page.get_by_label("Helsestasjonen i Fjordvik").check()
    page.get_by_label("PPT, kommunens ressursteam").check()
    page.get_by_role("checkbox", name="Observasjoner og bekymringer").check()
    page.get_by_label("Koordinator (stafettholder)").select_option(label=name("helsesykepleier"))
    page.get_by_role("button", name="Start samarbeidet").click()
    page.wait_for_url(re.compile(r"/samarbeid/[0-9a-f-]{36}$"))
    url = page.url
    return url, concern_url, consent_url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_collaboration_on_consent_and_its_end_when_the_consent_is_withdrawn(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    today = clock.today()

    # Rektor files a concern at level 2, records the guardians' consent and opens the collaboration.
    sign_in(page, server, "rektor")
    url, _concern, consent_url = open_collaboration(
        page, server, f"Trekker seg unna i friminuttene ({'js' if javascript else 'nojs'})")
    assert page.get_by_text(f"Koordinator (stafettholder): {name('helsesykepleier')}.").is_visible()
    assert no_violations(page, javascript)
    sign_out(page)

    # The helsesykepleier, of another unit, sees the shared plan and adds a measure.
    sign_in(page, server, "helsesykepleier")
    page.get_by_role("link", name="Samarbeid", exact=True).click()
    page.locator(f"a[href='{url.removeprefix(server.url)}']").click()
    page.wait_for_url(url)
    assert page.get_by_text("Enhetens interne logg deles ikke her.").is_visible()
    assert page.get_by_text("Trekker seg unna i friminuttene").count() == 0  # the unit's logbook
    assert page.get_by_role("heading", name="Bekymringen samarbeidet startet fra").is_visible()  # observations shared
    page.get_by_label("Hva skal gjøres?").fill(MEASURE)
    page.get_by_label("Ansvarlig tjeneste").select_option("helsestasjon")
    page.get_by_label("Ansvarlig person").fill(name("helsesykepleier"))
    page.get_by_label("Frist").fill((today + timedelta(days=60)).isoformat())
    page.get_by_label("Evalueres").fill((today + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Legg til tiltak").click()
    page.locator("#plan td", has_text=MEASURE).wait_for()
    assert no_violations(page, javascript)
    child = page.get_by_role("heading", level=1).inner_text().removeprefix("Samarbeid om ")

    # The evaluation within a week waits in her notifications, which name no child.
    page.goto(server.url + "/varsler")
    # (the demo's own collaborations may have a first measure to evaluate too: this one's link)
    ours = page.locator(f"a[href^='{url.removeprefix(server.url)}']", has_text="Evaluering av tiltak 1").first
    ours.wait_for()
    assert child not in page.content() and MEASURE not in page.content()
    assert no_violations(page, javascript)
    ours.click()
    page.wait_for_url(url + "#plan")

    # She hands the coordinator role to PPT, whose adviser accepts it.
    page.get_by_label("Foreslå ny koordinator").select_option(label=name("ppt"))
    page.get_by_role("button", name="Foreslå overlevering").click()
    page.get_by_text("venter på svar").wait_for()
    sign_out(page)
    sign_in(page, server, "ppt")
    page.goto(url)
    page.get_by_role("button", name="Ta imot koordinatorrollen").click()
    page.locator("#coordinator li", has_text=f"{name('ppt')} fra").wait_for()
    assert no_violations(page, javascript)

    # As coordinator she convenes the ansvarsgruppe, minutes the meeting with a measure
    # added from the minutes and the next meeting proposed, and the plan shows the measure.
    page.locator("#g-on").fill(today.isoformat())
    page.locator("#g-at").fill("14:00")
    page.locator("#g-place").fill("Møterommet på helsestasjonen")
    page.get_by_role("button", name="Kall inn", exact=True).click()
    page.locator("#group .badge", has_text="Planlagt").wait_for()
    minutes = page.locator("#minutes-form")
    minutes.locator("input[name=attendees][value=ppt]").check()
    minutes.get_by_label("Foresatte var med").check()
    minutes.get_by_label("Referat", exact=True).fill(MINUTES)
    minutes.get_by_text("Endringer i planen fra møtet").click()
    minutes.get_by_label("Tiltaket", exact=True).fill(GROUP_MEASURE)
    minutes.get_by_label("Tiltakets tjeneste").select_option("ppt")
    minutes.get_by_label("Tiltakets ansvarlige").fill(name("ppt"))
    minutes.get_by_label("Tiltakets sluttdato").fill((today + timedelta(days=90)).isoformat())
    minutes.get_by_label("Tiltaket vurderes", exact=True).fill((today + timedelta(days=45)).isoformat())
    minutes.get_by_label("Dato for neste møte").fill((today + timedelta(days=180)).isoformat())
    minutes.get_by_label("Klokkeslett for neste møte").fill("09:00")
    assert no_violations(page, javascript)  # the minutes' form, its plan changes open
    minutes.get_by_role("button", name="Godkjenn referatet").click()
    page.locator("#plan td", has_text=GROUP_MEASURE).wait_for()
    assert page.locator("#group", has_text=MINUTES).is_visible()
    assert no_violations(page, javascript)
    sign_out(page)

    # The guardians withdraw the consent for PPT; rektor records it.
    sign_in(page, server, "rektor")
    page.goto(consent_url)
    page.locator("form[action$='/trekk']").get_by_label("PPT", exact=True).check()
    page.get_by_label("Hvem trakk samtykket, og hvordan?").fill("Mor ringte rektor")
    page.get_by_role("button", name="Trekk tilbake").click()
    page.get_by_text("Trukket", exact=False).first.wait_for()
    sign_out(page)

    # The PPT adviser's next request (she coordinates): the page says why her access ended,
    # and nothing about the child.
    sign_in(page, server, "ppt")
    response = page.goto(url)
    assert response.status == 403
    assert page.get_by_role("heading", name="Ikke lenger tilgang").is_visible()
    assert page.get_by_text(re.compile("trukket")).first.is_visible()
    assert MEASURE not in page.content() and child not in page.content()
    assert no_violations(page, javascript)
    sign_out(page)

    # The privacy officer sees each access with its basis.
    sign_in(page, server, "personvern")
    page.get_by_role("link", name="Finn barn").click()
    page.get_by_label("Navn eller fødselsnummer").fill(child)
    page.get_by_role("button", name="Søk").click()
    page.get_by_role("link", name=child).click()
    assert page.get_by_text("Foresattes samtykke (tverrfaglig samarbeid)").first.is_visible()
    assert page.get_by_text(MEASURE).count() == 0  # metadata, not content
    assert page.get_by_role("heading", name="Tverrfaglig samarbeid").is_visible()  # when, which services
    # The basis the policy decided each access on: the consent (by the day it was given), the own unit.
    on_consent = f"Foresattes samtykke (tverrfaglig samarbeid): samtykke gitt {today.strftime('%d.%m.%Y')}"
    assert page.locator("main tbody tr", has_text=name("helsesykepleier")).filter(has_text=on_consent).count() >= 1
    assert page.locator("main tbody tr", has_text=name("ppt")).filter(has_text=on_consent).count() >= 1
    assert page.locator("main tbody tr", has_text=name("rektor")).filter(has_text="Egen enhet").count() >= 1
    assert no_violations(page, javascript)
    # The guardians' report groups who saw the child by basis, the consent with what it covered.
    page.get_by_role("link", name="Innsyn i logg for foresatte (utskrift)").click()
    page.wait_for_url(re.compile(r"/innsyn"))
    # (one section per consent: the child may have had another consent given the same day)
    consents = page.locator("section.basis", has=page.get_by_role("heading", name=on_consent)).all_inner_texts()
    assert [text for text in consents if name("helsesykepleier") in text and name("ppt") in text
            and "Trukket tilbake for PPT" in text]
    own = page.locator("section.basis", has=page.get_by_role("heading", name="Egen enhet", exact=True))
    assert name("rektor") in own.inner_text() and name("helsesykepleier") not in own.inner_text()
    assert no_violations(page, javascript)
