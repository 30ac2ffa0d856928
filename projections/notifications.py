"""What may wait for a member of a collaboration, as dates and ids only: the
coordinator and a handover proposed, the member services, each measure's
evaluation date, the consent's period and withdrawals; and what the daily
digest has e-mailed to whom (hashes of items, events/notifications.py).

A user's notifications are read from here, not from every collaboration's
events (intranet/notifications.py); the policy then decides on the rows, as on
the records, through `CollaborationDates` and `ConsentDates`, which answer
the policy's questions with the aggregates' own methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.children import Child
from events.collaborations import Collaboration
from events.consents import Consent
from events.directory import User
from events.notifications import Digest
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

NO_UNIT = ""  # a member service taking part by its resource team


@dataclass
class CollaborationDates:
    """A collaboration as the policy sees it (Target.collaboration), from the read model."""

    id: UUID
    child_id: UUID
    unit_id: UUID
    concern_id: UUID
    consent_id: UUID
    coordinator_id: UUID
    opened_on: date
    status: str
    members: list[dict[str, Any]] = field(default_factory=list)
    handover: dict[str, Any] | None = None
    evaluations: list[dict[str, Any]] = field(default_factory=list)  # active measures: no, evaluate_on
    meetings: list[dict[str, Any]] = field(default_factory=list)  # ansvarsgruppe meetings planned: no, held_on

    services = Collaboration.services
    is_open = Collaboration.is_open


@dataclass
class ConsentDates:
    """A consent's period and withdrawals: enough for `covers` and `expires_soon`."""

    id: UUID
    decision: str
    services: list[str]
    valid_from: date
    valid_until: date
    withdrawn: dict[str, date] = field(default_factory=dict)

    covers = Consent.covers
    services_valid_on = Consent.services_valid_on
    expires_soon = Consent.expires_soon


