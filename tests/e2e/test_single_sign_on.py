"""Single sign-on in a real browser: the styrer signs in at the municipality's
OpenID provider (panva's oidc-provider on loopback) with role and unit from the
provider's claims, signs out here and is signed out at the provider too, or
signs out at the provider and is signed out here (back-channel logout)."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import LiveServer, free_port
from tests.e2e.people import sign_in
from tests.e2e.test_accessibility import check, violations
from tests.oidcprovider import OidcProvider

ACCOUNTS = {
    "kari.skyvik": {"name": "Karianne Skyvik", "groups": ["styrere"], "unit": "solsikken", "amr": ["pwd"]},
    "nils.venter": {"name": "Nils Ventersen", "groups": ["ukjent-gruppe"]},
}


@pytest.fixture(scope="module")
def sso(tmp_path_factory):
    """(the app, the provider): the demo app configured for the provider."""
    workdir = tmp_path_factory.mktemp("e2e-sso")
    port = free_port()
    app = f"http://127.0.0.1:{port}"
    provider = OidcProvider(workdir, [app], ACCOUNTS, backchannel_logout_uri=app + "/logg-inn/oidc/utlogging")
    try:
        live = LiveServer(workdir, provider.settings(), port=port)
    except BaseException:
        provider.stop()
        raise
    yield live, provider
    live.stop()
    provider.stop()


def at_provider(page, login: str) -> None:
    page.get_by_label("User").fill(login)
    page.get_by_role("button", name="Sign in at the provider").click()


def test_a_styrer_signs_in_at_the_provider_and_signs_out_there_too(context, sso):
    server, provider = sso
    page = context.new_page()
    page.goto(server.url + "/logg-inn")
    page.get_by_role("link", name="Logg inn med kommunens innlogging").click()
    page.wait_for_url(provider.issuer + "/**")
    at_provider(page, "kari.skyvik")
    page.wait_for_url(server.url + "/")
    assert "Karianne Skyvik" in page.locator("header").inner_text()
    # Role and unit from the claims: a unit leader's page, and Solsikken barnehage's children.
    assert page.goto(server.url + "/bekymringer/innboks").status == 200
    # (the children of her unit are listed a page at a time, in no fixed order of names)
    assert page.goto(server.url + "/barn").status == 200
    assert page.get_by_role("heading", name="Barn i enheten").is_visible()
    page.goto(server.url + "/")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url(provider.issuer + "/**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(server.url + "/logg-inn")
    page.goto(server.url + "/")
    assert page.url == server.url + "/logg-inn"
    # Signed out at the provider too: it asks again who you are.
    page.get_by_role("link", name="Logg inn med kommunens innlogging").click()
    page.wait_for_url(provider.issuer + "/**")
    assert page.get_by_label("User").is_visible()


def test_a_sign_out_at_the_provider_signs_the_styrer_out_here(context, sso):
    server, provider = sso
    page = context.new_page()
    page.goto(server.url + "/logg-inn")
    page.get_by_role("link", name="Logg inn med kommunens innlogging").click()
    page.wait_for_url(provider.issuer + "/**")
    at_provider(page, "kari.skyvik")
    page.wait_for_url(server.url + "/")
    assert page.goto(server.url + "/bekymringer/innboks").status == 200  # a unit leader, from the claims
    # Another tab, the provider's own page: she signs out there, not here.
    elsewhere = context.new_page()
    elsewhere.goto(provider.issuer + "/session/end")
    elsewhere.get_by_role("button", name="Yes, sign me out").click()
    elsewhere.wait_for_url(provider.issuer + "/session/end/success")  # the provider answers once it told the app
    # The provider told the app over the back channel: the session here is over.
    page.goto(server.url + "/bekymringer/innboks")
    assert page.url == server.url + "/logg-inn"


def test_sign_in_and_waiting_pages_have_no_wcag_violations(context, sso):
    server, _ = sso
    page = context.new_page()
    check(page, "/logg-inn", server)
    page.get_by_role("link", name="Logg inn med kommunens innlogging").click()
    at_provider(page, "nils.venter")
    page.get_by_role("heading", name="Venter på godkjenning").wait_for()
    assert violations(page) == []
    admin = context.new_page()
    sign_in(admin, server, "admin")
    check(admin, "/admin/innlogginger", server)
    admin.get_by_role("link", name="Nils Ventersen").click()
    admin.get_by_role("button", name="Gi rolle og slipp inn").wait_for()
    assert violations(admin) == []
