"""The demo municipality as `intranet demo` loads it publishes the statistics
releases of its past months, and is large enough that the kommunalsjef's last
full year shows real numbers in most months, while small counts show as <5. Its two years of history are generated from a
seed, the same every time, and dated in the past through the domain's clock."""

from __future__ import annotations

import re

from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from events import clock
from events.application import Bekymring
from events.base import Record
from events.kek import Kek
from intranet import demo
from intranet.demo_history import MONTHS, plan
from events.statistics import DEFAULT_DELAY_DAYS
from intranet.cli import publish_statistics
from intranet.front_page import NEW_DAYS
from intranet.leaders import DIMENSION_NAMES
from intranet.statistics_releases import values_of
from projections.concerns import ConcernProjection
from projections.config import DEFAULTS
from projections.live import ProjectionRunner
from projections.suppression import THRESHOLD
from tests.conftest import sqlite_env
from tests.htmltree import dom
from tests.test_front_page import section
from tests.webclient import Web


@pytest.fixture(scope="module")
def full_demo(tmp_path_factory):
    """The demo with its casework, built once for the module (the pages here only read)."""
    env = sqlite_env(tmp_path_factory.mktemp("full-demo"), Kek.generate())
    app = Bekymring(env=env)
    try:
        ids = demo.load_with_casework(app)
        published = publish_statistics(app, DEFAULTS, DEFAULT_DELAY_DAYS)  # as `intranet demo` does
    finally:
        app.close()
    built = {"ids": ids, "concerns": {}, "consent": None, "referrals": {}, "meeting": None, "transfers": {}}
    assert any(p.kind == "year" for p in published) and sum(p.kind == "month" for p in published) >= 12
    with Web(env, built=built) as web:
        yield web


def counts(html: str) -> list[str]:
    """Each row's published count (its last cell), the total row included, of the
    concerns' table (the days' and the collaborations' follow it)."""
    return [row.select("td")[-1].text.strip() for row in dom(html).select("table")[0].select("tr") if row.select("td")]


LAST_YEAR = clock.today().year - 1


def test_most_months_of_the_last_year_are_published(full_demo):
    page = full_demo.login("municipal_leader")
    html = page.get(f"/ledelse/statistikk?utgivelse=year:{LAST_YEAR}&dimensjon=month").text
    assert dom(html).one("h1").text == f"Bekymringer – Året {LAST_YEAR}"
    months = counts(html)[:12]
    assert len(months) == 12
    shown = [int(n) for n in months if not n.startswith("<5")]
    # Each month is the sum of its finest cells (unit × level), each rounded once at
    # random: a month of a dozen concerns in a dozen cells is hidden now and then.
    assert len(shown) >= 6, months
    assert all(n >= THRESHOLD and n % THRESHOLD == 0 for n in shown)
    # A real year's worth: the published total is the true one within 4 per finest cell.
    view = full_demo.projections["meetings"].view
    cells = [n for m in range(1, 13) for n in view.unit_counts(f"{LAST_YEAR}-{m:02d}")[0].values() if n]
    assert sum(cells) >= 100 and abs(sum(shown) - sum(cells)) <= 4 * len(cells), (sum(shown), sum(cells))


def test_the_page_says_which_release_it_shows_and_how_it_is_protected(full_demo):
    page = dom(full_demo.login("municipal_leader").get("/ledelse/statistikk").text)
    # The newest release first, and shown: no later period has been published.
    newest = page.select("select#f-release option")[0]
    assert "selected" in newest
    assert page.one("h1").text == f"Bekymringer – {newest.text}"
    assert full_demo.domain.statistics_release(*newest["value"].split(":")) is not None
    assert "Slik er tallene beskyttet" in page.one("main > p.hint").text
    options = [o["value"] for o in page.select("select#f-release option")]
    assert f"year:{LAST_YEAR}" in options and len(options) >= 12


def test_small_counts_are_still_suppressed(full_demo):
    """Every view of the newest month's release: each number rounded to base 5, the
    zeros shown as <5, and (in a month of a few dozen concerns) many of them."""
    page = full_demo.login("municipal_leader")
    release = full_demo.domain.statistics_release("month", f"{(clock.today().replace(day=1) - timedelta(days=40)):%Y-%m}")
    assert release is not None
    key = f"month:{release.period}"
    hidden = 0
    for row_dim in DIMENSION_NAMES:
        for col_dim in DIMENSION_NAMES:
            if col_dim == row_dim:
                continue
            for value in values_of(col_dim, release):
                cells = counts(page.get(f"/ledelse/statistikk?utgivelse={key}&dimensjon={row_dim}&filter={col_dim}"
                                        f"&verdi={value}").text)
                assert all(n.startswith("<5") or (int(n) >= THRESHOLD and int(n) % THRESHOLD == 0) for n in cells), \
                    (row_dim, col_dim, value, cells)
                hidden += sum(n.startswith("<5") for n in cells)
    assert hidden > 100


def test_the_history_is_the_same_for_the_same_seed_and_day():
    today = date(2026, 11, 23)
    first, again = plan(today), plan(today)
    assert first == again
    assert plan(today, seed=1) != first
    assert 200 <= len(first) <= 500
    assert min(p.observed_on for p in first) >= today - timedelta(days=MONTHS * 31)
    assert min(p.observed_on for p in first) < today - timedelta(days=(MONTHS - 1) * 30)
    assert {p.unit for p in first} == {"solsikken", "fjordvikskole", "helsestasjonen"}
    every_day = [d for p in first for d in (p.observed_on, p.talk, p.closed, p.evaluated,
                                            p.level and p.level[0]) if d]
    assert max(every_day) < today


