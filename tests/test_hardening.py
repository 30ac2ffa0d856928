"""What an attacker on the network tried (issue 28): malformed numbers, off-site
redirects, replayed forms, a public health check, cookies and files at rest.
Each on the real app over each store."""

from __future__ import annotations

import re

import pytest

from tests.rawstore import leaks
from tests.webclient import PASSWORD, csrf_of


def concern_form(web, client):
    url = f"/bekymringer/{web.concerns['own']}"
    page = client.get(url).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return url, csrf_of(page), version


# -- numbers in forms (item 8) -------------------------------------------------------------
HUGE = ["99999999999999999999", "9" * 5000, "-1", "1e3", "²", " 3", "0x10"]


@pytest.mark.parametrize("value", HUGE[:2])
def test_a_version_out_of_range_is_refused_with_a_message(web, value):
    client = web.login("staff")
    url, token, _ = concern_form(web, client)
    response = client.post(f"{url}/logg", data={
        "csrf_token": token, "version": value, "observed_on": "2026-01-05", "text": "Kom uten matpakke"})
    assert response.status_code in (400, 422)
    assert "Ugyldig" in response.text and "Traceback" not in response.text


def test_every_numeric_field_of_a_concern_is_range_checked(web):
    client = web.login("staff")
    url, token, version = concern_form(web, client)
    fields = {"logg": {}, "korriger": {"no": None}, "niva": {"level": None}, "korriger-samtale": {"no": None},
              "evaluer": {"no": None}}
    for action, numbers in fields.items():
        for value in HUGE:
            data = {"csrf_token": token, "version": version, "observed_on": "2026-01-05", "text": "x",
                    "reason": "x", "summary": "x", "outcome": "x", **{k: value for k in numbers}}
            response = client.post(f"{url}/{action}", data=data)
            # The field's own check (or the domain's) answers; never a server error.
            assert response.status_code in (303, 409, 422), (action, value[:20], response.status_code)
            data["version"] = value
            response = client.post(f"{url}/{action}", data=data)
            assert response.status_code == 400, (action, value[:20], response.status_code)
            assert "Ugyldig tall" in response.text
    for value in HUGE:
        new = web.post_form(client, "/bekymringer/ny", {"child_id": str(web.child_in("solsikken")),
                                                         "observed_on": "2026-01-05", "observation": "x",
                                                         "categories": "neglect", "worry": value})
        assert new.status_code == 422 and "Velg hvor bekymret du er." in new.text


def test_digits_that_are_not_ascii_are_refused_as_wrong(web):
    # "²".isdigit() is True, but int() and hmac.compare_digest refuse it.
    client = web.client()
    assert web.post_form(client, "/logg-inn", {"username": "admin", "password": PASSWORD}).status_code == 303
    response = web.post_form(client, "/logg-inn/kode", {"code": "²²²²²²"})
    assert response.status_code == 422 and "Koden stemmer ikke" in response.text


def test_numbers_in_query_strings_fall_back_quietly(web):
    client = web.login("staff")
    for value in HUGE:
        assert client.get("/bekymringer", params={"side": value}).status_code == 200
        assert client.get("/arshjul", params={"ar": value}).status_code in (200, 403)


# -- redirects (item 9) --------------------------------------------------------------------
OFF_SITE = ["/\\evil.example", "//evil.example", "https://evil.example/", "/ok\r\nSet-Cookie: x=1",
            "\\\\evil.example", "/%0d%0aX: y", "javascript:alert(1)", "", "/\t/evil.example"]


@pytest.mark.parametrize("htmx", [False, True])
def test_a_redirect_goes_only_to_a_path_of_this_site(web, htmx):
    client = web.client()
    token = csrf_of(client.get("/logg-inn").text)
    headers = {"HX-Request": "true"} if htmx else {}
    for target in OFF_SITE:
        response = client.post("/konto/sprak", data={"csrf_token": token, "language": "en", "next": target},
                               headers=headers)
        where = response.headers["HX-Redirect" if htmx else "location"]
        assert where == "/", (target, where)
    kept = client.post("/konto/sprak", data={"csrf_token": token, "language": "nb", "next": "/perm?side=2"},
                       headers=headers)
    assert kept.headers["HX-Redirect" if htmx else "location"] == "/perm?side=2"


def test_safe_local_path_decides_alone():
    from intranet.auth import local_path

    for target in OFF_SITE:
        assert local_path(target) == "/", target
    assert local_path("/bekymringer/ny#skjema") == "/bekymringer/ny#skjema"
    assert local_path(None, "/logg-inn") == "/logg-inn"


# -- a form posted twice (item 11) ---------------------------------------------------------
def test_the_new_concern_form_posted_twice_files_one_concern(web):
    client = web.login("staff")
    page = client.get("/bekymringer/ny").text
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_of(page), "form_key": key, "child_id": str(web.child_in("solsikken")),
            "observed_on": "2026-01-05", "observation": "Sulten igjen, tredje dag.", "categories": "neglect",
            "worry": "2"}
    before = len(web.domain.recorder.select_notifications(1, 100_000))
    first = client.post("/bekymringer/ny", data=data)
    again = client.post("/bekymringer/ny", data=data)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    created = [n.topic for n in web.domain.recorder.select_notifications(before + 1, 100_000)
               if n.topic.endswith("Concern.Created")]
    assert len(created) == 1, created
    # A fresh form gets a fresh key: a second, different concern is filed.
    fresh = client.get("/bekymringer/ny").text
    assert re.search(r'name="form_key" value="([^"]+)"', fresh).group(1) != key


