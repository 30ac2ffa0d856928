"""The yearly wheel's read model: each wheel's items by month.

A leader writes an item's title and place; they are kept sealed under the
system key (as the access log keeps its reasons), so the read model holds no
text in clear. The scope is the unit's id, or "" for the municipal wheel.
Removed items are deleted; their history stays in their events.
"""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any, Iterable
from uuid import UUID

from events.storage.keystore import SYSTEM_KEY_ID, seal, unseal
from events.wheel import Occurrence, WheelItem
from projections.projection import Projection
from projections.view import PostgresView, SQLiteView, ViewTables

MUNICIPAL = ""
MAX_ITEMS = 500  # of one year's wheels shown at once: far above what a wheel holds


def scope_of(unit_id: UUID | None) -> str:
    return MUNICIPAL if unit_id is None else str(unit_id)


class WheelTables(ViewTables):
    name = "wheel"
    tables = {
        "items": "id {key} PRIMARY KEY, scope {key} NOT NULL, month INTEGER NOT NULL, day INTEGER, "
        "year INTEGER, starts_at TEXT NOT NULL, kind TEXT NOT NULL, title_sealed {blob} NOT NULL, "
        "place_sealed {blob}",
    }
    indexes = ("CREATE INDEX IF NOT EXISTS wheel_items_scope ON {items} (scope, month, day)",)

    def in_year(self, scopes: Iterable[str], year: int) -> list[dict]:
        """The items of these wheels that fall in `year`, by month and day."""
        scopes = list(scopes)
        marks = ", ".join("?" for _ in scopes)
        return self._rows(
            f"SELECT * FROM {{items}} WHERE scope IN ({marks}) AND (year IS NULL OR year = ?) "
            "ORDER BY month, COALESCE(day, 0), starts_at, id LIMIT ?", (*scopes, year, MAX_ITEMS))


class SQLiteWheelView(WheelTables, SQLiteView):
    pass


class PostgresWheelView(WheelTables, PostgresView):
    pass


class WheelProjection(Projection):
    name = "wheel"
    views = (SQLiteWheelView, PostgresWheelView)

    # -- queries ---------------------------------------------------------------------------
    def occurrences(self, unit_ids: Iterable[UUID | None], year: int) -> list[Occurrence]:
        """The items of these wheels (None: the municipal one) in `year`, unsealed."""
        return [Occurrence(
            year=year, month=r["month"], day=r["day"], title=self._unseal(r["title_sealed"], r["id"], "title"),
            kind=r["kind"], unit_id=None if r["scope"] == MUNICIPAL else UUID(r["scope"]), starts_at=r["starts_at"],
            place=self._unseal(r["place_sealed"], r["id"], "place"), link=f"/arshjul/punkt/{r['id']}",
            uid=f"wheel-{r['id']}") for r in self.view.in_year(map(scope_of, unit_ids), year)]

    def _seal(self, text: str, item_id: UUID, part: str) -> bytes | None:
        return seal(self.app.keystore, SYSTEM_KEY_ID, text, f"wheel:{item_id}:{part}") if text else None

    def _unseal(self, sealed: bytes | None, item_id: str, part: str) -> str:
        if not sealed:
            return ""
        return unseal(self.app.keystore, SYSTEM_KEY_ID, sealed, f"wheel:{item_id}:{part}") or ""

    # -- events ------------------------------------------------------------------------------
    @singledispatchmethod
    def process(self, event: Any, c: Any) -> None:
        """Events this read model does not need."""

    def _store(self, c: Any, item_id: UUID, event: Any, scope: str) -> None:
        c.execute(self.view.sql("DELETE FROM {items} WHERE id = ?"), (str(item_id),))
        c.execute(
            self.view.sql("INSERT INTO {items} (id, scope, month, day, year, starts_at, kind, title_sealed, "
                          "place_sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            (str(item_id), scope, event.month, event.day, event.year, event.starts_at, event.kind,
             self._seal(event.title, item_id, "title"), self._seal(event.place, item_id, "place")))

    @process.register
    def _(self, event: WheelItem.Created, c: Any) -> None:
        self._store(c, event.originator_id, event, scope_of(event.unit_id))

    @process.register
    def _(self, event: WheelItem.Changed, c: Any) -> None:
        row = None
        c.execute(self.view.sql("SELECT scope FROM {items} WHERE id = ?"), (str(event.originator_id),))
        row = c.fetchone()
        if row is not None:
            self._store(c, event.originator_id, event, row["scope"])

    @process.register
    def _(self, event: WheelItem.Removed, c: Any) -> None:
        c.execute(self.view.sql("DELETE FROM {items} WHERE id = ?"), (str(event.originator_id),))
