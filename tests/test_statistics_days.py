"""The days from a concern to its first action in the statistics releases, attacked
(issue 34, the means it left out): every concern has a first action some days after
it was registered, the releases are published, and an exact integer program over the
days of every finest cell, with every published number about days of every release
as constraints (a month's, its quarter's, its year's), tries to bound the days of a
group the release shows no days for. On SQLite and PostgreSQL; the solver is pure."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from events import clock
from events.concerns import CATEGORIES
from events.statistics import MEAN_MIN, Period
from intranet.statistics_releases import LEVELS, releases, values_of
from tests.test_statistics_releases import KIND_WEIGHTS, MODELLED_KINDS, World, at, month_cells

TODAY = date(2026, 7, 10)  # every release of the world is published on this day
LAST_ACTION = TODAY - timedelta(days=1)
DAYS = [0, 0, 1, 2, 3, 5, 7, 7, 10, 14, 14, 21, 30, 45, 60, 90]
# The narrowest a group's average days may be bounded to where the release shows no
# days for it (fewer than MEAN_MIN concerns behind it). A week: an attacker who learns a
# single child's days to within less has learnt them.
DAYS_WIDTH = 7


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


def truth_of(world) -> tuple[dict[tuple, int], dict[tuple, int]]:
    """The true count and the true sum of days of each finest cell."""
    counts: dict[tuple, int] = {}
    days: dict[tuple, int] = {}
    for _concern, day, kind, categories, level, d in world.concerns:
        m = day.strftime("%Y-%m")
        for cell in [("c", m, kind, str(level))] + [("m", m, cat, kind, str(level)) for cat in categories]:
            counts[cell] = counts.get(cell, 0) + 1
            days[cell] = days.get(cell, 0) + d
    return counts, days


def group_members(cells: list[tuple], months: list[str], dim: str, value: str) -> tuple[int, ...]:
    """The cells of a row of a release's breakdown by `dim`: concerns, or mentions for categories."""
    tag = "m" if dim == "category" else "c"
    names = ("month", "category", "unit_kind", "level") if tag == "m" else ("month", "unit_kind", "level")
    return tuple(i for i, cell in enumerate(cells)
                 if cell[0] == tag and cell[1] in months and dict(zip(names, cell[1:]))[dim] == value)


class DaysProgram:
    """The attacker's integer program over the days of a set of months: a sum of days D
    per finest cell, under what is known. The attacker is told every true count (and
    that every concern had a first action): stronger than one reading the page, so what
    this one cannot bound, the page's reader cannot either. Each concern's days lie in
    0 … the days from its month's start to the day of publication; a mention cell's
    days are part of its concern cell's; a concern cell's days are at most the sum of
    its categories' (each concern has one); and every number a release publishes about
    days is a constraint (`publish`)."""

    def __init__(self, months: list[str], counts: dict[tuple, int]):
        self.months = months
        self.cells = [c for m in months for c in month_cells(m)]
        self.n = n = len(self.cells)
        self.counts = np.array([counts.get(c, 0) for c in self.cells])
        index = {c: i for i, c in enumerate(self.cells)}
        self.most = np.array([(TODAY - date.fromisoformat(c[1] + "-01")).days * counts.get(c, 0) for c in self.cells])
        self.rows: list[dict[int, float]] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        for cell in self.cells:
            if cell[0] == "m":
                ci, mi = index[("c", cell[1], cell[3], cell[4])], index[cell]
                self.add({mi: 1, ci: -1}, -np.inf, 0)
                # The concerns of the cell without this category have at most their own most.
                per = (TODAY - date.fromisoformat(cell[1] + "-01")).days
                self.add({ci: 1, mi: -1}, -np.inf, per * (counts.get(self.cells[ci], 0) - counts.get(cell, 0)))
            else:
                coeffs = {index[("m", cell[1], cat, cell[2], cell[3])]: 1 for cat in CATEGORIES}
                coeffs[index[cell]] = -1
                self.add(coeffs, 0, np.inf)
        self.spans: dict[tuple, tuple[int, int]] = {}

    def add(self, coeffs: dict[int, float], low: float, high: float) -> None:
        self.rows.append(coeffs)
        self.lo.append(low)
        self.hi.append(high)

    def count(self, ids: tuple[int, ...]) -> int:
        return int(self.counts[list(ids)].sum())

    def publish(self, release) -> None:
        """Every average the release shows, as the sum of days it implies: within half
        a day of the average times the count behind it (rounded to whole days)."""
        months = [m for m in Period.parse(release.kind, release.period).months if m in self.months]
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
        a = sparse.csr_array((data, (ri, ci)), shape=(len(self.rows), self.n))
        self.options = dict(constraints=LinearConstraint(a, self.lo, self.hi), integrality=np.ones(self.n),
                            bounds=Bounds(np.zeros(self.n), self.most))
        self.a = a

    def holds(self, days: np.ndarray) -> bool:
        value = self.a @ days
        return bool(np.all(value >= np.array(self.lo) - 1e-9) and np.all(value <= np.array(self.hi) + 1e-9))

    def span(self, ids: tuple[int, ...]) -> tuple[int, int]:
        """The least and the greatest sum of days of these cells the published numbers allow."""
        if ids not in self.spans:
            c = np.zeros(self.n)
            c[list(ids)] = 1
            least, most = milp(c, **self.options), milp(-c, **self.options)
            assert least.success and most.success, ids
            self.spans[ids] = (round(least.fun), round(-most.fun))
        return self.spans[ids]


