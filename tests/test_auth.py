"""Signing in and out, second factor, sessions, CSRF and security headers,
on the real app over each store."""

from __future__ import annotations

import re
import time
from datetime import date
from uuid import uuid4

import pytest

from events import totp
from events.application import Bekymring, NotFound
from events.audit import SignIn
from intranet import demo
from intranet.sessions import ABSOLUTE_SECONDS, IDLE_SECONDS
from tests.htmltree import dom
from tests.rawstore import leaks
from tests.webclient import PASSWORD, csrf_of


def sign_ins(domain) -> list:
    events = [domain.mapper.to_domain_event(n) for n in domain.recorder.select_notifications(1, 10_000)]
    return [e for e in events if isinstance(e, SignIn.Created)]


def test_a_wrong_password_keeps_the_username_and_says_nothing_more(web):
    client = web.client()
    response = web.post_form(client, "/logg-inn", {"username": "pedleder", "password": "feil"})
    assert response.status_code == 422
    assert "Feil brukernavn eller passord." in response.text
    assert dom(response.text).one("input[name=username]")["value"] == "pedleder"
    assert "feil" not in re.sub(r"Feil brukernavn", "", response.text).lower().split("<main")[1].split("</main>")[0].replace("field-error", "")
    unknown = web.post_form(client, "/logg-inn", {"username": "finnesikke", "password": "feil"})
    assert unknown.status_code == 422 and "Feil brukernavn eller passord." in unknown.text
    outcomes = [e.outcome for e in sign_ins(web.domain)]
    assert outcomes == ["failed", "failed"]


def test_failed_sign_ins_are_throttled_per_account(web):
    client = web.client()
    for _ in range(5):
        web.post_form(client, "/logg-inn", {"username": "laerer", "password": "feil"})
    blocked = web.post_form(client, "/logg-inn", {"username": "laerer", "password": PASSWORD})
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøk" in blocked.text
    # Another account from another address is not affected.
    assert web.login("styrer").get("/").status_code == 200
    assert "locked_out" in [e.outcome for e in sign_ins(web.domain)]


def test_the_audit_of_sign_ins_holds_no_username_in_clear(web, env):
    web.post_form(web.client(), "/logg-inn", {"username": "hemmelig.brukernavn", "password": "x"})
    assert leaks(env, ["hemmelig.brukernavn"]) == []


def test_sign_in_out_and_the_session_is_gone_on_the_server(web):
    client = web.login("staff")
    cookie = client.cookies.get("__Host-bk-session")
    assert client.get("/").status_code == 200
    response = client.post("/logg-ut", data={"csrf_token": csrf_of(client.get("/").text)})
    assert response.status_code == 303 and response.headers["location"] == "/logg-inn"
    # Replaying the old cookie does not work: the session ended on the server.
    replay = web.client()
    replay.cookies.set("__Host-bk-session", cookie)
    assert replay.get("/").headers["location"] == "/logg-inn"
    assert [e.outcome for e in sign_ins(web.domain)][-1] == "signed_out"


