"""Who saw what: fail-closed recording on a failing store, the privacy officer's
views and queue, break-the-glass, restriction, two-person erasure."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from events.audit import Access, ErasureRequest
from events.base import acting_as
from events.errors import DomainError
from events.policy import Basis
from intranet import demo_data
from projections import access_log
from projections.access_log import OSLO, AccessLogProjection
from projections.config import ReadModelConfig
from projections.ledger import LedgerProjection, verify
from projections.live import ProjectionRunner
from tests.conftest import pg_connect
from tests.factories import five_children_seen_at_once
from tests.rawstore import events_table
from tests.webclient import csrf_of

ACCESS_TOPIC = "events.audit:Access.Created"


def name_of(web, child_id) -> str:
    data = demo_data.CHILDREN[web.ids["children"].index(child_id)]
    return f"{data['first_name']} {data['last_name']}"


def make_access_writes_fail(env) -> None:
    """A real store failure: the database itself refuses to store access events."""
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        schema = env["POSTGRES_SCHEMA"]
        with pg_connect(dbname=env["POSTGRES_DBNAME"]) as c:
            c.execute(f"""CREATE FUNCTION {schema}.refuse_access() RETURNS trigger AS $$
                BEGIN IF NEW.topic = '{ACCESS_TOPIC}' THEN RAISE EXCEPTION 'disk full'; END IF;
                RETURN NEW; END $$ LANGUAGE plpgsql""")
            c.execute(f"CREATE TRIGGER refuse_access BEFORE INSERT ON {events_table(env)} "
                      f"FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_access()")
    else:
        with sqlite3.connect(Path(env["BEKYMRING_DATA_DIR"]) / "bekymring.sqlite") as c:
            c.execute(f"""CREATE TRIGGER refuse_access BEFORE INSERT ON stored_events
                WHEN NEW.topic = '{ACCESS_TOPIC}' BEGIN SELECT RAISE(ABORT, 'disk full'); END""")


def test_nothing_is_shown_when_the_store_refuses_the_access_event(web, env):
    staff = web.login("staff")
    child = web.child_in("solsikken")
    urls = [f"/bekymringer/{web.concerns['own']}", f"/barn/{child}", "/barn", "/bekymringer",
            f"/henvisninger/{web.referrals['own']}/utskrift", f"/henvisninger/{web.referrals['own']}/eksport"]
    assert all(staff.get(u).status_code == 200 for u in urls)
    make_access_writes_fail(env)
    for url in urls:
        response = staff.get(url)
        assert response.status_code == 503, url
        assert name_of(web, child) not in response.text, url
        assert "Kom uten matpakke" not in response.text
        assert "kunne ikke logge" in response.text


def accesses(web) -> list:
    read = (web.domain.mapper.to_domain_event(n) for n in web.domain.recorder.select_notifications(1, 100_000))
    return [e for e in read if isinstance(e, Access.Created)]


def test_the_privacy_officer_sees_who_saw_a_child_but_not_the_content(web):
    staff = web.login("staff")
    child = web.child_in("solsikken")
    staff.get(f"/bekymringer/{web.concerns['own']}")
    web.projections.wait()
    officer = web.login("privacy_officer")
    page = officer.get(f"/personvern/barn/{child}").text
    staff_name = next(u["name"] for u in demo_data.USERS if u["username"] == "pedleder")
    assert staff_name in page and "bekymring" in page and "visning" in page
    assert "Kom uten matpakke" not in page  # metadata, never content
    by_user = officer.get(f"/personvern/bruker/{web.ids['users']['pedleder']}").text
    assert name_of(web, child) in by_user
    # Looking is itself recorded.
    assert accesses(web)[-1].action == "audit"
    # Content stays out of reach.
    assert officer.get(f"/bekymringer/{web.concerns['own']}").status_code == 404


def test_break_the_glass_opens_for_an_hour_and_lands_in_the_queue(web):
    staff = web.login("staff")
    school_child = web.child_in("fjordvikskole")
    refused = staff.get(f"/barn/{school_child}")
    assert refused.status_code == 404 and "Nødtilgang" in refused.text
    token = csrf_of(refused.text)
    short = staff.post("/nodtilgang", data={"csrf_token": token, "path": f"/barn/{school_child}", "reason": "trenger"})
    assert short.status_code == 422
    granted = staff.post("/nodtilgang", data={"csrf_token": token, "path": f"/barn/{school_child}",
                                             "reason": "Barnet er hos oss i dag, mor ringte om henting"})
    assert granted.status_code == 303 and granted.headers["location"] == f"/barn/{school_child}"
    page = staff.get(f"/barn/{school_child}")
    assert page.status_code == 200 and name_of(web, school_child) in page.text
    assert accesses(web)[-1].reason.startswith("nødtilgang")
    # Reading only: the grant does not let her change or file anything for that child.
    assert staff.get(f"/barn/{school_child}/samtykke").status_code == 404
    # A missing record answers the same 404 whatever the reason.
    missing = staff.post("/nodtilgang", data={"csrf_token": token, "path": f"/barn/{uuid4()}",
                                             "reason": "Barnet er hos oss i dag, mor ringte om henting"})
    assert missing.status_code == 404
    web.projections.wait()
    officer = web.login("privacy_officer")
    queue = officer.get("/personvern").text
    assert "Nødtilgang" in queue
    group = f"/personvern/avvik?bruker={web.ids['users']['pedleder']}&regel=break_glass"
    assert group.replace("&", "&amp;") in queue
    assert "mor ringte om henting" in officer.get(group).text


def test_a_review_of_one_anomaly_stored_before_reviews_took_a_group_still_applies(domain):
    # `AnomalyReview` events are no longer made, but stored ones replay: the
    # anomaly is reviewed, its group shrinks, and the review is listed.
    from events.audit import AnomalyReview

    config = ReadModelConfig(office_hours=(0, 0))
    five_children_seen_at_once(domain)
    runner = ProjectionRunner(domain, [AccessLogProjection], config=config)
    runner.catch_up()
    view = runner["access_log"].view
    first = view.queue(False, 0, 100)[-1]
    before = view.group(UUID(first["user_id"]), first["rule"])["count"]
    officer = uuid4()
    with acting_as(officer):
        domain.save(AnomalyReview(first["id"], "Sjekket med leder.", officer))
    runner.catch_up()
    assert first["id"] not in [r["id"] for r in view.queue(False, 0, 100)]
    after = view.group(UUID(first["user_id"]), first["rule"])  # None: the group was this one anomaly
    assert (after["count"] if after else 0) == before - 1
    (review,) = view.reviews(0, 10)
    assert (review["count"], review["reviewed_by"], review["rule"]) == (1, str(officer), first["rule"])
    projection = runner["access_log"]
    assert projection.unseal(review["comment_sealed"], f"review:{review['id']}") == "Sjekket med leder."


def test_the_rules_for_hours_many_children_and_surnames(domain):
    config = ReadModelConfig(office_hours=(0, 0), max_children_per_hour=3)  # every hour is after hours
    five_children_seen_at_once(domain)
    runner = ProjectionRunner(domain, [AccessLogProjection], config=config)
    runner.catch_up()
    rules = [r["rule"] for r in runner["access_log"].view.queue(False, 0, 100)]
    assert rules.count("after_hours") == 5
    assert rules.count("many_children") == 1  # once, when the fourth child was seen
    assert rules.count("same_surname") == 1  # Kari Strand looked at Barn0 Strand
    assert "outside_unit" not in rules


def test_many_children_in_an_hour_counts_across_restarts_and_late_events(domain):
    # The read model keeps each user's two latest hours, in memory and in {hourly}: a
    # restart, and an access stamped earlier than one already seen, must still count
    # what is stored; an access stamped before both is not counted.
    config = ReadModelConfig(max_children_per_hour=3)
    unit = domain.register_unit("Fjordvik skole", "skole")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    children = [domain.register_child(f"Barn{i}", f"Etternavn{i}", date(2015, 1, 1), unit) for i in range(8)]
    h1 = datetime(2026, 11, 2, 9, 15, tzinfo=timezone.utc)
    h2, h3, h4 = (h1 + timedelta(hours=n) for n in (1, 2, 3))

    def access(child: UUID, at: datetime) -> None:
        event = Access._create(Access.Created, id=uuid4(), user_id=user, role="staff", unit_id=unit,  # noqa: SLF001
                               subject_ids=[child], records=["child.name"], action="view", reason="", session="s",
                               bases=[["own_unit", None]])
        object.__setattr__(event._pending_events[0], "timestamp", at)  # noqa: SLF001 - backdated, not yet stored
        domain.save(event)

    with acting_as(user):
        for child, at in ((0, h2), (1, h1), (2, h1)):
            access(children[child], at)
        ProjectionRunner(domain, [AccessLogProjection], config=config).catch_up()
        # h2 already has child 0 stored; then h3, h4, and back to h3.
        for child, at in ((3, h2), (4, h2), (6, h2), (1, h3), (2, h3), (3, h4), (4, h3), (5, h3),
                          (3, h1), (4, h1)):  # h1 had two children; now it is too old to count
            access(children[child], at)
    runner = ProjectionRunner(domain, [AccessLogProjection], config=config)  # a new process: empty caches
    runner.catch_up()
    many = {(r["child_id"], r["at"][:13]) for r in runner["access_log"].view.queue(False, 0, 100)
            if r["rule"] == "many_children"}
    # The fourth child of h2 (counting the stored one) and of h3 (counting across h4),
    # not of h1.
    assert many == {(str(children[6]), h2.isoformat()[:13]), (str(children[5]), h3.isoformat()[:13])}
    stored = runner["access_log"].view.fetchall("SELECT hour, child_id FROM {hourly}")
    assert sorted((r["hour"], r["child_id"]) for r in stored) == sorted(
        [(local_hour(h3), str(children[c])) for c in (1, 2, 4, 5)] + [(local_hour(h4), str(children[3]))])


def test_an_hourly_table_from_before_keeps_only_the_two_latest_hours(domain, monkeypatch):
    # Before, {hourly} kept a row for every access of every hour; the first access
    # after an upgrade leaves only the user's two latest hours.
    unit = domain.register_unit("Fjordvik skole", "skole")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    child = domain.register_child("Liv", "Berg", date(2015, 1, 1), unit)
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    view = runner["access_log"].view
    old_hours = [local_hour(datetime.now(timezone.utc) - timedelta(hours=n)) for n in (9, 8, 7, 6)]
    with view.transaction(commit=True) as c:
        for hour in old_hours:
            c.execute(view.sql("INSERT INTO {hourly} (user_id, hour, child_id) VALUES (?, ?, ?)"),
                      (str(user), hour, str(uuid4())))
    with acting_as(user):
        domain.record_access(user, "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
    ProjectionRunner(domain, [AccessLogProjection]).catch_up()  # a new process: empty caches
    hours = sorted({r["hour"] for r in view.fetchall("SELECT hour FROM {hourly}")})
    assert len(hours) == 2 and hours[0] == old_hours[-1] and hours[1] > hours[0]


def test_an_access_read_from_its_plaintext_has_the_facts_of_the_decoded_event(domain, monkeypatch):
    # A rebuild reads an access's facts straight from its JSON (`facts_from_plaintext`);
    # live following decodes the event. Both must give the same rows and rules.
    unit = domain.register_unit("Fjordvik skole", "skole")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    a, b = (domain.register_child(n, "Berg", date(2015, 1, 1), unit) for n in ("Liv", "Ola"))
    with acting_as(user):
        domain.record_access(user, "staff", unit, [a, b, a], ["concern", "child.name"], "export", "Møte 3. mai", "s",
                             [Basis("own_unit")] * 3)
        domain.record_access(user, "privacy_officer", None, [b], ["child.name"], "audit", "", "s",
                             [Basis("privacy_officer")])
        domain.break_glass(user, "staff", [uuid4()], [a], "akutt", 30, "s")
    projection = AccessLogProjection(None, domain)
    stored = [n for n in domain.recorder.select_notifications(1, domain.position())
              if n.topic in (ACCESS_TOPIC, "events.audit:BreakGlass.Created")]
    assert len(stored) == 3

    def comparable(facts):  # sealing uses a fresh nonce: compare the reason opened
        return facts._replace(reason_sealed=projection.unseal(facts.reason_sealed, f"access:{facts.access_id}"))

    for n in stored:
        plaintext = domain.mapper.decrypt(n)
        expected = comparable(projection.facts(domain.mapper.to_domain_event(n)))
        portable = comparable(projection.portable(n.originator_id, n.originator_version, n.topic, plaintext))
        assert portable == expected
        if n.topic == ACCESS_TOPIC:
            assert comparable(projection.facts_from_plaintext(n.originator_id, plaintext)) == expected
    first = comparable(projection.facts_from_plaintext(stored[0].originator_id, domain.mapper.decrypt(stored[0])))
    assert first.children == (str(a), str(b)) and first.reason_sealed == "Møte 3. mai" and first.unit == str(unit)
    assert projection.facts_from_plaintext(stored[1].originator_id, domain.mapper.decrypt(stored[1])).unit is None
    # An event stored at another class version than the class's own is left to
    # the library, which upcasts it: a later one, and a version 1 event (stored
    # without `class_version`) once the class has moved on.
    plaintext = domain.mapper.decrypt(stored[0])
    assert b'"class_version":2' in plaintext
    later = plaintext.replace(b'"class_version":2', b'"class_version":3', 1)
    assert projection.facts_from_plaintext(stored[0].originator_id, later) is None
    monkeypatch.setattr(access_log, "ACCESS_VERSION", 3)
    assert projection.facts_from_plaintext(stored[0].originator_id, plaintext) is None


def test_an_access_stored_before_accesses_named_their_basis_still_replays(domain, monkeypatch):
    # Version 1 of `Access.Created` had no `bases`: the library upcasts it (no bases),
    # and the access log works the basis out as it did then.
    unit, other = domain.register_unit("Fjordvik skole", "skole"), domain.register_unit("Solsikken", "barnehage")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    own, outside = domain.register_child("Liv", "Berg", date(2015, 1, 1), unit), \
        domain.register_child("Ola", "Dahl", date(2015, 1, 1), other)
    with acting_as(user):
        old = Access._create(Access.Created, id=uuid4(), user_id=user, role="staff", unit_id=unit,  # noqa: SLF001
                             subject_ids=[own, outside], records=["child.name"], action="view", reason="",
                             session="s", bases=[])
    del old._pending_events[0].__dict__["bases"]  # noqa: SLF001 - as version 1 wrote it
    monkeypatch.setattr(Access.Created, "class_version", 1)
    domain.save(old)
    monkeypatch.undo()
    stored = [n for n in domain.recorder.select_notifications(1, domain.position()) if n.topic == ACCESS_TOPIC]
    plaintext = domain.mapper.decrypt(stored[-1])
    assert b"class_version" not in plaintext and b"bases" not in plaintext
    assert domain.repository.get(old.id).bases == []  # upcast
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    view = runner["access_log"].view
    assert {r["child_id"]: (r["basis"], r["basis_ref"]) for r in view.by_user(user, 0, 10)} == {
        str(own): ("own_unit", None), str(outside): ("outside_unit", None)}
    assert "outside_unit" in [a["rule"] for a in view.queue(False, 0, 10) if a["child_id"] == str(outside)]


def test_the_clock_hour_of_an_access_is_oslos_across_summer_time(domain):
    # `_clock` remembers its answer per UTC hour; Oslo's offset changes on the hour.
    projection = AccessLogProjection(None, domain)
    start, end = projection.hours
    spring, autumn = datetime(2026, 3, 28, 22, tzinfo=timezone.utc), datetime(2026, 10, 24, 22, tzinfo=timezone.utc)
    # From Saturday night to Monday evening: the change of offset, and weekday hours
    # where UTC and Oslo fall on different sides of 07 and 18.
    moments = [base + timedelta(minutes=m) for base in (spring, autumn) for m in range(0, 60 * 48, 17)]
    assert {a for at in moments for a in [projection._clock(at.isoformat())[1]]} == {True, False}  # noqa: SLF001
    moments.append(datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=2))))  # not in UTC
    for at in moments * 2:  # the second time from memory
        local = at.astimezone(OSLO)
        after_hours = local.weekday() >= 5 or not start <= local.hour < end
        assert projection._clock(at.isoformat()) == (local_hour(at), after_hours), at  # noqa: SLF001


def test_the_default_period_ends_on_oslos_today_on_a_server_in_utc(monkeypatch):
    # At 23:30 UTC it is already the next day in Oslo (events/clock.py): the night's
    # accesses must be inside the default period (they fell outside it while "today"
    # was the server's date).
    from starlette.requests import Request

    from events import clock
    from intranet import privacy

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 23, 23, 30, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(clock, "datetime", Frozen)
    start, end = privacy.period(Request({"type": "http", "query_string": b"", "headers": []}))
    assert end == date(2026, 11, 24) and start == date(2025, 11, 24)
    lo, hi = privacy.iso_bounds(start, end)
    assert lo <= "2026-11-23T23:30:00+00:00" < hi


def local_hour(at: datetime) -> str:
    return at.astimezone(OSLO).isoformat(timespec="hours")[:13]


def test_the_guardians_access_report_is_printable_and_recorded(web):
    child = web.child_in("solsikken")
    web.login("staff").get(f"/barn/{child}")
    web.projections.wait()
    officer = web.login("privacy_officer")
    report = officer.get(f"/personvern/barn/{child}/innsyn")
    assert report.status_code == 200
    assert "Innsyn i logg" in report.text and name_of(web, child) in report.text
    assert "Hvem (navn og rolle)" in report.text and "Pedagogisk leder" in report.text
    last = accesses(web)[-1]
    assert (last.action, last.reason, last.subject_ids) == ("print", "innsyn i logg", [child])


def test_a_restricted_child_is_refused_to_all_but_the_privacy_officer_with_the_reason(web):
    child = web.child_in("solsikken")
    officer = web.login("privacy_officer")
    page = officer.get(f"/personvern/barn/{child}").text
    officer.post(f"/personvern/barn/{child}/sperr", data={"csrf_token": csrf_of(page), "reason": "Skjult adresse (kode 6)"})
    staff, leader = web.login("staff"), web.login("unit_leader")
    for client in (staff, leader):
        for url in (f"/barn/{child}", f"/bekymringer/{web.concerns['own']}"):
            response = client.get(url)
            assert response.status_code == 403 and "sperret" in response.text, url
            assert name_of(web, child) not in response.text
    web.projections.wait()
    assert name_of(web, child) not in staff.get("/barn").text
    assert f"/bekymringer/{web.concerns['own']}" not in leader.get("/bekymringer/innboks").text
    # Break-the-glass does not open a restriction (and answers as for a missing record).
    refused = staff.post("/nodtilgang", data={"csrf_token": csrf_of(staff.get("/konto").text),
                                             "path": f"/barn/{child}", "reason": "Tjenstlig behov, akutt situasjon"})
    assert refused.status_code == 404
    assert "Barnet er sperret" in officer.get(f"/personvern/barn/{child}").text
    officer.post(f"/personvern/barn/{child}/opphev", data={"csrf_token": csrf_of(page), "reason": "Adressesperre opphevet"})
    assert staff.get(f"/barn/{child}").status_code == 200


def test_erasure_needs_the_privacy_officer_and_an_admin_and_keeps_the_log(web, env):
    child = web.child_in("solsikken")
    staff = web.login("staff")
    staff.get(f"/barn/{child}")
    officer = web.login("privacy_officer")
    page = officer.get(f"/personvern/barn/{child}").text
    officer.post(f"/personvern/barn/{child}/slett", data={"csrf_token": csrf_of(page),
                                                         "reason": "Oppbevaringstiden er ute (arkivplan 2026)"})
    web.projections.wait()
    assert staff.get(f"/barn/{child}").status_code == 200  # nothing happens before an admin confirms
    admin = web.login("admin")
    pending = admin.get("/admin/sletting").text
    assert "Oppbevaringstiden er ute" in pending and name_of(web, child) not in pending
    request_id = re.search(r'/admin/sletting/([0-9a-f-]{36})/bekreft', pending).group(1)
    assert admin.post(f"/admin/sletting/{request_id}/bekreft", data={"csrf_token": csrf_of(pending)}).status_code == 303
    # Pages say it is erased; read models purged what they derived.
    assert staff.get(f"/barn/{child}").status_code == 410
    erased = staff.get(f"/bekymringer/{web.concerns['own']}")
    assert erased.status_code == 410 and "slettet" in erased.text
    web.projections.wait()
    assert web.projections["directory"].view.children_in_unit(web.ids["units"]["solsikken"], 0, 100).count(child) == 0
    assert f"/bekymringer/{web.concerns['own']}" not in staff.get("/bekymringer").text
    # The access history keeps its metadata, and the tamper evidence still holds.
    log = officer.get(f"/personvern/barn/{child}").text
    assert "Innsynslogg for et slettet barn" in log and "visning" in log
    ledger = ProjectionRunner(web.domain, [LedgerProjection])
    ledger.catch_up()
    assert verify(web.domain, ledger["ledger"].view).ok


def test_the_requester_cannot_confirm_their_own_erasure(domain):
    unit = domain.register_unit("Fjordvik skole", "skole")
    child = domain.register_child("Ada", "Berg", date(2016, 1, 1), unit)
    officer = uuid4()
    request_id = domain.request_erasure(child, "Godkjent krav om sletting", officer)
    with pytest.raises(DomainError, match="cannot confirm"):
        domain.confirm_erasure(request_id, officer)
    assert domain.get_erasure_request(request_id).status == "requested"
    assert isinstance(domain.get_erasure_request(request_id), ErasureRequest)
    assert domain.get_child(child).name == "Ada Berg"
    domain.confirm_erasure(request_id, UUID(int=7))
    assert domain.is_erased(child)


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)
def test_each_childs_access_log_has_its_own_title_without_the_name(web):
    """Tabs and browser history tell the children apart by the reference already
    in the address, never by name (see docs/decisions.md)."""
    from tests.htmltree import dom

    officer = web.login("privacy_officer")
    titles = {}
    for child_id, data in list(zip(web.ids["children"], demo_data.CHILDREN))[:3]:
        title = dom(officer.get(f"/personvern/barn/{child_id}").text).one("title").text
        assert str(child_id)[:8] in title
        assert data["first_name"] not in title and data["last_name"] not in title
        titles[child_id] = title
    assert len(set(titles.values())) == 3
