"""The municipality's meeting arenas (seeds 001 and 004) and each one's rules:
who plans and leads it, how often it meets, and whether a child may appear.

Plain data, read by the domain (events/series.py, events/meetings.py) and by the
policy (events/policy.py), so this module imports nothing of either.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arena:
    """One kind of meeting series."""

    planners: tuple[str, ...]  # the roles that may plan a series and lead its meetings
    rules: tuple[str, ...]  # the recurrences it may have, the usual one first
    modes: tuple[str, ...]  # how a child's case may be brought: () means never a child
    weekday: int | None = None  # the day it is held on (Monday 0), if fixed
    months: tuple[int, ...] = ()  # the months its first date may fall in, if fixed


ARENAS: dict[str, Arena] = {
    # Spring and autumn; extra meetings on demand. Cases anonymised, or by name on consent.
    "resource_team": Arena(("unit_leader", "resource_team", "municipal_leader"), ("half_yearly", "yearly"),
                           ("anonymous", "named")),
    # The programme's working group: monthly, called and minuted by the kommunalsjef (seed 001).
    "ressursgruppe": Arena(("municipal_leader", "resource_team"), ("monthly",), ("anonymous",)),
    # BUP consultation: Tuesday every 6th week; anonymous cases or shared themes (seed 004).
    "bup": Arena(("resource_team", "municipal_leader"), ("every_6th_week",), ("anonymous",), weekday=1),
    # School to school: October (coordinator and contact teacher), February–April (7th → 8th grade).
    "school_transfer": Arena(("unit_leader",), ("yearly",), ("anonymous",), months=(10, 2, 3, 4)),
    # Barnehage to school: October/November the year before school, with PPT and the parents.
    "preschool_transfer": Arena(("unit_leader", "resource_team"), ("yearly",), ("anonymous", "named"),
                                months=(10, 11)),
    # SLT (police and municipality) and the lederforum: themes only, never a child.
    "slt": Arena(("municipal_leader",), ("monthly", "every_6th_week", "half_yearly"), ()),
    "lederforum": Arena(("municipal_leader",), ("last_thursday", "monthly"), ()),
}

# A single meeting's kind -> its arena. The resource team's meetings keep their
# spring, autumn and extra kinds; every other arena's meetings are of its own kind.
MEETING_ARENAS = {"spring": "resource_team", "autumn": "resource_team", "extra": "resource_team",
                  **{name: name for name in ARENAS if name != "resource_team"}}


def arena_of(meeting_kind: str) -> Arena:
    return ARENAS[MEETING_ARENAS.get(meeting_kind, "resource_team")]


def may_plan(role: str, arena: str) -> bool:
    return arena in ARENAS and role in ARENAS[arena].planners


def takes_cases(meeting_kind: str) -> bool:
    """Whether a child's case may be brought to a meeting of this kind (anonymised at least)."""
    return bool(arena_of(meeting_kind).modes)
