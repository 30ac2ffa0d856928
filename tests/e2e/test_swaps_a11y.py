"""What a screen reader user meets after each htmx swap, and on a form that comes
back with errors, read from Chromium's own accessibility tree (through the
DevTools protocol) and from `document.activeElement`: the error is announced
(an alert), tied to its field (the field's accessible description is the
message, and it is marked invalid), and the focus is somewhere sensible, never
on <body>; a success is said by the polite status region, and the focus lands
on what changed. axe runs on load and after every swap."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.people import file_concern, sign_in
from tests.e2e.test_accessibility import violations


def ax_node(page, selector: str) -> dict:
    """The element's node in Chromium's accessibility tree: role, name,
    description and whether it is marked invalid."""
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        assert node, f"no element {selector}"
        ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
    finally:
        cdp.detach()
    properties = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
    return {
        "role": ax["role"]["value"],
        "name": ax.get("name", {}).get("value", ""),
        "description": ax.get("description", {}).get("value", ""),
        "invalid": properties.get("invalid", "false"),
        "focused": properties.get("focused", False),
    }


def focused(page) -> dict:
    """What has the focus: its tag, id and text."""
    return page.evaluate("""() => {
        const a = document.activeElement;
        return {tag: a ? a.tagName : null, id: a ? a.id : "", text: a ? a.innerText || "" : "",
                label: a ? a.getAttribute("aria-label") || "" : ""};
    }""")


def wait_for_focus_off_body(page) -> dict:
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    return focused(page)


def assert_error_is_announced_and_linked(page, field: str, message: str) -> None:
    """The swapped form's error: an alert holds it, the field is invalid and
    described by the message, and the focus is on the alert or the field."""
    alert = page.locator("main [role=alert]:not(#request-error)")
    expect(alert).to_be_visible()
    assert "- alert:" in page.locator("main").aria_snapshot()
    node = ax_node(page, field)
    assert node["invalid"] == "true", node
    assert message in node["description"], node
    # aria-describedby resolves, in the DOM too, to the visible message beside the field.
    described = page.evaluate(
        "(s) => document.querySelector(s).getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).innerText).join(' ')", field)
    assert message in described
    now = wait_for_focus_off_body(page)
    assert now["tag"] != "BODY"
    on_alert = page.evaluate("document.activeElement.getAttribute('role') === 'alert'")
    assert on_alert or now["id"] == field.lstrip("#"), now
    assert violations(page) == []


def assert_status_says(page, text: str) -> None:
    status = page.locator("#announce")
    expect(status).to_have_text(re.compile(re.escape(text)))
    assert ax_node(page, "#announce")["role"] == "status"
    snapshot = page.locator("#announce").aria_snapshot()
    assert snapshot.startswith("- status:") and text in snapshot, snapshot


def concern(page, server, text: str) -> str:
    sign_in(page, server, "pedleder")
    url = file_concern(page, server, text)
    assert violations(page) == []
    return url


def test_concern_page_empty_observation_is_announced_linked_to_its_field_and_focused(context, server):
    page = context.new_page()
    concern(page, server, "Kom uten matpakke tre dager.")
    page.get_by_role("button", name="Legg til i loggen").click()
    assert_error_is_announced_and_linked(page, "#f-log-text", "Observasjonen må fylles ut.")
    # No success stands beside the failure.
    expect(page.locator("#announce")).to_have_text("")


def test_concern_page_adding_a_log_entry_is_announced_and_focuses_the_new_entry(context, server):
    page = context.new_page()
    concern(page, server, "Sovnet i samlingen.")
    page.get_by_label("Hva har du sett eller hørt?").fill("Sovnet igjen i dag.")
    page.get_by_role("button", name="Legg til i loggen").click()
    assert_status_says(page, "Lagt til i loggen.")
    now = wait_for_focus_off_body(page)
    assert now["id"] == "entry-2" and "Sovnet igjen i dag." in now["text"], now
    assert violations(page) == []


def test_concern_page_ticking_a_checklist_step_is_announced_and_keeps_focus_on_the_step(context, server):
    page = context.new_page()
    concern(page, server, "Virket sliten og lei seg.")
    step = page.locator("#guide ul.checklist button").first
    label = step.get_attribute("aria-label")
    assert label.startswith("Kryss av: ")
    step_text = label.removeprefix("Kryss av: ")
    step.click()
    assert_status_says(page, f"Steg krysset av: {step_text}")
    now = wait_for_focus_off_body(page)
    # The same step's button, now saying what a second press does.
    assert now["label"] == f"Fjern avkrysning: {step_text}", now
    node = ax_node(page, f"#{now['id']}")
    assert node["focused"] is True and node["name"] == f"Fjern avkrysning: {step_text}", node
    assert violations(page) == []


def test_concern_page_changing_the_level_without_a_reason_then_with_one(context, server):
    page = context.new_page()
    concern(page, server, "Mye fravær siste måned.")
    page.get_by_label("Endre nivå").select_option(label="Nivå 1 – tiltak i egen tjeneste")
    page.get_by_role("button", name="Endre nivå").click()
    page.locator("#guide .field-error").first.wait_for()
    message = page.locator("#f-level-reason-error").inner_text().removeprefix("Feil: ")
    assert_error_is_announced_and_linked(page, "#f-level-reason", message)
    page.locator("#f-level-reason").fill("Fast voksen ved levering")
    page.get_by_role("button", name="Endre nivå").click()
    assert_status_says(page, "Nivået er endret.")
    now = wait_for_focus_off_body(page)
    assert now["id"] == "f-level", now
    expect(page.locator("#concern-summary")).to_contain_text("BTI-nivå 1")
    assert violations(page) == []


def test_concern_page_closing_the_concern_is_announced_and_focuses_its_status_section(context, server):
    page = context.new_page()
    concern(page, server, "Glemte klær flere ganger.")
    page.locator("#f-status-reason").fill("Foresatte har fulgt opp")
    page.get_by_role("button", name="Avslutt", exact=True).click()
    assert_status_says(page, "Bekymringen er avsluttet.")
    now = wait_for_focus_off_body(page)
    assert now["id"] == "status" and "Avsluttet" in now["text"], now
    assert ax_node(page, "#status")["focused"] is True
    assert violations(page) == []


def test_new_concern_form_sent_empty_is_announced_linked_and_focused_after_the_swap(context, server):
    page = context.new_page()
    sign_in(page, server, "pedleder")
    page.goto(server.url + "/bekymringer/ny")
    page.get_by_role("button", name="Lagre bekymringen").click()
    page.locator("#new-concern .field-error").first.wait_for()
    message = page.locator("#f-observation-error").inner_text().removeprefix("Feil: ")
    assert_error_is_announced_and_linked(page, "#f-observation", message)


# The consent form, the resource team's meeting page and the privacy officer's
# child page are plain forms (post, then redirect): a refusal comes back as the
# page with the same error summary and linked fields, and static/a11y.js puts
# the focus on the summary, as after an htmx swap.
def test_consent_form_sent_empty_is_announced_linked_to_its_fields_and_focused(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    page.goto(server.url + "/barn")
    page.locator("main ul.list a").first.click()
    page.get_by_role("link", name="Registrer samtykke").click()
    assert violations(page) == []
    page.get_by_label("Gyldig fra").fill("")
    page.get_by_role("button", name="Lagre samtykket").click()
    page.locator(".field-error").first.wait_for()
    message = page.locator("#f-valid_from-error").inner_text().removeprefix("Feil: ")
    assert_error_is_announced_and_linked(page, "#f-valid_from", message)


def test_resource_team_meeting_general_issue_without_a_title_is_announced_linked_and_focused(context, server):
    page = context.new_page()
    sign_in(page, server, "styrer")
    page.goto(server.url + "/ressursteam")
    page.get_by_role("link", name="Planlegg møte").click()
    page.get_by_label("Type møte").select_option(label="Ekstramøte")
    page.get_by_label("Dato").fill("2027-01-12")
    page.get_by_label("Klokkeslett").fill("13:00")
    page.get_by_label("Solsikken barnehage").check()
    page.get_by_role("button", name="Opprett møte").click()
    page.wait_for_url(re.compile(r"/ressursteam/[0-9a-f-]{36}$"))
    assert violations(page) == []
    page.get_by_label("Beskrivelse").fill("Mange barn kommer sent.")
    page.get_by_role("button", name="Meld inn").click()
    page.locator(".field-error").first.wait_for()
    message = page.locator("#f-title-error").inner_text().removeprefix("Feil: ")
    assert_error_is_announced_and_linked(page, "#f-title", message)
    expect(page.get_by_label("Beskrivelse")).to_have_value("Mange barn kommer sent.")


def test_privacy_child_page_restriction_without_a_reason_is_announced_linked_and_focused(context, server):
    page = context.new_page()
    sign_in(page, server, "personvern")
    page.goto(server.url + "/personvern/barn")
    page.get_by_label("Navn eller fødselsnummer").fill("Sofie")
    page.get_by_role("button", name="Søk").click()
    page.locator("main ul a").first.click()
    page.wait_for_url(re.compile(r"/personvern/barn/[0-9a-f-]{36}$"))
    assert violations(page) == []
    page.get_by_role("button", name="Sperr").click()
    page.locator(".field-error").first.wait_for()
    assert_error_is_announced_and_linked(page, "#f-restrict-reason", "Skriv en begrunnelse.")
    # The erasure form beside it is untouched: its field is neither invalid nor described by the error.
    assert ax_node(page, "#f-erase-reason")["invalid"] == "false"
