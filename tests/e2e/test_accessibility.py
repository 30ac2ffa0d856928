"""Accessibility: axe-core (WCAG 2.1 A and AA rules) on every main page and after
an htmx swap, with zero violations; and the concern form by keyboard alone."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.people import file_concern, sign_in

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_21_AA)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
            for v in results.response["violations"]]


def check(page, url: str, server) -> None:
    page.goto(server.url + url)
    found = violations(page)
    assert found == [], f"{url}: {found}"


def test_axe_finds_violations_when_there_are_some(context):
    page = context.new_page()
    page.set_content('<html lang="nb"><body><main><img src="x.png"><input id="a"></main></body></html>')
    found = " ".join(violations(page))
    assert "image-alt" in found and "label" in found


@pytest.mark.parametrize("username, pages", [
    (None, ["/logg-inn", "/tilgjengelighet", "/om/logg", "/static/verify/"]),
    ("pedleder", ["/", "/bekymringer/ny", "/bekymringer", "/bekymringer/forfalt", "/bekymringer/sok", "/barn",
                  "/konto", "/konto/passord", "/konto/totp", "/arshjul", "/overforinger/ny"]),
    ("styrer", ["/", "/bekymringer/innboks", "/henvisninger", "/ressursteam", "/ressursteam/nytt", "/overforinger",
                "/samarbeid", "/varsler", "/ressursteam/serier/ny"]),
    ("personvern", ["/", "/personvern", "/personvern?vis=gjennomgatt", "/personvern/barn", "/personvern/brukere"]),
    ("kommunalsjef", ["/", "/ledelse", "/ledelse/statistikk", "/ledelse/statistikk?dimensjon=category&filter=unit_kind",
                      "/ressursteam", "/ressursteam/serier/ny"]),
    ("admin", ["/", "/admin/brukere", "/admin/brukere/ny", "/admin/enheter", "/admin/sletting", "/admin/lesemodeller"]),
])
def test_main_pages_have_no_wcag_violations(context, server, username, pages):
    page = context.new_page()
    if username:
        sign_in(page, server, username)
    for url in pages:
        check(page, url, server)


def test_record_pages_and_htmx_swaps_have_no_violations(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    file_concern(page, server, "Virket redd ved henting.", "Atferd")
    assert violations(page) == []
    # After an htmx swap (an error, then a success), the page must still pass.
    page.get_by_role("button", name="Legg til i loggen").click()
    page.locator("#logbook .field-error").first.wait_for()
    assert violations(page) == []
    page.get_by_label("Hva har du sett eller hørt?").fill("Roligere i dag.")
    page.get_by_role("button", name="Legg til i loggen").click()
    page.locator("#logbook p.entry", has_text="Roligere i dag.").wait_for()
    assert violations(page) == []
    # The form with errors, swapped in by htmx.
    page.goto(server.url + "/bekymringer/ny")
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.locator("#new-concern .field-error").first.wait_for()
    assert violations(page) == []
    # The child's page, a consent form, a referral.
    page.goto(server.url + "/barn")
    page.locator("main ul.list a").first.click()
    assert violations(page) == []
    page.get_by_role("link", name="Registrer samtykke").click()
    assert violations(page) == []


def test_the_report_to_barnevernet_and_the_directory_have_no_violations(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    file_concern(page, server, "Blåmerker på armen.", "Omsorgssvikt")
    page.get_by_role("button", name="Melding til barnevernet").click()
    page.wait_for_url(re.compile(r"/henvisninger/[0-9a-f-]{36}$"))
    assert violations(page) == []
    # With a sibling, and an error beside a field.
    page.locator("#f-s0_name").fill("Per Testesen")
    page.locator("#f-s0_national_id").fill("123")
    page.get_by_role("button", name="Legg til søsken").click()
    page.locator("#f-s0_national_id-error").wait_for()
    assert violations(page) == []
    report = page.url.split("#")[0]
    check(page, report.removeprefix(server.url) + "/utskrift", server)
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    sign_in(page, server, "admin")
    page.goto(server.url + "/admin/enheter")
    page.get_by_role("link", name="Solsikken barnehage").click()
    assert violations(page) == []
    page.get_by_label("Postnummer").fill("12")
    page.get_by_role("button", name="Lagre adressen").click()
    page.locator(".field-error").first.wait_for()
    assert violations(page) == []


def test_the_concern_form_by_keyboard_alone(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    page.goto(server.url + "/bekymringer/ny")
    # The skip link comes first and leads to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hopp til hovedinnhold"
    page.keyboard.press("Enter")
    focus = lambda: page.evaluate("document.activeElement.id || document.activeElement.name || document.activeElement.textContent")
    # Tab to the child picker and choose with the arrow keys.
    for _ in range(40):
        page.keyboard.press("Tab")
        if focus() == "f-child_id":
            break
    assert focus() == "f-child_id"
    page.keyboard.press("ArrowDown")
    assert page.get_by_label("Barn i enheten").input_value() != ""
    while focus() != "f-observation":
        page.keyboard.press("Tab")
    page.keyboard.type("Sa at hun var redd for å gå hjem.")
    while focus() != "categories":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while focus() != "worry":
        page.keyboard.press("Tab")
    page.keyboard.press("Space")
    while focus() != "Lagre bekymringen":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    assert page.locator("#logbook p.entry", has_text="redd for å gå hjem").is_visible()


def test_the_binder_in_english_and_the_privacy_officers_child_page_have_no_violations(browser, server):
    """The binder with its bokmål text marked lang="nb" on an English page, and the
    privacy officer's page about a child with its restriction and erasure forms."""
    leader = browser.new_context(locale="nb-NO")
    page = leader.new_page()
    sign_in(page, server, "styrer")
    page.goto(server.url + "/barn")
    page.locator("main ul.list a").first.click()
    child_id = re.search(r"/barn/([0-9a-f-]{36})", page.url).group(1)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    for url in ("/perm", "/perm/del/veileder", "/perm/handlingsveileder", "/perm/handlingsveileder/historikk"):
        check(page, url, server)
        assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main [lang=nb]").count() > 0
    page.get_by_role("button", name="Norsk bokmål").click()  # the demo user keeps her language
    page.wait_for_load_state()
    leader.close()
    officer = browser.new_context(locale="nb-NO")
    page = officer.new_page()
    sign_in(page, server, "personvern")
    check(page, f"/personvern/barn/{child_id}", server)
    officer.close()


def test_a_transfer_draft_with_its_date_has_no_violations(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    page.goto(server.url + "/overforinger/ny")
    page.get_by_label("Barnet", exact=True).select_option(index=1)
    page.get_by_label("Barnehage → skole").check()
    page.get_by_label("Mottakende skole").select_option(index=1)
    page.get_by_role("button", name="Opprett utkast").click()
    page.wait_for_url(re.compile(r"/overforinger/[0-9a-f-]{36}$"))
    assert page.get_by_label("Dato barnet overføres").input_value().endswith("-08-01")
    assert violations(page) == []
