"""Single sign-on against a real OpenID provider (panva's oidc-provider on
loopback, see tests/oidcprovider.py), through the real app over each store."""

from __future__ import annotations

import base64
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx2 as httpx
import pytest

from events.directory import User
from tests.htmltree import dom
from intranet import oidc, sessions
from tests.oidcprovider import CLIENT_ID, LogoutRecorder, OidcProvider, sign_in_at_provider, sign_out_at_provider
from tests.rawstore import leaks
from tests.webclient import PASSWORD, Web, csrf_of

APP = "https://testserver"
ACCOUNTS = {
    "sub-kari-4711": {"name": "Karianne Skyvik", "groups": ["styrere"], "unit": "solsikken", "amr": ["pwd"]},
    "sub-lise-4712": {"name": "Lisbet Ombudsen", "groups": ["personvern"], "amr": ["pwd"]},
    "sub-mona-4713": {"name": "Mona Tofaktor", "groups": ["personvern"], "amr": ["pwd", "mfa"]},
    "sub-nils-4714": {"name": "Nils Ventersen", "groups": ["ukjent-gruppe"], "unit": "solsikken"},
    "sub-olav-4715": {"name": "Olav Avslutt", "groups": ["ansatte"], "unit": "fjordvikskole"},
}


@pytest.fixture(scope="module")
def recorder():
    """The back-channel logout URI: the in-process app has no address the
    provider could post to, so the test hands the recorded token on."""
    listening = LogoutRecorder()
    yield listening
    listening.stop()


@pytest.fixture(scope="module")
def provider(tmp_path_factory, recorder):
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), [APP], {k: dict(v) for k, v in ACCOUNTS.items()},
                           backchannel_logout_uri=recorder.url)
    yield running
    running.stop()


@pytest.fixture
def sso(env, demo_copy, provider):
    """The demo app signed in through `provider`; the provider's `amr` "mfa"
    counts as a second factor."""
    # `env` only picks the store: the demo copy's environment holds its key.
    with Web({**demo_copy[0], **provider.settings(BEKYMRING_OIDC_SECOND_FACTOR_AMR="mfa")},
             built=demo_copy[1]) as web:
        yield web


def start(web: Web, login: str, at_provider: httpx.Client | None = None):
    """A browser that went to the provider and signed in as `login`: (the
    browser, the URL the provider sent it back to). `at_provider`: the same
    browser's cookies at the provider, if they are to outlive the sign-in."""
    client = web.client()
    to_provider = client.get("/logg-inn/oidc")
    assert to_provider.status_code == 303
    if at_provider is not None:
        return client, sign_in_at_provider(to_provider.headers["location"], login, at_provider, until=APP)
    with httpx.Client(follow_redirects=False) as at_provider:
        back = sign_in_at_provider(to_provider.headers["location"], login, at_provider, until=APP)
    return client, back


def sign_in(web: Web, login: str, at_provider: httpx.Client | None = None):
    """(the browser, the app's answer to the provider's redirect)."""
    client, back = start(web, login, at_provider)
    assert back.startswith(APP), back
    return client, client.get(back.removeprefix(APP))


def account_of(web: Web, sub: str) -> User:
    web.projections.wait()
    view = web.app.state.projections["directory"].view
    user_id = view.user_id_by_username_index(web.domain.blind_index("oidc:" + sub))
    assert user_id, "no account made"
    return web.domain.get_user(user_id)


def test_a_styrer_signs_in_with_role_and_unit_from_the_claims_and_nothing_is_kept_in_clear(sso):
    client, answer = sign_in(sso, "sub-kari-4711")
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    home = client.get("/")
    assert home.status_code == 200 and "Karianne Skyvik" in home.text
    account = account_of(sso, "sub-kari-4711")
    assert account.role == "unit_leader" and account.unit_id == sso.ids["units"]["solsikken"]
    # Not even the provider's subject or the person's name is stored in clear.
    assert leaks(sso.env, ["Karianne Skyvik", "sub-kari-4711", "Skyvik"]) == []
    # The account signs in only through the provider, never with a password.
    local = sso.post_form(sso.client(), "/logg-inn", {"username": "oidc:sub-kari-4711", "password": PASSWORD})
    assert local.status_code == 422


