"""Passkeys in a real browser: Chromium's virtual authenticator (WebAuthn over
the DevTools protocol) stands in for the fingerprint reader or security key.
The personvernombud registers two passkeys, names them, signs in with one, and
removes one."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from intranet import demo_data
from tests.e2e.conftest import LiveServer, free_port
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import violations

AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                 "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo on localhost: a passkey's relying party must be a domain name, not an address."""
    port = free_port()
    origin = f"http://localhost:{port}"
    live = LiveServer(tmp_path_factory.mktemp("e2e-passkeys"), {"BEKYMRING_WEBAUTHN_ORIGIN": origin}, port=port)
    yield SimpleNamespace(url=origin, live=live)
    live.stop()


def add_authenticator(cdp) -> str:
    return cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]


def back_on_the_list(page, server):
    """Waits for the next load of the list: the form posts from the list and
    lands on it again, so waiting for its URL would return before the answer."""
    return page.expect_navigation(url=server.url + "/konto/passkeys")


def register(page, server, name: str) -> None:
    page.goto(server.url + "/konto/passkeys")
    page.get_by_label("Navn på passkeyen").fill(name)
    with back_on_the_list(page, server):
        page.get_by_role("button", name="Registrer passkey").click()


def names(page) -> list[str]:
    return [i.input_value() for i in page.locator("main ul.list input[name=name]").all()]


def test_the_personvernombud_registers_passkeys_and_signs_in_with_one(context, server):
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    first = add_authenticator(cdp)
    sign_in(page, server, "personvern")  # password and a recovery code, as today

    register(page, server, "Jobb-PC")
    assert names(page) == ["Jobb-PC"]
    assert violations(page) == []
    # A second passkey on another authenticator (a security key).
    cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": first})
    add_authenticator(cdp)
    register(page, server, "Sikkerhetsnøkkel")
    assert sorted(names(page)) == ["Jobb-PC", "Sikkerhetsnøkkel"]
    # Renamed.
    page.locator("main ul.list li").filter(has=page.locator("input[value='Jobb-PC']")).get_by_label("Navn").fill("Gammel PC")
    with back_on_the_list(page, server):
        page.locator("main ul.list li").filter(has=page.locator("input[value='Jobb-PC']")).get_by_role(
            "button", name="Gi nytt navn").click()
    assert sorted(names(page)) == ["Gammel PC", "Sikkerhetsnøkkel"]

    # Signing in again: the password, then the passkey instead of a code.
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(server.url + "/logg-inn")
    page.get_by_label("Brukernavn").fill("personvern")

    page.get_by_label("Passord").fill(demo_data.DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(server.url + "/logg-inn/kode")
    assert violations(page) == []
    page.get_by_role("button", name="Logg inn med passkey").click()
    page.wait_for_url(server.url + "/")
    assert "Lise Aune" in page.locator("header").inner_text()

    # The lost one is removed.
    page.goto(server.url + "/konto/passkeys")
    with back_on_the_list(page, server):
        page.get_by_role("button", name="Fjern passkeyen Gammel PC").click()
    assert names(page) == ["Sikkerhetsnøkkel"]
