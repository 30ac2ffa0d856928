"""Display names on pages: kept for a minute, never used to decide access."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

from events.application import NotFound
from intranet.names import SECONDS, DisplayNames


class Directory:
    """A stand-in for the domain that counts its reads."""

    def __init__(self):
        self.names = {}
        self.reads = 0

    def get_user(self, user_id):
        self.reads += 1
        if user_id not in self.names:
            raise NotFound("record.not_found", kind="User", record_id=user_id)
        return SimpleNamespace(name=self.names[user_id])

    get_unit = get_user


def test_names_are_read_once_a_minute_and_unknown_users_are_named_so():
    directory, now = Directory(), [1000.0]
    names = DisplayNames(directory, clock=lambda: now[0])
    known, unknown = uuid4(), uuid4()
    directory.names[known] = "Kari Nordmann"

    assert names.users([known, unknown, None]) == {known: "Kari Nordmann", unknown: "ukjent bruker"}
    directory.names[known] = "Kari Hansen"
    assert names.users([known]) == {known: "Kari Nordmann"}  # kept
    now[0] += SECONDS + 1
    assert names.users([known]) == {known: "Kari Hansen"}  # read again after a minute
    assert directory.reads == 3
