"""The leaders' view of collaborations across services (issue 29, item 10), published in
the statistics releases (issue 34) and attacked as they are: collaborations opened and
ended, the days from the concern to the collaboration in bands, and the evaluations
due and those done on time. (a) one new collaboration, (b) releases differenced, (c)
an exact integer program over every published number. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from events import clock
from events.statistics import BASE, collaboration_cells, Period, days_band
from intranet.statistics_releases import collaboration_releases
from projections.suppression import THRESHOLD
from tests.test_statistics_releases import MONTHS, World, at

REASONS = ("goals_reached", "individual_plan", "consent_withdrawn", "child_moved")


class CollaborationWorld(World):
    """The statistics world with a few concerns a month, and a few collaborations a month
    opened from level-2 concerns: measures evaluated on time, late or not at all, and
    some collaborations ended. What truly happened is kept beside, per month."""

    def __init__(self, domain, seed: int = 29):
        super().__init__(domain, concerns_per_month=2, seed=seed)
        self.truth: dict[str, int] = {}
        self.leader = domain.register_user("styrer", "Kari Nordmann", "Styrer", "unit_leader",
                                           self.units["barnehage"], None, "h")
        day = date(2025, 7, 1)
        for _month in range(MONTHS):
            for _i in range(self.rng.choice([2, 3, 4, 6])):
                self.add_collaboration(day.replace(day=self.rng.randrange(1, 28)))
            day = (day + timedelta(days=32)).replace(day=1)
        self.wait()

    def count(self, month: str, *cell: str) -> None:
        key = "|".join((month, *cell))
        self.truth[key] = self.truth.get(key, 0) + 1

    def add_collaboration(self, opened: date, concern_days: int | None = None, evaluate_late: bool | None = None,
                          ended: tuple[date, str] | None = None):
        """A collaboration opened on `opened` from a concern observed `concern_days` before."""
        rng, domain = self.rng, self.domain
        concern_days = rng.choice([3, 12, 25, 45, 80, 120, 200]) if concern_days is None else concern_days
        concern = self.add_concern(opened, kind="barnehage", level=2,
                                   observed=opened - timedelta(days=concern_days))
        child = domain.get_concern(concern).child_id
        with clock.set_to(at(opened)):
            consent = domain.record_consent(child, "given", ["helsestasjon", "ppt"], ["action_plan"], "Samarbeid",
                                            opened, opened + timedelta(days=700), [], "", False, "", self.leader)
            collaboration = domain.open_collaboration(concern, consent, [("helsestasjon", self.units["helsestasjon"])],
                                                      ["action_plan"], self.leader, self.leader)
        self.count(opened.strftime("%Y-%m"), "opened", days_band(concern_days))
        last = date(2026, 8, 31)
        for no in range(1, rng.choice([1, 2, 3]) + 1):
            due = opened + timedelta(days=rng.randrange(10, 80))
            with clock.set_to(at(opened)):
                domain.add_collaboration_measure(collaboration, "Tiltak", "helsestasjon", "Ansvarlig", opened,
                                                 due + timedelta(days=30), due, self.leader)
            late = rng.random() < 0.3 if evaluate_late is None else evaluate_late
            done = due + timedelta(days=rng.randrange(3, 20)) if late else due - timedelta(days=rng.randrange(0, 5))
            if done <= last and rng.random() < 0.9:
                with clock.set_to(at(max(done, opened))):
                    domain.evaluate_collaboration_measure(collaboration, no, max(done, opened), "Skjedde", "", "",
                                                          "end", None, self.leader)
            else:
                late = True
            self.count(due.strftime("%Y-%m"), "due", "late" if late else "on_time")
        if ended is None and rng.random() < 0.4:
            ended = (opened + timedelta(days=rng.randrange(90, 200)), rng.choice(REASONS))
        if ended and ended[0] <= last:
            with clock.set_to(at(ended[0])):
                domain.close_collaboration(collaboration, ended[1], "Oppsummering", self.leader,
                                           plan_coordinator="Helsesykepleier" if ended[1] == "individual_plan" else "")
            self.count(ended[0].strftime("%Y-%m"), "ended", ended[1])
        return collaboration


@pytest.fixture
def world(domain):
    return CollaborationWorld(domain)


def frozen(domain, kind, period):
    r = domain.collaboration_release(kind, period)
    return r.version, r.cells, r.published_on


def test_a_release_counts_what_the_month_held(world):
    """The month's cells, before rounding, are what happened in it (the truth the
    attacker's program must admit), and the rounded ones are multiples of 5."""
    for month in ("2025-09", "2026-02"):
        assert world.view.collaboration_counts(month) == {k: v for k, v in world.truth.items()
                                                          if k.startswith(month)}
    world.publish(date(2026, 7, 10))
    release = world.domain.collaboration_release("month", "2026-02")
    assert set(release.cells) <= set(collaboration_cells("2026-02"))
    assert all(v % BASE == 0 for v in release.cells.values())


