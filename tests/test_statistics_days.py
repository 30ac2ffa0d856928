"""The days from a concern to its first action in the statistics releases, attacked
(issue 34, the averages its attack tests left out): every concern has a first action
some days after it was registered, the releases are published, and an exact integer
program over the days of every finest cell, with every published number about days
of every release as constraints (a month's, its quarter's, its year's), tries to bound
the days of a group of fewer than MEAN_MIN concerns. Averages by month, category,
unit type and level, of months against their quarter and year, did (skole in May:
8 concerns, bounded to 3.5–10 days on average); the releases now publish counts by
band of days instead, rounded like every other count. On SQLite and PostgreSQL; the
solver is pure."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from events import clock
from events.concerns import CATEGORIES
from events.statistics import BASE, FIRST_ACTION_BANDS, MEAN_MIN, Period
from intranet.statistics_releases import releases, values_of
from tests.test_statistics_releases import KIND_WEIGHTS, World, at, month_cells

TODAY = date(2026, 7, 10)  # every release of the world is published on this day
LAST_ACTION = TODAY - timedelta(days=1)
DAYS = [0, 0, 1, 2, 3, 5, 7, 7, 10, 14, 14, 21, 30, 45, 60, 90]
# The narrowest a group's average days may be bounded to, for a group of fewer than
# MEAN_MIN concerns (a single concern included). A week: an attacker who learns a
# child's days to within less has learnt them.
DAYS_WIDTH = 7
DIMENSIONS = ("month", "category", "unit_kind", "level")


class ActedWorld(World):
    """The statistics world where every concern has a first action (a conversation with
    the guardians, then its level), DAYS after it was registered: an attacker who knows
    that every concern had one knows the count behind every group's days exactly."""

    def add_concern(self, day: date, kind: str | None = None, categories: list[str] | None = None,
                    level: int | None = None, observed: date | None = None):
        rng = self.rng
        kind = kind or rng.choices(list(KIND_WEIGHTS), list(KIND_WEIGHTS.values()))[0]
        categories = categories or list(dict.fromkeys(rng.choices(CATEGORIES, [6, 3, 1, 10, 6, 8, 7, 5, 4],
                                                                  k=rng.choice([1, 1, 2]))))
        level = rng.choice([0, 1, 2, 3]) if level is None else level
        with clock.set_to(at(day)):
            child = self.domain.register_child(f"Barn{len(self.concerns)}", "Test", date(2016, 1, 1), self.units[kind])
            concern = self.domain.open_concern(child, self.author, observed or day, "x", "", categories, 2)
        acted = min(day + timedelta(days=rng.choice(DAYS)), LAST_ACTION)
        with clock.set_to(at(acted, 12)):
            self.domain.record_guardian_talk(concern, 1, self.author, acted, "mor", "samtale", False)
            if level:
                self.set_level(concern, 2, level)
        self.concerns.append((concern, day, kind, categories, level, (acted - (observed or day)).days))
        return concern


@pytest.fixture
def world(domain):
    return ActedWorld(domain)


def truth_of(world) -> tuple[dict[tuple, int], dict[tuple, int], dict[tuple, int]]:
    """The true count and the true sum of days of each finest cell, and its count per band."""
    counts: dict[tuple, int] = {}
    days: dict[tuple, int] = {}
    bands: dict[tuple, int] = {}
    for _concern, day, kind, categories, level, d in world.concerns:
        m = day.strftime("%Y-%m")
        band = next(b for b, (_name, low, most) in enumerate(BANDS) if most is None or d <= most)
        for cell in [("c", m, kind, str(level))] + [("m", m, cat, kind, str(level)) for cat in categories]:
            counts[cell] = counts.get(cell, 0) + 1
            days[cell] = days.get(cell, 0) + d
            bands[(cell, band)] = bands.get((cell, band), 0) + 1
    return counts, days, bands


