"""The privacy officer's queue and the guardians' access report (issue 27, items 5
and 6): her own review reads are logged but never feed her queue; the queue is
grouped by user and rule, and a group is reviewed with one comment; break-the-
glass has a rule of its own; the report leads with a summary per person, and
every reason is translated."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from uuid import UUID

import pytest

from events.audit import Access
from events.base import acting_as
from events.policy import Basis
from intranet import demo_data
from projections.access_log import AccessLogProjection
from projections.config import ReadModelConfig
from projections.live import ProjectionRunner
from projections.registry import construct_view
from tests.htmltree import dom
from tests.webclient import Web, csrf_of

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def night(env, demo_copy):
    """The demo app with every hour after office hours (BEKYMRING_OFFICE_HOURS=0-0),
    so that every access the rules see is an anomaly whatever the time of the run."""
    copied_env, built = demo_copy  # `env` names the store; the copy has the demo's KEK
    with Web({**copied_env, "BEKYMRING_OFFICE_HOURS": "0-0"}, built=built) as web:
        yield web


def open_anomalies(web) -> int:
    web.projections.wait()
    row = web.projections["access_log"].view.fetchone("SELECT COUNT(*) AS n FROM {anomalies} WHERE reviewed = 0")
    return row["n"]


def anomalies_of(web, user_id) -> list[dict]:
    web.projections.wait()
    return web.projections["access_log"].view._rows(  # noqa: SLF001
        "SELECT * FROM {anomalies} WHERE user_id = ? ORDER BY at", (str(user_id),))


def stored_events(web, qualname: str) -> list:
    read = (web.domain.mapper.to_domain_event(n) for n in web.domain.recorder.select_notifications(1, 100_000))
    return [e for e in read if type(e).__qualname__ == qualname]


def person(username: str) -> dict:
    return next(u for u in demo_data.USERS if u["username"] == username)


def staff_looks_at(web, client, child, times: int) -> None:
    for _ in range(times):
        assert client.get(f"/barn/{child}").status_code == 200
    web.projections.wait()  # the queue is read from the access log, which follows a moment later


def break_glass(web, client, child) -> None:
    refused = client.get(f"/barn/{child}")
    granted = client.post("/nodtilgang", data={"csrf_token": csrf_of(refused.text), "path": f"/barn/{child}",
                                               "reason": "Barnet er hos oss i dag, mor ringte om henting"})
    assert granted.status_code == 303


# -- item 5: her own reads do not feed her queue ------------------------------------------------
def test_the_privacy_officers_reads_are_logged_but_raise_no_anomaly(domain):
    config = ReadModelConfig(office_hours=(0, 0), max_children_per_hour=2)  # every hour is after hours
    unit = domain.register_unit("Fjordvik skole", "skole")
    officer = domain.register_user("pvo", "Kari Berg", "Personvernombud", "privacy_officer", None, None, "h")
    children = [domain.register_child(f"Barn{i}", "Berg", date(2015, 1, 1), unit) for i in range(4)]
    with acting_as(officer):
        domain.record_access(officer, "privacy_officer", None, children, ["child.name"], "audit",
                             "gjennomgang av avvik", "s", [Basis("privacy_officer")] * len(children))
        domain.record_access(officer, "privacy_officer", None, children[:1], ["child.name", "access_log"], "print",
                             "innsyn i logg", "s", [Basis("privacy_officer")] * len(children[:1]))
    runner = ProjectionRunner(domain, [AccessLogProjection], config=config)
    runner.catch_up()
    view = runner["access_log"].view
    assert len(view.by_child(children[0], "2000", "9999", 0, 100)) == 2  # recorded, as every read
    assert view.fetchall("SELECT * FROM {anomalies}") == []  # after hours, many children, same surname: none


def test_paging_the_queue_and_opening_a_group_does_not_grow_it(night):
    staff = night.login("staff")
    staff_looks_at(night, staff, night.child_in("solsikken"), 2)
    before = open_anomalies(night)
    assert before > 0
    officer = night.login("privacy_officer")
    for _ in range(2):
        queue = officer.get("/personvern")
        assert queue.status_code == 200
        officer.get("/personvern?side=2")
        for link in re.findall(r'href="(/personvern/avvik\?[^"]+)"', queue.text)[:3]:
            assert officer.get(link.replace("&amp;", "&")).status_code == 200
        officer.get(f"/personvern/barn/{night.child_in('solsikken')}")
        officer.get(f"/personvern/barn/{night.child_in('solsikken')}/innsyn")
    assert open_anomalies(night) == before


# -- item 5: break-the-glass is its own rule --------------------------------------------------
def test_accesses_under_a_break_the_glass_grant_raise_its_own_rule(night):
    staff = night.login("staff")
    school_child = night.child_in("fjordvikskole")
    break_glass(night, staff, school_child)
    staff_looks_at(night, staff, school_child, 5)
    rules = [a["rule"] for a in anomalies_of(night, night.ids["users"]["pedleder"]) if a["child_id"] == str(school_child)]
    # The grant and the five views under it: break-the-glass each time, not
    # "outside the unit" and "after hours" five times over.
    assert rules == ["break_glass"] * 6
    queue = dom(night.login("privacy_officer").get("/personvern").text)
    row = next(r for r in queue.select("tbody tr") if "Nødtilgang" in r.text)
    assert person("pedleder")["name"] in row.text and "6" in [c.text for c in row.select("td")]


# -- item 5: grouped by user and rule, reviewed a group at a time ----------------------------
def group_row(page_html: str, name: str, rule_name: str):
    rows = [r for r in dom(page_html).select("tbody tr") if name in r.text and rule_name in r.text]
    assert len(rows) == 1, [r.text for r in dom(page_html).select("tbody tr")]
    return rows[0]


def test_the_queue_groups_by_user_and_rule_with_count_and_first_and_last_time(night):
    staff = night.login("staff")
    staff_looks_at(night, staff, night.child_in("solsikken"), 3)
    officer = night.login("privacy_officer")
    mine = [a for a in anomalies_of(night, night.ids["users"]["pedleder"])
            if a["rule"] == "after_hours" and not a["reviewed"]]
    row = group_row(officer.get("/personvern").text, person("pedleder")["name"], "Innsyn utenfor arbeidstid")
    cells = [c.text for c in row.select("td")]
    assert str(len(mine)) in cells
    assert len(row.select("time")) == 2  # the first and the last time
    assert row.select("time")[0]["datetime"] <= row.select("time")[1]["datetime"]


def test_a_group_is_reviewed_with_one_comment_as_one_event_naming_who_and_when(night):
    staff = night.login("staff")
    child = night.child_in("solsikken")
    staff_looks_at(night, staff, child, 3)
    officer = night.login("privacy_officer")
    link = group_row(officer.get("/personvern").text, person("pedleder")["name"],
                     "Innsyn utenfor arbeidstid").one("a[href^='/personvern/avvik']")["href"]
    group_page = officer.get(link)
    assert group_page.status_code == 200
    in_group = len([a for a in anomalies_of(night, night.ids["users"]["pedleder"])
                    if a["rule"] == "after_hours" and not a["reviewed"]])
    form = dom(group_page.text).one("form[action='/personvern/avvik']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    # Looked at after the page was shown: not part of what she reviews.
    staff_looks_at(night, staff, child, 1)
    before = open_anomalies(night)
    done = officer.post("/personvern/avvik", data={**fields, "comment": "Foreldremøte på kvelden, avklart med styrer."})
    assert done.status_code == 303
    assert open_anomalies(night) == before - in_group  # nothing new from looking, the later one stays
    later = [a for a in anomalies_of(night, night.ids["users"]["pedleder"]) if a["rule"] == "after_hours"]
    assert [a["reviewed"] for a in later].count(0) == 1
    reviews = stored_events(night, "AnomaliesReviewed.Created")
    assert len(reviews) == 1
    review = reviews[0]
    assert (review.user_id, review.rule, review.reviewed_by) == (
        night.ids["users"]["pedleder"], "after_hours", night.ids["users"]["personvern"])
    assert review.timestamp is not None and review.comment == "Foreldremøte på kvelden, avklart med styrer."
    reviewed = officer.get("/personvern?vis=gjennomgatt").text
    row = group_row(reviewed, person("pedleder")["name"], "Innsyn utenfor arbeidstid")
    assert "Foreldremøte på kvelden, avklart med styrer." in row.text
    assert person("personvern")["name"] in row.text and str(in_group) in [c.text for c in row.select("td")]


def test_a_review_without_a_comment_keeps_the_page_and_says_why_beside_the_field(night):
    staff = night.login("staff")
    staff_looks_at(night, staff, night.child_in("solsikken"), 1)
    officer = night.login("privacy_officer")
    link = group_row(officer.get("/personvern").text, person("pedleder")["name"],
                     "Innsyn utenfor arbeidstid").one("a[href^='/personvern/avvik']")["href"]
    form = dom(officer.get(link).text).one("form[action='/personvern/avvik']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    before = open_anomalies(night)
    refused = officer.post("/personvern/avvik", data={**fields, "comment": "   "})
    assert refused.status_code == 422
    page = dom(refused.text)
    assert "Skriv en kommentar" in page.one("#comment-error").text
    assert page.one("textarea[name=comment]")["aria-describedby"] == "comment-error"
    assert open_anomalies(night) == before
    assert stored_events(night, "AnomaliesReviewed.Created") == []


def test_a_group_reviewed_meanwhile_by_someone_else_says_so(night):
    staff = night.login("staff")
    staff_looks_at(night, staff, night.child_in("solsikken"), 1)
    officer = night.login("privacy_officer")
    link = group_row(officer.get("/personvern").text, person("pedleder")["name"],
                     "Innsyn utenfor arbeidstid").one("a[href^='/personvern/avvik']")["href"]
    form = dom(officer.get(link).text).one("form[action='/personvern/avvik']")
    fields = {i["name"]: i.get("value", "") for i in form.select("input")}
    assert officer.post("/personvern/avvik", data={**fields, "comment": "Avklart."}).status_code == 303
    again = officer.post("/personvern/avvik", data={**fields, "comment": "Avklart igjen."})
    assert again.status_code == 409 and "Ingen avvik igjen i denne gruppen." in again.text
    assert len(stored_events(night, "AnomaliesReviewed.Created")) == 1


# -- the read model's version -------------------------------------------------------------------
def test_an_access_log_built_by_an_older_version_is_built_again(domain, monkeypatch):
    unit = domain.register_unit("Fjordvik skole", "skole")
    user = domain.register_user("kari", "Kari Strand", "Lærer", "staff", unit, None, "h")
    child = domain.register_child("Liv", "Berg", date(2015, 1, 1), unit)
    with acting_as(user):
        domain.record_access(user, "staff", unit, [child], ["child.name"], "view", "", "s", [Basis("own_unit")])
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    view = runner["access_log"].view
    with view.transaction(commit=True) as c:  # a row only an older version's rules made
        c.execute(view.sql("INSERT INTO {anomalies} (id, access_id, at, user_id, child_id, rule, reviewed) "
                           "VALUES ('old', 'old', '2020', ?, ?, 'after_hours', 0)"), (str(user), str(child)))
        c.execute(f"UPDATE {view.version_table()} SET version = version - 1")
    fresh = construct_view(AccessLogProjection, domain)  # as a server starting
    assert fresh.position(domain.name) == 0  # dropped: it follows from event 1 again
    runner = ProjectionRunner(domain, [AccessLogProjection])
    runner.catch_up()
    view = runner["access_log"].view
    assert view.fetchall("SELECT * FROM {anomalies} WHERE id = 'old'") == []
    assert len(view.by_child(child, "2000", "9999", 0, 10)) == 1
    # The current version stays as it is.
    again = construct_view(AccessLogProjection, domain)
    assert again.position(domain.name) == runner["access_log"].view.position(domain.name) > 0


# -- item 6: the guardians' report --------------------------------------------------------------
def test_the_guardians_report_leads_with_a_summary_per_person_then_the_detail(web):
    child = web.child_in("solsikken")
    staff = web.login("staff")
    staff_looks_at(web, staff, child, 4)
    staff.get("/bekymringer/ny")  # the child in the form's list of children: "velg barn"
    web.projections.wait()
    officer = web.login("privacy_officer")
    page = dom(officer.get(f"/personvern/barn/{child}/innsyn").text)
    # The summary, one section per basis: the own unit's here.
    (own,) = [s for s in page.select("section.basis") if s.one("h3").text == "Egen enhet"]
    headers = [h.text for h in own.select("thead th")]
    assert headers == ["Hvem", "Rolle", "Enhet", "Antall", "Første gang", "Siste gang"]
    rows = [r for r in own.select("tbody tr") if person("pedleder")["name"] in r.text]
    assert len(rows) == 1  # one row per person and basis, however many times she looked
    cells = [c.text for c in rows[0].select("td")]
    hers = [r for r in web.projections["access_log"].view.by_child(child, "2000", "9999", 0, 1000)
            if r["user_id"] == str(web.ids["users"]["pedleder"])]
    assert len(hers) >= 5  # four views and the form's list of children
    assert cells[1:4] == ["Pedagogisk leder", "Solsikken barnehage", str(len(hers))]
    assert len(rows[0].select("time")) == 2
    # Then the detail, one row per access, with its basis too.
    tables = page.select("table")
    detail = [h.text for h in tables[-1].select("thead th")]
    assert "Grunnlag" in detail and "Formål" in detail
    assert len([r for r in tables[-1].select("tbody tr") if person("pedleder")["name"] in r.text]) == len(hers)
    assert "valg av barn" in tables[-1].text  # the reason "velg barn", as a reader says it


def test_a_break_the_glass_grant_and_the_pages_read_under_it_are_one_line_of_the_summary(web):
    staff = web.login("staff")
    school_child = web.child_in("fjordvikskole")
    break_glass(web, staff, school_child)
    staff_looks_at(web, staff, school_child, 2)
    web.projections.wait()
    page = dom(web.login("privacy_officer").get(f"/personvern/barn/{school_child}/innsyn").text)
    (glass,) = [s for s in page.select("section.basis") if s.one("h3").text.startswith("Nødtilgang med begrunnelse")]
    rows = [r for r in glass.select("tbody tr") if person("pedleder")["name"] in r.text]
    assert len(rows) == 1
    cells = [c.text for c in rows[0].select("td")]
    assert cells[2:4] == ["Solsikken barnehage", "3"]


def test_the_guardians_report_in_english_has_no_norwegian_reason_left(web):
    from tests.test_language import choose_language

    child = web.child_in("solsikken")
    staff = web.login("staff")
    staff_looks_at(web, staff, child, 1)
    staff.get("/bekymringer/ny")
    web.projections.wait()
    officer = web.login("privacy_officer")
    officer.get(f"/personvern/barn/{child}")  # "personvernombud"
    choose_language(web, officer, "en")
    for url in (f"/personvern/barn/{child}/innsyn", f"/personvern/barn/{child}"):
        text = officer.get(url).text
        for norwegian in ("velg barn", "personvernombud", "innsyn i logg", "gjennomgang av avvik", "Egen enhet"):
            assert norwegian not in text, (url, norwegian)
    assert "choosing a child" in officer.get(f"/personvern/barn/{child}/innsyn").text


def shown_reasons() -> set[str]:
    """Every reason a page gives its access event: the literal `reason` of each
    `Shown(...)` in the web code."""
    reasons = set()
    for path in (ROOT / "intranet").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Shown":
                given = [k.value for k in node.keywords if k.arg == "reason"] + node.args[3:4]
                for value in given:
                    assert isinstance(value, ast.Constant), f"{path.name}:{node.lineno}: reason is not a code"
                    reasons.add(value.value)
    return reasons


def test_every_access_reason_is_a_code_with_an_english_translation():
    from babel.messages.pofile import read_po

    from intranet.access_reasons import BASES, REASONS, RECORDS

    used = shown_reasons()
    assert used and used <= set(REASONS), sorted(used - set(REASONS))
    with (ROOT / "intranet/locale/en/LC_MESSAGES/messages.po").open("rb") as f:
        po = read_po(f, locale="en")
    assert REASONS[""] == ""  # a record's own page gives no reason: its basis says why
    for code, label in [*REASONS.items(), *BASES.items(), *RECORDS.items()]:
        if not code:
            continue
        message = po.get(label)
        assert message is not None and message.string and message.string != label, code


def test_a_page_giving_an_unknown_reason_or_kind_of_record_is_refused_where_it_is_written():
    from intranet.records import Shown

    with pytest.raises(ValueError, match="ukjent grunn"):
        Shown([UUID(int=1)], ["child.name"], "view", "ukjent grunn")
    with pytest.raises(ValueError, match="transfer.notes"):
        Shown([UUID(int=1)], ["child.name", "transfer.notes"])  # the report would leave it out


def test_the_report_names_a_transfer_form_among_what_was_seen(web):
    # The transfer form's kinds of record had no name, so the log and the report
    # left them out: "navn" alone for a page that showed the transfer form.
    staff = web.login("staff")
    assert staff.get(f"/overforinger/{web.transfers['own']}").status_code == 200
    assert staff.get("/overforinger").status_code == 200
    web.projections.wait()
    child = web.domain.get_transfer(web.transfers["own"]).child_id
    report = web.login("privacy_officer").get(f"/personvern/barn/{child}/innsyn").text
    assert "overføringsskjema" in report and "liste over overføringer" in report


def test_stored_reasons_and_the_break_the_glass_prefix_are_shown_translated():
    from intranet.access_reasons import reason_label
    from intranet.i18n import current_language

    token = current_language.set("en")
    try:
        assert reason_label("velg barn") == "choosing a child"
        assert reason_label("nødtilgang; Mor ringte") == "break-the-glass: Mor ringte"  # her words stay hers
        assert reason_label("") == ""
    finally:
        current_language.reset(token)


def test_the_access_event_holds_the_reason_code(web):
    staff = web.login("staff")
    staff.get("/bekymringer/ny")
    last = [e for e in stored_events(web, "Access.Created") if isinstance(e, Access.Created)][-1]
    assert last.reason == "velg barn"


def test_a_new_store_s_read_models_are_not_taken_for_an_older_version(domain, caplog):
    """The library marks a new tracking table with a `__migration__` row: that is no
    position an older version left, so nothing is dropped and nothing is said."""
    caplog.set_level("WARNING", logger="projections.registry")
    construct_view(AccessLogProjection, domain)
    again = construct_view(AccessLogProjection, domain)
    assert not again.built_by_another_version()
    assert "built by another version" not in caplog.text
