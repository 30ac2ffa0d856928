"""Slowing down password guessing without letting a stranger lock anyone out.

Failures are counted per (account, client address) and, for the one-time code,
per (account, address) on a counter of its own. After a few failures each new
try must wait, longer each time up to a short ceiling: guessing is slow, but
nobody is ever locked out for long, and a stranger on another address cannot
touch the user's own counter at all. Each address also has a generous limit
across all accounts, against one machine trying many.

Keys are HMACs (blind indexes), never the username or IP address itself.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from events.storage.sidestore import SideStore

WINDOW = 15 * 60  # failures older than this are forgotten
FREE_TRIES = 3  # failures on a key before any wait
MAX_WAIT = 30  # seconds: the ceiling of the growing wait
ADDRESS_LIMIT = 100  # failures from one address in a window, over all accounts


def wait_after(failures: int) -> float:
    """Seconds before the next try after `failures` in the window: 0, 0, 0, 1, 2, 4 … 30."""
    if failures < FREE_TRIES:
        return 0.0
    return float(min(2 ** (failures - FREE_TRIES), MAX_WAIT))


@dataclass(frozen=True)
class Refusal:
    seconds: int  # how long to wait before trying again
    address: bool  # the address's own limit, not the account's


class LoginThrottle:
    def __init__(self, store: SideStore, clock: Callable[[], float] = time.time):
        self.store = store
        self.clock = clock
        self.table = store.table("login_throttle")
        with store.creating() as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {self.table} (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, "
                f"window_start {store.double} NOT NULL, wait_until {store.double} NOT NULL)"
            )
            # The earlier throttle's table: its counters locked accounts outright.
            c.execute(f"DROP TABLE IF EXISTS {store.table('login_failures')}")

    def refusal(self, pair_key: str, address_key: str) -> Refusal | None:
        """Whether a try on this (account, address) pair must wait, and how long."""
        now = self.clock()
        with self.store.reading() as c:
            c.execute(self.store.sql(f"SELECT key, failures, window_start, wait_until FROM {self.table} "
                                     "WHERE key IN (?, ?)"), (pair_key, address_key))
            rows = {r["key"]: r for r in c.fetchall()}
        address = rows.get(address_key)
        if address and now - address["window_start"] < WINDOW and address["failures"] >= ADDRESS_LIMIT:
            return Refusal(int(address["window_start"] + WINDOW - now) + 1, True)
        pair = rows.get(pair_key)
        if pair and pair["wait_until"] > now:
            return Refusal(int(pair["wait_until"] - now) + 1, False)
        return None

    def failed(self, pair_key: str, address_key: str) -> None:
        now = self.clock()
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE window_start < ?"), (now - WINDOW,))
            for key in (pair_key, address_key):
                c.execute(self.store.sql(f"SELECT failures, window_start FROM {self.table} WHERE key = ?"), (key,))
                row = c.fetchone()
                fresh = row is None or now - row["window_start"] >= WINDOW
                failures = 1 if fresh else row["failures"] + 1
                start = now if fresh else row["window_start"]
                c.execute(
                    self.store.sql(
                        f"INSERT INTO {self.table} (key, failures, window_start, wait_until) VALUES (?, ?, ?, ?) "
                        "ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, "
                        "window_start = excluded.window_start, wait_until = excluded.wait_until"
                    ),
                    (key, failures, start, now + wait_after(failures)),
                )

    def succeeded(self, pair_key: str) -> None:
        with self.store.datastore.transaction(commit=True) as c:
            c.execute(self.store.sql(f"DELETE FROM {self.table} WHERE key = ?"), (pair_key,))
