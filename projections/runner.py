"""Keeps the read models up to date with the notification log.

Each projection has its own view and position. The runner applies events in
batches; a batch and the position it reaches commit in one transaction, so
every event is applied exactly once, even across crashes.

One thread polls `select_notifications` on both stores, every POLL_SECONDS or
at once when a request waits for its own write. On PostgreSQL the library's
LISTEN/NOTIFY subscription was used before; it woke for every event, so each
page view cost every read model that took the event a transaction of its own.
Polling applies what arrived meanwhile as one batch.

`wait(position)` gives read-your-own-writes: a page rendered after a write
waits (briefly) until the read models include it.
"""

from __future__ import annotations

import bisect
import gc
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from contextlib import ExitStack, contextmanager
from functools import singledispatchmethod
from types import MethodType
from typing import Any, Callable, Iterable, Iterator
from uuid import UUID

from eventsourcing.persistence import IntegrityError as TrackingConflict
from eventsourcing.persistence import (
    ConnectionUnavailableError, InterfaceError, Notification, OperationalError, StoredEvent,
)
from eventsourcing.utils import resolve_topic

from events.application import Bekymring, data_dir_of, uses_postgres
from events.envelope import Tombstone
from events.erasure import Erasure
from events.sqlite_store import ReadModelDatastore, RebuildDatastore, held_elsewhere
from projections.access_log import AccessLogProjection
from projections.binder import BinderProjection
from projections.concerns import ConcernProjection
from projections.config import DEFAULTS, ReadModelConfig
from projections.directory import DirectoryProjection
from projections.ledger import LedgerProjection
from projections.meetings import MeetingProjection
from projections.rebuild_helper import HelperProcess
from projections.referrals import ReferralProjection
from projections.transfers import TransferProjection

log = logging.getLogger(__name__)

