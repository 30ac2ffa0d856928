"""The yearly wheel (årshjul): what the municipality, and each unit, do through
the year ("Årshjul for enhetens arbeid").

An item is a record of its own: a title, a month (or a date), an optional time
and place, its arena (resource team, transfer meetings, BUP, SLT, ...), a text,
and whether it comes back every year or happens once. It sits on the municipal
wheel (`unit_id` None) or on one unit's. Items are not about a child (the
system key encrypts them); the leaders who write them are told never to name
one, and the calendar feed redacts names all the same.

Every change is an event, so an item's history (created, changed, removed:
who and when) is read from its events.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from events.base import Record
from events.errors import DomainError
from events.meetings import TIME

# The arenas of the seeds (004, 001): what kind of date an item is.
KINDS = ("resource_team", "transfer_kindergarten", "transfer_school", "bup", "responsibility_group",
         "leader_forum", "slt", "training", "staff_meeting", "other")
REPEATS = ("yearly", "once")
FIELDS = ("title", "month", "day", "year", "starts_at", "place", "kind", "description", "repeat")
MAX_TITLE = 200
MAX_PLACE = 200
MAX_DESCRIPTION = 2000
YEARS = (2000, 2100)


class InvalidWheelItem(DomainError):
    """Raised when an item of the yearly wheel is incomplete or inconsistent, or gone."""


class WheelItemChanged(DomainError):
    """Raised when an item was changed after the editor opened it."""

    def __init__(self) -> None:
        super().__init__("wheel.changed")


@dataclass(frozen=True)
class Occurrence:
    """One date (or a whole month) on the wheel, whatever made it: an item, and
    later a meeting series. `day` None is the whole month. `uid` is stable, for
    the calendar feed; `link` is where a signed-in user reads more."""

    year: int
    month: int
    day: int | None
    title: str
    kind: str
    unit_id: UUID | None
    starts_at: str = ""
    place: str = ""
    link: str = ""
    uid: str = ""

    @property
    def on(self) -> date:
        return date(self.year, self.month, self.day or 1)


def check_item(title: str, month: int | None, day: int | None, year: int | None, starts_at: str, place: str,
               kind: str, description: str, repeat: str) -> None:
    if not title.strip():
        raise InvalidWheelItem("wheel.title_required", "title")
    if len(title) > MAX_TITLE:
        raise InvalidWheelItem("text.too_long", "title", max=MAX_TITLE)
    if len(place) > MAX_PLACE:
        raise InvalidWheelItem("text.too_long", "place", max=MAX_PLACE)
    if len(description) > MAX_DESCRIPTION:
        raise InvalidWheelItem("text.too_long", "description", max=MAX_DESCRIPTION)
    if kind not in KINDS:
        raise InvalidWheelItem("wheel.kind_unknown", "kind")
    if repeat not in REPEATS:
        raise InvalidWheelItem("wheel.repeat_unknown", "repeat")
    if month is None or not 1 <= month <= 12:
        raise InvalidWheelItem("wheel.month_required", "month")
    if repeat == "once" and (year is None or not YEARS[0] <= year <= YEARS[1]):
        raise InvalidWheelItem("wheel.year_required", "year")
    if repeat == "yearly" and year is not None:
        raise InvalidWheelItem("wheel.year_with_yearly", "year")
    # A yearly date must exist every year: 29 February does not.
    if day is not None and not 1 <= day <= calendar.monthrange(year or 2023, month)[1]:
        raise InvalidWheelItem("wheel.day_invalid", "day")
    if starts_at and not TIME.match(starts_at):
        raise InvalidWheelItem("wheel.time_invalid", "starts_at")
    if starts_at and day is None:
        raise InvalidWheelItem("wheel.time_without_day", "starts_at")


class WheelItem(Record):
    """One item of the municipal wheel or of a unit's, with its history."""

    class Event(Record.Event):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            # After the method body ran: who did what, when, for the item's history.
            aggregate.history.append({"what": type(self).__name__.lower(), "at": self.timestamp,
                                      "by": self.actor_id, "fields": aggregate._changed})
            aggregate._changed = ()

    def __init__(self, unit_id: UUID | None, title: str, month: int, day: int | None, year: int | None,
                 starts_at: str, place: str, kind: str, description: str, repeat: str):
        self.unit_id = unit_id
        self.title, self.month, self.day, self.year = title, month, day, year
        self.starts_at, self.place, self.kind = starts_at, place, kind
        self.description, self.repeat = description, repeat
        self.removed = False
        self.history: list[dict[str, Any]] = []
        self._changed: tuple[str, ...] = ()

    @classmethod
    def new(cls, unit_id: UUID | None, id: UUID | None = None, **values: Any) -> WheelItem:
        """A new item; the rules are checked first, so old events always replay."""
        check_item(**values)
        return cls._create(cls.Created, id=id, unit_id=unit_id, **values)  # noqa: SLF001

    # -- queries -----------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def occurs_in(self, year: int) -> bool:
        return not self.removed and (self.repeat == "yearly" or self.year == year)

    @property
    def created(self) -> tuple[datetime, UUID | None]:
        first = self.history[0]
        return first["at"], first["by"]

    # -- changes -----------------------------------------------------------------------------
    def check_not_removed(self) -> None:
        if self.removed:
            raise InvalidWheelItem("wheel.removed")

    def change(self, seen_version: int, **values: Any) -> None:
        self.check_not_removed()
        if seen_version != self.version:
            raise WheelItemChanged()
        check_item(**values)
        if values == self.values:
            raise InvalidWheelItem("wheel.unchanged")
        self._changed_to(**values)

    @event("Changed")
    def _changed_to(self, title: str, month: int, day: int | None, year: int | None, starts_at: str, place: str,
                    kind: str, description: str, repeat: str) -> None:
        new = {"title": title, "month": month, "day": day, "year": year, "starts_at": starts_at, "place": place,
               "kind": kind, "description": description, "repeat": repeat}
        self._changed = tuple(name for name in FIELDS if new[name] != getattr(self, name))
        for name, value in new.items():
            setattr(self, name, value)

    def remove(self) -> None:
        self.check_not_removed()
        self._removed()

    @event("Removed")
    def _removed(self) -> None:
        self.removed = True