def group_members(cells: list[tuple], months: list[str], dim: str, value: str) -> tuple[int, ...]:
    """The cells of a row of a release's breakdown by `dim`: concerns, or mentions for categories."""
    tag = "m" if dim == "category" else "c"
    names = ("month", "category", "unit_kind", "level") if tag == "m" else ("month", "unit_kind", "level")
    return tuple(i for i, cell in enumerate(cells)
                 if cell[0] == tag and cell[1] in months and dict(zip(names, cell[1:]))[dim] == value)


BANDS = [(name, low, most) for (name, most), low in
         zip(FIRST_ACTION_BANDS, [0] + [m + 1 for _n, m in FIRST_ACTION_BANDS[:-1]])]


class DaysProgram:
    """The attacker's integer program over the days of a set of months: per finest cell
    its sum of days D, and how many of its concerns are in each band of days y (cells ×
    bands), under what is known. The attacker is told every true count (and that every
    concern had a first action): stronger than one reading the page, so what this one
    cannot bound, the page's reader cannot either. A cell's concerns are spread over the
    bands, and its days lie within its bands' (the last band ends at the days from the
    month's start to the day of publication); a mention cell's concerns, per band and in
    days, are part of its concern cell's, and the rest of the concern cell's lie within
    their bands too; every concern has a category; and every number a release publishes
    about days is a constraint (`publish`)."""

    def __init__(self, months: list[str], counts: dict[tuple, int], bands: bool = True):
        """Without `bands`, no band variables: a program for averages alone, faster."""
        self.months = months
        self.cells = [c for m in months for c in month_cells(m)]
        self.n = n = len(self.cells)
        self.counts = np.array([counts.get(c, 0) for c in self.cells])
        index = {c: i for i, c in enumerate(self.cells)}
        self.rows: list[dict[int, float]] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

        def y(i, b):  # the variable: concerns of cell i in band b
            return n + i * len(BANDS) + b

        self.y = y
        size = n * (1 + len(BANDS)) if bands else n
        self.most = np.zeros(size)
        for i, cell in enumerate(self.cells):
            last = (TODAY - date.fromisoformat(cell[1] + "-01")).days
            highs = [most if most is not None else last for _name, _low, most in BANDS]
            self.most[i] = last * self.counts[i]
            if not bands:
                if cell[0] == "m":
                    ci = index[("c", cell[1], cell[3], cell[4])]
                    self.add({i: 1, ci: -1}, -np.inf, 0)
                    self.add({ci: 1, i: -1}, -np.inf, last * (self.counts[ci] - self.counts[i]))
                continue
            for b in range(len(BANDS)):
                self.most[y(i, b)] = self.counts[i]
            self.add({y(i, b): 1 for b in range(len(BANDS))}, self.counts[i], self.counts[i])
            self.add({i: 1, **{y(i, b): -low for b, (_name, low, _m) in enumerate(BANDS)}}, 0, np.inf)
            self.add({i: 1, **{y(i, b): -highs[b] for b in range(len(BANDS))}}, -np.inf, 0)
            if cell[0] == "m":
                ci = index[("c", cell[1], cell[3], cell[4])]
                self.add({i: 1, ci: -1}, -np.inf, 0)
                for b in range(len(BANDS)):
                    self.add({y(i, b): 1, y(ci, b): -1}, -np.inf, 0)
                # The concern cell's concerns without this category, within their bands.
                self.add({ci: 1, i: -1, **{y(ci, b): -low for b, (_n, low, _m) in enumerate(BANDS)},
                          **{y(i, b): low for b, (_n, low, _m) in enumerate(BANDS)}}, 0, np.inf)
                self.add({ci: 1, i: -1, **{y(ci, b): -highs[b] for b in range(len(BANDS))},
                          **{y(i, b): highs[b] for b in range(len(BANDS))}}, -np.inf, 0)
        for i, cell in enumerate(self.cells):
            if cell[0] == "c":
                coeffs = {index[("m", cell[1], cat, cell[2], cell[3])]: 1 for cat in CATEGORIES}
                coeffs[i] = -1
                self.add(coeffs, 0, np.inf)
                for b in range(len(BANDS) if bands else 0):  # and so has each of a band's
                    self.add({y(mi, b): 1 for mi in coeffs if mi != i} | {y(i, b): -1}, 0, np.inf)
        self.size = size
        self.spans: dict[tuple, tuple[int, int]] = {}

    def add(self, coeffs: dict[int, float], low: float, high: float) -> None:
        self.rows.append(coeffs)
        self.lo.append(low)
        self.hi.append(high)

    def count(self, ids: tuple[int, ...]) -> int:
        return int(self.counts[list(ids)].sum())

    def publish(self, release) -> None:
        """Every number the release publishes about days. A band's count: a sum of rounded
        cells, each within 4 of the true count of the month's concerns in the band. An
        average (as releases published them before the bands): the sum of days it implies,
        within half a day of the average times the count behind it."""
        months = [m for m in Period.parse(release.kind, release.period).months if m in self.months]
        if release.kind == "month" and months and self.size > self.n:
            for b, (name, _low, _most) in enumerate(BANDS):
                rounded = release.first_action.get(f"{months[0]}|{name}", 0)
                concerns = [self.y(i, b) for i, c in enumerate(self.cells) if c[0] == "c" and c[1] == months[0]]
                self.add({v: 1 for v in concerns}, max(0, rounded - (BASE - 1)), rounded + BASE - 1)
        for dim, shown in release.means.items():
            for value in values_of(dim, release):
                if value in shown:
                    ids = group_members(self.cells, months, dim, value)
                    x = self.count(ids)
                    self.add({i: 1 for i in ids}, (shown[value] - 0.5) * x, (shown[value] + 0.5) * x)

    def solve(self) -> None:
        data, ri, ci = [], [], []
        for row, coeffs in enumerate(self.rows):
            for col, v in coeffs.items():
                data.append(v)
                ri.append(row)
                ci.append(col)
        a = sparse.csr_array((data, (ri, ci)), shape=(len(self.rows), self.size))
        self.options = dict(constraints=LinearConstraint(a, self.lo, self.hi), integrality=np.ones(self.size),
                            bounds=Bounds(np.zeros(self.size), self.most))
        self.a = a

    def holds(self, days: np.ndarray, bands: np.ndarray) -> bool:
        value = self.a @ np.concatenate([days, bands.ravel()])
        return bool(np.all(value >= np.array(self.lo) - 1e-9) and np.all(value <= np.array(self.hi) + 1e-9))

    def span(self, ids: tuple[int, ...]) -> tuple[int, int]:
        """The least and the greatest sum of days of these cells the published numbers allow."""
        if ids not in self.spans:
            c = np.zeros(self.size)
            c[list(ids)] = 1
            least, most = milp(c, **self.options), milp(-c, **self.options)
            assert least.success and most.success, ids
            self.spans[ids] = (round(least.fun), round(-most.fun))
        return self.spans[ids]


