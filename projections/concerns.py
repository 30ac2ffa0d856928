"""The concerns read model: lists, inboxes and overdue items.

It holds ids, dates, statuses and levels only. The text lives in the encrypted
events and is read from the aggregate when a concern is shown.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.children import Child
from events.concerns import GUARDIAN_TALK_DAYS, Concern
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

COLUMNS = "id, child_id, unit_id, author_id, status, level, opened_on, talk_due_on, talk_held_on, updated_at"
VISIBLE = "c.restricted = 0"  # a restricted child's concerns leave every list


class ConcernTables(ViewTables):
    name = "concerns"
    tables = {
        "concerns": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "author_id TEXT NOT NULL, status TEXT NOT NULL, level INTEGER NOT NULL, "
        "opened_on TEXT NOT NULL, talk_due_on TEXT, talk_held_on TEXT, updated_at TEXT NOT NULL, "
        "restricted {bool} NOT NULL DEFAULT 0",
        "members": "concern_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (user_id, concern_id)",
        "measures": "concern_id TEXT NOT NULL, no INTEGER NOT NULL, evaluate_on TEXT NOT NULL, "
        "evaluated {bool} NOT NULL, PRIMARY KEY (concern_id, no)",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS concerns_unit ON {concerns} (unit_id, status, updated_at)",
        "CREATE INDEX IF NOT EXISTS concerns_child ON {concerns} (child_id)",
        "CREATE INDEX IF NOT EXISTS concerns_talk_due ON {concerns} (status, talk_held_on, talk_due_on)",
        "CREATE INDEX IF NOT EXISTS concerns_members_concern ON {members} (concern_id)",
        "CREATE INDEX IF NOT EXISTS concerns_measures_due ON {measures} (evaluated, evaluate_on)",
    )

    # -- queries ---------------------------------------------------------------------
    def mine(self, user_id: UUID, status: str, offset: int, limit: int) -> list[dict]:
        return self._rows(
            "SELECT c.* FROM {concerns} c JOIN {members} m ON m.concern_id = c.id "
            f"WHERE m.user_id = ? AND c.status = ? AND {VISIBLE} ORDER BY c.updated_at DESC, c.id LIMIT ? OFFSET ?",
            (str(user_id), status, limit, offset),
        )

    def in_unit(self, unit_id: UUID, status: str, offset: int, limit: int) -> list[dict]:
        return self._rows(
            f"SELECT * FROM {{concerns}} c WHERE unit_id = ? AND status = ? AND {VISIBLE} "
            "ORDER BY updated_at DESC, id LIMIT ? OFFSET ?",
            (str(unit_id), status, limit, offset),
        )

    def for_children(self, child_ids: list[UUID]) -> list[dict]:
        if not child_ids:
            return []
        marks = ", ".join("?" for _ in child_ids)
        return self._rows(
            f"SELECT * FROM {{concerns}} c WHERE child_id IN ({marks}) AND {VISIBLE} ORDER BY updated_at DESC",
            tuple(str(i) for i in child_ids),
        )

    def opened_since(self, unit_id: UUID, since: date, limit: int) -> list[dict]:
        """The unit's open concerns about something seen on or after `since`, newest first."""
        return self._rows(
            f"SELECT * FROM {{concerns}} c WHERE unit_id = ? AND status = 'open' AND {VISIBLE} AND opened_on >= ? "
            "ORDER BY opened_on DESC, id LIMIT ?",
            (str(unit_id), since.isoformat(), limit),
        )

    def talks_overdue(self, today: date, scope: str, scope_id: UUID, limit: int = 100) -> list[dict]:
        """Open concerns with no conversation with the guardians by its due date."""
        return self.talks_due_before(today, scope, scope_id, limit)

    def measures_overdue(self, today: date, scope: str, scope_id: UUID, limit: int = 100) -> list[dict]:
        """Measures past their evaluation date and not evaluated, in open concerns."""
        return self.measures_due_before(today, scope, scope_id, limit)

    def talks_due_before(self, day: date, scope: str, scope_id: UUID, limit: int = 100) -> list[dict]:
        """Open concerns whose conversation with the guardians, not yet held, was due before `day`."""
        return self._rows(
            f"SELECT c.* FROM {{concerns}} c {self._scope_join(scope)} "
            f"c.status = 'open' AND {VISIBLE} AND c.talk_held_on IS NULL AND c.talk_due_on < ? "
            "ORDER BY c.talk_due_on LIMIT ?",
            (str(scope_id), day.isoformat(), limit),
        )

    def measures_due_before(self, day: date, scope: str, scope_id: UUID, limit: int = 100) -> list[dict]:
        """Measures in open concerns, not evaluated, whose evaluation was due before `day`."""
        return self._rows(
            f"SELECT c.*, ms.no AS measure_no, ms.evaluate_on FROM {{concerns}} c "
            f"JOIN {{measures}} ms ON ms.concern_id = c.id {self._scope_join(scope)} "
            f"c.status = 'open' AND {VISIBLE} AND ms.evaluated = 0 AND ms.evaluate_on < ? "
            "ORDER BY ms.evaluate_on LIMIT ?",
            (str(scope_id), day.isoformat(), limit),
        )

    def one(self, concern_id: UUID) -> dict | None:
        """One concern's row, unless its child is restricted."""
        rows = self._rows(f"SELECT * FROM {{concerns}} c WHERE id = ? AND {VISIBLE}", (str(concern_id),))
        return rows[0] if rows else None

    def members(self, concern_id: UUID) -> list[UUID]:
        rows = self.fetchall("SELECT user_id FROM {members} WHERE concern_id = ?", (str(concern_id),))
        return [UUID(r["user_id"]) for r in rows]

    @staticmethod
    def _scope_join(scope: str) -> str:
        if scope == "member":
            return "JOIN {members} m ON m.concern_id = c.id WHERE m.user_id = ? AND"
        return "WHERE c.unit_id = ? AND"



