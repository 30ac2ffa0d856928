"""Keeps the read models up to date with the notification log while the app runs.

Each projection has its own view and position. The runner applies events in
batches (projections/batches.py); a batch and the position it reaches commit in
one transaction, so every event is applied exactly once, even across crashes.

One thread polls `select_notifications` on both stores, every `poll_seconds` or
at once when a request waits for its own write. On PostgreSQL the library's
LISTEN/NOTIFY subscription was used before; it woke for every event, so each
page view cost every read model that took the event a transaction of its own.
Polling applies what arrived meanwhile as one batch.

`wait(position)` gives read-your-own-writes: a page rendered after a write
waits (briefly) until the read models include it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from typing import Any, Callable, Iterable

import psycopg
from eventsourcing.persistence import ConnectionUnavailableError, InterfaceError, OperationalError

from events.application import Bekymring
from events.storage.postgres_recorder import lock_held_elsewhere
from events.storage.sqlite_store import held_elsewhere
from projections.batches import (
    BATCH, IDLE_RECORD_EVERY, Follower, Overtaken, StoppedElsewhere, catch_up_beside_others, catch_up_together,
)
from projections.config import DEFAULTS, ReadModelConfig
from projections.leading import AdvisoryLocks, FileLocks, lead_locks
from projections.registry import PROJECTIONS, construct_view
from projections.undecodable import UndecodableRow
from projections.view import progress_of

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
WAITING_POLL_SECONDS = 0.05  # while a request waits for a read model another process follows
# The store away for a while (a PostgreSQL restart, a SQLite file locked by
# another connection): following pauses and tries again, waiting twice as long
# each time, from RETRY_FIRST to RETRY_MAX seconds.
RETRY_FIRST, RETRY_MAX = 0.5, 30.0
PAUSE_TOLERATED = 60.0  # seconds paused before `status` says the read models are not ok
# PostgreSQL: a server shutting down or starting (admin, crash, cannot connect
# now) or a session ended for idling; class 08 (connection errors) as a whole.
POSTGRES_AWAY = {"57P01", "57P02", "57P03", "57P05"}


def worth_retrying(error: BaseException) -> bool:
    """Whether `error` says the store is away for now, so that trying again
    later may succeed: a lost or refused PostgreSQL connection, a server
    shutting down, no free connection in the pool, a SQLite file locked by
    another connection. Not an error in what was asked (no such table, a full
    disk, a cancelled statement, a constraint): that stops the read model,
    loudly, as before. A lock timeout (the connections' own, events/application.py)
    is a table held elsewhere: that passes."""
    if isinstance(error, ConnectionUnavailableError) or lock_held_elsewhere(error):  # the pool, or a lock, timed out
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = error.__cause__  # the driver's error (the library chains it)
    if isinstance(cause, sqlite3.Error):
        return held_elsewhere(cause)
    if cause is not None and hasattr(cause, "sqlstate"):  # psycopg's
        state = cause.sqlstate
        return state is None or state.startswith("08") or state in POSTGRES_AWAY
    return False


class ProjectionRunner:
    """All read models of one process. Start it in the app's lifespan.

    One thread follows the store for all of them, so each new event is read and
    decrypted once, not once per read model. A read model that fails stops alone.
    """

    def __init__(self, app: Bekymring, projection_classes: Iterable[type] = PROJECTIONS, *,
                 poll_seconds: float = POLL_SECONDS, retry_first: float = RETRY_FIRST,
                 retry_max: float = RETRY_MAX, pause_tolerated: float = PAUSE_TOLERATED,
                 idle_record_every: int = IDLE_RECORD_EVERY, config: ReadModelConfig = DEFAULTS):
        self.app = app
        self.poll_seconds = poll_seconds
        self.retry_first, self.retry_max = retry_first, retry_max
        self.pause_tolerated = pause_tolerated
        self._poke = threading.Event()  # a waiting request asks for a catch-up now
        self.followers = {
            cls.name: Follower(cls(construct_view(cls, app), app, config), app, self._poke, idle_record_every)
            for cls in projection_classes
        }
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_since: float | None = None  # monotonic time the store stopped answering
        self._locks: AdvisoryLocks | FileLocks | None = None  # while following (`start`)

    def __getitem__(self, name: str) -> Any:
        return self.followers[name].projection

    def start(self) -> ProjectionRunner:
        """Follow the store in a thread. Several processes may run on one store:
        each read model is followed by one of them at a time (projections/leading.py),
        the others read its progress; which one is settled at every poll."""
        self._locks = lead_locks(self.app)
        for follower in self.followers.values():
            follower.give_up_lead()
        self._thread = threading.Thread(target=self._follow, name="projections", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            if not self._thread.is_alive():
                self._finish()
                if self._locks is not None:
                    self._locks.close()
            self._thread = None

    def _claim(self) -> None:
        """Take over each read model that no process follows (its follower ended or
        lost its connection), and learn how far the others are. Our own locks
        lost (their connection gone): every read model is given up first."""
        locks = self._locks
        if locks is None:
            return
        if any(f.leading for f in self.followers.values()) and not locks.alive():
            for follower in self.followers.values():
                follower.give_up_lead()
        others = [f for f in self.followers.values() if not f.leading]
        try:
            taken = locks.claim([f.projection.name for f in others])
            for follower in others:
                if follower.projection.name in taken:
                    follower.take_lead()
                    log.info("read model %s is followed by this process", follower.projection.name)
            others = [f for f in others if not f.leading]
            for follower, progress in zip(others, progress_of([f.view for f in others], self.app.name)):
                follower.learn(*progress)
        except Exception as e:
            if not worth_retrying(e) and not isinstance(e, (psycopg.Error, OSError)):
                raise
            log.warning("could not learn which process follows the read models; tried again at the next poll",
                        exc_info=True)
            if not any(f.leading for f in self.followers.values()):
                locks.close()

    def _finish(self) -> None:
        """At shutdown, each read model with an `at_stop` (the ledger: it signs
        what has arrived) catches up and runs it, where this process follows
        it. A failure is logged: the process is stopping anyway."""
        for follower in self._led():
            at_stop = getattr(follower.projection, "at_stop", None)
            if at_stop is None:
                continue
            try:
                follower.catch_up()
                at_stop()
            except Exception:
                log.exception("read model %s could not finish at shutdown", follower.projection.name)

    def _tick(self) -> None:
        """After each poll, each read model with a `tick` runs it (the ledger
        signs a checkpoint when one is due), where this process follows it."""
        for follower in self._led():
            tick = getattr(follower.projection, "tick", None)
            if tick is None:
                continue
            try:
                tick()
            except Exception as e:
                self._failed(follower, e)

    def _live(self) -> list[Follower]:
        """The read models this process follows, and those it reads the progress of,
        running (a stop is learnt from the view, `_claim`)."""
        return [f for f in self.followers.values() if f.error is None]

    def _led(self) -> list[Follower]:
        """The read models this process follows, running."""
        return [f for f in self.followers.values() if f.error is None and f.leading]

    def _follow(self) -> None:
        """Follow the store until stopped. While the store is away (see
        `worth_retrying`) the read models keep what they have, pages show it, and
        following starts again later: each read model goes on from the position
        it recorded, so nothing is applied twice or skipped. Any other failure
        stops them: in reading or decrypting, all; in a read model's code, that one."""
        delay = self.retry_first
        while not self._stopping.is_set():
            try:
                self._claim()
                catch_up_together(self.app, self._live(), on_error=self._failed)
                self._resumed()
                delay = self.retry_first
                self._follow_by_polling()
                return
            except BaseException as e:
                if not worth_retrying(e):  # reading or decrypting failed: no read model can go on
                    for follower in self._led():
                        follower.fail(e)
                    return
                first = self._paused_since is None
                if first:
                    self._paused_since = time.monotonic()
                log.warning("the store is away; read models paused, next try in %.1f s",
                            delay, exc_info=e if first else None)
                self._stopping.wait(delay)
                delay = min(delay * 2, self.retry_max)

    def _resumed(self) -> None:
        if self._paused_since is not None:
            log.warning("the store answers again; read models paused for %.1f s",
                        time.monotonic() - self._paused_since)
            self._paused_since = None

    @staticmethod
    def _failed(follower: Follower, error: BaseException) -> None:
        if worth_retrying(error):
            raise error  # not the read model's fault: end the pass, try again later (see `_follow`)
        if isinstance(error, Overtaken):  # another process follows it now (projections/leading.py)
            log.warning("%s; this process only reads it now", error)
            follower.give_up_lead()
            return
        follower.fail(error)

    def _follow_by_polling(self) -> None:
        while not self._stopping.is_set():
            # A request here waits for a read model another process follows: look
            # at its progress often, not every `poll_seconds`.
            waiting = any(f.waiters and not f.leading for f in self.followers.values())
            self._poke.wait(min(self.poll_seconds, WAITING_POLL_SECONDS) if waiting else self.poll_seconds)
            self._poke.clear()
            self._claim()
            catch_up_together(self.app, self._live(), on_error=self._failed, lazy=True)
            self._tick()
            self._resumed()

    def wait(self, position: int | None = None, timeout: float = 5.0) -> None:
        """Block until every read model includes `position` (default: the newest event).
        A read model stopped on purpose at a row it cannot read is not waited for:
        it will not move until the row is mended, and it is reported (`status`);
        a write that succeeded must not look failed because of it."""
        if position is None:
            position = self.app.position()
        for follower in self.followers.values():
            if isinstance(follower.error, UndecodableRow) or getattr(follower.error, "undecodable", False):
                continue
            if not follower.wait(position, timeout):
                if follower.error is not None:
                    raise RuntimeError(
                        f"projection {follower.projection.name} failed"
                    ) from follower.error
                raise TimeoutError(f"projection {follower.projection.name} is behind")

    def catch_up(self, progress: Callable[[int], None] | None = None, batch: int = BATCH) -> int:
        """Apply everything recorded so far, in this thread (CLI, tests, rebuild).
        A server applying events meanwhile is no error: each read model goes on
        from where it got (`Follower.catch_up`)."""
        return catch_up_beside_others(self.app, list(self.followers.values()), progress, batch)

    def refresh(self) -> None:
        """Learn each read model's recorded position and stop from its view (for a
        runner that follows nothing itself: `intranet projections status`)."""
        followers = list(self.followers.values())
        for follower, progress in zip(followers, progress_of([f.view for f in followers], self.app.name)):
            follower.learn(*progress)

    def status(self) -> dict[str, dict[str, Any]]:
        """Each read model's position; not ok if it failed, or if following has
        been paused longer than `pause_tolerated` (a read model's file locked by
        another process, say: the store itself answers)."""
        newest = self.app.position()
        since = self._paused_since
        paused = None if since is None else round(time.monotonic() - since, 1)
        return {
            name: {
                "position": f.position,
                "behind": max(0, newest - f.position),
                "ok": f.error is None and (paused is None or paused < self.pause_tolerated),
                "follows_here": f.leading and self._locks is not None,
                **({} if paused is None else {"paused_s": paused}),
                **({} if f.error is None else {"stopped": stop_reason(f.error)}),
                **stopped_at(f.error),
            }
            for name, f in self.followers.items()
        }


def stop_reason(error: BaseException) -> str:
    """Why a read model stopped, in one line (its traceback is in the log of the
    process that followed it)."""
    if isinstance(error, UndecodableRow):
        return str(error)
    if isinstance(error, StoppedElsewhere):
        return error.reason if not error.undecodable else f"stopped at row {json.loads(error.reason)['row']}"
    return f"{type(error).__name__}: {error}".splitlines()[0][:500]


def stopped_at(error: BaseException | None) -> dict[str, Any]:
    """Where a read model stopped on purpose, at a row it cannot read (for
    `status`); nothing for a read model that runs, or stopped otherwise."""
    if isinstance(error, StoppedElsewhere) and error.undecodable:
        return {"stopped_at": json.loads(error.reason)}
    if not isinstance(error, UndecodableRow):
        return {}
    return {"stopped_at": error.row.fields()}

