"""The leaders' statistics as releases: fixed calendar periods (a month, a quarter,
a year), computed once after the period has ended, and frozen as an event.

Why releases: a live page that recomputes on every request can be differenced
(the page before and after one new concern tells that concern's category,
level and unit type), and a window that rolls gives away the month that left
it. A release covers a period no other release of its kind covers, a concern
counts in the month it was registered, and nothing in a release changes after.

How the numbers are protected (the same for every view of every release):
- The finest table, concerns by month × unit type × BTI level and category
  mentions by month × category × unit type × level, is rounded once, cell by
  cell, to a multiple of 5 at random, unbiased: 3 becomes 5 with probability
  3/5 and 0 otherwise. A true 0 stays 0. Every number on the page (cells,
  margins, "I alt", "Sum av kategorier") is a sum of these rounded cells, so
  the tables add up and no combination of them says more than the rounded
  cells do: each true cell is somewhere within 4 of its rounded value.
- A mention cell is never rounded above its concern cell (a concern is counted
  once per category it has), so that known fact narrows nothing.
- A quarter and a year are the sums of their months' releases, not a new count:
  their differences with the months are zero and tell nothing.
- Concerns by month × unit × level are rounded the same way, and then a unit
  kind's cells are the sums of its units' rounded cells (not rounded again), so
  a kind against its units tells nothing new. Logbook entries by month × unit
  are a quantity of their own, rounded cell by cell.
- The days from a concern to its first action are published as counts in bands
  (a month's concerns with a first action by the day of publication, by band of
  days), rounded cell by cell like every other count, a quarter's and a year's
  the sums of their months'. Never an average: averages of the same concerns by
  month, category, unit type and level, and of a quarter against its months,
  bound the days of a group too small to be shown (the attack in
  tests/test_statistics_days.py), and an average near 0 bounds everyone's days.
- A published 0 is shown as "<5".
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from events.base import Record
from events.collaborations import CLOSING_REASONS

BASE = 5
MEAN_MIN = 10  # a share (of evaluations on time) is shown only where this many are behind it
# Days from a concern (as observed) to its first action: a conversation, a level, a
# measure, a referral. A band's count is a cell of its own, "month|band".
FIRST_ACTION_BANDS = (("0-7", 7), ("8-30", 30), ("31-90", 90), ("91+", None))
KINDS = ("month", "quarter", "year")
DEFAULT_DELAY_DAYS = 5  # BEKYMRING_RELEASE_AFTER_DAYS: late registrations and level changes settle
_rounding = random.SystemRandom()  # unpredictable: the release keeps only the rounded numbers


@dataclass(frozen=True, order=True)
class Period:
    """A closed calendar period: "2026-11", "2026-Q4" or "2026"."""

    start: date
    kind: str
    name: str

    @staticmethod
    def parse(kind: str, name: str) -> "Period":
        if kind == "month":
            year, month = name.split("-")
            return Period(date(int(year), int(month), 1), kind, f"{int(year):04d}-{int(month):02d}")
        if kind == "quarter":
            year, q = name.split("-Q")
            if not 1 <= int(q) <= 4:
                raise ValueError(name)
            return Period(date(int(year), 3 * int(q) - 2, 1), kind, f"{int(year):04d}-Q{int(q)}")
        if kind == "year":
            return Period(date(int(name), 1, 1), kind, f"{int(name):04d}")
        raise ValueError(kind)

    @property
    def months(self) -> list[str]:
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return [f"{self.start.year:04d}-{m:02d}" for m in range(self.start.month, self.start.month + count)]

    @property
    def end(self) -> date:
        """The first day after the period."""
        last = self.months[-1]
        year, month = int(last[:4]), int(last[5:])
        return date(year + month // 12, month % 12 + 1, 1)

    def due(self, today: date, delay_days: int) -> bool:
        return today >= self.end + timedelta(days=delay_days)


def periods_between(first_month: str, today: date) -> list[Period]:
    """Every month, quarter and year from the January of `first_month`'s year up to today
    (the months before the first concern are published empty, so the year adds up)."""
    year, month = int(first_month[:4]), 1
    out = []
    while date(year, month, 1) <= today:
        out.append(Period.parse("month", f"{year}-{month}"))
        if month % 3 == 0:
            out.append(Period.parse("quarter", f"{year}-Q{month // 3}"))
        if month == 12:
            out.append(Period.parse("year", str(year)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def release_id(kind: str, period: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"bekymring:statistics:{kind}:{period}")


def round_at_random(n: int, rng: random.Random = _rounding) -> int:
    """n to a multiple of 5, up with probability (n mod 5)/5: on average the true count."""
    low = n - n % BASE
    return low + BASE if rng.random() < (n % BASE) / BASE else low


def band_of(days: int, bands=FIRST_ACTION_BANDS) -> str:
    return next(name for name, most in bands if most is None or days <= most)


def cell_key(*parts: str) -> str:
    return "|".join(parts)


def round_month(concerns: dict[str, int], mentions: dict[str, int],
                rng: random.Random = _rounding) -> tuple[dict[str, int], dict[str, int]]:
    """One month's finest cells, rounded. Keys: "month|unit_kind|level" for concerns,
    "month|category|unit_kind|level" for mentions. Cells rounded to 0 are left out."""
    rounded = {key: round_at_random(n, rng) for key, n in concerns.items()}
    return {k: v for k, v in rounded.items() if v}, round_mentions(rounded, mentions, rng)


def round_mentions(rounded_concerns: dict[str, int], mentions: dict[str, int],
                   rng: random.Random = _rounding) -> dict[str, int]:
    """The category mentions, each rounded and never above its (rounded) concern cell."""
    out = {}
    for key, n in mentions.items():
        month, _category, kind, level = key.split("|")
        ceiling = rounded_concerns.get(cell_key(month, kind, level), 0)
        r = round_at_random(n, rng)
        # Never above the concern cell. A cell rounded itself has a floor at least n's; a
        # kind's cell summed from its units' rounded cells may not, and then it is the cap.
        out[key] = r if r <= ceiling else min(n - n % BASE, ceiling)
    return {k: v for k, v in out.items() if v}


def round_units(units: dict[str, int], rng: random.Random = _rounding) -> tuple[dict[str, int], dict[str, int]]:
    """A month's concerns by unit, "month|unit_kind|unit_id|level", each rounded once; and the
    unit kinds' cells, "month|unit_kind|level", as the sums of their units' rounded cells (so
    a kind against its units says nothing the units do not)."""
    rounded = {key: round_at_random(n, rng) for key, n in units.items()}
    kinds: dict[str, int] = {}
    for key, n in rounded.items():
        month, kind, _unit, level = key.split("|")
        kinds[cell_key(month, kind, level)] = kinds.get(cell_key(month, kind, level), 0) + n
    return {k: v for k, v in rounded.items() if v}, {k: v for k, v in kinds.items() if v}


def round_each(counts: dict[str, int], rng: random.Random = _rounding) -> dict[str, int]:
    """Cells of a quantity of their own (logbook entries by "month|unit_kind|unit_id"), each rounded."""
    rounded = {key: round_at_random(n, rng) for key, n in counts.items()}
    return {k: v for k, v in rounded.items() if v}


def unit_activity(release: StatisticsRelease) -> dict[tuple[str, str], tuple[int, int]]:
    """(unit id, month) -> (concerns, logbook entries), each a sum of the release's rounded
    cells; a unit and month with neither is absent (published as 0, shown as <5)."""
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for key, n in release.units.items():
        month, _kind, unit, _level = key.split("|")
        concerns, entries = out.get((unit, month), (0, 0))
        out[(unit, month)] = (concerns + n, entries)
    for key, n in release.log_entries.items():
        month, _kind, unit = key.split("|")
        concerns, entries = out.get((unit, month), (0, 0))
        out[(unit, month)] = (concerns, entries + n)
    return out


class StatisticsRelease(Record):
    """A published release: aggregate numbers only, never an id of a child or a concern."""

    @staticmethod
    def create_id(kind: str, period: str) -> UUID:
        return release_id(kind, period)

    def __init__(self, kind: str, period: str, published_on: date, concerns: dict[str, int],
                 mentions: dict[str, int], means: dict[str, dict[str, int]],
                 units: dict[str, int] | None = None, log_entries: dict[str, int] | None = None,
                 first_action: dict[str, int] | None = None):
        self.kind = kind
        self.period = period
        self.published_on = published_on
        self.concerns = concerns
        self.mentions = mentions
        # Averages of days: only in releases published before they were replaced by bands
        # (not shown: they could be differenced). The bands: "month|band", rounded.
        self.means = means
        # Concerns by unit and logbook entries by unit: none in releases published before they were counted.
        self.units = units or {}
        self.log_entries = log_entries or {}
        self.first_action = first_action or {}


# -- collaborations across services (issue 29) ----------------------------------------------
# Days from the concern (as observed) to the collaboration opened from it, in bands: a
# band is a count, rounded like every other cell, where a mean or a median of exact days
# moves with one child (issue 34: a mean moved 41 → 40 and bounded that child's days).
DAY_BANDS = (("0-30", 30), ("31-90", 90), ("91-180", 180), ("181+", None))
EVALUATIONS = ("on_time", "late")


def days_band(days: int) -> str:
    return band_of(days, DAY_BANDS)


def collaboration_cells(month: str) -> list[str]:
    """A month's finest collaboration cells: opened by band, ended by reason, and the
    evaluations due in the month, done on time or not. Every published number is a
    sum of these, rounded once, as the concerns' finest cells are."""
    return ([f"{month}|opened|{band}" for band, _most in DAY_BANDS]
            + [f"{month}|ended|{reason}" for reason in CLOSING_REASONS]
            + [f"{month}|due|{done}" for done in EVALUATIONS])


def collaboration_release_id(kind: str, period: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"bekymring:statistics:collaborations:{kind}:{period}")


class CollaborationStatistics(Record):
    """A published release of the collaborations' numbers for one period, beside the
    concerns' release of the same period: rounded cells only (collaboration_cells)."""

    @staticmethod
    def create_id(kind: str, period: str) -> UUID:
        return collaboration_release_id(kind, period)

    def __init__(self, kind: str, period: str, published_on: date, cells: dict[str, int]):
        self.kind = kind
        self.period = period
        self.published_on = published_on
        self.cells = cells