def test_a_new_collaboration_changes_no_release_and_its_own_tells_nothing_new(world):
    """(a) Releases through June; then one collaboration in July from a concern of March,
    ended in July into an individuell plan, and a June measure evaluated late in July."""
    world.publish(date(2026, 7, 10))
    periods = [Period.parse("month", f"2026-{m}") for m in range(1, 7)] + [
        Period.parse("quarter", "2026-Q1"), Period.parse("quarter", "2026-Q2"), Period.parse("year", "2025")]
    before = {(p.kind, p.name): frozen(world.domain, p.kind, p.name) for p in periods}
    page_before = world.page(date(2026, 7, 12))["collaborations"]
    assert page_before["label"] == "2. kvartal 2026"

    world.add_collaboration(date(2026, 7, 3), concern_days=120, evaluate_late=True,
                            ended=(date(2026, 7, 28), "individual_plan"))
    assert world.publish(date(2026, 7, 20)) == []
    assert world.page(date(2026, 7, 20))["collaborations"] == page_before

    assert Period.parse("month", "2026-07") in world.publish(date(2026, 8, 6))
    for (kind, name), state in before.items():
        assert frozen(world.domain, kind, name) == state, (kind, name)
    july = world.domain.collaboration_release("month", "2026-07")
    assert {key.split("|")[0] for key in july.cells} <= {"2026-07"}
    shown = world.page(date(2026, 8, 6), utgivelse="month:2026-07")["collaborations"]
    assert shown["label"] == "jul 2026"
    assert all(r["n"] is None or (r["n"] >= THRESHOLD and r["n"] % BASE == 0) for r in shown["rows"])


def test_quarters_and_years_are_the_sums_of_their_months(world):
    """(b) A quarter or a year is the sum of its months' releases: no difference between
    them, or between consecutive releases, gives a hidden month's count away."""
    world.publish(date(2026, 7, 10))
    all_releases = collaboration_releases(world.domain, world.view, date(2026, 7, 10))
    months = {r.period: r for r in all_releases if r.kind == "month"}
    assert {r.kind for r in all_releases} == {"month", "quarter", "year"}
    hidden = 0
    for release in all_releases:
        if release.kind == "month":
            continue
        period = Period.parse(release.kind, release.period)
        for cell in {c.split("|", 1)[1] for m in period.months for c in collaboration_cells(m)}:
            parts = [months[m].cells.get(f"{m}|{cell}", 0) for m in period.months]
            hidden += sum(1 for p in parts if p < THRESHOLD)
            assert release.cells.get(f"{release.period}|{cell}", 0) == sum(parts), (release.period, cell)
    assert hidden > 0


def published_numbers(release, months: list[str]):
    """Every number the page shows of a release, as (name, the month cells it sums)."""
    cells = [c.split("|", 1)[1] for c in collaboration_cells(months[0])]
    groups = {cell: [cell] for cell in cells}
    for table in ("opened", "ended", "due"):
        groups[table] = [c for c in cells if c.startswith(table + "|")]
    for name, members in groups.items():
        yield name, [f"{m}|{c}" for m in months for c in members]


