"""Retention: the schedule's settings, the privacy officer's monthly list of what
is due (computed from the read model), keeping longer with a reason, and an
approval that is the erasure request an admin confirms, after which the child's
data is unreadable and the tamper evidence still holds."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest

from events import clock
from events.base import acting_as
from events.errors import RecordErased
from events.retention import DEFAULT_SCHEDULE, Period, Schedule
from intranet import demo
from intranet.demo_retention import load_retention_examples
from intranet.settings import Settings, SettingsError
from projections.ledger import LedgerProjection, verify
from projections.live import ProjectionRunner
from projections.retention import RetentionProjection
from tests.conftest import sqlite_env
from tests.htmltree import dom
from tests.webclient import csrf_of


# -- the schedule's settings ----------------------------------------------------------------------
def test_the_schedule_has_defaults_and_reads_periods_and_never(tmp_path, kek):
    env = sqlite_env(tmp_path, kek)
    assert Settings.from_env(env).retention == DEFAULT_SCHEDULE
    assert DEFAULT_SCHEDULE.concern_closed == Period(years=3)
    settings = Settings.from_env({**env, "BEKYMRING_RETENTION_CONCERN_CLOSED": "P18M",
                                  "BEKYMRING_RETENTION_CONCERN_REPORTED": "never",
                                  "BEKYMRING_RETENTION_SIGN_INS": "p90d"})
    assert settings.retention.concern_closed == Period(months=18)
    assert settings.retention.concern_reported is None
    assert settings.retention.sign_ins == Period(days=90)
    assert settings.retention.transfer == DEFAULT_SCHEDULE.transfer


@pytest.mark.parametrize("value", ["3", "3 years", "P", "P0D", "P0Y0M", "P200Y", "-P1Y", "P1Y2W", "PT5H", "aldri", ""])
def test_the_schedule_refuses_nonsense_naming_the_variable(tmp_path, kek, value):
    with pytest.raises(SettingsError, match="BEKYMRING_RETENTION_TRANSFER"):
        Settings.from_env({**sqlite_env(tmp_path, kek), "BEKYMRING_RETENTION_TRANSFER": value})


def test_a_period_counts_from_the_records_end_across_month_ends():
    assert Period(years=3).after(date(2023, 5, 2)) == date(2026, 5, 2)
    assert Period(months=1).after(date(2025, 1, 31)) == date(2025, 2, 28)
    assert Period(years=1, days=10).after(date(2024, 2, 29)) == date(2025, 3, 10)
    assert Period(years=3).before(date(2026, 5, 2)) == date(2023, 5, 2)
    assert Schedule(concern_closed=None).cutoffs(date(2026, 5, 2))["concern_closed"] is None


# -- what is due, from the read model --------------------------------------------------------------
def at(days_ago: int) -> datetime:
    return datetime.combine(clock.today() - timedelta(days=days_ago), time(10), clock.OSLO)


def concern_closed(domain, child_id, author, observed_days_ago: int, closed_days_ago: int | None) -> UUID:
    """A concern about the child, observed and (unless None) closed so many days ago."""
    with acting_as(author), clock.set_to(at(observed_days_ago)):
        concern = domain.open_concern(child_id, author, clock.today(), "Sliten.", "", ["neglect"], 1)
    if closed_days_ago is not None:
        with acting_as(author), clock.set_to(at(closed_days_ago)):
            domain.change_concern(concern, domain.get_concern(concern).version, author, lambda c: c.close("Fulgt opp"))
    return concern


def lists(domain, schedule=DEFAULT_SCHEDULE):
    runner = ProjectionRunner(domain, [RetentionProjection])
    runner.catch_up()
    view, today = runner["retention"].view, clock.today()
    cutoffs = schedule.cutoffs(today)
    due = [r["child_id"] for r in view.due(cutoffs, today.isoformat(), 0, 100)]
    held = [r["child_id"] for r in view.held_back(cutoffs, today.isoformat(), 0, 100)]
    return due, held


def test_a_concern_closed_without_action_is_due_only_past_its_time_and_every_record_counts(domain):
    unit = domain.register_unit("Solsikken barnehage", "barnehage")
    author = UUID(int=99)
    old, recent, held, open_one = (domain.register_child(n, "Berg", date(2018, 1, 1), unit)
                                   for n in ("Ada", "Bo", "Cia", "Dag"))
    concern_closed(domain, old, author, 1500, 1200)  # closed 1200 days ago: past three years
    concern_closed(domain, recent, author, 800, 700)  # closed 700 days ago: not yet
    concern_closed(domain, held, author, 1500, 1200)
    concern_closed(domain, held, author, 400, 100)  # the later one holds the child back
    concern_closed(domain, open_one, author, 1500, None)  # never closed: its clock has not started
    due, held_back = lists(domain)
    assert due == [str(old)]
    assert held_back == [str(held)]
    # The clock is the end, not the start: opened long ago, closed lately, not due.
    assert str(recent) not in due and str(open_one) not in due + held_back
    # A shorter period set by the municipality counts at once, without a rebuild.
    due, _ = lists(domain, Schedule(concern_closed=Period(years=1)))
    assert set(due) == {str(old), str(recent)}


def test_a_report_to_barnevernet_keeps_the_concern_for_its_own_period(web):
    domain, author = web.domain, web.ids["users"]["pedleder"]
    child = domain.register_child("Eli", "Moe", date(2018, 1, 1), web.ids["units"]["solsikken"])
    web.concerns["old"] = concern = concern_closed(domain, child, author, 1500, None)
    with clock.set_to(at(1490)):
        referral = web.open_referral("old", "barnevern", "pedleder")
        with acting_as(author):
            domain.send_referral(referral, clock.today(), "fiks")
    with acting_as(author), clock.set_to(at(1400)):
        domain.change_concern(concern, domain.get_concern(concern).version, author, lambda c: c.close("Meldt"))
    due, held = lists(domain)
    assert str(child) not in due + held  # ten years by default, not three
    due, _ = lists(domain, Schedule(concern_reported=Period(years=3)))
    assert str(child) in due


def test_the_demo_proposes_two_children_and_holds_one_back(domain):
    ids = demo.load(domain)
    vetle, noah, maja = load_retention_examples(domain, ids)
    due, held = lists(domain)
    assert due == [str(vetle), str(noah)] and held == [str(maja)]


# -- the privacy officer's page ----------------------------------------------------------------------
def section(html: str, heading: str) -> str:
    """The text of the page's section headed by `#heading`."""
    return dom(html).one(f"#{heading}").closest("section").text