class NotificationTables(ViewTables):
    name = "notifications"
    tables = {
        "collaborations": "id {key} PRIMARY KEY, child_id {key} NOT NULL, unit_id {key} NOT NULL, "
        "concern_id {key} NOT NULL, consent_id {key} NOT NULL, coordinator_id {key} NOT NULL, "
        "proposed_to {key}, proposed_on TEXT, opened_on TEXT NOT NULL, status TEXT NOT NULL, "
        "restricted {bool} NOT NULL DEFAULT 0",
        "members": "collaboration_id {key} NOT NULL, service TEXT NOT NULL, unit_id {key} NOT NULL, "
        "removed_on TEXT, PRIMARY KEY (collaboration_id, service, unit_id)",
        "measures": "collaboration_id {key} NOT NULL, no INTEGER NOT NULL, evaluate_on TEXT NOT NULL, "
        "active {bool} NOT NULL, PRIMARY KEY (collaboration_id, no)",
        "consents": "id {key} PRIMARY KEY, child_id {key} NOT NULL, decision TEXT NOT NULL, "
        "services TEXT NOT NULL, valid_from TEXT NOT NULL, valid_until TEXT NOT NULL",
        "withdrawals": "consent_id {key} NOT NULL, service TEXT NOT NULL, withdrawn_on TEXT NOT NULL, "
        "PRIMARY KEY (consent_id, service)",
        # The ansvarsgruppe's meetings, numbered as the aggregate numbers them (see `meeting_planned`).
        "meetings": "collaboration_id {key} NOT NULL, no INTEGER NOT NULL, held_on TEXT NOT NULL, "
        "planned {bool} NOT NULL, PRIMARY KEY (collaboration_id, no)",
        # Who wants the digest by e-mail (the address itself stays in the encrypted events).
        "recipients": "user_id {key} PRIMARY KEY",
        "sent": "user_id {key} NOT NULL, item TEXT NOT NULL, sent_on TEXT NOT NULL, PRIMARY KEY (user_id, item)",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS notifications_collaborations_unit ON {collaborations} (unit_id)",
        "CREATE INDEX IF NOT EXISTS notifications_collaborations_child ON {collaborations} (child_id)",
        "CREATE INDEX IF NOT EXISTS notifications_members_unit ON {members} (unit_id, service)",
        "CREATE INDEX IF NOT EXISTS notifications_measures_due ON {measures} (evaluate_on)",
        "CREATE INDEX IF NOT EXISTS notifications_consents_child ON {consents} (child_id)",
        "CREATE INDEX IF NOT EXISTS notifications_meetings_held ON {meetings} (held_on)",
    )

    def waiting_candidates(self, user_id: UUID, unit_id: UUID | None, service: str | None, evaluations_until: date,
                           consents_until: date, meetings_until: date,
                           limit: int) -> list[tuple[CollaborationDates, ConsentDates]]:
        """The open collaborations the user may be a member of (her unit opened it, her
        unit or service is a member, she coordinates or is proposed to) with something
        waiting: a handover to her, an evaluation due by `evaluations_until`, a consent
        ending by `consents_until`, a meeting by `meetings_until`. The policy has the
        last word on each (the caller's). Pairs of (CollaborationDates, ConsentDates)."""
        unit = str(unit_id) if unit_id else "-"
        me = str(user_id)
        rows = self._rows(
            "SELECT c.*, k.decision, k.services AS consent_services, k.valid_from, k.valid_until "
            "FROM {collaborations} c JOIN {consents} k ON k.id = c.consent_id "
            "WHERE c.status = 'open' AND c.restricted = 0 "
            "AND (c.unit_id = ? OR c.coordinator_id = ? OR c.proposed_to = ? OR c.id IN "
            "(SELECT collaboration_id FROM {members} WHERE unit_id = ? OR (unit_id = ? AND service = ?))) "
            "AND (c.proposed_to = ? OR k.valid_until <= ? OR c.id IN "
            "(SELECT collaboration_id FROM {measures} WHERE active = 1 AND evaluate_on <= ?) OR c.id IN "
            "(SELECT collaboration_id FROM {meetings} WHERE planned = 1 AND held_on <= ?)) "
            "ORDER BY c.opened_on, c.id LIMIT ?",
            (unit, me, me, unit, NO_UNIT, service or "-", me, consents_until.isoformat(),
             evaluations_until.isoformat(), meetings_until.isoformat(), limit))
        return [self._dates(row, evaluations_until, meetings_until) for row in rows]

    def _dates(self, row: dict, evaluations_until: date,
               meetings_until: date) -> tuple[CollaborationDates, ConsentDates]:
        cid = row["id"]
        members = [{"service": m["service"], "unit_id": UUID(m["unit_id"]) if m["unit_id"] else None,
                    # as the aggregate's members: a removed one says since when
                    **({"removed_on": date.fromisoformat(m["removed_on"])} if m["removed_on"] else {})}
                   for m in self._rows("SELECT service, unit_id, removed_on FROM {members} WHERE collaboration_id = ? "
                                       "ORDER BY service, unit_id", (cid,))]
        evaluations = [{"no": m["no"], "evaluate_on": date.fromisoformat(m["evaluate_on"])}
                       for m in self._rows("SELECT no, evaluate_on FROM {measures} WHERE collaboration_id = ? "
                                           "AND active = 1 AND evaluate_on <= ? ORDER BY evaluate_on, no",
                                           (cid, evaluations_until.isoformat()))]
        meetings = [{"no": m["no"], "held_on": date.fromisoformat(m["held_on"])}
                    for m in self._rows("SELECT no, held_on FROM {meetings} WHERE collaboration_id = ? AND planned = 1 "
                                        "AND held_on <= ? ORDER BY held_on, no", (cid, meetings_until.isoformat()))]
        withdrawn = {w["service"]: date.fromisoformat(w["withdrawn_on"])
                     for w in self._rows("SELECT service, withdrawn_on FROM {withdrawals} WHERE consent_id = ?",
                                         (row["consent_id"],))}
        handover = ({"to": UUID(row["proposed_to"]), "proposed_on": date.fromisoformat(row["proposed_on"])}
                    if row["proposed_to"] else None)
        collaboration = CollaborationDates(
            UUID(cid), UUID(row["child_id"]), UUID(row["unit_id"]), UUID(row["concern_id"]), UUID(row["consent_id"]),
            UUID(row["coordinator_id"]), date.fromisoformat(row["opened_on"]), row["status"], members, handover,
            evaluations, meetings)
        consent = ConsentDates(UUID(row["consent_id"]), row["decision"], row["consent_services"].strip(",").split(","),
                               date.fromisoformat(row["valid_from"]), date.fromisoformat(row["valid_until"]),
                               withdrawn)
        return collaboration, consent

    def wants_email(self, offset: int, limit: int) -> list[UUID]:
        """The users who asked for the digest by e-mail, a page at a time."""
        rows = self.fetchall("SELECT user_id FROM {recipients} ORDER BY user_id LIMIT ? OFFSET ?", (limit, offset))
        return [UUID(r["user_id"]) for r in rows]

    def sent(self, user_id: UUID, items: list[str]) -> set[str]:
        """Which of these item hashes were e-mailed to the user already."""
        if not items:
            return set()
        marks = ", ".join("?" * len(items))
        rows = self.fetchall(f"SELECT item FROM {{sent}} WHERE user_id = ? AND item IN ({marks})",
                             (str(user_id), *items))
        return {r["item"] for r in rows}