class SQLiteConcernView(ConcernTables, SQLiteView):
    pass


class PostgresConcernView(ConcernTables, PostgresView):
    pass


class ConcernProjection(Projection):
    name = "concerns"
    views = (SQLiteConcernView, PostgresConcernView)


    def _touch(self, c: Any, event: Any, **columns: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in ["updated_at", *columns])
        c.execute(
            self.view.sql(f"UPDATE {{concerns}} SET {sets} WHERE id = ?"),
            (event.timestamp.isoformat(), *columns.values(), str(event.originator_id)),
        )

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Concern.Created, c: Any) -> None:
        urgent = any(cat in ("violence", "sexual_abuse") for cat in event.categories)
        # With suspected violence or abuse the guardians are not to be told first.
        due = None if urgent else (event.observed_on + timedelta(days=GUARDIAN_TALK_DAYS)).isoformat()
        c.execute(
            self.view.sql(f"INSERT INTO {{concerns}} ({COLUMNS}) VALUES (?, ?, ?, ?, 'open', 0, ?, ?, NULL, ?)"),
            (str(event.originator_id), str(event.child_id), str(event.unit_id), str(event.author_id),
             event.observed_on.isoformat(), due, event.timestamp.isoformat()),
        )
        self._member(c, event.originator_id, event.author_id, add=True)

    def _member(self, c: Any, concern_id: UUID, user_id: UUID, add: bool) -> None:
        if add:
            c.execute(self.view.sql("INSERT INTO {members} (concern_id, user_id) VALUES (?, ?)"),
                      (str(concern_id), str(user_id)))
        else:
            c.execute(self.view.sql("DELETE FROM {members} WHERE concern_id = ? AND user_id = ?"),
                      (str(concern_id), str(user_id)))

    @process.register
    def _(self, event: Concern.ObservationLogged, c: Any) -> None:
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.EntryCorrected, c: Any) -> None:
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.AdviceReceived, c: Any) -> None:
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.StepMarked, c: Any) -> None:
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.GuardianTalkCorrected, c: Any) -> None:
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.LevelSet, c: Any) -> None:
        self._touch(c, event, level=event.level)

    @process.register
    def _(self, event: Concern.GuardianTalkRecorded, c: Any) -> None:
        # The first conversation counts for the deadline.
        c.execute(
            self.view.sql("UPDATE {concerns} SET talk_held_on = COALESCE(talk_held_on, ?) WHERE id = ?"),
            (event.held_on.isoformat(), str(event.originator_id)),
        )
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.MeasureAdded, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {measures} (concern_id, no, evaluate_on, evaluated) VALUES (?, (SELECT COUNT(*) + 1 FROM {measures} WHERE concern_id = ?), ?, 0)"),
            (str(event.originator_id), str(event.originator_id), event.evaluate_on.isoformat()),
        )
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.MeasureEvaluated, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {measures} SET evaluated = 1 WHERE concern_id = ? AND no = ?"),
            (str(event.originator_id), event.no),
        )
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.Shared, c: Any) -> None:
        self._member(c, event.originator_id, event.user_id, add=True)
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.Unshared, c: Any) -> None:
        self._member(c, event.originator_id, event.user_id, add=False)
        self._touch(c, event)

    @process.register
    def _(self, event: Concern.Closed, c: Any) -> None:
        self._touch(c, event, status="closed")

    @process.register
    def _(self, event: Concern.Reopened, c: Any) -> None:
        self._touch(c, event, status="open")

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {concerns} SET restricted = 1 WHERE child_id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {concerns} SET restricted = 0 WHERE child_id = ?"), (str(event.originator_id),))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        for table in ("members", "measures"):
            c.execute(
                self.view.sql(f"DELETE FROM {{{table}}} WHERE concern_id IN "
                              "(SELECT id FROM {concerns} WHERE child_id = ?)"),
                (str(child_id),),
            )
        c.execute(self.view.sql("DELETE FROM {concerns} WHERE child_id = ?"), (str(child_id),))