def field(html: str, input_id: str):
    """The field (label, error, input) of the input `#input_id`."""
    return dom(html).one(f"#{input_id}").closest(".field")


def test_the_officer_keeps_one_longer_with_a_reason_and_approves_one_that_an_admin_erases(web, env):
    vetle, _noah, maja = load_retention_examples(web.domain, web.ids)
    web.projections.wait()
    officer = web.login("privacy_officer")
    page = officer.get("/personvern/oppbevaring")
    assert page.status_code == 200
    due = section(page.text, "due-h")
    assert "Vetle Aasen" in due and "Maja Strand" not in due
    held = section(page.text, "held-h")
    assert "Maja Strand" in held and "holdes tilbake av bekymring avsluttet uten melding" in held
    # The list named the children: each is an access in the child's own log.
    web.projections.wait()
    log = officer.get(f"/personvern/barn/{vetle}").text
    assert "gjennomgang av oppbevaringstid" in log

    # Keep longer, with no reason: the page again, the error beside the field, the date typed kept.
    until = (clock.today() + timedelta(days=365)).isoformat()
    refused = officer.post(f"/personvern/oppbevaring/{vetle}/behold",
                           data={"csrf_token": csrf_of(page.text), "reason": "", "until": until})
    assert refused.status_code == 422
    assert "Skriv hvorfor opplysningene skal beholdes lenger." in field(refused.text, f"f-reason-{vetle}").text
    assert dom(refused.text).one(f"#f-until-{vetle}")["value"] == until
    # A day already past: the reason typed stays.
    refused = officer.post(f"/personvern/oppbevaring/{vetle}/behold",
                           data={"csrf_token": csrf_of(page.text), "reason": "Klagesak hos Statsforvalteren",
                                 "until": clock.today().isoformat()})
    assert refused.status_code == 422
    assert dom(refused.text).one(f"#f-reason-{vetle}")["value"] == "Klagesak hos Statsforvalteren"
    assert "Datoen må være etter i dag." in field(refused.text, f"f-until-{vetle}").text
    kept = officer.post(f"/personvern/oppbevaring/{vetle}/behold",
                        data={"csrf_token": csrf_of(page.text), "reason": "Klagesak hos Statsforvalteren",
                              "until": until})
    assert kept.status_code == 303
    page = officer.get("/personvern/oppbevaring")
    assert "Vetle Aasen" not in section(page.text, "due-h")
    assert "Klagesak hos Statsforvalteren" in section(page.text, "kept-h")
    assert "Klagesak hos Statsforvalteren" in section(page.text, "history-h")
    # A child not due cannot be approved.
    assert officer.post(f"/personvern/oppbevaring/{maja}/slett",
                        data={"csrf_token": csrf_of(page.text)}).status_code == 409

    # Another child past its time: approved, which is the request an admin confirms.
    other = web.domain.register_child("Ola", "Nordmann", date(2016, 2, 2), web.ids["units"]["solsikken"])
    concern = concern_closed(web.domain, other, web.ids["users"]["pedleder"], 1600, 1400)
    web.projections.wait()
    page = officer.get("/personvern/oppbevaring")
    assert "Ola Nordmann" in section(page.text, "due-h")
    assert officer.post(f"/personvern/oppbevaring/{other}/slett",
                        data={"csrf_token": csrf_of(page.text)}).status_code == 303
    page = officer.get("/personvern/oppbevaring").text
    assert "Ola Nordmann" not in section(page, "due-h")  # pending: not proposed twice
    assert "Sletting godkjent" in section(page, "history-h")
    assert web.domain.get_child(other).name == "Ola Nordmann"  # nothing erased before an admin confirms
    admin = web.login("admin")
    pending = admin.get("/admin/sletting").text
    assert "Oppbevaringstiden er ute" in pending and "Ola Nordmann" not in pending
    request_id = re.search(r'/admin/sletting/([0-9a-f-]{36})/bekreft', pending).group(1)
    assert admin.post(f"/admin/sletting/{request_id}/bekreft",
                      data={"csrf_token": csrf_of(pending)}).status_code == 303
    with pytest.raises(RecordErased):
        web.domain.get_child(other)
    with pytest.raises(RecordErased):
        web.domain.get_concern(concern)
    web.projections.wait()
    page = officer.get("/personvern/oppbevaring").text
    assert "Sletting godkjent" in section(page, "history-h")  # the approval outlives the child
    ledger = ProjectionRunner(web.domain, [LedgerProjection])
    ledger.catch_up()
    assert verify(web.domain, ledger["ledger"].view).ok


def test_the_list_says_plainly_that_access_events_and_sign_ins_are_not_erased(web):
    officer = web.login("privacy_officer")
    text = section(officer.get("/personvern/oppbevaring").text, "log-h")
    assert "De slettes ikke." in text and "har passert oppbevaringstiden" in text
