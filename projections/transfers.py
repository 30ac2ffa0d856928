"""Transfers between units, as far as the lists need them: ids, units, kinds,
statuses and times. What is sent stays in the encrypted events."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.children import Child
from events.transfers import Transfer
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

VISIBLE = "restricted = 0"  # a restricted child's transfers leave every list
RECEIVED = "status IN ('sent', 'viewed', 'accepted', 'returned')"  # a draft is not the receiver's


class TransferTables(ViewTables):
    name = "transfers"
    tables = {
        "transfers": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, from_unit_id TEXT NOT NULL, "
        "to_unit_id TEXT NOT NULL, author_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, "
        "created_at TEXT NOT NULL, sent_at TEXT, viewed_at TEXT, decided_at TEXT, updated_at TEXT NOT NULL, "
        "restricted {bool} NOT NULL DEFAULT 0",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS transfers_incoming ON {transfers} (to_unit_id, status, updated_at)",
        "CREATE INDEX IF NOT EXISTS transfers_outgoing ON {transfers} (from_unit_id, updated_at)",
        "CREATE INDEX IF NOT EXISTS transfers_author ON {transfers} (author_id, updated_at)",
        "CREATE INDEX IF NOT EXISTS transfers_child ON {transfers} (child_id)",
    )

    def incoming(self, unit_id: UUID, offset: int, limit: int) -> list[dict]:
        """Sent to the unit: the undecided first, then the newest."""
        return self._rows(
            f"SELECT * FROM {{transfers}} WHERE to_unit_id = ? AND {RECEIVED} AND {VISIBLE} "
            "ORDER BY CASE WHEN status IN ('sent', 'viewed') THEN 0 ELSE 1 END, updated_at DESC, id "
            "LIMIT ? OFFSET ?", (str(unit_id), limit, offset))

    def outgoing(self, unit_id: UUID, offset: int, limit: int) -> list[dict]:
        """Everything the unit prepared or sent (its leader's list)."""
        return self._rows(
            f"SELECT * FROM {{transfers}} WHERE from_unit_id = ? AND {VISIBLE} "
            "ORDER BY updated_at DESC, id LIMIT ? OFFSET ?", (str(unit_id), limit, offset))

    def authored(self, user_id: UUID, offset: int, limit: int) -> list[dict]:
        return self._rows(
            f"SELECT * FROM {{transfers}} WHERE author_id = ? AND {VISIBLE} "
            "ORDER BY updated_at DESC, id LIMIT ? OFFSET ?", (str(user_id), limit, offset))

    def for_child(self, child_id: UUID) -> list[dict]:
        return self._rows(f"SELECT * FROM {{transfers}} WHERE child_id = ? AND {VISIBLE} ORDER BY created_at",
                          (str(child_id),))



class SQLiteTransferView(TransferTables, SQLiteView):
    pass


class PostgresTransferView(TransferTables, PostgresView):
    pass


class TransferProjection(Projection):
    name = "transfers"
    views = (SQLiteTransferView, PostgresTransferView)


    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Transfer.Created, c: Any) -> None:
        at = event.timestamp.isoformat()
        c.execute(
            self.view.sql("INSERT INTO {transfers} (id, child_id, from_unit_id, to_unit_id, author_id, kind, "
                          "status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)"),
            (str(event.originator_id), str(event.child_id), str(event.from_unit_id), str(event.to_unit_id),
             str(event.author_id), event.kind, at, at),
        )

    @process.register
    def _(self, event: Transfer.DraftUpdated, c: Any) -> None:
        self.update_row(c, "transfers", event, to_unit_id=str(event.to_unit_id), status="draft")

    @process.register
    def _(self, event: Transfer.ApprovalRecorded, c: Any) -> None:
        self.update_row(c, "transfers", event, status="approved")

    @process.register
    def _(self, event: Transfer.Sent, c: Any) -> None:
        self.update_row(c, "transfers", event, status="sent", sent_at=event.timestamp.isoformat())

    @process.register
    def _(self, event: Transfer.Viewed, c: Any) -> None:
        self.update_row(c, "transfers", event, status="viewed", viewed_at=event.timestamp.isoformat())

    @process.register
    def _(self, event: Transfer.Accepted, c: Any) -> None:
        self.update_row(c, "transfers", event, status="accepted", decided_at=event.timestamp.isoformat())

    @process.register
    def _(self, event: Transfer.Returned, c: Any) -> None:
        self.update_row(c, "transfers", event, status="returned", decided_at=event.timestamp.isoformat())

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {transfers} SET restricted = 1 WHERE child_id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {transfers} SET restricted = 0 WHERE child_id = ?"), (str(event.originator_id),))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        c.execute(self.view.sql("DELETE FROM {transfers} WHERE child_id = ?"), (str(child_id),))