def default_item_id(key: str) -> UUID:
    """A default item's id follows from its key: adding the defaults twice adds them once."""
    return uuid5(NAMESPACE_URL, f"bekymring:wheel:default:{key}")


def _yearly(month: int, title: str, kind: str, description: str = "") -> dict[str, Any]:
    return {"title": title, "month": month, "day": None, "year": None, "starts_at": "", "place": "", "kind": kind,
            "description": description, "repeat": "yearly"}


# What a municipality's wheel starts from (the seeds' yearly rhythm, 001 and 004);
# the kommunalsjef adds them once as items, then changes them as any other.
DEFAULTS: dict[str, dict[str, Any]] = {
    "resource-team-spring-notice": _yearly(
        2, "Ressursteam, vårmøter (februar–april): meld inn saker til enhetens leder", "resource_team",
        "Ressursteamet drøfter saker anonymt med barnevern, helsestasjon og PPT. Styrer eller rektor tar med "
        "dem som har behov for å delta."),
    "resource-team-spring-3": _yearly(3, "Ressursteam, vårmøter", "resource_team"),
    "resource-team-spring-4": _yearly(4, "Ressursteam, vårmøter", "resource_team"),
    "transfer-form": _yearly(
        5, "Overgangsskjema barnehage → skole: fylles ut med foresatte, godkjennes av dem og sendes skolen i mai",
        "transfer_kindergarten"),
    "evaluate-summer": _yearly(6, "Evaluer tiltaksplaner før sommeren", "other"),
    "new-staff": _yearly(8, "Oppstart: gjennomgå handlingsveilederen med nye ansatte", "training"),
    "resource-team-autumn-9": _yearly(9, "Ressursteam, høstmøter (september–november)", "resource_team"),
    "transfer-meetings-10": _yearly(
        10, "Overføringsmøter barnehage → skole (oktober–november)", "transfer_kindergarten",
        "Møte mellom barnehage, skole, PP-tjeneste og foreldre når det gjelder barn med spesielle behov, "
        "året før skolestart."),
    "resource-team-autumn-10": _yearly(10, "Ressursteam, høstmøter", "resource_team"),
    "transfer-meetings-11": _yearly(11, "Overføringsmøter barnehage → skole", "transfer_kindergarten"),
    "resource-team-autumn-11": _yearly(11, "Ressursteam, høstmøter", "resource_team"),
    "evaluate-christmas": _yearly(12, "Evaluer tiltaksplaner før jul", "other"),
}
