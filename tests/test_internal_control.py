"""The personvernombud's internal control report (internkontroll, issue 31 item 6):
a month's (or a year's months') accesses by legal basis, anomalies raised and
reviewed, break-the-glass uses and erasures, counted in the access log with SQL
aggregates; counts of events about children below 5 shown as "<5" (a zero too),
her own reviews exact; no child named, so nothing recorded."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import UUID, uuid4

import pytest

from events import clock
from events.audit import grant_reason
from events.base import acting_as
from events.policy import BREAK_GLASS, CONSENT, OWN_UNIT, PRIVACY_OFFICER, REFUSED, STATUTORY, Basis
from intranet import internal_control
from projections.access_log import AccessLogProjection
from projections.live import ProjectionRunner
from projections.suppression import shown
from tests.htmltree import dom
from tests.test_language import choose_language
from tests.webclient import ROLE_USERS


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def municipality_at_work(domain, year: int) -> dict:
    """Several users at work in March of `year` on every kind of basis, a grant,
    a refused attempt, anomalies and reviews, erasures; and a little in April and
    February, which March must not count. Returns what March holds."""
    a = domain.register_unit("Solsikken barnehage", "barnehage")
    b = domain.register_unit("Fjordvik skole", "skole")
    kari = domain.register_user("kari", "Kari Nordmann", "Pedagogisk leder", "staff", a, None, "h")
    per = domain.register_user("per", "Per Hansen", "Barnehagelærer", "staff", a, None, "h")
    leader = domain.register_user("styrer", "Siri Dahl", "Styrer", "unit_leader", a, None, "h")
    bv = domain.register_user("bv", "Bo Vik", "Saksbehandler", "resource_team", None, "barnevern", "h")
    officer = domain.register_user("pvo", "Pia Ombud", "Personvernombud", "privacy_officer", None, None, "h")
    c1, c2, c3, c4, c5, c6 = (domain.register_child(f"Barn{i}", f"Etternavn{i}", date(2020, 1, 1), a)
                              for i in range(1, 7))
    d1 = domain.register_child("Elev", "Skolebarn", date(2015, 1, 1), b)
    consent = uuid4()

    def access(user, role, unit, children, bases, when, action="view", reason="", records=("child.name",)):
        with acting_as(user), clock.set_to(at(when)):
            domain.record_access(user, role, unit, children, list(records), action, reason, "s", bases)

    tuesday = f"{year}-03-10T10:00:00"  # 11.00 in Oslo, within office hours
    access(kari, "staff", a, [c1, c2, c3], [Basis(OWN_UNIT)] * 3, tuesday)  # one event, three children
    access(kari, "staff", a, [c1], [Basis(OWN_UNIT)], tuesday)
    access(per, "staff", a, [c4], [Basis(OWN_UNIT)], tuesday)
    access(leader, "unit_leader", a, [c5, c6], [Basis(OWN_UNIT)] * 2, tuesday)
    access(per, "staff", a, [c2], [Basis(CONSENT, consent)], tuesday)
    access(per, "staff", a, [c2], [Basis(CONSENT, consent)], f"{year}-03-11T10:00:00")
    access(bv, "resource_team", None, [c3], [Basis(STATUTORY)], tuesday)
    access(officer, "privacy_officer", None, [c1], [Basis(PRIVACY_OFFICER)], tuesday, "audit", "personvernombud")
    # Oslo's months: 00.30 on 1 March in Oslo is still February in UTC, 00.30 on 1 April is March in UTC.
    access(officer, "privacy_officer", None, [c1], [Basis(PRIVACY_OFFICER)], f"{year}-02-28T23:30:00", "audit",
           "personvernombud")
    access(officer, "privacy_officer", None, [c1], [Basis(PRIVACY_OFFICER)], f"{year}-03-31T22:30:00", "audit",
           "personvernombud")
    # The leader sees a school child on her own unit's basis (outside_unit), and Kari works on a Saturday.
    access(leader, "unit_leader", a, [d1], [Basis(OWN_UNIT)], tuesday)
    access(kari, "staff", a, [c1], [Basis(OWN_UNIT)], f"{year}-03-14T10:00:00")
    # Break-the-glass: a grant, two pages read under it, and an attempt refused (the child was restricted).
    with acting_as(kari), clock.set_to(at(f"{year}-03-12T09:00:00")):
        grant = domain.break_glass(kari, "staff", [d1], [d1], "Barnet er hos oss i dag", 60, "s")
    for minute in ("05", "10"):
        access(kari, "staff", a, [d1], [Basis(BREAK_GLASS, grant)], f"{year}-03-12T09:{minute}:00",
               reason=grant_reason(""))
    access(per, "staff", a, [c6], [Basis(REFUSED)], f"{year}-03-12T09:00:00", "break_glass", "Akutt",
           ["break_glass.refused"])
    # Reviews: Kari's break-the-glass in March, the leader's outside_unit in April.
    with acting_as(officer), clock.set_to(at(f"{year}-03-20T10:00:00")):
        domain.review_anomalies(kari, "break_glass", at(f"{year}-03-31T00:00:00"), "Akutt henting, i orden.", officer)
    with acting_as(officer), clock.set_to(at(f"{year}-04-02T10:00:00")):
        domain.review_anomalies(leader, "outside_unit", at(f"{year}-03-31T00:00:00"), "Feil barn, snakket med styrer.",
                                officer)
    # Erasures requested in March: one confirmed, one rejected, one still open; one more in April.
    with acting_as(officer), clock.set_to(at(f"{year}-03-16T10:00:00")):
        confirmed, rejected, _open = (domain.request_erasure(c, "Oppbevaringstiden er ute", officer)
                                      for c in (c4, c5, c6))
    admin = UUID(int=7)
    with acting_as(admin), clock.set_to(at(f"{year}-03-17T10:00:00")):
        domain.confirm_erasure(confirmed, admin)
        domain.reject_erasure(rejected, admin, "Saken er ikke avsluttet")
    # April, and February: not March's.
    access(kari, "staff", a, [c1], [Basis(OWN_UNIT)], f"{year}-04-07T10:00:00")
    access(kari, "staff", a, [c2], [Basis(OWN_UNIT)], f"{year}-02-10T10:00:00")
    with acting_as(kari), clock.set_to(at(f"{year}-04-08T09:00:00")):
        domain.break_glass(kari, "staff", [d1], [d1], "Igjen hos oss", 60, "s")
    with acting_as(officer), clock.set_to(at(f"{year}-04-09T10:00:00")):
        domain.request_erasure(c1, "Oppbevaringstiden er ute", officer)
    return {
        "bases": {OWN_UNIT: 9, CONSENT: 2, STATUTORY: 1, BREAK_GLASS: 2, PRIVACY_OFFICER: 2},
        # rule: (raised in March, of these reviewed by now)
        "anomalies": {"break_glass": (4, 3), "outside_unit": (1, 1), "after_hours": (1, 0)},
        "reviews": {"break_glass": 1},  # rule: reviews made in March
        "break_glass": {"granted": 1, "open": 0, "refused": 1},
        "erasures": {"requested": 1, "confirmed": 1, "rejected": 1},
    }


def march_counts(domain, year: int) -> dict:
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    lo, hi = internal_control.month_bounds(f"{year}-03")
    return runner["access_log"].view.control_counts(lo, hi)


def test_a_months_counts_are_the_events_made_in_it(domain):
    expected = municipality_at_work(domain, 2026)
    counts = march_counts(domain, 2026)
    assert {k: v for k, v in counts["bases"].items() if v} == expected["bases"]
    assert {k: v for k, v in counts["anomalies"].items() if v != (0, 0)} == expected["anomalies"]
    assert {k: v for k, v in counts["reviews"].items() if v} == expected["reviews"]
    assert counts["break_glass"] == expected["break_glass"]
    assert {k: v for k, v in counts["erasures"].items() if v} == expected["erasures"]


def test_another_month_counts_only_its_own(domain):
    municipality_at_work(domain, 2026)
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    view = runner["access_log"].view
    april = view.control_counts(*internal_control.month_bounds("2026-04"))
    assert {k: v for k, v in april["bases"].items() if v} == {OWN_UNIT: 1, PRIVACY_OFFICER: 1}
    assert april["break_glass"] == {"granted": 1, "open": 1, "refused": 0}
    assert {k: v for k, v in april["reviews"].items() if v} == {"outside_unit": 1}
    assert {k: v for k, v in april["erasures"].items() if v} == {"requested": 1}
    may = view.control_counts(*internal_control.month_bounds("2026-05"))
    assert not any(may["bases"].values()) and may["break_glass"] == {"granted": 0, "open": 0, "refused": 0}


def test_below_five_is_hidden_zero_included():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [None, None, None, 5, 12]


def test_the_period_is_a_closed_month_or_the_ended_months_of_a_year():
    today = date(2026, 12, 7)
    assert internal_control.months_of("", today) == ["2026-11"]  # the last full month
    assert internal_control.months_of("2026-03", today) == ["2026-03"]
    assert internal_control.months_of("2025", today) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert internal_control.months_of("2026", today) == [f"2026-{m:02d}" for m in range(1, 12)]  # not December yet
    for nonsense in ("2026-12", "2027-01", "2026-13", "x", "2026-3-1", "2027"):
        assert internal_control.months_of(nonsense, today) == ["2026-11"], nonsense
    lo, hi = internal_control.month_bounds("2026-03")
    assert (lo, hi) == ("2026-02-28T23:00:00+00:00", "2026-03-31T22:00:00+00:00")  # Oslo's midnights


# -- the page ------------------------------------------------------------------------------
def cells(page, key: str) -> list[str]:
    row = dom(page).one(f"tr[data-key={key}]")
    return [td.text.strip() for td in row.select("td")]


def test_the_page_shows_the_month_suppressed_and_records_no_access(web):
    municipality_at_work(web.domain, 2015)
    web.projections.wait()
    officer = web.login("privacy_officer")
    before = web.domain.position()
    response = officer.get("/personvern/internkontroll?periode=2015-03")
    assert response.status_code == 200
    page = response.text
    assert "Internkontroll" in page and "mar 2015" in page
    assert cells(page, "basis-own_unit") == ["9"]  # 5 or more: as counted
    # 1 to 4, and 0, look the same.
    assert cells(page, "basis-consent") == cells(page, "basis-statutory") == cells(page, "basis-receiving_unit") \
        == ["<5 færre enn 5"]
    assert cells(page, "glass-reviewed") == cells(page, "glass-refused") == ["<5 færre enn 5"]
    assert cells(page, "erasures-confirmed") == cells(page, "erasures-open") == ["<5 færre enn 5"]
    assert cells(page, "anomalies-break_glass-reviewed") == cells(page, "anomalies-after_hours-open") \
        == ["<5 færre enn 5"]
    # Her own work is shown as it is: one review of break-the-glass in March, none of the rest.
    assert cells(page, "reviews-break_glass") == ["1"] and cells(page, "reviews-outside_unit") == ["0"]
    # No total anywhere: one beside its parts would give a hidden part away.
    assert "I alt" not in page and "Sum" not in page
    # No child is named, so the page records no access.
    accesses = [n for n in web.domain.recorder.select_notifications(before + 1, 1000)
                if n.topic == "events.audit:Access.Created"]
    assert accesses == []
    assert "Barn1" not in page and "Elev" not in page
    # The rule is on the page, in plain words.
    assert "færre enn 5" in page and "vises som" in page


def test_a_year_shows_its_months_and_no_totals(web):
    municipality_at_work(web.domain, 2015)
    web.projections.wait()
    page = web.login("privacy_officer").get("/personvern/internkontroll?periode=2015").text
    headers = [th.text.strip() for th in dom(page).select("table#bases thead th")][1:]
    assert headers == ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"]
    assert dom(page).one("h1").text == "Internkontroll: 2015"
    assert cells(page, "basis-own_unit")[2] == "9" and len(cells(page, "basis-own_unit")) == 12
    assert "I alt" not in page and "Sum" not in page  # a year's total less its months would give a month away


def test_the_page_by_default_is_the_last_full_month_printable_and_in_english(web):
    officer = web.login("privacy_officer")
    page = officer.get("/personvern/internkontroll").text
    last = internal_control.months_of("", clock.today())[0]
    assert internal_control.month_label(last) in dom(page).one("h1").text
    tree = dom(page)
    assert tree.has("article.printable") and tree.has("form[method=get] select[name=periode]")
    assert tree.has('nav a[href="/personvern/internkontroll"][aria-current=page]')
    choose_language(web, officer, "en", "/personvern/internkontroll")
    english = officer.get("/personvern/internkontroll").text
    assert "Internal control" in english and "fewer than 5" in english and "færre" not in english


@pytest.mark.parametrize("role", [r for r in ROLE_USERS if r != "privacy_officer"])
def test_other_roles_are_refused(web, role):
    assert web.login(role).get("/personvern/internkontroll").status_code == 403
