"""Monthly activity per unit in the statistics releases (issue 34, item 3): concerns
by month × unit × level are the finest concern cells, rounded once at random to
a multiple of 5, and a unit kind's cells are their sums; logbook entries per unit
and month are a quantity of their own, rounded the same way. Attacked as the other
tables are: (a) one new concern and entry, (b) releases differenced, (c) an exact
integer program over every published number. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta
from uuid import uuid4

import numpy as np
import pytest

from events import clock
from events.concerns import CATEGORIES
from events.directory import UNIT_KINDS
from events.statistics import BASE, Period, StatisticsRelease, unit_activity
from intranet.statistics_releases import LEVELS, publish_due, releases
from projections.live import ProjectionRunner
from projections.suppression import THRESHOLD, TOTAL
from tests.test_statistics_releases import (CATEGORY_WEIGHTS, DELAY, FIRST, IntegerProgram, at, every_view,
                                             view_members)

MONTHS = 12
# Two barnehager and two schools (so a kind is a sum of units), one of the others.
UNITS = {"Solsikken": ("barnehage", 6), "Kløveren": ("barnehage", 4), "Fjordvik": ("skole", 8),
         "Bakken": ("skole", 4), "Helsestasjonen": ("helsestasjon", 6), "PPT": ("ppt", 1)}


class UnitWorld:
    """A year of concerns in six units, each with a few logbook entries in later months."""

    def __init__(self, domain, concerns_per_month: int = 25, seed: int = 30):
        self.domain = domain
        self.rng = random.Random(seed)
        self.author = uuid4()
        self.units = {name: domain.register_unit(name, kind) for name, (kind, _w) in UNITS.items()}
        self.concerns: list[tuple] = []  # (concern, registered month, kind, unit, categories, level)
        self.entries: list[tuple] = []  # (registered month, kind, unit)
        self.runner = ProjectionRunner(domain)
        self.view = self.runner["meetings"].view
        day = FIRST
        for _month in range(MONTHS):
            for _i in range(concerns_per_month):
                self.add_concern(day.replace(day=self.rng.randrange(1, 28)))
            day = (day + timedelta(days=32)).replace(day=1)
        self.runner.catch_up()

    def add_concern(self, day: date, unit: str | None = None, entries: int | None = None):
        rng = self.rng
        unit = unit or rng.choices(list(UNITS), [w for _k, w in UNITS.values()])[0]
        kind = UNITS[unit][0]
        categories = list(dict.fromkeys(rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=rng.choice([1, 1, 2]))))
        level = rng.choice([0, 0, 1, 2, 3])
        with clock.set_to(at(day)):
            child = self.domain.register_child(f"Barn{len(self.concerns)}", "Test", date(2016, 1, 1),
                                               self.units[unit])
            concern = self.domain.open_concern(child, self.author, day, "x", "", categories, 2)
            if level:
                self.domain.change_concern(concern, 1, self.author, lambda c: c.set_level(level, "tiltak"))
        self.concerns.append((concern, day.strftime("%Y-%m"), kind, unit, categories, level))
        # Entries in the logbook, some in the same month, some in the next.
        for _ in range(rng.choice([0, 0, 1, 2]) if entries is None else entries):
            later = day if entries is not None else day + timedelta(days=rng.choice([0, 20]))
            with clock.set_to(at(later, 11)):
                version = self.domain.get_concern(concern).version
                self.domain.log_observation(concern, version, self.author, later, "mer", "")
            self.entries.append((later.strftime("%Y-%m"), kind, unit))
        return concern

    def publish(self, today: date) -> list[Period]:
        self.runner.catch_up()
        return publish_due(self.domain, self.view, today, DELAY)

    def truth(self) -> dict[tuple, int]:
        """The true finest counts: ("u", month, kind, unit, level), ("m", month, category, kind, level)
        and ("l", month, kind, unit)."""
        truth: dict[tuple, int] = {}

        def add(key):
            truth[key] = truth.get(key, 0) + 1

        for _concern, month, kind, unit, categories, level in self.concerns:
            add(("u", month, kind, str(self.units[unit]), str(level)))
            for cat in categories:
                add(("m", month, cat, kind, str(level)))
        for month, kind, unit in self.entries:
            add(("l", month, kind, str(self.units[unit])))
        return truth


@pytest.fixture
def world(domain):
    return UnitWorld(domain)


def test_unit_cells_are_rounded_once_and_a_kind_is_the_sum_of_its_units(world):
    world.publish(date(2026, 7, 10))
    all_releases = releases(world.domain, world.view, date(2026, 7, 10))
    months = {r.period: r for r in all_releases if r.kind == "month"}
    assert len(months) == 18  # January 2025 to June 2026
    for release in all_releases:
        assert all(n % BASE == 0 and n > 0 for n in [*release.units.values(), *release.log_entries.values()])
        kinds: dict[str, int] = {}
        for key, n in release.units.items():
            month, kind, _unit, level = key.split("|")
            kinds[f"{month}|{kind}|{level}"] = kinds.get(f"{month}|{kind}|{level}", 0) + n
        assert kinds == release.concerns, (release.kind, release.period)
        for key, n in release.mentions.items():
            month, _cat, kind, level = key.split("|")
            assert n <= release.concerns.get(f"{month}|{kind}|{level}", 0)
        if release.kind != "month":  # (b) a quarter and a year are the sums of their months
            period = Period.parse(release.kind, release.period)
            summed_units, summed_entries = {}, {}
            for m in period.months:
                summed_units |= months[m].units
                summed_entries |= months[m].log_entries
            assert (release.units, release.log_entries) == (summed_units, summed_entries)
    # The activity table: per unit and month, concerns and logbook entries.
    activity = unit_activity(months["2026-03"])
    assert set(activity) <= {(str(u), "2026-03") for u in world.units.values()}
    assert all(c % BASE == 0 and e % BASE == 0 for c, e in activity.values())


def test_a_new_concern_and_entry_change_no_release_and_count_in_their_own_month(world):
    """(a) After June's release, one concern with an entry at the PPT (a unit of its own)."""
    world.publish(date(2026, 7, 10))
    before = {(r.kind, r.period): (r.version, r.units, r.log_entries)
              for r in releases(world.domain, world.view, date(2026, 7, 10))}
    world.add_concern(date(2026, 7, 14), unit="PPT", entries=1)
    old = world.concerns[3][0]  # from July 2025: an entry now counts in July 2026
    with clock.set_to(at(date(2026, 7, 16))):
        world.domain.log_observation(old, world.domain.get_concern(old).version, world.author,
                                     date(2026, 7, 16), "senere", "")
    assert world.publish(date(2026, 7, 20)) == []
    assert world.publish(date(2026, 8, 6)) == [Period.parse("month", "2026-07")]
    for release in releases(world.domain, world.view, date(2026, 8, 6)):
        if (release.kind, release.period) in before:
            assert (release.version, release.units, release.log_entries) == before[(release.kind, release.period)]
    july = world.domain.statistics_release("month", "2026-07")
    assert {k.split("|")[0] for k in [*july.units, *july.log_entries]} <= {"2026-07"}
    assert all(n % BASE == 0 for n in [*july.units.values(), *july.log_entries.values()])