def test_the_history_is_dated_when_it_happened(full_demo):
    """Each concern's first event is stamped on the day it was seen, so the days to the
    first action are real days, not the day the demo was loaded."""
    view = full_demo.projections["concerns"].view
    unit = full_demo.ids["units"]["fjordvikskole"]
    # The history's children are those after the demo's own (whose examples are filed today).
    generated = set(full_demo.projections["directory"].view.children_in_unit(unit, 0, 1000)) - set(full_demo.ids["children"])
    closed = [r for r in view.in_unit(unit, "closed", 0, 200) if UUID(r["child_id"]) in generated]
    assert len(closed) >= 20
    for row in closed[:20]:
        concern = full_demo.domain.get_concern(UUID(row["id"]))
        assert clock.day_of(concern.created_on).isoformat() == row["opened_on"]
        assert concern.modified_on > concern.created_on  # closed later, on its own day
    days = full_demo.projections["meetings"].view.first_action_between("month", "0000-00", "9999-99")
    average = sum(n * d for n, d in days.values() if d is not None) / sum(n for n, _ in days.values())
    assert 1 <= average <= 30


def test_the_clock_set_back_dates_events_and_today():
    class Thing(Record):
        def __init__(self):
            pass

    moment = datetime(2025, 3, 4, 9, 30, tzinfo=clock.OSLO)
    with clock.set_to(moment):
        assert clock.today() == date(2025, 3, 4)
        assert Thing().created_on == moment
    assert clock.today() != date(2025, 3, 4) and Thing().created_on > moment
    with pytest.raises(ValueError):
        with clock.set_to(datetime(2025, 3, 4)):
            pass


def test_the_collaborations_of_a_release_are_protected_like_its_concerns(full_demo):
    """Issue 29 item 10: collaborations opened and ended, the days from the concern in
    bands, evaluations on time; in the same release, rounded, the demo's few shown as <5."""
    page = full_demo.login("municipal_leader")
    release = full_demo.domain.statistics_release("month", f"{(clock.today().replace(day=1) - timedelta(days=40)):%Y-%m}")
    html = dom(page.get(f"/ledelse/statistikk?utgivelse=month:{release.period}").text)
    section = html.one("section[aria-labelledby=collaborations-h]")
    assert section.one("h2").text.startswith("Tverrfaglig samarbeid – ")
    cells = [row.select("td")[-1].text.strip() for row in section.select("tr") if row.select("td")]
    assert len(cells) == 13 and all(n.startswith("<5") or int(n) % THRESHOLD == 0 for n in cells)
    assert "ikke som snitt eller median" in section.one("p.hint").text
    assert full_demo.domain.collaboration_release("year", str(LAST_YEAR)) is not None


def test_the_days_to_the_first_action_are_bands_of_rounded_counts_never_an_average(full_demo):
    """A year's release shows its concerns by band of days to their first action, each
    a multiple of 5 or <5, the sums of its months' bands; no column of averages."""
    page = full_demo.login("municipal_leader")
    year = full_demo.domain.statistics_release("year", str(LAST_YEAR))
    html = dom(page.get(f"/ledelse/statistikk?utgivelse=year:{LAST_YEAR}").text)
    section = html.one("section[aria-labelledby=first-action-h]")
    cells = [row.select("td")[-1].text.strip() for row in section.select("tr") if row.select("td")]
    assert len(cells) == 5 and all(n.startswith("<5") or int(n) % THRESHOLD == 0 for n in cells)
    assert any(not n.startswith("<5") for n in cells)  # the demo's year has concerns acted on
    assert "ikke som snitt" in section.one("p.hint").text
    assert "snitt" not in html.select("table.list thead")[0].text  # the concerns' table
    months = [full_demo.domain.statistics_release("month", f"{LAST_YEAR}-{m:02d}") for m in range(1, 13)]
    assert year.first_action == {k: v for r in months for k, v in r.first_action.items()} and not year.means


@pytest.mark.parametrize("leader", ["styrer", "rektor", "helseleder"])
def test_each_unit_leader_finds_new_concerns_on_the_front_page_whatever_the_day(full_demo, leader):
    """Whoever tries the demo as a unit leader finds the unit's new concerns on the
    front page, on any day it is loaded: the generated history is drawn at random."""
    new = section(full_demo.login(leader).get("/").text, "Nye bekymringer")
    concerns = [a for a in new.select("a") if re.fullmatch(r"/bekymringer/[0-9a-f-]{36}", a.get("href"))]
    assert concerns, " ".join(new.text.split())


@pytest.mark.parametrize("day", [date(2026, 12, 8), date(2027, 3, 1), date(2027, 7, 15)])
def test_the_demo_has_new_concerns_in_every_unit_on_other_days_too(tmp_path, day):
    env = sqlite_env(tmp_path, Kek.generate())
    app = Bekymring(env=env)
    try:
        with clock.set_to(datetime(day.year, day.month, day.day, 11, tzinfo=clock.OSLO)):
            ids = demo.load_with_casework(app)
        runner = ProjectionRunner(app, [ConcernProjection])
        runner.catch_up()
        for unit in ("solsikken", "fjordvikskole", "helsestasjonen"):
            assert runner["concerns"].view.opened_since(ids["units"][unit], day - timedelta(days=NEW_DAYS), 5), unit
    finally:
        app.close()