def components(all_releases) -> list[list[str]]:
    """The sets of months the releases tie together: a quarter or a year that publishes
    averages of its own ties its months; its bands are the sums of its months' (checked
    below), a constraint its months' imply, so without averages each month stands alone."""
    groups: list[set[str]] = []
    for release in all_releases:
        months = set(Period.parse(release.kind, release.period).months)
        if release.kind != "month" and not any(release.means.values()):
            groups += [{m} for m in months if not any(m in g for g in groups)]
            continue
        joined = [g for g in groups if g & months]
        for g in joined:
            groups.remove(g)
            months |= g
        groups.append(months)
    return [sorted(g) for g in groups]


def narrowed(all_releases, programs: dict[str, DaysProgram], days: dict[tuple, int]) -> tuple[list, int]:
    """Every row of every release's breakdowns with fewer than MEAN_MIN concerns behind it
    and no average shown whose average days the programs bound to less than DAYS_WIDTH;
    and how many rows were checked."""
    narrow, checked = [], 0
    for release in all_releases:
        period_months = Period.parse(release.kind, release.period).months
        for dim in DIMENSIONS:
            for value in values_of(dim, release):
                if value in release.means.get(dim, {}):
                    continue
                parts = {}
                for m in period_months:
                    parts.setdefault(programs[m], []).extend(group_members(programs[m].cells, [m], dim, value))
                x = sum(p.count(tuple(ids)) for p, ids in parts.items() if ids)
                if not 0 < x < MEAN_MIN:
                    continue
                spans = [p.span(tuple(ids)) for p, ids in parts.items() if p.count(tuple(ids))]
                least, most = sum(s[0] for s in spans), sum(s[1] for s in spans)
                true = sum(days.get(p.cells[i], 0) for p, ids in parts.items() for i in ids)
                checked += 1
                assert least <= true <= most, (release.kind, release.period, dim, value)
                if (most - least) / x < DAYS_WIDTH:
                    narrow.append(((release.kind, release.period, dim, value), x, true, (least, most)))
    return narrow, checked


