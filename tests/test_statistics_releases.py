"""The leaders' statistics as fixed releases, attacked the way issue 34 attacked the
live page: (a) one new concern, (b) consecutive releases differenced, (c) an exact
integer program over every number of every release. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from uuid import uuid4

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from events import clock
from events.concerns import CATEGORIES
from events.directory import UNIT_KINDS
from events.statistics import BASE, Period, StatisticsRelease, round_at_random, round_month
from intranet.leaders import DIMENSION_NAMES, statistics_page
from intranet.statistics_releases import LEVELS, publish_due, published_table, releases, values_of
from projections.live import ProjectionRunner
from projections.suppression import THRESHOLD, TOTAL

FIRST = date(2025, 7, 1)
MONTHS = 12  # July 2025 to June 2026: four quarters, and the year 2025 (its second half)
DELAY = 5
# Rare categories and unit types, so that many cells are small (as in a real municipality).
CATEGORY_WEIGHTS = [6, 3, 1, 10, 6, 8, 7, 5, 4]
KIND_WEIGHTS = {"barnehage": 10, "skole": 12, "helsestasjon": 6, "ppt": 1}


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=clock.OSLO)


class World:
    """A municipality with a year of concerns registered on their own days, its read
    models caught up in this thread, and the state the statistics page is given."""

    def __init__(self, domain, concerns_per_month: int = 25, seed: int = 34):
        self.domain = domain
        self.rng = random.Random(seed)
        self.author = uuid4()
        self.units = {kind: domain.register_unit(f"Enhet {kind}", kind) for kind in KIND_WEIGHTS}
        self.concerns: list[tuple] = []
        self.runner = ProjectionRunner(domain)
        self.view = self.runner["meetings"].view
        self.state = SimpleNamespace(domain=domain, settings=SimpleNamespace(release_after_days=DELAY),
                                     projections=self)
        day = FIRST
        for _month in range(MONTHS):
            for _i in range(concerns_per_month):
                self.add_concern(day.replace(day=self.rng.randrange(1, 28)))
            day = (day + timedelta(days=32)).replace(day=1)
        self.wait()

    # what the page asks of the app's projections
    def __getitem__(self, name):
        return self.runner[name]

    def wait(self):
        self.runner.catch_up()

    def add_concern(self, day: date, kind: str | None = None, categories: list[str] | None = None,
                    level: int | None = None, observed: date | None = None):
        """A concern registered on `day` (observed then, or on `observed`)."""
        rng = self.rng
        kind = kind or rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        categories = categories or list(dict.fromkeys(rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=rng.choice([1, 1, 2]))))
        with clock.set_to(at(day)):
            child = self.domain.register_child(f"Barn{len(self.concerns)}", "Test", date(2016, 1, 1), self.units[kind])
            concern = self.domain.open_concern(child, self.author, observed or day, "x", "", categories, 2)
            if level is None and rng.random() < 0.6:
                level = rng.choice([1, 2, 3])
            if level:
                self.set_level(concern, 1, level)
        self.concerns.append((concern, day, kind, categories, level or 0))
        return concern

    def set_level(self, concern, version, level):
        self.domain.change_concern(concern, version, self.author, lambda c: c.set_level(level, "tiltak"))

    def publish(self, today: date) -> list[Period]:
        self.wait()
        return publish_due(self.domain, self.view, today, DELAY)

    def page(self, today: date, **params) -> dict:
        with clock.set_to(at(today)):
            return statistics_page(self.state, params, today)


def every_view(release: StatisticsRelease):
    """Each (row dimension, filter) table the page can show of a release."""
    for row_dim in DIMENSION_NAMES:
        for col_dim in [None, *DIMENSION_NAMES]:
            if col_dim != row_dim:
                yield (row_dim, col_dim), published_table(release, row_dim, col_dim)


def frozen(domain, kind, period):
    r = domain.statistics_release(kind, period)
    return r.version, r.concerns, r.mentions, r.means, r.published_on


@pytest.fixture
def world(domain):
    return World(domain)


def test_rounding_is_unbiased_and_never_shows_what_it_rounds():
    rng = random.Random(1)
    assert {round_at_random(0, rng) for _ in range(100)} == {0}
    assert {round_at_random(10, rng) for _ in range(100)} == {10}
    threes = [round_at_random(3, rng) for _ in range(5000)]
    assert set(threes) == {0, 5} and abs(sum(threes) / len(threes) - 3) < 0.2
    concerns, mentions = round_month({"2026-01|skole|1": 3}, {"2026-01|violence|skole|1": 3,
                                                             "2026-01|neglect|skole|1": 1}, rng)
    assert all(v % BASE == 0 for v in [*concerns.values(), *mentions.values()])
    # A mention cell is never above its concern cell (which an attacker knows must hold).
    assert all(n <= concerns.get("2026-01|skole|1", 0) for n in mentions.values())


def test_a_new_concern_changes_no_release_and_its_own_tells_nothing_new(world):
    """(a) Releases through June; then one concern at the PPT (a rare unit type) about
    sexual abuse (a rare category), at level 3, and a level change on an old concern."""
    world.publish(date(2026, 7, 10))
    before = {(p.kind, p.name): frozen(world.domain, p.kind, p.name)
              for p in [Period.parse("month", f"2026-{m}") for m in range(1, 7)]
              + [Period.parse("quarter", "2026-Q1"), Period.parse("quarter", "2026-Q2"), Period.parse("year", "2025")]}
    page_before = world.page(date(2026, 7, 12), dimensjon="category", filter="unit_kind", verdi="ppt")

    concern = world.add_concern(date(2026, 7, 14), kind="ppt", categories=["sexual_abuse"], level=3)
    # Entered late: observed in March, registered in July, counted in July.
    late = world.add_concern(date(2026, 7, 15), kind="skole", categories=["violence"], level=1,
                             observed=date(2026, 3, 10))
    old = world.concerns[5][0]  # registered in July 2025: its level changes after its release
    world.domain.change_concern(old, world.domain.get_concern(old).version, world.author,
                                lambda c: c.set_level(2 if c.level != 2 else 1, "endret"))
    assert concern and late

    # Within the same period nothing on the page moves: the same release, the same numbers.
    assert world.publish(date(2026, 7, 20)) == []
    page_after = world.page(date(2026, 7, 20), dimensjon="category", filter="unit_kind", verdi="ppt")
    assert page_after["rows"] == page_before["rows"] and page_after["release_key"] == page_before["release_key"]

    # The next release is July's own; no earlier release changes by a digit.
    assert world.publish(date(2026, 8, 6)) == [Period.parse("month", "2026-07")]
    for (kind, name), state in before.items():
        assert frozen(world.domain, kind, name) == state, (kind, name)
    july = world.domain.statistics_release("month", "2026-07")
    assert sum(july.concerns.values()) % BASE == 0
    # So a difference between two releases is a difference between two periods no release
    # counts twice: it holds the whole of July, never one concern alone.
    assert {key.split("|")[0] for key in [*july.concerns, *july.mentions]} <= {"2026-07"}
    assert {r["label"] for r in world.page(date(2026, 8, 6), utgivelse="month:2026-07")["rows"]} == {"jul 2026"}


def test_quarters_and_years_are_the_sums_of_their_months(world):
    """(b) Consecutive releases, and a quarter or a year against its months: every difference
    is zero, so none gives a hidden month's count away (the rolling-window attack)."""
    published = world.publish(date(2026, 7, 10))
    kinds = {p.kind for p in published}
    assert kinds == {"month", "quarter", "year"}
    all_releases = releases(world.domain, world.view, date(2026, 7, 10))
    months = {r.period: dict(every_view(r)) for r in all_releases if r.kind == "month"}
    hidden_in_months = 0
    for release in all_releases:
        if release.kind == "month":
            continue
        period = Period.parse(release.kind, release.period)
        for key, table in every_view(release):
            for (r, c), n in table.items():
                parts = [months[m][key].get((r, c), 0) if key[0] != "month" or r in (m, TOTAL) else 0
                         for m in period.months]
                hidden_in_months += sum(1 for p in parts if p < THRESHOLD)
                assert n == sum(parts), (release.kind, release.period, key, r, c)
    assert hidden_in_months > 0
    # Periods of a kind never overlap: no window rolls.
    for kind in ("month", "quarter", "year"):
        spans = [set(Period.parse(kind, r.period).months) for r in all_releases if r.kind == kind]
        assert all(not (a & b) for i, a in enumerate(spans) for b in spans[i + 1:])


