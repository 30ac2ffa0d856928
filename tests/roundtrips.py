"""Counting a request's round trips to PostgreSQL, as libpq sees them.

While a request is counted, every connection that waits on the server in the
request's own context (its thread hops copy it; the read models' followers and
the pool's workers do not) is traced by libpq for that wait: each
ReadyForQuery the server sends ends one round trip (a simple query, or one
Sync of the extended protocol, or a whole pipeline's Sync), and each BEGIN
starts one transaction. Nothing is replaced: the real connection talks to the
real server, and libpq writes down what crossed.
"""

from __future__ import annotations

import contextvars
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import psycopg
from psycopg import pq

_counting: contextvars.ContextVar["Trips | None"] = contextvars.ContextVar("counting_round_trips", default=None)


@dataclass
class Trips:
    """What one counted request sent: its round trips and the statements of each."""

    messages: list[str] = field(default_factory=list)

    @property
    def round_trips(self) -> int:
        return sum(1 for m in self.messages if m.startswith("B") and "ReadyForQuery" in m)

    @property
    def statements(self) -> list[str]:
        """The SQL the client sent, as libpq logged it (Query and Parse messages;
        a prepared statement already parsed on its connection shows as Bind)."""
        out = []
        for m in self.messages:
            if not m.startswith("F"):
                continue
            if "\tQuery\t" in m or "\tParse\t" in m:
                found = re.search(r'"(.*)"', m)
                out.append(found.group(1) if found else m)
            elif "\tBind\t" in m:
                out.append("(bind) " + m.split("\tBind\t", 1)[1][:80])
        return out


_original_wait = psycopg.Connection.wait


def _traced_wait(self, gen, *args, **kwargs):
    trips = _counting.get()
    if trips is None:
        return _original_wait(self, gen, *args, **kwargs)
    with tempfile.TemporaryFile("w+") as log:
        self.pgconn.trace(log.fileno())
        self.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            return _original_wait(self, gen, *args, **kwargs)
        finally:
            self.pgconn.untrace()
            log.seek(0)
            trips.messages += [line.rstrip("\n") for line in log]


class CountingApp:
    """An ASGI app around the real one: the requests it is told to count run in
    a context that counts (Starlette's thread hops copy the context)."""

    def __init__(self, app):
        self.app = app
        self.trips: Trips | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.trips is None:
            return await self.app(scope, receive, send)
        token = _counting.set(self.trips)
        try:
            await self.app(scope, receive, send)
        finally:
            _counting.reset(token)

    @contextmanager
    def count(self) -> Iterator[Trips]:
        psycopg.Connection.wait = _traced_wait
        self.trips = Trips()
        try:
            yield self.trips
        finally:
            self.trips = None
            psycopg.Connection.wait = _original_wait

