"""The programme's follow-up in the browser: the unit leader's page (/oppfolging),
the kommunalsjef's overview (/ledelse/oppfolging), and the staff's confirmation
that they have read the action guide (front page and /perm/del/veileder)."""

from __future__ import annotations

import re
from datetime import timedelta

from events import clock
from events.base import acting_as
from events.programme import plan_slug_for
from tests.htmltree import dom
from tests.webclient import csrf_of


def solsikken(web):
    return web.ids["units"]["solsikken"]


def test_the_unit_leader_appoints_key_persons_and_records_training(web):
    unit = solsikken(web)
    styrer = web.login("unit_leader")
    start = styrer.get("/oppfolging")
    assert start.status_code == 303 and start.headers["location"] == f"/oppfolging/{unit}"
    page = styrer.get(f"/oppfolging/{unit}")
    assert page.status_code == 200
    assert "Enheten har færre enn to nøkkelpersoner" in page.text
    token = csrf_of(page.text)
    # Someone of another unit is refused beside the field.
    refused = styrer.post(f"/oppfolging/{unit}/nokkelperson",
                          data={"csrf_token": token, "user_id": str(web.ids["users"]["laerer"])})
    assert refused.status_code == 422 and 'id="f-key-person-error"' in refused.text
    for username in ("pedleder", "barnehagelaerer"):
        done = styrer.post(f"/oppfolging/{unit}/nokkelperson",
                           data={"csrf_token": token, "user_id": str(web.ids["users"][username])})
        assert done.status_code == 303
    web.projections.wait()
    page = styrer.get(f"/oppfolging/{unit}").text
    assert "Ingrid Solberg" in page and "Jonas Aamodt" in page
    assert "Enheten har færre enn to nøkkelpersoner" not in page
    # A training without attendees is refused, the date kept.
    held_on = (clock.today() - timedelta(days=10)).isoformat()
    refused = styrer.post(f"/oppfolging/{unit}/opplaering",
                          data={"csrf_token": token, "kind": "follow_up", "held_on": held_on})
    assert refused.status_code == 422 and 'id="f-attendees-error"' in refused.text
    assert f'value="{held_on}"' in refused.text
    done = styrer.post(f"/oppfolging/{unit}/opplaering",
                       data={"csrf_token": token, "kind": "follow_up", "held_on": held_on,
                             "attendees": [str(web.ids["users"]["pedleder"]), str(web.ids["users"]["styrer"])]})
    assert done.status_code == 303
    page = styrer.get(f"/oppfolging/{unit}").text
    assert "Oppfølgingsdag" in page and "2 deltakere" in page
    # Ending one key person: the warning is back, the history keeps both.
    ended = styrer.post(f"/oppfolging/{unit}/avslutt",
                        data={"csrf_token": token, "user_id": str(web.ids["users"]["barnehagelaerer"])})
    assert ended.status_code == 303
    page = styrer.get(f"/oppfolging/{unit}").text
    assert "Enheten har færre enn to nøkkelpersoner" in page and "Avsluttet" in page


def test_another_units_leader_and_staff_are_refused(web):
    unit = solsikken(web)
    assert web.login("rektor").get(f"/oppfolging/{unit}").status_code == 403
    assert web.login("staff").get(f"/oppfolging/{unit}").status_code == 403
    assert web.login("municipal_leader").get("/oppfolging/6f1c1c1e-0000-4000-8000-000000000000").status_code == 404


def test_the_plan_is_started_as_a_draft_and_edited_in_the_binder(web):
    unit = solsikken(web)
    styrer = web.login("unit_leader")
    token = csrf_of(styrer.get(f"/oppfolging/{unit}").text)
    started = styrer.post(f"/oppfolging/{unit}/plan", data={"csrf_token": token})
    slug = plan_slug_for(unit)
    assert started.status_code == 303 and started.headers["location"] == f"/perm/{slug}/rediger"
    editor = styrer.get(f"/perm/{slug}/rediger").text
    assert "Hvordan skal kunnskapen spres og når?" in editor
    web.projections.wait()
    assert f'href="/perm/{slug}"' in styrer.get(f"/oppfolging/{unit}").text
    # The kommunalsjef does not start another unit's plan.
    leader = web.login("municipal_leader")
    token = csrf_of(leader.get(f"/oppfolging/{unit}").text)
    assert leader.post(f"/oppfolging/{unit}/plan", data={"csrf_token": token}).status_code == 403


