"""Publishing the statistics releases that are due, and reading the views of one.

Releases are published by `intranet statistics publish` (run it from cron after
each month's end), and by the running app as well: the first time a leader opens
the statistics after a period has become due, it is published before the page is
shown. Either way it is published once (its id is the period), with the read
models caught up first, so the numbers are those of the day it was published."""

from __future__ import annotations

from datetime import date

from events.concerns import CATEGORIES
from events.directory import UNIT_KINDS
from events.statistics import (FIRST_ACTION_BANDS, CollaborationStatistics, Period, StatisticsRelease,
                               collaboration_cells, periods_between)
from projections.suppression import TOTAL

LEVELS = ("0", "1", "2", "3")


def due_periods(view, today: date, delay_days: int) -> list[Period]:
    """Every period that has ended at least `delay_days` ago, from the first concern's month."""
    first = view.first_month()
    if first is None:
        return []
    return [p for p in periods_between(first, today) if p.due(today, delay_days)]


def publish_due(domain, view, today: date, delay_days: int) -> list[Period]:
    """Publish what is due and not yet published (months before the quarters and
    years that are their sums). Returns what was published now."""
    published = []
    for period in sorted(due_periods(view, today, delay_days), key=lambda p: (p.end, len(p.months))):
        if domain.statistics_release(period.kind, period.name) is not None:
            continue
        if period.kind == "month":
            concerns, mentions = view.finest_counts(period.name)
            units, log_entries = view.unit_counts(period.name)
            domain.publish_month(period.name, concerns, mentions, today, units=units, log_entries=log_entries,
                                 first_action=view.first_action_counts(period.name))
        else:
            domain.publish_sum(period.kind, period.name, today)
        published.append(period)
    for period in sorted(due_periods(view, today, delay_days), key=lambda p: (p.end, len(p.months))):
        if domain.collaboration_release(period.kind, period.name) is not None:
            continue
        counts = view.collaboration_counts(period.name) if period.kind == "month" else {}
        domain.publish_collaborations(period.kind, period.name, counts, today)
        if period not in published:
            published.append(period)
    return published


def unpublished(domain, view, today: date, delay_days: int) -> bool:
    """Whether a release of a due period waits to be published (the concerns' or the collaborations')."""
    return any(domain.statistics_release(p.kind, p.name) is None or domain.collaboration_release(p.kind, p.name) is None
               for p in due_periods(view, today, delay_days))


def publish_if_due(state, today: date) -> None:
    """Publish what has become due, once, with the read models caught up first (a page
    asks on its first request after a period's end; `intranet statistics publish` too)."""
    view = state.projections["meetings"].view
    delay = state.settings.release_after_days
    if unpublished(state.domain, view, today, delay):
        state.projections.wait()  # the release counts what has been recorded until now
        publish_due(state.domain, view, today, delay)


def releases(domain, view, today: date) -> list[StatisticsRelease]:
    """Every published release, the newest period first (a year before its December)."""
    first = view.first_month()
    found = []
    for period in periods_between(first, today) if first else []:
        release = domain.statistics_release(period.kind, period.name)
        if release is not None:
            found.append((period, release))
    found.sort(key=lambda pr: (pr[0].end, len(pr[0].months)), reverse=True)
    return [release for _period, release in found]


def collaboration_releases(domain, view, today: date) -> list[CollaborationStatistics]:
    """Every published release of the collaborations' numbers, the newest period first."""
    first = view.first_month()
    found = [(p, domain.collaboration_release(p.kind, p.name)) for p in (periods_between(first, today) if first else [])]
    found.sort(key=lambda pr: (pr[0].end, len(pr[0].months)), reverse=True)
    return [release for _period, release in found if release is not None]


def collaboration_numbers(release: CollaborationStatistics) -> dict[str, int]:
    """Each cell of the release (collaboration_cells, without the period), and each
    table's total ("opened", "ended", "due"): sums of the rounded cells."""
    numbers = {cell.split("|", 1)[1]: release.cells.get(f"{release.period}|{cell.split('|', 1)[1]}", 0)
               for cell in collaboration_cells(release.period)}
    for table in ("opened", "ended", "due"):
        numbers[table] = sum(n for cell, n in numbers.items() if cell.startswith(table + "|"))
    return numbers


def first_action_numbers(release: StatisticsRelease) -> dict[str, int]:
    """Concerns of the release's period by band of days to their first action, and their
    total ("all"): each a sum of the release's rounded cells."""
    numbers = {band: 0 for band, _most in FIRST_ACTION_BANDS}
    for key, n in release.first_action.items():
        numbers[key.split("|")[1]] += n
    return numbers | {"all": sum(numbers.values())}


def values_of(dimension: str, release: StatisticsRelease) -> list[str]:
    return {
        "month": Period.parse(release.kind, release.period).months,
        "category": list(CATEGORIES),
        "unit_kind": list(UNIT_KINDS),
        "level": list(LEVELS),
    }[dimension]


def _cells(release: StatisticsRelease, uses_category: bool):
    """Each rounded finest cell as (its values by dimension, its count)."""
    if uses_category:
        for key, n in release.mentions.items():
            month, category, kind, level = key.split("|")
            yield {"month": month, "category": category, "unit_kind": kind, "level": level}, n
    else:
        for key, n in release.concerns.items():
            month, kind, level = key.split("|")
            yield {"month": month, "unit_kind": kind, "level": level}, n


def published_table(release: StatisticsRelease, row_dim: str, col_dim: str | None) -> dict[tuple[str, str], int]:
    """A breakdown (rows) by a filter (columns), with its margins (TOTAL), each number the
    sum of the release's rounded cells. Tables without the category count concerns;
    tables with it count mentions (a concern with two categories counts in both)."""
    rows = values_of(row_dim, release)
    cols = values_of(col_dim, release) if col_dim else []
    table = {(r, c): 0 for r in rows + [TOTAL] for c in cols + [TOTAL]}
    for values, n in _cells(release, "category" in (row_dim, col_dim)):
        r = values[row_dim]
        c = values[col_dim] if col_dim else None
        for row in (r, TOTAL):
            table[(row, TOTAL)] += n
            if c is not None:
                table[(row, c)] += n
    return table
