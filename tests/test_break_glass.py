"""Break-the-glass in the web: a granted view is plainly read-only, says until
when, refuses a change with a reason, and ends at expiry (issue 27, item 3)."""

from __future__ import annotations

import time
from datetime import datetime

from events.base import acting_as
from events.clock import OSLO
from tests.factories import give_consent
from tests.htmltree import dom
from tests.webclient import csrf_of

REASON = "Barnet er hos oss i dag, mor ringte om henting"
# The only forms a read-only page has: the header's sign-out and the footer's languages.
PAGE_FORMS = {"/logg-ut", "/konto/sprak"}


def oslo_clock(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, OSLO).strftime("%H.%M")


def glass(web, client, path: str) -> set[str]:
    """Break the glass for `path` as the banner must then say it: the possible expiry times."""
    refused = client.get(path)
    assert refused.status_code == 404 and dom(refused.text).has("form[action='/nodtilgang']")
    before = time.time()
    granted = client.post("/nodtilgang", data={"csrf_token": csrf_of(refused.text), "path": path, "reason": REASON})
    after = time.time()
    assert granted.status_code == 303 and granted.headers["location"] == path
    return {oslo_clock(before + 3600), oslo_clock(after + 3600)}


def test_a_break_the_glass_view_is_read_only_and_says_until_when(web):
    staff = web.login("staff")
    concern_id, school_child = web.concerns["other"], web.child_in("fjordvikskole")
    teacher = web.ids["users"]["laerer"]
    with acting_as(teacher):
        consent_id = give_consent(web.domain, school_child, ["ppt"], recorded_by=teacher)
    web.projections.wait()
    until = glass(web, staff, f"/bekymringer/{concern_id}")
    # The grant on the concern opens the records it is about, each read-only.
    for url in (f"/bekymringer/{concern_id}", f"/barn/{school_child}", f"/henvisninger/{web.referrals['other']}",
                f"/samtykker/{consent_id}"):
        page = staff.get(url)
        assert page.status_code == 200, url
        doc = dom(page.text)
        banner = doc.one("main .read-only")
        assert any(f"Nødtilgang, kun lesing, utløper kl. {t}" in banner.text for t in until), (url, banner.text)
        assert {form.get("action") for form in doc.select("form")} == PAGE_FORMS, url
        assert not doc.has("[hx-post]"), url
        assert not doc.has("a[href$='/samtykke']"), url  # no way to the consent form either
        # Nothing of hers: her own list is not where she is.
        assert not doc.has("nav [aria-current]"), url
    # In English too.
    staff.post("/konto/sprak", data={"csrf_token": csrf_of(page.text), "language": "en", "next": "/"})
    page = dom(staff.get(f"/bekymringer/{concern_id}").text)
    assert any(f"Emergency access, read only, expires at {t.replace('.', ':')}" in page.one("main .read-only").text
               for t in until)


def test_a_change_under_break_the_glass_is_refused_with_the_reason(web):
    staff = web.login("staff")
    concern_id = web.concerns["other"]
    glass(web, staff, f"/bekymringer/{concern_id}")
    page = staff.get(f"/bekymringer/{concern_id}").text
    for headers in ({}, {"HX-Request": "true"}):
        write = staff.post(f"/bekymringer/{concern_id}/logg", headers=headers, data={
            "csrf_token": csrf_of(page), "version": "1", "observed_on": "2026-01-05", "text": "Skal ikke lagres"})
        # The status the policy gives, and a page that says why.
        assert write.status_code == 404
        doc = dom(write.text)
        # The whole page, or for htmx the message alone for the page's error place.
        assert "kun lesing" in doc.one("strong" if headers else "h1").text.lower()
        assert "Nødtilgangen gjelder bare lesing" in write.text
        assert not doc.has("form[action='/nodtilgang']")
        assert doc.has(f"a[href='/bekymringer/{concern_id}']")
    assert "Skal ikke lagres" not in staff.get(f"/bekymringer/{concern_id}").text


def test_a_break_the_glass_view_ends_at_expiry(web):
    staff = web.login("staff")
    concern_id = web.concerns["other"]
    child_id = web.domain.get_concern(concern_id).child_id
    glass(web, staff, f"/bekymringer/{concern_id}")
    assert staff.get(f"/bekymringer/{concern_id}").status_code == 200
    # The same grant, now ending in a second (the store's own clock decides).
    web.app.state.grants.grant(web.ids["users"]["pedleder"], [concern_id, child_id], minutes=1 / 60)
    time.sleep(1.2)
    htmx = {"HX-Request": "true", "HX-Current-URL": f"https://testserver/bekymringer/{concern_id}"}
    for headers in ({}, htmx):
        ended = staff.get(f"/bekymringer/{concern_id}", headers=headers)
        # The ordinary refusal, with the offer to ask again (for htmx: a link to the
        # page, which offers it): no stale read-only page.
        assert ended.status_code == 404
        assert dom(ended.text).has("form[action='/nodtilgang']" if not headers
                                   else f"a[href='/bekymringer/{concern_id}']")
        assert "kun lesing" not in ended.text and "Kom uten matpakke" not in ended.text
