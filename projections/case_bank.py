"""Proposals for the binder's case bank, as far as the lists need them: ids,
state, proposer and times. The text stays in the encrypted events."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.case_bank import CaseProposal
from events.children import Child
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

VISIBLE = "restricted = 0"  # a restricted child's proposals leave every list


class CaseBankTables(ViewTables):
    name = "case_bank"
    tables = {
        "case_proposals": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, proposed_by TEXT NOT NULL, "
        "state TEXT NOT NULL, proposed_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
        "restricted {bool} NOT NULL DEFAULT 0",
    }
    indexes = ("CREATE INDEX IF NOT EXISTS case_proposals_state ON {case_proposals} (state, updated_at)",)

    def waiting(self, limit: int = 200) -> list[dict]:
        """Proposed or returned, the oldest first: the reviewers' queue."""
        return self._rows(f"SELECT * FROM {{case_proposals}} WHERE state IN ('proposed', 'returned') AND {VISIBLE} "
                          "ORDER BY proposed_at, id LIMIT ?", (limit,))

    def proposed_by(self, user_id: UUID, limit: int = 200) -> list[dict]:
        return self._rows(f"SELECT * FROM {{case_proposals}} WHERE proposed_by = ? AND {VISIBLE} "
                          "ORDER BY updated_at DESC, id LIMIT ?", (str(user_id), limit))


class SQLiteCaseBankView(CaseBankTables, SQLiteView):
    pass


class PostgresCaseBankView(CaseBankTables, PostgresView):
    pass


class CaseBankProjection(Projection):
    name = "case_bank"
    views = (SQLiteCaseBankView, PostgresCaseBankView)

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: CaseProposal.Created, c: Any) -> None:
        at = event.timestamp.isoformat()
        c.execute(self.view.sql("INSERT INTO {case_proposals} (id, child_id, proposed_by, state, proposed_at, "
                                "updated_at) VALUES (?, ?, ?, 'proposed', ?, ?)"),
                  (str(event.originator_id), str(event.child_id), str(event.proposed_by), at, at))

    @process.register
    def _(self, event: CaseProposal.Returned, c: Any) -> None:
        self.update_row(c, "case_proposals", event, state="returned")

    @process.register
    def _(self, event: CaseProposal.Revised, c: Any) -> None:
        self.update_row(c, "case_proposals", event, state="proposed")

    @process.register
    def _(self, event: CaseProposal.Published, c: Any) -> None:
        self.update_row(c, "case_proposals", event, state="published")

    @process.register
    def _(self, event: CaseProposal.Withdrawn, c: Any) -> None:
        self.update_row(c, "case_proposals", event, state="withdrawn")

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {case_proposals} SET restricted = 1 WHERE child_id = ?"),
                  (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {case_proposals} SET restricted = 0 WHERE child_id = ?"),
                  (str(event.originator_id),))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        c.execute(self.view.sql("DELETE FROM {case_proposals} WHERE child_id = ?"), (str(child_id),))
