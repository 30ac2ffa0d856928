"""Three demo children whose records are old, so the privacy officer's retention list
(/personvern/oppbevaring) has something to decide after `intranet demo`: two
whose only concern was closed without action more than three years ago (proposed
for erasure), and one with such a concern and a later one still in its time
(held back, the page names by what). Dated in the past through the domain's
clock (events/clock.py), as the generated history is."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from events import clock
from events.base import acting_as

CHILDREN = [
    # first name, last name, birth date, concerns: (observed so many days ago, closed so many days ago)
    ("Vetle", "Aasen", date(2017, 3, 9), [(1620, 1300)]),
    ("Noah", "Berntsen", date(2017, 11, 2), [(1500, 1250)]),
    ("Maja", "Strand", date(2018, 8, 21), [(1700, 1350), (500, 300)]),
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), clock.OSLO)


def load_retention_examples(app: Any, ids: dict[str, Any], today: date | None = None) -> list[UUID]:
    """Register the three children at Solsikken barnehage and their concerns; their ids."""
    today = today or clock.today()
    author = ids["users"]["pedleder"]
    children = []
    for first, last, born, concerns in CHILDREN:
        with acting_as(None), clock.set_to(_at(today - timedelta(days=concerns[0][0]))):
            child_id = app.register_child(first, last, born, ids["units"]["solsikken"])
        for observed, closed in concerns:
            observed_on = today - timedelta(days=observed)
            with acting_as(author), clock.set_to(_at(observed_on)):
                concern = app.open_concern(child_id, author, observed_on, "Virket sliten og lei seg flere dager.",
                                           "", ["mental_health"], 1)
            with acting_as(author), clock.set_to(_at(today - timedelta(days=closed))):
                app.change_concern(concern, app.get_concern(concern).version, author,
                                   lambda c: c.close("Samtale med foresatte; bekymringen er ikke lenger til stede"))
        children.append(child_id)
    return children
