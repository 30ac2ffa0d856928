"""The programme's follow-up across units, for the kommunalsjef's overview:
key persons now, the latest training of each kind, and who confirmed which
version of the action guide. Ids, roles, kinds and dates only; the names stay
in the directory's encrypted events.

The read model keeps its own list of the units' active staff (from the users'
events), so the share who read the guide is one query over one store.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events.directory import UNIT_ROLES, User
from events.programme import GuideReading, UnitProgramme
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables


class ProgrammeTables(ViewTables):
    name = "programme"
    tables = {
        "key_persons": "unit_id {key} NOT NULL, user_id {key} NOT NULL, since TEXT NOT NULL, "
        "PRIMARY KEY (unit_id, user_id)",
        "trainings": "unit_id {key} NOT NULL, kind TEXT NOT NULL, held_on TEXT NOT NULL, attendees INTEGER NOT NULL",
        "guide_reads": "user_id {key} PRIMARY KEY, version TEXT NOT NULL",
        "unit_staff": "user_id {key} PRIMARY KEY, unit_id {key}, counted {bool} NOT NULL, active {bool} NOT NULL",
        "owners": "id {key} PRIMARY KEY, owner_id {key} NOT NULL",  # a programme's unit, a reading's user
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS programme_trainings_unit ON {trainings} (unit_id, kind, held_on)",
        "CREATE INDEX IF NOT EXISTS programme_unit_staff_unit ON {unit_staff} (unit_id)",
    )

    def key_person_counts(self) -> dict[UUID, int]:
        """The units with key persons, and how many (those still active in the unit)."""
        rows = self.fetchall("SELECT k.unit_id, COUNT(*) AS n FROM {key_persons} k JOIN {unit_staff} s "
                             "ON s.user_id = k.user_id AND s.unit_id = k.unit_id AND s.active = 1 "
                             "GROUP BY k.unit_id")
        return {UUID(r["unit_id"]): r["n"] for r in rows}

    def last_trainings(self) -> dict[tuple[UUID, str], date]:
        """(unit, kind) -> the day of the latest training of that kind."""
        rows = self.fetchall("SELECT unit_id, kind, MAX(held_on) AS last FROM {trainings} GROUP BY unit_id, kind")
        return {(UUID(r["unit_id"]), r["kind"]): date.fromisoformat(r["last"]) for r in rows}

    def readers(self, version: str | None) -> dict[UUID, tuple[int, int]]:
        """Unit -> (active staff who confirmed `version`, active staff)."""
        rows = self.fetchall("SELECT s.unit_id, COUNT(*) AS staff, "
                             "SUM(CASE WHEN r.version = ? THEN 1 ELSE 0 END) AS done FROM {unit_staff} s "
                             "LEFT JOIN {guide_reads} r ON r.user_id = s.user_id "
                             "WHERE s.active = 1 AND s.counted = 1 AND s.unit_id IS NOT NULL GROUP BY s.unit_id",
                             (version or "",))
        return {UUID(r["unit_id"]): (int(r["done"] or 0), r["staff"]) for r in rows}


class SQLiteProgrammeView(ProgrammeTables, SQLiteView):
    pass


class PostgresProgrammeView(ProgrammeTables, PostgresView):
    pass


class ProgrammeProjection(Projection):
    name = "programme"
    views = (SQLiteProgrammeView, PostgresProgrammeView)

    def _staff(self, c: Any, user_id: UUID, **columns: Any) -> None:
        sets = ", ".join(f"{k} = ?" for k in columns)
        c.execute(self.view.sql(f"UPDATE {{unit_staff}} SET {sets} WHERE user_id = ?"),
                  (*columns.values(), str(user_id)))

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: User.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {unit_staff} (user_id, unit_id, counted, active) VALUES (?, ?, ?, 1)"),
                  (str(event.originator_id), str(event.unit_id) if event.unit_id else None,
                   int(event.role in UNIT_ROLES)))

    @process.register
    def _(self, event: User.RoleAssigned, c: Any) -> None:
        self._staff(c, event.originator_id, unit_id=str(event.unit_id) if event.unit_id else None,
                    counted=int(event.role in UNIT_ROLES))

    @process.register
    def _(self, event: User.Deactivated, c: Any) -> None:
        self._staff(c, event.originator_id, active=0)

    @process.register
    def _(self, event: User.Reactivated, c: Any) -> None:
        self._staff(c, event.originator_id, active=1)

    # A programme's and a reading's ids are derived, not reversible: their creation
    # says whose they are, and later events find it here.
    @process.register
    def _(self, event: UnitProgramme.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {owners} (id, owner_id) VALUES (?, ?)"),
                  (str(event.originator_id), str(event.unit_id)))

    @process.register
    def _(self, event: GuideReading.Created, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {owners} (id, owner_id) VALUES (?, ?)"),
                  (str(event.originator_id), str(event.user_id)))

    def _owner(self, c: Any, event: Any) -> str:
        c.execute(self.view.sql("SELECT owner_id FROM {owners} WHERE id = ?"), (str(event.originator_id),))
        return c.fetchone()["owner_id"]

    @process.register
    def _(self, event: UnitProgramme.KeyPersonAppointed, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {key_persons} (unit_id, user_id, since) VALUES (?, ?, ?)"),
                  (self._owner(c, event), str(event.user_id), event.on.isoformat()))

    @process.register
    def _(self, event: UnitProgramme.KeyPersonEnded, c: Any) -> None:
        c.execute(self.view.sql("DELETE FROM {key_persons} WHERE unit_id = ? AND user_id = ?"),
                  (self._owner(c, event), str(event.user_id)))

    @process.register
    def _(self, event: UnitProgramme.TrainingRecorded, c: Any) -> None:
        c.execute(self.view.sql("INSERT INTO {trainings} (unit_id, kind, held_on, attendees) VALUES (?, ?, ?, ?)"),
                  (self._owner(c, event), event.kind, event.held_on.isoformat(), len(event.attendee_ids)))

    @process.register
    def _(self, event: GuideReading.Confirmed, c: Any) -> None:
        user_id = self._owner(c, event)
        c.execute(self.view.sql("DELETE FROM {guide_reads} WHERE user_id = ?"), (user_id,))
        c.execute(self.view.sql("INSERT INTO {guide_reads} (user_id, version) VALUES (?, ?)"),
                  (user_id, event.version))
