"""A quarter's release against its months' releases, and a year's against its quarters
and months, as a differencing channel (issue 34): one integer program over the months'
finest cells with every number of every view of every one of those releases, and their
bands of days to the first action, recovers no count below 5 (zeros included) exactly
and narrows none below the threshold's width. It passed when first written: a quarter
and a year are the sums of their months' rounded cells, so they add no equation; the
tests keep it so. On SQLite and PostgreSQL; the solver is pure."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from events import clock
from events.statistics import BASE, FIRST_ACTION_BANDS, Period
from intranet.statistics_releases import first_action_numbers
from events.concerns import CATEGORIES
from projections.suppression import THRESHOLD
from tests.test_statistics_releases import IntegerProgram, World, every_view, month_cells, view_members

TODAY = date(2026, 7, 10)
QUARTER = Period.parse("quarter", "2026-Q2")


@pytest.fixture
def world(domain):
    return World(domain)


class PeriodProgram(IntegerProgram):
    """The attacker's integer program over the finest cells of several months: the true
    counts x and the rounded values 5z (|x − 5z| ≤ 4) of the concern and mention cells
    and of the bands of days to the first action; a mention cell at most its concern cell
    (and its rounded value too: the published rule); every concern has a category; a
    month's concerns with a first action (the bands) are among its concerns; and every
    number every given release publishes, as a sum of 5z over the release's months."""

    def __init__(self, months: list[str], published: list):
        self.cells = [c for m in months for c in month_cells(m)]
        self.cells += [("b", m, band) for m in months for band, _most in FIRST_ACTION_BANDS]
        n = self.n = len(self.cells)
        index = {c: i for i, c in enumerate(self.cells)}
        constraint = self.constraint

        for i, cell in enumerate(self.cells):
            constraint({i: 1, n + i: -BASE}, -(BASE - 1), BASE - 1)
            if cell[0] == "m":
                ci = index[("c", cell[1], cell[3], cell[4])]
                constraint({i: 1, ci: -1}, -np.inf, 0)
                constraint({n + i: 1, n + ci: -1}, -np.inf, 0)
            elif cell[0] == "c":
                coeffs = {index[("m", cell[1], cat, cell[2], cell[3])]: 1 for cat in CATEGORIES}
                constraint(coeffs | {i: -1}, 0, np.inf)
        for m in months:
            coeffs = {i: 1 for i, c in enumerate(self.cells) if c[0] == "b" and c[1] == m}
            constraint(coeffs | {i: -1 for i, c in enumerate(self.cells) if c[0] == "c" and c[1] == m}, -np.inf, 0)
        for release in published:
            within = set(Period.parse(release.kind, release.period).months)
            ids_in = [i for i, c in enumerate(self.cells) if c[1] in within]
            cells = [self.cells[i] if i in set(ids_in) else ("-",) for i in range(n)]
            for key, table in every_view(release):
                for (r, c), value in table.items():
                    constraint({n + i: BASE for i in view_members(cells, key, r, c)}, value, value)
            for band, value in first_action_numbers(release).items():
                ids = [i for i in ids_in if self.cells[i][0] == "b" and band in ("all", self.cells[i][2])]
                constraint({n + i: BASE for i in ids}, value, value)
        self.constrain()


def test_a_quarter_against_its_months_recovers_no_small_count(world):
    world.publish(TODAY)
    attack(world, QUARTER, [])


def test_a_year_against_its_quarters_and_months_recovers_no_small_count(world):
    """The year 2025 against its quarters and months. The world's concerns begin in July:
    the program models July to December and is told the months before are empty (which
    the page's reader is not: each of their cells could be up to 4), so it is stronger."""
    world.publish(TODAY)
    attack(world, Period.parse("year", "2025"), [Period.parse("quarter", "2025-Q3"), Period.parse("quarter", "2025-Q4")],
           months=[f"2025-{m:02d}" for m in range(7, 13)], finest=False)


def attack(world, period: Period, between: list[Period], months: list[str] | None = None,
           finest: bool = True) -> None:
    """One program over `months` (the period's) with every number of their releases, of
    the periods `between` and of `period`; it must narrow no count below 5 of the period's
    views (margins included), nor (`finest`; a year's program is six times a month's, and
    the quarter's test asks) a finest cell below 5, zeros included, of the rare unit types
    and the bands."""
    months_ = months or period.months
    published = [world.domain.statistics_release("month", m) for m in months_]
    published += [world.domain.statistics_release(p.kind, p.name) for p in between]
    quarter = world.domain.statistics_release(period.kind, period.name)
    program = PeriodProgram(months_, [*published, quarter])
    months = published[:len(months_)]

    truth: dict[tuple, int] = {}
    for concern, _day, kind, categories, level in world.concerns:
        concern_ = world.domain.get_concern(concern)
        m = clock.day_of(concern_.created_on).strftime("%Y-%m")
        for cell in [("c", m, kind, str(level))] + [("m", m, cat, kind, str(level)) for cat in categories]:
            truth[cell] = truth.get(cell, 0) + 1
    for row in world.view.fetchall("SELECT month, first_action_days FROM {stats} WHERE first_action_days IS NOT NULL"):
        cell = ("b", row["month"], next(b for b, most in FIRST_ACTION_BANDS if most is None
                                        or row["first_action_days"] <= most))
        truth[cell] = truth.get(cell, 0) + 1
    rounded = {}
    for release in months:
        rounded |= {("c", *k.split("|")): v for k, v in release.concerns.items()}
        rounded |= {("m", *k.split("|")): v for k, v in release.mentions.items()}
        rounded |= {("b", *k.split("|")): v for k, v in release.first_action.items()}
    x = np.array([truth.get(c, 0) for c in program.cells])
    z = np.array([rounded.get(c, 0) // BASE for c in program.cells])
    assert program.holds(x, z)  # the attacker's model is right: the truth is a solution

    checks = {}
    for key, table in every_view(quarter):
        for (r, c) in table:
            ids = view_members(program.cells, key, r, c)
            if ids and sum(x[list(ids)]) < THRESHOLD:
                checks[ids] = (key, r, c)
    for i, cell in enumerate(program.cells):
        if finest and x[i] < THRESHOLD and (cell[0] == "b" or "ppt" in cell or "helsestasjon" in cell and cell[-1] == "3"):
            checks[(i,)] = cell
    narrow = []
    for ids, name in checks.items():
        true = int(sum(x[list(ids)]))
        least, most = program.span(ids, true)
        assert least <= true <= most, name
        if most - least < THRESHOLD - 1:
            narrow.append((name, true, (least, most)))
    assert len(checks) > (100 if finest else 50) and sum(1 for ids in checks if not sum(x[list(ids)])) > 10
    assert narrow == [], narrow[:10]