class SQLiteNotificationView(NotificationTables, SQLiteView):
    pass


class PostgresNotificationView(NotificationTables, PostgresView):
    pass


class NotificationProjection(Projection):
    name = "notifications"
    views = (SQLiteNotificationView, PostgresNotificationView)

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    # -- collaborations -----------------------------------------------------------------
    @process.register
    def _(self, event: Collaboration.Created, c: Any) -> None:
        cid = str(event.originator_id)
        c.execute(self.view.sql(
            "INSERT INTO {collaborations} (id, child_id, unit_id, concern_id, consent_id, coordinator_id, "
            "opened_on, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')"),
            (cid, str(event.child_id), str(event.unit_id), str(event.concern_id), str(event.consent_id),
             str(event.coordinator_id), event.opened_on.isoformat()))
        members = {(m["service"], str(m["unit_id"]) if m["unit_id"] else NO_UNIT) for m in event.members}
        for service, unit_id in sorted(members):
            c.execute(self.view.sql("INSERT INTO {members} (collaboration_id, service, unit_id) VALUES (?, ?, ?)"),
                      (cid, service, unit_id))

    @process.register
    def _(self, event: Collaboration.MeasureAdded, c: Any) -> None:
        cid = str(event.originator_id)
        c.execute(self.view.sql("SELECT COUNT(*) AS n FROM {measures} WHERE collaboration_id = ?"), (cid,))
        no = c.fetchone()["n"] + 1  # as the aggregate numbers them
        c.execute(self.view.sql("INSERT INTO {measures} (collaboration_id, no, evaluate_on, active) "
                                "VALUES (?, ?, ?, 1)"), (cid, no, event.evaluate_on.isoformat()))

    @process.register
    def _(self, event: Collaboration.MeasureEvaluated, c: Any) -> None:
        if event.decision == "end":
            c.execute(self.view.sql("UPDATE {measures} SET active = 0 WHERE collaboration_id = ? AND no = ?"),
                      (str(event.originator_id), event.no))
        else:
            c.execute(self.view.sql("UPDATE {measures} SET evaluate_on = ? WHERE collaboration_id = ? AND no = ?"),
                      (event.next_evaluation.isoformat(), str(event.originator_id), event.no))

    @process.register
    def _(self, event: Collaboration.HandoverProposed, c: Any) -> None:
        self.update_row(c, "collaborations", event, stamp=False, proposed_to=str(event.to_user_id), proposed_on=event.on.isoformat())

    @process.register
    def _(self, event: Collaboration.HandoverAccepted, c: Any) -> None:
        self.update_row(c, "collaborations", event, stamp=False, coordinator_id=str(event.by), proposed_to=None, proposed_on=None)

    @process.register
    def _(self, event: Collaboration.Closed, c: Any) -> None:
        self.update_row(c, "collaborations", event, stamp=False, status="closed")

    @process.register
    def _(self, event: Collaboration.ConsentChanged, c: Any) -> None:
        # The consent running out that waits is the current one's.
        self.update_row(c, "collaborations", event, stamp=False, consent_id=str(event.consent_id))

    # -- the ansvarsgruppe's meetings and a member service taken out or in ------------------------
    @process.register
    def _(self, event: Collaboration.MeetingPlanned, c: Any) -> None:
        self.meeting_planned(c, event.originator_id, event.on)

    @process.register
    def _(self, event: Collaboration.MeetingMinuted, c: Any) -> None:
        self.meeting_held(c, event.originator_id, event.no)

    @process.register
    def _(self, event: Collaboration.MemberRemoved, c: Any) -> None:
        self.member_removed(c, event.originator_id, event.service, event.unit_id, event.on)
        if event.handover_lapsed:  # proposed to someone of the service taken out
            self.update_row(c, "collaborations", event, stamp=False, proposed_to=None, proposed_on=None)

    @process.register
    def _(self, event: Collaboration.MemberAdmitted, c: Any) -> None:
        self.member_admitted(c, event.originator_id, event.service, event.unit_id)

    def meeting_planned(self, c: Any, collaboration_id: UUID, held_on: date) -> None:
        """A meeting convened for `held_on`, numbered as the aggregate numbers them."""
        cid = str(collaboration_id)
        c.execute(self.view.sql("SELECT COUNT(*) AS n FROM {meetings} WHERE collaboration_id = ?"), (cid,))
        no = c.fetchone()["n"] + 1
        c.execute(self.view.sql("INSERT INTO {meetings} (collaboration_id, no, held_on, planned) VALUES (?, ?, ?, 1)"),
                  (cid, no, held_on.isoformat()))

    def meeting_held(self, c: Any, collaboration_id: UUID, no: int) -> None:
        """Meeting `no` minuted: it no longer waits."""
        c.execute(self.view.sql("UPDATE {meetings} SET planned = 0 WHERE collaboration_id = ? AND no = ?"),
                  (str(collaboration_id), no))

    def member_removed(self, c: Any, collaboration_id: UUID, service: str, unit_id: UUID | None, on: date) -> None:
        """A member service taken out on `on` (the policy ends its access from then)."""
        c.execute(self.view.sql("UPDATE {members} SET removed_on = ? WHERE collaboration_id = ? AND service = ? "
                                "AND unit_id = ? AND removed_on IS NULL"),
                  (on.isoformat(), str(collaboration_id), service, str(unit_id) if unit_id else NO_UNIT))

    def member_admitted(self, c: Any, collaboration_id: UUID, service: str, unit_id: UUID | None) -> None:
        """A member service taken in: a current member from now. Taken out before, its
        row is current again: the policy needs who is a member, not the history."""
        c.execute(self.view.sql("INSERT INTO {members} (collaboration_id, service, unit_id) VALUES (?, ?, ?) "
                                "ON CONFLICT (collaboration_id, service, unit_id) DO UPDATE SET removed_on = NULL"),
                  (str(collaboration_id), service, str(unit_id) if unit_id else NO_UNIT))

    # -- consents -------------------------------------------------------------------------
    @process.register
    def _(self, event: Consent.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {consents} (id, child_id, decision, services, valid_from, valid_until) "
                                "VALUES (?, ?, ?, ?, ?, ?)"),
                  (str(event.originator_id), str(event.child_id), event.decision,
                   "," + ",".join(event.services) + ",", event.valid_from.isoformat(), event.valid_until.isoformat()))

    @process.register
    def _(self, event: Consent.Withdrawn, c: Any) -> None:
        for service in event.services:
            c.execute(self.view.sql("INSERT INTO {withdrawals} (consent_id, service, withdrawn_on) VALUES (?, ?, ?)"),
                      (str(event.originator_id), service, event.on.isoformat()))

    # -- the child's restriction --------------------------------------------------------
    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {collaborations} SET restricted = 1 WHERE child_id = ?"),
                  (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {collaborations} SET restricted = 0 WHERE child_id = ?"),
                  (str(event.originator_id),))

    # -- e-mail ---------------------------------------------------------------------------
    @process.register
    def _(self, event: User.EmailSet, c: Any) -> None:
        user_id = str(event.originator_id)
        c.execute(self.view.sql("DELETE FROM {recipients} WHERE user_id = ?"), (user_id,))
        if event.notifications:
            c.execute(self.view.sql("INSERT INTO {recipients} (user_id) VALUES (?)"), (user_id,))

    @process.register
    def _(self, event: Digest.Created, c: Any) -> None:
        for item in dict.fromkeys(event.items):
            c.execute(self.view.sql("INSERT INTO {sent} (user_id, item, sent_on) VALUES (?, ?, ?) "
                                    "ON CONFLICT DO NOTHING"),
                      (str(event.user_id), item, event.sent_on.isoformat()))

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        child = str(child_id)
        for table in ("members", "measures", "meetings"):
            c.execute(self.view.sql(f"DELETE FROM {{{table}}} WHERE collaboration_id IN "
                                    "(SELECT id FROM {collaborations} WHERE child_id = ?)"), (child,))
        c.execute(self.view.sql("DELETE FROM {withdrawals} WHERE consent_id IN "
                                "(SELECT id FROM {consents} WHERE child_id = ?)"), (child,))
        c.execute(self.view.sql("DELETE FROM {collaborations} WHERE child_id = ?"), (child,))
        c.execute(self.view.sql("DELETE FROM {consents} WHERE child_id = ?"), (child,))
