"""Collaborations across services, as far as the lists need them: ids, the
opening unit, the member services, status and times. The plan stays in the
encrypted events; who may see a row is the policy's say at each request."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.children import Child
from events.collaborations import Collaboration
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

VISIBLE = "restricted = 0"  # a restricted child's collaborations leave every list


class CollaborationTables(ViewTables):
    name = "collaborations"
    tables = {
        "collaborations": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "concern_id TEXT NOT NULL, services TEXT NOT NULL, status TEXT NOT NULL, opened_at TEXT NOT NULL, "
        "updated_at TEXT NOT NULL, restricted {bool} NOT NULL DEFAULT 0",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS collaborations_unit ON {collaborations} (unit_id, updated_at)",
        "CREATE INDEX IF NOT EXISTS collaborations_concern ON {collaborations} (concern_id)",
    )

    def involving(self, unit_id: UUID | None, services: list[str], limit: int) -> list[dict]:
        """Opened by the unit, or with one of `services` as a member (`services`
        is stored as ",a,b,"): the candidates the policy then filters, newest first."""
        where = ["unit_id = ?"] + ["services LIKE ?" for _ in services]
        args = [str(unit_id)] + [f"%,{s},%" for s in services]
        return self._rows(
            f"SELECT * FROM {{collaborations}} WHERE ({' OR '.join(where)}) AND {VISIBLE} "
            "ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, updated_at DESC, id LIMIT ?", (*args, limit))

    def for_child(self, child_id: UUID) -> list[dict]:
        """Every collaboration about the child, a restricted one too: the privacy officer's metadata."""
        return self._rows("SELECT * FROM {collaborations} WHERE child_id = ? ORDER BY opened_at", (str(child_id),))

    FOR_CONCERN = f"SELECT * FROM {{collaborations}} WHERE concern_id = ? AND {VISIBLE} ORDER BY opened_at"

    def for_concern(self, concern_id: UUID) -> list[dict]:
        return self._rows(self.FOR_CONCERN, (str(concern_id),))


class SQLiteCollaborationView(CollaborationTables, SQLiteView):
    pass


class PostgresCollaborationView(CollaborationTables, PostgresView):
    pass


class CollaborationProjection(Projection):
    name = "collaborations"
    views = (SQLiteCollaborationView, PostgresCollaborationView)

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Collaboration.Created, c: Any) -> None:
        at = event.timestamp.isoformat()
        c.execute(
            self.view.sql("INSERT INTO {collaborations} (id, child_id, unit_id, concern_id, services, status, "
                          "opened_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)"),
            (str(event.originator_id), str(event.child_id), str(event.unit_id), str(event.concern_id),
             "," + ",".join(dict.fromkeys(m["service"] for m in event.members)) + ",", at, at))

    @process.register
    def _(self, event: Collaboration.GoalAdded, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.MeasureAdded, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.MeasureEvaluated, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.HandoverProposed, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.HandoverAccepted, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    # The ansvarsgruppe's events touch the row's time only: places, names and minutes stay encrypted.
    @process.register
    def _(self, event: Collaboration.GroupMemberNamed, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.ContactChosen, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.PlanStatusChanged, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.MeetingPlanned, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.MeetingMinuted, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.MemberRemoved, c: Any) -> None:
        self.update_row(c, "collaborations", event)  # the services column keeps it: the policy takes the row off its list

    @process.register
    def _(self, event: Collaboration.MemberAdmitted, c: Any) -> None:
        # Its service joins the column (once): the admitted service's lists find the row.
        self.update_row(c, "collaborations", event)
        c.execute(self.view.sql("UPDATE {collaborations} SET services = services || ? "
                                "WHERE id = ? AND services NOT LIKE ?"),
                  (f"{event.service},", str(event.originator_id), f"%,{event.service},%"))

    @process.register
    def _(self, event: Collaboration.EntryShared, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.EntryUnshared, c: Any) -> None:
        self.update_row(c, "collaborations", event)

    @process.register
    def _(self, event: Collaboration.Closed, c: Any) -> None:
        self.update_row(c, "collaborations", event, status="closed")

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {collaborations} SET restricted = 1 WHERE child_id = ?"),
                  (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {collaborations} SET restricted = 0 WHERE child_id = ?"),
                  (str(event.originator_id),))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        c.execute(self.view.sql("DELETE FROM {collaborations} WHERE child_id = ?"), (str(child_id),))