def test_the_role_follows_the_providers_groups_at_the_next_sign_in(sso, provider):
    sign_in(sso, "sub-olav-4715")
    assert account_of(sso, "sub-olav-4715").role == "staff"
    provider.set_account("sub-olav-4715", groups=["styrere"], unit="solsikken")
    try:
        _, answer = sign_in(sso, "sub-olav-4715")
        assert answer.headers["location"] == "/"
        account = account_of(sso, "sub-olav-4715")
        assert account.role == "unit_leader" and account.unit_id == sso.ids["units"]["solsikken"]
    finally:
        provider.set_account("sub-olav-4715", **ACCOUNTS["sub-olav-4715"])


def test_the_providers_keys_rotate_and_sign_in_goes_on(sso, provider):
    old_kid = httpx.get(provider.issuer + "/jwks").json()["keys"][0]["kid"]
    _, first = sign_in(sso, "sub-kari-4711")
    assert first.headers["location"] == "/"
    provider.restart()  # a new signing key; the app still holds the old JWKS
    new_kid = httpx.get(provider.issuer + "/jwks").json()["keys"][0]["kid"]
    assert new_kid != old_kid
    _, second = sign_in(sso, "sub-kari-4711")
    assert second.status_code == 303 and second.headers["location"] == "/", second.text


def test_a_wrong_nonce_is_refused(sso):
    client = sso.client()
    to_provider = urlsplit(client.get("/logg-inn/oidc").headers["location"])
    query = {k: v[0] for k, v in parse_qs(to_provider.query).items()}
    query["nonce"] = "a-nonce-the-app-never-made"  # the provider signs this one into the ID token
    with httpx.Client(follow_redirects=False) as at_provider:
        back = sign_in_at_provider(urlunsplit(to_provider._replace(query=urlencode(query))),
                                   "sub-kari-4711", at_provider, until=APP)
    answer = client.get(back.removeprefix(APP))
    assert answer.status_code == 403 and "ble avvist" in answer.text
    assert client.get("/").headers["location"] == "/logg-inn"


def test_an_expired_id_token_is_refused(sso):
    client, back = start(sso, "sub-kari-4711")
    real = sso.app.state.oidc.clock
    sso.app.state.oidc.clock = lambda: time.time() + 2 * 3600  # the token lives an hour
    try:
        answer = client.get(back.removeprefix(APP))
    finally:
        sso.app.state.oidc.clock = real
    assert answer.status_code == 403
    assert client.get("/").headers["location"] == "/logg-inn"


def test_a_replayed_or_foreign_answer_is_refused(sso):
    client, back = start(sso, "sub-kari-4711")
    stranger = sso.client()  # another browser cannot use this browser's answer
    assert stranger.get(back.removeprefix(APP)).status_code == 403
    # The state was used up by the attempt: not even the right browser gets in with it now.
    assert client.get(back.removeprefix(APP)).status_code == 403


def test_sign_out_ends_the_session_here_and_continues_at_the_provider(sso, provider):
    client, _ = sign_in(sso, "sub-kari-4711")
    cookie = client.cookies.get("__Host-bk-session")
    response = client.post("/logg-ut", data={"csrf_token": csrf_of(client.get("/").text)})
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    assert parse_qs(location.query)["post_logout_redirect_uri"] == [APP + "/logg-inn"]
    replay = sso.client()
    replay.cookies.set("__Host-bk-session", cookie)
    assert replay.get("/").headers["location"] == "/logg-inn"
    # A local account's sign-out stays here.
    local = sso.login("staff")
    out = local.post("/logg-ut", data={"csrf_token": csrf_of(local.get("/").text)})
    assert out.headers["location"] == "/logg-inn"


