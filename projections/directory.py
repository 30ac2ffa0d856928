"""The directory read model: units, users and children, for lists and look-ups.

It holds ids, roles, statuses and unit ids in clear. Unit names are
organisational, not personal. A child's name is kept only sealed under the
child's own key (so erasure makes it unreadable) and as blind-index tokens for
search; a username only as a blind index, for login.
"""

from __future__ import annotations

from datetime import date
from functools import singledispatchmethod
from typing import Any
from uuid import UUID

from events import clock
from events.blind_index import tokens
from events.children import Child
from events.directory import Unit, User
from events.storage.keystore import seal, unseal
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables


class DirectoryTables(ViewTables):
    name = "directory"
    tables = {
        "units": "id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
        "closed {bool} NOT NULL DEFAULT 0",
        "users": "id TEXT PRIMARY KEY, username_index TEXT NOT NULL, role TEXT NOT NULL, "
        "unit_id TEXT, service TEXT, active {bool} NOT NULL",
        "children": "id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, name_sealed {blob}, "
        "restricted {bool} NOT NULL DEFAULT 0",
        "child_names": "child_id TEXT NOT NULL, token TEXT NOT NULL, "
        "PRIMARY KEY (token, child_id)",
        # A move accepted for a later date: the child is the new unit's from `moves_on`
        # (compared with today when read, so no job moves it at midnight).
        "child_moves": "child_id TEXT PRIMARY KEY, unit_id TEXT NOT NULL, moves_on TEXT NOT NULL",
    }
    indexes = (
        "CREATE INDEX IF NOT EXISTS directory_users_username ON {users} (username_index)",
        "CREATE INDEX IF NOT EXISTS directory_users_unit ON {users} (unit_id)",
        "CREATE INDEX IF NOT EXISTS directory_children_unit ON {children} (unit_id, id)",
        "CREATE INDEX IF NOT EXISTS directory_child_names_child ON {child_names} (child_id)",
        "CREATE INDEX IF NOT EXISTS directory_child_moves_unit ON {child_moves} (unit_id, moves_on)",
    )

    # -- queries -------------------------------------------------------------
    def units(self) -> list[dict[str, Any]]:
        rows = self.fetchall("SELECT id, kind, name, closed FROM {units} ORDER BY name")
        return [dict(row) for row in rows]

    def user_id_by_username_index(self, index: str) -> UUID | None:
        row = self.fetchone("SELECT id FROM {users} WHERE username_index = ?", (index,))
        return UUID(row["id"]) if row else None

    def users(self, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
        rows = self.fetchall(
            "SELECT id, role, unit_id, service, active FROM {users} ORDER BY id "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [dict(row) for row in rows]

    IN_UNIT = "SELECT id FROM {users} WHERE unit_id = ? AND active = 1 ORDER BY id"

    def active_users_in_unit(self, unit_id: UUID) -> list[UUID]:
        rows = self.fetchall(self.IN_UNIT, (str(unit_id),))
        return [UUID(row["id"]) for row in rows]

    def meeting_invitees(self, unit_ids: list[UUID], services: list[str]) -> list[UUID]:
        """The active users who may attend a meeting: its units' leaders and its services' people."""
        units = [str(u) for u in unit_ids] or [""]
        rows = self.fetchall(
            "SELECT id FROM {users} WHERE active = 1 AND ((role = 'unit_leader' AND unit_id IN (%s)) "
            "OR (role = 'resource_team' AND service IN (%s))) ORDER BY id LIMIT 200"
            % (", ".join("?" * len(units)), ", ".join("?" * len(services or [""]))),
            (*units, *(services or [""])))
        return [UUID(row["id"]) for row in rows]

    def children_in_unit(self, unit_id: UUID, offset: int = 0, limit: int = 50) -> list[UUID]:
        """The unit's children today: those moving out stay until their move's date."""
        today, unit = clock.today().isoformat(), str(unit_id)
        rows = self.fetchall(
            "SELECT c.id FROM {children} c LEFT JOIN {child_moves} m ON m.child_id = c.id "
            "WHERE c.restricted = 0 AND ((c.unit_id = ? AND (m.moves_on IS NULL OR m.moves_on > ?)) "
            "OR (m.unit_id = ? AND m.moves_on <= ?)) ORDER BY c.id LIMIT ? OFFSET ?",
            (unit, today, unit, today, limit, offset),
        )
        return [UUID(row["id"]) for row in rows]

    def restricted_among(self, child_ids: list[UUID]) -> set[UUID]:
        """Which of these children are restricted (lists built on other read models leave them out)."""
        ids = sorted({str(i) for i in child_ids})
        if not ids:
            return set()
        marks = ", ".join("?" for _ in ids)
        rows = self.fetchall(f"SELECT id FROM {{children}} WHERE restricted = 1 AND id IN ({marks})", tuple(ids))
        return {UUID(row["id"]) for row in rows}

    def moves_ahead(self, child_ids: list[UUID]) -> dict[UUID, tuple[UUID, date]]:
        """Of these children, those with a move still ahead: child -> (unit, date)."""
        if not child_ids:
            return {}
        marks = ", ".join("?" * len(child_ids))
        rows = self.fetchall(
            f"SELECT child_id, unit_id, moves_on FROM {{child_moves}} WHERE moves_on > ? AND child_id IN ({marks})",
            (clock.today().isoformat(), *(str(i) for i in child_ids)),
        )
        return {UUID(r["child_id"]): (UUID(r["unit_id"]), date.fromisoformat(r["moves_on"])) for r in rows}

    def child_ids_by_token(self, token_index: str, limit: int = 50, include_restricted: bool = False) -> list[UUID]:
        rows = self.fetchall(
            "SELECT n.child_id FROM {child_names} n JOIN {children} c ON c.id = n.child_id "
            "WHERE n.token = ? AND c.restricted <= ? ORDER BY n.child_id LIMIT ?",
            (token_index, 1 if include_restricted else 0, limit),
        )
        return [UUID(row["child_id"]) for row in rows]

    def sealed_child_name(self, child_id: UUID) -> bytes | None:
        row = self.fetchone("SELECT name_sealed FROM {children} WHERE id = ?", (str(child_id),))
        return row["name_sealed"] if row else None

    def count(self, table: str) -> int:
        return self.fetchone(f"SELECT COUNT(*) AS n FROM {{{table}}}")["n"]


class SQLiteDirectoryView(DirectoryTables, SQLiteView):
    pass


class PostgresDirectoryView(DirectoryTables, PostgresView):
    pass


NAME_CONTEXT = "directory.child_name"


class DirectoryProjection(Projection):
    """Applies directory events to the view, inside the runner's transaction."""

    name = "directory"
    views = (SQLiteDirectoryView, PostgresDirectoryView)


    def same_name_and_birth_date(self, first_name: str, last_name: str, birth_date: date) -> list[UUID]:
        """The children registered with this name and birth date (restricted ones left out)."""
        token = self.app.blind_index(name_and_birth_date(f"{first_name} {last_name}", birth_date))
        return self.view.child_ids_by_token(token, limit=20)

    def child_name(self, child_id: UUID) -> str | None:
        """The child's name from the read model, or None if unknown or erased."""
        sealed = self.view.sealed_child_name(child_id)
        if sealed is None:
            return None
        return unseal(self.app.keystore, child_id, sealed, NAME_CONTEXT)

    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    @process.register
    def _(self, event: Unit.Created, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {units} (id, kind, name, closed) VALUES (?, ?, ?, 0)"),
            (str(event.originator_id), event.kind, event.name),
        )

    @process.register
    def _(self, event: Unit.Renamed, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {units} SET name = ? WHERE id = ?"),
            (event.name, str(event.originator_id)),
        )

    @process.register
    def _(self, event: Unit.Closed, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {units} SET closed = 1 WHERE id = ?"),
            (str(event.originator_id),),
        )

    @process.register
    def _(self, event: User.Created, c: Any) -> None:
        c.execute(
            self.view.sql(
                "INSERT INTO {users} (id, username_index, role, unit_id, service, active) "
                "VALUES (?, ?, ?, ?, ?, 1)"
            ),
            (
                str(event.originator_id),
                self.app.blind_index(event.username),
                event.role,
                _str(event.unit_id),
                event.service,
            ),
        )

    @process.register
    def _(self, event: User.RoleAssigned, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {users} SET role = ?, unit_id = ?, service = ? WHERE id = ?"),
            (event.role, _str(event.unit_id), event.service, str(event.originator_id)),
        )

    @process.register
    def _(self, event: User.Deactivated, c: Any) -> None:
        self._set_active(c, event.originator_id, 0)

    @process.register
    def _(self, event: User.Reactivated, c: Any) -> None:
        self._set_active(c, event.originator_id, 1)

    def _set_active(self, c: Any, user_id: UUID, active: int) -> None:
        c.execute(
            self.view.sql("UPDATE {users} SET active = ? WHERE id = ?"), (active, str(user_id))
        )

    @process.register
    def _(self, event: Child.Created, c: Any) -> None:
        c.execute(
            self.view.sql("INSERT INTO {children} (id, unit_id, name_sealed) VALUES (?, ?, ?)"),
            (str(event.originator_id), str(event.unit_id), None),
        )
        self._index_name(c, event.originator_id, event.first_name, event.last_name, event.birth_date,
                         event.national_id)

    @process.register
    def _(self, event: Child.DetailsCorrected, c: Any) -> None:
        self._index_name(c, event.originator_id, event.first_name, event.last_name, event.birth_date,
                         event.national_id)

    @process.register
    def _(self, event: Child.Restricted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {children} SET restricted = 1 WHERE id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Child.RestrictionLifted, c: Any) -> None:
        c.execute(self.view.sql("UPDATE {children} SET restricted = 0 WHERE id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Child.MovedToUnit, c: Any) -> None:
        c.execute(
            self.view.sql("UPDATE {children} SET unit_id = ? WHERE id = ?"),
            (str(event.unit_id), str(event.originator_id)),
        )
        c.execute(self.view.sql("DELETE FROM {child_moves} WHERE child_id = ?"), (str(event.originator_id),))

    @process.register
    def _(self, event: Child.MoveScheduled, c: Any) -> None:
        c.execute(self.view.sql("DELETE FROM {child_moves} WHERE child_id = ?"), (str(event.originator_id),))
        c.execute(
            self.view.sql("INSERT INTO {child_moves} (child_id, unit_id, moves_on) VALUES (?, ?, ?)"),
            (str(event.originator_id), str(event.unit_id), event.effective_on.isoformat()),
        )

    def _index_name(self, c: Any, child_id: UUID, first_name: str, last_name: str, birth_date: date,
                    nin: str) -> None:
        name = f"{first_name} {last_name}"
        c.execute(
            self.view.sql("UPDATE {children} SET name_sealed = ? WHERE id = ?"),
            (seal(self.app.keystore, child_id, name, NAME_CONTEXT), str(child_id)),
        )
        c.execute(self.view.sql("DELETE FROM {child_names} WHERE child_id = ?"), (str(child_id),))
        indexes = {self.app.blind_index(token) for token in tokens(name)}
        # A new child with the same name and birth date may be this one (intranet/concerns.py asks).
        indexes.add(self.app.blind_index(name_and_birth_date(name, birth_date)))
        if nin:  # the privacy officer finds a child by national identity number too
            indexes.add(self.app.blind_index("nin:" + nin))
        for index in sorted(indexes):
            c.execute(
                self.view.sql("INSERT INTO {child_names} (child_id, token) VALUES (?, ?)"),
                (str(child_id), index),
            )

    def purge_child(self, c: Any, child_id: UUID) -> None:
        """On the child's erasure, and for each tombstone (see projections/projection.py)."""
        c.execute(self.view.sql("DELETE FROM {children} WHERE id = ?"), (str(child_id),))
        c.execute(self.view.sql("DELETE FROM {child_names} WHERE child_id = ?"), (str(child_id),))
        c.execute(self.view.sql("DELETE FROM {child_moves} WHERE child_id = ?"), (str(child_id),))


def name_and_birth_date(name: str, birth_date: date) -> str:
    """The text indexed for a child's name and birth date together."""
    return f"born:{birth_date.isoformat()}:{name}"


def _str(value: UUID | None) -> str | None:
    return None if value is None else str(value)
