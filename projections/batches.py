"""Applying the notification log to read models, batch by batch.

A pass reads each batch once and decrypts it once for all the read models in
it (`catch_up_together`); each read model (`Follower`) applies its part of the
batch and records the position reached in one transaction, so every event is
applied exactly once, even across crashes. Live following (projections/live.py)
and both processes of a rebuild (projections/rebuild.py,
projections/rebuild_helper.py) are made of these passes.
"""

from __future__ import annotations

import bisect
import json
import logging
import threading
import time
from functools import singledispatchmethod
from types import MethodType
from typing import Any, Callable, Iterator

from eventsourcing.persistence import IntegrityError as TrackingConflict
from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from events.application import Bekymring
from events.envelope import Tombstone
from events.erasure import Erasure
from projections.undecodable import Undecodable, UndecodableRow, is_store_away, taken_by, undecodable

log = logging.getLogger(__name__)

BATCH = 2000
IDLE_RECORD_EVERY = 1000  # a read model with nothing to apply records its position this often


class Follower:
    """One projection, its view and its position."""

    def __init__(self, projection: Any, app: Bekymring, poke: threading.Event | None = None,
                 idle_record_every: int = IDLE_RECORD_EVERY):
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
        self.purges = getattr(projection, "purge_child", None) is not None
        self.seconds = 0.0  # time spent applying batches (for the benchmarks)
        self.idle_record_every = idle_record_every
        self._stale = False  # see `_forget`
        # Whether this process applies events to the read model. A follower alone
        # (the CLI, a rebuild, a test) does; in a running server only the process
        # holding the read model's lock does (projections/leading.py), and the
        # others follow its recorded position (`observe`).
        self.leading = True
        self.waiters = 0  # requests waiting in `wait`

    def apply(self, notifications: list[Notification], decoded: list[Any] | None,
              lazy: bool = False) -> None:
        """Apply a batch and record its last position, atomically. `decoded` are the
        batch's events, decrypted once for all read models (see `apply_batch`).

        `lazy` (following live): a batch with nothing for this read model (an access
        event, for most of them) is not written at all; the position moves on in
        memory and is recorded every `idle_record_every` events. After a crash those
        events are read again and ignored again."""
        self.apply_events(notifications if self.raw else decoded, notifications[-1].id, lazy)

    def apply_events(self, events: list[Any], last: int, lazy: bool = False) -> None:
        """Apply `events` and record `last` as the position reached (see `apply`).
        A row among them that this read model must have and cannot read
        (projections/undecodable.py): everything before it is applied, then it
        stops there with `UndecodableRow`."""
        if not self.raw and any(isinstance(e, Undecodable) for e in events):
            for i, event in enumerate(events):
                if isinstance(event, Undecodable) and taken_by(self.handler, event):
                    if i:
                        self.apply_events(events[:i], event.id - 1, lazy)
                    raise UndecodableRow(event, self.projection.name)
            events = [SKIPPED if isinstance(e, Undecodable) else e for e in events]
        if (lazy and not self.raw and last - self.recorded < self.idle_record_every
                and all(self.handler(type(e)) is None for e in events)):
            self._reached(last)
            return
        started = time.perf_counter()
        if self._stale:  # a rolled-back batch's caches could not be dropped then
            self.projection.reset()
            self._stale = False
        try:
            with self.view.transaction(commit=True) as c:
                self.apply_in(c, events, last, fenced=True)
            reached = last
        except TrackingConflict:
            # Either another process applied events since this one last recorded
            # (it took the read model over), or the projection broke a constraint
            # (a bug: stop loudly).
            self._forget()
            reached = self.view.position(self.app.name)
            if reached == self.recorded:
                raise
            self.recorded = reached
            self._reached(reached)
            raise Overtaken(self.projection.name, reached) from None
        except BaseException:
            self._forget()  # the batch was rolled back: so must its caches be
            raise
        self.recorded = reached
        if self.purges and any(type(e) is Erasure.Created for e in events):
            self.view.scrub()  # the erased child's rows must not linger in the files
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

    def apply_in(self, c: Any, events: list[Any], last: int, fenced: bool = False) -> None:
        """Apply `events` and record `last`, in the caller's transaction `c`;
        `fenced`: only if the view is still at the position this follower last
        recorded (a rebuild's helper, alone on its views, records several batches
        in one transaction)."""
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
        self.view.record_position(c, self.app.name, last, expected=self.recorded if fenced else None)

    def take_lead(self) -> None:
        """This process now follows the read model: go on from the position its view
        holds, with caches reloaded from it (another process may have applied
        events since they were filled), and forget a stop another process recorded:
        it is tried again."""
        if hasattr(self.projection, "reset"):
            self.projection.reset()
        self._stale = False
        self.recorded = self.view.position(self.app.name)
        self.view.clear_stop()
        self.error = None
        self.leading = True
        self._reached(self.recorded)

    def give_up_lead(self) -> None:
        """Another process may follow the read model now: only read its progress."""
        self.leading = False

    def learn(self, recorded: int, stop: tuple[bool, str] | None) -> None:
        """What the process that follows the read model recorded: its position, and
        whether it stopped (`view.progress`)."""
        self.recorded = recorded
        if stop is None:
            if isinstance(self.error, StoppedElsewhere):
                self.error = None
        elif not (isinstance(self.error, StoppedElsewhere) and self.error.reason == stop[1]):
            self.error = StoppedElsewhere(self.projection.name, *stop)
        if recorded > self.position or self.error is not None:
            self._reached(max(recorded, self.position))

    def observe(self, notifications: list[Notification]) -> None:
        """Follow another process's progress through a batch: the position is the one
        it recorded, and beyond it every event this read model ignores (the
        follower records those only now and then, see `apply`), up to the first it
        takes, which waits for the follower."""
        position = max(self.position, self.recorded)
        for n in notifications:
            if n.id <= position:
                continue
            if self.raw or self.handler(resolve_topic(n.topic)) is not None:
                break
            position = n.id
        if position > self.position:
            self._reached(position)

    def _reached(self, reached: int) -> None:
        with self.changed:
            self.position = reached
            self.changed.notify_all()

    def catch_up(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply everything recorded so far; return how many events were applied."""
        return catch_up_beside_others(self.app, [self], progress)

    def fail(self, error: BaseException) -> None:
        """Stop applying events to this read model; wait() and health report it, in
        every process (the stop is recorded with the view, `learn`). A row it cannot
        read is said plainly, in one line: the traceback says nothing more about the row."""
        undecodable = isinstance(error, UndecodableRow)
        if undecodable:
            log.error("%s; the other read models go on", error)
        else:
            log.error("projection %s stopped", self.projection.name, exc_info=error)
        self.error = error
        # A row it cannot read is recorded as the status names it (projections/live.py stopped_at).
        reason = json.dumps(error.row.fields()) if undecodable else f"{type(error).__name__}: {error}"[:500]
        try:
            self.view.record_stop(reason, undecodable)
        except Exception:
            log.warning("read model %s: its stop could not be recorded for the other processes",
                        self.projection.name, exc_info=True)
        with self.changed:
            self.changed.notify_all()

    def wait(self, position: int, timeout: float) -> bool:
        self.poke.set()
        with self.changed:
            self.waiters += 1
            try:
                return self.changed.wait_for(
                    lambda: self.position >= position or self.error is not None, timeout
                ) and self.error is None
            finally:
                self.waiters -= 1


class Overtaken(Exception):
    """Another process applied events to the read model since this one last
    recorded its position: this one's batch was rolled back, nothing is lost,
    and it no longer follows the read model (it only reads it)."""

    def __init__(self, name: str, position: int):
        super().__init__(f"read model {name} was moved on to {position} by another process")


class StoppedElsewhere(Exception):
    """The read model stopped in the process that follows it (recorded with its view)."""

    def __init__(self, name: str, undecodable: bool, reason: str):
        super().__init__(f"read model {name} stopped in another process: {reason}")
        self.undecodable = undecodable
        self.reason = reason



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
                      lazy: bool = False, until: int | None = None) -> int:
    """Bring several read models up to date in one pass: each batch is read and
    decrypted once for all of them. Returns how many events were read.
    `timings`, if given, gets the seconds spent reading, decrypting and in each read model.
    `on_error`: a read model that fails is handed to it and left out (default: raise);
    it may raise instead, which ends the pass (`live.ProjectionRunner._failed` does, for
    the store being away).
    `lazy`: see `Follower.apply`.
    `until`: apply no further than this position (default: everything recorded).

    (Not read in a thread while a batch is applied: both halves hold the GIL
    most of the time.)"""
    followers = list(followers)
    if not followers:
        return 0
    clock = {"read": 0.0, "decrypt": 0.0}
    before = {f: f.seconds for f in followers}
    done = 0
    for batch in read_batches(app, min(f.position for f in followers), batch_size, clock, until):
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


OVERTAKEN_TRIES = 20  # passes in a row other processes may overtake (`catch_up_beside_others`)


def catch_up_beside_others(app: Bekymring, followers: list[Follower],
                           progress: Callable[[int], None] | None = None, batch_size: int = BATCH) -> int:
    """`catch_up_together` in the foreground (the CLI, a test) while servers may
    apply events to the same read models: a read model another process moved on
    goes on from where that one got. Returns the events read by the last pass."""
    for _ in range(OVERTAKEN_TRIES):
        try:
            return catch_up_together(app, followers, progress, batch_size)
        except Overtaken:
            continue
    raise RuntimeError(f"read models moved on by other processes {OVERTAKEN_TRIES} times in a row")


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
        if not follower.leading:
            follower.observe(batch[first:])
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
    readers = [f for f in followers if not f.raw and f.leading]
    if not readers:
        return None
    return decode_where(app, batch, by_topic(handled_by(readers)))


def decode_where(app: Bekymring, batch: list[Notification], wanted: Callable[[str], bool]) -> list[Any]:
    """The batch's events whose topic is `wanted`, and those of erased subjects
    (tombstones), decoded; the others SKIPPED."""
    mapper = app.mapper
    mapper.preload_keys(n.state for n in batch)
    is_erased = mapper.erasure_check()  # a batch's thousands of events share few keys
    return [decode_one(mapper, n, wanted, is_erased) for n in batch]


def decode_one(mapper: Any, n: Notification, wanted: Callable[[str], bool],
               is_erased: Callable[[Notification], bool]) -> Any:
    """One row decoded, SKIPPED, or (if it cannot be read) `Undecodable`."""
    try:
        return mapper.to_domain_event(n) if wanted(n.topic) or is_erased(n) else SKIPPED
    except Exception as e:
        if is_store_away(e):
            raise
        return undecodable(n, e)


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


def read_batches(app: Bekymring, start: int, size: int, clock: dict[str, float],
                 until: int | None = None) -> Iterator[list[Notification]]:
    """The notifications after `start` (up to `until`, if given), batch by batch."""
    while until is None or start < until:
        started = time.perf_counter()
        batch = list(app.recorder.select_notifications(start=start, limit=size, inclusive_of_start=False,
                                                       stop=until))
        clock["read"] += time.perf_counter() - started
        if not batch:
            return
        yield batch
        start = batch[-1].id


def first_unreadable(app: Any, followers: list[Any]) -> dict[str, Undecodable]:
    """For each read model that takes events, the first row after its position
    that it must have and cannot read; read-only (`intranet projections status`
    asks it in a process of its own, where no read model has run)."""
    pending = [f for f in followers if not f.raw]
    found: dict[str, Undecodable] = {}
    if not pending:
        return found
    wanted = by_topic(handled_by(pending))
    for batch in read_batches(app, min(f.position for f in pending), BATCH, {"read": 0.0}):
        for event in decode_where(app, batch, wanted):
            if not isinstance(event, Undecodable):
                continue
            for follower in list(pending):
                if event.id > follower.position and taken_by(follower.handler, event):
                    found[follower.projection.name] = event
                    pending.remove(follower)
        if not pending:
            break
    return found
