"""The main journeys, in a real browser: from a staff member's worry, through the
unit leader's consent, referrals and resource team, to the privacy officer's log
and the municipal leader's anonymised minutes."""

from __future__ import annotations

import re
import time

from events import clock
from tests.e2e.people import name, sign_in


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^Logg ut")).click()
    page.wait_for_url(re.compile("/logg-inn$"))


def test_from_worry_to_action(context, server):
    page = context.new_page()

    # A staff member files a concern: well under a minute, in a handful of actions.
    sign_in(page, server, "pedleder")
    started = time.monotonic()
    page.get_by_role("link", name="Ny bekymring").click()
    page.get_by_label("Barn i enheten").select_option(index=1)
    child = page.get_by_label("Barn i enheten").evaluate("s => s.options[s.selectedIndex].text")
    page.get_by_label("Hva har du sett eller hørt?").fill("Kom uten matpakke og yttertøy i dag, tredje gang denne uken.")
    page.get_by_label("Omsorgssvikt").check()
    page.get_by_label("3 – Bekymret").check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    assert time.monotonic() - started < 60
    concern_url = page.url
    assert page.get_by_role("heading", name=f"Bekymring for {child}").is_visible()

    # Observations are added in place (htmx), without reloading the page.
    page.evaluate("window.__same_page = true")
    page.get_by_label("Hva har du sett eller hørt?").fill("Hentet av bestemor, som sa at mor er syk.")
    page.get_by_role("button", name="Legg til i loggen").click()
    page.locator("#logbook p.entry", has_text="Hentet av bestemor").wait_for()
    assert page.evaluate("window.__same_page") is True
    sign_out(page)

    # The unit leader receives it, records consent, refers to PPT and reports to barnevernet.
    sign_in(page, server, "styrer")
    page.get_by_role("link", name="Innboks").click()
    page.get_by_role("link", name=child).first.click()
    assert page.url == concern_url
    page.get_by_role("link", name="Barnets side og samtykker").click()
    page.get_by_role("link", name="Registrer samtykke").click()
    page.get_by_label("PPT").check()
    page.get_by_label("Utvikling og læring").check()
    page.get_by_label("Formål").fill("Utredning av språk og samspill")
    for box in page.locator("input[name=signers]").all():
        label = box.evaluate("b => b.parentElement.textContent")
        if "foreldreansvar" in label:
            box.check()
    page.get_by_role("button", name="Lagre samtykket").click()
    page.wait_for_url(re.compile(r"/samtykker/"))
    page.goto(concern_url)
    page.get_by_role("button", name="Henvisning til PPT").click()
    page.wait_for_url(re.compile(r"/henvisninger/"))
    assert page.get_by_text("Gyldig samtykke omfatter PPT i dag").is_visible()
    page.get_by_label("Hva er prøvd, og med hvilket resultat").fill("Språkgruppe to ganger i uken i tre måneder")
    page.get_by_label("Foresattes syn").fill("Foresatte ønsker utredning")
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_label("Hvordan").select_option("post")
    page.get_by_role("button", name="Registrer som sendt").click()
    assert page.get_by_text("Sendt", exact=True).first.is_visible()
    page.goto(concern_url)
    page.get_by_role("button", name="Melding til barnevernet").click()
    page.get_by_label("Telefon").first.fill("41234567")
    page.get_by_label("E-post").fill("styrer@example.no")
    for box in page.locator("input[name$=_informed]").all():
        box.check()
    page.get_by_role("button", name="Lagre utkast").click()
    page.get_by_label("Hvordan").select_option("fiks")
    page.get_by_role("button", name="Registrer som sendt").click()
    assert page.get_by_text("Bekreftelse på mottak til melder innen").is_visible()

    # She brings the case to the resource team, anonymised, and approves the minutes.
    page.get_by_role("link", name="Ressursteam").click()
    page.get_by_role("link", name="Planlegg møte").click()
    page.get_by_label("Type møte").select_option("extra")
    page.get_by_label("Dato").fill(clock.today().isoformat())
    page.get_by_label("Klokkeslett").fill("08:30")
    page.get_by_label("Solsikken barnehage").check()
    page.get_by_role("button", name="Opprett møte").click()
    page.get_by_role("link", name="Ta opp en sak").click()
    # Each option names the child, the day and who filed it: the concern filed above.
    filed = page.locator("#f-bekymring option", has_text=f"{child} – opprettet {clock.today().strftime('%d.%m.%Y')} av {name('pedleder')}")
    page.get_by_label("Hvilken bekymring?").select_option(filed.get_attribute("value"))
    page.get_by_role("button", name="Neste").click()
    text = page.get_by_label("Saken slik den legges fram").input_value()
    assert child not in text and child.split()[0] not in text
    page.get_by_role("button", name="Meld inn saken").click()
    page.get_by_label("Råd fra ressursteamet").fill("Fast voksen ved levering; snakk med foresatte om helsen til mor.")
    page.get_by_role("button", name="Lagre råd").click()
    page.get_by_role("button", name="Godkjenn referatet").click()
    assert page.get_by_text("Referatet er godkjent").is_visible()
    sign_out(page)

    # The privacy officer sees who looked at the child.
    sign_in(page, server, "personvern")
    page.get_by_role("link", name="Finn barn").click()
    page.get_by_label("Navn eller fødselsnummer").fill(child)
    page.get_by_role("button", name="Søk").click()
    page.get_by_role("link", name=child).click()
    assert page.get_by_text(name("pedleder")).first.is_visible()
    assert page.get_by_text(name("styrer")).first.is_visible()
    assert page.get_by_text("Kom uten matpakke").count() == 0  # metadata, not content
    sign_out(page)

    # The municipal leader sees the anonymised minutes, and no name.
    sign_in(page, server, "kommunalsjef")
    page.get_by_role("link", name="Referater").click()
    assert page.get_by_text("Fast voksen ved levering").is_visible()
    assert page.get_by_text(child).count() == 0


def test_the_core_journey_works_without_javascript(nojs_context, server):
    page = nojs_context.new_page()
    sign_in(page, server, "barnehagelaerer")
    page.get_by_role("link", name="Ny bekymring").click()
    page.get_by_label("Barn i enheten").select_option(index=2)
    child = page.get_by_label("Barn i enheten").evaluate("s => s.options[s.selectedIndex].text")
    page.get_by_role("button", name="Lagre bekymringen").click()  # empty: errors come back
    assert page.get_by_text("Feil: Hva du har sett eller hørt må fylles ut.").is_visible()
    assert page.get_by_label("Barn i enheten").evaluate("s => s.options[s.selectedIndex].text") == child
    page.get_by_label("Hva har du sett eller hørt?").fill("Gråt lenge ved levering og ville ikke spise.")
    page.get_by_label("Psykisk helse").check()
    page.get_by_label("2 – Litt bekymret").check()
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.wait_for_url(re.compile(r"/bekymringer/[0-9a-f-]{36}$"))
    concern_url = page.url
    page.get_by_label("Hva har du sett eller hørt?").fill("Spiste litt etter samlingsstund.")
    page.get_by_role("button", name="Legg til i loggen").click()
    page.wait_for_url(re.compile(r"#logbook$"))
    assert page.locator("#logbook p.entry", has_text="Spiste litt etter samlingsstund.").is_visible()
    sign_out(page)
    sign_in(page, server, "styrer")
    page.get_by_role("link", name="Innboks").click()
    page.get_by_role("link", name=child).first.click()
    assert page.url == concern_url
    assert page.locator("#logbook p.entry", has_text="Gråt lenge ved levering").is_visible()
