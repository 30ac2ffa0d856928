"""Notifications by e-mail in a real browser, with JavaScript on and off: where
the municipality names an SMTP server, the helsesykepleier gives her address
under Min konto (a wrong one is refused beside the field, what she typed kept)
and asks for the daily e-mail; the page is axe clean each time."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import LiveServer, free_port
from tests.e2e.people import sign_in
from tests.e2e.test_collaboration import no_violations


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e-notifications"), {
        "BEKYMRING_SMTP_HOST": "127.0.0.1", "BEKYMRING_SMTP_PORT": str(free_port()),
        "BEKYMRING_SMTP_SECURITY": "none", "BEKYMRING_SMTP_FROM": "bekymring@fjordvik.kommune.no",
        "BEKYMRING_PUBLIC_URL": "https://bekymring.fjordvik.kommune.no"})
    yield live
    live.stop()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_choosing_notifications_by_e_mail(javascript, request, server):
    context = request.getfixturevalue("context" if javascript else "nojs_context")
    page = context.new_page()
    sign_in(page, server, "helsesykepleier")
    page.goto(server.url + "/konto")
    page.get_by_label("E-postadresse").fill("sunniva på jobb")
    page.get_by_label("Send meg varsler på e-post").check()
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.locator("#f-email-error").wait_for()
    assert page.get_by_label("E-postadresse").input_value() == "sunniva på jobb"
    assert page.get_by_label("E-postadresse").get_attribute("aria-invalid") == "true"
    assert no_violations(page, javascript)
    page.get_by_label("E-postadresse").fill("sunniva.dahl@fjordvik.kommune.no")
    page.get_by_role("button", name="Lagre", exact=True).click()
    page.get_by_text("Lagret.").wait_for()
    assert page.get_by_label("Send meg varsler på e-post").is_checked()
    assert no_violations(page, javascript)
    page.goto(server.url + "/varsler")
    assert page.get_by_role("heading", name="Varsler", level=1).is_visible()
    assert no_violations(page, javascript)
