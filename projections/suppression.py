"""The threshold of the leaders' statistics: no count below 5 is published, and no
published number lets one be worked out. How the releases are protected (rounding
to base 5, cell by cell, every number a sum of rounded cells) is in
events/statistics.py; TOTAL names a table's margin (its "I alt")."""

from events.statistics import BASE

THRESHOLD = BASE
TOTAL = "__total__"


def shown(n: int) -> int | None:
    """A number as published, or None below the threshold, shown as "<5": a 0 too, so
    that "<5" never says that something happened (a rounded release's 0 may be 1 to 4)."""
    return n if n >= THRESHOLD else None
