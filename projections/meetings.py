"""Resource-team meetings and cases for lists and the calendar, and the counts
behind the leaders' statistics. Ids, dates, kinds and statuses only; no text.

The statistics rows are keyed by an HMAC of the concern id (a blind index), so
their categories cannot be joined back to a concern or a child without the key.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events import clock
from events.collaborations import Collaboration
from events.concerns import Concern
from events.directory import Unit
from events.meetings import Meeting, MeetingCase
from events.referrals import Referral
from events.statistics import band_of, days_band
from projections.config import DEFAULTS, ReadModelConfig
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables


class MeetingTables(ViewTables):
    name = "meetings"
    tables = {
        "meetings": "id TEXT PRIMARY KEY, kind TEXT NOT NULL, held_on TEXT NOT NULL, "
        "approved {bool} NOT NULL, leader_id TEXT NOT NULL",
        # A table of its own, so that a read model from before meetings had a time
        # gains it when the server starts (CREATE IF NOT EXISTS), without a rebuild.
        "meeting_times": "meeting_id TEXT PRIMARY KEY, starts_at TEXT NOT NULL",
        "meeting_units": "meeting_id TEXT NOT NULL, unit_id TEXT NOT NULL, PRIMARY KEY (unit_id, meeting_id)",
        "meeting_services": "meeting_id TEXT NOT NULL, service TEXT NOT NULL, PRIMARY KEY (service, meeting_id)",
        # The people named to a meeting beyond its units and services (a table of its
        # own, like meeting_times: an older read model gains it without a rebuild).
        "meeting_invitees": "meeting_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (user_id, meeting_id)",
        # The meetings cancelled, and on which day (a table of its own, like meeting_times;
        # the reason is text, so it stays in the encrypted event: the page shows it).
        "meeting_cancellations": "meeting_id TEXT PRIMARY KEY, cancelled_on TEXT NOT NULL",
        "cases": "id TEXT PRIMARY KEY, meeting_id TEXT NOT NULL, concern_id TEXT NOT NULL, "
        "child_id TEXT NOT NULL, unit_id TEXT NOT NULL, mode TEXT NOT NULL",
        "units": "id TEXT PRIMARY KEY, kind TEXT NOT NULL",
        "stats": "key TEXT PRIMARY KEY, child_key TEXT NOT NULL, unit_kind TEXT NOT NULL, "
        "month TEXT NOT NULL, level INTEGER NOT NULL, opened_on TEXT NOT NULL, first_action_days INTEGER, "
        "unit_id TEXT NOT NULL",
        # One row per logbook entry, in the month it was registered, in its concern's unit.
        "stat_entries": "child_key TEXT NOT NULL, unit_id TEXT NOT NULL, unit_kind TEXT NOT NULL, month TEXT NOT NULL",
        "stat_categories": "key TEXT NOT NULL, category TEXT NOT NULL, PRIMARY KEY (key, category)",
        "stat_referrals": "referral_id TEXT PRIMARY KEY, key TEXT NOT NULL",
        # Collaborations across services: the month each was opened and ended, the band
        # of days from its concern, and each evaluation date of a measure (its month,
        # whether and when it was done). Keyed by blind indexes, like the concerns' rows.
        "stat_collaborations": "key TEXT PRIMARY KEY, child_key TEXT NOT NULL, opened_month TEXT NOT NULL, "
        "days_band TEXT NOT NULL, ended_month TEXT, closing_reason TEXT",
        "stat_evaluations": "key TEXT PRIMARY KEY, collaboration_key TEXT NOT NULL, child_key TEXT NOT NULL, "
        "measure INTEGER NOT NULL, due_on TEXT NOT NULL, due_month TEXT NOT NULL, evaluated_on TEXT, "
        "void {bool} NOT NULL DEFAULT 0",
    }
    # 2: collaborations' statistics (a store of version 1 never saw their events);
    # 3: concerns by unit, and logbook entries
    version = 3
    indexes = (
        "CREATE INDEX IF NOT EXISTS meetings_held ON {meetings} (held_on)",
        "CREATE INDEX IF NOT EXISTS cases_meeting ON {cases} (meeting_id)",
        "CREATE INDEX IF NOT EXISTS cases_child ON {cases} (child_id)",
        "CREATE INDEX IF NOT EXISTS stats_child ON {stats} (child_key)",
        "CREATE INDEX IF NOT EXISTS stat_evaluations_measure ON {stat_evaluations} (collaboration_key, measure)",
        "CREATE INDEX IF NOT EXISTS stat_entries_month ON {stat_entries} (month)",
        "CREATE INDEX IF NOT EXISTS stat_entries_child ON {stat_entries} (child_key)",
    )


    # A meeting's row with its time of day ("" when it has none) and the day it was
    # cancelled (None while it is not).
    MEETING = ("SELECT m.*, COALESCE(t.starts_at, '') AS starts_at, x.cancelled_on FROM {meetings} m "
               "LEFT JOIN {meeting_times} t ON t.meeting_id = m.id "
               "LEFT JOIN {meeting_cancellations} x ON x.meeting_id = m.id ")

    def for_unit(self, unit_id: UUID) -> list[dict]:
        return self._rows(self.MEETING + "JOIN {meeting_units} u ON u.meeting_id = m.id "
                          "WHERE u.unit_id = ? ORDER BY m.held_on DESC LIMIT 200", (str(unit_id),))

    def for_service(self, service: str) -> list[dict]:
        return self._rows(self.MEETING + "JOIN {meeting_services} s ON s.meeting_id = m.id "
                          "WHERE s.service = ? ORDER BY m.held_on DESC LIMIT 200", (service,))

    def invited(self, user_id: UUID) -> list[dict]:
        return self._rows(self.MEETING + "JOIN {meeting_invitees} i ON i.meeting_id = m.id "
                          "WHERE i.user_id = ? ORDER BY m.held_on DESC LIMIT 200", (str(user_id),))

    def led_by(self, user_id: UUID) -> list[dict]:
        return self._rows(self.MEETING + "WHERE m.leader_id = ? ORDER BY m.held_on DESC LIMIT 200",
                          (str(user_id),))

    def between(self, start: date, end: date) -> list[dict]:
        return self._rows(self.MEETING + "WHERE m.held_on >= ? AND m.held_on <= ? ORDER BY m.held_on, starts_at",
                          (start.isoformat(), end.isoformat()))

    def coming(self, since: date, limit: int) -> list[dict]:
        """Meetings held on or after `since`, the first first."""
        return self._rows(self.MEETING + "WHERE m.held_on >= ? ORDER BY m.held_on, m.id LIMIT ?",
                          (since.isoformat(), limit))

    def attending(self, meeting_id: UUID) -> tuple[list[UUID], list[str], list[UUID]]:
        """A meeting's units, the services attending it and the people named to it (what the policy asks)."""
        units = self.fetchall("SELECT unit_id FROM {meeting_units} WHERE meeting_id = ?", (str(meeting_id),))
        services = self.fetchall("SELECT service FROM {meeting_services} WHERE meeting_id = ?", (str(meeting_id),))
        invitees = self.fetchall("SELECT user_id FROM {meeting_invitees} WHERE meeting_id = ?", (str(meeting_id),))
        return ([UUID(r["unit_id"]) for r in units], [r["service"] for r in services],
                [UUID(r["user_id"]) for r in invitees])

    def approved(self, offset: int, limit: int) -> list[dict]:
        return self._rows("SELECT * FROM {meetings} WHERE approved = 1 ORDER BY held_on DESC LIMIT ? OFFSET ?",
                          (limit, offset))

    DIMENSIONS = {"month": "s.month", "unit_kind": "s.unit_kind", "level": "s.level", "category": "sc.category"}

    def finest_counts(self, month: str) -> tuple[dict[str, int], dict[str, int]]:
        """One month's concerns by unit type × level, and category mentions by category ×
        unit type × level (keys as events/statistics.py names them): what a release rounds."""
        concerns = self._rows("SELECT unit_kind, level, COUNT(*) AS n FROM {stats} WHERE month = ? "
                              "GROUP BY unit_kind, level", (month,))
        mentions = self._rows("SELECT sc.category, s.unit_kind, s.level, COUNT(*) AS n FROM {stats} s "
                              "JOIN {stat_categories} sc ON sc.key = s.key WHERE s.month = ? "
                              "GROUP BY sc.category, s.unit_kind, s.level", (month,))
        return ({f"{month}|{r['unit_kind']}|{r['level']}": r["n"] for r in concerns},
                {f"{month}|{r['category']}|{r['unit_kind']}|{r['level']}": r["n"] for r in mentions})

    def collaboration_counts(self, month: str) -> dict[str, int]:
        """One month's collaborations opened (by band of days from the concern), ended (by
        reason), and evaluations due (done by their date, or not): the cells a release rounds
        (events/statistics.py collaboration_cells). An evaluation not done by the time
        the month is published counts as not on time; one of a collaboration ended
        before its date does not count."""
        opened = self._rows("SELECT days_band AS v, COUNT(*) AS n FROM {stat_collaborations} WHERE opened_month = ? "
                            "GROUP BY days_band", (month,))
        ended = self._rows("SELECT closing_reason AS v, COUNT(*) AS n FROM {stat_collaborations} "
                           "WHERE ended_month = ? GROUP BY closing_reason", (month,))
        due = self._rows("SELECT CASE WHEN evaluated_on IS NOT NULL AND evaluated_on <= due_on THEN 'on_time' "
                         "ELSE 'late' END AS v, COUNT(*) AS n FROM {stat_evaluations} "
                         "WHERE due_month = ? AND void = 0 GROUP BY 1", (month,))
        return {f"{month}|{table}|{r['v']}": r["n"]
                for table, rows in (("opened", opened), ("ended", ended), ("due", due)) for r in rows}

    def unit_counts(self, month: str) -> tuple[dict[str, int], dict[str, int]]:
        """One month's concerns by unit type × unit × level, and logbook entries by unit type ×
        unit (keys as events/statistics.py names them)."""
        concerns = self._rows("SELECT unit_kind, unit_id, level, COUNT(*) AS n FROM {stats} WHERE month = ? "
                              "GROUP BY unit_kind, unit_id, level", (month,))
        entries = self._rows("SELECT unit_kind, unit_id, COUNT(*) AS n FROM {stat_entries} WHERE month = ? "
                             "GROUP BY unit_kind, unit_id", (month,))
        return ({f"{month}|{r['unit_kind']}|{r['unit_id']}|{r['level']}": r["n"] for r in concerns},
                {f"{month}|{r['unit_kind']}|{r['unit_id']}": r["n"] for r in entries})

    def first_action_counts(self, month: str) -> dict[str, int]:
        """One month's concerns with a first action by now, by band of days to it
        ("month|band", events/statistics.py FIRST_ACTION_BANDS): what a release rounds."""
        rows = self._rows("SELECT first_action_days AS d, COUNT(*) AS n FROM {stats} WHERE month = ? "
                          "AND first_action_days IS NOT NULL GROUP BY first_action_days", (month,))
        out: dict[str, int] = {}
        for r in rows:
            key = f"{month}|{band_of(r['d'])}"
            out[key] = out.get(key, 0) + r["n"]
        return out

    def first_month(self) -> str | None:
        """The earliest month a concern was registered in."""
        rows = self._rows("SELECT MIN(month) AS m FROM {stats}", ())
        return rows[0]["m"] if rows and rows[0]["m"] else None

    def first_action_between(self, row_dim: str, first: str, last: str) -> dict[str, tuple[int, float | None]]:
        """Per row, for concerns registered from month `first` to `last`: how many had a
        first action, and the average days to it."""
        row_expr = self.DIMENSIONS[row_dim]
        join = " JOIN {stat_categories} sc ON sc.key = s.key" if row_dim == "category" else ""
        rows = self._rows(
            f"SELECT {row_expr} AS r, COUNT(s.first_action_days) AS n, AVG(s.first_action_days) AS d "
            f"FROM {{stats}} s{join} WHERE s.month >= ? AND s.month <= ? GROUP BY {row_expr}", (first, last))
        return {str(r["r"]): (r["n"], r["d"]) for r in rows}