def test_a_release_stored_before_units_were_counted_still_reads(domain):
    old = StatisticsRelease(kind="month", period="2024-01", published_on=date(2024, 2, 6),
                            concerns={"2024-01|skole|1": 5}, mentions={}, means={})
    created = old.pending_events[0]
    for field in ("units", "log_entries"):  # stored as a release was before they were counted
        object.__delattr__(created, field)
    domain.save(old)
    again = domain.statistics_release("month", "2024-01")
    assert (again.units, again.log_entries, again.concerns) == ({}, {}, {"2024-01|skole|1": 5})
    assert unit_activity(again) == {}


# -- (c) the exact solver, over every number of every release --------------------------------
def month_cells(month: str, units: list[tuple[str, str]]) -> list[tuple]:
    return ([("u", month, kind, unit, lv) for kind, unit in units for lv in LEVELS]
            + [("c", month, k, lv) for k in UNIT_KINDS for lv in LEVELS]
            + [("m", month, cat, k, lv) for cat in CATEGORIES for k in UNIT_KINDS for lv in LEVELS]
            + [("l", month, kind, unit) for kind, unit in units])


def activity_members(cells: list[tuple], unit: str, month: str, what: str) -> tuple[int, ...]:
    """The cells an activity number (a unit's concerns or entries in a month) is the sum of."""
    if what == "concerns":
        return tuple(i for i, c in enumerate(cells) if c[0] == "u" and c[1] == month and c[3] == unit)
    return tuple(i for i, c in enumerate(cells) if c[0] == "l" and c[1] == month and c[3] == unit)


