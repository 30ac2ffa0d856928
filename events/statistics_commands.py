"""Publishing the leaders' statistics releases (events/statistics.py), mixed into the
one application. A release is published once: publishing it again changes nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events.commands import CommandMixin
from events.errors import DomainError, NotFound
from events.statistics import (CollaborationStatistics, Period, StatisticsRelease, collaboration_release_id,
                               release_id, round_at_random, round_each, round_mentions, round_month, round_units)


class StatisticsCommands(CommandMixin):
    def statistics_release(self, kind: str, period: str) -> StatisticsRelease | None:
        """The release, or None if it has not been published."""
        try:
            return self._get(StatisticsRelease, release_id(kind, period))
        except NotFound:
            return None

    def publish_month(self, month: str, concerns: dict[str, int], mentions: dict[str, int], today: date,
                      units: dict[str, int] | None = None, log_entries: dict[str, int] | None = None,
                      first_action: dict[str, int] | None = None) -> UUID:
        """Round a month's exact counts once and freeze them; the exact counts are not kept.
        With `units` (concerns by unit), the unit kinds' cells are the sums of the units'
        rounded cells, and `concerns` (the same concerns by kind) is not needed.
        `first_action`: concerns by band of days to their first action ("month|band")."""
        period = Period.parse("month", month)
        if not period.due(today, 0):
            raise DomainError("statistics.period_not_ended")
        existing = self.statistics_release("month", period.name)
        if existing is not None:
            return existing.id
        if units is None:
            rounded_units: dict[str, int] = {}
            rounded, rounded_mentions = round_month(concerns, mentions)
        else:
            rounded_units, rounded = round_units(units)
            rounded_mentions = round_mentions(rounded, mentions)
        return self._save_release(StatisticsRelease(
            kind="month", period=period.name, published_on=today, concerns=rounded, mentions=rounded_mentions,
            means={}, units=rounded_units, log_entries=round_each(log_entries or {}),
            first_action=round_each(first_action or {})))

    def publish_sum(self, kind: str, name: str, today: date) -> UUID:
        """A quarter or a year: the sum of its months' releases (each month must be published),
        so that no difference between it and them tells anything new."""
        period = Period.parse(kind, name)
        if kind == "month" or not period.due(today, 0):
            raise DomainError("statistics.period_not_ended")
        existing = self.statistics_release(kind, period.name)
        if existing is not None:
            return existing.id
        concerns: dict[str, int] = {}
        mentions: dict[str, int] = {}
        units: dict[str, int] = {}
        log_entries: dict[str, int] = {}
        first_action: dict[str, int] = {}
        for month in period.months:
            release = self.statistics_release("month", month)
            if release is None:
                raise DomainError("statistics.month_missing")
            concerns.update(release.concerns)
            mentions.update(release.mentions)
            units.update(release.units)
            log_entries.update(release.log_entries)
            first_action.update(release.first_action)
        return self._save_release(StatisticsRelease(
            kind=kind, period=period.name, published_on=today, concerns=concerns, mentions=mentions, means={},
            units=units, log_entries=log_entries, first_action=first_action))

    def collaboration_release(self, kind: str, period: str) -> CollaborationStatistics | None:
        """The collaborations' release of the period, or None if it has not been published."""
        try:
            return self._get(CollaborationStatistics, collaboration_release_id(kind, period))
        except NotFound:
            return None

    def publish_collaborations(self, kind: str, name: str, counts: dict[str, int], today: date) -> UUID:
        """A month: its exact cells (collaboration_cells) rounded once, each on its own
        (they are disjoint: no cell bounds another). A quarter or a year: the sum of
        its months' releases, each of which must be published (`counts` unused)."""
        period = Period.parse(kind, name)
        if not period.due(today, 0):
            raise DomainError("statistics.period_not_ended")
        existing = self.collaboration_release(kind, period.name)
        if existing is not None:
            return existing.id
        if kind == "month":
            cells = {key: round_at_random(n) for key, n in counts.items()}
        else:
            cells = {}
            for month in period.months:
                release = self.collaboration_release("month", month)
                if release is None:
                    raise DomainError("statistics.month_missing")
                for key, n in release.cells.items():
                    summed = f"{period.name}|{key.split('|', 1)[1]}"
                    cells[summed] = cells.get(summed, 0) + n
        return self._save_release(CollaborationStatistics(kind=kind, period=period.name, published_on=today,
                                                          cells={k: v for k, v in cells.items() if v}))

    def _save_release(self, release: StatisticsRelease | CollaborationStatistics) -> UUID:
        try:
            self.save(release)
        except VersionConflict:
            pass  # published at the same moment by another process: theirs stands
        return release.id