# The unit kinds the world has units of. The program knows every other kind's cells are 0:
# an attacker stronger than one reading the page (where they show <5), so that what it
# cannot recover, the page's reader cannot either; and a program a third the size.
MODELLED_KINDS = [k for k in UNIT_KINDS if k in KIND_WEIGHTS]


def month_cells(month: str) -> list[tuple]:
    """The finest cells of a month: ("c", month, unit kind, level) and ("m", month, category, kind, level)."""
    return ([("c", month, k, lv) for k in MODELLED_KINDS for lv in LEVELS]
            + [("m", month, cat, k, lv) for cat in CATEGORIES for k in MODELLED_KINDS for lv in LEVELS])


def view_members(cells: list[tuple], key, r, c) -> tuple[int, ...]:
    """The indexes of the cells a published number of view `key` at (r, c) is the sum of."""
    row_dim, col_dim = key
    kind = "m" if "category" in key else "c"
    names = ("month", "category", "unit_kind", "level") if kind == "m" else ("month", "unit_kind", "level")
    out = []
    for i, cell in enumerate(cells):
        if cell[0] != kind:
            continue
        values = dict(zip(names, cell[1:]))
        if (r == TOTAL or values[row_dim] == r) and (c == TOTAL or col_dim is None or values[col_dim] == c):
            out.append(i)
    return tuple(out)