class UnitMonthProgram(IntegerProgram):
    """The attacker's integer program for one month: the true counts x and the rounded
    values 5z of the unit cells, the mention cells and the entry cells, each within 4 of
    each other; a kind's cell is the sum of its units' (true and rounded); every number
    published (every view of the release, and the activity table) as a sum of 5z; a
    mention cell at most its kind cell (and so its rounded value: the published rule);
    every concern has at least one category."""

    def __init__(self, release: StatisticsRelease, units: list[tuple[str, str]]):
        self.cells = month_cells(release.period, units)
        n = self.n = len(self.cells)
        index = {c: i for i, c in enumerate(self.cells)}
        constraint = self.constraint

        for i, cell in enumerate(self.cells):
            if cell[0] != "c":  # rounded themselves
                constraint({i: 1, n + i: -BASE}, -(BASE - 1), BASE - 1)
        for cell in self.cells:
            if cell[0] == "c":
                members = [index[("u", cell[1], cell[2], u, cell[3])] for k, u in units if k == cell[2]]
                for offset in (0, n):  # true and rounded: the kind is the sum of its units
                    coeffs = {offset + i: 1 for i in members}
                    coeffs[offset + index[cell]] = -1
                    constraint(coeffs, 0, 0)
                coeffs = {index[("m", cell[1], cat, cell[2], cell[3])]: 1 for cat in CATEGORIES}
                coeffs[index[cell]] = -1
                constraint(coeffs, 0, np.inf)
            elif cell[0] == "m":
                ci, mi = index[("c", cell[1], cell[3], cell[4])], index[cell]
                constraint({mi: 1, ci: -1}, -np.inf, 0)
                constraint({n + mi: 1, n + ci: -1}, -np.inf, 0)
        for key, table in every_view(release):
            for (r, c), value in table.items():
                constraint({n + i: BASE for i in view_members(self.cells, key, r, c)}, value, value)
        for (unit, month), (concerns, entries) in full_activity(release, units).items():
            constraint({n + i: BASE for i in activity_members(self.cells, unit, month, "concerns")}, concerns, concerns)
            constraint({n + i: BASE for i in activity_members(self.cells, unit, month, "entries")}, entries, entries)
        self.constrain()


def full_activity(release: StatisticsRelease, units: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, int]]:
    """The activity table with every unit and month (an absent one published as 0, shown as <5)."""
    shown = unit_activity(release)
    return {(u, m): shown.get((u, m), (0, 0)) for _k, u in units for m in Period.parse(release.kind, release.period).months}


def test_an_exact_solver_recovers_no_small_count_of_a_unit(world):
    today = date(2026, 7, 10)
    world.publish(today)
    units = [(UNITS[name][0], str(uid)) for name, uid in world.units.items()]
    truth = world.truth()
    # A kind cell's truth is the sum of its units'.
    for (tag, month, kind, *rest), n in list(truth.items()):
        if tag == "u":
            truth[("c", month, kind, rest[1])] = truth.get(("c", month, kind, rest[1]), 0) + n
    all_releases = releases(world.domain, world.view, today)
    programs = {r.period: UnitMonthProgram(r, units) for r in all_releases if r.kind == "month"}
    for month, program in programs.items():
        release = world.domain.statistics_release("month", month)
        rounded = {("u", *k.split("|")): v for k, v in release.units.items()}
        rounded |= {("c", *k.split("|")): v for k, v in release.concerns.items()}
        rounded |= {("m", *k.split("|")): v for k, v in release.mentions.items()}
        rounded |= {("l", *k.split("|")): v for k, v in release.log_entries.items()}
        x = np.array([truth.get(c, 0) for c in program.cells])
        z = np.array([rounded.get(c, 0) // BASE for c in program.cells])
        assert program.holds(x, z), month  # the attacker's model is right: the truth is a solution

    narrow, checked = [], 0
    for release in all_releases:
        months = [m for m in Period.parse(release.kind, release.period).months if m in programs]
        # The activity table, and the unit-kind views (now sums of the units' cells).
        numbers = [(m, activity_members(programs[m].cells, u, m, what))
                   for m in months for _k, u in units for what in ("concerns", "entries")]
        for key, table in every_view(release):
            if "category" in key:
                continue  # mentions are rounded as before (tests/test_statistics_releases.py)
            for (r, c) in table:
                for m in months:
                    if key[0] == "month" and r not in (TOTAL, m) or key[1] == "month" and c not in (TOTAL, m):
                        continue
                    numbers.append((m, view_members(programs[m].cells, key, r, c)))
        kinds_with_units = {k for k, _u in units}
        for m, ids in numbers:
            program = programs[m]
            # A kind with no unit at all is known to be 0 from the directory, not from a release.
            ids = tuple(i for i in ids if program.cells[i][0] != "c" or program.cells[i][2] in kinds_with_units)
            if not ids:
                continue
            true = sum(truth.get(program.cells[i], 0) for i in ids)
            if true >= THRESHOLD:
                continue
            least, most = program.span(ids, true)
            checked += 1
            assert least <= true <= most
            if most - least < THRESHOLD - 1:
                narrow.append((release.kind, release.period, m, [program.cells[i] for i in ids][:3], true,
                               (least, most)))
    assert checked > 300
    assert narrow == [], narrow[:10]
