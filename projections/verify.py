"""`intranet projections verify`: each read model rebuilt from the events into
a temporary place (a directory of its own on SQLite, a schema of its own on
PostgreSQL) and compared row by row with the live one.

A read model is derived data: anyone who can write its file or table can
insert, alter or delete rows that no event explains (a `members` row that puts
a user on another unit's concern, say). The rebuild is what the events say;
every row that differs is named by read model, table, key and column. Values
are never printed: read models hold sealed names and blind indexes.

The live read model may move on while it is compared (the server running): the
rebuild is brought to the position the live one has recorded, its rows read,
and the comparison made only if that position did not change meanwhile.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from uuid import UUID

from events.application import Bekymring, uses_postgres
from events.errors import IntegrityError
from events.storage.keystore import SYSTEM_KEY_ID, unseal
from events.storage.sqlite_store import ReadModelDatastore
from projections.batches import Follower, catch_up_together
from projections.config import DEFAULTS, ReadModelConfig
from projections.directory import NAME_CONTEXT
from projections.registry import PROJECTIONS, close_own, construct_view

ATTEMPTS = 5  # times the live read models may move on while they are compared

# Tables a rebuild does not make again as they are, and why.
NOT_COMPARED = {
    # When a checkpoint is signed depends on the time and on shutdowns, not only on
    # the rows; the signed checkpoints are checked by `intranet audit verify`, and
    # so is the children's map each of them signed (recomputed from the raw store).
    ("ledger", "checkpoints"),
    ("ledger", "maps"),
}

# Sealed columns are encrypted with a fresh nonce each time: compared by what they
# open to (read model, table, column) -> (row -> (key id, context)).
SEALED: dict[tuple[str, str, str], Callable[[dict], tuple[UUID, str]]] = {
    ("directory", "children", "name_sealed"): lambda row: (UUID(row["id"]), NAME_CONTEXT),
    ("access_log", "accesses", "reason_sealed"): lambda row: (SYSTEM_KEY_ID, f"access:{row['access_id']}"),
    ("access_log", "anomalies", "comment_sealed"): lambda row: (SYSTEM_KEY_ID, f"review:{row['id']}"),
    ("wheel", "items", "title_sealed"): lambda row: (SYSTEM_KEY_ID, f"wheel:{row['id']}:title"),
    ("wheel", "items", "place_sealed"): lambda row: (SYSTEM_KEY_ID, f"wheel:{row['id']}:place"),
}


@dataclass(frozen=True)
class Difference:
    """One row that differs between the live read model and its rebuild."""

    read_model: str
    table: str
    key: tuple[tuple[str, Any], ...]
    kind: str  # "inserted" (only live), "deleted" (only rebuilt) or "altered"
    columns: tuple[str, ...] = ()

    def describe(self) -> str:
        key = ", ".join(f"{name}={value}" for name, value in self.key)
        where = f"{self.read_model}.{self.table} ({key})"
        if self.kind == "inserted":
            return f"{where}: in the live read model, not in the rebuild (inserted)"
        if self.kind == "deleted":
            return f"{where}: in the rebuild, not in the live read model (deleted)"
        return f"{where}: column {', '.join(self.columns)} differs (altered)"


def primary_key(ddl: str) -> tuple[str, ...]:
    """A table's primary-key columns, from its DDL (none: the whole row is the key)."""
    table_level = re.search(r"PRIMARY KEY \(([^)]*)\)", ddl)
    if table_level:
        return tuple(c.strip() for c in table_level.group(1).split(","))
    for column in ddl.split(","):
        if "PRIMARY KEY" in column:
            return (column.split()[0],)
    return ()


def verify(app: Bekymring, names: Iterable[str] | None = None,
           config: ReadModelConfig = DEFAULTS) -> dict[str, list[Difference]]:
    """Rebuild the named read models (default: all) in a temporary place and
    compare them with the live ones: every difference, by read model."""
    chosen = [c for c in PROJECTIONS if names is None or c.name in set(names)]
    live = {c.name: construct_view(c, app) for c in chosen}
    try:
        with temporary_views(app, chosen) as temporary:
            followers = {c.name: Follower(c(temporary[c.name], app, config), app) for c in chosen}
            for _ in range(ATTEMPTS):
                targets = {name: view.position(app.name) for name, view in live.items()}
                bring_to(app, followers, targets)
                found = {name: compare(app, name, live[name], temporary[name]) for name in live}
                if all(live[name].position(app.name) == targets[name] for name in live):
                    return found
            raise RuntimeError(f"the live read models moved on {ATTEMPTS} times while they were compared")
    finally:
        for view in live.values():
            close_own(view, app)


def bring_to(app: Bekymring, followers: dict[str, Follower], targets: dict[str, int]) -> None:
    """Apply events to each rebuilt read model up to its live one's position: the
    positions in turn, lowest first, so the store is read about once."""
    for target in sorted(set(targets.values())):
        behind = [f for name, f in followers.items() if f.position < target <= targets[name]]
        catch_up_together(app, behind, until=target)


