"""Where the yearly wheel's dates come from: one list of sources.

A source is a function `(state, unit_ids, year) -> list[Occurrence]` giving the
dates of the wheels named (a unit's id, or None for the municipal wheel) that
fall in `year`. The wheel page and the calendar feed both read every source
here, so a new kind of date (a meeting series' generated dates, say) joins
both by adding one function to `SOURCES`.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable
from uuid import UUID

from events.policy import Principal
from events.wheel import Occurrence

Source = Callable[[Any, tuple[UUID | None, ...], int], list[Occurrence]]


def wheel_items(state: Any, unit_ids: tuple[UUID | None, ...], year: int) -> list[Occurrence]:
    """The items the leaders wrote on these wheels."""
    return state.projections["wheel"].occurrences(unit_ids, year)


SOURCES: list[Source] = [wheel_items]


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
