"""The web app over a real store: pages, fragments, health and static files."""

from __future__ import annotations

import dataclasses

import anyio.to_thread
import pytest
from starlette.datastructures import Secret
from starlette.testclient import TestClient

from events.application import Bekymring, NotFound
from events.errors import KeyConfigurationError
from intranet.app import create_app
from intranet.settings import Settings
from tests.htmltree import dom
from tests.webclient import Web


@pytest.fixture
def client(env):
    with TestClient(create_app(Settings.from_env(env))) as client:
        yield client


def register_units(client, *names):
    domain = client.app.state.domain
    for name in names:
        domain.register_unit(name, "skole")
    client.app.state.projections.wait()


def test_the_front_page_is_norwegian_and_lists_the_units_to_the_administrator(web):
    response = web.login("admin").get("/")
    assert response.status_code == 200
    doc = dom(response.text)
    assert doc.one("html")["lang"] == "nb"
    assert "Fra bekymring til handling" in response.text
    assert any("Fjordvik skole" in row.text for row in doc.select("tbody tr"))
    assert "Solsikken barnehage" in response.text
    assert "Logg ut" in response.text


def test_each_test_has_its_own_copy_of_the_demo_store(web, env, demo_stores, tmp_path):
    kind = "postgres" if "POSTGRES_SCHEMA" in env else "sqlite"
    written = web.file_concern("pedleder", "solsikken")
    web.login("admin")  # spends the admin's first recovery code in this copy
    assert web.domain.get_concern(written).id == written
    with demo_stores.copy(kind, tmp_path / "fresh") as (fresh_env, state):
        assert fresh_env != env
        assert state == web.built_state()
        fresh = Bekymring(env=fresh_env)
        try:
            assert fresh.get_concern(web.concerns["own"]).id == web.concerns["own"]
            with pytest.raises(NotFound):
                fresh.get_concern(written)
        finally:
            fresh.close()
        with Web(fresh_env, built=state) as other:
            other.login("admin")  # the same first code: unused in this copy


def test_a_plain_htmx_request_gets_only_the_fragment(web):
    client = web.login("staff")
    fragment = client.get("/", headers={"HX-Request": "true"})
    assert fragment.headers["Vary"] == "HX-Request"
    assert not dom(fragment.text).has("html")
    assert "Mine åpne bekymringer" in fragment.text
    boosted = client.get("/", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert dom(boosted.text).has("html")
    restore = client.get("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert dom(restore.text).has("html")


def test_health_reports_the_store_and_the_read_models(client, env):
    register_units(client, "Fjordvik skole")
    # Only ok / not ok without a sign-in or the token (tests/test_hardening.py).
    assert client.get("/health").json() == {"status": "ok"}
    client.app.state.settings = dataclasses.replace(client.app.state.settings, health_token=Secret("monitor"))
    body = client.get("/health", headers={"Authorization": "Bearer monitor"}).json()
    assert body["status"] == "ok"
    assert body["store"] == ("postgres" if "POSTGRES_SCHEMA" in env else "sqlite")
    assert body["position"] == 1
    assert body["projections"]["directory"] == {"position": 1, "behind": 0, "ok": True, "follows_here": True}


def test_the_threads_for_blocking_work_are_bounded_by_store(client, env):
    # SQLite's work holds the GIL in this process: more threads only fight for it.
    # PostgreSQL's threads wait on the network: keep many.
    tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == (40 if "POSTGRES_SCHEMA" in env else 2)
    assert Settings.from_env({**env, "BEKYMRING_WORKER_THREADS": "6"}).threads == 6


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/logg-inn"
    htmx = client.get("/", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"] == "/logg-inn"


def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/logg-inn").text
    css_url = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert css_url.startswith("/static/app.css?v=")
    response = client.get(css_url)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    htmx_url = page.split('<script src="')[1].split('"')[0]
    assert client.get(htmx_url).status_code == 200
    assert client.get("/static/htmx-LICENSE.txt").status_code == 200


def test_the_page_loads_no_inline_script(client):
    page = client.get("/logg-inn").text
    # Every <script> has a src: the CSP (coming with sessions) will forbid inline code.
    scripts = dom(page).select("script")
    assert scripts and all(s.get("src") and not s.text for s in scripts)


def test_the_app_will_not_start_without_a_kek(tmp_path):
    settings = Settings.from_env({"BEKYMRING_DATA_DIR": str(tmp_path)})
    with pytest.raises(KeyConfigurationError):
        with TestClient(create_app(settings)):
            pass  # pragma: no cover


def a_collaboration(web):
    """One across services, opened from the staff member's own concern (she sees it)."""
    from events.base import acting_as
    from tests.factories import give_consent

    domain, users = web.domain, web.ids["users"]
    concern = domain.get_concern(web.concerns["own"])
    with acting_as(users["styrer"]):
        domain.change_concern(concern.id, concern.version, users["styrer"], lambda c: c.set_level(2, "Samarbeid"))
        consent_id = give_consent(domain, concern.child_id, ["ppt"], information=["action_plan"])
        return domain.open_collaboration(concern.id, consent_id, [("ppt", None)], ["action_plan"],
                                         users["ppt"], users["styrer"])


def test_every_url_a_form_posts_to_answers_get_with_its_page(web):
    """Reloading after a failed post, or signing in again with a form's URL as the
    way back, asks for that URL with GET: it answers with its page (or leads to it),
    never 405 «Ikke tillatt»."""
    from uuid import uuid4

    from starlette.routing import Route

    from events.base import acting_as
    from tests.test_access_matrix import a_series
    from tests.test_case_bank import approved_case

    ids = web.ids
    _meeting, case_id = approved_case(web)  # an approved anonymous case, brought by the styrer
    with acting_as(ids["users"]["styrer"]):
        proposal_id = web.domain.propose_case(case_id, "Uten matpakke", "Et barn kommer uten matpakke.",
                                              ids["users"]["styrer"])
    values = {
        "concern_id": web.concerns["own"], "referral_id": web.referrals["own"], "consent_id": web.consent,
        "child_id": web.child_in("solsikken"), "request_id": uuid4(), "user_id": ids["users"]["pedleder"], "unit_id": ids["units"]["solsikken"],
        "case_id": case_id, "proposal_id": proposal_id, "meeting_id": web.meeting, "slug": "solsikken-barnehage",
        "transfer_id": web.transfers["own"], "action": "lagre", "decision": "godkjenn", "section": "veileder",
        "collaboration_id": a_collaboration(web),
        "item_id": web.projections["wheel"].view.in_year([str(ids["units"]["solsikken"])], 2030)[0]["id"],
        "series_id": a_series(web),
    }
    role_of = {"admin": "admin", "personvern": "privacy_officer", "ressursteam": "unit_leader", "perm": "unit_leader",
               "caseforslag": "unit_leader", "arshjul": "unit_leader", "oppfolging": "unit_leader"}
    clients = {}
    posted_to = [r.path for r in web.app.routes if isinstance(r, Route) and "POST" in r.methods]
    assert "/nodtilgang" in posted_to and "/henvisninger/{referral_id}/{action}" in posted_to
    for path in posted_to:
        role = role_of.get(path.split("/")[1], "staff")
        client = clients.get(role) or clients.setdefault(role, web.login(role))
        url = path.format(**values)
        first = client.get(url)
        assert first.status_code in (200, 303), (path, first.status_code)
        final = client.get(url, follow_redirects=True)
        assert final.status_code == 200, (path, [r.status_code for r in final.history], final.status_code)
        assert all(r.status_code != 405 for r in final.history)