def components(all_releases) -> list[list[str]]:
    """The sets of months the releases tie together (a quarter its three, a year its twelve)."""
    groups: list[set[str]] = []
    for release in all_releases:
        months = set(Period.parse(release.kind, release.period).months)
        joined = [g for g in groups if g & months]
        for g in joined:
            groups.remove(g)
            months |= g
        groups.append(months)
    return [sorted(g) for g in groups]


def test_no_group_without_days_shown_has_its_days_bounded(world):
    """Every release's numbers about days, of months, quarters and the year together:
    for every row of every release that shows no days (fewer than MEAN_MIN concerns
    behind it, a single concern included), and every finest cell of fewer than 5, the
    attacker's bounds on the group's average days must be at least DAYS_WIDTH apart."""
    world.publish(TODAY)
    all_releases = releases(world.domain, world.view, TODAY)
    counts, days = truth_of(world)
    assert sum(1 for *_rest, d in world.concerns) >= 250 and all(d >= 0 for *_r, d in world.concerns)
    narrow, checked = [], 0
    for months in components(all_releases):
        if not any(counts.get(c, 0) for m in months for c in month_cells(m)):
            continue  # months before the first concern: nothing to bound
        program = DaysProgram(months, counts)
        tied = [r for r in all_releases if set(Period.parse(r.kind, r.period).months) <= set(months)]
        for release in tied:
            program.publish(release)
        program.solve()
        assert program.holds(np.array([days.get(c, 0) for c in program.cells])), months  # the truth is a solution
        groups = []
        for release in tied:
            period_months = Period.parse(release.kind, release.period).months
            for dim, shown in release.means.items():
                for value in values_of(dim, release):
                    ids = group_members(program.cells, period_months, dim, value)
                    if value not in shown and 0 < program.count(ids) < MEAN_MIN:
                        groups.append(((release.kind, release.period, dim, value), ids))
        groups += [(program.cells[i], (i,)) for i in range(program.n) if 0 < program.counts[i] < 5][:0]
        for name, ids in groups:
            x = program.count(ids)
            true = sum(days.get(program.cells[i], 0) for i in ids)
            least, most = program.span(ids)
            checked += 1
            assert least <= true <= most, name
            if (most - least) / x < DAYS_WIDTH:
                narrow.append((name, x, true, (least, most)))
    assert checked > 300
    assert narrow == [], (len(narrow), narrow[:10])
