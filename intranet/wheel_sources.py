"""Where the yearly wheel's dates come from: one list of sources.

A source is a function `(state, unit_ids, year) -> list[Occurrence]` giving the
dates of the wheels named (a unit's id, or None for the municipal wheel) that
fall in `year`. The wheel page and the calendar feed both read every source
here, so a new kind of date (a meeting series' generated dates, say) joins
both by adding one function to `SOURCES`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable
from uuid import UUID

from events.policy import Principal
from events.wheel import Occurrence
from intranet.i18n import _
from intranet.meetings import ARENA_NAMES

Source = Callable[[Any, tuple[UUID | None, ...], int], list[Occurrence]]


def wheel_items(state: Any, unit_ids: tuple[UUID | None, ...], year: int) -> list[Occurrence]:
    """The items the leaders wrote on these wheels."""
    return state.projections["wheel"].occurrences(unit_ids, year)


# A series' arena (events/arenas.py) -> the wheel's kind of date (events/wheel.py KINDS).
SERIES_KINDS = {"resource_team": "resource_team", "ressursgruppe": "other", "bup": "bup",
                "school_transfer": "transfer_school", "preschool_transfer": "transfer_kindergarten",
                "slt": "slt", "lederforum": "leader_forum"}


def series_dates(state: Any, unit_ids: tuple[UUID | None, ...], year: int) -> list[Occurrence]:
    """The meeting series' generated dates not yet planned (a planned one is a meeting,
    which the wheel shows as such): every series on the municipal wheel, a unit's
    series on the unit's. Each date once, however many of the wheels name it."""
    series = state.projections["series"]
    start, end = date(year, 1, 1), date(year, 12, 31)
    if None in unit_ids:
        scoped = [(None, d) for d in series.dates(start, end)]
    else:
        scoped = [(unit_id, d) for unit_id in unit_ids for d in series.dates(start, end, unit_id)]
    found: dict[str, Occurrence] = {}
    for unit_id, d in scoped:
        uid = f"series-{d.series_id}-{d.on.isoformat()}"
        if d.meeting_id is None and uid not in found:
            found[uid] = Occurrence(year=year, month=d.on.month, day=d.on.day, title=_(ARENA_NAMES[d.kind]),
                                    kind=SERIES_KINDS[d.kind], unit_id=unit_id, starts_at=d.starts_at,
                                    place=d.place, link=f"/ressursteam/serier/{d.series_id}", uid=uid)
    return list(found.values())


SOURCES: list[Source] = [wheel_items, series_dates]


def occurrences(state: Any, unit_ids: Iterable[UUID | None], year: int) -> list[Occurrence]:
    """Every source's dates on these wheels in `year`, by date (a whole month first)."""
    scopes = tuple(dict.fromkeys(unit_ids))
    found = [o for source in SOURCES for o in source(state, scopes, year)]
    return sorted(found, key=lambda o: (o.month, o.day or 0, o.starts_at, o.title))


def own_wheels(user: Principal) -> tuple[UUID | None, ...]:
    """The wheels a user has: the municipal one, and her unit's if she works in one."""
    if user.role in ("staff", "unit_leader") and user.unit_id is not None:
        return (None, user.unit_id)
    return (None,)


def editable_wheel(user: Principal) -> tuple[bool, UUID | None]:
    """(whether the user edits a wheel, which: None is the municipal one). The
    policy decides (`wheel.edit`); this only names the wheel each role has."""
    if user.role == "municipal_leader":
        return True, None
    if user.role == "unit_leader" and user.unit_id is not None:
        return True, user.unit_id
    return False, None
