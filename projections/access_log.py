"""Who saw what: the privacy officer's read model.

One row per child per access event (metadata only: who, role, unit, when, how,
which kinds of record, on what basis), the review queue of anomalies with the
reviews made of it, and pending erasure requests. Reasons and comments are free
text, so they are kept sealed under the system key.

The basis of an access is the policy's, stored in the event with the
consent's or the grant's id (events/policy.py BASIS_CODES); a grant's own row
names itself. An access stored before events named one (version 1) gets the
basis worked out from what the event and the read model know at that moment:
own_unit or outside_unit (staff and unit leaders, by the child's unit then),
break_glass (the grant, and every access under it), resource_team, consent or
statutory (a collaboration across services), privacy_officer, other.

Anomaly rules (DESIGN.md §4), the limits given by `ReadModelConfig`
(BEKYMRING_OFFICE_HOURS and BEKYMRING_MAX_CHILDREN_PER_HOUR in the settings):
- outside_unit: staff or a unit leader saw a child of another unit on the basis
  of her own unit (not on a consent, a statute, a transfer or a grant);
- after_hours: outside office hours (default 07-18, Monday to Friday, Oslo time);
- many_children: more than `max_children_per_hour` (default 30) distinct
  children by one user within one clock hour;
- break_glass: a grant and every access under it (instead of outside_unit
  and after_hours, which a grant would raise for every page);
- same_surname: the user shares the child's surname (compared as blind indexes).
The privacy officer's own reads raise none: they are her review of the queue
(and of a child's log), still recorded as accesses like every other read.
"""

from __future__ import annotations

from datetime import datetime
from functools import singledispatchmethod
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.utils import get_topic

from events.audit import ANOMALY_RULES, Access, AnomaliesReviewed, AnomalyReview, BreakGlass, ErasureRequest, under_grant
from events.children import Child
from events.clock import OSLO
from events.directory import User
from events.policy import BASIS_CODES, BREAK_GLASS, OWN_UNIT, REFUSED
from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from projections.config import DEFAULTS, ReadModelConfig
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

ACCESS_TOPIC = get_topic(Access.Created)
ACCESS_VERSION = getattr(Access.Created, "class_version", 1)  # the version `facts_from_plaintext` reads
RULES = ANOMALY_RULES
# The policy's bases, and outside_unit: worked out for an access stored without one.
BASES = (*BASIS_CODES, "outside_unit")