class IntegerProgram:
    """An attacker's integer program over n cells: the true counts x and the rounded
    values z (2n non-negative integers), under linear constraints lo <= row <= hi;
    `span` asks the solver how far a sum of true counts can range."""

    n: int

    def constraint(self, coeffs: dict[int, float], low: float, high: float) -> None:
        """One more constraint low <= sum of coeffs × variables <= high (see `constrain`)."""
        if not hasattr(self, "collected"):
            self.collected: tuple[list, list, list] = ([], [], [])
        for part, value in zip(self.collected, (coeffs, low, high)):
            part.append(value)

    def constrain(self) -> None:
        """Fix the constraints collected: the program can be solved."""
        rows, lo, hi = self.collected
        data, ri, ci = [], [], []
        for row, coeffs in enumerate(rows):
            for col, v in coeffs.items():
                data.append(v)
                ri.append(row)
                ci.append(col)
        self.A = sparse.csr_array((data, (ri, ci)), shape=(len(rows), 2 * self.n))
        self.constraints = LinearConstraint(self.A, lo, hi)
        self.lo, self.hi = np.array(lo), np.array(hi)
        self.spans: dict[tuple, tuple[int, int]] = {}

    def holds(self, x: np.ndarray, z: np.ndarray) -> bool:
        value = self.A @ np.concatenate([x, z])
        return bool(np.all(value >= self.lo - 1e-9) and np.all(value <= self.hi + 1e-9))

    def span(self, ids: tuple[int, ...], true: int) -> tuple[int, int]:
        """The least and the greatest true count of these cells' sum the published numbers
        allow (the least is 0 without asking when the truth, a solution, is 0)."""
        if ids not in self.spans:
            c = np.zeros(2 * self.n)
            c[list(ids)] = 1
            options = dict(constraints=self.constraints, integrality=np.ones(2 * self.n),
                           bounds=Bounds(np.zeros(2 * self.n), np.full(2 * self.n, np.inf)))
            most = milp(-c, **options)
            least = milp(c, **options) if true else None
            assert most.success and (least is None or least.success), ids
            self.spans[ids] = (round(least.fun) if least else 0, round(-most.fun))
        return self.spans[ids]


class MonthProgram(IntegerProgram):
    """The attacker's integer program for one month: the true finest counts x, the rounded
    cells 5z with |x − 5z| ≤ 4, every number the month's release publishes as a sum of 5z,
    and what is known of concerns: a mention cell is at most its concern cell (and so is its
    rounded value: the published rule), and every concern has at least one category."""

    def __init__(self, release: StatisticsRelease):
        self.cells = month_cells(release.period)
        n = self.n = len(self.cells)
        index = {c: i for i, c in enumerate(self.cells)}
        constraint = self.constraint

        for i in range(n):
            constraint({i: 1, n + i: -BASE}, -(BASE - 1), BASE - 1)
        for cell in self.cells:
            if cell[0] == "m":
                ci, mi = index[("c", cell[1], cell[3], cell[4])], index[cell]
                constraint({mi: 1, ci: -1}, -np.inf, 0)
                constraint({n + mi: 1, n + ci: -1}, -np.inf, 0)
            else:
                coeffs = {index[("m", cell[1], cat, cell[2], cell[3])]: 1 for cat in CATEGORIES}
                coeffs[index[cell]] = -1
                constraint(coeffs, 0, np.inf)
        self.published = 0
        for key, table in every_view(release):
            for (r, c), value in table.items():
                constraint({n + i: BASE for i in view_members(self.cells, key, r, c)}, value, value)
                self.published += 1
        self.constrain()