def test_a_deactivated_account_is_refused_at_its_next_sign_in(sso, provider):
    sign_in(sso, "sub-olav-4715")
    sso.domain.deactivate_user(account_of(sso, "sub-olav-4715").id)
    client, answer = sign_in(sso, "sub-olav-4715")
    assert answer.status_code == 403 and "deaktivert" in answer.text
    assert client.get("/").headers["location"] == "/logg-inn"
    # Deactivated at the provider: the provider itself refuses.
    provider.set_account("sub-lise-4712", active=False)
    try:
        _, back = start(sso, "sub-lise-4712")
        assert back == "refused:403"
    finally:
        provider.set_account("sub-lise-4712", active=True)


def test_the_providers_second_factor_counts_only_as_configured(sso):
    # amr ["pwd"]: a privacy officer must still set up the local second factor.
    _, without = sign_in(sso, "sub-lise-4712")
    assert without.headers["location"] == "/konto/totp"
    # With a passkey of her own, she is asked for it (or a code) after the provider.
    sso.domain.register_passkey(account_of(sso, "sub-lise-4712").id, "Y3JlZA", "cHVi", 0, "Jobb-PC", [])
    _, then = sign_in(sso, "sub-lise-4712")
    assert then.headers["location"] == "/logg-inn/kode"
    # amr ["pwd", "mfa"], and "mfa" is configured: signed in at once.
    client, with_mfa = sign_in(sso, "sub-mona-4713")
    assert with_mfa.headers["location"] == "/"
    assert client.get("/").status_code == 200


def test_a_first_sign_in_without_a_mapped_role_waits_for_an_admin(sso):
    client, answer = sign_in(sso, "sub-nils-4714")
    assert answer.status_code == 200 and "Venter på godkjenning" in answer.text
    assert client.get("/").headers["location"] == "/logg-inn"
    assert leaks(sso.env, ["Nils Ventersen", "sub-nils-4714"]) == []
    admin = sso.login("admin")
    waiting = admin.get("/admin/innlogginger")
    assert "Nils Ventersen" in waiting.text
    link = dom(waiting.text).one("main ul a")["href"]
    form = admin.get(link).text
    wrong = admin.post(link, data={"role": "staff", "unit_id": "", "service": "", "csrf_token": csrf_of(form)})
    assert wrong.status_code == 422 and "Velg enhet" in wrong.text
    approved = admin.post(link, data={"role": "staff", "unit_id": str(sso.ids["units"]["solsikken"]),
                                      "service": "", "csrf_token": csrf_of(form)})
    assert approved.status_code == 303
    listing = admin.get("/admin/innlogginger").text
    assert "Ingen venter." in listing and "Nils Ventersen" in dom(listing).one("main ul").text  # now approved
    assert admin.get(link).headers["location"] == "/admin/innlogginger"  # a reload after approving
    # Signed in at the next attempt, with the role the admin gave.
    _, again = sign_in(sso, "sub-nils-4714")
    assert again.headers["location"] == "/"
    assert account_of(sso, "sub-nils-4714").role == "staff"


def test_local_accounts_can_be_turned_off(env, demo_copy, provider):
    with Web({**demo_copy[0], **provider.settings(), "BEKYMRING_LOCAL_ACCOUNTS": "0"}, built=demo_copy[1]) as web:
        client = web.client()
        page = client.get("/logg-inn").text
        assert not dom(page).has("input[name=password]") and "/logg-inn/oidc" in page
        refused = client.post("/logg-inn", data={"username": "styrer", "password": PASSWORD,
                                                 "csrf_token": csrf_of(page)})
        assert refused.status_code == 403
        assert client.get("/").headers["location"] == "/logg-inn"


def test_without_a_provider_there_is_no_single_sign_on(web):
    page = web.client().get("/logg-inn").text
    assert "/logg-inn/oidc" not in page and dom(page).has("input[name=password]")
    assert web.client().get("/logg-inn/oidc").status_code == 404


