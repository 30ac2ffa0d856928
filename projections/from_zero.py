"""Building read models from zero, in either process of a rebuild: their views
dropped and made again without their indexes, which come at the end."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from typing import Any, Iterator

from events.application import Bekymring
from projections.batches import Follower
from projections.config import DEFAULTS, ReadModelConfig
from projections.registry import close_own, construct_view


@contextmanager
def rare_collections(threshold: int = 200_000) -> Iterator[None]:
    """Run the cyclic garbage collector rarely, and never over what exists now.

    A rebuild allocates millions of short-lived objects (decoded events, rows)
    and makes almost no reference cycles. At Python's default, a collection every
    700 allocations, the collector's walks were a large part of decoding. Reference
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

