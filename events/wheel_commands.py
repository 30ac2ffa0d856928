"""The commands on the yearly wheel's items, mixed into the one application (`Bekymring`).

A change names the version the editor saw; if someone saved since, it raises
`WheelItemChanged` and nothing is stored.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError as VersionConflict

from events.commands import CommandMixin
from events.wheel import DEFAULTS, WheelItem, WheelItemChanged, default_item_id


class WheelCommands(CommandMixin):
    def add_wheel_item(self, unit_id: UUID | None, **values: Any) -> UUID:
        """A new item on a unit's wheel, or (`unit_id` None) on the municipal one."""
        if unit_id is not None:
            self.check_unit(unit_id)
        item = WheelItem.new(unit_id, **values)
        self.save(item)
        return item.id

    def get_wheel_item(self, item_id: UUID) -> WheelItem:
        return self._get(WheelItem, item_id)

    def change_wheel_item(self, item_id: UUID, seen_version: int, **values: Any) -> None:
        item = self.get_wheel_item(item_id)
        item.change(seen_version, **values)
        try:
            self.save(item)
        except VersionConflict:  # saved by someone else between our read and our write
            raise WheelItemChanged() from None

    def remove_wheel_item(self, item_id: UUID) -> None:
        item = self.get_wheel_item(item_id)
        item.remove()
        try:
            self.save(item)
        except VersionConflict:
            raise WheelItemChanged() from None

    def add_default_wheel(self) -> list[UUID]:
        """The suggested municipal year (events/wheel.py DEFAULTS) as items; the
        ones added before are left as they are (even if changed or removed)."""
        added = []
        for key, values in DEFAULTS.items():
            item = WheelItem.new(None, id=default_item_id(key), **values)
            try:
                self.save(item)
            except VersionConflict:
                continue
            added.append(item.id)
        return added