class AccessLogTables(ViewTables):
    name = "access_log"
    version = 3  # 2: the basis of each access, reviews of groups, the rules' exceptions; 3: the policy's basis
    tables = {
        "accesses": "access_id {key} NOT NULL, child_id {key} NOT NULL, at {key} NOT NULL, "
        "user_id {key} NOT NULL, role TEXT NOT NULL, unit_id {key}, action TEXT NOT NULL, "
        "records TEXT NOT NULL, reason_sealed {blob}, basis TEXT NOT NULL, basis_ref {key}",
        "children": "child_id {key} PRIMARY KEY, unit_id {key} NOT NULL, surname {key} NOT NULL, "
        "restricted {bool} NOT NULL DEFAULT 0",
        "users": "user_id {key} PRIMARY KEY, surname {key} NOT NULL",
        # A move accepted for a later date: the child is the new unit's from `moves_on`.
        "child_moves": "child_id {key} PRIMARY KEY, unit_id {key} NOT NULL, moves_on {key} NOT NULL",
        "hourly": "user_id {key} NOT NULL, hour {key} NOT NULL, child_id {key} NOT NULL, "
        "PRIMARY KEY (user_id, hour, child_id)",
        "anomalies": "id {key} PRIMARY KEY, access_id {key} NOT NULL, at {key} NOT NULL, "
        "user_id {key} NOT NULL, child_id {key} NOT NULL, rule {key} NOT NULL, reviewed {bool} NOT NULL, "
        "review_id {key}",
        # The queue as the page shows it: one row per user and rule with anomalies
        # not yet reviewed, kept as they come and go (a GROUP BY over every open
        # anomaly would grow with the queue).
        "open_groups": "user_id {key} NOT NULL, rule {key} NOT NULL, count {bigint} NOT NULL, first {key} NOT NULL, "
        "last {key} NOT NULL, PRIMARY KEY (user_id, rule)",
        # One row per review: a group of one user's anomalies under one rule.
        "reviews": "id {key} PRIMARY KEY, user_id {key} NOT NULL, rule {key} NOT NULL, count {bigint} NOT NULL, "
        "first {key}, last {key}, reviewed_by {key} NOT NULL, reviewed_at {key} NOT NULL, comment_sealed {blob}",
        "erasures": "id {key} PRIMARY KEY, child_id {key} NOT NULL, unit_id {key} NOT NULL, "
        "status TEXT NOT NULL, requested_by {key} NOT NULL, requested_at {key} NOT NULL, decided_by {key}",
    }
    indexes = (
        "CREATE UNIQUE INDEX IF NOT EXISTS access_key ON {accesses} (access_id, child_id)",
        "CREATE INDEX IF NOT EXISTS access_by_child ON {accesses} (child_id, at)",
        "CREATE INDEX IF NOT EXISTS access_by_user ON {accesses} (user_id, at)",
        # The queue's groups, and the rows a review marks (also while rebuilding).
        "CREATE INDEX IF NOT EXISTS anomalies_groups ON {anomalies} (reviewed, user_id, rule, at)",
        "CREATE INDEX IF NOT EXISTS reviews_by_time ON {reviews} (reviewed_at)",
        "CREATE INDEX IF NOT EXISTS open_groups_by_last ON {open_groups} (last)",
        "CREATE INDEX IF NOT EXISTS erasures_status ON {erasures} (status, requested_at)",
        # The internal control report's counts of a month: read from the index alone.
        "CREATE INDEX IF NOT EXISTS access_by_time ON {accesses} (at, action, basis, access_id)",
        "CREATE INDEX IF NOT EXISTS anomalies_by_time ON {anomalies} (at, rule, reviewed)",
    )
    built_after_rebuild = ("access_key", "access_by_child", "access_by_user", "reviews_by_time", "access_by_time",
                           "anomalies_by_time")


    def by_child(self, child_id: UUID, start: str, end: str, offset: int, limit: int) -> list[dict]:
        return self._rows(
            "SELECT * FROM {accesses} WHERE child_id = ? AND at >= ? AND at < ? "
            "ORDER BY at DESC, access_id LIMIT ? OFFSET ?",
            (str(child_id), start, end, limit, offset))

    def by_user(self, user_id: UUID, offset: int, limit: int) -> list[dict]:
        return self._rows(
            "SELECT * FROM {accesses} WHERE user_id = ? ORDER BY at DESC, access_id LIMIT ? OFFSET ?",
            (str(user_id), limit, offset))

    def report_summary(self, child_id: UUID, start: str, end: str) -> list[dict]:
        """Who saw the child in the period, once per person, role and basis (a consent
        or a grant by its id): how many times, the first and the last time, and the
        person's unit (a grant's own row has none; the pages read under it have the user's)."""
        return self._rows(
            "SELECT user_id, role, MAX(unit_id) AS unit_id, basis, basis_ref, COUNT(*) AS count, MIN(at) AS first, "
            "MAX(at) AS last FROM {accesses} WHERE child_id = ? AND at >= ? AND at < ? "
            "GROUP BY user_id, role, basis, basis_ref ORDER BY last DESC, user_id",
            (str(child_id), start, end))

    def queue(self, reviewed: bool, offset: int, limit: int) -> list[dict]:
        """The anomalies themselves, newest first: for tests and scripts (no page
        reads them so, and no index serves this order; the pages read `groups`)."""
        return self._rows(
            "SELECT * FROM {anomalies} WHERE reviewed = ? ORDER BY at DESC, id LIMIT ? OFFSET ?",
            (1 if reviewed else 0, limit, offset))

    def groups(self, offset: int, limit: int) -> list[dict]:
        """The queue: anomalies to review, one row per user and rule, with how many
        and the first and last time; the group with the latest anomaly first."""
        return self._rows("SELECT * FROM {open_groups} ORDER BY last DESC, user_id, rule LIMIT ? OFFSET ?",
                          (limit, offset))

    def queue_size(self) -> tuple[int, int]:
        """(anomalies, groups) to review."""
        row = self.fetchone("SELECT COALESCE(SUM(count), 0) AS anomalies, COUNT(*) AS groups FROM {open_groups}")
        return int(row["anomalies"]), int(row["groups"])

    def group(self, user_id: UUID, rule: str) -> dict | None:
        """One group's count and first and last time; None when nothing is left to review."""
        row = self.fetchone("SELECT * FROM {open_groups} WHERE user_id = ? AND rule = ?", (str(user_id), rule))
        return dict(row) if row else None

    def group_rows(self, user_id: UUID, rule: str, offset: int, limit: int) -> list[dict]:
        """A group's anomalies with their accesses, newest first."""
        return self._rows(
            "SELECT a.*, x.action, x.records, x.reason_sealed, x.basis, x.basis_ref FROM {anomalies} a "
            "LEFT JOIN {accesses} x ON x.access_id = a.access_id AND x.child_id = a.child_id "
            "WHERE a.reviewed = 0 AND a.user_id = ? AND a.rule = ? ORDER BY a.at DESC, a.id LIMIT ? OFFSET ?",
            (str(user_id), rule, limit, offset))

    def reviews(self, offset: int, limit: int) -> list[dict]:
        """The reviews made, newest first."""
        return self._rows("SELECT * FROM {reviews} ORDER BY reviewed_at DESC, id LIMIT ? OFFSET ?", (limit, offset))

    # -- the internal control report (intranet/internal_control.py) -------------------------
    def control_counts(self, start: str, end: str) -> dict[str, dict]:
        """What happened from `start` to `end` (UTC instants), counted in SQL:
        - bases: reads of a child's data by legal basis, one per child per access
          event (a grant and a refused attempt are not reads: see break_glass);
        - anomalies: rule -> (raised in the period, of these reviewed by now);
        - reviews: rule -> reviews made in the period (each of one user's group);
        - break_glass: grants made, of these with anomalies not yet reviewed, and
          attempts refused (a restricted child);
        - erasures: requests made in the period, by their status now."""
        period = (start, end)
        bases = dict.fromkeys(BASES, 0)
        for row in self._rows("SELECT basis, COUNT(*) AS n FROM {accesses} WHERE at >= ? AND at < ? "
                              "AND action <> 'break_glass' GROUP BY basis", period):
            bases[row["basis"]] = int(row["n"])
        anomalies = dict.fromkeys(RULES, (0, 0))
        for row in self._rows("SELECT rule, COUNT(*) AS n, SUM(reviewed) AS reviewed FROM {anomalies} "
                              "WHERE at >= ? AND at < ? GROUP BY rule", period):
            anomalies[row["rule"]] = (int(row["n"]), int(row["reviewed"]))
        reviews = dict.fromkeys(RULES, 0)
        for row in self._rows("SELECT rule, COUNT(*) AS n FROM {reviews} WHERE reviewed_at >= ? AND reviewed_at < ? "
                              "GROUP BY rule", period):
            reviews[row["rule"]] = int(row["n"])
        glass = self.fetchone(
            "SELECT COUNT(DISTINCT CASE WHEN basis = ? THEN access_id END) AS granted, "
            "COUNT(DISTINCT CASE WHEN basis = ? THEN access_id END) AS refused FROM {accesses} "
            "WHERE at >= ? AND at < ? AND action = 'break_glass'", (BREAK_GLASS, REFUSED, *period))
        open_grants = self.fetchone(
            "SELECT COUNT(DISTINCT a.access_id) AS n FROM {anomalies} a JOIN {accesses} x "
            "ON x.access_id = a.access_id AND x.child_id = a.child_id "
            "WHERE a.at >= ? AND a.at < ? AND a.rule = 'break_glass' AND a.reviewed = 0 AND x.action = 'break_glass' "
            "AND x.basis = ?", (*period, BREAK_GLASS))
        erasures = dict.fromkeys(("requested", "confirmed", "rejected"), 0)
        for row in self._rows("SELECT status, COUNT(*) AS n FROM {erasures} WHERE requested_at >= ? "
                              "AND requested_at < ? GROUP BY status", period):
            erasures[row["status"]] = int(row["n"])
        return {"bases": bases, "anomalies": anomalies, "reviews": reviews,
                "break_glass": {"granted": int(glass["granted"]), "open": int(open_grants["n"]),
                                "refused": int(glass["refused"])},
                "erasures": erasures}

    def first_access(self) -> str | None:
        """When the log's first access was (an ISO instant), or None."""
        return self.fetchone("SELECT MIN(at) AS first FROM {accesses}")["first"]

    def pending_erasures(self) -> list[dict]:
        return self._rows("SELECT * FROM {erasures} WHERE status = 'requested' ORDER BY requested_at", ())

    def erasures_of(self, child_id: UUID) -> list[dict]:
        return self._rows("SELECT * FROM {erasures} WHERE child_id = ? ORDER BY requested_at", (str(child_id),))