class SQLiteMeetingView(MeetingTables, SQLiteView):
    # Days from a stats row's opened_on to the date given, never below 0.
    days_since_opened = "MAX(0, CAST(julianday(?) - julianday(opened_on) AS INTEGER))"


class PostgresMeetingView(MeetingTables, PostgresView):
    days_since_opened = "GREATEST(0, CAST(? AS DATE) - CAST(opened_on AS DATE))"


class MeetingProjection(Projection):
    name = "meetings"
    views = (SQLiteMeetingView, PostgresMeetingView)

    def __init__(self, view: Any, app: Any, config: ReadModelConfig = DEFAULTS):
        super().__init__(view, app, config)
        # A unit's kind, as its Unit.Created said (a kind never changes): a
        # concern's statistics row needs it, and asking the view for it cost a
        # round trip per concern on PostgreSQL.
        self._unit_kinds: dict[str, str] = {}

    def key(self, concern_id: UUID) -> str:
        return self.app.blind_index(f"stat:{concern_id}")

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Unit.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {units} (id, kind) VALUES (?, ?)"), (str(event.originator_id), event.kind))
        self._unit_kinds[str(event.originator_id)] = event.kind

    @process.register
    def _(self, event: Meeting.Created, c: Any) -> None:
        meeting_id = str(event.originator_id)
        c.execute(self.view.sql("INSERT INTO {meetings} (id, kind, held_on, approved, leader_id) VALUES (?, ?, ?, 0, ?)"),
                  (meeting_id, event.kind, event.held_on.isoformat(), str(event.leader_id)))
        if getattr(event, "starts_at", ""):  # none in events from before meetings had a time
            c.execute(self.view.sql("INSERT INTO {meeting_times} (meeting_id, starts_at) VALUES (?, ?)"),
                      (meeting_id, event.starts_at))
        for unit_id in event.unit_ids:
            c.execute(self.view.sql("INSERT INTO {meeting_units} (meeting_id, unit_id) VALUES (?, ?)"), (meeting_id, str(unit_id)))
        for service in event.services:
            c.execute(self.view.sql("INSERT INTO {meeting_services} (meeting_id, service) VALUES (?, ?)"), (meeting_id, service))
        for user_id in getattr(event, "invitee_ids", None) or []:  # none before meetings named people
            c.execute(self.view.sql("INSERT INTO {meeting_invitees} (meeting_id, user_id) VALUES (?, ?)"),
                      (meeting_id, str(user_id)))

    @process.register
    def _(self, event: Meeting.MinutesApproved, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {meetings} SET approved = 1 WHERE id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Meeting.Cancelled, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {meeting_cancellations} (meeting_id, cancelled_on) VALUES (?, ?)"),
                  (str(event.originator_id), event.on.isoformat()))

    @process.register
    def _(self, event: MeetingCase.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {cases} (id, meeting_id, concern_id, child_id, unit_id, mode) VALUES (?, ?, ?, ?, ?, ?)"),
                  (str(event.originator_id), str(event.meeting_id), str(event.concern_id), str(event.child_id),
                   str(event.unit_id), event.mode))

    # -- statistics ------------------------------------------------------------------------
    @process.register
    def _(self, event: Concern.Created, c: Any) -> None:
        key = self.key(event.originator_id)
        c.execute(self.view.sql("INSERT INTO {stats} (key, child_key, unit_kind, month, level, opened_on, unit_id) "
                                "VALUES (?, ?, ?, ?, 0, ?, ?)"),
                  (key, self.app.blind_index(f"stat-child:{event.child_id}"), self._unit_kind(c, str(event.unit_id)),
                   # Counted in the month it was registered, so a concern entered late
                   # (observed long before) never changes a release already published.
                   clock.day_of(event.timestamp).strftime("%Y-%m"), event.observed_on.isoformat(),
                   str(event.unit_id)))
        for category in dict.fromkeys(event.categories):
            c.execute(self.view.sql("INSERT INTO {stat_categories} (key, category) VALUES (?, ?)"), (key, category))

    def _unit_kind(self, c: Any, unit_id: str) -> str:
        kind = self._unit_kinds.get(unit_id)
        if kind is None:  # a unit this object has not seen created (applied by another process)
            c.execute(self.view.sql("SELECT kind FROM {units} WHERE id = ?"), (unit_id,))
            unit = c.fetchone()
            if unit is None:
                return "ukjent"
            kind = self._unit_kinds[unit_id] = unit["kind"]
        return kind

    @process.register
    def _(self, event: Concern.ObservationLogged, c: Any) -> None:
        """A logbook entry, counted in the month it was registered, in its concern's unit."""
        c.execute(self.view.sql("INSERT INTO {stat_entries} (child_key, unit_id, unit_kind, month) "
                                "SELECT child_key, unit_id, unit_kind, ? FROM {stats} WHERE key = ?"),
                  (clock.day_of(event.timestamp).strftime("%Y-%m"), self.key(event.originator_id)))

    @process.register
    def _(self, event: Concern.LevelSet, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {stats} SET level = ? WHERE key = ?"), (event.level, self.key(event.originator_id)))
        self._first_action_of(c, event.originator_id, clock.day_of(event.timestamp))

    @process.register
    def _(self, event: Concern.GuardianTalkRecorded, c: Any) -> None:
        self._first_action_of(c, event.originator_id, event.held_on)

    @process.register
    def _(self, event: Concern.MeasureAdded, c: Any) -> None:
        self._first_action_of(c, event.originator_id, clock.day_of(event.timestamp))

    @process.register
    def _(self, event: Referral.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {stat_referrals} (referral_id, key) VALUES (?, ?)"),
                  (str(event.originator_id), self.key(event.concern_id)))

    @process.register
    def _(self, event: Referral.Sent, c: Any) -> None:
        self._first_action(c, event.on, "(SELECT key FROM {stat_referrals} WHERE referral_id = ?)",
                           str(event.originator_id))

    def _first_action(self, c: Any, on: date, key_sql: str, key: str) -> None:
        """Days from the concern to its first action (a level, a conversation, a
        measure, a referral), if it has none yet. One statement, no reading back:
        on PostgreSQL a read costs a round trip, which a rebuild pays per event."""
        c.execute(self.view.sql(f"UPDATE {{stats}} SET first_action_days = {self.view.days_since_opened} "
                                f"WHERE key = {key_sql} AND first_action_days IS NULL"), (on.isoformat(), key))

    def _first_action_of(self, c: Any, concern_id: UUID, on: date) -> None:
        self._first_action(c, on, "?", self.key(concern_id))

    # -- collaborations' statistics -----------------------------------------------------------
    @process.register
    def _(self, event: Collaboration.Created, c: Any) -> None:
        c.execute(self.view.sql("SELECT opened_on FROM {stats} WHERE key = ?"), (self.key(event.concern_id),))
        concern = c.fetchone()
        if concern is None:  # its concern erased: not counted, as the concern is not
            return
        days = max(0, (event.opened_on - date.fromisoformat(concern["opened_on"])).days)
        c.execute(self.view.sql("INSERT INTO {stat_collaborations} (key, child_key, opened_month, days_band) "
                                "VALUES (?, ?, ?, ?)"),
                  (self._collaboration_key(event.originator_id), self._child_key(event.child_id),
                   event.opened_on.strftime("%Y-%m"), days_band(days)))

    @process.register
    def _(self, event: Collaboration.MeasureAdded, c: Any) -> None:
        # Measures are numbered in the order added, and each has a row from its first.
        self._evaluation_due(c, event, None, event.evaluate_on)

    @process.register
    def _(self, event: Collaboration.MeasureEvaluated, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {stat_evaluations} SET evaluated_on = ? WHERE collaboration_key = ? "
                                "AND measure = ? AND evaluated_on IS NULL AND void = 0"),
                  (event.evaluated_on.isoformat(), self._collaboration_key(event.originator_id), event.no))
        if event.next_evaluation is not None:
            self._evaluation_due(c, event, event.no, event.next_evaluation)

    def _evaluation_due(self, c: Any, event: Any, measure: int | None, on: date) -> None:
        """An evaluation date of measure number `measure` (None: a new measure's first)."""
        collaboration_key = self._collaboration_key(event.originator_id)
        c.execute(self.view.sql("SELECT child_key FROM {stat_collaborations} WHERE key = ?"), (collaboration_key,))
        row = c.fetchone()
        if row is None:  # not counted (its concern erased)
            return
        number = measure if measure is not None else self._measure_count(c, collaboration_key) + 1
        c.execute(self.view.sql("INSERT INTO {stat_evaluations} (key, collaboration_key, child_key, measure, due_on, "
                                "due_month) VALUES (?, ?, ?, ?, ?, ?)"),
                  (self.app.blind_index(f"stat-evaluation:{event.originator_id}:{event.originator_version}"),
                   collaboration_key, row["child_key"], number, on.isoformat(), on.strftime("%Y-%m")))

    def _measure_count(self, c: Any, collaboration_key: str) -> int:
        c.execute(self.view.sql("SELECT COUNT(DISTINCT measure) AS n FROM {stat_evaluations} "
                                "WHERE collaboration_key = ?"), (collaboration_key,))
        return c.fetchone()["n"]

    @process.register
    def _(self, event: Collaboration.Closed, c: Any) -> None:
        key = self._collaboration_key(event.originator_id)
        c.execute(self.view.sql("UPDATE {stat_collaborations} SET ended_month = ?, closing_reason = ? WHERE key = ?"),
                  (event.on.strftime("%Y-%m"), event.reason, key))
        # Evaluations planned after the end were never due.
        c.execute(self.view.sql("UPDATE {stat_evaluations} SET void = 1 WHERE collaboration_key = ? "
                                "AND evaluated_on IS NULL AND due_on > ?"), (key, event.on.isoformat()))

    def _collaboration_key(self, collaboration_id: UUID) -> str:
        return self.app.blind_index(f"stat-collaboration:{collaboration_id}")

    def _child_key(self, child_id: UUID) -> str:
        return self.app.blind_index(f"stat-child:{child_id}")

    # -- erasure ---------------------------------------------------------------------------
    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        c.execute(self.view.sql("DELETE FROM {cases} WHERE child_id = ?"), (str(child_id),))
        child_key = self.app.blind_index(f"stat-child:{child_id}")
        c.execute(self.view.sql("DELETE FROM {stat_categories} WHERE key IN (SELECT key FROM {stats} WHERE child_key = ?)"),
                  (child_key,))
        c.execute(self.view.sql("DELETE FROM {stat_referrals} WHERE key IN (SELECT key FROM {stats} WHERE child_key = ?)"),
                  (child_key,))
        c.execute(self.view.sql("DELETE FROM {stat_entries} WHERE child_key = ?"), (child_key,))
        c.execute(self.view.sql("DELETE FROM {stats} WHERE child_key = ?"), (child_key,))
        c.execute(self.view.sql("DELETE FROM {stat_collaborations} WHERE child_key = ?"), (child_key,))
        c.execute(self.view.sql("DELETE FROM {stat_evaluations} WHERE child_key = ?"), (child_key,))
