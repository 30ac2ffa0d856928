"""Administration through the pages: every change is an event that names the admin."""

from __future__ import annotations

import re

from tests.htmltree import dom, field_error
from tests.webclient import PASSWORD, csrf_of


def user_events(domain, user_id):
    return [
        e for e in (domain.mapper.to_domain_event(n) for n in domain.recorder.select_notifications(1, 10_000))
        if e.originator_id == user_id
    ]


def test_role_change_reset_and_deactivation_are_events_by_the_admin(web):
    admin = web.login("admin")
    admin_id = web.ids["users"]["admin"]
    laerer = web.ids["users"]["laerer"]
    teacher = web.login("laerer")
    page = admin.get(f"/admin/brukere/{laerer}").text
    assert "Kontaktlærer" in page
    token = csrf_of(page)

    # A unit role without a unit is refused next to the field, with the choice kept.
    bad = admin.post(f"/admin/brukere/{laerer}/rolle", data={"role": "unit_leader", "unit_id": "", "csrf_token": token})
    assert bad.status_code == 422 and "Velg enhet" in field_error(dom(bad.text), "unit_id")
    assert dom(bad.text).one("select[name=role] option[selected]")["value"] == "unit_leader"

    school = web.ids["units"]["fjordvikskole"]
    ok = admin.post(f"/admin/brukere/{laerer}/rolle", data={"role": "unit_leader", "unit_id": str(school), "csrf_token": token})
    assert ok.status_code == 303
    assert web.domain.get_user(laerer).role == "unit_leader"

    reset = admin.post(f"/admin/brukere/{laerer}/passord", data={"csrf_token": token})
    temporary = re.search(r'<code class="secret">([^<]+)</code>', reset.text).group(1)
    # The reset ends the teacher's session at once; the old password no longer works.
    assert teacher.get("/").headers["location"] == "/logg-inn"
    again = web.client()
    assert web.post_form(again, "/logg-inn", {"username": "laerer", "password": PASSWORD}).status_code == 422
    assert web.post_form(again, "/logg-inn", {"username": "laerer", "password": temporary}).status_code == 303
    assert again.get("/").headers["location"] == "/konto/passord"

    assert admin.post(f"/admin/brukere/{laerer}/deaktiver", data={"csrf_token": token}).status_code == 303
    assert again.get("/konto/passord").headers["location"] == "/logg-inn"
    assert admin.post(f"/admin/brukere/{laerer}/aktiver", data={"csrf_token": token}).status_code == 303

    changes = [e for e in user_events(web.domain, laerer) if type(e).__name__ != "Created"]
    assert [type(e).__name__ for e in changes] == ["RoleAssigned", "PasswordSet", "Deactivated", "Reactivated"]
    assert {e.actor_id for e in changes} == {admin_id}


def test_a_new_user_form_keeps_the_values_and_shows_each_error(web):
    admin = web.login("admin")
    token = csrf_of(admin.get("/admin/brukere/ny").text)
    response = admin.post("/admin/brukere/ny", data={
        "username": "Ugyldig Navn", "name": "", "title": "Lærer", "role": "staff", "unit_id": "",
        "service": "", "csrf_token": token,
    })
    assert response.status_code == 422
    form = dom(response.text)
    assert form.one("input[name=username]")["value"] == "Ugyldig Navn"
    assert form.one("input[name=title]")["value"] == "Lærer"
    for name, message in (("username", "Brukernavn: små bokstaver"), ("name", "Skriv inn fullt navn."),
                          ("unit_id", "Velg enhet.")):
        assert message in field_error(form, name)
    taken = admin.post("/admin/brukere/ny", data={
        "username": "styrer", "name": "Ny Styrer", "role": "admin", "csrf_token": token,
    })
    assert "Brukernavnet er i bruk." in taken.text


def test_the_user_list_is_paginated_and_shows_no_case_data(web):
    admin = web.login("admin")
    page = admin.get("/admin/brukere").text
    assert len(dom(page).select("a[href^='/admin/brukere/']")) >= 14
    assert "Neste side" not in page
    assert "/barn/" not in page