def test_the_overview_flags_a_unit_with_one_key_person(web):
    unit = solsikken(web)
    with acting_as(web.ids["users"]["styrer"]):
        web.domain.appoint_key_person(unit, web.ids["users"]["pedleder"])
        web.domain.record_training(unit, "new_staff", clock.today(), [web.ids["users"]["pedleder"]])
    web.projections.wait()
    leader = web.login("municipal_leader")
    page = leader.get("/ledelse/oppfolging")
    assert page.status_code == 200
    row = next(r for r in dom(page.text).select("tr") if "Solsikken barnehage" in r.text)
    assert "Færre enn to" in row.text and "1" in row.text
    assert f'href="/oppfolging/{unit}"' in page.text
    assert "Oppfølgingsdag mangler" in row.text  # no follow-up day in the last six months
    assert web.login("unit_leader").get("/ledelse/oppfolging").status_code == 403


def test_a_staff_member_confirms_the_guide_and_a_new_version_asks_again(web):
    staff = web.login("staff")
    home = staff.get("/").text
    assert "Les den nye handlingsveilederen" in home and 'href="/perm/del/veileder"' in home
    section = staff.get("/perm/del/veileder").text
    version = re.search(r'name="version" value="([0-9a-f]{16})"', section).group(1)
    # A stale version (the guide changed since the page was shown) is not confirmed.
    stale = staff.post("/perm/del/veileder/lest", data={"csrf_token": csrf_of(section), "version": "0" * 16})
    assert stale.status_code == 409
    done = staff.post("/perm/del/veileder/lest", data={"csrf_token": csrf_of(section), "version": version})
    assert done.status_code == 303
    web.projections.wait()
    assert "Les den nye handlingsveilederen" not in staff.get("/").text
    assert "Du har bekreftet at du har lest denne versjonen" in staff.get("/perm/del/veileder").text
    # The kommunalsjef's overview counts her.
    overview = dom(web.login("municipal_leader").get("/ledelse/oppfolging").text)
    row = next(r for r in overview.select("tr") if "Solsikken barnehage" in r.text)
    assert "1 av 3 (33 %)" in row.text
    # A guide page published anew is a new version: she is asked again.
    slug = "handlingsveileder-niva-0"
    page = web.domain.get_page(slug)
    web.domain.edit_page(slug, page.latest["title"], page.latest["body"] + "\n\nNytt avsnitt.", "", page.latest["no"])
    web.domain.publish_page(slug)
    web.projections.wait()
    assert "Les den nye handlingsveilederen" in staff.get("/").text


def test_a_key_person_who_has_left_the_unit_no_longer_counts(web):
    unit = solsikken(web)
    with acting_as(web.ids["users"]["styrer"]):
        for username in ("pedleder", "barnehagelaerer"):
            web.domain.appoint_key_person(unit, web.ids["users"][username])
    web.domain.deactivate_user(web.ids["users"]["barnehagelaerer"])
    web.projections.wait()
    page = web.login("unit_leader").get(f"/oppfolging/{unit}").text
    assert "Enheten har færre enn to nøkkelpersoner" in page and "Har sluttet" in page
    row = next(r for r in dom(web.login("municipal_leader").get("/ledelse/oppfolging").text).select("tr")
               if "Solsikken barnehage" in r.text)
    assert "Færre enn to" in row.text


def test_the_overview_shows_monthly_activity_per_unit_from_the_releases(web):
    """Concerns and logbook entries per unit and month, as the statistics releases publish
    them (rounded to 5; a 0 shows as <5; a release from before units were counted, –)."""
    from events.statistics import StatisticsRelease

    unit = solsikken(web)
    first = clock.today().replace(day=1)
    last_month = (first - timedelta(days=1)).strftime("%Y-%m")
    month_before = ((first - timedelta(days=1)).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    web.domain.save(StatisticsRelease(
        kind="month", period=last_month, published_on=clock.today(), concerns={f"{last_month}|barnehage|1": 10},
        mentions={}, means={}, units={f"{last_month}|barnehage|{unit}|1": 10},
        log_entries={f"{last_month}|barnehage|{unit}": 5}))
    web.domain.save(StatisticsRelease(kind="month", period=month_before, published_on=clock.today(),
                                      concerns={f"{month_before}|skole|1": 5}, mentions={}, means={}))  # before units
    page = web.login("municipal_leader").get("/ledelse/oppfolging")
    assert page.status_code == 200
    table = dom(page.text).one("table#activity")
    rows = {r.one("th").text.strip(): [td.text.strip() for td in r.select("td")] for r in table.select("tbody tr")}
    assert rows["Solsikken barnehage"][-1] == "10 / 5"
    assert rows["Fjordvik skole"][-1] == "<5 / <5"
    if len(rows["Solsikken barnehage"]) > 1:
        assert rows["Solsikken barnehage"][-2] == "–"
    assert str(unit) not in table.text  # units by name, never an id on the page