def test_the_session_id_is_new_at_every_sign_in(web):
    client = web.login("staff")
    first = client.cookies.get("__Host-bk-session")
    web.post_form(client, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    second = client.cookies.get("__Host-bk-session")
    assert first != second
    stale = web.client()
    stale.cookies.set("__Host-bk-session", first)
    assert stale.get("/").status_code == 303


def test_idle_and_absolute_timeouts(web):
    sessions = web.app.state.sessions
    real_clock = sessions.clock
    try:
        client = web.login("staff")
        start = time.time()
        sessions.clock = lambda: start + IDLE_SECONDS - 60
        assert client.get("/").status_code == 200  # active: the idle clock restarts
        sessions.clock = lambda: start + 2 * IDLE_SECONDS - 120
        assert client.get("/").status_code == 200
        sessions.clock = lambda: start + 3 * IDLE_SECONDS
        assert client.get("/").headers["location"] == "/logg-inn"

        sessions.clock = real_clock
        client = web.login("staff")
        start = time.time()
        t = start
        while t < start + ABSOLUTE_SECONDS - IDLE_SECONDS:
            t += IDLE_SECONDS - 60  # never idle for long...
            sessions.clock = lambda t=t: t
            assert client.get("/").status_code == 200
        sessions.clock = lambda: start + ABSOLUTE_SECONDS + 1
        assert client.get("/").headers["location"] == "/logg-inn"  # ...but 10 hours is the limit
    finally:
        sessions.clock = real_clock


def test_deactivation_ends_the_users_session_at_the_next_request(web):
    staff = web.login("staff")
    assert staff.get("/barn").status_code == 200
    web.domain.deactivate_user(web.ids["users"]["pedleder"])
    assert staff.get("/barn").headers["location"] == "/logg-inn"
    again = web.client()
    response = web.post_form(again, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    assert response.status_code == 422


def test_a_role_change_applies_at_the_next_request(web):
    staff = web.login("staff")
    school_child = web.child_in("fjordvikskole")
    assert staff.get(f"/barn/{school_child}").status_code == 404
    school = web.ids["units"]["fjordvikskole"]
    web.domain.assign_role(web.ids["users"]["pedleder"], "staff", school, None)
    assert staff.get(f"/barn/{school_child}").status_code == 200


def test_unsafe_requests_need_the_csrf_token(web):
    client = web.login("admin")
    token = csrf_of(client.get("/admin/enheter").text)
    data = {"name": "Fjordvik ungdomsskole", "kind": "skole"}
    assert client.post("/admin/enheter", data=data).status_code == 403
    assert client.post("/admin/enheter", data={**data, "csrf_token": "wrong"}).status_code == 403
    cross_site = client.post("/admin/enheter", data={**data, "csrf_token": token},
                             headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    other_origin = client.post("/admin/enheter", data={**data, "csrf_token": token},
                               headers={"Origin": "https://evil.example"})
    assert other_origin.status_code == 403
    web.projections.wait()
    assert "Fjordvik ungdomsskole" not in client.get("/admin/enheter").text
    # htmx sends the token in a header instead of a field.
    ok = client.post("/admin/enheter", data=data, headers={"X-CSRF-Token": token})
    assert ok.status_code == 303
    assert "Fjordvik ungdomsskole" in client.get("/admin/enheter").text


def test_the_sign_in_form_itself_is_protected(web):
    client = web.client()
    client.get("/logg-inn")
    response = client.post("/logg-inn", data={"username": "pedleder", "password": PASSWORD})
    assert response.status_code == 403


def test_privileged_roles_need_a_one_time_code(web):
    client = web.client()
    response = web.post_form(client, "/logg-inn", {"username": "personvern", "password": PASSWORD})
    assert response.headers["location"] == "/logg-inn/kode"
    # Half signed in: nothing else is reachable.
    assert client.get("/konto").headers["location"] == "/logg-inn/kode"
    wrong = web.post_form(client, "/logg-inn/kode", {"code": "000000"})
    assert wrong.status_code == 422 and "Koden stemmer ikke" in wrong.text
    code = totp.code_at(demo.DEMO_TOTP_SECRET, int(time.time() // totp.STEP))
    assert web.post_form(client, "/logg-inn/kode", {"code": code}).headers["location"] == "/"
    assert client.get("/konto").status_code == 200
    # The same code cannot be used again (replay).
    other = web.client()
    web.post_form(other, "/logg-inn", {"username": "personvern", "password": PASSWORD})
    assert web.post_form(other, "/logg-inn/kode", {"code": code}).status_code == 422


def test_enrolment_with_a_qr_code_then_sign_in_with_the_app(web):
    client = web.login("staff")
    page = client.get("/konto/totp").text
    assert dom(page).has("svg") and "QR-kode" in page
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', page).group(1)
    code = totp.code_at(secret, int(time.time() // totp.STEP))
    done = client.post("/konto/totp", data={"secret": secret, "code": code, "csrf_token": csrf_of(page)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{4}-[a-z0-9]{4})</code>", done.text)
    assert len(codes) == 10
    # From now on the user needs a code; a recovery code works once.
    again = web.client()
    assert web.post_form(again, "/logg-inn", {"username": "pedleder", "password": PASSWORD}).headers["location"] == "/logg-inn/kode"
    assert web.post_form(again, "/logg-inn/kode", {"code": codes[0]}).headers["location"] == "/"
    third = web.client()
    web.post_form(third, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    assert web.post_form(third, "/logg-inn/kode", {"code": codes[0]}).status_code == 422


def test_a_new_privileged_user_must_enrol_and_change_the_temporary_password(web):
    admin = web.login("admin")
    page = admin.get("/admin/brukere/ny").text
    created = admin.post("/admin/brukere/ny", data={
        "username": "ny.ombud", "name": "Nina Ombud", "title": "Personvernombud",
        "role": "privacy_officer", "unit_id": "", "service": "", "csrf_token": csrf_of(page),
    })
    assert created.status_code == 200
    temporary = re.search(r'<code class="secret">([^<]+)</code>', created.text).group(1)
    user = web.client()
    response = web.post_form(user, "/logg-inn", {"username": "ny.ombud", "password": temporary})
    assert response.headers["location"] == "/konto/totp"
    assert user.get("/").headers["location"] == "/konto/totp"
    page = user.get("/konto/totp").text
    secret = re.search(r'name="secret" value="([A-Z2-7]{32})"', page).group(1)
    code = totp.code_at(secret, int(time.time() // totp.STEP))
    assert user.post("/konto/totp", data={"secret": secret, "code": code, "csrf_token": csrf_of(page)}).status_code == 200
    # The temporary password must be replaced before anything else.
    assert user.get("/").headers["location"] == "/konto/passord"
    form = user.get("/konto/passord").text
    short = user.post("/konto/passord", data={"current": temporary, "new": "kort", "repeat": "kort", "csrf_token": csrf_of(form)})
    assert short.status_code == 422 and "minst 12 tegn" in short.text
    new = "en lang og god passordsetning"
    changed = user.post("/konto/passord", data={"current": temporary, "new": new, "repeat": new, "csrf_token": csrf_of(form)})
    assert changed.status_code == 303
    assert user.get("/").status_code == 200


def test_security_headers_on_real_responses(web):
    client = web.login("staff")
    response = client.get(f"/barn/{web.child_in('solsikken')}")
    assert response.status_code == 200
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "max-age" in headers["Strict-Transport-Security"]
    # The page's own markup has no inline script.
    scripts = dom(response.text).select("script")
    assert scripts and all(s.get("src") and not s.text for s in scripts)


def test_the_session_cookie_is_host_only_secure_and_httponly(web):
    client = web.client()
    response = web.post_form(client, "/logg-inn", {"username": "pedleder", "password": PASSWORD})
    cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie" and "bk-session" in v][0]
    assert cookie.startswith("__Host-bk-session=")
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
    assert "domain=" not in lowered


def test_error_pages_are_norwegian_and_reveal_nothing(web):
    client = web.login("staff")
    response = client.get("/admin/brukere")
    assert response.status_code == 403
    assert "Ingen tilgang" in response.text
    missing = client.get("/finnes-ikke")
    assert missing.status_code == 404 and "Finner ikke siden" in missing.text


def test_a_command_checks_its_unit_by_its_first_event_alone(env):
    # register_child and the other commands ask `check_unit`, which reads the
    # first stored event's topic (in clear): a unit made by another process is
    # found, and any other id is refused without decrypting its record, even a
    # child whose key was shredded.
    server, admin = Bekymring(env=env), Bekymring(env=env)
    try:
        first = admin.register_unit("Fjordvik skole", "skole")
        server.register_child("Liv", "Strand", date(2015, 6, 1), first)
        second = admin.register_unit("Vik barnehage", "barnehage")
        moved = server.register_child("Ola", "Berg", date(2016, 1, 2), second)
        assert server.get_child(moved).unit_id == second
        user_id = admin.register_user("liv", "Liv Lærer", "Lærer", "staff", first, None, "hash")
        admin.shred_subject(moved, "sletting godkjent")
        for not_a_unit in (uuid4(), user_id, moved):
            with pytest.raises(NotFound):
                server.register_child("Kari", "Dal", date(2016, 1, 2), not_a_unit)
    finally:
        server.close()
        admin.close()


def test_the_signed_in_user_is_read_current_even_when_another_process_changed_it(env):
    # Every request checks its user with `signed_in_user`, which keeps the user
    # between calls: a change made anywhere must still count at the next call.
    server, admin = Bekymring(env=env), Bekymring(env=env)
    try:
        unit = admin.register_unit("Fjordvik skole", "skole")
        user_id = admin.register_user("liv", "Liv Lærer", "Lærer", "staff", unit, None, "hash")
        first = server.signed_in_user(user_id)
        assert first.active and first.role == "staff"
        assert server.signed_in_user(user_id) is first  # kept, not read again
        admin.deactivate_user(user_id)
        assert not server.signed_in_user(user_id).active
        admin.reactivate_user(user_id)
        admin.assign_role(user_id, "unit_leader", unit, None)
        now = server.signed_in_user(user_id)
        assert now.active and now.role == "unit_leader"
        with pytest.raises(NotFound):
            server.signed_in_user(unit)  # a unit is not a user
    finally:
        server.close()
        admin.close()


# -- throttling without lock-outs (issue 28, item 6) ---------------------------------------------
def wrong_password(web, client, username="laerer"):
    return web.post_form(client, "/logg-inn", {"username": username, "password": "feil"})


def test_a_stranger_cannot_lock_the_user_out(web):
    stranger = web.client("203.0.113.66")
    for _ in range(30):
        assert wrong_password(web, stranger).status_code in (422, 429)
    # The user, from their own address, signs in at once.
    assert web.login("laerer", address="10.20.0.5").get("/").status_code == 200


def test_failures_slow_down_one_address_but_never_lock_it(web):
    throttle, client = web.app.state.throttle, web.client("10.20.0.7")
    now = time.time()
    throttle.clock = lambda: now
    try:
        for _ in range(3):  # a few mistakes cost nothing; after the third, a wait
            assert wrong_password(web, client).status_code == 422
        waiting = wrong_password(web, client)
        assert waiting.status_code == 429 and "Vent" in waiting.text
        # The wait grows with each failure, to a ceiling: never a lock.
        waits = []
        for _ in range(12):
            now += 31
            assert wrong_password(web, client).status_code == 422
            blocked = wrong_password(web, client)
            waits.append(int(blocked.headers["Retry-After"]))
        assert waits == sorted(waits) and waits[0] < waits[-1] <= 31
        now += 31
        right = web.post_form(client, "/logg-inn", {"username": "laerer", "password": PASSWORD})
        assert right.status_code == 303
    finally:
        throttle.clock = time.time


def test_the_one_time_code_has_its_own_counter(web):
    # Failed passwords (here from the user's own address) do not block the code step.
    home = "10.20.0.9"
    for _ in range(6):
        wrong_password(web, web.client(home), "admin")
    throttle = web.app.state.throttle
    now = time.time() + 60
    throttle.clock = lambda: now
    try:
        client = web.client(home)
        assert web.post_form(client, "/logg-inn", {"username": "admin", "password": PASSWORD}).status_code == 303
        for _ in range(3):
            assert web.post_form(client, "/logg-inn/kode", {"code": "000000"}).status_code == 422
        assert web.post_form(client, "/logg-inn/kode", {"code": "000000"}).status_code == 429
        now += 31
        code = demo.DEMO_RECOVERY_CODES[0]
        assert web.post_form(client, "/logg-inn/kode", {"code": code}).headers["location"] == "/"
    finally:
        throttle.clock = time.time


def test_one_address_trying_many_accounts_meets_a_generous_limit(web):
    from intranet.throttle import ADDRESS_LIMIT

    client = web.client("198.51.100.9")
    token = csrf_of(client.get("/logg-inn").text)
    for n in range(ADDRESS_LIMIT):
        response = client.post("/logg-inn", data={"username": f"bruker{n}", "password": "feil", "csrf_token": token})
        assert response.status_code == 422, n
    refused = client.post("/logg-inn", data={"username": "laerer", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 429 and "denne maskinen" in refused.text
    assert web.login("laerer", address="198.51.100.10").get("/").status_code == 200


def test_forwarded_for_is_believed_only_from_a_named_proxy(web):
    import dataclasses

    settings = web.app.state.settings
    try:
        web.app.state.settings = dataclasses.replace(settings, trusted_proxies=("10.99.0.0/24",))
        proxy = "10.99.0.1"
        # Behind our proxy: the stranger and the user are told apart by the address it adds.
        stranger = web.client(proxy)
        stranger.headers["X-Forwarded-For"] = "10.20.0.5, 203.0.113.66"  # the first entry is the stranger's own lie
        for _ in range(8):
            wrong_password(web, stranger)
        user = web.client(proxy)
        user.headers["X-Forwarded-For"] = "10.20.0.5"
        assert web.post_form(user, "/logg-inn", {"username": "laerer", "password": PASSWORD}).status_code == 303
        # From an address that is not a named proxy, the header is ignored.
        direct = web.client("203.0.113.70")
        for _ in range(8):
            wrong_password(web, direct)
        direct.headers["X-Forwarded-For"] = "10.20.0.6"
        assert wrong_password(web, direct).status_code == 429
    finally:
        web.app.state.settings = settings