# -- single sign-out: the provider's back-channel logout --------------------------------------------

def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def post_logout(web: Web, token: str):
    """The provider's post of a logout token: no browser, no cookies, no CSRF token."""
    return web.client().post("/logg-inn/oidc/utlogging", data={"logout_token": token})


def logout_claims(provider, **claims) -> dict:
    """A logout token's claims as the spec wants them (Back-Channel Logout 1.0 §2.4)."""
    return {"iss": provider.issuer, "aud": CLIENT_ID, "iat": int(time.time()), "exp": int(time.time()) + 120,
            "jti": secrets.token_urlsafe(16), "events": {oidc.LOGOUT_EVENT: {}}, **claims}


def test_a_sign_out_at_the_provider_ends_the_session_here(sso, provider, recorder):
    with httpx.Client(follow_redirects=False) as at_provider:
        client, answer = sign_in(sso, "sub-kari-4711", at_provider)
        assert answer.headers["location"] == "/" and signed_in(client)
        other, _ = sign_in(sso, "sub-mona-4713")  # someone else's session, which must last
        recorder.tokens.clear()
        sign_out_at_provider(provider.issuer, at_provider)
    (token,) = recorder.tokens
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["sid"] and claims["sub"] == "sub-kari-4711"
    assert post_logout(sso, token).status_code == 200
    assert client.get("/").headers["location"] == "/logg-inn"
    assert signed_in(other)
    # The same token again is a replay.
    replayed = post_logout(sso, token)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_request"
    # The sign-out is audited, and neither the provider's session id, its subject nor the
    # token's id was ever stored in clear.
    sso.projections.wait()
    user_id = account_of(sso, "sub-kari-4711").id
    signed_out = [sso.domain.mapper.to_domain_event(n) for n in sso.domain.recorder.select_notifications(
        1, 10**7, topics=["events.audit:SignIn.Created"])]
    assert any(e.outcome == "signed_out" and e.user_id == user_id for e in signed_out)
    assert leaks(sso.env, [claims["sid"], "sub-kari-4711", claims["jti"]]) == []


def test_a_front_channel_logout_ends_the_session_its_sid_names(sso, provider, recorder):
    with httpx.Client(follow_redirects=False) as at_provider:
        client, _ = sign_in(sso, "sub-kari-4711", at_provider)
        other, _ = sign_in(sso, "sub-mona-4713")
        recorder.tokens.clear()
        sign_out_at_provider(provider.issuer, at_provider)
    # The provider's sid, as a provider with only a front channel gives it in the browser's URL.
    sid = json.loads(base64.urlsafe_b64decode(recorder.tokens[0].split(".")[1] + "=="))["sid"]
    browser = sso.client()
    assert browser.get("/logg-inn/oidc/utlogging", params={"iss": "http://elsewhere", "sid": sid}).status_code == 400
    assert browser.get("/logg-inn/oidc/utlogging", params={"iss": provider.issuer}).status_code == 400
    assert browser.get("/logg-inn/oidc/utlogging", params={"iss": provider.issuer, "sid": "x"}).status_code == 200
    assert signed_in(client)
    assert browser.get("/logg-inn/oidc/utlogging", params={"iss": provider.issuer, "sid": sid}).status_code == 200
    assert not signed_in(client) and signed_in(other)


def test_a_sub_only_logout_token_ends_every_session_of_the_subject(sso, provider):
    first, _ = sign_in(sso, "sub-kari-4711")
    second, _ = sign_in(sso, "sub-kari-4711")
    other, _ = sign_in(sso, "sub-mona-4713")
    assert post_logout(sso, provider.sign(logout_claims(provider, sub="sub-kari-4711"),
                                          typ="logout+jwt")).status_code == 200
    assert not signed_in(first) and not signed_in(second)
    assert signed_in(other)