class SQLiteAccessLogView(AccessLogTables, SQLiteView):
    pass


class PostgresAccessLogView(AccessLogTables, PostgresView):
    pass


class AccessFacts(NamedTuple):
    """What the rows and the rules need of one access, worked out from its event
    without the read model's state. A rebuild's first process makes some of them
    for the helper that builds the access log (projections/rebuild.py, `Feeder`)."""

    access_id: str
    user_id: str
    at: str
    role: str
    unit: str | None  # the user's unit; None for break-the-glass
    action: str
    records: str
    reason_sealed: bytes | None
    under_grant: bool  # the grant itself, or an access made under one
    children: tuple[str, ...]
    bases: tuple[tuple[str, str | None] | None, ...]  # each child's (code, ref); None if the event names none
    after_hours: bool
    hour: str  # the Oslo clock hour, YYYY-MM-DDTHH


def unit_on(child: dict, day: str) -> str:
    """The child's unit on an Oslo day (ISO): a scheduled move counts from its date."""
    if child.get("moves_on") and day >= child["moves_on"]:
        return child["moves_to"]
    return child["unit_id"]


class AccessLogProjection(Projection):
    name = "access_log"
    views = (SQLiteAccessLogView, PostgresAccessLogView)

    def __init__(self, view: AccessLogTables, app: Any, config: ReadModelConfig = DEFAULTS):
        super().__init__(view, app, config)
        self.hours = config.office_hours
        self.max_per_hour = config.max_children_per_hour
        self.reset()

    # Rows the rules produce for every access, inserted together at the end of a batch
    # (`insert_rows`: COPY on PostgreSQL) rather than one by one.
    BATCHED = {
        "accesses": ("access_id", "child_id", "at", "user_id", "role", "unit_id", "action", "records",
                     "reason_sealed", "basis", "basis_ref"),
        "anomalies": ("id", "access_id", "at", "user_id", "child_id", "rule", "reviewed"),
        "hourly": ("user_id", "hour", "child_id"),
    }

    def reset(self) -> None:
        """Forget the caches (at start, and after a batch was rolled back)."""
        self._pending: dict[str, list[tuple]] = {table: [] for table in self.BATCHED}
        # The rules need a child's unit and surname, a user's surname and the
        # children a user saw this hour, for every access: cached, read through.
        self._children: dict[str, Any] = {}
        self._users: dict[str, Any] = {}
        # Each user's two latest clock hours and the children seen in each, read
        # through from {hourly}, which holds no other hours (see `_seen_this_hour`).
        self._hours: dict[str, dict[str, set[str]]] = {}
        self._moved: set[str] = set()  # users whose older hours are to leave {hourly}
        # The text of the ids that recur (users, units, children), by their hex digits.
        self._texts: dict[str, str] = {}
        self._clocks: dict[str, tuple[str, bool]] = {}  # see `_clock`

    # -- sealing free text ---------------------------------------------------------------
    def seal(self, text: str, context: str) -> bytes | None:
        return seal(self.app.keystore, SYSTEM_KEY_ID, text, context) if text else None

    def unseal(self, sealed: bytes | None, context: str) -> str:
        return unseal(self.app.keystore, SYSTEM_KEY_ID, sealed, context) or "" if sealed else ""

    def surname_index(self, name: str) -> str:
        parts = name.replace("-", " ").split()
        return self.app.blind_index(parts[-1]) if parts else ""

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    def batch_done(self, c: Any) -> None:
        self._flush(c)

    def _flush(self, c: Any) -> None:
        for user_id in self._moved:
            c.execute(self.view.sql("DELETE FROM {hourly} WHERE user_id = ? AND hour < ?"),
                      (user_id, min(self._hours[user_id])))
        self._moved.clear()
        pending = self._pending["hourly"]
        pending[:] = [row for row in pending if row[1] in self._hours[row[0]]]  # not for an hour since dropped
        self._count_in_groups(c, self._pending["anomalies"])
        for table, rows in self._pending.items():
            if rows:
                self.view.insert_rows(c, table, self.BATCHED[table], rows)
                rows.clear()

    def _count_in_groups(self, c: Any, anomalies: list[tuple]) -> None:
        """Add new anomalies (rows as BATCHED) to their groups in {open_groups}."""
        added: dict[tuple[str, str], list] = {}
        for _id, _access, at, user_id, _child, rule, _reviewed in anomalies:
            group = added.get((user_id, rule))
            if group is None:
                added[(user_id, rule)] = [1, at, at]
            else:
                group[0] += 1
                group[1], group[2] = min(group[1], at), max(group[2], at)
        for (user_id, rule), (count, first, last) in added.items():
            c.execute(self.view.sql(
                "INSERT INTO {open_groups} AS g (user_id, rule, count, first, last) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (user_id, rule) DO UPDATE SET count = g.count + excluded.count, "
                "first = CASE WHEN excluded.first < g.first THEN excluded.first ELSE g.first END, "
                "last = CASE WHEN excluded.last > g.last THEN excluded.last ELSE g.last END"),
                (user_id, rule, count, first, last))

    def _recount_group(self, c: Any, user_id: str, rule: str) -> None:
        """A group's row in {open_groups} after a review took some of it."""
        left = self._one(c, "SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM {anomalies} "
                            "WHERE reviewed = 0 AND user_id = ? AND rule = ?", (user_id, rule))
        if left["n"]:
            self._execute(c, "UPDATE {open_groups} SET count = ?, first = ?, last = ? WHERE user_id = ? AND rule = ?",
                          (left["n"], left["first"], left["last"], user_id, rule))
        else:
            self._execute(c, "DELETE FROM {open_groups} WHERE user_id = ? AND rule = ?", (user_id, rule))

    def _execute(self, c: Any, statement: str, params: tuple = ()) -> Any:
        """Any other statement: the pending rows go first, so it sees them."""
        self._flush(c)
        c.execute(self.view.sql(statement), params)
        return c

    # -- the context the rules need --------------------------------------------------------
    @process.register
    def _(self, event: Child.Created, c: Any) -> None:
        surname = self.surname_index(event.last_name)
        self._execute(c, "INSERT INTO {children} (child_id, unit_id, surname, restricted) VALUES (?, ?, ?, 0)",
                      (str(event.originator_id), str(event.unit_id), surname))
        self._children[str(event.originator_id)] = {"unit_id": str(event.unit_id), "surname": surname,
                                                    "moves_to": None, "moves_on": None}

    @process.register
    def _(self, event: Child.DetailsCorrected, c: Any) -> None:
        self._execute(c, "UPDATE {children} SET surname = ? WHERE child_id = ?",
                      (self.surname_index(event.last_name), str(event.originator_id)))
        self._children.pop(str(event.originator_id), None)

    @process.register
    def _(self, event: Child.MovedToUnit, c: Any) -> None:
        self._execute(c, "UPDATE {children} SET unit_id = ? WHERE child_id = ?",
                      (str(event.unit_id), str(event.originator_id)))
        self._execute(c, "DELETE FROM {child_moves} WHERE child_id = ?", (str(event.originator_id),))
        self._children.pop(str(event.originator_id), None)

    @process.register
    def _(self, event: Child.MoveScheduled, c: Any) -> None:
        self._execute(c, "DELETE FROM {child_moves} WHERE child_id = ?", (str(event.originator_id),))
        self._execute(c, "INSERT INTO {child_moves} (child_id, unit_id, moves_on) VALUES (?, ?, ?)",
                      (str(event.originator_id), str(event.unit_id), event.effective_on.isoformat()))
        self._children.pop(str(event.originator_id), None)

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        self._execute(c, "UPDATE {children} SET restricted = 1 WHERE child_id = ?", (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        self._execute(c, "UPDATE {children} SET restricted = 0 WHERE child_id = ?", (str(event.originator_id),))

    @process.register
    def _(self, event: User.Created, c: Any) -> None:
        self._execute(c, "INSERT INTO {users} (user_id, surname) VALUES (?, ?)",
                      (str(event.originator_id), self.surname_index(event.name)))
        self._users.pop(str(event.originator_id), None)

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (projections/projection.py):
        keep the access history, forget the child's context, its surname's blind index
        with it (the index key survives erasure, so the index would confirm the name)."""
        self._execute(c, "DELETE FROM {children} WHERE child_id = ?", (str(child_id),))
        self._execute(c, "DELETE FROM {child_moves} WHERE child_id = ?", (str(child_id),))
        self._children.pop(str(child_id), None)

    # -- accesses and the rules --------------------------------------------------------------
    @process.register
    def _(self, event: Access.Created | BreakGlass.Created, c: Any) -> None:
        self._record(c, self.facts(event))

    @process.register
    def _(self, facts: AccessFacts, c: Any) -> None:
        self._record(c, facts)

    def facts(self, event: Any) -> AccessFacts:
        """What the rows and the rules need of an access (or break-the-glass) event."""
        text = self._text
        if isinstance(event, BreakGlass.Created):  # the grant names itself
            action, records, unit = "break_glass", [str(r) for r in event.record_ids], None
            bases = [(BREAK_GLASS, str(event.originator_id))] * len(event.subject_ids)
        else:
            action, records, unit = event.action, event.records, event.unit_id
            bases = [(code, None if ref is None else text(ref.hex)) for code, ref in event.bases]
        return self._facts(str(event.originator_id), text(event.user_id.hex), event.timestamp.isoformat(), event.role,
                           None if unit is None else text(unit.hex), action, records, event.reason,
                           [text(child.hex) for child in event.subject_ids], bases)

    def facts_from_plaintext(self, originator_id: UUID, plaintext: bytes) -> AccessFacts | None:
        """An `Access.Created` event's facts read straight from its decrypted JSON;
        None if it is not in the form this expects (then decode the event).

        A rebuild meets a million of these: building the event (the library's
        decoding, with a hook per object, and its UUIDs) was most of the cost of an
        access, and orjson parses the JSON several times faster than the standard
        library. The fields are those `Access.__init__` stores. An
        event stored at another class version than the class's own (written
        without `class_version` at version 1) takes the library's path, which
        upcasts it."""
        state = orjson.loads(plaintext)
        if state.get("class_version", 1) != ACCESS_VERSION:
            return None
        text = self._text
        unit = state["unit_id"]
        return self._facts(str(originator_id), text(state["user_id"]["_data_"]), state["timestamp"]["_data_"],
                           state["role"], None if unit is None else text(unit["_data_"]), state["action"],
                           state["records"], state["reason"], [text(child["_data_"]) for child in state["subject_ids"]],
                           [(code, None if ref is None else text(ref["_data_"])) for code, ref in state["bases"]])

    def _facts(self, access_id: str, user_id: str, at: str, role: str, unit: str | None,
               action: str, records: list[str], reason: str, children: list[str],
               bases: list[tuple[str, str | None]]) -> AccessFacts:
        hour, after_hours = self._clock(at)
        # Each child once, with the basis it was first shown on (none from a version 1 event).
        by_child: dict[str, tuple[str, str | None] | None] = {}
        for i, child in enumerate(children):
            by_child.setdefault(child, bases[i] if i < len(bases) else None)
        return AccessFacts(
            access_id, user_id, at, role, unit, action, ",".join(records),
            self.seal(reason, f"access:{access_id}"), action == "break_glass" or under_grant(reason),
            tuple(by_child), tuple(by_child.values()), after_hours, hour,
        )

    def _clock(self, at: str) -> tuple[str, bool]:
        """The Oslo clock hour (YYYY-MM-DDTHH) of an ISO timestamp, and whether it
        is after office hours. Worked out once per UTC hour: Oslo's offset changes
        only on the hour, and events are stamped in UTC."""
        utc_hour = at[:13] if at.endswith("+00:00") else None
        known = self._clocks.get(utc_hour) if utc_hour else None
        if known is None:
            local = datetime.fromisoformat(at).astimezone(OSLO)
            start, end = self.hours
            known = (local.isoformat(timespec="hours")[:13],  # faster than strftime
                     local.weekday() >= 5 or not start <= local.hour < end)
            if utc_hour:
                self._clocks[utc_hour] = known
        return known

    def _text(self, hex_digits: str) -> str:
        """A UUID's text from its 32 hex digits, made once per id (users, units and
        children recur; str(UUID) is slow)."""
        text = self._texts.get(hex_digits)
        if text is None:
            h = hex_digits
            text = self._texts[h] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # as str(UUID)
        return text

    def portable(self, originator_id: UUID, originator_version: int, topic: str, plaintext: bytes) -> Any:
        """What a rebuild's helper applies for a stored event (see `Projection.portable`):
        an access as its facts, a tuple of strings (it pickles fast; the event does not)."""
        if topic == ACCESS_TOPIC:
            facts = self.facts_from_plaintext(originator_id, plaintext)
            if facts is not None:
                return facts
        event = super().portable(originator_id, originator_version, topic, plaintext)
        return self.facts(event) if isinstance(event, Access.Created | BreakGlass.Created) else event

    def _record(self, c: Any, f: AccessFacts) -> None:
        for child_id, stored in zip(f.children, f.bases):
            child = self._child(c, child_id)
            basis, ref = stored if stored is not None else (self._basis(f, child), None)
            self._pending["accesses"].append((f.access_id, child_id, f.at, f.user_id, f.role, f.unit, f.action,
                                              f.records, f.reason_sealed, basis, ref))
            for rule in self._rules_broken(c, f, child_id, child, basis):
                self._pending["anomalies"].append(
                    (f"{f.access_id}:{child_id}:{rule}", f.access_id, f.at, f.user_id, child_id, rule, 0))

    def _child(self, c: Any, child_id: str) -> Any:
        if child_id not in self._children:
            row = self._one(c, "SELECT c.unit_id, c.surname, m.unit_id AS moves_to, m.moves_on FROM {children} c "
                            "LEFT JOIN {child_moves} m ON m.child_id = c.child_id WHERE c.child_id = ?", (child_id,))
            self._children[child_id] = dict(row) if row else None
        return self._children[child_id]

    def _user(self, c: Any, user_id: str) -> Any:
        if user_id not in self._users:
            row = self._one(c, "SELECT surname FROM {users} WHERE user_id = ?", (user_id,))
            self._users[user_id] = dict(row) if row else None
        return self._users[user_id]

    def _seen_this_hour(self, c: Any, user_id: str, hour: str, child_id: str) -> int:
        """How many distinct children the user has seen in this clock hour, this one
        included; 0 for an access stamped before the user's two latest hours.

        Only those two hours are kept (an access may be stamped a moment before one
        already recorded, not hours before), so {hourly} stays small: a row for
        every access made it a large share of a rebuild's inserts. What is counted depends
        only on the order of the events, never on where a batch ends."""
        hours = self._hours.get(user_id)
        if hours is None:
            hours = self._hours[user_id] = {}
            rows = self._execute(c, "SELECT hour, child_id FROM {hourly} WHERE user_id = ?", (user_id,)).fetchall()
            for row in rows:
                hours.setdefault(row["hour"], set()).add(row["child_id"])
        if hour not in hours:
            hours[hour] = set()
        if len(hours) > 2:  # a new hour, or a view from before this rule, which kept every hour
            for older in sorted(hours)[:-2]:
                del hours[older]
            self._moved.add(user_id)
        children = hours.get(hour)
        if children is None:  # stamped before both
            return 0
        if child_id not in children:
            children.add(child_id)
            self._pending["hourly"].append((user_id, hour, child_id))
        return len(children)

    @staticmethod
    def _basis(f: AccessFacts, child: Any) -> str:
        """On what basis an access stored without one was made, as far as the log can tell (see BASES)."""
        if f.under_grant:
            return "break_glass"
        kinds = f.records.split(",")
        if "collaboration.statutory" in kinds:
            return "statutory"  # barnevernet in a collaboration, on its own statutory basis
        if "collaboration" in kinds or "collaboration.list" in kinds:
            if f.role in ("staff", "unit_leader") and child is not None and unit_on(child, f.hour[:10]) == f.unit:
                return "own_unit"
            return "consent"  # the guardians' consent admitted the user's service
        if f.role in ("privacy_officer", "resource_team"):
            return f.role
        if f.role in ("staff", "unit_leader") and child is not None and f.unit is not None:
            return "own_unit" if unit_on(child, f.hour[:10]) == f.unit else "outside_unit"
        return "other"

    def _rules_broken(self, c: Any, f: AccessFacts, child_id: str, child: Any, basis: str) -> list[str]:
        if basis == "privacy_officer":
            return []  # her review reads: recorded, never fed back into her own queue
        broken = []
        if basis == BREAK_GLASS or f.under_grant:
            broken.append("break_glass")  # one rule for the grant, what is read under it, and a refused attempt
        else:
            if basis == "outside_unit" or (basis == OWN_UNIT and self._outside(f, child)):
                broken.append("outside_unit")
            if f.after_hours:
                broken.append("after_hours")
        user = self._user(c, f.user_id)
        if child is not None and user is not None and child["surname"] and child["surname"] == user["surname"]:
            broken.append("same_surname")
        count = self._seen_this_hour(c, f.user_id, f.hour, child_id)
        if count == self.max_per_hour + 1:  # the moment the limit is passed, once
            broken.append("many_children")
        return broken

    @staticmethod
    def _outside(f: AccessFacts, child: Any) -> bool:
        """Staff or a unit leader saw a child who was not of her unit that day."""
        return (f.role in ("staff", "unit_leader") and child is not None and f.unit is not None
                and unit_on(child, f.hour[:10]) != f.unit)

    def _one(self, c: Any, statement: str, params: tuple) -> Any:
        return self._execute(c, statement, params).fetchone()

    # -- review and erasure requests -----------------------------------------------------------
    @process.register
    def _(self, event: AnomaliesReviewed.Created, c: Any) -> None:
        """Marks what the officer was shown of the group: not yet reviewed, up to `through`."""
        where = "reviewed = 0 AND user_id = ? AND rule = ? AND at <= ?"
        params = (str(event.user_id), event.rule, event.through)
        group = self._one(c, f"SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM {{anomalies}} "
                             f"WHERE {where}", params)
        review_id = str(event.originator_id)
        self._execute(c, f"UPDATE {{anomalies}} SET reviewed = 1, review_id = ? WHERE {where}", (review_id, *params))
        self._add_review(c, event, str(event.user_id), event.rule, group["n"], group["first"], group["last"])
        self._recount_group(c, str(event.user_id), event.rule)

    @process.register
    def _(self, event: AnomalyReview.Created, c: Any) -> None:
        """A review of one anomaly, as made before reviews took a group."""
        row = self._one(c, "SELECT user_id, rule, at FROM {anomalies} WHERE id = ? AND reviewed = 0",
                        (event.anomaly_id,))
        if row is None:
            return
        self._execute(c, "UPDATE {anomalies} SET reviewed = 1, review_id = ? WHERE id = ?",
                      (str(event.originator_id), event.anomaly_id))
        self._add_review(c, event, row["user_id"], row["rule"], 1, row["at"], row["at"])
        self._recount_group(c, row["user_id"], row["rule"])

    def _add_review(self, c: Any, event: Any, user_id: str, rule: str, count: int, first: str | None,
                    last: str | None) -> None:
        review_id = str(event.originator_id)
        self._execute(c,
            "INSERT INTO {reviews} (id, user_id, rule, count, first, last, reviewed_by, reviewed_at, comment_sealed) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (review_id, user_id, rule, count, first, last, str(event.reviewed_by), event.timestamp.isoformat(),
             self.seal(event.comment, f"review:{review_id}")))

    @process.register
    def _(self, event: ErasureRequest.Created, c: Any) -> None:
        self._execute(c,
            "INSERT INTO {erasures} (id, child_id, unit_id, status, requested_by, requested_at) VALUES (?, ?, ?, 'requested', ?, ?)",
            (str(event.originator_id), str(event.child_id), str(event.unit_id), str(event.requested_by),
             event.timestamp.isoformat()))

    @process.register
    def _(self, event: ErasureRequest.Confirmed, c: Any) -> None:
        self._execute(c, "UPDATE {erasures} SET status = 'confirmed', decided_by = ? WHERE id = ?",
                      (str(event.admin_id), str(event.originator_id)))

    @process.register
    def _(self, event: ErasureRequest.Rejected, c: Any) -> None:
        self._execute(c, "UPDATE {erasures} SET status = 'rejected', decided_by = ? WHERE id = ?",
                      (str(event.admin_id), str(event.originator_id)))


