"""Rebuilding read models from event 1: `intranet rebuild`, and after a change
to what a read model keeps.

The named read models are dropped and built again in one pass over the log,
each batch read and decrypted once for all of them. On a large store the access
log is built at the same time in a second process (projections/rebuild_helper.py).
"""

from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from eventsourcing.persistence import Notification
from eventsourcing.utils import resolve_topic

from events.application import Bekymring
from projections.batches import (
    SKIPPED, Follower, by_topic, catch_up_together, decode_one, decode_where, handled_by, handler_lookup,
    read_batches, record_timings,
)
from projections.config import DEFAULTS, ReadModelConfig
from projections.from_zero import rare_collections, rebuilding
from projections.rebuild_helper import HelperProcess
from projections.registry import PROJECTIONS
from projections.undecodable import RebuildStopped, Undecodable, UndecodableRow, taken_by

REBUILD_BATCH = 10_000  # fewer commits when a read model is built from zero
HELD_MOST = 100_000  # events this process may read ahead of its own read models (see `feed_first`)
HELD_PIECE = 2000  # events it applies before it looks at the helper again


@dataclass(frozen=True)
class RebuildSizes:
    """How a rebuild cuts its work: events read per batch, and in a two-process
    rebuild how far the first process reads ahead (`feed_first`)."""

    batch: int = REBUILD_BATCH
    held_most: int = HELD_MOST
    held_piece: int = HELD_PIECE


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
    sizes: RebuildSizes = RebuildSizes(),
    config: ReadModelConfig = DEFAULTS,
) -> dict[str, int]:
    """Drop the named read models (default: all) and rebuild them from event 1,
    in one pass: each batch is read and decrypted once for all of them.
    `processes`: 2 builds the access log in a second process, fed by this one
    (default: 2 for a large store on a machine with more than one core).
    `timings`: see `catch_up_together`; the helper's parts are marked `[2]`.
    `sizes`: see `RebuildSizes`."""
    chosen = [c for c in PROJECTIONS if names is None or c.name in set(names)]
    total = app.position()
    if processes is None:
        processes = 2 if total >= PARALLEL_FROM and len(os.sched_getaffinity(0)) > 1 else 1
    apart = [c for c in chosen if c.name == APART] if processes > 1 and len(chosen) > 1 else []
    report = (lambda done: progress("alle", done, total)) if progress else None
    with rare_collections():
        if not apart:
            return rebuild_in_this_process(app, chosen, report, timings, sizes, config=config)
        helper = HelperProcess(app.env, [c.name for c in apart], config)
        try:
            feeders = [Feeder(cls(None, app, config), app, helper) for cls in apart]
            counts = rebuild_in_this_process(app, [c for c in chosen if c not in apart], report, timings, sizes,
                                             feeders, config)
            if timings is not None:  # of the feeders' seconds: waiting for the helper to take a batch
                timings["waited"] = round(sum(f.waited for f in feeders), 2)
            helper_timings = helper.finish()
        finally:
            helper.close()
    if timings is not None:
        timings.update({f"{k}[2]": v for k, v in helper_timings.items()})
    return {c.name: counts[c.name] for c in chosen}


def rebuild_in_this_process(app: Bekymring, chosen: list[type], report: Callable[[int], None] | None,
                            timings: dict[str, float] | None, sizes: RebuildSizes,
                            feeders: Iterable[Feeder] = (), config: ReadModelConfig = DEFAULTS) -> dict[str, int]:
    """Rebuild `chosen` here in one pass over the store, feeding the helper on the way."""
    stops: list[UndecodableRow] = []

    def stopped(follower: Follower, error: BaseException) -> None:
        if not isinstance(error, UndecodableRow):
            raise error
        stops.append(error)  # the others are rebuilt to the end (projections/undecodable.py)

    with rebuilding(app, chosen, timings, config) as followers:
        if feeders:
            done = feed_first(app, followers, list(feeders), report, timings, sizes)
        else:
            done = catch_up_together(app, followers, report, sizes.batch, timings, on_error=stopped)
    if stops:
        raise RebuildStopped(stops)
    return {f.projection.name: done for f in [*followers, *feeders]}



def feed_first(app: Bekymring, followers: list[Follower], feeders: list[Feeder],
               progress: Callable[[int], None] | None, timings: dict[str, float] | None,
               sizes: RebuildSizes) -> int:
    """The pass of a two-process rebuild, which feeds the helper first.

    Each batch, once read, goes to the read models that take stored rows (the
    ledger) and to the helper; only the events both this process and the helper
    take are decoded then. This process's other read models apply the batch
    later, while the helper has a batch in hand. So the helper does not wait
    while this process works through a stretch of the log with nothing for the
    helper (a log often begins with children and concerns, nothing for the
    helper). Each read model still applies
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
    batches = read_batches(app, min(f.position for f in followers), sizes.batch, clock)
    reading = True
    while reading or held:
        if reading and (not held or (held_events < sizes.held_most and all(f.helper.wants_more() for f in feeders))):
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
            # In pieces: a whole batch of concerns' events takes this process
            # longer to apply than the helper's two batches last.
            pieces = [kept[i:i + sizes.held_piece] for i in range(0, len(kept), sizes.held_piece)] or [kept]
            held.extend((piece, piece[-1][0].id, 0) for piece in pieces[:-1])
            held.append((pieces[-1], last, len(batch)))
            held_events += len(kept)
            most_held = max(most_held, held_events)
        else:
            kept, last, size = held.popleft()
            held_events -= len(kept)
            started = time.perf_counter()
            events = [decode_one(mapper, n, every_topic, never_erased) if event is SKIPPED else event
                      for n, event in kept]
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



def every_topic(topic: str) -> bool:
    return True


def never_erased(n: Notification) -> bool:
    return False


def to_helper(n: Notification) -> tuple[bytes, int, str, bytes]:
    """A stored event on its way to the helper, still encrypted: (originator id,
    version, topic, state). A plain tuple, which no decoded event or `portable`
    form is: a NamedTuple pickles and unpickles through a Python call."""
    return (n.originator_id.bytes, n.originator_version, n.topic, bytes(n.state))



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
            if isinstance(event, Undecodable):
                if taken_by(self.takes, event):  # the helper's read model stops at it too
                    raise UndecodableRow(event, self.projection.name)
            elif event is not SKIPPED:  # decoded for this process's read models, or a tombstone
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
