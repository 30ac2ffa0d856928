"""Meeting series for lists, the series pages and the yearly wheel: ids, kinds,
rules, dates, the last date of an ended one, and who attends (unit, service and
user ids, of any of its changes). The place is free text, so it stays in the
events; `dates` reads it, and the time and who attend each date after a change,
from the series itself."""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

from events import recurrence
from events.series import Series
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables


class SeriesDate(NamedTuple):
    """One generated date of a series, and its meeting once planned."""

    on: date
    starts_at: str
    kind: str  # the arena (events/arenas.py)
    place: str
    series_id: UUID
    meeting_id: UUID | None


class SeriesTables(ViewTables):
    name = "series"
    version = 2  # 2: a series' last date (ends_on), and the members its changes add
    tables = {
        # starts_at: the latest change's; ends_on: the last date of an ended series
        "series": "id TEXT PRIMARY KEY, kind TEXT NOT NULL, rule TEXT NOT NULL, first_on TEXT NOT NULL, "
        "starts_at TEXT NOT NULL, leader_id TEXT NOT NULL, ends_on TEXT",
        # who a series invites, in any of its changes: member is 'unit', 'service' or 'user'
        "series_members": "series_id TEXT NOT NULL, member TEXT NOT NULL, value TEXT NOT NULL, "
        "PRIMARY KEY (member, value, series_id)",
        "series_meetings": "series_id TEXT NOT NULL, on_date TEXT NOT NULL, meeting_id TEXT NOT NULL, "
        "PRIMARY KEY (series_id, on_date)",
    }

    def all(self, limit: int = 200) -> list[dict]:
        """Every series (a municipality has tens), by kind and first date."""
        return self._rows("SELECT * FROM {series} ORDER BY kind, first_on, id LIMIT ?", (limit,))

    def of_unit(self, unit_id: UUID, limit: int = 200) -> list[dict]:
        return self._rows("SELECT s.* FROM {series} s JOIN {series_members} m ON m.series_id = s.id "
                          "WHERE m.member = 'unit' AND m.value = ? ORDER BY s.kind, s.first_on, s.id LIMIT ?",
                          (str(unit_id), limit))

    def planned(self, series_ids: list[str]) -> dict[tuple[str, str], str]:
        """(series, date) -> the meeting planned on it."""
        if not series_ids:
            return {}
        rows = self._rows("SELECT * FROM {series_meetings} WHERE series_id IN (%s)" % ", ".join("?" * len(series_ids)),
                          tuple(series_ids))
        return {(r["series_id"], r["on_date"]): r["meeting_id"] for r in rows}


class SQLiteSeriesView(SeriesTables, SQLiteView):
    pass


class PostgresSeriesView(SeriesTables, PostgresView):
    pass


class SeriesProjection(Projection):
    name = "series"
    views = (SQLiteSeriesView, PostgresSeriesView)

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Series.Created, c: Any) -> None:
        series_id = str(event.originator_id)
        c.execute(self.view.sql("INSERT INTO {series} (id, kind, rule, first_on, starts_at, leader_id) "
                                "VALUES (?, ?, ?, ?, ?, ?)"),
                  (series_id, event.kind, event.rule, event.first_on.isoformat(), event.starts_at,
                   str(event.leader_id)))
        self._add_members(event, c)

    def _add_members(self, event: Series.Created | Series.Changed, c: Any) -> None:
        members = ([("unit", str(u)) for u in event.unit_ids] + [("service", s) for s in event.services]
                   + [("user", str(u)) for u in event.invitee_ids])
        for member, value in members:
            c.execute(self.view.sql("INSERT INTO {series_members} (series_id, member, value) VALUES (?, ?, ?) "
                                    "ON CONFLICT DO NOTHING"), (str(event.originator_id), member, value))

    @process.register
    def _(self, event: Series.Changed, c: Any) -> None:
        # A change replaces those from its day on: it is the latest.
        c.execute(self.view.sql("UPDATE {series} SET starts_at = ? WHERE id = ?"),
                  (event.starts_at, str(event.originator_id)))
        self._add_members(event, c)

    @process.register
    def _(self, event: Series.Ended, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {series} SET ends_on = ? WHERE id = ?"),
                  (event.last_on.isoformat(), str(event.originator_id)))

    @process.register
    def _(self, event: Series.MeetingPlanned, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {series_meetings} (series_id, on_date, meeting_id) VALUES (?, ?, ?)"),
                  (str(event.originator_id), event.on.isoformat(), str(event.meeting_id)))

    def dates(self, start: date, end: date, unit_id: UUID | None = None) -> list[SeriesDate]:
        """Every date the series generate from `start` to `end`, none after an ended
        series' last date (those `unit_id` attends only, if given), the first first:
        what the yearly wheel shows. Each with the time and place it has after the
        series' changes."""
        rows = self.view.of_unit(unit_id) if unit_id else self.view.all()
        planned = self.view.planned([r["id"] for r in rows])
        found = []
        for row in rows:
            until = date.fromisoformat(row["ends_on"]) if row["ends_on"] else None
            days = recurrence.dates(row["rule"], date.fromisoformat(row["first_on"]), start, end, until=until)
            if not days:
                continue
            series = self.app.get_series(UUID(row["id"]))
            for day in days:
                settings = series.settings_on(day)
                if unit_id and unit_id not in settings.unit_ids:
                    continue  # a change took the unit out from before this date (or in from after it)
                meeting = planned.get((row["id"], day.isoformat()))
                found.append(SeriesDate(day, settings.starts_at, row["kind"], settings.place, UUID(row["id"]),
                                        UUID(meeting) if meeting else None))
        return sorted(found, key=lambda d: (d.on, d.starts_at, d.kind))