def test_no_small_group_has_its_days_bounded(world):
    """Every release's numbers about days, of months, quarters and the year together:
    for every row of every release's breakdowns with fewer than MEAN_MIN concerns behind
    it and no average shown (a single concern included), the attacker's bounds on the
    group's average days must be at least DAYS_WIDTH apart."""
    world.publish(TODAY)
    all_releases = releases(world.domain, world.view, TODAY)
    counts, days, bands = truth_of(world)
    assert len(world.concerns) >= 250 and all(d >= 0 for *_r, d in world.concerns)
    months = {r.period: r for r in all_releases if r.kind == "month"}
    for release in all_releases:  # a quarter's and a year's bands are the sums of their months'
        if release.kind != "month":
            summed: dict[str, int] = {}
            for m in Period.parse(release.kind, release.period).months:
                summed |= months[m].first_action
            assert release.first_action == summed
    programs = {}
    for tied_months in components(all_releases):
        program = DaysProgram(tied_months, counts)
        for release in all_releases:
            if set(Period.parse(release.kind, release.period).months) <= set(tied_months):
                program.publish(release)
        program.solve()
        truth = np.array([[bands.get((c, b), 0) for b in range(len(BANDS))] for c in program.cells])
        assert program.holds(np.array([days.get(c, 0) for c in program.cells]), truth), tied_months
        programs |= {m: program for m in tied_months}
    narrow, checked = narrowed(all_releases, programs, days)
    assert checked > 100
    assert narrow == [], (len(narrow), narrow[:10])


def test_averages_of_the_same_concerns_would_bound_a_small_groups_days(world):
    """Why bands: the averages the releases published before (by month, category, unit
    type and level, over a month and over its quarter, where at least MEAN_MIN concerns
    were behind one), given to the same program for one quarter, bound small groups."""
    world.publish(TODAY)
    counts, days, _bands = truth_of(world)
    quarter = Period.parse("quarter", "2026-Q2")
    averaged = []
    for period in [quarter, *(Period.parse("month", m) for m in quarter.months)]:
        release = world.domain.statistics_release(period.kind, period.name)
        means = {dim: {value: round(avg) for value, (n, avg)
                       in world.view.first_action_between(dim, period.months[0], period.months[-1]).items()
                       if n >= MEAN_MIN and avg is not None} for dim in DIMENSIONS}
        averaged.append(SimpleNamespace(kind=release.kind, period=release.period, means=means, first_action={}))
    program = DaysProgram(quarter.months, counts, bands=False)
    for release in averaged:
        program.publish(release)
    program.solve()
    narrow, checked = narrowed(averaged, {m: program for m in quarter.months}, days)
    assert checked > 10 and narrow, checked
