"""The report to barnevernet in a real browser: a sibling added on the form (with
and without JavaScript), the printed report, and the export checked against
KS' schema."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.people import file_concern, sign_in
from tests.test_bekymringsmelding import schema_errors


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_report_with_a_sibling_printed_and_exported(request, server, javascript):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    sign_in(page, server, "pedleder")
    file_concern(page, server, "Kom uten matpakke og var sulten. Sa at mamma sov.")
    page.get_by_label("Hva har du sett eller hørt?").fill("Sovnet i samlingsstund.")
    page.get_by_role("button", name="Legg til i loggen").click()
    page.locator("#logbook p.entry", has_text="Sovnet i samlingsstund.").wait_for()
    page.get_by_role("button", name="Melding til barnevernet").click()
    page.wait_for_url(re.compile(r"/henvisninger/[0-9a-f-]{36}$"))
    report_url = page.url

    page.get_by_label("Telefon").first.fill("412 34 567")
    page.get_by_label("E-post").fill("ingrid.solberg@fjordvik.kommune.no")
    page.locator("#f-child_not_informed_reason").fill("Barnet er fire år.")
    page.locator("#f-s0_name").fill("Per Testesen")
    page.locator("#f-s0_not_informed_reason").fill("For liten")
    page.get_by_role("button", name="Legg til søsken").click()
    page.wait_for_url(re.compile(r"#sosken$"))

    # The sibling is saved, with the child's address, and a new empty row waits for the next.
    assert page.locator("fieldset.sibling legend", has_text="Per Testesen").is_visible()
    assert page.locator("#f-s0_street").input_value() != ""
    assert page.locator("#f-s1_name").input_value() == ""
    assert page.locator("#f-reporter_phone").input_value() == "412 34 567"  # the rest was saved too

    # A second sibling with a national identity number that is not one is refused beside the field.
    page.locator("#f-s1_name").fill("Kari Testesen")
    page.locator("#f-s1_national_id").fill("12345678901")
    page.get_by_role("button", name="Legg til søsken").click()
    error = page.locator("#f-s1_national_id-error")
    error.wait_for()
    assert "ikke gyldig" in error.text_content()
    assert page.locator("#f-s1_name").input_value() == "Kari Testesen"  # what was typed is kept
    page.locator("#f-s1_national_id").fill("")
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_url(report_url)
    assert page.locator("fieldset.sibling legend", has_text="Kari Testesen").is_visible()

    # The printed report says what barnevernet needs.
    page.get_by_role("link", name="Utskrift").click()
    report = page.locator("article.printable")
    for heading in ("Barnet er orientert", "Søsken i samme melding", "Kategorier", "BTI-nivå",
                    "Bekymringen", "Barnets egne ord", "Historikk", "Hva er prøvd"):
        assert report.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert report.get_by_text("Per Testesen").is_visible() and report.get_by_text("Kari Testesen").is_visible()
    text = report.inner_text()
    assert "Omsorgssvikt" in text and "Nei: Barnet er fire år." in text
    # "Bekymringen" and "Historikk" do not repeat one sentence.
    message = report.locator("h2:text-is('Bekymringen') + p").inner_text()
    history = report.locator("h2:text-is('Historikk') + p").inner_text()
    assert "Kom uten matpakke" in message and "Kom uten matpakke" not in history
    assert "Sovnet i samlingsstund." in history

    # The export is KS' format, with both siblings.
    exported = page.request.get(report_url + "/eksport")
    assert exported.status == 200, exported.text()[:300]
    document = json.loads(exported.text())
    assert schema_errors(document) == []
    assert [b["personnavn"] for b in document["offentligBarn"]][1:] == ["Per Testesen", "Kari Testesen"]