def compare(app: Bekymring, name: str, live: Any, rebuilt: Any) -> list[Difference]:
    differences: list[Difference] = []
    for table, ddl in live.tables.items():
        if (name, table) in NOT_COMPARED:
            continue
        key = primary_key(ddl)
        live_rows, rebuilt_rows = rows_of(app, name, table, live), rows_of(app, name, table, rebuilt)
        if key:
            differences += keyed_differences(name, table, key, live_rows, rebuilt_rows)
        else:
            differences += unkeyed_differences(name, table, live_rows, rebuilt_rows)
    return differences


def rows_of(app: Bekymring, name: str, table: str, view: Any) -> list[dict]:
    """Every row of a table, bytes as bytes and sealed values opened (see SEALED)."""
    rows = []
    for row in view.fetchall(f"SELECT * FROM {{{table}}}"):
        row = {k: bytes(v) if isinstance(v, memoryview) else v for k, v in dict(row).items()}
        for column in row:
            opener = SEALED.get((name, table, column))
            if opener is not None and row[column] is not None:
                row[column] = opened(app, row, column, opener)
        rows.append(row)
    return rows


class Unopenable:
    """A sealed value that does not open (altered, or moved from another row)."""

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


def opened(app: Bekymring, row: dict, column: str, opener: Callable[[dict], tuple[UUID, str]]) -> Any:
    try:
        key_id, context = opener(row)
        return ("opened", unseal(app.keystore, key_id, row[column], context))
    except (IntegrityError, ValueError, KeyError):
        return Unopenable()


def keyed_differences(name: str, table: str, key: tuple[str, ...], live_rows: list[dict],
                      rebuilt_rows: list[dict]) -> list[Difference]:
    live = {tuple(r[k] for k in key): r for r in live_rows}
    rebuilt = {tuple(r[k] for k in key): r for r in rebuilt_rows}
    found = []
    for k in sorted(live.keys() | rebuilt.keys(), key=str):
        named = tuple(zip(key, k))
        if k not in rebuilt:
            found.append(Difference(name, table, named, "inserted"))
        elif k not in live:
            found.append(Difference(name, table, named, "deleted"))
        else:
            columns = tuple(c for c in live[k] if live[k][c] != rebuilt[k].get(c))
            if columns:
                found.append(Difference(name, table, named, "altered", columns))
    return found


def unkeyed_differences(name: str, table: str, live_rows: list[dict], rebuilt_rows: list[dict]) -> list[Difference]:
    """A table without a primary key: rows compared whole, named by their ids."""
    def whole(row: dict) -> tuple:
        return tuple(sorted((k, str(v)) for k, v in row.items()))

    live, rebuilt = Counter(map(whole, live_rows)), Counter(map(whole, rebuilt_rows))
    found = []
    for kind, extra in (("inserted", live - rebuilt), ("deleted", rebuilt - live)):
        for row in sorted(extra):
            ids = tuple((k, v) for k, v in row if k == "id" or k.endswith("_id"))
            found += [Difference(name, table, ids, kind)] * extra[row]
    return found


@contextmanager
def temporary_views(app: Bekymring, chosen: list[type]) -> Iterator[dict[str, Any]]:
    """Empty views of the chosen read models in a place of their own, removed afterwards."""
    if uses_postgres(app.env):
        with temporary_schema(app) as datastore:
            views = {}
            for cls in chosen:
                views[cls.name] = cls.views[1](datastore=datastore)
                views[cls.name].create_table()
            yield views
        return
    directory = Path(tempfile.mkdtemp(prefix="bekymring-verify-"))
    views = {}
    try:
        for cls in chosen:
            views[cls.name] = cls.views[0](datastore=ReadModelDatastore(str(directory / f"{cls.name}.sqlite")))
            views[cls.name].create_table()
        yield views
    finally:
        for view in views.values():
            view.datastore.close()
        shutil.rmtree(directory, ignore_errors=True)


class InSchema:
    """The app's PostgreSQL datastore (its connections), naming another schema."""

    def __init__(self, datastore: Any, schema: str):
        self._datastore = datastore
        self.schema = schema

    def __getattr__(self, name: str) -> Any:
        return getattr(self._datastore, name)


@contextmanager
def temporary_schema(app: Bekymring) -> Iterator[InSchema]:
    datastore = app.factory.datastore
    schema = f"verify_{secrets.token_hex(6)}"
    with datastore.transaction(commit=True) as c:
        c.execute(f"CREATE SCHEMA {schema}")
    try:
        yield InSchema(datastore, schema)
    finally:
        with datastore.transaction(commit=True) as c:
            c.execute(f"DROP SCHEMA {schema} CASCADE")