def test_a_refused_form_keeps_its_key_and_can_be_sent_again(web):
    client = web.login("staff")
    page = client.get("/bekymringer/ny").text
    key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
    data = {"csrf_token": csrf_of(page), "form_key": key, "child_id": str(web.child_in("solsikken")),
            "observed_on": "2026-01-05", "observation": "", "categories": "neglect", "worry": "2"}
    refused = client.post("/bekymringer/ny", data=data)
    assert refused.status_code == 422
    assert re.search(r'name="form_key" value="([^"]+)"', refused.text).group(1) == key
    filed = client.post("/bekymringer/ny", data={**data, "observation": "Sulten igjen."})
    assert filed.status_code == 303


# -- health (item 13) ----------------------------------------------------------------------
def test_health_says_only_ok_to_strangers(web):
    body = web.client().get("/health")
    assert body.status_code == 200
    assert body.json() == {"status": "ok"}


def test_health_details_for_an_admin_or_with_the_token(web, env):
    admin = web.login("admin").get("/health").json()
    assert admin["store"] == ("postgres" if "POSTGRES_SCHEMA" in env else "sqlite")
    assert "position" in admin and "projections" in admin
    staff = web.login("staff").get("/health").json()
    assert staff == {"status": "ok"}


def test_health_details_with_the_configured_token(env, tmp_path):
    from starlette.testclient import TestClient

    from intranet.app import create_app
    from intranet.settings import Settings

    app = create_app(Settings.from_env({**env, "BEKYMRING_HEALTH_TOKEN": "s3cret-health-token-0123456789"}))
    with TestClient(app) as client:
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/health", headers={"Authorization": "Bearer wrong"}).json() == {"status": "ok"}
        detailed = client.get("/health", headers={"Authorization": "Bearer s3cret-health-token-0123456789"}).json()
        assert detailed["status"] == "ok" and "projections" in detailed and "store" in detailed
        header = client.get("/health", headers={"X-Health-Token": "s3cret-health-token-0123456789"}).json()
        assert "projections" in header


# -- cookies and secrets at rest (item 12) -------------------------------------------------
def test_the_csrf_cookie_before_sign_in_is_host_only(web):
    response = web.client().get("/logg-inn")
    cookie = [v for k, v in response.headers.multi_items() if k == "set-cookie" and "csrf" in v][0]
    assert cookie.startswith("__Host-bk-csrf=")
    lowered = cookie.lower()
    assert "secure" in lowered and "path=/" in lowered and "domain=" not in lowered
    # And the form signed with it is accepted.
    client = web.client()
    assert web.post_form(client, "/logg-inn", {"username": "pedleder", "password": "feil"}).status_code == 422


def test_the_sessions_store_keeps_no_csrf_token_in_clear(web, env):
    client = web.login("staff")
    token = csrf_of(client.get("/").text)
    assert leaks(env, [token]) == []
    # The token still works.
    assert client.post("/konto/sprak", data={"csrf_token": token, "language": "nb", "next": "/"}).status_code == 303


# -- a table locked elsewhere (item 10) ----------------------------------------------------
@pytest.mark.postgres
@pytest.mark.parametrize("env", ["postgres"], indirect=True)  # SQLite has no other server connection
def test_a_page_answers_503_soon_when_a_table_is_locked_elsewhere(web, env):
    import time

    from tests.conftest import pg_connect

    client = web.login("staff")
    url = f"/bekymringer/{web.concerns['own']}"
    assert client.get(url).status_code == 200
    with pg_connect(dbname=env["POSTGRES_DBNAME"]) as other:
        other.execute(f"LOCK TABLE {env['POSTGRES_SCHEMA']}.bekymring_events IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        response = client.get(url)
        took = time.monotonic() - started
        time.sleep(2.5)  # the read models' own reads meet the lock too (they poll each second)
        other.rollback()
    assert response.status_code == 503, response.status_code
    assert "Prøv igjen om litt" in response.text
    assert took < 5, took  # measured: about 1 s (the lock timeout)
    assert client.get(url).status_code == 200  # and it recovers when the lock goes
    web.file_concern("pedleder", "solsikken")
    web.projections.wait()
    assert all(p["ok"] for p in web.projections.status().values())  # paused, never stopped
    # Only the web server's requests have the timeouts; the CLI's long work (a rebuild) has none.
    from intranet.settings import Settings

    assert "lock_timeout" in web.domain.factory.datastore.pool.kwargs["options"]
    cli = Settings.from_env(env).open_domain()
    try:
        assert "options" not in cli.factory.datastore.pool.kwargs
    finally:
        cli.close()


def test_a_wrong_trusted_proxy_setting_stops_the_app_naming_it():
    from intranet.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="BEKYMRING_TRUSTED_PROXIES"):
        Settings.from_env({"BEKYMRING_TRUSTED_PROXIES": "10.0.0.1, proxy.example"})
    assert Settings.from_env({"BEKYMRING_TRUSTED_PROXIES": "10.0.0.1, 10.1.0.0/24"}).trusted_proxies == (
        "10.0.0.1/32", "10.1.0.0/24")
    assert Settings.from_env({}).trusted_proxies == ()
