"""The record that a child's data was erased (shredded). It is written under the
system key and holds only the child's id, so read models can purge derived rows."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from events.base import Record


class Erasure(Record):
    """One per erased child; its id is derived from the child's, so erasing twice is safe."""

    @staticmethod
    def create_id(child_id: UUID) -> UUID:
        return uuid5(NAMESPACE_URL, f"bekymring:erasure:{child_id}")

    def __init__(self, child_id: UUID, reason: str):
        self.child_id = child_id
        self.reason = reason
