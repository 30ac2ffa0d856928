"""Referrals and consents, as far as lists and deadlines need them: ids, kinds,
statuses and dates. The content stays in the encrypted events."""

from __future__ import annotations

from datetime import date, timedelta
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.consents import Consent
from events.referrals import CONFIRMATION_DAYS, Referral
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables


class ReferralTables(ViewTables):
    name = "referrals"
    tables = {
        "referrals": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, concern_id TEXT NOT NULL, "
        "unit_id TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, sent_on TEXT, "
        "confirmation_due TEXT, receipt_on TEXT, created_at TEXT NOT NULL",
        "consents": "id TEXT PRIMARY KEY, child_id TEXT NOT NULL, unit_id TEXT NOT NULL, "
        "decision TEXT NOT NULL, valid_until TEXT NOT NULL, created_at TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS referrals_concern ON {referrals} (concern_id)",
        "CREATE INDEX IF NOT EXISTS referrals_unit_status ON {referrals} (unit_id, status, sent_on)",
        "CREATE INDEX IF NOT EXISTS referrals_child ON {referrals} (child_id)",
        "CREATE INDEX IF NOT EXISTS consents_child ON {consents} (child_id)",
        "CREATE INDEX IF NOT EXISTS consents_unit_until ON {consents} (unit_id, valid_until)",
    )

    FOR_CONCERN = "SELECT * FROM {referrals} WHERE concern_id = ? ORDER BY created_at"

    def for_concern(self, concern_id: UUID) -> list[dict]:
        return [dict(r) for r in self.fetchall(self.FOR_CONCERN, (str(concern_id),))]

    def unconfirmed(self, unit_id: UUID, limit: int = 200) -> list[dict]:
        """Reconciliation: every report or referral sent and never confirmed received."""
        return [dict(r) for r in self.fetchall(
            "SELECT * FROM {referrals} WHERE unit_id = ? AND status = 'sent' "
            "ORDER BY sent_on LIMIT ?", (str(unit_id), limit))]

    def reports_unconfirmed(self, unit_id: UUID, limit: int = 200) -> list[dict]:
        """Reports to barnevernet sent and not confirmed received, the earliest deadline first."""
        return [dict(r) for r in self.fetchall(
            "SELECT * FROM {referrals} WHERE unit_id = ? AND kind = 'barnevern' AND status = 'sent' "
            "ORDER BY confirmation_due, id LIMIT ?", (str(unit_id), limit))]

    def receipt_overdue(self, unit_id: UUID, today: date, limit: int = 200) -> list[dict]:
        return [dict(r) for r in self.fetchall(
            "SELECT * FROM {referrals} WHERE unit_id = ? AND status = 'sent' "
            "AND confirmation_due < ? ORDER BY sent_on LIMIT ?",
            (str(unit_id), today.isoformat(), limit))]

    def consents_expiring(self, unit_id: UUID, today: date, until: date, limit: int = 200) -> list[dict]:
        return [dict(r) for r in self.fetchall(
            "SELECT * FROM {consents} WHERE unit_id = ? AND decision = 'given' "
            "AND valid_until >= ? AND valid_until <= ? ORDER BY valid_until LIMIT ?",
            (str(unit_id), today.isoformat(), until.isoformat(), limit))]


class SQLiteReferralView(ReferralTables, SQLiteView):
    pass


class PostgresReferralView(ReferralTables, PostgresView):
    pass


class ReferralProjection(Projection):
    name = "referrals"
    views = (SQLiteReferralView, PostgresReferralView)


    def _set(self, c: Any, referral_id: UUID, **columns: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in columns)
        c.execute(self.view.sql(f"UPDATE {{referrals}} SET {sets} WHERE id = ?"),
                  (*columns.values(), str(referral_id)))

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Referral.Created, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {referrals} (id, child_id, concern_id, unit_id, kind, status, created_at) "
                          "VALUES (?, ?, ?, ?, ?, 'draft', ?)"),
            (str(event.originator_id), str(event.child_id), str(event.concern_id), str(event.unit_id),
             event.kind, event.timestamp.isoformat()),
        )

    @process.register
    def _(self, event: Referral.Sent, c: Any) -> None:
        # Only a report to barnevernet has a statutory confirmation deadline.
        c.execute(
            self.view.sql(
                "UPDATE {referrals} SET status = 'sent', sent_on = ?, "
                "confirmation_due = CASE WHEN kind = 'barnevern' THEN ? ELSE NULL END WHERE id = ?"),
            (event.on.isoformat(), (event.on + timedelta(days=CONFIRMATION_DAYS)).isoformat(),
             str(event.originator_id)),
        )

    @process.register
    def _(self, event: Referral.ReceiptConfirmed, c: Any) -> None:
        self._set(c, event.originator_id, status="receipt_confirmed", receipt_on=event.on.isoformat())

    @process.register
    def _(self, event: Referral.FeedbackRecorded, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {referrals} SET status = 'feedback_received', "
                          "receipt_on = COALESCE(receipt_on, ?) WHERE id = ?"),
            (event.on.isoformat(), str(event.originator_id)),
        )

    @process.register
    def _(self, event: Referral.Closed, c: Any) -> None:
        self._set(c, event.originator_id, status="closed")

    @process.register
    def _(self, event: Consent.Created, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {consents} (id, child_id, unit_id, decision, valid_until, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)"),
            (str(event.originator_id), str(event.child_id), str(event.unit_id), event.decision,
             event.valid_until.isoformat(), event.timestamp.isoformat()),
        )

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        for table in ("referrals", "consents"):
            c.execute(self.view.sql(f"DELETE FROM {{{table}}} WHERE child_id = ?"), (str(child_id),))
