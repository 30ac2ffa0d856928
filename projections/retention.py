"""The retention read model: each of a child's records with its kind and the day it
ended (NULL while it is open), and the privacy officer's decisions. Ids and
dates only; the reasons stay in the encrypted events.

Which records are due is asked with the schedule's cutoffs of the day
(events/retention.py Schedule.cutoffs), so a changed setting counts at once,
without rebuilding.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events import clock
from events.audit import ErasureRequest
from events.collaborations import Collaboration
from events.concerns import Concern
from events.consents import Consent
from events.referrals import Referral
from events.retention import CHILD_KINDS, ErasureApproved, KeptLonger
from events.transfers import Transfer
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

# A record not yet due: open, or ended after its kind's cutoff ('' for a kind kept for good).
NOT_DUE = ("(r.ended_on IS NULL OR r.ended_on > CASE r.category "
           + " ".join("WHEN ? THEN ?" for _ in CHILD_KINDS) + " ELSE '' END)")


class RetentionTables(ViewTables):
    name = "retention"
    tables = {
        # kind: concern, collaboration, transfer, consent; category: a kind of events/retention.py CHILD_KINDS.
        # services: a consent's services not withdrawn (",a,b,"), so a withdrawal of the last one ends it.
        "records": "id {key} PRIMARY KEY, child_id {key} NOT NULL, kind {key} NOT NULL, category {key} NOT NULL, "
        "ended_on {key}, services {key}",
        "referrals": "id {key} PRIMARY KEY, concern_id {key} NOT NULL, child_id {key} NOT NULL, kind {key} NOT NULL",
        "requests": "id {key} PRIMARY KEY, child_id {key} NOT NULL, status {key} NOT NULL",
        # decision: kept (until) or approved (request_id).
        "decisions": "id {key} PRIMARY KEY, child_id {key} NOT NULL, decision {key} NOT NULL, due_on {key} NOT NULL, "
        "until {key}, request_id {key}, decided_by {key} NOT NULL, decided_at {key} NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS retention_records_child ON {records} (child_id)",
        "CREATE INDEX IF NOT EXISTS retention_referrals_child ON {referrals} (child_id)",
        "CREATE INDEX IF NOT EXISTS retention_requests_child ON {requests} (child_id, status)",
        "CREATE INDEX IF NOT EXISTS retention_decisions_child ON {decisions} (child_id, decision, until)",
        "CREATE INDEX IF NOT EXISTS retention_decisions_time ON {decisions} (decided_at)",
    )

    # -- queries ---------------------------------------------------------------------
    def _children(self, having: str, cutoffs: dict[str, str | None], today: str, offset: int,
                  limit: int, child_id: UUID | None = None) -> list[dict]:
        cases = tuple(x for kind in CHILD_KINDS for x in (kind, cutoffs[kind] or ""))
        one = (str(child_id),) if child_id else ()
        return self._rows(
            "SELECT r.child_id, MAX(r.ended_on) AS last_end FROM {records} r "
            f"WHERE {'r.child_id = ? AND ' if one else ''}NOT EXISTS (SELECT 1 FROM {{requests}} q WHERE q.child_id = r.child_id AND q.status = 'requested') "
            "AND NOT EXISTS (SELECT 1 FROM {decisions} d WHERE d.child_id = r.child_id AND d.decision = 'kept' "
            "AND d.until > ?) "
            f"GROUP BY r.child_id HAVING {having.format(not_due=f'SUM(CASE WHEN {NOT_DUE} THEN 1 ELSE 0 END)')} "
            "ORDER BY last_end, r.child_id LIMIT ? OFFSET ?",
            (*one, today, *cases * having.count("{not_due}"), limit, offset))

    def due(self, cutoffs: dict[str, str | None], today: str, offset: int, limit: int,
            child_id: UUID | None = None) -> list[dict]:
        """Children every record of whom is past its time: not kept longer, no erasure
        pending (`child_id`: only that child, if it is due)."""
        return self._children("{not_due} = 0", cutoffs, today, offset, limit, child_id)

    def held_back(self, cutoffs: dict[str, str | None], today: str, offset: int, limit: int) -> list[dict]:
        """Children with a record past its time and another that is not: the ones not yet due keep them."""
        return self._children("{not_due} > 0 AND {not_due} < COUNT(*)", cutoffs, today, offset, limit)

    def records_of(self, child_ids: list[str]) -> list[dict]:
        if not child_ids:
            return []
        marks = ", ".join("?" for _ in child_ids)
        return self._rows(f"SELECT * FROM {{records}} WHERE child_id IN ({marks}) ORDER BY ended_on, id",
                          tuple(child_ids))

    def kept(self, today: str, offset: int, limit: int) -> list[dict]:
        """Children kept longer, the decision still in force, soonest end first."""
        return self._rows(
            "SELECT * FROM {decisions} d WHERE decision = 'kept' AND until > ? AND NOT EXISTS "
            "(SELECT 1 FROM {decisions} e WHERE e.child_id = d.child_id AND e.decision = 'kept' "
            "AND (e.until > d.until OR (e.until = d.until AND e.id > d.id))) "
            "ORDER BY until, child_id LIMIT ? OFFSET ?", (today, limit, offset))

    def history(self, offset: int, limit: int) -> list[dict]:
        """The decisions, newest first."""
        return self._rows("SELECT * FROM {decisions} ORDER BY decided_at DESC, id LIMIT ? OFFSET ?",
                          (limit, offset))


class SQLiteRetentionView(RetentionTables, SQLiteView):
    pass


class PostgresRetentionView(RetentionTables, PostgresView):
    pass


def _day(event: Any) -> str:
    return clock.day_of(event.timestamp).isoformat()


class RetentionProjection(Projection):
    name = "retention"
    views = (SQLiteRetentionView, PostgresRetentionView)

    def _insert(self, c: Any, record_id: UUID, child_id: UUID, kind: str, category: str,
                ended_on: str | None = None, services: str | None = None) -> None:
        c.execute(self.view.sql("INSERT INTO {records} (id, child_id, kind, category, ended_on, services) "
                                "VALUES (?, ?, ?, ?, ?, ?)"),
                  (str(record_id), str(child_id), kind, category, ended_on, services))

    def _set(self, c: Any, record_id: UUID, **columns: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in columns)
        c.execute(self.view.sql(f"UPDATE {{records}} SET {sets} WHERE id = ?"), (*columns.values(), str(record_id)))

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    # A concern ends when it is closed; it counts as reported once a report to barnevernet is sent from it.
    @process.register
    def _(self, event: Concern.Created, c: Any) -> None:
        self._insert(c, event.originator_id, event.child_id, "concern", "concern_closed")

    @process.register
    def _(self, event: Concern.Closed, c: Any) -> None:
        self._set(c, event.originator_id, ended_on=_day(event))

    @process.register
    def _(self, event: Concern.Reopened, c: Any) -> None:
        self._set(c, event.originator_id, ended_on=None)

    @process.register
    def _(self, event: Referral.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {referrals} (id, concern_id, child_id, kind) VALUES (?, ?, ?, ?)"),
                  (str(event.originator_id), str(event.concern_id), str(event.child_id), event.kind))

    @process.register
    def _(self, event: Referral.Sent, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {records} SET category = 'concern_reported' WHERE id = "
                                "(SELECT concern_id FROM {referrals} WHERE id = ? AND kind = 'barnevern')"),
                  (str(event.originator_id),))

    @process.register
    def _(self, event: Collaboration.Created, c: Any) -> None:
        self._insert(c, event.originator_id, event.child_id, "collaboration", "collaboration_ended")

    @process.register
    def _(self, event: Collaboration.Closed, c: Any) -> None:
        self._set(c, event.originator_id, ended_on=event.on.isoformat())

    # A transfer ends when it is sent (a returned one is over too); a draft is open.
    @process.register
    def _(self, event: Transfer.Created, c: Any) -> None:
        self._insert(c, event.originator_id, event.child_id, "transfer", "transfer")

    @process.register
    def _(self, event: Transfer.Sent, c: Any) -> None:
        self._set(c, event.originator_id, ended_on=_day(event))

    # A consent ends when it expires, or when its last service is withdrawn; a refusal on the day it was recorded.
    @process.register
    def _(self, event: Consent.Created, c: Any) -> None:
        given = event.decision == "given"
        ended = event.valid_until if given else clock.day_of(event.timestamp)
        self._insert(c, event.originator_id, event.child_id, "consent", "consent_expired", ended.isoformat(),
                     "," + ",".join(event.services) + "," if given else None)

    @process.register
    def _(self, event: Consent.Withdrawn, c: Any) -> None:
        c.execute(self.view.sql("SELECT services, ended_on FROM {records} WHERE id = ?"), (str(event.originator_id),))
        row = c.fetchone()
        if row is None:
            return
        left = [s for s in (row["services"] or "").strip(",").split(",") if s and s not in event.services]
        ended = min(row["ended_on"], event.on.isoformat()) if not left else row["ended_on"]
        self._set(c, event.originator_id, services="," + ",".join(left) + "," if left else ",", ended_on=ended)

    # -- erasure requests (any, not only retention's) and the decisions ---------------
    @process.register
    def _(self, event: ErasureRequest.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {requests} (id, child_id, status) VALUES (?, ?, 'requested')"),
                  (str(event.originator_id), str(event.child_id)))

    @process.register
    def _(self, event: ErasureRequest.Confirmed, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {requests} SET status = 'confirmed' WHERE id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: ErasureRequest.Rejected, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {requests} SET status = 'rejected' WHERE id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: KeptLonger.Created, c: Any) -> None:
        self._decision(c, event, "kept", until=event.until.isoformat())

    @process.register
    def _(self, event: ErasureApproved.Created, c: Any) -> None:
        self._decision(c, event, "approved", request_id=str(event.request_id))

    def _decision(self, c: Any, event: Any, decision: str, until: str | None = None,
                  request_id: str | None = None) -> None:
        c.execute(self.view.sql("INSERT INTO {decisions} (id, child_id, decision, due_on, until, request_id, "
                                "decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
                  (str(event.originator_id), str(event.child_id), decision, event.due_on.isoformat(), until,
                   request_id, str(event.decided_by), event.timestamp.isoformat()))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py): the
        records go, and the decisions to keep (their events go with the child's key); the
        approval stays, as its event does (under the system key)."""
        for table in ("records", "referrals"):
            c.execute(self.view.sql(f"DELETE FROM {{{table}}} WHERE child_id = ?"), (str(child_id),))
        c.execute(self.view.sql("DELETE FROM {decisions} WHERE child_id = ? AND decision = 'kept'"), (str(child_id),))
