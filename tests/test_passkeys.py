"""Passkeys' failure paths and rules, on the real app (the happy path, with a
real authenticator, is tests/e2e/test_passkeys.py)."""

from __future__ import annotations

import pytest

from events.errors import DomainError
from tests.webclient import PASSWORD, Web, csrf_of

ORIGIN = "https://testserver"


@pytest.fixture
def keyed(env, demo_copy):
    """The demo app with passkeys offered (`env` picks the store; the copy holds its key)."""
    with Web({**demo_copy[0], "BEKYMRING_WEBAUTHN_ORIGIN": ORIGIN}, built=demo_copy[1]) as web:
        yield web


def test_a_passkey_that_the_browser_did_not_make_is_refused_and_the_name_kept(keyed):
    client = keyed.login("staff")
    page = client.get("/konto/passkeys")
    assert page.status_code == 200 and 'data-webauthn="create"' in page.text
    answer = client.post("/konto/passkeys", data={"name": "Jobb-PC", "credential": '{"id": "forged"}',
                                                  "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 422 and "Passkeyen ble ikke registrert" in answer.text
    assert 'value="Jobb-PC"' in answer.text
    nameless = client.post("/konto/passkeys", data={"name": " ", "credential": "", "csrf_token": csrf_of(page.text)})
    assert nameless.status_code == 422 and "Gi passkeyen et navn" in nameless.text


def test_a_forged_passkey_sign_in_is_refused_and_the_session_stays_half_signed_in(keyed):
    user_id = keyed.ids["users"]["pedleder"]
    keyed.domain.register_passkey(user_id, "Y3JlZA", "cHVibGlj", 0, "Jobb-PC", [])
    client = keyed.client()
    response = keyed.post_form(client, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    assert response.headers["location"] == "/logg-inn/kode"
    page = client.get("/logg-inn/kode")
    assert 'data-webauthn="get"' in page.text and "Y3JlZA" in page.text  # the allowed credential
    forged = client.post("/logg-inn/passkey", data={"credential": '{"id": "Y3JlZA", "response": {}}',
                                                    "csrf_token": csrf_of(page.text)})
    assert forged.status_code == 422 and "Passkeyen ble ikke godtatt" in forged.text
    assert client.get("/barn").headers["location"] == "/logg-inn/kode"


def test_passkeys_are_not_offered_without_an_origin(web):
    client = web.login("staff")
    assert client.get("/konto/passkeys").status_code == 404


def test_a_counter_going_back_means_a_cloned_key_and_is_refused(keyed):
    user_id = keyed.ids["users"]["pedleder"]
    keyed.domain.register_passkey(user_id, "a2V5", "cHVi", 5, "Nøkkel", [])
    keyed.domain.use_passkey(user_id, "a2V5", 6)
    with pytest.raises(DomainError):
        keyed.domain.use_passkey(user_id, "a2V5", 6)
    with pytest.raises(DomainError):
        keyed.domain.register_passkey(user_id, "a2V5", "cHVi", 0, "Igjen", [])
    keyed.domain.rename_passkey(user_id, "a2V5", "Ny")
    assert keyed.domain.get_user(user_id).passkeys["a2V5"]["name"] == "Ny"
    keyed.domain.remove_passkey(user_id, "a2V5")
    assert keyed.domain.get_user(user_id).passkeys == {}