def test_a_logout_token_naming_an_unknown_session_ends_nothing(sso, provider):
    client, _ = sign_in(sso, "sub-kari-4711")
    unknown = post_logout(sso, provider.sign(logout_claims(provider, sid="a-session-nobody-has")))
    assert unknown.status_code == 200  # nothing to end is no error for the provider
    unknown_sub = post_logout(sso, provider.sign(logout_claims(provider, sub="sub-nobody")))
    assert unknown_sub.status_code == 200
    assert signed_in(client)


@pytest.mark.parametrize("fault", ["signature", "foreign_key", "aud", "iss", "events", "event_not_object",
                                   "nonce", "no_sid_or_sub", "no_jti", "no_iat", "old", "future", "typ", "none"])
def test_a_bad_logout_token_is_refused_and_ends_nothing(sso, provider, fault):
    client, _ = sign_in(sso, "sub-kari-4711")
    claims = logout_claims(provider, sub="sub-kari-4711")  # if it were accepted, it would end the session
    header = {}
    if fault == "aud":
        claims["aud"] = "another-client"
    elif fault == "iss":
        claims["iss"] = "http://127.0.0.1:1"
    elif fault == "events":
        del claims["events"]
    elif fault == "event_not_object":
        claims["events"] = {oidc.LOGOUT_EVENT: "yes"}
    elif fault == "nonce":
        claims["nonce"] = "n-0S6_WzA2Mj"  # an ID token, not a logout token
    elif fault == "no_sid_or_sub":
        del claims["sub"]
    elif fault in ("no_jti", "no_iat"):
        del claims[fault.removeprefix("no_")]
    elif fault == "old":
        claims["iat"] = int(time.time()) - oidc.LOGOUT_TOKEN_SECONDS - 2 * oidc.LEEWAY
    elif fault == "future":
        claims["iat"] = int(time.time()) + 10 * oidc.LEEWAY
    elif fault == "typ":
        header["typ"] = "JWT"
    token = provider.sign(claims, **header)
    if fault == "signature":
        head, body, signature = token.split(".")
        token = f"{head}.{body}.{signature[:-6]}AAAAAA"
    elif fault == "foreign_key":
        token = _signed_by_another_key(token)
    elif fault == "none":
        head = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=").decode()
        token = f"{head}.{token.split('.')[1]}."
    refused = post_logout(sso, token)
    assert refused.status_code == 400, fault
    assert signed_in(client)
    assert post_logout(sso, "").status_code == 400


def _signed_by_another_key(token: str) -> str:
    """The token's header and claims, signed with a key that is not the provider's
    (under the provider's kid, as a forger would name it)."""
    from authlib.jose import JsonWebKey, jwt

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    return jwt.encode(header, claims, key).decode()


def test_logout_tokens_signed_with_rotated_keys_are_checked_without_a_restart(sso, provider):
    client, _ = sign_in(sso, "sub-kari-4711")
    refused = post_logout(sso, provider.sign(logout_claims(provider, sub="nobody"), kid="a-key-nobody-has"))
    assert refused.status_code == 400  # an unknown key; the app fetched the keys again to be sure
    fetched = time.monotonic()
    provider.restart()  # a new signing key, which the app has not seen
    # Within a few seconds of the last fetch it does not fetch again (anyone can post a token
    # naming an unknown key): the token with the new key is refused for now...
    token = provider.sign(logout_claims(provider, sub="sub-kari-4711"))
    if time.monotonic() - fetched < oidc.JWKS_REFRESH_SECONDS - 1:  # (unless the restart was slow)
        assert post_logout(sso, token).status_code == 400
        assert signed_in(client)
    # ... and accepted once that interval is over.
    time.sleep(oidc.JWKS_REFRESH_SECONDS + 0.5)
    assert post_logout(sso, provider.sign(logout_claims(provider, sub="sub-kari-4711"))).status_code == 200
    assert not signed_in(client)


