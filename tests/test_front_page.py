"""The front page (`/`) shows each role its own work, and nobody else's: a unit
leader the unit's new concerns, deadlines passed and coming, reports to
barnevernet without confirmed receipt and coming meetings; staff their own open
concerns and the steps due; the privacy officer the queue and the erasure
requests; the kommunalsjef the coming meetings and the statistics. A child's
name on it is recorded as access before it is shown."""

from __future__ import annotations

from datetime import timedelta

from events import clock
from events.audit import Access
from events.base import acting_as
from tests.htmltree import dom
from tests.test_concerns import child_name


def late_concern(web, username="pedleder", days_ago=20):
    """A concern whose conversation with the guardians was due six days ago,
    with a measure to evaluate in five days."""
    author = web.ids["users"][username]
    today = clock.today()
    with acting_as(author):
        concern = web.domain.open_concern(web.child_in("solsikken"), author, today - timedelta(days=days_ago),
                                          "Kom sulten igjen", "", ["neglect"], 2)
        web.domain.add_measure(concern, 1, author, "Frokost i barnehagen", "Styrer",
                               today - timedelta(days=5), today + timedelta(days=5))
    web.projections.wait()
    return concern


def section(html: str, heading: str):
    """The front page's section under the heading `heading`."""
    for part in dom(html).select("main section"):
        if part.select("h2") and part.one("h2").text.strip() == heading:
            return part
    raise AssertionError(f"no section «{heading}»")


def accesses_by(web, username: str) -> list[Access.Created]:
    user = web.ids["users"][username]
    read = (web.domain.mapper.to_domain_event(n) for n in web.domain.recorder.select_notifications(1, 100_000))
    return [e for e in read if isinstance(e, Access.Created) and e.user_id == user]


def d(day) -> str:
    return day.strftime("%d.%m.%Y")


def test_the_unit_leader_sees_the_units_new_concerns_deadlines_reports_and_meetings(web):
    late = late_concern(web)
    today = clock.today()
    with acting_as(web.ids["users"]["pedleder"]):
        web.domain.send_referral(web.referrals["own"], today - timedelta(days=2), "post")
    web.projections.wait()
    page = web.login("unit_leader").get("/")
    assert page.status_code == 200
    html = page.text

    new = section(html, "Nye bekymringer")
    for key in ("own", "colleague"):
        assert new.select(f"a[href='/bekymringer/{web.concerns[key]}']"), key
    assert not dom(html).select(f"a[href='/bekymringer/{web.concerns['other']}']")  # the school's

    deadlines = section(html, "Frister")
    text = " ".join(deadlines.text.split())
    passed = today - timedelta(days=6)
    assert f"Frist gikk ut {d(passed)}" in text and f"Innen {d(passed)}" not in text
    assert f"Innen {d(today + timedelta(days=5))}" in text  # the measure's evaluation, coming
    assert deadlines.select(f"a[href^='/bekymringer/{late}#']")

    reports = section(html, "Meldinger til barnevernet uten bekreftet mottak")
    assert reports.select(f"a[href='/henvisninger/{web.referrals['own']}']")

    meetings = section(html, "Kommende møter i ressursteamet")
    assert meetings.select(f"a[href='/ressursteam/{web.meeting}']")

    # Every child named on the page was recorded as seen by the leader, before it was shown.
    seen = {s for e in accesses_by(web, "styrer") for s in e.subject_ids}
    assert web.child_in("solsikken") in seen
    assert child_name(web.child_in("solsikken"), web) in html


def test_another_units_leader_sees_none_of_it(web):
    late_concern(web)
    html = web.login("rektor").get("/").text
    for key in ("own", "colleague"):
        assert f"/bekymringer/{web.concerns[key]}" not in html
    assert f"/henvisninger/{web.referrals['own']}" not in html
    assert f"/ressursteam/{web.meeting}" not in html
    assert child_name(web.child_in("solsikken"), web) not in html
    assert section(html, "Nye bekymringer").select(f"a[href='/bekymringer/{web.concerns['other']}']")


def test_staff_see_their_own_open_concerns_and_steps_due_not_a_colleagues(web):
    late = late_concern(web)
    html = web.login("pedleder").get("/").text
    mine = section(html, "Mine åpne bekymringer")
    assert mine.select(f"a[href='/bekymringer/{web.concerns['own']}']")
    assert mine.select(f"a[href='/bekymringer/{late}']")
    assert f"/bekymringer/{web.concerns['colleague']}" not in html
    due = " ".join(section(html, "Frister").text.split())
    assert f"Frist gikk ut {d(clock.today() - timedelta(days=6))}" in due
    assert "Nye bekymringer" not in html and "Meldinger til barnevernet" not in html  # the leader's work

    colleague = web.login("barnehagelaerer").get("/").text
    assert f"/bekymringer/{web.concerns['colleague']}" in colleague
    assert f"/bekymringer/{web.concerns['own']}" not in colleague and f"/bekymringer/{late}" not in colleague


def test_the_privacy_officer_sees_the_queue_and_the_erasure_requests_without_names(web):
    child = web.child_in("fjordvikskole")
    officer = web.ids["users"]["personvern"]
    with acting_as(officer):
        web.domain.request_erasure(child, "Krav om sletting", officer)
    web.projections.wait()
    html = web.login("privacy_officer").get("/").text
    queue = " ".join(section(html, "Avvik til gjennomgang").text.split())
    size = web.projections["access_log"].view.queue_size()[0]
    assert f"{size} " in queue and section(html, "Avvik til gjennomgang").select("a[href='/personvern']")
    erasures = " ".join(section(html, "Sletteforespørsler").text.split())
    assert "1 venter på administratorens bekreftelse" in erasures
    assert child_name(child, web) not in html
    assert "Nye bekymringer" not in html
    assert accesses_by(web, "personvern") == []  # counts name no child: nothing for her own queue


def test_the_kommunalsjef_sees_coming_meetings_and_the_statistics_not_a_case(web):
    html = web.login("municipal_leader").get("/").text
    meetings = " ".join(section(html, "Kommende møter i ressursteamet").text.split())
    assert d(clock.today()) in meetings
    assert dom(html).select("main a[href='/ledelse/statistikk']")
    assert f"/ressursteam/{web.meeting}" not in html  # the meeting's cases are not hers
    for key in ("own", "colleague", "other"):
        assert f"/bekymringer/{web.concerns[key]}" not in html


def test_the_inbox_says_a_passed_deadline_has_passed(web):
    late_concern(web)
    passed = d(clock.today() - timedelta(days=6))
    text = " ".join(dom(web.login("unit_leader").get("/bekymringer/innboks").text).one("main").text.split())
    assert f"Frist gikk ut {passed}" in text
    assert f"Innen {passed}" not in text
    assert f"Innen {d(clock.today() + timedelta(days=14))}" in text  # today's concerns: still to come