PROJECTIONS = (
    DirectoryProjection,
    ConcernProjection,
    ReferralProjection,
    AccessLogProjection,
    BinderProjection,
    TransferProjection,
    MeetingProjection,
    LedgerProjection,
)
BATCH = 2000
REBUILD_BATCH = 10_000  # fewer commits when a read model is built from zero
POLL_SECONDS = 0.5
IDLE_RECORD_EVERY = 1000  # a read model with nothing to apply records its position this often
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
    loudly, as before."""
    if isinstance(error, ConnectionUnavailableError):  # the library's own pool, timed out
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


def construct_view(projection_class: type, app: Bekymring, rebuilding: bool = False) -> Any:
    """The read model's view on the app's store (on SQLite, a file of its own).
    `rebuilding`: SQLite connections tuned for building from zero (see RebuildDatastore)."""
    sqlite_view, postgres_view = projection_class.views
    if uses_postgres(app.env):
        view = postgres_view(datastore=app.factory.datastore)
    else:
        views_dir = data_dir_of(app.env) / "views"
        views_dir.mkdir(parents=True, exist_ok=True)
        datastore_class = RebuildDatastore if rebuilding else ReadModelDatastore
        datastore = datastore_class(str(views_dir / f"{projection_class.name}.sqlite"))
        view = sqlite_view(datastore=datastore)
    view.create_table()
    return view


class Follower:
    """One projection, its view and its position."""

    def __init__(self, projection: Any, app: Bekymring, poke: threading.Event | None = None):
        self.projection = projection
        self.view = projection.view
        self.app = app
        self.position = self.view.position(app.name)
        self.recorded = self.position  # the position its view holds
        self.changed = threading.Condition()
        self.poke = poke or threading.Event()  # wakes the thread that follows the store
        self.error: BaseException | None = None
        self.raw = getattr(projection, "raw", False)  # the ledger reads stored rows, not events
        self.handler = handler_lookup(projection)
        self.seconds = 0.0  # time spent applying batches (for the benchmarks)
        self._stale = False  # see `_forget`

    def apply(self, notifications: list[Notification], decoded: list[Any] | None,
              lazy: bool = False) -> None:
        """Apply a batch and record its last position, atomically. `decoded` are the
        batch's events, decrypted once for all read models (see `apply_batch`).

        `lazy` (following live): a batch with nothing for this read model (an access
        event, for most of them) is not written at all; the position moves on in
        memory and is recorded every IDLE_RECORD_EVERY events. After a crash those
        events are read again and ignored again."""
        self.apply_events(notifications if self.raw else decoded, notifications[-1].id, lazy)

    def apply_events(self, events: list[Any], last: int, lazy: bool = False) -> None:
        """Apply `events` and record `last` as the position reached (see `apply`)."""
        if (lazy and not self.raw and last - self.recorded < IDLE_RECORD_EVERY
                and all(self.handler(type(e)) is None for e in events)):
            self._reached(last)
            return
        started = time.perf_counter()
        if self._stale:  # a rolled-back batch's caches could not be dropped then
            self.projection.reset()
            self._stale = False
        try:
            with self.view.transaction(commit=True) as c:
                self.apply_in(c, events, last)
            reached = last
        except TrackingConflict:
            # Either another process applied this batch first (continue from where
            # it got), or the projection broke a constraint (a bug: stop loudly).
            self._forget()
            reached = self.view.position(self.app.name)
            if reached < last:
                raise
        except BaseException:
            self._forget()  # the batch was rolled back: so must its caches be
            raise
        self.recorded = reached
        self.seconds += time.perf_counter() - started
        self._reached(reached)

    def _forget(self) -> None:
        """Drop the caches a rolled-back batch filled. A read model that reloads
        them from its view (the ledger's tree) cannot while the store is
        unreachable: then it is done before the next batch instead."""
        if not hasattr(self.projection, "reset"):
            return
        self._stale = True
        try:
            self.projection.reset()
        except Exception:
            log.warning("read model %s: dropping a rolled-back batch's caches failed; "
                        "done before its next batch", self.projection.name, exc_info=True)
            return
        self._stale = False

    def apply_in(self, c: Any, events: list[Any], last: int) -> None:
        """Apply `events` and record `last`, in the caller's transaction `c`."""
        with self.view.pipelined(c) as p:
            for event in events:
                handle = self.handler(type(event))
                if handle is not None:
                    handle(event, p)
        # After the pipeline: the batch's rows may go in by COPY, and the library
        # reads the tracking insert's reply.
        batch_done = getattr(self.projection, "batch_done", None)
        if batch_done:
            batch_done(c)
        self.view.record_position(c, self.app.name, last)

    def _reached(self, reached: int) -> None:
        with self.changed:
            self.position = reached
            self.changed.notify_all()

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply everything recorded so far; return how many events were applied."""
        return catch_up_together(self.app, [self], progress)

    def fail(self, error: BaseException) -> None:
        """Stop applying events to this read model; wait() and health report it."""
        log.error("projection %s stopped", self.projection.name, exc_info=error)
        self.error = error
        with self.changed:
            self.changed.notify_all()

    def wait(self, position: int, timeout: float) -> bool:
        self.poke.set()
        with self.changed:
            return self.changed.wait_for(
                lambda: self.position >= position or self.error is not None, timeout
            ) and self.error is None


class ProjectionRunner:
    """All read models of one process. Start it in the app's lifespan.

    One thread follows the store for all of them, so each new event is read and
    decrypted once, not once per read model. A read model that fails stops alone.
    """

    def __init__(self, app: Bekymring, projection_classes: Iterable[type] = PROJECTIONS,
                 config: ReadModelConfig = DEFAULTS):
        self.app = app
        self._poke = threading.Event()  # a waiting request asks for a catch-up now
        self.followers = {
            cls.name: Follower(cls(construct_view(cls, app), app, config), app, self._poke)
            for cls in projection_classes
        }
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._paused_since: float | None = None  # monotonic time the store stopped answering

    def __getitem__(self, name: str) -> Any:
        return self.followers[name].projection

    def start(self) -> ProjectionRunner:
        self._thread = threading.Thread(target=self._follow, name="projections", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._poke.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _live(self) -> list[Follower]:
        return [f for f in self.followers.values() if f.error is None]

    def _follow(self) -> None:
        """Follow the store until stopped. While the store is away (see
        `worth_retrying`) the read models keep what they have, pages show it, and
        following starts again later: each read model goes on from the position
        it recorded, so nothing is applied twice or skipped. Any other failure
        stops them: in reading or decrypting, all; in a read model's code, that one."""
        delay = RETRY_FIRST
        while not self._stopping.is_set():
            try:
                catch_up_together(self.app, self._live(), on_error=self._failed)
                self._resumed()
                delay = RETRY_FIRST
                self._follow_by_polling()
                return
            except BaseException as e:
                if not worth_retrying(e):  # reading or decrypting failed: no read model can go on
                    for follower in self._live():
                        follower.fail(e)
                    return
                first = self._paused_since is None
                if first:
                    self._paused_since = time.monotonic()
                log.warning("the store is away; read models paused, next try in %.1f s",
                            delay, exc_info=e if first else None)
                self._stopping.wait(delay)
                delay = min(delay * 2, RETRY_MAX)

    def _resumed(self) -> None:
        if self._paused_since is not None:
            log.warning("the store answers again; read models paused for %.1f s",
                        time.monotonic() - self._paused_since)
            self._paused_since = None

    @staticmethod
    def _failed(follower: Follower, error: BaseException) -> None:
        if worth_retrying(error):
            raise error  # not the read model's fault: end the pass, try again later (see `_follow`)
        follower.fail(error)

    def _follow_by_polling(self) -> None:
        while not self._stopping.is_set():
            self._poke.wait(POLL_SECONDS)
            self._poke.clear()
            catch_up_together(self.app, self._live(), on_error=self._failed, lazy=True)
            self._resumed()

    def wait(self, position: int | None = None, timeout: float = 5.0) -> None:
        """Block until every read model includes `position` (default: the newest event)."""
        if position is None:
            position = self.app.position()
        for follower in self.followers.values():
            if not follower.wait(position, timeout):
                if follower.error is not None:
                    raise RuntimeError(
                        f"projection {follower.projection.name} failed"
                    ) from follower.error
                raise TimeoutError(f"projection {follower.projection.name} is behind")

    def catch_up(self, progress: Callable[[int], None] | None = None, batch: int = BATCH) -> int:
        """Apply everything recorded so far, in this thread (CLI, tests, rebuild)."""
        return catch_up_together(self.app, list(self.followers.values()), progress, batch)

    def status(self) -> dict[str, dict[str, Any]]:
        """Each read model's position; not ok if it failed, or if following has
        been paused longer than PAUSE_TOLERATED (a read model's file locked by
        another process, say: the store itself answers)."""
        newest = self.app.position()
        since = self._paused_since
        paused = None if since is None else round(time.monotonic() - since, 1)
        return {
            name: {
                "position": f.position,
                "behind": max(0, newest - f.position),
                "ok": f.error is None and (paused is None or paused < PAUSE_TOLERATED),
                **({} if paused is None else {"paused_s": paused}),
            }
            for name, f in self.followers.items()
        }


def handler_lookup(projection: Any) -> Callable[[type], Callable[[Any, Any], None] | None]:
    """event class -> the projection's bound handler, or None if it ignores that class.

    Resolved once per class: a `singledispatchmethod` otherwise builds a new
    wrapper on every attribute access, which dominated rebuild profiles. A
    read model's `purge_child` answers an erasure and every tombstone
    (projections/projection.py).
    """
    purge = getattr(projection, "purge_child", None)
    purges = {
        Erasure.Created: lambda event, c: purge(c, event.child_id),
        Tombstone: lambda event, c: purge(c, event.key_id),
    } if purge else {}
    method = type(projection).__dict__.get("process")
    if not isinstance(method, singledispatchmethod):
        return lambda cls: purges.get(cls, projection.process)
    default = method.dispatcher.dispatch(object)
    handlers: dict[type, Any] = dict(purges)

    def lookup(cls: type) -> Any:
        if cls not in handlers:
            function = method.dispatcher.dispatch(cls)
            handlers[cls] = None if function is default else MethodType(function, projection)
        return handlers[cls]

    return lookup


def catch_up_together(app: Bekymring, followers: list[Follower],
                      progress: Callable[[int], None] | None = None, batch_size: int = BATCH,
                      timings: dict[str, float] | None = None,
                      on_error: Callable[[Follower, BaseException], None] | None = None,
                      lazy: bool = False) -> int:
    """Bring several read models up to date in one pass: each batch is read and
    decrypted once for all of them. Returns how many events were read.
    `timings`, if given, gets the seconds spent reading, decrypting and in each read model.
    `on_error`: a read model that fails is handed to it and left out (default: raise);
    it may raise instead, which ends the pass (`ProjectionRunner._failed` does, for
    the store being away).
    `lazy`: see `Follower.apply`.

    (Reading the next batch in a thread while one is applied was tried: no faster,
    as both halves hold the GIL most of the time.)"""
    followers = list(followers)
    if not followers:
        return 0
    clock = {"read": 0.0, "decrypt": 0.0}
    before = {f: f.seconds for f in followers}
    done = 0
    for batch in _batches(app, min(f.position for f in followers), batch_size, clock):
        for failed in apply_batch(app, followers, batch, on_error, clock, lazy):
            followers.remove(failed)
        done += len(batch)
        if progress:
            progress(done)
        if not followers:
            break
    if timings is not None:
        record_timings(timings, clock, before)
    return done


def record_timings(timings: dict[str, float], clock: dict[str, float], before: dict[Any, float]) -> None:
    """A pass's seconds reading and decrypting, and in each read model since `before`."""
    timings.update({k: round(v, 2) for k, v in clock.items()})
    timings.update({f.projection.name: round(f.seconds - before[f], 2) for f in before})


def apply_batch(app: Bekymring, followers: list[Follower], batch: list[Notification],
                on_error: Callable[[Follower, BaseException], None] | None = None,
                clock: dict[str, float] | None = None, lazy: bool = False) -> list[Follower]:
    """Apply to each read model the part of `batch` it has not applied yet,
    decrypting once. Returns the read models that failed (given to `on_error`)."""
    started = time.perf_counter()
    decoded = decode(app, followers, batch)
    if clock is not None:
        clock["decrypt"] += time.perf_counter() - started
    ids = [n.id for n in batch]
    failed = []
    for follower in followers:
        first = bisect.bisect_right(ids, follower.position)  # those it has not applied yet
        if first == len(batch):
            continue
        try:
            follower.apply(batch[first:], decoded[first:] if decoded is not None else None, lazy)
        except Exception as e:
            if on_error is None:
                raise
            on_error(follower, e)
            failed.append(follower)
    return failed


class Skipped:
    """In place of an event that no read model in the pass handles: it is not
    decrypted (rebuilding one read model skips a million access events)."""

    __slots__ = ()


SKIPPED = Skipped()


def decode(app: Bekymring, followers: list[Follower], batch: list[Notification]) -> list[Any] | None:
    """The batch's events, decrypted once for all read models that take events;
    events that none of them handles are SKIPPED, unless their subject was
    erased: those are decoded, as the tombstones every read model purges on."""
    readers = [f for f in followers if not f.raw]
    if not readers:
        return None
    return decode_where(app, batch, by_topic(handled_by(readers)))


def decode_where(app: Bekymring, batch: list[Notification], wanted: Callable[[str], bool]) -> list[Any]:
    """The batch's events whose topic is `wanted`, and those of erased subjects
    (tombstones), decoded; the others SKIPPED."""
    mapper = app.mapper
    mapper.preload_keys(n.state for n in batch)
    is_erased = mapper.erasure_check()  # a batch's thousands of events share few keys
    return [mapper.to_domain_event(n) if wanted(n.topic) or is_erased(n) else SKIPPED for n in batch]


def handled_by(followers: list[Follower]) -> Callable[[type], bool]:
    """Whether any of `followers` handles an event class."""
    return lambda cls: any(f.handler(cls) is not None for f in followers)


def by_topic(wanted: Callable[[type], bool]) -> Callable[[str], bool]:
    """`wanted` asked of a topic's class once per topic."""
    known: dict[str, bool] = {}

    def lookup(topic: str) -> bool:
        answer = known.get(topic)
        if answer is None:
            answer = known[topic] = wanted(resolve_topic(topic))
        return answer

    return lookup


def _batches(app: Bekymring, start: int, size: int, clock: dict[str, float]) -> Iterator[list[Notification]]:
    """The notifications after `start`, batch by batch."""
    while True:
        started = time.perf_counter()
        batch = list(app.recorder.select_notifications(start=start, limit=size, inclusive_of_start=False))
        clock["read"] += time.perf_counter() - started
        if not batch:
            return
        yield batch
        start = batch[-1].id


# The access log carries most of a rebuild's work, so a full rebuild builds it in
# a second process (projections/rebuild_helper.py). This process reads the store
# once for both and sends the helper what the access log takes of each batch
# (`Feeder`): the events it decoded anyway for its own read models; the access
# events either decrypted and decoded here into the access log's compact
# `AccessFacts` or sent as stored, for the helper to decrypt and decode, in a
# share that keeps both processes busy. Nothing slow to pickle crosses the
# pipe: a decoded event pickled and unpickled cost more than decoding it.
APART = "access_log"
PARALLEL_FROM = 100_000  # events; below this a second process costs more than it saves


def rebuild(
    app: Bekymring,
    names: Iterable[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    timings: dict[str, float] | None = None,
    processes: int | None = None,
    config: ReadModelConfig = DEFAULTS,
) -> dict[str, int]:
    """Drop the named read models (default: all) and rebuild them from event 1,
    in one pass: each batch is read and decrypted once for all of them.
    `processes`: 2 builds the access log in a second process, fed by this one
    (default: 2 for a large store on a machine with more than one core).
    `timings`: see `catch_up_together`; the helper's parts are marked `[2]`."""
    chosen = [c for c in PROJECTIONS if names is None or c.name in set(names)]
    total = app.position()
    if processes is None:
        processes = 2 if total >= PARALLEL_FROM and len(os.sched_getaffinity(0)) > 1 else 1
    apart = [c for c in chosen if c.name == APART] if processes > 1 and len(chosen) > 1 else []
    report = (lambda done: progress("alle", done, total)) if progress else None
    with rare_collections():
        if not apart:
            return rebuild_in_this_process(app, chosen, report, timings, config=config)
        helper = HelperProcess(app.env, [c.name for c in apart], config)
        try:
            feeders = [Feeder(cls(None, app, config), app, helper) for cls in apart]
            counts = rebuild_in_this_process(app, [c for c in chosen if c not in apart], report, timings, feeders,
                                             config)
            if timings is not None:  # of the feeders' seconds: waiting for the helper to take a batch
                timings["waited"] = round(sum(f.waited for f in feeders), 2)
            helper_timings = helper.finish()
        finally:
            helper.close()
    if timings is not None:
        timings.update({f"{k}[2]": v for k, v in helper_timings.items()})
    return {c.name: counts[c.name] for c in chosen}


@contextmanager
def rare_collections(threshold: int = 200_000) -> Iterator[None]:
    """Run the cyclic garbage collector rarely, and never over what exists now.

    A rebuild allocates millions of short-lived objects (decoded events, rows)
    and makes almost no reference cycles. At Python's default, a collection every
    700 allocations, the collector took about a third of decoding. Reference
    counting still frees everything that is not a cycle at once."""
    before = gc.get_threshold()
    gc.freeze()  # the app, its modules and caches: never walked during the rebuild
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@contextmanager
def rebuilding(app: Bekymring, chosen: list[type], timings: dict[str, float] | None,
               config: ReadModelConfig = DEFAULTS) -> Iterator[list[Follower]]:
    """Drop `chosen`, and give followers for their new, empty views; afterwards
    create the indexes the rebuild left out."""
    started = time.perf_counter()
    for cls in chosen:
        old = construct_view(cls, app, rebuilding=True)
        try:
            old.drop()
        finally:
            close_own(old, app)  # no connection of this process left holding the file
    if timings is not None:
        timings["drop"] = round(time.perf_counter() - started, 2)
    views: list[Any] = []
    try:
        for cls in chosen:
            # A new view: the library's recorder remembers the tracking table it found.
            views.append(construct_view(cls, app, rebuilding=True))
            views[-1].start_rebuild()
        yield [Follower(cls(view, app, config), app) for cls, view in zip(chosen, views)]
        started = time.perf_counter()
        for view in views:
            view.finish_rebuild()
        if timings is not None:
            timings["indexes"] = round(time.perf_counter() - started, 2)
    finally:
        for view in views:
            close_own(view, app)  # its large page cache


def close_own(view: Any, app: Bekymring) -> None:
    """Close a view's connections if it has its own (a SQLite file), not the app's."""
    if view.datastore is not app.factory.datastore:
        view.datastore.close()


def rebuild_in_this_process(app: Bekymring, chosen: list[type], report: Callable[[int], None] | None,
                            timings: dict[str, float] | None, feeders: Iterable[Feeder] = (),
                            config: ReadModelConfig = DEFAULTS) -> dict[str, int]:
    """Rebuild `chosen` here in one pass over the store, feeding the helper on the way."""
    with rebuilding(app, chosen, timings, config) as followers:
        if feeders:
            done = feed_first(app, followers, list(feeders), report, timings)
        else:
            done = catch_up_together(app, followers, report, REBUILD_BATCH, timings)
    return {f.projection.name: done for f in [*followers, *feeders]}


HELD_MOST = 100_000  # events this process may read ahead of its own read models (see `feed_first`)
HELD_PIECE = 2000  # events it applies before it looks at the helper again


def feed_first(app: Bekymring, followers: list[Follower], feeders: list[Feeder],
               progress: Callable[[int], None] | None, timings: dict[str, float] | None) -> int:
    """The pass of a two-process rebuild, which feeds the helper first.

    Each batch, once read, goes to the read models that take stored rows (the
    ledger) and to the helper; only the events both this process and the helper
    take are decoded then. This process's other read models apply the batch
    later, while the helper has a batch in hand. So the helper does not wait
    while this process works through a stretch of the log with nothing for the
    helper (the bench's store begins with its children's and concerns' 65,000
    events, which left the helper idle 6.5-13 s). Each read model still applies
    the events in the log's order. Returns how many events were read."""
    clock = {"read": 0.0, "decrypt": 0.0}
    before = {f: f.seconds for f in followers}
    stored = [f for f in followers if f.raw]
    readers = [f for f in followers if not f.raw]
    handled_here = handled_by(readers)
    own = by_topic(handled_here)
    shared = by_topic(lambda cls: handled_here(cls) and any(f.takes(cls) is not None for f in feeders))
    mapper = app.mapper
    # Batches read but not yet applied here: the events they hold for this
    # process's read models (decoded, or still stored), their last position, their size.
    held: deque[tuple[list[tuple[Notification, Any]], int, int]] = deque()
    held_events = most_held = done = 0
    batches = _batches(app, min(f.position for f in followers), REBUILD_BATCH, clock)
    reading = True
    while reading or held:
        if reading and (not held or (held_events < HELD_MOST and all(f.helper.wants_more() for f in feeders))):
            batch = next(batches, None)
            if batch is None:
                reading = False
                continue
            last = batch[-1].id
            started = time.perf_counter()
            decoded = decode_where(app, batch, shared)
            clock["decrypt"] += time.perf_counter() - started
            for follower in stored:
                follower.apply_events(batch, last)
            for feeder in feeders:
                feeder.apply(batch, decoded)
            kept = [(n, event) for n, event in zip(batch, decoded) if event is not SKIPPED or own(n.topic)]
            # In pieces: 10,000 concerns' events took this process 1 s to apply,
            # longer than the helper's two batches last.
            pieces = [kept[i:i + HELD_PIECE] for i in range(0, len(kept), HELD_PIECE)] or [kept]
            held.extend((piece, piece[-1][0].id, 0) for piece in pieces[:-1])
            held.append((pieces[-1], last, len(batch)))
            held_events += len(kept)
            most_held = max(most_held, held_events)
        else:
            kept, last, size = held.popleft()
            held_events -= len(kept)
            started = time.perf_counter()
            events = [mapper.to_domain_event(n) if event is SKIPPED else event for n, event in kept]
            clock["decrypt"] += time.perf_counter() - started
            for follower in readers:
                follower.apply_events(events, last)
            done += size
            if progress:
                progress(done)
    if timings is not None:
        record_timings(timings, clock, before)
        timings.update({f.projection.name: round(f.seconds, 2) for f in feeders})
        timings["held"] = most_held
    return done


HELPER_GROUP = 50_000  # events the helper applies per transaction on SQLite (see `rebuild_from_feed`)


def rebuild_from_feed(app: Bekymring, chosen: list[type], feed: Iterable[tuple[list[Any], int]],
                      timings: dict[str, float], config: ReadModelConfig = DEFAULTS) -> None:
    """In the helper: rebuild `chosen` from the batches the first process sends,
    each applied as it comes, several to a transaction. A commit writes every
    page the transaction changed, and rows keyed by random ids (the access log's
    anomalies) change pages all over their index: 447,000 such rows took 8.3 s
    to insert committed every 10,000 events, 3.9 s every 100,000."""
    decoding = committing = 0.0
    batches = iter(feed)
    # SQLite only: a PostgreSQL transaction must not wait on the feed, since the
    # library ends a connection idle in one for 5 s (and the rows go in by COPY).
    group = 0 if uses_postgres(app.env) else HELPER_GROUP
    with rare_collections(), rebuilding(app, chosen, timings, config) as followers:
        batch = next(batches, None)
        while batch is not None:
            applied = 0
            with ExitStack() as stack:
                cursors = [stack.enter_context(f.view.transaction(commit=True)) for f in followers]
                while batch is not None:
                    items, last = batch
                    app.mapper.preload_keys(i[3] for i in items if type(i) is tuple)
                    for follower, c in zip(followers, cursors):
                        started = time.perf_counter()
                        events = [from_first_process(app, follower.projection, i) if type(i) is tuple else i
                                  for i in items]
                        decoding += time.perf_counter() - started
                        started = time.perf_counter()
                        follower.apply_in(c, events, last)
                        follower.seconds += time.perf_counter() - started
                    applied += len(events)
                    if applied >= group:
                        break
                    batch = next(batches, None)  # waiting inside the transaction: SQLite only
                started = time.perf_counter()
            committing += time.perf_counter() - started
            if applied >= group:
                batch = next(batches, None)
    timings["decode"] = round(decoding, 2)
    timings["commit"] = round(committing, 2)
    for follower in followers:
        timings[follower.projection.name] = round(follower.seconds, 2)


def to_helper(n: Notification) -> tuple[bytes, int, str, bytes]:
    """A stored event on its way to the helper, still encrypted: (originator id,
    version, topic, state). A plain tuple, which no decoded event or `portable`
    form is: a NamedTuple pickles and unpickles through a Python call (6.5 µs
    against 1.7 µs, for a million of them)."""
    return (n.originator_id.bytes, n.originator_version, n.topic, bytes(n.state))


def from_first_process(app: Bekymring, projection: Any, item: tuple[bytes, int, str, bytes]) -> Any:
    """In the helper: a stored event `to_helper` sent, decrypted and in the read
    model's `portable` form; a tombstone if its key was shredded meanwhile."""
    originator_id, version, topic, state = item
    stored = StoredEvent(originator_id=UUID(bytes=originator_id), originator_version=version, topic=topic, state=state)
    plaintext = app.mapper.decrypt(stored)
    if plaintext is None:
        return app.mapper.to_domain_event(stored)
    return projection.portable(stored.originator_id, version, topic, plaintext)


class Feeder:
    """Stands in, in the first process of a rebuild, for a read model the helper
    builds: of each batch it sends the helper what the read model takes, the
    events decoded here anyway as they are, the others still encrypted or, a
    share of them, decrypted here into the read model's `portable` form."""

    def __init__(self, projection: Any, app: Bekymring, helper: HelperProcess):
        self.projection = projection  # its name, and which events it takes
        self.takes = handler_lookup(projection)
        self.mapper = app.mapper
        self.helper = helper
        self.seconds = 0.0  # decrypting, decoding and sending
        self.waited = 0.0  # of which waiting for the helper to take a batch
        # A share of the events the helper would decrypt and decode (adjusted
        # batch by batch, see `apply`) is done here and sent in the read model's
        # `portable` form, so that the two processes finish together.
        self.share = 0.5
        self._credit = 0.0
        self._last_sent = time.perf_counter()

    def apply(self, notifications: list[Notification], decoded: list[Any]) -> None:
        """Send the helper a batch: `decoded` holds the events decoded here for
        this process too (and tombstones), SKIPPED for the others."""
        started = time.perf_counter()
        items: list[Any] = []
        for n, event in zip(notifications, decoded):
            if event is not SKIPPED:  # decoded for this process's read models, or a tombstone
                if self.takes(type(event)) is not None:
                    items.append(event)
            elif self.takes(resolve_topic(n.topic)) is not None:
                self._credit += self.share
                if self._credit < 1:  # the helper decrypts and decodes this one
                    items.append(to_helper(n))
                    continue
                self._credit -= 1
                plaintext = self.mapper.decrypt(n)
                if plaintext is None:  # shredded since `decode` looked: a tombstone now
                    tombstone = self.mapper.to_domain_event(n)
                    if self.takes(type(tombstone)) is not None:
                        items.append(tombstone)
                    continue
                items.append(self.projection.portable(n.originator_id, n.originator_version, n.topic, plaintext))
        waited = self.helper.send(items, notifications[-1].id)
        self.waited += waited
        now = time.perf_counter()
        # Sending waits while the helper is busy with the batch before: then take a
        # larger share of the decoding here; if it hardly waited, a smaller one.
        helper_behind = waited > 0.1 * (now - self._last_sent)
        self.share = min(1.0, self.share + 0.05) if helper_behind else max(0.0, self.share - 0.05)
        self._last_sent = now
        self.seconds += now - started