def test_a_session_begun_at_the_provider_still_ends_at_its_absolute_lifetime(sso):
    client, _ = sign_in(sso, "sub-mona-4713")
    store = sso.app.state.sessions
    real, began = store.clock, time.time()
    try:
        # In use all day, never idle for long: it lasts until the absolute lifetime, not a moment more.
        for later in range(0, sessions.ABSOLUTE_SECONDS, sessions.IDLE_SECONDS // 2):
            store.clock = lambda: began + later
            assert signed_in(client), later
        store.clock = lambda: began + sessions.ABSOLUTE_SECONDS + 1
        assert client.get("/").headers["location"] == "/logg-inn"
    finally:
        store.clock = real


def test_an_account_deactivated_at_the_provider_is_refused_even_with_a_session_there(sso, provider):
    with httpx.Client(follow_redirects=False) as at_provider:
        client, answer = sign_in(sso, "sub-olav-4715", at_provider)
        assert answer.headers["location"] == "/"
        provider.set_account("sub-olav-4715", active=False)
        try:
            # The provider still has her session, but her account is gone there: no way back in.
            again, back = start(sso, "sub-olav-4715", at_provider)
            assert back == "refused:403"  # asked to sign in again at the provider, and refused there
            assert again.get("/").headers["location"] == "/logg-inn"
        finally:
            provider.set_account("sub-olav-4715", active=True)


def test_an_admin_rejects_a_waiting_sign_in_and_the_next_sign_in_is_refused(sso):
    _, answer = sign_in(sso, "sub-nils-4714")
    assert "Venter på godkjenning" in answer.text
    admin = sso.login("admin")
    link = dom(admin.get("/admin/innlogginger").text).one("main ul a")["href"]
    form = admin.get(link).text
    rejected = admin.post(link + "/avvis", data={"csrf_token": csrf_of(form)})
    assert rejected.status_code == 303
    page = dom(admin.get("/admin/innlogginger").text)
    assert "Ingen venter." in page.text
    assert "Nils Ventersen" in page.one("main ul").text  # under Avvist, the only list left
    # The rejection is an event, made by the admin, naming the subject only by a blind index.
    sso.projections.wait()
    assert leaks(sso.env, ["Nils Ventersen", "sub-nils-4714"]) == []
    # Her next sign-in is refused, and says so without telling anything else.
    client, again = sign_in(sso, "sub-nils-4714")
    assert again.status_code == 403 and "avvist tilgangen din" in again.text
    assert "Nils" not in again.text and "ukjent-gruppe" not in again.text
    assert client.get("/").headers["location"] == "/logg-inn"
    # Approved after all from the rejected list: in at the next sign-in.
    form = admin.get(link).text
    assert not dom(form).has("form[action$='/avvis']")
    approved = admin.post(link, data={"role": "staff", "unit_id": str(sso.ids["units"]["solsikken"]),
                                      "service": "", "csrf_token": csrf_of(form)})
    assert approved.status_code == 303
    listing = admin.get("/admin/innlogginger").text
    assert "Ingen er avvist." in listing and "Nils Ventersen" in listing
    _, last = sign_in(sso, "sub-nils-4714")
    assert last.headers["location"] == "/"


def test_the_rejection_is_recorded_as_the_admins_event(sso):
    sign_in(sso, "sub-nils-4714")
    admin = sso.login("admin")
    link = dom(admin.get("/admin/innlogginger").text).one("main ul a")["href"]
    admin.post(link + "/avvis", data={"csrf_token": csrf_of(admin.get(link).text)})
    admin.post(link + "/avvis", data={"csrf_token": csrf_of(admin.get(link).text)})  # a second click: no second event
    events = sso.domain.recorder.select_notifications(1, 10**7, topics=["events.audit:SignInRequestRejected.Created"])
    assert len(events) == 1
    stored = sso.domain.mapper.to_domain_event(events[0])
    assert stored.username_index == sso.domain.blind_index("oidc:sub-nils-4714")
    assert stored.actor_id == sso.ids["users"]["admin"]