def test_an_exact_solver_recovers_no_small_count(world):
    """(c) The attacker's integer program over every month: true cells x, rounded cells 5z
    with |x − 5z| ≤ 4, every published number (each band, reason, on time and late, and
    the totals) a sum of 5z, and what is known besides: no more collaborations ended by a
    month's end than were opened by then. For each published number whose true count is
    below 5, in every release, the solver must leave at least the five values 0–4."""
    today = date(2026, 7, 10)
    world.publish(today)
    all_releases = collaboration_releases(world.domain, world.view, today)
    months = sorted(r.period for r in all_releases if r.kind == "month")
    cells = [c for m in months for c in collaboration_cells(m)]
    n, index = len(cells), {c: i for i, c in enumerate(cells)}
    rows, lo, hi = [], [], []
    rounded = {}
    for r in all_releases:
        if r.kind == "month":
            rounded.update(r.cells)
    for i, c in enumerate(cells):
        rows.append({i: 1, n + i: -BASE}); lo.append(-(BASE - 1)); hi.append(BASE - 1)
        rows.append({n + i: BASE}); lo.append(rounded.get(c, 0)); hi.append(rounded.get(c, 0))
    for k in range(len(months)):
        coeffs = {}
        for m in months[:k + 1]:
            for c in collaboration_cells(m):
                if c.split("|")[1] in ("opened", "ended"):
                    coeffs[index[c]] = 1 if c.split("|")[1] == "ended" else -1
        rows.append(coeffs); lo.append(-np.inf); hi.append(0)
    data, ri, ci = [], [], []
    for row, coeffs in enumerate(rows):
        for col, v in coeffs.items():
            data.append(v); ri.append(row); ci.append(col)
    A = sparse.csr_array((data, (ri, ci)), shape=(len(rows), 2 * n))
    truth = np.array([world.truth.get(c, 0) for c in cells])
    z = np.array([rounded.get(c, 0) // BASE for c in cells])
    value = A @ np.concatenate([truth, z])
    assert np.all(value >= np.array(lo) - 1e-9) and np.all(value <= np.array(hi) + 1e-9)  # the truth is a solution
    options = dict(constraints=LinearConstraint(A, lo, hi), integrality=np.ones(2 * n),
                   bounds=Bounds(np.zeros(2 * n), np.full(2 * n, np.inf)))

    narrow, checked = [], 0
    for release in all_releases:
        period_months = [m for m in Period.parse(release.kind, release.period).months if m in months]
        for name, members in published_numbers(release, period_months):
            ids = [index[c] for c in members if c in index]
            true = int(sum(truth[i] for i in ids))
            if true >= THRESHOLD or not ids:
                continue
            c = np.zeros(2 * n)
            c[ids] = 1
            most = milp(-c, **options)
            least = milp(c, **options) if true else None
            assert most.success and (least is None or least.success)
            span = (round(least.fun) if least else 0, round(-most.fun))
            checked += 1
            assert span[0] <= true <= span[1]
            if span[1] - span[0] < THRESHOLD - 1:
                narrow.append((release.kind, release.period, name, true, span))
    assert checked > 100
    assert narrow == [], narrow[:10]


def test_the_page_shows_the_collaborations_of_the_release(world):
    today = date(2026, 7, 10)
    year = world.page(today, utgivelse="year:2025")["collaborations"]
    assert year["label"] == "Året 2025"
    names = [r["label"] for r in year["rows"]]
    assert names[0] == "Samarbeid åpnet" and "Avsluttet: videre i individuell plan" in names
    assert "0–30 dager" in names and "Over 180 dager" in names
    opened = year["rows"][0]["n"]
    assert opened is not None and opened % BASE == 0
    share = year["on_time_share"]
    assert share is None or 0 <= share <= 100