def test_an_exact_solver_recovers_no_small_count(world):
    """(c) Every number of every view of every release, attacked with an exact integer program.
    A quarter's or a year's numbers are sums of its months' (test (b) checks every one), so
    they add no equation the months do not imply: the program splits into one per month,
    and a quarter's or year's count ranges over the sum of its months' ranges. For each
    published view cell whose true count is below 5, the solver must leave at least the
    five values 0–4 (a span of 4 or more): nothing recovered exactly, nothing narrowed."""
    today = date(2026, 7, 10)
    world.publish(today)
    all_releases = releases(world.domain, world.view, today)
    programs = {r.period: MonthProgram(r) for r in all_releases if r.kind == "month"}
    truth = truth_of(world)
    for month, program in programs.items():
        x = np.array([truth.get(c, 0) for c in program.cells])
        release = world.domain.statistics_release("month", month)
        rounded = {("c", *k.split("|")): v for k, v in release.concerns.items()}
        rounded |= {("m", *k.split("|")): v for k, v in release.mentions.items()}
        z = np.array([rounded.get(c, 0) // BASE for c in program.cells])
        assert program.holds(x, z), month  # the attacker's model is right: the truth is a solution

    narrow, checked, published = [], 0, 0
    for release in all_releases:
        months = [m for m in Period.parse(release.kind, release.period).months if m in programs]
        for key, table in every_view(release):
            for (r, c) in table:
                published += 1
                parts = []
                for m in months:
                    program = programs[m]
                    if key[0] == "month" and r not in (TOTAL, m) or key[1] == "month" and c not in (TOTAL, m):
                        continue
                    parts.append((program, view_members(program.cells, key, r, c)))
                true = sum(truth.get(p.cells[i], 0) for p, ids in parts for i in ids)
                if true >= THRESHOLD or not any(ids for _p, ids in parts):
                    continue  # enough to show, or a kind the program is told is empty
                spans = [p.span(ids, sum(truth.get(p.cells[i], 0) for i in ids)) for p, ids in parts]
                least, most = sum(s[0] for s in spans), sum(s[1] for s in spans)
                checked += 1
                assert least <= true <= most
                if most - least < THRESHOLD - 1:
                    narrow.append((release.kind, release.period, key, r, c, true, (least, most)))
    assert published > 5000 and checked > 500
    assert narrow == [], narrow[:10]


def truth_of(world) -> dict[tuple, int]:
    """The true finest counts, from the concerns as registered (level at release time)."""
    truth: dict[tuple, int] = {}
    for concern, day, kind, categories, level in world.concerns:
        m = clock.day_of(world.domain.get_concern(concern).created_on).strftime("%Y-%m")
        truth[("c", m, kind, str(level))] = truth.get(("c", m, kind, str(level)), 0) + 1
        for cat in categories:
            truth[("m", m, cat, kind, str(level))] = truth.get(("m", m, cat, kind, str(level)), 0) + 1
    return truth


def test_the_page_shows_the_latest_release_and_earlier_ones_on_request(world):
    today = date(2026, 7, 10)
    page = world.page(today)
    # The newest period ended on 1 July: the quarter it closes, then June itself.
    assert page["release_label"] == "2. kvartal 2026"
    assert [k for k, _ in page["releases"]][:3] == ["quarter:2026-Q2", "month:2026-06", "month:2026-05"]
    assert len(page["releases"]) == 18 + 6 + 1  # from January 2025: the year adds up
    year = world.page(today, utgivelse="year:2025", dimensjon="month")
    assert year["release_label"] == "Året 2025"
    labels = [r["label"] for r in year["rows"]]
    assert labels[0] == "jan 2025" and labels[-1] == "des 2025" and len(labels) == 12
    # No concerns before July: those months show <5, never a 0 that would tell them apart.
    assert [r["n"] for r in year["rows"][:6]] == [None] * 6
    shown = [r["n"] for r in year["rows"][6:]]
    assert all(n is None or (n >= THRESHOLD and n % BASE == 0) for n in shown) and any(shown)
    # Nothing changes between two requests in the same period.
    assert world.page(date(2026, 7, 30), utgivelse="year:2025", dimensjon="month")["rows"] == year["rows"]
    assert values_of("month", world.domain.statistics_release("year", "2025"))[0] == "2025-01"
